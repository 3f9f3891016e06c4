// Findings exactly at their limits, just inside and just outside, built by projecting
// a chosen point with the independent reference.
import { describe, expect, it } from 'vitest';
import { loadEngine, targetWith, type Finding, type TargetingResult } from '../../src/index.js';
import type { VerticalNeedleResult } from '../../src/index.js';
import { refProject, type P3 } from '../reference/independent.js';

const engine = await loadEngine();
const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };

function at(point: P3, extra: Record<string, unknown> = {}, angles = [15, -15], thickness = 45): TargetingResult {
  return targetWith(engine, { geometry: g, thickness, views: angles.map((angle) => ({ angle, ...refProject(g, angle, point) })), ...extra });
}
const codes = (r: TargetingResult) => r.findings.map((f) => f.code);
const device = { throw: 0, apertureLength: 20, tipLength: 7 }; // post-fire tip at z - 17

describe('[TGT-011, TGT-001] target_outside_breast', () => {
  it('z on the support or at the skin is inside; beyond either is an error', () => {
    // A point exactly at z = 0 may come back a few 1e-15 mm off: step 1e-9 mm in.
    expect(codes(at([3, 40, 1e-9]))).not.toContain('target_outside_breast');
    expect(codes(at([3, 40, 45 - 1e-9]))).not.toContain('target_outside_breast');
    expect(codes(at([3, 40, -0.001]))).toContain('target_outside_breast');
    expect(codes(at([3, 40, 45.001]))).toContain('target_outside_breast');
    const f = at([3, 40, -0.5]).findings.find((x) => x.code === 'target_outside_breast')!;
    expect(f.severity).toBe('error');
    expect(f.path).toBe('target.z');
  });
});

describe('[TGT-012] rays_disagree', () => {
  // Shifting one mark's v by d opens a gap of about d * (distance ratio); measure it first.
  const base = [15, -15].map((angle) => ({ angle, ...refProject(g, angle, [3, 40, 20]) }));
  const withShift = (d: number, maxRayGap?: number) =>
    targetWith(engine, { geometry: g, thickness: 45, views: [base[0], { ...base[1], v: base[1].v + d }], ...(maxRayGap ? { maxRayGap } : {}) });

  it('a gap equal to maxRayGap passes, just above it fails', () => {
    const gap = withShift(1.5).rayGap!;
    expect(gap).toBeGreaterThan(0.5);
    expect(codes(withShift(1.5, gap))).not.toContain('rays_disagree');
    expect(codes(withShift(1.5, gap * (1 - 1e-9)))).toContain('rays_disagree');
  });

  it('the default limit is 1.0 mm', () => {
    expect(codes(withShift(0.2))).not.toContain('rays_disagree');
    expect(codes(withShift(3))).toContain('rays_disagree');
    expect(withShift(3).findings.find((f) => f.code === 'rays_disagree')!.limit).toBe(1);
  });

  it('[API-041] three views report every pair and warn about an outlier instead', () => {
    const marks = [0, 15, -15].map((angle) => ({ angle, ...refProject(g, angle, [3, 40, 20]) }));
    marks[2] = { ...marks[2], u: marks[2].u + 3 };
    const r = targetWith(engine, { geometry: g, thickness: 45, views: marks });
    expect(r.rayGap).toBeUndefined();
    expect(r.pairwiseRayGaps).toHaveLength(3);
    const f = r.findings.find((x) => x.code === 'ray_outlier')!;
    expect(f.severity).toBe('warning');
    const far = r.rayDistances.indexOf(Math.max(...r.rayDistances));
    expect(f.path).toBe(`rayDistances[${far}]`);
    expect(f.value).toBeGreaterThan(0.5);
    // Consistent marks on three views: no warning.
    const good = [0, 15, -15].map((angle) => ({ angle, ...refProject(g, angle, [3, 40, 20]) }));
    expect(codes(targetWith(engine, { geometry: g, thickness: 45, views: good }))).not.toContain('ray_outlier');
  });
});

describe('stroke margin and skin clearance (vertical needle)', () => {
  const needle = (extra: Record<string, unknown> = {}) => ({ needle: { approach: 'vertical', device, ...extra } });

  it('[TGT-014, TGT-015] strokeMargin exactly at minStrokeMargin passes with a low-margin warning; just below is an error', () => {
    const z = 17; // post-fire tip at 0
    const r0 = at([3, 40, z], needle());
    expect(Math.abs((r0.needle as VerticalNeedleResult).strokeMargin)).toBeLessThan(1e-9);
    // Rounding may leave the margin a hair either side of 0: set the limit to exactly the computed value.
    const exact = at([3, 40, z], needle({ minStrokeMargin: (r0.needle as VerticalNeedleResult).strokeMargin }));
    expect(codes(exact)).not.toContain('negative_stroke_margin');
    expect(codes(exact)).toContain('low_stroke_margin');
    const below = at([3, 40, z - 0.01], needle());
    expect(codes(below)).toContain('negative_stroke_margin');
    expect(codes(below)).not.toContain('low_stroke_margin');
    expect(below.findings.find((f) => f.code === 'negative_stroke_margin')!.severity).toBe('error');
  });

  it('[TGT-015] low_stroke_margin below warnStrokeMargin (default 4), none at or above it', () => {
    expect(codes(at([3, 40, 17 + 3.99], needle()))).toContain('low_stroke_margin');
    expect(codes(at([3, 40, 17 + 4.01], needle()))).not.toContain('low_stroke_margin');
    const r = at([3, 40, 17 + 4], needle());
    expect(codes(at([3, 40, 17 + 4], needle({ warnStrokeMargin: (r.needle as VerticalNeedleResult).strokeMargin })))).not.toContain('low_stroke_margin');
    expect(codes(at([3, 40, 22], needle({ warnStrokeMargin: 6 })))).toContain('low_stroke_margin');
  });

  it('[TGT-014] a custom minStrokeMargin (Fischer: +4 mm) turns a small positive margin into an error', () => {
    expect(codes(at([3, 40, 17 + 2], needle({ minStrokeMargin: 4 })))).toContain('negative_stroke_margin');
  });

  it('[TGT-016] skinClearance 0 passes; negative is aperture_outside_breast', () => {
    const z = 45 - 10; // proximal aperture edge at the skin
    const r = at([3, 40, z], needle());
    expect(Math.abs((r.needle as VerticalNeedleResult).skinClearance)).toBeLessThan(1e-9);
    expect(codes(at([3, 40, z - 0.01], needle()))).not.toContain('aperture_outside_breast');
    expect(codes(at([3, 40, z + 0.01], needle()))).toContain('aperture_outside_breast');
  });

  it('[TGT-018] an unsafe plan is computed and reported, not hidden', () => {
    const r = at([3, 40, 5], needle());
    expect((r.needle as VerticalNeedleResult).strokeMargin).toBeCloseTo(-12, 6);
    expect(r.target.z).toBeCloseTo(5, 9);
  });
});

describe('units, pixels and warnings', () => {
  const marks = [15, -15].map((angle) => ({ angle, ...refProject(g, angle, [3, 40, 20]) }));

  it('[API-001] lengths and angles as unit strings give the same result as mm and degrees', () => {
    const a = targetWith(engine, { geometry: g, thickness: 45, views: marks });
    const b = targetWith(engine, {
      geometry: { sourceToDetector: '66 cm', sourceToSupport: '640 mm', rotationAxisHeight: '-2 cm' },
      thickness: '4.5 cm',
      views: [{ angle: '15 deg', u: `${marks[0].u} mm`, v: marks[0].v }, { angle: `${(-15 * Math.PI) / 180} rad`, u: marks[1].u, v: marks[1].v }],
    });
    expect(b.target.x).toBeCloseTo(a.target.x, 9);
    expect(b.target.y).toBeCloseTo(a.target.y, 9);
    expect(b.target.z).toBeCloseTo(a.target.z, 9);
  });

  it('[TGT-003] pixel marks with a calibration equal the same marks in mm', () => {
    const spacing = 0.07;
    const origin = { col: 1500.5, row: 10 };
    const views = marks.map((m) => ({ angle: m.angle, col: origin.col - m.u / spacing, row: origin.row + m.v / spacing }));
    const r = targetWith(engine, { geometry: g, thickness: 45, detector: { pixelSpacing: spacing, origin, colAxis: '-x' }, views });
    expect(r.target.x).toBeCloseTo(3, 9);
    expect(r.target.y).toBeCloseTo(40, 9);
    expect(r.target.z).toBeCloseTo(20, 9);
    expect(r.marks[0].u).toBeCloseTo(marks[0].u, 9);
  });

  it('[API-042] warns when the views span under 5 degrees', () => {
    const near = [2, -2].map((angle) => ({ angle, ...refProject(g, angle, [3, 40, 20]) }));
    const r = targetWith(engine, { geometry: g, thickness: 45, views: near });
    expect(codes(r)).toContain('small_stereo_angle');
    expect(r.target.z).toBeCloseTo(20, 6);
  });

  it('the parallel-beam estimate over-reads depth with a real source, less so as the source recedes', () => {
    const over = (sid: number) => {
      const gg = { sourceToDetector: sid, sourceToSupport: sid - 20, rotationAxisHeight: -20 };
      const ms = [15, -15].map((angle) => ({ angle, ...refProject(gg, angle, [0, 40, 30]) }));
      const r = targetWith(engine, { geometry: gg, thickness: 60, views: ms });
      return r.classic!.z - r.target.z;
    };
    expect(over(660)).toBeGreaterThan(0);
    expect(over(1500)).toBeLessThan(over(660));
    expect(over(1500)).toBeGreaterThan(0);
  });
});

describe('[TGT-017] lateral approach in a targeting request (spec section 5)', () => {
  const lat = (z: number, lateral: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    at([3, 40, z], { needle: { approach: 'lateral', device: { name: '14G', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, ...extra }, lateral } }, [15, -15], 15);

  it('clearances of the outer radius from support and paddle, aperture at the entry skin, fired tip at the far skin', () => {
    const r = lat(7, { side: '+x', nearSkinX: 60, farSkinX: -60 });
    expect(r.needle).toMatchObject({ approach: 'lateral', side: '+x', outerRadius: 2.11 / 2 });
    const n = r.needle as { supportClearance: number; paddleClearance: number; postfireTipX: number; strokeMargin: number; skinClearance: number };
    expect(n.supportClearance).toBeCloseTo(7 - 1.055, 9);
    expect(n.paddleClearance).toBeCloseTo(15 - 7 - 1.055, 9);
    expect(n.postfireTipX).toBeCloseTo(3 - 13, 9);
    expect(n.strokeMargin).toBeCloseTo(3 - 13 + 60, 9);
    expect(n.skinClearance).toBeCloseTo(60 - 12, 9);
    expect(codes(r)).toEqual([]);
  });

  it('errors for a needle that would touch the support, or a fired tip past the far skin', () => {
    expect(codes(lat(1, { side: '+x' }))).toContain('needle_hits_support');
    expect(codes(lat(14.5, { side: '-x' }))).toContain('needle_hits_paddle');
    expect(codes(lat(7, { side: '+x', farSkinX: -9 }))).toContain('lateral_tip_past_far_skin');
  });

  it('needs a side, and an outer diameter when the gauge has no table value', () => {
    expect(() => lat(7, undefined as unknown as Record<string, unknown>)).toThrow(/lateral/);
    expect(() => lat(7, { side: '+x' }, { gauge: 13 })).toThrow(/outerDiameter/);
    expect(codes(lat(7, { side: '+x' }, { gauge: 13, outerDiameter: 2.4 }))).not.toContain('needle_hits_support');
  });
});

describe('near-parallel rays are computed, not called singular', () => {
  const codes = (f: readonly Finding[]) => f.map((x) => x.code);
  // Two views 0.05 degrees apart: the rays meet at about 0.05 degrees, det(A) = 2 sin^2 ~ 1.5e-6,
  // far above the kernels' singular threshold (1e-12); a threshold of 1e-4 would refuse them.
  for (const sep of [0.5, 0.05, 0.01]) {
    it(`views ${sep} degrees apart locate the point`, () => {
      const p: [number, number, number] = [4, 30, 20];
      const r = targetWith(engine, { geometry: g, thickness: 45, views: [0, sep].map((angle) => ({ angle, ...refProject(g, angle, p) })) });
      expect(r.target.x).toBeCloseTo(4, 6);
      expect(r.target.z).toBeCloseTo(20, 3);
      expect(codes(r.findings)).toContain('small_stereo_angle');
    });
  }
  it('the smallest separations still compute to finite numbers', () => {
    const p: [number, number, number] = [4, 30, 20];
    const r = targetWith(engine, { geometry: g, thickness: 45, views: [0, 0.001].map((angle) => ({ angle, ...refProject(g, angle, p) })) });
    expect(Number.isFinite(r.target.z)).toBe(true);
  });
});
