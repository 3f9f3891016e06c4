// The distance to an ellipsoid patch from the feet of the point (src/margins/patch-feet.ts),
// against an independent reference written here (the patch's closed form, dense samples of
// the square and of its four edges, each best sample refined by a shrinking pattern search:
// no code shared with src/), and against the full search it replaces (patchDistanceFrom):
// never above it, and equal to it to 1e-9 mm except where the full search stopped short of
// a nearer patch point, which is then witnessed by an explicit surface point of the patch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { V3 } from '../../src/margins/distance.js';
import { feetWork, footRoots, patchDistanceByFeet, patchFeet } from '../../src/margins/patch-feet.js';
import { DIRECTIONS, patchDistanceFrom, patchLattice, type Direction } from '../../src/margins/patches.js';
import type { SpecimenShape } from '../../src/margins/shapes.js';
import { adversarialRequest, rng } from '../../bench/margins-adversarial-cases.mjs';
import { prunedAndEvery } from './pruned-vs-every-centre.js';

type Ellipsoid = Extract<SpecimenShape, { shape: 'ellipsoid' }>;
const mm = (min: number, max: number) => fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((i) => i / 1000);
const axes = fc.tuple(mm(0.5, 300), mm(0.5, 300), mm(0.5, 300)).filter((a) => Math.max(...a) <= 100 * Math.min(...a));
const direction = fc.constantFrom(...DIRECTIONS);

/** The reference's own patch point: normal n = (sign on the patch's axis, alpha, beta on the other two in order), q = c + A^2 n / |A n|. */
function refPoint(c: V3, A: V3, d: Direction, alpha: number, beta: number): V3 {
  const axis = 'xyz'.indexOf(d[1]);
  const rest = [0, 1, 2].filter((i) => i !== axis);
  const n = [0, 0, 0];
  n[axis] = d[0] === '+' ? 1 : -1;
  n[rest[0]] = alpha;
  n[rest[1]] = beta;
  const len = Math.sqrt((A[0] * n[0]) ** 2 + (A[1] * n[1]) ** 2 + (A[2] * n[2]) ** 2);
  return [0, 1, 2].map((i) => c[i] + (A[i] * A[i] * n[i]) / len) as V3;
}

const dist = (p: V3, q: V3) => Math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2);

/** Pattern search from (a, b) over the square (or one coordinate when `edge` fixes the other), the step shrinking to 1e-13. */
function refine(h: (a: number, b: number) => number, a: number, b: number, step: number, edge: 0 | 1 | 2): number {
  let v = h(a, b);
  const clamp = (x: number) => Math.min(1, Math.max(-1, x));
  const moves = edge === 0 ? [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] : edge === 1 ? [[0, 1], [0, -1]] : [[1, 0], [-1, 0]];
  while (step > 1e-13) {
    let moved = false;
    for (const [da, db] of moves) {
      const na = clamp(a + da * step), nb = clamp(b + db * step), nv = h(na, nb);
      if (nv < v) { v = nv; a = na; b = nb; moved = true; break; }
    }
    if (!moved) step /= 2;
  }
  return v;
}

/** The reference distance from p to the patch: samples uniform and cubed (dense near 0, where a long patch crowds), edges too, the best refined. */
function referenceDistance(s: Ellipsoid, d: Direction, p: V3): number {
  const h = (a: number, b: number) => dist(p, refPoint(s.center, s.semiAxes, d, a, b));
  const N = 80;
  const coords: number[] = [];
  for (let i = 0; i <= N; i++) { const u = -1 + (2 * i) / N; coords.push(u, u * u * u); }
  const samples: [number, number, number][] = [];
  for (const a of coords) for (const b of coords) samples.push([h(a, b), a, b]);
  samples.sort((x, y) => x[0] - y[0]);
  let best = Infinity;
  for (const [, a, b] of samples.slice(0, 8)) best = Math.min(best, refine(h, a, b, 0.05, 0));
  for (const side of [-1, 1]) {
    const edge: [number, number, number][] = [];
    for (const t of coords) { edge.push([h(side, t), side, t]); edge.push([h(t, side), t, side]); }
    edge.sort((x, y) => x[0] - y[0]);
    for (const [, a, b] of edge.slice(0, 6)) best = Math.min(best, refine(h, a, b, 0.05, Math.abs(a) === 1 ? 1 : 2));
  }
  return best;
}

describe('the feet of a point on an ellipsoid', () => {
  it('footRoots finds every root of g, as a dense scan of its sign changes counts them', () => {
    fc.assert(fc.property(axes, fc.tuple(mm(-400, 400), mm(-400, 400), mm(-400, 400)), (A, u) => {
      const sq = A.map((x) => x * x);
      const order = [0, 1, 2].sort((i, k) => sq[i] - sq[k]);
      // Distinct squares only (the property's integers in micrometres rarely tie; skip the ties).
      if (new Set(sq).size < 3 || u.some((x) => x === 0)) return true;
      const a = Float64Array.from(order.map((i) => sq[i])), w = Float64Array.from(order.map((i) => sq[i] * u[i] * u[i]));
      const roots = footRoots(a, w, 3);
      if (!roots) return true; // two feet about to merge: handed to the full search
      const g = (t: number) => w.reduce((sum, wi, i) => sum + wi / (a[i] + t) ** 2, -1);
      for (const t of roots) {
        // The foot is on the ellipsoid: g(t) = 0 to the bisection's precision (relative to its steepness).
        const q = [0, 1, 2].map((i) => (sq[i] * u[i]) / (sq[i] + t));
        const on = q.reduce((sum, x, i) => sum + (x * x) / sq[i], 0);
        if (!(Math.abs(on - 1) <= 1e-6)) return false;
      }
      // Sign changes of g between consecutive poles, on a dense scan: none or two each.
      let expected = 2;
      for (let i = 0; i < 2; i++) {
        const lo = -a[i + 1], hi = -a[i];
        let changes = 0, prev = g(lo + (hi - lo) * 1e-9);
        for (let k = 1; k <= 20000; k++) {
          const cur = g(lo + ((hi - lo) * k) / 20000.0000001);
          if ((cur < 0) !== (prev < 0)) changes++;
          prev = cur;
        }
        expected += changes;
      }
      return roots.length === expected;
    }), { numRuns: 300 });
  });

  it('each foot given in the patch is a surface point of that patch whose normal points at p', () => {
    fc.assert(fc.property(axes, direction, fc.tuple(mm(-1.5, 1.5), mm(-1.5, 1.5), mm(-1.5, 1.5)), (A, d, f) => {
      const s: Ellipsoid = { shape: 'ellipsoid', center: [3, -7, 11], semiAxes: A };
      const p = [0, 1, 2].map((i) => s.center[i] + f[i] * A[i]) as V3;
      const feet = patchFeet(s, d, p);
      if (!feet) return true;
      for (const [alpha, beta] of feet) {
        if (!(Math.abs(alpha) <= 1 && Math.abs(beta) <= 1)) return false;
        const q = refPoint(s.center, A, d, alpha, beta);
        // p - q along the normal (q - c) / A^2: their cross product vanishes (relative).
        const n = [0, 1, 2].map((i) => (q[i] - s.center[i]) / (A[i] * A[i]));
        const e = [0, 1, 2].map((i) => p[i] - q[i]);
        const cross = [e[1] * n[2] - e[2] * n[1], e[2] * n[0] - e[0] * n[2], e[0] * n[1] - e[1] * n[0]];
        const scale = Math.hypot(...e) * Math.hypot(...n);
        if (scale > 0 && !(Math.hypot(...cross) <= 1e-5 * scale)) return false;
      }
      return true;
    }), { numRuns: 500 });
  });
});

describe('patchDistanceByFeet', () => {
  it('equals the independent reference (never above it) and is never above the full search', () => {
    const before = { ...feetWork };
    fc.assert(fc.property(axes, direction, fc.tuple(mm(-1.4, 1.4), mm(-1.4, 1.4), mm(-1.4, 1.4)), (A, d, f) => {
      const s: Ellipsoid = { shape: 'ellipsoid', center: [10, -20, 5], semiAxes: A };
      const p = [0, 1, 2].map((i) => s.center[i] + f[i] * A[i]) as V3;
      const lat = patchLattice(s, d);
      const fast = patchDistanceByFeet(s, d, lat, p);
      const full = patchDistanceFrom(s, d, lat, p);
      const ref = referenceDistance(s, d, p);
      const tol = 1e-9 * (1 + ref);
      // Never above a real patch point the reference found, nor above the full search;
      // never below the reference by more than the reference's own shortfall can explain
      // (its samples refined to 1e-13 in the square: 1e-6 mm of room).
      return fast <= ref + tol && fast <= full + tol && fast >= ref - 1e-6 * (1 + ref);
    }), { numRuns: 250 });
    expect(feetWork.feet - before.feet).toBeGreaterThan(100);
  });

  it('finds the nearer foot the full search missed: 0.272 mm, not 0.818 mm, from the -y patch of a 428 x 5.6 x 557 mm ellipsoid', () => {
    // A point of the adversarial search (seed 20261207) 0.026 mm off the mid-plane of a flat
    // specimen: its foot on the -y patch lies in a basin none of the full search's lattice
    // starts is in, and its edge search ends on the border 0.55 mm farther away.
    const s: Ellipsoid = { shape: 'ellipsoid', center: [419.475595, 2.66895, 4.31953], semiAxes: [214.238351, 2.785729, 278.572887] };
    const p: V3 = [263.076809, 2.695393, -184.448226];
    const lat = patchLattice(s, '-y');
    const fast = patchDistanceByFeet(s, '-y', lat, p);
    const full = patchDistanceFrom(s, '-y', lat, p);
    expect(full - fast).toBeGreaterThan(0.5);
    // The witness: a foot in the -y patch at that distance, by the reference's own formulas.
    const feet = patchFeet(s, '-y', p)!;
    const witness = Math.min(...feet.map(([a, b]) => dist(p, refPoint(s.center, s.semiAxes, '-y', a, b))));
    expect(Math.abs(witness - fast)).toBeLessThan(1e-9);
    expect(Math.abs(referenceDistance(s, '-y', p) - fast)).toBeLessThan(1e-7);
  });

  it('hands points on a symmetry plane and near-equal semi-axes to the full search (the same number)', () => {
    const cases: [Ellipsoid, V3][] = [
      [{ shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] }, [0, 5, 3]],
      [{ shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 30.00001, 15] }, [4, 5, 3]],
    ];
    for (const [s, p] of cases) {
      for (const d of DIRECTIONS) {
        expect(patchFeet(s, d, p)).toBeUndefined();
        const lat = patchLattice(s, d);
        expect(patchDistanceByFeet(s, d, lat, p)).toBe(patchDistanceFrom(s, d, lat, p));
      }
    }
  });
});

describe('a border whose planar problem is degenerate', () => {
  it('goes to the old edge search (and the distance is still the reference)', () => {
    // p - c = (-1, 3, 4) in [30, 22, 15]: on the +z patch's x = +1 edge plane, P . w = 4 x 225 - 1 x 900 = 0.
    const s: Ellipsoid = { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] };
    const p: V3 = [-1, 3, 4];
    expect(patchFeet(s, '+z', p)).toBeDefined();
    const before = { ...feetWork };
    const fast = patchDistanceByFeet(s, '+z', patchLattice(s, '+z'), p);
    expect(feetWork.edgeSearches - before.edgeSearches).toBe(1);
    expect(feetWork.fallbacks - before.fallbacks).toBe(0);
    expect(Math.abs(fast - referenceDistance(s, '+z', p))).toBeLessThan(1e-9);
  });
});

describe('the pruned scan over centres with the feet search', () => {
  // leastOverPatch with patchDistanceByFeet against taking every centre not at home, on random requests.
  it('gives the least over every centre, on random adversarial requests', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom('border', 'one-border', 'corner', 'shell', 'cloud'), (seed, family) => {
      const req = adversarialRequest(family, rng(seed));
      for (const { pruned, every } of prunedAndEvery(req, patchDistanceByFeet, 60)) {
        if (!(Math.abs(pruned - every) <= 1e-12 * (1 + Math.abs(every)))) return false;
      }
      return true;
    }), { numRuns: 12 });
  });
});
