// Fuzz suite (issue 7): every command, through the library and a sample through the CLI's
// main() with a fake io, on seeded mutations of valid requests. Fails on: a throw that is
// not a StereotaxError, a non-finite number anywhere in a result, a status or finding its
// numbers do not support, a call over 1 s, prototype pollution, a CLI exit of 1, control
// characters in --text. Seeded and bounded in time (a budget per command), so it is
// repeatable and short; STEREOTAX_FUZZ_SEED picks another seed, STEREOTAX_FUZZ_MS another budget.
import { describe, expect, it } from 'vitest';
import { StereotaxError, loadEngine, marginsWith, parseQuantity, planWith, targetWith, type MarginsResult, type PlanResult, type TargetingResult } from '../../src/index.js';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { seeded, type Seeded } from '../helpers/random.js';

const engine = await loadEngine();
// mathjs loads on the first unit only it reads (src/core/mathjs-host.ts): a one-time cost, not a call's.
parseQuantity('1 in', 'length');
const SEED = Number(process.env.STEREOTAX_FUZZ_SEED ?? 7_2026);
const BUDGET_MS = Number(process.env.STEREOTAX_FUZZ_MS ?? 3000);
// Per call, as CPU time: load stretches wall time, not CPU time.
const MAX_CALL_MS = 1000;

type Rng = Seeded;

const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const SEEDS: Record<'target' | 'plan' | 'margins', unknown[]> = {
  target: [
    { geometry: G, thickness: 45, views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }] },
    { id: 'n', geometry: G, thickness: '4.5 cm', imageSigma: 0.1, maxRayGap: 2, views: [{ angle: '15 deg', u: -5.41, v: '32.36 mm' }, { angle: 0, u: 5, v: 32.3 }, { angle: -15, u: 15.98, v: 32.36 }],
      needle: { device: { name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 }, minStrokeMargin: 1, warnStrokeMargin: 4 } },
    { geometry: G, thickness: 30, views: [{ angle: 10, u: 3, v: 1 }, { angle: -10, u: 8, v: 1 }], needle: { approach: 'lateral', device: { gauge: 9, throw: 0, apertureLength: 20, tipLength: 7 }, lateral: { side: '-x', nearSkinX: -40, farSkinX: 40 } } },
    { geometry: G, thickness: 45, detector: { pixelSpacing: [0.1, 0.1], origin: [1000, 1000] }, views: [{ angle: 15, col: 946, row: 1323 }, { angle: -15, col: 1160, row: 1323 }] },
  ],
  plan: [
    { thickness: 45, target: [4, 30, 20], lesionRadius: 3, needle: { device: 'gun-14g-22' } },
    { thickness: 15, target: { x: 10, y: 30, z: 7 }, lesionRadius: 2, needle: { approach: 'lateral', device: 'vacuum-9g-20', lateral: { side: '+x', nearSkinX: 40, farSkinX: -40 } } },
    { thickness: 50, localization: { guidance: 'mri', placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 30, 20] }, { device: 'magnetic-seed', position: [30, 30, 20] }] } },
    { postPlacement: { criterion: 10, orthogonal: { views: [{ projection: 'z', target: [1, 2], device: [3, 4] }, { projection: 'x', target: [2, 5], device: [4, 9] }] } } },
    { geometry: G, thickness: 45, views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }], needle: { device: 'vacuum-9g-20' } },
  ],
  margins: [
    { histology: 'invasive', specimen: { shape: 'sphere', center: [0, 0, 0], radius: 25 }, lesion: { shape: 'sphere', center: [5, -3, 2], radius: 4 }, markers: [{ name: 'clip', point: [1, 2, 3] }] },
    { threshold: 2, specimen: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] }, lesion: { shape: 'ellipsoid', center: [2, 1, 0], semiAxes: [5, 4, 3] } },
    { histology: 'dcis', specimen: { shape: 'box', center: [0, 0, 0], size: [40, 40, 40] }, lesion: { shape: 'box', center: [0, 0, 0], size: [10, 12, 8] } },
    { histology: 'dcis', specimen: { shape: 'box', center: [0, 0, 0], size: [40, 40, 40] }, lesion: { shape: 'points', points: [[1, 2, 3], [2, 3, 4], [-3, 0, 1]], radius: 0.5 } },
  ],
};

function hostile(r: Rng): unknown {
  const sparse = [1, 2, 3];
  delete sparse[1];
  const pool: (() => unknown)[] = [
    () => NaN, () => Infinity, () => -Infinity, () => -0, () => 0, () => 1e308, () => -1e308, () => 1e-300, () => -1e-17, () => 5e-324,
    () => 2 ** 53 + 1, () => r.int(2001) - 1000, () => (r.int(2_000_001) - 1_000_000) / 1000, () => '1e400 mm', () => '-0 cm', () => '0.26 rad',
    () => '15 deg', () => '4.5 cm', () => '1 in', () => 'NaN mm', () => '', () => 'x'.repeat(300), () => '\u001b[2K\r', () => null, () => true,
    () => [], () => {}, () => ({}), () => [1, 2], () => [1, 2, 3], () => sparse, () => JSON.parse('{"__proto__": {"polluted": 1}}'),
    () => JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}'), () => undefined, () => 10n, () => Symbol('s'), () => new Date(0),
    () => [[1, 2, 3], [1, 2, 3]], () => Array.from({ length: 70 }, () => ({ angle: 1, u: 0, v: 0 })),
  ];
  return r.pick(pool)();
}

function clone(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(clone);
  if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, clone(v)]));
  return x;
}

/** Paths to every node of a plain request. */
function nodes(x: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (Array.isArray(x)) x.forEach((v, i) => nodes(v, [...path, i], out));
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) for (const [k, v] of Object.entries(x)) nodes(v, [...path, k], out);
  return out;
}

function mutate(seed: unknown, r: Rng): unknown {
  let req = clone(seed);
  const steps = 1 + r.int(3);
  for (let s = 0; s < steps; s++) {
    const all = nodes(req);
    const path = r.pick(all);
    if (!path.length) {
      if (r.next() < 0.1) req = hostile(r);
      continue;
    }
    const parent = path.slice(0, -1).reduce((o: any, k) => o[k], req) as any;
    const key = path[path.length - 1];
    const old = parent[key];
    const op = r.int(6);
    if (op === 0) delete parent[key];
    else if (op === 1 && typeof old === 'number') parent[key] = old * r.pick([-1, 0, 0.5, 1 + 1e-12, 1 - 1e-12, 2, 10, 1e6, 1e-6]);
    else if (op === 2 && typeof old === 'number') parent[key] = old + r.pick([-100, -1, -1e-9, 1e-9, 1, 100]);
    else if (op === 3 && !Array.isArray(parent)) parent[r.pick(['extra', '__proto__', 'constructor', 'prototype', 'toString'])] = hostile(r);
    else if (op === 4 && Array.isArray(old) && old.length) old.push(clone(old[r.int(old.length)]));
    else parent[key] = hostile(r);
  }
  return req;
}

function nonFinite(x: unknown, path = 'result', depth = 0): string | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? undefined : `${path} = ${x}`;
  if (x === null || typeof x !== 'object' || depth > 40) return undefined;
  for (const [k, v] of Object.entries(x)) {
    const bad = nonFinite(v, `${path}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

const codes = (fs: readonly { code: string }[]) => new Set(fs.map((f) => f.code));

/** Findings and statuses the numbers must support, both ways. */
function consistentTarget(r: TargetingResult, thickness: number, maxRayGap: number): string | undefined {
  const c = codes(r.findings);
  const outside = r.target.z < 0 || r.target.z > thickness;
  if (outside !== c.has('target_outside_breast')) return `target z ${r.target.z} in ${thickness}: target_outside_breast ${c.has('target_outside_breast')}`;
  if (r.rayGap !== undefined && (r.rayGap > maxRayGap) !== c.has('rays_disagree')) return `rayGap ${r.rayGap} vs ${maxRayGap}`;
  const n = r.needle;
  if (n?.approach === 'vertical') {
    if ((n.strokeMargin < n.minStrokeMargin) !== c.has('negative_stroke_margin')) return `strokeMargin ${n.strokeMargin}`;
    if ((n.skinClearance < 0) !== c.has('aperture_outside_breast')) return `skinClearance ${n.skinClearance}`;
  } else if (n) {
    if (n.skinClearance !== undefined && (n.skinClearance < 0) !== c.has('aperture_outside_breast')) return `lateral skinClearance ${n.skinClearance}`;
    if (n.supportClearance < 0 && !c.has('needle_hits_support')) return `supportClearance ${n.supportClearance}`;
    if (n.paddleClearance < 0 && !c.has('needle_hits_paddle')) return `paddleClearance ${n.paddleClearance}`;
  }
  for (const f of r.findings) if (!['error', 'warning', 'info'].includes(f.severity)) return `severity ${f.severity}`;
  return undefined;
}

function consistentMargins(r: MarginsResult): string | undefined {
  const expected = r.closestMargin <= 0 ? 'involved' : r.closestMargin < r.threshold ? 'close' : 'clear';
  if (r.status !== expected) return `status ${r.status} with closest margin ${r.closestMargin} and threshold ${r.threshold}`;
  const min = Math.min(...Object.values(r.margins));
  if (Object.keys(r.margins).length && r.closestMargin > min + 1e-9) return `closestMargin ${r.closestMargin} above a named margin ${min}`;
  for (const m of r.markers) if (!(m.distance >= 0)) return `marker ${m.name} at a negative distance ${m.distance}`;
  return undefined;
}

function consistentPlan(r: PlanResult): string | undefined {
  const c = codes(r.findings);
  const n = r.needle;
  if (n?.approach === 'vertical' && n.skinClearance < 0 && !c.has('aperture_outside_breast')) return `plan skinClearance ${n.skinClearance}`;
  if (n?.approach === 'lateral' && n.supportClearance < 0 && !c.has('needle_hits_support')) return `plan supportClearance ${n.supportClearance}`;
  const p = r.postPlacement;
  if (p && p.success !== p.planes.every((x) => x.distance <= p.criterion)) return `postPlacement success ${p.success}`;
  if (p && p.success === c.has('device_far_from_target')) return 'device_far_from_target vs success';
  if (r.mitigations?.length && ![...r.findings].some((f) => f.severity === 'error')) return 'mitigations without an error';
  return undefined;
}

function polluted(): string | undefined {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'extra']) if (k in probe) return `Object.prototype.${k}`;
  if (Object.keys(Object.prototype).length) return `Object.prototype has ${Object.keys(Object.prototype).join(', ')}`;
  return undefined;
}

interface Tally { calls: number; refused: number; computed: number; slowest: number }

function fuzz(name: 'target' | 'plan' | 'margins', call: (req: unknown) => unknown, check: (res: any, req: any) => string | undefined, seedOffset: number): Tally {
  const r = seeded(SEED + seedOffset);
  const t: Tally = { calls: 0, refused: 0, computed: 0, slowest: 0 };
  const start = Date.now();
  while (Date.now() - start < BUDGET_MS) {
    const req = mutate(r.pick(SEEDS[name]), r);
    const c0 = process.cpuUsage();
    let res: unknown;
    try {
      res = call(req);
      t.computed++;
    } catch (e) {
      if (!(e instanceof StereotaxError)) throw new Error(`${name}: ${String(e)} for ${safe(req)}`);
      expect(e.issues.length).toBeGreaterThan(0);
      for (const i of e.issues) expect(typeof i.path === 'string' && typeof i.expected === 'string' && typeof i.received === 'string').toBe(true);
      t.refused++;
    }
    const u = process.cpuUsage(c0);
    const ms = (u.user + u.system) / 1000;
    t.slowest = Math.max(t.slowest, ms);
    t.calls++;
    if (ms > MAX_CALL_MS) throw new Error(`${name}: ${ms.toFixed(0)} ms for ${safe(req)}`);
    const p = polluted();
    if (p) throw new Error(`${name}: prototype polluted (${p}) by ${safe(req)}`);
    if (res !== undefined) {
      const bad = nonFinite(res) ?? check(res, req);
      if (bad) throw new Error(`${name}: ${bad} for ${safe(req)}`);
    }
  }
  return t;
}

function safe(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).slice(0, 600);
  } catch {
    return String(x);
  }
}

describe(`[API-008] fuzz (seed ${SEED}, ${BUDGET_MS} ms per command)`, () => {
  it('target: refused with a StereotaxError or computed with finite, consistent numbers', () => {
    const t = fuzz('target', (req) => targetWith(engine, req), (res: TargetingResult, req) => {
      const thick = typeof req.thickness === 'number' ? req.thickness : res.depthFromSkin + res.target.z;
      return consistentTarget(res, thick, typeof req.maxRayGap === 'number' ? req.maxRayGap : req.maxRayGap === undefined ? 1 : Infinity);
    }, 1);
    expect(t.calls).toBeGreaterThan(100);
    expect(t.computed).toBeGreaterThan(10);
    expect(t.refused).toBeGreaterThan(10);
  });

  it('plan: the same', () => {
    const t = fuzz('plan', (req) => planWith(engine, req), (res: PlanResult) => consistentPlan(res), 2);
    expect(t.computed).toBeGreaterThan(10);
    expect(t.refused).toBeGreaterThan(10);
  });

  // Before the margins fix this found closestMargin = Infinity for a lesion ellipsoid semi-axis of 1e-300
  // (seed 72026: { threshold: 2, specimen: ellipsoid [30, 22, 15], lesion: ellipsoid at [2, 1, 0], semiAxes [5, 1e-300, 3] }).
  it('margins: the same, and status from the closest margin', () => {
    const t = fuzz('margins', (req) => marginsWith(engine, req), (res: MarginsResult) => consistentMargins(res), 3);
    expect(t.computed).toBeGreaterThan(10);
    expect(t.refused).toBeGreaterThan(10);
  });

  it('the CLI (main with a fake io): exit 0, 2 or 3, JSON out, no controls in --text, stderr bounded', async () => {
    const r = seeded(SEED + 4);
    const start = Date.now();
    let runs = 0;
    while (Date.now() - start < BUDGET_MS || runs < 20) {
      const command = r.pick(['target', 'plan', 'margins'] as const);
      const batch = Array.from({ length: 1 + r.int(30) }, () => mutate(r.pick(SEEDS[command]), r));
      const input = r.next() < 0.3 ? batch[0] : batch;
      let text: string;
      try {
        text = JSON.stringify(input) ?? 'null';
      } catch {
        continue; // a bigint: not JSON text, cannot reach the CLI
      }
      const asText = r.next() < 0.4;
      let out = '', err = '';
      const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => text, stderrIsTTY: false };
      const code = await main([command, '-', ...(asText ? ['--text'] : [])], io, 'fuzz');
      runs++;
      expect([0, 2, 3], `${command} exit ${code}: ${err.slice(0, 300)}`).toContain(code);
      if (asText) expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      else expect(() => JSON.parse(out)).not.toThrow();
      expect(err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]|\n\s+at /);
      expect(err.split('\n').length).toBeLessThanOrEqual(23);
      expect(polluted()).toBeUndefined();
    }
    expect(runs).toBeGreaterThanOrEqual(20);
  });
});
