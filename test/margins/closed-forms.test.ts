// Margins against closed forms computed here: the kernel-answer check, box specimens with
// ball lesions (face distances, off-centre boxes), the pruning of the per-patch scan for
// calcification points, patch bounds, ray reach, solid lesions through a sphere specimen
// (farthest point by a Lagrange root), the TypeScript fallback for markers, and the final
// guard. (Written where a mutation run of src/margins showed tests missing.)
//
// Judged equivalent (no input tells them apart; line numbers of src/margins/margins.ts):
// - 166:7 false and 166:52/71/90 (NoCoverage): patchDistance is only called for a patch that is
//   not the centre's own (ballMargins skips c.home === d, and home = patchOf(s, nearest)), so
//   the condition is always false there.
// - 178:7 false, 178:7 &&, 178:36 some: any non-finite signed distance fails the distance check
//   (|gap - |signed|| is NaN or Infinity) and any non-finite nearest point makes `on` NaN or
//   Infinity, failing the surface check.
// - 184:9 <: on - 1 is a multiple of 2^-53, never exactly 1e-9. 187:26 <=: signed = 0 with
//   gap > 1e-9 already fails the distance check, so the sign test never sees signed = 0.
// - 199:11 true, 199:11 <=: for a point outside or on a box, clamping already puts the nearest
//   point on the face of least slack; pushing it there again changes nothing.
// - 201:25 <=: slack of index 3 is NaN, and NaN < slack is false. 203:15 <=: a tie in slack picks
//   another face at the same depth, and an inside centre's own margin (its depth) equals its
//   distance to every tied face.
// - 218:27 [], 219:11 false: the TypeScript path then computes every distance; kernel and
//   TypeScript agree to about 1e-14 mm (in either direction), no assertion can be that fine
//   without pinning one kernel's last bits.
// - 239:9, 245:32, 246:32 sign >= 0: sign is +1 or -1, never 0.
// - 255:55 {}, 257:19 false/<=/>=, 257:31 {}, 259:5 -=, 284:11 false, 284:11 >, 285:11 false
//   (twice), 285:11 &&, 285:27 >, 285:27 false, 287:11 <=: these only weaken the pruning of the
//   scan (never skip, or skip only where no patch distance can be smaller, or keep an equal
//   value); the margins are the same.
// - 273:9 <=, 377:11 >=: an equal value replaces an equal value.
// - 298:17 []: a box specimen's normal (the only one left with holes) reaches rayReach only for
//   a box specimen, where the lattice search of reachBeyond already gives the exact reach (a
//   lesion across an edge reaches 4 sqrt(35/36) mm exactly without it); no case found.
// - 314:13 false: a ray parallel to a slab it lies outside gets t1 = t2 = +-Infinity, an empty
//   chord or hi = -Infinity, so 0 either way. 332:7 false: sqrt of a negative discriminant is
//   NaN and NaN > 0 is false, so 0 either way.
// - 334:15 false, 334:15 >=: -C/(B + root) and (root - B)/A are the same root (conjugates); they
//   differ only in rounding, except where B + root = 0, which needs B < 0 (not reached by these two).
// - 342:9 false, 342:11 true, 342:11 >=, 347:10 true, 347:10 >=: points inside (or on) the
//   specimen then enter reachBeyond with a distance <= 0; they can only add starts whose descent
//   yields a reach <= 0 or a real reach of the same patch, never a larger value (no case found).
// - 361:17 [], 387:17 []: patchPoint writes all three coordinates of its output.
// - 392:9 true, 392:9 <=: a ray along the normal from a patch point that is not inside the lesion
//   (m.value >= 0) reaches at most a lesion point beyond that very patch point, already counted in
//   reach[d] (no case found where it differs).
// - 404:12 false: Object.values of an array gives its elements, so arrays are still traversed.
// - 427:21: closestName is replaced by the first finite margin (all six are finite by then).
import { describe, expect, it } from 'vitest';
import {
  EngineError, computeMargins, loadEngine, margins, marginsWith, parseMarginsRequest, type MarginsResult,
} from '../../src/index.js';
import { kernelAnswerHolds, patchBounds, rayReach } from '../../src/margins/margins.js';

const engine = await loadEngine();
type R3 = [number, number, number];
const BOX = { shape: 'box', center: [0, 0, 0], size: [60, 40, 30] };
const SPHERE = { shape: 'sphere', center: [0, 0, 0], radius: 5 };
const GOOD = { specimen: BOX, lesion: SPHERE, histology: 'dcis' };
const run = (req: Record<string, unknown>): MarginsResult => marginsWith(engine, { histology: 'dcis', ...req });
/** All six margins of a result keyed by direction (default orientation). */
function expectMargins(r: MarginsResult, want: Record<string, number>, digits = 12): void {
  expect(Object.keys(r.margins).sort()).toEqual(Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) expect(r.margins[k], k).toBeCloseTo(v, digits);
}

function ellipseDistance(a: number, c: number, x: number, z: number): number {
  const f = (t: number) => Math.hypot(x - a * Math.cos(t), z - c * Math.sin(t));
  const N = 20000;
  let best = 0, bv = Infinity;
  for (let i = 0; i < N; i++) {
    const v = f((2 * Math.PI * i) / N);
    if (v < bv) { bv = v; best = (2 * Math.PI * i) / N; }
  }
  let lo = best - (2 * Math.PI) / N, hi = best + (2 * Math.PI) / N;
  for (let k = 0; k < 200; k++) {
    const m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618;
    if (f(m1) < f(m2)) hi = m2; else lo = m1;
  }
  return f((lo + hi) / 2);
}

describe('kernelAnswerHolds, off the origin and at its tolerances', () => {
  const A: R3 = [30, 22, 15];
  it('the centre is subtracted, on the surface and for the side', () => {
    const c: R3 = [10, -20, 5];
    expect(kernelAnswerHolds(c, A, [50, -20, 5], 10, [40, -20, 5])).toBe(true);
    expect(kernelAnswerHolds(c, A, [30, -20, 5], -10, [40, -20, 5])).toBe(true);
    expect(kernelAnswerHolds(c, A, [30, -20, 5], 10, [40, -20, 5])).toBe(false);
  });
  it('a nearest point at the right distance but off the surface is refused', () => {
    expect(kernelAnswerHolds([0, 0, 0], A, [40, 0, 0], 10, [34, 8, 0])).toBe(false);
    expect(kernelAnswerHolds([0, 0, 0], A, [40, 0, 0], 10, [30, 0, 0])).toBe(true);
  });
  it('the distance uses every coordinate of the gap', () => {
    expect(kernelAnswerHolds([0, 0, 0], A, [0, 30, 0], 8, [0, 22, 0])).toBe(true);
    expect(kernelAnswerHolds([0, 0, 0], A, [0, 0, 20], 5, [0, 0, 15])).toBe(true);
    expect(kernelAnswerHolds([0, 0, 0], A, [0, -30, 0], 8, [0, 22, 0])).toBe(false);
  });
  it('exactly 1e-9 mm is within tolerance: for the distance, and a gap of 1e-9 mm takes either sign', () => {
    const unit: R3 = [1, 1, 1];
    expect(Math.hypot(0, 0, -1e-9)).toBe(1e-9);
    expect(kernelAnswerHolds([0, 0, 0], unit, [0, 1, 1e-9], 0, [0, 1, 0])).toBe(true);
    expect(kernelAnswerHolds([0, 0, 0], unit, [0, 1, 1e-9], -1e-9, [0, 1, 0])).toBe(true);
    expect(kernelAnswerHolds([0, 0, 0], unit, [0, 1, 1e-9], 1e-9, [0, 1, 0])).toBe(true);
  });
  it('a point exactly on the surface counts as outside for the side rule', () => {
    const unit: R3 = [1, 1, 1];
    const g = Math.hypot(1, -1, 0);
    expect(kernelAnswerHolds([0, 0, 0], unit, [1, 0, 0], g, [0, 1, 0])).toBe(true);
    expect(kernelAnswerHolds([0, 0, 0], unit, [1, 0, 0], -g, [0, 1, 0])).toBe(false);
  });
});

describe('box specimens, ball lesions: face distances in closed form', () => {
  it('a sphere 5 mm from +x: that face is its own, the others are face distances', () => {
    const r = run({ specimen: BOX, lesion: { shape: 'sphere', center: [25, 0, 0], radius: 2 } });
    expectMargins(r, { '+x': 3, '-x': 53, '+y': 18, '-y': 18, '+z': 13, '-z': 13 });
    expect(r.closestName).toBe('+x');
  });
  it('an off-centre box: the centre is subtracted before the nearest face is chosen', () => {
    // x from -40 to 20: the sphere at x = 15 is 5 mm from +x, 55 from -x.
    const r = run({ specimen: { shape: 'box', center: [-10, 0, 0], size: [60, 40, 30] }, lesion: { shape: 'sphere', center: [15, 0, 0], radius: 1 } });
    expectMargins(r, { '+x': 4, '-x': 54, '+y': 19, '-y': 19, '+z': 14, '-z': 14 });
  });
  it('an off-centre box: the nearest face is on the side of the centre the point lies', () => {
    // x from 4 to 16: the sphere at x = 5 is 1 mm from -x, 11 from +x.
    const r = run({ specimen: { shape: 'box', center: [10, 0, 0], size: [12, 40, 30] }, lesion: { shape: 'sphere', center: [5, 0, 0], radius: 0.5 } });
    expectMargins(r, { '+x': 10.5, '-x': 0.5, '+y': 19.5, '-y': 19.5, '+z': 14.5, '-z': 14.5 });
    expect(r.closestName).toBe('-x');
    expect(r.status).toBe('close');
  });
  it('a centre beyond an edge reaches through the face of the first axis; the other faces are distances', () => {
    const r = run({ specimen: BOX, lesion: { shape: 'sphere', center: [31, 30, 0], radius: 1 } });
    expectMargins(r, {
      '+x': -Math.hypot(1, 10) - 1, '+y': Math.hypot(1, 10) - 1, '+z': Math.hypot(1, 10, 15) - 1, '-z': Math.hypot(1, 10, 15) - 1,
      '-x': Math.hypot(61, 10) - 1, '-y': Math.hypot(1, 50) - 1,
    });
  });
  it('a centre on an edge: both faces are reached through by the radius, exactly', () => {
    const r = run({ specimen: BOX, lesion: { shape: 'sphere', center: [30, 20, 0.1], radius: 1 } });
    expect(r.margins['+x']).toBe(-1);
    expect(r.margins['+y']).toBe(-1);
    expectMargins(r, { '+x': -1, '+y': -1, '-x': 59, '-y': 39, '+z': 13.9, '-z': 14.1 });
  });
});

describe('calcification points: the nearest of several balls per face', () => {
  it('two points with the same nearest face: the nearer one gives it', () => {
    const r = run({ specimen: BOX, lesion: { shape: 'points', points: [[0, 19, 0], [0, 10, 0]], radius: 0.5 } });
    expectMargins(r, { '+y': 0.5, '-y': 29.5, '+x': 29.5, '-x': 29.5, '+z': 14.5, '-z': 14.5 });
  });
  it('a point beyond a corner is the nearest to +y and +z, though a deeper point has +y as its own face', () => {
    // A = (0, 19, 0): 1 mm under +y. B = (30.5, 20.5, 15.5): sqrt(0.75) beyond the corner, counted for +x.
    const h = Math.sqrt(0.75);
    const want = { '+x': -h - 0.25, '+y': h - 0.25, '+z': h - 0.25, '-x': 29.75, '-y': 38.75, '-z': 14.75 };
    for (const points of [[[0, 19, 0], [30.5, 20.5, 15.5]], [[30.5, 20.5, 15.5], [0, 19, 0]]]) {
      expectMargins(run({ specimen: BOX, lesion: { shape: 'points', points, radius: 0.25 } }), want);
    }
  });
});

describe('patch bounds: exact extents', () => {
  it('a box: the face rectangle, three coordinates each', () => {
    const s = { shape: 'box' as const, center: [1, 2, 3] as R3, size: [10, 20, 30] as R3 };
    expect(patchBounds(s, '+y')).toEqual({ lo: [-4, 12, -12], hi: [6, 12, 18] });
    expect(patchBounds(s, '-y')).toEqual({ lo: [-4, -8, -12], hi: [6, -8, 18] });
    expect(patchBounds(s, '+x')).toEqual({ lo: [6, -8, -12], hi: [6, 12, 18] });
    expect(patchBounds(s, '-z')).toEqual({ lo: [-4, -8, -12], hi: [6, 12, -12] });
  });
  it('an ellipsoid: along the axis from a^2/|A| to a, across it +-b^2/hypot(a, b)', () => {
    // The patch of +x has normals (1, p, q), |p|, |q| <= 1: x = a^2/sqrt(a^2 + b^2 p^2 + c^2 q^2) is least at the
    // corners, y = b^2 p/sqrt(...) is largest at p = 1, q = 0.
    const c: R3 = [1, 2, 3], [a, b, cz] = [30, 22, 15];
    const s = { shape: 'ellipsoid' as const, center: c, semiAxes: [a, b, cz] as R3 };
    const px = patchBounds(s, '+x'), mx = patchBounds(s, '-x');
    const near = (a * a) / Math.sqrt(a * a + b * b + cz * cz);
    const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i], String(i)).toBeCloseTo(w, 12));
    close(px.lo, [1 + near, 2 - (b * b) / Math.sqrt(a * a + b * b), 3 - (cz * cz) / Math.sqrt(a * a + cz * cz)]);
    close(px.hi, [1 + a, 2 + (b * b) / Math.sqrt(a * a + b * b), 3 + (cz * cz) / Math.sqrt(a * a + cz * cz)]);
    close(mx.lo, [1 - a, 2 - (b * b) / Math.sqrt(a * a + b * b), 3 - (cz * cz) / Math.sqrt(a * a + cz * cz)]);
    close(mx.hi, [1 - near, 2 + (b * b) / Math.sqrt(a * a + b * b), 3 + (cz * cz) / Math.sqrt(a * a + cz * cz)]);
    const pz = patchBounds(s, '+z');
    close(pz.lo, [1 - (a * a) / Math.sqrt(a * a + cz * cz), 2 - (b * b) / Math.sqrt(b * b + cz * cz), 3 + (cz * cz) / Math.sqrt(a * a + b * b + cz * cz)]);
    close(pz.hi, [1 + (a * a) / Math.sqrt(a * a + cz * cz), 2 + (b * b) / Math.sqrt(b * b + cz * cz), 3 + cz]);
  });
});

describe('ray reach, at the edges of the chord', () => {
  const slab = { shape: 'box' as const, center: [0, 0, 0] as R3, size: [10, 60, 10] as R3 };
  const cube = { shape: 'box' as const, center: [0, 0, 0] as R3, size: [10, 10, 10] as R3 };
  it('a ray along a face of the box (on the closed slab) reaches its far end', () => {
    expect(rayReach(slab, [5, 20, 0], [0, 1, 0])).toBe(10);
    expect(rayReach(slab, [-5, 20, 0], [0, 1, 0])).toBe(10);
    expect(rayReach(slab, [0, 20, 5], [0, 1, 0])).toBe(10);
  });
  it('an oblique ray: the first slab to be left ends the chord', () => {
    expect(rayReach(slab, [0, 0, 0], [0.6, 0.8, 0])).toBeCloseTo(25 / 3, 12);
    expect(rayReach(slab, [0, 0, 0], [-0.6, 0.8, 0])).toBeCloseTo(25 / 3, 12);
    expect(rayReach(slab, [0, 0, 0], [0, -0.8, 0.6])).toBeCloseTo(25 / 3, 12);
  });
  it('an oblique ray that misses the box, though both slabs lie ahead of it, reaches nothing', () => {
    expect(rayReach(cube, [20, 0, 0], [-0.6, 0.8, 0])).toBe(0);
  });
  it('a ray through an edge of the box (a chord of one point) reaches that point', () => {
    expect(rayReach(cube, [10, 0, 0], [-Math.SQRT1_2, Math.SQRT1_2, 0])).toBeCloseTo(5 * Math.SQRT2, 12);
  });
  it('a ray leaving the lesion from its surface reaches +0', () => {
    expect(rayReach(slab, [0, -30, 0], [0, -1, 0])).toBe(0);
    expect(rayReach({ shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [4, 4, 8] }, [0, 0, 8], [0, 0, 1])).toBe(0);
  });
  const ell = { shape: 'ellipsoid' as const, center: [0, 0, 0] as R3, semiAxes: [4, 4, 8] as R3 };
  it('an ellipsoid: a tangent ray reaches its point of contact', () => {
    expect(rayReach(ell, [4, 0, -16], [0, 0, 1])).toBe(16);
  });
  it('an ellipsoid: from its surface inward, the whole chord; from inside outward, to the far end', () => {
    expect(rayReach(ell, [0, 0, -8], [0, 0, 1])).toBe(16);
    expect(rayReach(ell, [0, 0, 2], [0, 0, 1])).toBe(6);
    expect(rayReach(ell, [0, 0, -2], [0, 0, -1])).toBe(6);
  });
});

describe('solid lesions in a box specimen', () => {
  it('an ellipsoid lesion across the +x/+y edge: beyond the edge counts for +x; +y is reached up to the plane x = 20', () => {
    // Centre (21, 20, 0), semi-axes (6, 4, 3): it reaches 7 mm beyond +x; beyond +y, where x <= 20, at most
    // 4 sqrt(1 - 1/36) mm (the lesion's section by the plane x = 20).
    const r = run({ specimen: { shape: 'box', center: [0, 0, 0], size: [40, 40, 40] }, lesion: { shape: 'ellipsoid', center: [21, 20, 0], semiAxes: [6, 4, 3] } });
    expect(r.margins['+x']).toBeCloseTo(-7, 12);
    expect(r.margins['+y']).toBeCloseTo(-4 * Math.sqrt(35 / 36), 12);
    expect(r.margins['-x']).toBeCloseTo(35, 12);
  });
  it('a box lesion wholly beyond +z reaches through it by its farthest point; the other faces are distances', () => {
    const r = run({ specimen: { shape: 'box', center: [0, 0, 0], size: [40, 40, 40] }, lesion: { shape: 'box', center: [0, 0, 100], size: [10, 10, 10] } });
    const side = Math.hypot(15, 75);
    expectMargins(r, { '+z': -85, '-z': 115, '+x': side, '-x': side, '+y': side, '-y': side }, 9);
    expect(r.status).toBe('involved');
  });
});

/**
 * The point of the ellipsoid (c, a) farthest from the origin: x_i = c_i a_i^2/(mu - a_i^2) from the centre, with mu >
 * max a_i^2 the root of sum (c_i a_i/(mu - a_i^2))^2 = 1 (Lagrange), by bisection.
 */
function farthestPoint(c: R3, a: R3): R3 {
  const F = (mu: number) => c.reduce((s, ci, i) => s + ((ci * a[i]) / (mu - a[i] * a[i])) ** 2, 0) - 1;
  const lo0 = Math.max(...a.map((x) => x * x));
  let lo = lo0, hi = lo0 + 1;
  while (F(hi) > 0) hi = lo0 + 2 * (hi - lo0);
  for (let k = 0; k < 2000; k++) {
    const m = (lo + hi) / 2;
    if (m === lo || m === hi) break;
    if (F(m) > 0) lo = m; else hi = m;
  }
  const mu = (lo + hi) / 2;
  return c.map((ci, i) => ci + (ci * a[i] * a[i]) / (mu - a[i] * a[i])) as R3;
}

describe('solid lesions through a sphere specimen: how far they reach', () => {
  const R = 20;
  const spec = { shape: 'sphere', center: [0, 0, 0], radius: R };
  it('an elongated ellipsoid through +x: minus the distance beyond the sphere of its farthest point (1e-9 mm)', () => {
    for (const [c, a] of [[[14, 7, 1], [12, 3, 5]], [[5, 14, 6], [10, 2, 2]], [[11.9246, 2.4172, 0.25], [10, 4, 3]]] as [R3, R3][]) {
      const far = farthestPoint(c, a);
      // the farthest point lies beyond +x: its largest coordinate is x
      expect(far[0], `${c}`).toBeGreaterThan(Math.max(Math.abs(far[1]), Math.abs(far[2])));
      const r = run({ specimen: spec, lesion: { shape: 'ellipsoid', center: c, semiAxes: a } });
      expect(Math.abs(r.margins['+x'] + (Math.hypot(...far) - R)), `${c}`).toBeLessThan(1e-9);
      expect(r.closestName).toBe('+x');
    }
  });
  it('a lesion whose farthest point beyond +y lies on the border with +x: the border is reached (1e-4 mm)', () => {
    // Centre (12, 12, 0.5), semi-axes (12, 3, 5): beyond +y (y > |x|, y > |z|) the farthest points approach the plane
    // x = y, where the lesion is the ellipse s = 12 + k cos t, z = 0.5 + 5 sin t, k = 1/sqrt(1/144 + 1/9).
    const k = 1 / Math.sqrt(1 / 144 + 1 / 9);
    const f = (t: number) => Math.hypot(12 + k * Math.cos(t), 12 + k * Math.cos(t), 0.5 + 5 * Math.sin(t)) - R;
    let t0 = 0;
    for (let i = 0; i < 20000; i++) if (f((2 * Math.PI * i) / 20000) > f(t0)) t0 = (2 * Math.PI * i) / 20000;
    let lo = t0 - (2 * Math.PI) / 20000, hi = t0 + (2 * Math.PI) / 20000;
    for (let i = 0; i < 200; i++) {
      const m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618;
      if (f(m1) > f(m2)) hi = m2; else lo = m1;
    }
    const best = f((lo + hi) / 2);
    expect(best).toBeCloseTo(1.0948524, 6);
    // The result comes within about 3e-5 mm of this border value, through the ray along the normal from
    // the patch point deepest in the lesion (the lattice and compass search alone stop 0.28 mm short).
    const r = run({ specimen: spec, lesion: { shape: 'ellipsoid', center: [12, 12, 0.5], semiAxes: [12, 3, 5] } });
    expect(r.margins['+y']).toBeGreaterThanOrEqual(-best - 1e-9);
    expect(r.margins['+y']).toBeLessThan(-best + 1e-4);
  });
});

describe('the guard and the entry points', () => {
  it('a non-finite threshold reaching computeMargins is an internal error naming the result', () => {
    const input = { ...parseMarginsRequest(GOOD), threshold: NaN };
    try {
      computeMargins(engine, input);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).code).toBe('internal_non_finite');
      expect((e as Error).message).toBe('margins: a number in the result came out as NaN; no result is given (this is a defect, please report the request)');
    }
  });
  it('margins() loads an engine and gives the same result as marginsWith', async () => {
    const req = { ...GOOD, lesion: { shape: 'sphere', center: [25, 0, 0], radius: 2 } };
    const r = await margins(req);
    expect(r).toEqual(marginsWith(engine, req));
    expect(r.closestMargin).toBe(3);
    expect(r.status).toBe('clear');
  });
  it('markers in an ellipsoid specimen: each point is the one measured (9, 0, +-3 lie 15 mm from a pole, not 15 mm deep)', () => {
    const r = run({
      specimen: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] }, lesion: { shape: 'sphere', center: [0, 0, 0], radius: 1 },
      markers: [{ name: 'a', point: [9, 0, 3] }, { name: 'b', point: [9, 0, -3] }],
    });
    const want = ellipseDistance(30, 15, 9, 3);
    expect(want).toBeLessThan(14);
    for (const m of r.markers) {
      expect(m.inside).toBe(true);
      expect(Math.abs(m.distance - want), m.name).toBeLessThan(1e-9);
    }
  });
  it('a marker 5e-324 mm off the plane of a 0.01 mm semi-axis: the kernel answer does not hold, the TypeScript path gives the distance', () => {
    // Inside the flat specimen on its x = 0 plane: the nearest surface point lies in the z = 0 plane, so the
    // distance is that of (y, x) = (0.3, 0) to the ellipse of semi-axes 0.5 and 0.01.
    const r = run({
      specimen: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [0.01, 0.5, 1] }, lesion: { shape: 'points', points: [[0, 0, 0]] },
      markers: [{ name: 'clip', point: [5e-324, 0.3, 0] }, { name: 'seed', point: [-5e-324, -0.3, 0] }],
    });
    const want = ellipseDistance(0.5, 0.01, 0.3, 0);
    expect(want).toBeGreaterThan(0.0079);
    expect(want).toBeLessThan(0.008);
    for (const m of r.markers) {
      expect(m.inside, m.name).toBe(true);
      expect(Math.abs(m.distance - want), m.name).toBeLessThan(1e-12);
    }
  });
  it('an ellipsoid specimen leaves no memory reserved in the engine', () => {
    const req = { specimen: { shape: 'ellipsoid', center: [1, 2, 3], semiAxes: [30, 22, 15] }, lesion: { shape: 'points', points: [[1, 2, 3], [5, 5, 5]], radius: 1 }, markers: [{ name: 'clip', point: [0, 0, 0] }] };
    run(req);
    const before = engine.memory.liveBytes;
    for (let i = 0; i < 3; i++) run(req);
    expect(engine.memory.liveBytes).toBe(before);
  });
});
