// The needle checks of each approach (src/needle/checks.ts): both lateral sides with their own
// numbers, the skin clearance sign on -x, the aperture outside the entry skin, and every
// vertical finding's code, severity, path, value, limit and message numbers.
import { describe, expect, it } from 'vitest';
import {
  checkLateral, checkVertical, loadEngine, targetWith, verticalNeedle, verticalNeedleFindings, DEFAULT_LIMITS, type BiopsyDevice, type Finding,
} from '../../src/index.js';
import { refProject } from '../reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const stereo = (extra: Record<string, unknown> = {}, target: [number, number, number] = [4, 30, 20]) => ({
  geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, target) })), ...extra,
});
const DEV = { throw: 0, apertureLength: 20, tipLength: 7 };
const dev: BiopsyDevice = { id: 'd', kind: 'spring-loaded-gun', name: 'd', gauge: 9, throw: 10, apertureLength: 20, tipLength: 7, outerDiameter: 4, typical: false, source: 't' };
const lim = { ...DEFAULT_LIMITS, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 };
const T = { x: 5, y: 0, z: 10 };
const codes = (f: readonly Finding[]) => f.map((x) => x.code);
const only = (f: readonly Finding[], code: string) => {
  const hit = f.filter((x) => x.code === code);
  expect(hit, code).toHaveLength(1);
  return hit[0];
};

describe('lateral approach: each side with its own numbers', () => {
  it('from -x the needle advances toward +x', () => {
    const { block } = checkLateral(T, 30, dev, lim, { side: '-x', nearSkinX: -6, farSkinX: 30 });
    expect(block).toEqual({
      approach: 'lateral', deviceId: 'd', side: '-x', aimX: 5, outerRadius: 2, supportClearance: 8, paddleClearance: 18,
      prefireTipX: 12, postfireTipX: 22, apertureProximalX: -5, apertureDistalX: 15, skinClearance: 1, strokeMargin: 8,
    });
  });
  it('from +x the needle advances toward -x', () => {
    const { block } = checkLateral(T, 30, dev, lim, { side: '+x', nearSkinX: 16, farSkinX: -20 });
    expect(block).toEqual({
      approach: 'lateral', deviceId: 'd', side: '+x', aimX: 5, outerRadius: 2, supportClearance: 8, paddleClearance: 18,
      prefireTipX: -2, postfireTipX: -12, apertureProximalX: 15, apertureDistalX: -5, skinClearance: 1, strokeMargin: 8,
    });
  });
  it('an aimed x moves the aperture and tip, not the clearances', () => {
    const { block } = checkLateral(T, 30, dev, lim, { side: '-x' }, 7);
    expect(block).toMatchObject({ aimX: 7, postfireTipX: 24, apertureProximalX: -3, supportClearance: 8 });
  });
  for (const [side, edge] of [['-x', -5], ['+x', 15]] as const) {
    it(`skin clearance from ${side}: 0 passes, 0.01 mm outside is aperture_outside_breast`, () => {
      const out = (d: number) => (side === '-x' ? edge + d : edge - d);
      expect(codes(checkLateral(T, 30, dev, lim, { side, nearSkinX: edge, farSkinX: side === '-x' ? 40 : -40 }).findings)).not.toContain('aperture_outside_breast');
      const f = only(checkLateral(T, 30, dev, lim, { side, nearSkinX: out(0.01), farSkinX: side === '-x' ? 40 : -40 }).findings, 'aperture_outside_breast');
      expect(f).toMatchObject({ severity: 'error', path: 'needle.skinClearance', limit: 0 });
      expect(f.value).toBeCloseTo(-0.01, 12);
      expect(f.message).toContain('0.0 mm outside the entry skin');
      const deep = only(checkLateral(T, 30, dev, lim, { side, nearSkinX: out(3) }).findings, 'aperture_outside_breast');
      expect(deep.message).toContain('3.0 mm outside');
    });
  }
  it('the far skin: at the minimum passes; under it an error with the right words; under the warning level a warning', () => {
    const at = (far: number, l = lim) => checkLateral(T, 30, dev, l, { side: '-x', nearSkinX: -20, farSkinX: far }).findings;
    expect(codes(at(26))).toEqual([]); // margin 4 = warn level: no warning
    const w = only(at(25.5), 'low_stroke_margin');
    expect(w).toMatchObject({ severity: 'warning', path: 'needle.strokeMargin', value: 3.5, limit: 4 });
    expect(w.message).toBe('stroke margin 3.5 mm is under 4.0 mm: little room between the fired tip and the far skin.');
    expect(codes(at(22))).toEqual(['low_stroke_margin']); // margin 0 = minimum: no error
    const past = only(at(21), 'lateral_tip_past_far_skin');
    expect(past).toMatchObject({ severity: 'error', path: 'needle.strokeMargin', value: -1, limit: 0 });
    expect(past.message).toBe('stroke margin -1.0 mm: the fired tip would pass 1.0 mm beyond the far skin (minimum 0.0 mm).');
    const short = only(at(22.5, { ...lim, minStrokeMargin: 1 }), 'lateral_tip_past_far_skin');
    expect(short.message).toBe('stroke margin 0.5 mm is below the 1.0 mm minimum: the fired tip would stop only 0.5 mm short of the far skin.');
    const zero = only(at(22, { ...lim, minStrokeMargin: 1 }), 'lateral_tip_past_far_skin');
    expect(zero.message).toContain('stop only 0.0 mm short');
  });
  it('support and paddle clearances at, inside and outside the limit, with their findings', () => {
    expect(codes(checkLateral({ ...T, z: 2 }, 30, dev, lim, { side: '-x', nearSkinX: -20, farSkinX: 40 }).findings)).toEqual([]);
    const s = only(checkLateral({ ...T, z: 1.99 }, 30, dev, lim, { side: '-x', nearSkinX: -20, farSkinX: 40 }).findings, 'needle_hits_support');
    expect(s).toMatchObject({ severity: 'error', path: 'needle.supportClearance', limit: 0 });
    expect(s.message).toContain('radius 2.00 mm');
    expect(codes(checkLateral({ ...T, z: 28 }, 30, dev, lim, { side: '-x', nearSkinX: -20, farSkinX: 40 }).findings)).toEqual([]);
    const p = only(checkLateral({ ...T, z: 28.01 }, 30, dev, lim, { side: '-x', nearSkinX: -20, farSkinX: 40 }).findings, 'needle_hits_paddle');
    expect(p).toMatchObject({ severity: 'error', path: 'needle.paddleClearance', limit: 0 });
    expect(p.message).toContain('below the paddle');
  });
  it('skin positions not given: an info finding naming which one', () => {
    const near = only(checkLateral(T, 30, dev, lim, { side: '-x', farSkinX: 40 }).findings, 'lateral_skin_not_given');
    expect(near).toMatchObject({ severity: 'info', path: 'needle.lateral' });
    expect(near.message).toBe('nearSkinX not given: the aperture against the entry skin was not checked.');
    const far = only(checkLateral(T, 30, dev, lim, { side: '-x', nearSkinX: -20 }).findings, 'lateral_skin_not_given');
    expect(far.message).toBe('farSkinX not given: the fired tip against the far skin was not checked.');
  });
});

describe('vertical approach findings', () => {
  it('thin breast: at the limit passes, under it the contraindication with its numbers', () => {
    expect(codes(checkVertical({ ...T, z: 15 }, 20, dev, lim).findings)).not.toContain('thin_breast_vertical');
    const f = only(checkVertical({ ...T, z: 15 }, 19.9, dev, lim).findings, 'thin_breast_vertical');
    expect(f).toEqual({ code: 'thin_breast_vertical', severity: 'error', path: 'thickness', value: 19.9, limit: 20,
      message: 'compressed thickness 19.9 mm is under 20.0 mm: the vertical approach is contraindicated; the lateral approach is the usual answer.' });
  });
  it('the vertical block from section 5, aimed', () => {
    expect(checkVertical(T, 40, dev, lim, 20).block).toEqual({ approach: 'vertical', deviceId: 'd', aimZ: 20, strokeMargin: 3, prefireTipZ: 13, postfireTipZ: 3, apertureDistalZ: 10, apertureProximalZ: 30, skinClearance: 10 });
  });
  it('stroke margin and skin clearance findings, whole', () => {
    const r = verticalNeedle(15, 24, { device: { throw: 10, apertureLength: 20, tipLength: 7 }, minStrokeMargin: 0, warnStrokeMargin: 4 });
    const f = verticalNeedleFindings(r);
    expect(f).toEqual([
      { code: 'negative_stroke_margin', severity: 'error', path: 'needle.strokeMargin', value: -2, limit: 0,
        message: 'stroke margin -2.0 mm is below 0.0 mm: the fired tip would pass 2.0 mm beyond the allowed clearance above the breast support. Use a device with a shorter throw or tip or a smaller aperture, or the lateral approach.' },
      { code: 'aperture_outside_breast', severity: 'error', path: 'needle.skinClearance', value: -1, limit: 0,
        message: "the aperture's proximal edge is 1.0 mm above the skin under the paddle: vacuum leak and skin injury. The target is too shallow for this aperture length." },
    ]);
    const warn = verticalNeedleFindings(verticalNeedle(19, 40, { device: { throw: 0, apertureLength: 20, tipLength: 7 }, minStrokeMargin: 0, warnStrokeMargin: 4 }), 'x');
    expect(warn).toEqual([{ code: 'low_stroke_margin', severity: 'warning', path: 'x.strokeMargin', value: 2, limit: 4,
      message: 'stroke margin 2.0 mm is under 4.0 mm: little room between the fired tip and the breast support.' }]);
    expect(verticalNeedleFindings(verticalNeedle(21, 31, { device: { throw: 0, apertureLength: 20, tipLength: 7 }, minStrokeMargin: 0, warnStrokeMargin: 4 }))).toEqual([]);
  });
});

describe('lateral checks: the aperture outside the entry skin', () => {
  // aperture's proximal edge: x = -5 from -x, x = 15 from +x
  for (const [side, near, far] of [['-x', -2, 40], ['+x', 12, -40]] as const) {
    it(`from ${side}: 3 mm outside, with the distance as a positive number in the message`, () => {
      const f = only(checkLateral(T, 30, dev, DEFAULT_LIMITS, { side, nearSkinX: near, farSkinX: far }).findings, 'aperture_outside_breast');
      expect(f).toMatchObject({ severity: 'error', path: 'needle.skinClearance', value: -3, limit: 0 });
      expect(f.message).toBe("the aperture's proximal edge is 3.0 mm outside the entry skin: vacuum leak and skin injury.");
    });
  }
  it('through the targeting API, from +x, with the request device', () => {
    // target x = 4, aperture 20: proximal edge at x = 14; skin at 12.5 is 1.5 mm inside the aperture
    const r = targetWith(engine, stereo({ needle: { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '+x', nearSkinX: 12.5, farSkinX: -40 } } }));
    const f = r.findings.filter((x) => x.code === 'aperture_outside_breast');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].value).toBeCloseTo(-1.5, 9);
    expect(f[0].message).toContain('is 1.5 mm outside the entry skin');
  });
});
