// Properties against the independent mathjs reference (test/reference/independent.ts):
// project a random point with random geometry and angles, triangulate it back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEngine, targetWith, type TargetingResult } from '../../src/index.js';
import type { VerticalNeedleResult } from '../../src/index.js';
import {
  refClassic, refJacobian, refProject, refRayDistance, refRayGap, refTriangulate, refUncertainty, refVerticalNeedle,
  type P3, type RefGeometry, type RefMark,
} from '../reference/independent.js';

const simd = await loadEngine({ kernel: 'simd' });
const scalar = await loadEngine({ kernel: 'scalar' });

// Integers scaled down: fc.double spreads over bit patterns, not over millimetres.
const mm = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);

const geometryArb: fc.Arbitrary<RefGeometry> = fc
  .record({ sid: mm(600, 750), gap: mm(10, 40), axis: mm(-40, 40) })
  .map(({ sid, gap, axis }) => ({ sourceToDetector: sid, sourceToSupport: sid - gap, rotationAxisHeight: Math.max(axis, -gap) }));

// 2 to 4 distinct angles at least 4 degrees apart, within +/-30.5.
const anglesArb = fc
  .uniqueArray(fc.integer({ min: -6, max: 6 }), { minLength: 2, maxLength: 4 })
  .chain((steps) => fc.tuple(...steps.map((s) => fc.integer({ min: 0, max: 999 }).map((j) => s * 5 + j / 2000))));

const caseArb = fc
  .record({ g: geometryArb, angles: anglesArb, thickness: mm(20, 90), x: mm(-60, 60), y: mm(0, 80), zf: fc.integer({ min: 1, max: 999 }) })
  .map(({ g, angles, thickness, x, y, zf }) => ({ g, angles, thickness, point: [x, y, (zf / 1000) * thickness] as P3 }));

type Case = { g: RefGeometry; angles: number[]; thickness: number; point: P3 };

function marksOf(c: Case): RefMark[] {
  return c.angles.map((angle) => ({ angle, ...refProject(c.g, angle, c.point) }));
}

function request(c: Case, marks: RefMark[], extra: Record<string, unknown> = {}) {
  return { geometry: c.g, thickness: c.thickness, views: marks, ...extra };
}

const RUNS = { numRuns: 300 };

describe('[TGT-001, TGT-002, TGT-005] exact marks triangulate back to the point', () => {
  it('[TGT-006] target within 1e-9 mm, rays through it, for 2-4 views and any geometry', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = targetWith(simd, request(c, marksOf(c)));
        const err = Math.hypot(r.target.x - c.point[0], r.target.y - c.point[1], r.target.z - c.point[2]);
        expect(err).toBeLessThan(1e-9);
        for (const d of r.rayDistances) expect(d).toBeLessThan(1e-9);
        if (c.angles.length === 2) expect(r.rayGap).toBeLessThan(1e-9);
        else for (const p of r.pairwiseRayGaps!) expect(p.gap).toBeLessThan(1e-9);
        expect(r.depthFromSkin).toBeCloseTo(c.thickness - c.point[2], 9);
      }),
      RUNS,
    );
  });

  it('the order of the views changes nothing', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 100 }), (c, rot) => {
        const marks = marksOf(c);
        const k = rot % marks.length;
        const turned = [...marks.slice(k), ...marks.slice(0, k)].reverse();
        const a = targetWith(simd, request(c, marks)).target;
        const b = targetWith(simd, request(c, turned)).target;
        expect(Math.abs(a.x - b.x) + Math.abs(a.y - b.y) + Math.abs(a.z - b.z)).toBeLessThan(1e-9);
      }),
      RUNS,
    );
  });

  // Exactly true when every source is at the same height (a symmetric set such as
  // +a/-a): a ray's y grows with its own magnification, which is then the same for
  // all views. For sources at different heights (0/+15) x and z move by ~1e-6 mm per
  // mm of shift, and the reference says by how much.
  it('shifting every mark along y moves the target along y only (symmetric pairs), as the reference says (any set)', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 5, max: 30 }), mm(-20, 20), (c, a, dy) => {
        const sym = { ...c, angles: [a, -a] };
        const marks = marksOf(sym);
        const shifted = marks.map((m) => ({ ...m, v: m.v + dy }));
        const before = targetWith(simd, request(sym, marks)).target;
        const after = targetWith(simd, request(sym, shifted)).target;
        expect(Math.abs(after.x - before.x)).toBeLessThan(1e-9);
        expect(Math.abs(after.z - before.z)).toBeLessThan(1e-9);
        if (dy !== 0) expect(Math.sign(after.y - before.y)).toBe(Math.sign(dy));

        const any = marksOf(c).map((m) => ({ ...m, v: m.v + dy }));
        const r = targetWith(simd, request(c, any)).target;
        const ref = refTriangulate(c.g, any);
        expect(Math.abs(r.x - ref[0]) + Math.abs(r.y - ref[1]) + Math.abs(r.z - ref[2])).toBeLessThan(1e-8);
      }),
      RUNS,
    );
  });
});

describe('noisy marks agree with the reference', () => {
  const noisyArb = fc.tuple(caseArb, fc.array(fc.tuple(mm(-2, 2), mm(-2, 2)), { minLength: 4, maxLength: 4 }));

  it('[TGT-007] target, ray distances and ray gap within 1e-6 mm', () => {
    fc.assert(
      fc.property(noisyArb, ([c, noise]) => {
        const marks = marksOf(c).map((m, k) => ({ ...m, u: m.u + noise[k][0], v: m.v + noise[k][1] }));
        const r = targetWith(simd, request(c, marks));
        const ref = refTriangulate(c.g, marks);
        expect(Math.abs(r.target.x - ref[0])).toBeLessThan(1e-6);
        expect(Math.abs(r.target.y - ref[1])).toBeLessThan(1e-6);
        expect(Math.abs(r.target.z - ref[2])).toBeLessThan(1e-6);
        marks.forEach((m, k) => expect(Math.abs(r.rayDistances[k] - refRayDistance(c.g, m, ref))).toBeLessThan(1e-6));
        if (marks.length === 2) expect(Math.abs(r.rayGap! - refRayGap(c.g, marks[0], marks[1]))).toBeLessThan(1e-6);
        else for (const p of r.pairwiseRayGaps!) expect(Math.abs(p.gap - refRayGap(c.g, marks[p.views[0]], marks[p.views[1]]))).toBeLessThan(1e-6);
      }),
      RUNS,
    );
  });

  it('[API-013] the SIMD build, the scalar build and the reference agree (builds bit for bit)', () => {
    fc.assert(
      fc.property(noisyArb, ([c, noise]) => {
        const marks = marksOf(c).map((m, k) => ({ ...m, u: m.u + noise[k][0], v: m.v + noise[k][1] }));
        const req = request(c, marks, { imageSigma: 0.1 });
        const a = targetWith(simd, req);
        const b = targetWith(scalar, req);
        expect(a.target).toEqual(b.target);
        expect(a.rayDistances).toEqual(b.rayDistances);
        expect(a.rayGap).toEqual(b.rayGap);
        expect(a.uncertainty!.covariance).toEqual(b.uncertainty!.covariance);
        const ref = refTriangulate(c.g, marks);
        expect(Math.abs(b.target.z - ref[2])).toBeLessThan(1e-6);
      }),
      { numRuns: 150 },
    );
  });
});

describe('uncertainty', () => {
  it('[TGT-009] the Jacobian matches finite differences; sigma and the 95 % ellipsoid match the mathjs reference', () => {
    fc.assert(
      fc.property(caseArb, mm(0.01, 0.5), (c, sigma) => {
        const marks = marksOf(c);
        const r: TargetingResult = targetWith(simd, request(c, marks, { imageSigma: sigma }));
        const Jref = refJacobian(c.g, marks);
        const J = r.uncertainty!.jacobian;
        expect(J.length).toBe(3);
        for (let row = 0; row < 3; row++) {
          expect(J[row].length).toBe(2 * marks.length);
          for (let m = 0; m < J[row].length; m++) expect(Math.abs(J[row][m] - Jref[row][m])).toBeLessThan(1e-5);
        }
        const ref = refUncertainty(Jref, sigma);
        for (const k of ['x', 'y', 'z'] as const) {
          expect(Math.abs(r.uncertainty!.sigma[k] - ref.sigma[k])).toBeLessThan(1e-5 * Math.max(1, ref.sigma[k]));
        }
        r.uncertainty!.ellipsoid95.semiAxes.forEach((a, i) => expect(Math.abs(a - ref.semiAxes[i])).toBeLessThan(1e-5));
        // The principal axes are orthonormal and diagonalise the covariance.
        const ax = r.uncertainty!.ellipsoid95.axes;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
          const d = ax[i][0] * ax[j][0] + ax[i][1] * ax[j][1] + ax[i][2] * ax[j][2];
          expect(Math.abs(d - (i === j ? 1 : 0))).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('z is the most uncertain coordinate for a +/-15 pair (depth from parallax)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const cc = { ...c, angles: [15, -15] };
        const r = targetWith(simd, request(cc, marksOf(cc), { imageSigma: 0.1 }));
        expect(r.uncertainty!.sigma.z).toBeGreaterThan(r.uncertainty!.sigma.x);
        expect(r.uncertainty!.sigma.z).toBeGreaterThan(r.uncertainty!.sigma.y);
      }),
      { numRuns: 100 },
    );
  });
});

describe('classic estimate and needle block', () => {
  it('[TGT-008] the parallel-beam estimate matches the formula for symmetric pairs, and is absent otherwise', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 5, max: 30 }), (c, a) => {
        const cc = { ...c, angles: [a, -a] };
        const marks = marksOf(cc);
        const r = targetWith(simd, request(cc, marks));
        const ref = refClassic(cc.g, marks[0], marks[1]);
        expect(Math.abs(r.classic!.x - ref[0])).toBeLessThan(1e-9);
        expect(Math.abs(r.classic!.y - ref[1])).toBeLessThan(1e-9);
        expect(Math.abs(r.classic!.z - ref[2])).toBeLessThan(1e-9);
        const asym = { ...c, angles: [0, a] };
        expect(targetWith(simd, request(asym, marksOf(asym))).classic).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('[TGT-013] the vertical needle block matches spec section 5', () => {
    const deviceArb = fc.record({ throw: mm(0, 30), apertureLength: mm(5, 30), tipLength: mm(0, 10) });
    fc.assert(
      fc.property(caseArb, deviceArb, (c, device) => {
        const r = targetWith(simd, request(c, marksOf(c), { needle: { approach: 'vertical', device } }));
        const ref = refVerticalNeedle(r.target.z, c.thickness, device);
        for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(Math.abs((r.needle as unknown as Record<string, number>)[k] - ref[k])).toBeLessThan(1e-9);
        const codes = r.findings.map((f) => f.code);
        expect(codes.includes('negative_stroke_margin')).toBe(ref.strokeMargin < 0);
        expect(codes.includes('aperture_outside_breast')).toBe(ref.skinClearance < 0);
      }),
      RUNS,
    );
  });
});
