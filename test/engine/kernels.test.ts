// Kernels of issue 10: the range API, the unrolled three- and four-view paths, the
// singular limit, and the margins distance kernel (finite near symmetry planes,
// semi-axes 0.001..1000 mm), each build against the other bit for bit and against
// independent references (test/reference, no code shared with src/ or assembly/).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EllipsoidDistanceBatch, TriangulationBatch, loadEngine, type Engine } from '../../src/index.js';
import { refProject, refRayDistance, refSource, refDetectorZ, refTriangulate, type P3 } from '../reference/independent.js';
import { refEllipsoidDistanceDense, refEllipsoidDistanceRoot, refInsideEllipsoid, type R3 } from '../reference/margins-reference.js';
import { mulberry32 } from '../helpers/random.js';

const g = { sourceToDetector: 700, sourceToSupport: 675, rotationAxisHeight: -25 };
const simd = await loadEngine({ kernel: 'simd' });
const scalar = await loadEngine({ kernel: 'scalar' });

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.slice().buffer), String);

const ANGLE_SETS = [[15, -15], [0, 20], [0, 15, -15], [-20, -5, 10, 25], [-24, -12, 0, 12, 24]];

function filled(engine: Engine, angles: number[], n: number, seed: number) {
  const b = new TriangulationBatch(engine, { capacity: n, geometry: g, angles });
  const rand = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    const p: P3 = [rand() * 80 - 40, rand() * 70, 2 + rand() * 50];
    angles.forEach((a, k) => {
      const m = refProject(g, a, p);
      b.u(k)[i] = m.u + (rand() - 0.5) * 0.4;
      b.v(k)[i] = m.v + (rand() - 0.5) * 0.4;
    });
  }
  return b;
}

const outputs = (b: TriangulationBatch) => [b.x, b.y, b.z, b.rayGap, ...Array.from({ length: b.views }, (_, k) => b.rayDistance(k))];

describe('[API-017, API-013] triangulate(from, to)', () => {
  for (const angles of ANGLE_SETS) {
    it(`${angles.length} views: chunks of any size and start give the bits of one call, in both builds`, () => {
      const n = 203;
      const whole = filled(simd, angles, n, 11);
      expect(whole.triangulate()).toBe(0);
      const ref = outputs(whole).map(bits);
      for (const engine of [simd, scalar]) {
        for (const chunk of [1, 2, 3, 7, 64, 203]) {
          const b = filled(engine, angles, n, 11);
          let singular = 0;
          for (let a = 0; a < n; a += chunk) singular += b.triangulate(a, Math.min(n, a + chunk));
          expect(singular).toBe(0);
          expect(outputs(b).map(bits)).toEqual(ref);
          b.dispose();
        }
      }
      // A range leaves the cases outside it untouched.
      const part = filled(scalar, angles, n, 11);
      part.x.fill(-1);
      part.triangulate(50, 61);
      expect(part.x[49]).toBe(-1);
      expect(part.x[61]).toBe(-1);
      expect(part.x[50]).toBe(whole.x[50]);
      expect(part.x[60]).toBe(whole.x[60]);
      part.dispose();
      whole.dispose();
    });
  }

  it('property: SIMD and scalar agree bit for bit on any marks, ranges and view counts', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e9 }), fc.nat(), fc.nat(),
      (set, n, seed, fa, fb) => {
        const angles = ANGLE_SETS[set];
        const from = fa % (n + 1), to = from + (fb % (n - from + 1));
        const a = filled(simd, angles, n, seed), b = filled(scalar, angles, n, seed);
        const rand = mulberry32(seed + 1);
        // Some wild marks too: far off, on the axis, repeated.
        for (let i = 0; i < n; i += 5) for (let k = 0; k < angles.length; k++) {
          const u = (rand() - 0.5) * 1e4, v = i % 10 === 0 ? 0 : (rand() - 0.5) * 1e3;
          a.u(k)[i] = b.u(k)[i] = u;
          a.v(k)[i] = b.v(k)[i] = v;
        }
        expect(a.triangulate(from, to)).toBe(b.triangulate(from, to));
        expect(outputs(a).map(bits)).toEqual(outputs(b).map(bits));
        a.dispose(); b.dispose();
      }), { seed: 424242, numRuns: 120 });
  });
});

describe('singular and nearly singular views', () => {
  /** Marks whose rays all run along one direction d: A = V (I - d d^T) is singular. */
  function parallel(b: TriangulationBatch, i: number, d: P3) {
    b.angles.forEach((a, k) => {
      const s = refSource(g, a);
      const t = (refDetectorZ(g) - s[2]) / d[2];
      b.u(k)[i] = s[0] + t * d[0];
      b.v(k)[i] = t * d[1];
    });
  }

  for (const angles of ANGLE_SETS) {
    it(`${angles.length} views: parallel rays give NaN and are counted; nearly parallel rays are solved (both builds)`, () => {
      for (const engine of [simd, scalar]) {
        const n = 5;
        const b = new TriangulationBatch(engine, { capacity: n, geometry: g, angles });
        // Cases 0 and 3: parallel rays. Cases 1 and 4: marks of far points, whose rays meet at
        // 0.001-0.006 rad (det(A) ~ 1e-6..1e-4: solvable, and singular if the limit were raised
        // from 1e-12 to 1e-4; checked by hand-mutating SINGULAR_DET). Case 2: an ordinary lesion.
        parallel(b, 0, [0.3, 0.2, -1]);
        parallel(b, 3, [-0.1, 0, -1]);
        const far: P3 = [0, 30, 60000]; // seen from sources ~350 mm apart: rays ~0.3 degrees apart at most
        for (const i of [1, 2, 4]) {
          const p: P3 = i === 1 ? far : i === 2 ? [20, 10, 30] : [0, 0, 250_000];
          angles.forEach((a, k) => {
            const m = refProject(g, a, p);
            b.u(k)[i] = m.u;
            b.v(k)[i] = m.v;
          });
        }
        expect(b.triangulate()).toBe(2);
        for (const i of [0, 3]) expect([b.x[i], b.y[i], b.z[i]].every(Number.isNaN)).toBe(true);
        for (const i of [1, 2, 4]) {
          const marks = angles.map((angle, k) => ({ angle, u: b.u(k)[i], v: b.v(k)[i] }));
          const ref = refTriangulate(g, marks);
          const scale = Math.max(1, Math.abs(ref[2]));
          expect(Math.abs(b.z[i] - ref[2]) / scale).toBeLessThan(1e-6);
          expect(Math.abs(b.x[i] - ref[0])).toBeLessThan(1e-6 * scale);
          for (let k = 0; k < angles.length; k++) {
            expect(Math.abs(b.rayDistance(k)[i] - refRayDistance(g, marks[k], ref))).toBeLessThan(1e-6 * scale);
          }
        }
        b.dispose();
      }
    });
  }
});

describe('ellipsoid distance kernel', () => {
  /** Runs both builds on the points; checks bits agree and returns the SIMD batch's outputs. */
  function both(axes: R3, center: R3, points: R3[]) {
    const out = [simd, scalar].map((engine) => {
      const b = new EllipsoidDistanceBatch(engine, { capacity: points.length, center, semiAxes: axes });
      points.forEach((p, i) => { b.x[i] = p[0]; b.y[i] = p[1]; b.z[i] = p[2]; });
      b.run();
      const r = { signed: b.signed.slice(), near: [b.nearestX.slice(), b.nearestY.slice(), b.nearestZ.slice()] };
      b.dispose();
      return r;
    });
    expect(bits(out[0].signed)).toEqual(bits(out[1].signed));
    for (let a = 0; a < 3; a++) expect(bits(out[0].near[a])).toEqual(bits(out[1].near[a]));
    return out[0];
  }

  const onSurface = (axes: R3, center: R3, q: number[]) =>
    Math.abs(axes.reduce((s, a, i) => s + ((q[i] - center[i]) / a) ** 2, 0) - 1);

  it('points 1e-300..1e-16 off a symmetry plane: finite, and the distance of the point on the plane (dense reference)', () => {
    const axes: R3 = [30, 22, 15], c: R3 = [0, 0, 0];
    const tiny = [1e-300, 1e-200, 1e-100, 1e-30, 1e-17, 1e-16, -1e-17, 5e-324];
    const bases: R3[] = [[5, -1, 0], [0, 7, 3], [4, 0, -9], [25, 10, 0], [0, 0, 0], [40, 0, 0]];
    const points: R3[] = [];
    for (const p of bases) for (let axis = 0; axis < 3; axis++) for (const t of tiny) {
      if (p[axis] !== 0) continue;
      const q = [...p] as R3;
      q[axis] = t;
      points.push(q);
    }
    const r = both(axes, c, points);
    expect(points.length).toBeGreaterThan(60);
    const refs = new Map<string, number>();
    points.forEach((p, i) => {
      expect(Number.isFinite(r.signed[i])).toBe(true);
      expect(onSurface(axes, c, [r.near[0][i], r.near[1][i], r.near[2][i]])).toBeLessThan(1e-12);
      // Distance is 1-Lipschitz: within 1e-16 of the point on the plane, whose distance the dense search gives.
      const flat = p.map((x) => (Math.abs(x) <= 1e-16 ? 0 : x)) as R3;
      const key = flat.join();
      if (!refs.has(key)) refs.set(key, refEllipsoidDistanceDense(c, axes, flat) * (refInsideEllipsoid(c, axes, flat) ? -1 : 1));
      expect(Math.abs(r.signed[i] - refs.get(key)!)).toBeLessThan(1e-9);
    });
  }, 60_000);

  it('the reported case: a clip at [5, -1, 1e-17] in [30, 22, 15] is inside, 14.9... mm deep, not NaN', () => {
    const r = both([30, 22, 15], [0, 0, 0], [[5, -1, 1e-17], [5, -1, -1e-17], [5, -1, 0]]);
    expect(r.signed[0]).toBeLessThan(0);
    expect(Math.abs(r.signed[0] - r.signed[2])).toBeLessThan(1e-12);
    expect(r.signed[1]).toBe(r.signed[0]);
    expect(Math.abs(r.signed[2] - -refEllipsoidDistanceDense([0, 0, 0], [30, 22, 15], [5, -1, 0]))).toBeLessThan(1e-9);
  }, 20_000);

  it('property: semi-axes anywhere in [0.001, 1000] mm, points anywhere near, on axes, planes or the centre: finite, on the surface, and as the Lagrange reference', () => {
    const axis = fc.integer({ min: 1, max: 1_000_000 }).map((i) => i / 1000);
    const coord = fc.oneof(
      fc.integer({ min: -3000, max: 3000 }).map((i) => i / 1000),
      fc.constantFrom(0, 1e-300, -1e-17, 1e-16, 1e-8),
    );
    fc.assert(fc.property(fc.tuple(axis, axis, axis), fc.array(fc.tuple(coord, coord, coord), { minLength: 1, maxLength: 9 }),
      fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 })),
      (axes, fracs, ci) => {
        const c = ci.map((v) => v / 10) as R3;
        const points = fracs.map((f) => f.map((x, k) => c[k] + x * axes[k]) as R3);
        const r = both(axes, c, points);
        points.forEach((p, i) => {
          const s = r.signed[i];
          expect(Number.isFinite(s)).toBe(true);
          const q = [r.near[0][i], r.near[1][i], r.near[2][i]];
          expect(onSurface(axes, c, q)).toBeLessThan(1e-9);
          // The distance is |p - q| for the reported nearest point ...
          const pq = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
          expect(Math.abs(Math.abs(s) - pq)).toBeLessThanOrEqual(1e-9 * Math.max(1, pq));
          // ... never more than the distance to the six axis ends ...
          for (let k = 0; k < 3; k++) for (const sign of [-1, 1]) {
            const e = [...c]; e[k] += sign * axes[k];
            expect(pq).toBeLessThanOrEqual(Math.hypot(p[0] - e[0], p[1] - e[1], p[2] - e[2]) + 1e-9 * axes[k]);
          }
          // ... and for points off every plane, the Lagrange root reference (shares no code).
          const off = p.every((x, k) => Math.abs(x - c[k]) > 1e-3 * axes[k]);
          const ratio = Math.max(...axes) / Math.min(...axes);
          if (off && ratio < 100) {
            const ref = refEllipsoidDistanceRoot(c, axes, p);
            expect(Math.abs(Math.abs(s) - ref)).toBeLessThanOrEqual(1e-7 * Math.max(1, ref));
          }
          if (s !== 0) expect(s < 0).toBe(refInsideEllipsoid(c, axes, p));
        });
      }), { seed: 1123, numRuns: 300 });
  });
});
