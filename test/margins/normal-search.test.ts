// The pieces of the reach search over a patch's normals (src/margins): the miss score
// that guides it toward the normals that reach the lesion, the even coordinates it runs
// in, the inverse of patchPoint it maps starts with, and the compass search's options.
// Each value is computed here independently (plain formulas, no src helpers).
//
// Mutants of src/margins/patches.ts left alive on purpose (run of lines 229-332, then
// 262-320 and 262-276 after the tests below), judged to change cost, not results:
// - edgeDescent's first step (2 / GRID), its step doubling and its halving floor (`>=`):
//   the same minimum, in more or fewer calls; `moves <= EDGE_MOVES` and `moves--` only
//   change the bound of a walk that ends long before it here.
// - edgeMinimum: ties (`<=` for `<`) pick another lattice point of the same value;
//   `t < GRID` skips an edge's end point, which the walk from its neighbour reaches;
//   `GRID - 1` for `GRID + 1` in a start's index or value reads a point of the next rows,
//   which on a smooth patch starts the walk in the same basin.
// - newtonPolish: the iteration bound (`<=`, `it--`: the loop ends when no step lowers f),
//   `moved = true`, `if (false) break`, the tries bound and the damping constants (`1e-6 /
//   scale`, `1e-9 / scale`, `(haa + hbb) * 2`, `- 1e-300`): another path of steps that only
//   ever take a lower f, to the same minimum.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rayMiss, rayReach, rayScore } from '../../src/margins/margins.js';
import {
  DIRECTIONS, EDGE_MOVES, POLISH_ROUNDS, compassDescent, edgeDescent, edgeMinimum, evenPatchMap, newtonPolish, polishToRest, patchCoordinates, patchDistanceFrom, patchLattice, patchPoint,
} from '../../src/margins/patches.js';
import { refEllipsoidCriticalPoints, refEllipsoidDistanceRoot, refEllipsoidPatchDistance } from '../reference/margins-reference.js';

type V3 = [number, number, number];
const box = (center: V3, size: V3) => ({ shape: 'box' as const, center, size });
const ell = (center: V3, semiAxes: V3) => ({ shape: 'ellipsoid' as const, center, semiAxes });
const mm = (min: number, max: number) => fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((i) => i / 1000);

describe('rayMiss: how far a ray passes the lesion', () => {
  it('a box: the distance to the box of the ray point nearest its centre', () => {
    // Ray along +x at y = 5, z = 0 past a 2 x 2 x 2 box at the origin: nearest the centre at t = 10 (x = 0); 4 mm above the top face.
    expect(rayMiss(box([0, 0, 0], [2, 2, 2]), [-10, 5, 0], [1, 0, 0])).toBeCloseTo(4, 12);
    // Off in y and z: sqrt(3^2 + 4^2).
    expect(rayMiss(box([0, 0, 0], [2, 2, 2]), [-10, 4, -5], [1, 0, 0])).toBeCloseTo(5, 12);
    // The box behind the start: t is held at 0, the start's own distance counts (corner at (1, 1, 1), start at (4, 5, 1)).
    expect(rayMiss(box([0, 0, 0], [2, 2, 2]), [4, 5, 1], [1, 0, 0])).toBeCloseTo(5, 12);
  });

  it('a box off the origin, a ray with every component: against the formula written out', () => {
    const c: V3 = [3, -4, 5], size: V3 = [2, 4, 6];
    const q: V3 = [-7, 6, -2], d = [0.6, 0.3, 0.2], len = Math.hypot(...d);
    const n = d.map((x) => x / len) as V3;
    // The ray point nearest the centre, then its distance to the box, axis by axis.
    const t = Math.max(0, (c[0] - q[0]) * n[0] + (c[1] - q[1]) * n[1] + (c[2] - q[2]) * n[2]);
    const gaps = [0, 1, 2].map((i) => Math.max(0, Math.abs(q[i] + t * n[i] - c[i]) - size[i] / 2));
    const want = Math.hypot(...gaps);
    expect(want).toBeGreaterThan(1);
    expect(rayMiss(box(c, size), q, n)).toBeCloseTo(want, 12);
    // Two more starts, so a sign flipped on any one coordinate's term shows.
    for (const q2 of [[9, -12, 1], [0, 3, 14]] as V3[]) {
      const t2 = Math.max(0, (c[0] - q2[0]) * n[0] + (c[1] - q2[1]) * n[1] + (c[2] - q2[2]) * n[2]);
      const g2 = [0, 1, 2].map((i) => Math.max(0, Math.abs(q2[i] + t2 * n[i] - c[i]) - size[i] / 2));
      expect(rayMiss(box(c, size), q2, n)).toBeCloseTo(Math.hypot(...g2), 12);
    }
  });

  it('rayScore: minus the reach where the ray reaches, the miss (> 0) where it does not', () => {
    const l = ell([0, 0, 0], [1, 1, 1]);
    expect(rayScore(l, [-5, 0, 0], [1, 0, 0])).toBeCloseTo(-6, 12);
    expect(rayScore(l, [-5, 2, 0], [1, 0, 0])).toBeCloseTo(3, 12);
    expect(rayScore(box([0, 0, 0], [2, 2, 2]), [-10, 5, 0], [1, 0, 0])).toBeCloseTo(4, 12);
    // Touching the sphere at its top: the reach is the contact point's distance along the ray.
    expect(rayScore(l, [-5, 1, 0], [1, 0, 0])).toBeCloseTo(-5, 12);
  });

  it('an ellipsoid: the least level |u + t v|^2 - 1 over t >= 0 in the scaled frame', () => {
    // Unit sphere, ray along +x at height 2: least |p|^2 - 1 = 4 - 1.
    expect(rayMiss(ell([0, 0, 0], [1, 1, 1]), [-5, 2, 0], [1, 0, 0])).toBeCloseTo(3, 12);
    // Semi-axes (1, 2, 1): height 3 in y is 1.5 in the scaled frame: 2.25 - 1.
    expect(rayMiss(ell([0, 0, 0], [1, 2, 1]), [-5, 3, 0], [1, 0, 0])).toBeCloseTo(1.25, 12);
    // Pointing away: t = 0, the start's own level (9 + 4 - 1).
    expect(rayMiss(ell([0, 0, 0], [1, 1, 1]), [3, 2, 0], [1, 0, 0])).toBeCloseTo(12, 12);
  });

  it('property: where the ray reaches the lesion the miss is 0 or a small rounding, elsewhere it is positive', () => {
    fc.assert(
      fc.property(fc.tuple(mm(-20, 20), mm(-20, 20), mm(-20, 20)), fc.tuple(mm(-1, 1), mm(-1, 1), mm(-1, 1)).filter((d) => Math.hypot(...d) > 0.1), fc.boolean(), (q, d, isBox) => {
        const len = Math.hypot(...d);
        const n = d.map((c) => c / len) as V3;
        const l = isBox ? box([1, -2, 3], [6, 4, 8]) : ell([1, -2, 3], [3, 2, 4]);
        const reach = rayReach(l, q as V3, n), miss = rayMiss(l, q as V3, n);
        expect(miss).toBeGreaterThanOrEqual(0);
        if (reach === 0) {
          // A ray that reaches nothing beyond q passes at a positive distance (or touches: 0 only on the lesion's edge).
          expect(Number.isFinite(miss)).toBe(true);
        } else if (!isBox) {
          expect(miss).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('evenPatchMap: coordinates spread evenly over an ellipsoid patch', () => {
  const long = ell([0, 0, 0], [2, 54, 4.6]);

  it('both ends and the middle map to themselves exactly, both ways', () => {
    for (const d of ['+z', '-x', '+y'] as const) {
      const m = evenPatchMap(long, d);
      for (const w of [0, 1] as const) {
        for (const e of [-1, 0, 1]) {
          expect(m.toPatch(e, w)).toBe(e);
          expect(m.fromPatch(e, w)).toBe(e);
        }
        // Past the ends: held at the ends.
        expect(m.toPatch(1.5, w)).toBe(1);
        expect(m.toPatch(-1.5, w)).toBe(-1);
        expect(m.fromPatch(2, w)).toBe(1);
        expect(m.fromPatch(-2, w)).toBe(-1);
      }
    }
  });

  it('along beta = 0 the surface coordinate is linear in the even coordinate', () => {
    // -z patch of [2, 54, 4.6]: alpha is x's normal component, beta y's. On alpha = 0 the surface y is
    // A_y^2 beta / sqrt(A_z^2 + A_y^2 beta^2); evenly spaced v must give evenly spaced y.
    const m = evenPatchMap(long, '-z');
    const y = (v: number) => {
      const b = m.toPatch(v, 1);
      return (54 * 54 * b) / Math.sqrt(4.6 * 4.6 + 54 * 54 * b * b);
    };
    const yMax = y(1);
    for (const v of [-0.9, -0.5, -0.1, 0.3, 0.7]) expect(y(v)).toBeCloseTo(v * yMax, 9);
    // The normal's component itself is far from linear: half the length lies below beta = 0.05.
    expect(m.toPatch(0.5, 1)).toBeLessThan(0.05);
  });

  it('property: fromPatch inverts toPatch and both are increasing', () => {
    fc.assert(
      fc.property(fc.tuple(mm(0.5, 100), mm(0.5, 100), mm(0.5, 100)), mm(-1, 1), mm(-1, 1), fc.integer({ min: 0, max: 5 }), (A, u, u2, di) => {
        const d = (['+x', '-x', '+y', '-y', '+z', '-z'] as const)[di];
        const m = evenPatchMap(ell([0, 0, 0], A as V3), d);
        for (const w of [0, 1] as const) {
          expect(m.fromPatch(m.toPatch(u, w), w)).toBeCloseTo(u, 9);
          if (u < u2) expect(m.toPatch(u, w)).toBeLessThanOrEqual(m.toPatch(u2, w));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a box specimen: its faces are linear already, the identity', () => {
    const m = evenPatchMap({ shape: 'box', center: [0, 0, 0], size: [10, 20, 30] }, '+x');
    for (const u of [-1, -0.37, 0, 0.5, 1]) {
      expect(m.toPatch(u, 0)).toBe(u);
      expect(m.fromPatch(u, 1)).toBe(u);
    }
  });
});

describe('patchCoordinates: the inverse of patchPoint', () => {
  it('property: an ellipsoid patch point maps back to its (alpha, beta)', () => {
    fc.assert(
      fc.property(fc.tuple(mm(1, 60), mm(1, 60), mm(1, 60)), fc.tuple(mm(-50, 50), mm(-50, 50), mm(-50, 50)), mm(-1, 1), mm(-1, 1), fc.integer({ min: 0, max: 5 }), (A, c, a, b, di) => {
        const d = (['+x', '-x', '+y', '-y', '+z', '-z'] as const)[di];
        const s = ell(c as V3, A as V3);
        const [ga, gb] = patchCoordinates(s, d, patchPoint(s, d, a, b));
        expect(ga).toBeCloseTo(a, 8);
        expect(gb).toBeCloseTo(b, 8);
      }),
      { numRuns: 300 },
    );
  });

  it('a box face: the point on the face, scaled to the face half-sizes; clamped to the square', () => {
    const s = { shape: 'box' as const, center: [1, 2, 3] as V3, size: [10, 20, 30] as V3 };
    expect(patchCoordinates(s, '+x', [6, 2 + 5, 3 - 7.5])).toEqual([0.5, -0.5]);
    expect(patchCoordinates(s, '-z', [1 + 2.5, 2 - 10, -12])).toEqual([0.5, -1]);
    expect(patchCoordinates(s, '+y', [1 + 6, 12, 3])).toEqual([1, 0]);
    expect(patchCoordinates(s, '+y', [1 - 6, 12, 3 + 16])).toEqual([-1, 1]);
  });

  it('an ellipsoid point just past a border rounds back into the square', () => {
    const s = ell([0, 0, 0], [30, 22, 15]);
    const p = patchPoint(s, '+z', 1, -1);
    const [a, b] = patchCoordinates(s, '+z', [p[0] * (1 + 1e-12), p[1] * (1 + 1e-12), p[2]]);
    expect(a).toBe(1);
    expect(b).toBe(-1);
  });
});

describe('compassDescent options', () => {
  // Two minima either side of the start at (0, 0): at alpha = +0.3 (depth 1) and -0.3 (depth 2);
  // both first moves (to +-1/12) go downhill.
  const g = (x: number) => Math.exp(-((x / 0.15) ** 2));
  const twin = (a: number, b: number) => -g(a - 0.3) - 2 * g(a + 0.3) + b * b;
  it('the moves in the given order take the +alpha side first; mirrored, the -alpha side', () => {
    const start = { value: twin(0, 0), alpha: 0, beta: 0 };
    const plain = compassDescent(twin, start);
    const mirrored = compassDescent(twin, start, true);
    expect(plain.alpha).toBeGreaterThan(0.25);
    expect(plain.value).toBeGreaterThan(-1.1);
    expect(mirrored.alpha).toBeLessThan(-0.25);
    expect(mirrored.value).toBeLessThan(-1.9);
  });

  it('maxMoves bounds the walk: a long slope is left short after that many moves', () => {
    const slope = (a: number) => a; // lowest at alpha = -1
    const from = { value: 1, alpha: 1, beta: 0 };
    expect(compassDescent(slope, from).alpha).toBe(-1);
    const short = compassDescent(slope, from, false, 3);
    expect(short.alpha).toBeGreaterThan(-1);
    expect(short.alpha).toBeLessThan(1);
  });
});

describe('edgeDescent and newtonPolish', () => {
  it('edgeDescent: the minimum of a 1-D function from any lattice start, clamped to [-1, 1], in a bounded number of calls', () => {
    const bowl = (t: number) => (t - 0.3) ** 2;
    expect(edgeDescent(bowl, -1, bowl(-1)).value).toBeLessThan(1e-24);
    expect(edgeDescent(bowl, -1, bowl(-1)).t).toBeCloseTo(0.3, 11);
    expect(edgeDescent(bowl, 1, bowl(1)).value).toBeLessThan(1e-24);
    // Lowest at the end of the edge: reached exactly, never passed.
    let calls = 0;
    const slope = (t: number) => { calls++; expect(Math.abs(t)).toBeLessThanOrEqual(1); return t; };
    expect(edgeDescent(slope, 1, 1)).toEqual({ t: -1, value: -1 });
    expect(calls).toBeLessThan(2 * (EDGE_MOVES + 100));
    // A start already lowest stays.
    expect(edgeDescent(bowl, 0.3, 0)).toEqual({ t: 0.3, value: 0 });
  });

  it('newtonPolish: down the floor of a long slanted valley to its minimum; down from a saddle; never from the border or uphill', () => {
    const valley = (a: number, b: number) => 100 * (a - 0.067 * b - 0.1) ** 2 + 1e-3 * (b + 0.5) ** 2;
    const start = { alpha: 0.1 + 0.067 * 0.4, beta: 0.4, value: valley(0.1 + 0.067 * 0.4, 0.4) };
    const m = newtonPolish(valley, start);
    expect(m.value).toBeLessThan(1e-12);
    expect(m.beta).toBeCloseTo(-0.5, 5);
    expect(m.alpha).toBeCloseTo(0.1 - 0.067 * 0.5, 6);
    // On a saddle the damped step still goes down (here to the edge beta = 1), never up.
    const saddle = (a: number, b: number) => a * a - b * b + 0.1 * a;
    const sd = newtonPolish(saddle, { alpha: 0.2, beta: 0.1, value: saddle(0.2, 0.1) });
    expect(sd.value).toBeLessThan(saddle(0.2, 0.1) - 0.5);
    expect(sd.value).toBe(saddle(sd.alpha, sd.beta));
    expect(Math.abs(sd.beta)).toBeLessThanOrEqual(1);
    // A flat function: no step lowers it, the start comes back.
    expect(newtonPolish(() => 2, { alpha: 0.2, beta: 0.1, value: 2 })).toEqual({ alpha: 0.2, beta: 0.1, value: 2 });
    const edge = { alpha: 1, beta: 0.4, value: valley(1, 0.4) };
    expect(newtonPolish(valley, edge)).toEqual(edge);
    // A minimum outside the square: the step is clamped and taken only if lower.
    const outside = (a: number, b: number) => (a - 3) ** 2 + (b + 0.2) ** 2;
    const o = newtonPolish(outside, { alpha: 0.5, beta: 0.5, value: outside(0.5, 0.5) });
    expect(o.value).toBeLessThan(outside(0.5, 0.5));
    expect(o.alpha).toBeLessThanOrEqual(1);
  });

  // The search only ever reports the distance to a real patch point (patchPoint on the
  // square), so it cannot read below the true distance; it must not read more than the
  // reference (1e-8 mm), whose exact critical points and edge searches make it the true
  // distance (its zooming search alone stalled 1e-9 to 3e-4 mm high in these valleys).
  it('property: the distance from a point to each patch of an ellipsoid with two near-equal semi-axes is the reference (at most 1e-8 mm more, 1e-7 mm less), points near the long axis', () => {
    fc.assert(fc.property(mm(5, 40), mm(5, 35), mm(-0.01, 0.01), mm(-0.4, 0.4), mm(-0.02, 0.02), mm(-0.02, 0.02), fc.nat(5), (long, b, skew, fx, fy, fz, swap) => {
      const axes: V3 = swap % 2 ? [b, b + skew, long] : [long, b, b + skew];
      const p: V3 = swap % 2 ? [fy * axes[0], fz * axes[1], fx * axes[2]] : [fx * axes[0], fy * axes[1], fz * axes[2]];
      const s = ell([0, 0, 0], axes);
      for (const d of DIRECTIONS) {
        const want = refEllipsoidPatchDistance([0, 0, 0], axes, d, p);
        const got = patchDistanceFrom(s, d, patchLattice(s, d), p);
        expect(got - want, d).toBeLessThan(1e-8);
        expect(want - got, d).toBeLessThan(1e-7);
      }
    }), { numRuns: 60 });
  });
});

describe('polishToRest: the best start polished until it stops going down', () => {
  // fast-check seed 565651626 of the property above: a point near the long axis of
  // [31.338, 5, 5.007]; the best start lay at beta = 0.987 on the -z patch and one round of
  // newtonPolish (40 steps) ended at beta = 0.0009, 6.5e-8 mm above the bottom at beta = 0.
  it('regression: -z of [31.338, 5, 5.007] from [10.592, 0, -0.015] is the reference to 1e-10 mm', () => {
    const axes: V3 = [31.338, 5, 5.007];
    const p: V3 = [0.338 * axes[0], 0, -0.003 * axes[2]];
    const s = ell([0, 0, 0], axes);
    for (const d of DIRECTIONS) {
      const want = refEllipsoidPatchDistance([0, 0, 0], axes, d, p);
      expect(Math.abs(patchDistanceFrom(s, d, patchLattice(s, d), p) - want), d).toBeLessThan(1e-10);
    }
  });
  it('rounds go on while they lower the value, and stop when one does not', () => {
    // A long curved valley: one round of 40 steps cannot reach the bottom from the far end.
    const valley = (a: number, b: number) => 1 + 50 * (a - 0.3 * Math.sin(3 * b)) ** 2 + 1e-3 * (b + 0.5) ** 2;
    const start = { alpha: 0.3 * Math.sin(2.7), beta: 0.9, value: valley(0.3 * Math.sin(2.7), 0.9) };
    const one = newtonPolish(valley, start);
    const rest = polishToRest(valley, start);
    expect(rest.value).toBeLessThanOrEqual(one.value);
    expect(rest.value).toBe(valley(rest.alpha, rest.beta));
    expect(polishToRest(() => 2, { alpha: 0, beta: 0, value: 2 })).toEqual({ alpha: 0, beta: 0, value: 2 });
    expect(POLISH_ROUNDS).toBeGreaterThanOrEqual(2);
  });
});

describe('the reference critical points (test/reference)', () => {
  it('property: on the surface, p - x along the normal, and the nearest the Lagrange root for points off the planes', () => {
    fc.assert(fc.property(mm(5, 40), mm(5, 40), mm(5, 40), mm(-0.9, 0.9), mm(-0.9, 0.9), mm(-0.9, 0.9), (a0, a1, a2, f0, f1, f2) => {
      const axes: V3 = [a0, a1, a2], p: V3 = [f0 * a0, f1 * a1, f2 * a2];
      const xs = refEllipsoidCriticalPoints([0, 0, 0], axes, p);
      expect(xs.length).toBeGreaterThanOrEqual(2);
      for (const x of xs) {
        expect(Math.abs(x.reduce((s, v, i) => s + (v / axes[i]) ** 2, 0) - 1)).toBeLessThan(1e-9);
        const n = x.map((v, i) => v / axes[i] ** 2), r = p.map((v, i) => v - x[i]);
        const cross = [r[1] * n[2] - r[2] * n[1], r[2] * n[0] - r[0] * n[2], r[0] * n[1] - r[1] * n[0]];
        expect(Math.hypot(...cross)).toBeLessThan(1e-7 * Math.hypot(...n) * (1 + Math.hypot(...r)));
      }
      if ([f0, f1, f2].every((f) => f !== 0)) {
        const near = Math.min(...xs.map((x) => Math.hypot(p[0] - x[0], p[1] - x[1], p[2] - x[2])));
        expect(Math.abs(near - refEllipsoidDistanceRoot([0, 0, 0], axes, p))).toBeLessThan(1e-9);
      }
    }), { numRuns: 200 });
  });
});

describe('edgeMinimum and newtonPolish: starts and borders (mutation kills)', () => {
  // Lattice index a * 25 + b holds alpha number a and beta number b (24 x 24 spacings on [-1, 1]).
  const latticeOf = (f: (a: number, b: number) => number) => (i: number) => f(-1 + (2 * Math.floor(i / 25)) / 24, -1 + (2 * (i % 25)) / 24);
  // Along the edge beta = -1: the deep minimum 8 at alpha 0.05, shallow ones 9 near both ends
  // (-0.8, 0.8), so a search started from either end of the edge stops in a shallow one;
  // elsewhere higher. Turned four ways, the deep minimum lies on each edge in turn.
  const dip = (x: number, c: number) => Math.exp(-(((x - c) / 0.1) ** 2));
  const base = (a: number, b: number) => 10 + 5 * (b + 1) - 2 * dip(a, 0.05) - dip(a, -0.8) - dip(a, 0.8);
  const turns: [string, (a: number, b: number) => number, 'alpha' | 'beta', number][] = [
    ['beta = -1', (a, b) => base(a, b), 'beta', -1],
    ['beta = +1', (a, b) => base(a, -b), 'beta', 1],
    ['alpha = -1', (a, b) => base(b, a), 'alpha', -1],
    ['alpha = +1', (a, b) => base(b, -a), 'alpha', 1],
  ];
  for (const [name, f, fixedAxis, side] of turns) {
    it(`each edge is searched from its lowest lattice point (deep minimum on ${name}): the deep minimum, not a shallow one nearer an end`, () => {
      const m = edgeMinimum(f, latticeOf(f));
      expect(m[fixedAxis]).toBe(side);
      expect(m[fixedAxis === 'alpha' ? 'beta' : 'alpha']).toBeCloseTo(0.05, 6);
      expect(m.value).toBeCloseTo(8, 10);
      expect(m.value).toBe(f(m.alpha, m.beta));
    });
  }

  it('newtonPolish works up to 2e-4 from the border and not nearer, and never evaluates off the square', () => {
    const outside: number[][] = [];
    const watch = (g: (a: number, b: number) => number) => (a: number, b: number) => {
      if (Math.abs(a) > 1 || Math.abs(b) > 1) outside.push([a, b]);
      return g(a, b);
    };
    const upB = watch((a, b) => a * a + (b - 0.5) ** 2), upA = watch((a, b) => (a - 0.5) ** 2 + b * b);
    const e = 1 - 2e-4;
    expect(newtonPolish(upB, { alpha: 0, beta: e, value: upB(0, e) }).value).toBeLessThan(1e-12);
    expect(newtonPolish(upA, { alpha: e, beta: 0, value: upA(e, 0) }).value).toBeLessThan(1e-12);
    for (const start of [{ alpha: 0, beta: 1 }, { alpha: 0.3, beta: -1 }, { alpha: 1, beta: 0.2 }, { alpha: -0.99999, beta: 0 }]) {
      const s = { ...start, value: upB(start.alpha, start.beta) };
      expect(newtonPolish(upB, s)).toEqual(s);
    }
    expect(outside).toEqual([]);
  });
});
