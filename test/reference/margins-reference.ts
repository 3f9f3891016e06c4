/**
 * Independent references for specimen margins, sharing no code with src/: the
 * point-to-ellipsoid distance by the Lagrange condition solved with bisection on
 * F(t) = sum (a_i p_i / (a_i^2 + t))^2 - 1 (generic points), or by dense search with
 * zooming refinement (any point); patch distances by dense search with zooming.
 */
import { add, dotMultiply, norm, subtract } from 'mathjs';

export type R3 = [number, number, number];

/**
 * Zooming grid search over [lo, hi]^2: an n x n lattice, then an 11 x 11 window
 * re-centred on the best point. The window shrinks when the centre stops moving and
 * doubles when the best point sits on the window's edge: a fixed window crawling along
 * a long, nearly flat valley used to run out of iterations before reaching the
 * minimum (fast-check seed -1487377317: semi-axes [5, 5, 15.966], a lesion near the
 * centre), so the search stalled above it.
 */
export function zoomMin(f: (a: number, b: number) => number, lo: [number, number], hi: [number, number], n = 61): number {
  let best = Infinity, ba = 0, bb = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const a = lo[0] + ((hi[0] - lo[0]) * i) / (n - 1), b = lo[1] + ((hi[1] - lo[1]) * j) / (n - 1);
    const v = f(a, b);
    if (v < best) { best = v; ba = a; bb = b; }
  }
  const span = [(hi[0] - lo[0]) / (n - 1), (hi[1] - lo[1]) / (n - 1)];
  let wa = span[0], wb = span[1];
  for (let it = 0; it < 4000 && (wa > 1e-14 || wb > 1e-14); it++) {
    const ca = ba, cb = bb;
    let edge = false;
    for (let i = -5; i <= 5; i++) for (let j = -5; j <= 5; j++) {
      const a = Math.min(hi[0], Math.max(lo[0], ca + (i * wa) / 5)), b = Math.min(hi[1], Math.max(lo[1], cb + (j * wb) / 5));
      const v = f(a, b);
      if (v < best) { best = v; ba = a; bb = b; edge = Math.abs(i) === 5 || Math.abs(j) === 5; }
    }
    if (ba === ca && bb === cb) { wa /= 2.5; wb /= 2.5; }
    else if (edge) { wa = Math.min(2 * wa, 10 * span[0]); wb = Math.min(2 * wb, 10 * span[1]); }
  }
  return best;
}

/** Distance from p to the ellipsoid surface by dense search over (theta, phi). */
export function refEllipsoidDistanceDense(center: R3, axes: R3, p: R3): number {
  const d = (th: number, ph: number) => {
    const s = add(center, dotMultiply(axes, [Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)])) as number[];
    return norm(subtract(p, s) as number[]) as number;
  };
  // Two charts (poles on z, then on x) so no minimum hides at a chart's pole.
  const alt = (th: number, ph: number) => {
    const s = add(center, dotMultiply(axes, [Math.cos(th), Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph)])) as number[];
    return norm(subtract(p, s) as number[]) as number;
  };
  return Math.min(zoomMin(d, [0, -Math.PI], [Math.PI, Math.PI]), zoomMin(alt, [0, -Math.PI], [Math.PI, Math.PI]));
}

/** Distance for a point with every coordinate off the axes planes: the Lagrange root by bisection. */
export function refEllipsoidDistanceRoot(center: R3, axes: R3, p: R3): number {
  const q = subtract(p, center) as number[];
  const amin = Math.min(...axes);
  const F = (t: number) => axes.reduce((s, a, i) => s + ((a * q[i]) / (a * a + t)) ** 2, 0) - 1;
  // F falls from +inf to -1 on (-amin^2, inf): one root, the nearest point.
  let lo = -amin * amin, hi = 1;
  while (F(hi) > 0) hi *= 2;
  for (let i = 0; i < 3000; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (F(mid) > 0) lo = mid; else hi = mid;
  }
  const t = (lo + hi) / 2;
  const x = axes.map((a, i) => (a * a * q[i]) / (a * a + t));
  return norm(subtract(q, x) as number[]) as number;
}

export function refInsideEllipsoid(center: R3, axes: R3, p: R3): boolean {
  return axes.reduce((s, a, i) => s + ((p[i] - center[i]) / a) ** 2, 0) < 1;
}

const DIRS = ['+x', '-x', '+y', '-y', '+z', '-z'] as const;

/** Distance from p to the surface patch of an ellipsoid whose normal is most nearly along dir. */
export function refEllipsoidPatchDistance(center: R3, axes: R3, dir: (typeof DIRS)[number], p: R3): number {
  const axis = 'xyz'.indexOf(dir[1]);
  const sign = dir[0] === '+' ? 1 : -1;
  const [j, k] = [0, 1, 2].filter((i) => i !== axis);
  const n = [0, 0, 0];
  const f = (a: number, b: number) => {
    // surface point with normal n: x_i = a_i^2 n_i / sqrt(sum a_i^2 n_i^2)
    n[axis] = sign; n[j] = a; n[k] = b;
    const t = Math.sqrt((axes[0] * n[0]) ** 2 + (axes[1] * n[1]) ** 2 + (axes[2] * n[2]) ** 2);
    const dx = p[0] - center[0] - (axes[0] * axes[0] * n[0]) / t;
    const dy = p[1] - center[1] - (axes[1] * axes[1] * n[1]) / t;
    const dz = p[2] - center[2] - (axes[2] * axes[2] * n[2]) / t;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  };
  return zoomMin(f, [-1, -1], [1, 1]);
}

export const REF_DIRS = DIRS;

/**
 * Named margins of a box lesion in a box specimen by the README's definition, by brute
 * force over a grid of lesion points (corners and the specimen's face coordinates
 * included, where the extremes of these distances lie): for each face, minus the largest distance
 * beyond the specimen of a lesion point whose nearest specimen point is on that face
 * (a point beyond an edge counts for the face of the first axis in x, y, z order);
 * when there is none, the smallest distance from a lesion point to the face rectangle.
 */
export function refBoxInBoxMargins(spec: { center: R3; size: R3 }, les: { center: R3; size: R3 }, n = 11): Record<(typeof DIRS)[number], number> {
  const lo = spec.center.map((c, i) => c - spec.size[i] / 2), hi = spec.center.map((c, i) => c + spec.size[i] / 2);
  const reach: Record<string, number> = {}, near: Record<string, number> = {};
  for (const d of DIRS) { reach[d] = 0; near[d] = Infinity; }
  // Per axis: the grid, plus the specimen's face coordinates where they fall inside the lesion.
  const values = [0, 1, 2].map((a) => {
    const l0 = les.center[a] - les.size[a] / 2, l1 = les.center[a] + les.size[a] / 2;
    const v = Array.from({ length: n }, (_, t) => l0 + ((l1 - l0) * t) / (n - 1));
    for (const f of [lo[a], hi[a]]) if (f > l0 && f < l1) v.push(f);
    return v;
  });
  for (const x of values[0]) for (const y of values[1]) for (const z of values[2]) {
    const p = [x, y, z];
    const q = p.map((x, a) => Math.min(hi[a], Math.max(lo[a], x)));
    const out = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    if (out > 0) {
      // The nearest point's face; on an edge or corner, the first axis in x, y, z order.
      const a = [0, 1, 2].find((t) => p[t] >= hi[t] || p[t] <= lo[t])!;
      const d = `${p[a] >= hi[a] ? '+' : '-'}${'xyz'[a]}`;
      reach[d] = Math.max(reach[d], out);
    }
    for (const d of DIRS) {
      const a = 'xyz'.indexOf(d[1]);
      const face = d[0] === '+' ? hi[a] : lo[a];
      let s = (p[a] - face) ** 2;
      for (const b of [0, 1, 2]) if (b !== a) s += Math.max(lo[b] - p[b], 0, p[b] - hi[b]) ** 2;
      near[d] = Math.min(near[d], Math.sqrt(s));
    }
  }
  const res = {} as Record<(typeof DIRS)[number], number>;
  for (const d of DIRS) res[d] = reach[d] > 0 ? -reach[d] : near[d];
  return res;
}
