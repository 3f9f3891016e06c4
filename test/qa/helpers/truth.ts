/**
 * Independent projection for QA tests (shares no code with src/): a point seen from
 * the source at `angle` lands on the detector plane where the ray through it meets it.
 */
export interface G { sourceToDetector: number; sourceToSupport: number; rotationAxisHeight: number }
export type P3 = [number, number, number];

export const UNIT_GEOMETRY: G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };

export function project(g: G, angle: number, p: P3): { angle: number; u: number; v: number } {
  const r = g.sourceToSupport - g.rotationAxisHeight;
  const a = (angle * Math.PI) / 180;
  const sx = r * Math.sin(a);
  const sz = g.rotationAxisHeight + r * Math.cos(a);
  const zd = g.sourceToSupport - g.sourceToDetector;
  const t = (zd - sz) / (p[2] - sz);
  return { angle, u: sx + t * (p[0] - sx), v: t * p[1] };
}

export function marks(g: G, p: P3, angles: number[] = [15, -15]) {
  return angles.map((a) => project(g, a, p));
}

export function add(a: P3, b: P3): P3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** A session on the shipped cube-5 phantom (targets A..E) with known errors per target. */
export const CUBE5: Record<string, P3> = { A: [0, 0, 10], B: [10, 10, 20], C: [-10, 10, 20], D: [-10, -10, 30], E: [10, -10, 30] };

export interface Errors { console?: P3; target?: P3; needle?: P3 }

export function session(origin: P3, errs: Record<string, Errors>, extra: Record<string, unknown> = {}, g: G = UNIT_GEOMETRY) {
  return {
    unit: { id: 'room-2', name: 'prone table, room 2', site: 'main campus', geometry: { ...g } },
    date: '2026-11-20', tester: 'A. Physicist', kind: 'physicist', phantom: 'cube-5',
    placement: { origin },
    measurements: Object.entries(errs).map(([label, e]) => {
      const truth = add(origin, CUBE5[label]);
      const tgt = add(truth, e.target ?? [0, 0, 0]);
      const m: Record<string, unknown> = { target: label };
      if (e.console) m.console = add(tgt, e.console);
      m.targetMarks = marks(g, tgt);
      if (e.needle) m.needleMarks = marks(g, add(tgt, e.needle));
      return m;
    }),
    // Tests that measure only some targets say so, as a physicist must (minTargets).
    ...(Object.keys(errs).length < Object.keys(CUBE5).length ? { minTargets: Object.keys(errs).length } : {}),
    ...extra,
  };
}
