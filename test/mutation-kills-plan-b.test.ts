// Needle plans, mitigations and the post-placement check (src/plan/plan.ts,
// mitigations.ts, post-placement.ts): request checks with their exact issue codes and
// paths, limits at their inclusive bounds, the lateral entry side, every mitigation's
// kind, shift, side and words, and where a placed device landed. Every expected number
// is worked out by hand from the spec's formulas (comments give the arithmetic).
import { describe, expect, it } from 'vitest';
import { StereotaxError, type Issue } from '../src/core/errors.js';
import { loadEngine } from '../src/engine/engine.js';
import { shippedCatalog } from '../src/devices/catalog.js';
import { parsePlanRequest, plan, planWith, type PlanResult } from '../src/plan/plan.js';
import type { Mitigation } from '../src/plan/mitigations.js';
import { refProject } from './reference/independent.js';

const engine = await loadEngine();

/** The issues of a refused request (fails the test if it is not refused with a StereotaxError). */
const refusal = (req: unknown): readonly Issue[] => {
  try { planWith(engine, req); } catch (e) { expect(e).toBeInstanceOf(StereotaxError); return (e as StereotaxError).issues; }
  throw new Error('expected a StereotaxError');
};
const brief = (issues: readonly Issue[]) => issues.map((i) => [i.code, i.path]);
const codes = (r: PlanResult) => r.findings.map((f) => f.code);
const kinds = (m: Mitigation[] | undefined) => (m ?? []).map((x) => x.kind);

// gun-14g-22: aperture 18 (half 9), tip 4, throw 22, 14G outer diameter 2.11.
// vacuum-9g-20: aperture 20 (half 10), tip 7; vacuum-9g-petite-12: aperture 12 (half 6), tip 5; 9G OD 3.76.
const GUN = '14G spring-loaded gun, 22 mm throw (typical example)';
const vertical = (z: number, needle: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  planWith(engine, { thickness: 40, target: [5, 30, z], ...top, needle: { device: 'gun-14g-22', ...needle } });

const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const marks = (p: [number, number, number], angles = [15, -15]) => angles.map((angle) => ({ angle, ...refProject(G, angle, p) }));

describe('plan request: the top level', () => {
  it('a request that is not an object is refused as such, not crashed on', () => {
    expect(brief(refusal(42))).toEqual([['invalid_type', '']]);
    expect(brief(refusal(null))).toEqual([['invalid_type', '']]);
  });

  it('an unknown field does not stop the other fields from being checked', () => {
    // The unknown field and the out-of-range thickness are both reported, in one refusal.
    expect(brief(refusal({ foo: 1, thickness: 0, target: [0, 0, 10], needle: { device: 'gun-14g-22' } })))
      .toEqual([['unknown_field', 'foo'], ['out_of_range', 'thickness']]);
  });

  it('id: a string is echoed; anything else is invalid_type at id', () => {
    expect(vertical(20, {}, { id: 'case-7' }).id).toBe('case-7');
    expect(brief(refusal({ id: 5, thickness: 40, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['invalid_type', 'id']]);
  });

  it('thickness: 300 mm is the inclusive maximum, 0 is refused', () => {
    expect(() => vertical(20, {}, { thickness: 300 })).not.toThrow();
    expect(brief(refusal({ thickness: 300.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'thickness']]);
    expect(brief(refusal({ thickness: 0, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'thickness']]);
  });

  it('lesionRadius: 0 and 100 are accepted, just outside is out_of_range at lesionRadius', () => {
    expect(() => vertical(20, {}, { lesionRadius: 0 })).not.toThrow();
    expect(() => vertical(20, {}, { lesionRadius: 100 })).not.toThrow();
    expect(brief(refusal({ thickness: 40, lesionRadius: 100.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'lesionRadius']]);
    expect(brief(refusal({ thickness: 40, lesionRadius: -0.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'lesionRadius']]);
  });

  it('no section at all: missing_field at needle, saying which sections there are', () => {
    const issues = refusal({ thickness: 40 });
    expect(issues).toEqual([{
      code: 'missing_field', path: 'needle', expected: 'at least one of needle, localization, postPlacement', received: 'nothing',
      message: 'needle: the plan needs at least one of needle, localization or postPlacement',
    }]);
  });

  it('a needle without a target or without a thickness names what is missing', () => {
    expect(refusal({ thickness: 40, needle: { device: 'gun-14g-22' } })).toEqual([expect.objectContaining({
      code: 'missing_field', path: 'target', expected: 'the target: target { x, y, z }, or geometry and views to triangulate' })]);
    expect(refusal({ target: [5, 30, 20], needle: { device: 'gun-14g-22' } })).toEqual([expect.objectContaining({
      code: 'missing_field', path: 'thickness', expected: 'the compressed thickness (mm)' })]);
  });

  it('a target that is given but out of range is reported there, not also as missing', () => {
    expect(brief(refusal({ thickness: 40, target: [0, 0, 2000], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target[2]']]);
  });

  it('the target: each coordinate within ±1000 mm, each bad one at its own path', () => {
    expect(brief(refusal({ thickness: 40, target: [0, -1000.001, 0], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target[1]']]);
    expect(brief(refusal({ thickness: 40, target: { x: 1000.001, y: -1000.001 }, needle: { device: 'gun-14g-22' } })))
      .toEqual([['missing_field', 'target.z'], ['out_of_range', 'target.x'], ['out_of_range', 'target.y']]);
    expect(brief(refusal({ thickness: 40, target: { x: 0, y: 0, z: 1000.001 }, needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target.z']]);
    // ±1000 exactly is accepted (inclusive) and used as given.
    expect(vertical(20, {}, { target: { x: -1000, y: 1000, z: 20 } }).target).toEqual({ x: -1000, y: 1000, z: 20 });
  });

  it('a target and marks together are refused: either one or the other', () => {
    const issues = refusal({ thickness: 45, target: [5, 30, 20], geometry: G, views: marks([5, 30, 20]), needle: { device: 'gun-14g-22' } });
    expect(issues).toEqual([{
      code: 'invalid_value', path: 'target', expected: 'either target or geometry and views, not both', received: '"both"',
      message: 'target: expected either target or geometry and views, not both, received "both"',
    }]);
  });

  it('views alone or geometry alone are a triangulation request missing its other half', () => {
    const viewsOnly = refusal({ thickness: 45, views: marks([5, 30, 20]), needle: { device: 'gun-14g-22' } });
    expect(brief(viewsOnly)).toEqual([['missing_field', 'geometry']]);
    const geometryOnly = refusal({ thickness: 45, geometry: G, needle: { device: 'gun-14g-22' } });
    expect(brief(geometryOnly)).toEqual([['missing_field', 'views']]);
  });

  it('the parsed request holds only the sections that were given', () => {
    const views = [{ projection: 'z', target: [1, 2], device: [3, 4] }, { projection: 'x', target: [2, 5], device: [4, 9] }];
    expect(parsePlanRequest({ postPlacement: { orthogonal: { views } } })).toStrictEqual({
      catalog: shippedCatalog(),
      postPlacement: { method: 'orthogonal', criterion: 10, views: [
        { projection: 'z', target: [1, 2], device: [3, 4] }, { projection: 'x', target: [2, 5], device: [4, 9] }] },
    });
  });

  it('a needle-only request parses to the catalog device, the default limits and mitigations on', () => {
    const gun = shippedCatalog().biopsyDevices.find((d) => d.id === 'gun-14g-22');
    expect(parsePlanRequest({ thickness: 40, target: [5, 30, 20], needle: { device: 'gun-14g-22' } })).toStrictEqual({
      catalog: shippedCatalog(), thickness: 40, target: { x: 5, y: 30, z: 20 },
      // Defaults: error below 0 mm, warning below 4 mm, 0 mm lateral clearance, vertical from 20 mm.
      needle: { approach: 'vertical', device: gun, limits: { minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0, minVerticalThickness: 20 }, mitigations: true },
    });
  });

  it('a plan without a target reports none; a target without a needle is echoed, with no needle checks', () => {
    const views = [{ projection: 'z', target: [1, 2], device: [3, 4] }, { projection: 'x', target: [2, 5], device: [4, 9] }];
    const placementOnly = planWith(engine, { postPlacement: { orthogonal: { views } } });
    expect(Object.keys(placementOnly).sort()).toEqual(['findings', 'postPlacement']);
    const withTarget = planWith(engine, { thickness: 40, target: [5, 30, 20], postPlacement: { orthogonal: { views } } });
    expect(withTarget.target).toEqual({ x: 5, y: 30, z: 20 });
    expect(withTarget.needle).toBeUndefined();
    expect(withTarget.mitigations).toBeUndefined();
  });

  it('plan() validates and computes, like planWith', async () => {
    const r = await plan({ thickness: 40, target: [5, 30, 20], needle: { device: 'gun-14g-22' } });
    // z 20: stroke margin 20 - 9 - 4 = 7, skin clearance 40 - 29 = 11.
    expect(r.needle).toMatchObject({ approach: 'vertical', strokeMargin: 7, skinClearance: 11 });
    expect(r.findings).toEqual([]);
  });
});

describe('plan request: a target triangulated from marks', () => {
  const p: [number, number, number] = [5, 30, 20];

  it('geometry and views triangulate the target used by the needle checks', () => {
    const r = planWith(engine, { thickness: 45, geometry: G, views: marks(p), needle: { device: 'gun-14g-22' } });
    expect(r.target!.x).toBeCloseTo(5, 6);
    expect(r.target!.z).toBeCloseTo(20, 6);
    expect(r.needle!.strokeMargin).toBeCloseTo(7, 6); // 20 - 9 - 4
  });

  it('pixel marks with a detector calibration are passed through to the triangulation', () => {
    // 0.1 mm pixels with the origin at (0, 0): col = u / 0.1, row = v / 0.1.
    const views = marks(p).map((m) => ({ angle: m.angle, col: m.u / 0.1, row: m.v / 0.1 }));
    const r = planWith(engine, { thickness: 45, geometry: G, detector: { pixelSpacing: 0.1, origin: [0, 0] }, views, needle: { device: 'gun-14g-22' } });
    expect(r.target!.y).toBeCloseTo(30, 6);
    expect(r.target!.z).toBeCloseTo(20, 6);
  });

  it('imageSigma is passed through: the triangulation then carries an uncertainty', () => {
    const without = planWith(engine, { thickness: 45, geometry: G, views: marks(p), needle: { device: 'gun-14g-22' } });
    expect(without.targeting!.uncertainty).toBeUndefined();
    const withSigma = planWith(engine, { thickness: 45, geometry: G, views: marks(p), imageSigma: 0.1, needle: { device: 'gun-14g-22' } });
    expect(withSigma.targeting!.uncertainty).toBeDefined();
  });

  it('maxRayGap is passed through, and targeting findings are reported under targeting.', () => {
    // Moving one mark 5 mm along y makes the rays miss each other by more than the 1 mm default.
    const views = marks(p);
    views[1] = { ...views[1], v: views[1].v + 5 };
    const strict = planWith(engine, { thickness: 45, geometry: G, views, needle: { device: 'gun-14g-22' } });
    const gap = strict.findings.find((f) => f.code === 'rays_disagree');
    expect(gap).toMatchObject({ severity: 'error', path: 'targeting.rayGap', limit: 1 });
    const lax = planWith(engine, { thickness: 45, geometry: G, views, maxRayGap: 100, needle: { device: 'gun-14g-22' } });
    expect(codes(lax)).not.toContain('rays_disagree');
  });
});

describe('plan request: the needle block', () => {
  const base = { thickness: 40, target: [5, 30, 20] };

  it('an unknown device id lists the catalog ids', () => {
    expect(refusal({ ...base, needle: { device: 'gun-99g' } })).toEqual([expect.objectContaining({
      code: 'unknown_reference', path: 'needle.device',
      expected: 'a biopsy device id in the catalog (vacuum-9g-20, vacuum-9g-petite-12, vacuum-11g-fired, gun-14g-22)', received: '"gun-99g"' })]);
  });

  it('a device that is null or a number is invalid_type at needle.device, and only that', () => {
    expect(brief(refusal({ ...base, needle: { device: null } }))).toEqual([['invalid_type', 'needle.device']]);
    expect(brief(refusal({ ...base, needle: { device: 5 } }))).toEqual([['invalid_type', 'needle.device']]);
  });

  it('an inline device without an id is a vacuum probe called "inline"; with an id it keeps it', () => {
    const inline = vertical(20, { device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } });
    expect(inline.needle!.device).toMatchObject({ id: 'inline', kind: 'vacuum-probe', name: 'inline', outerDiameter: 2.11 });
    expect(inline.needle!.strokeMargin).toBe(7);
    const named = vertical(20, { device: { id: 'mine', kind: 'spring-loaded-gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } });
    expect(named.needle!.device).toMatchObject({ id: 'mine', kind: 'spring-loaded-gun' });
  });

  for (const key of ['minStrokeMargin', 'warnStrokeMargin'] as const) {
    it(`${key}: ±50 mm are the inclusive bounds, just outside is out_of_range at needle.${key}`, () => {
      expect(() => vertical(20, { [key]: 50 })).not.toThrow();
      expect(() => vertical(20, { [key]: -50 })).not.toThrow();
      for (const bad of [50.001, -50.001]) {
        expect(refusal({ ...base, needle: { device: 'gun-14g-22', [key]: bad } })).toEqual([expect.objectContaining({
          code: 'out_of_range', path: `needle.${key}`, expected: '>= -50 and <= 50 mm' })]);
      }
    });
  }

  it('minStrokeMargin 50 is applied: a 7 mm margin is then an error against a 50 mm limit', () => {
    const f = vertical(20, { minStrokeMargin: 50 }).findings.find((x) => x.code === 'negative_stroke_margin');
    expect(f).toMatchObject({ severity: 'error', value: 7, limit: 50 });
  });

  it('warnStrokeMargin -50 is applied (raised to the minimum, 0): a 0 mm margin then has no warning', () => {
    // z 13: margin 13 - 9 - 4 = 0, not under max(-50, 0) = 0.
    expect(codes(vertical(13, { warnStrokeMargin: -50 }))).toEqual([]);
    expect(codes(vertical(13))).toEqual(['low_stroke_margin']);
  });

  it('minClearance: 0..50 mm inclusive; 50 is applied to the lateral clearances', () => {
    const lat = (minClearance: number) => planWith(engine, { thickness: 40, target: [0, 30, 20],
      needle: { approach: 'lateral', device: 'gun-14g-22', lateral: { side: '+x', nearSkinX: 60, farSkinX: -60 }, minClearance } });
    // support clearance 20 - 2.11/2 = 18.945 < 50.
    expect(lat(50).findings.find((f) => f.code === 'needle_hits_support')).toMatchObject({ severity: 'error', limit: 50 });
    expect(codes(lat(0))).not.toContain('needle_hits_support');
    for (const bad of [50.001, -0.001]) {
      expect(refusal({ thickness: 40, target: [0, 30, 20], needle: { approach: 'lateral', device: 'gun-14g-22', minClearance: bad } }))
        .toEqual([expect.objectContaining({ code: 'out_of_range', path: 'needle.minClearance', expected: '>= 0 and <= 50 mm' })]);
    }
  });

  it('mitigations: false gives none; not a boolean is invalid_type at needle.mitigations', () => {
    // z 12: margin -1, an error, so mitigations would otherwise be offered.
    expect(vertical(12).mitigations!.length).toBeGreaterThan(0);
    expect(vertical(12, { mitigations: false }).mitigations).toBeUndefined();
    expect(brief(refusal({ ...base, needle: { device: 'gun-14g-22', mitigations: 'yes' } }))).toEqual([['invalid_type', 'needle.mitigations']]);
  });
});

describe('lateral approach without a lateral block: the entry side follows the target', () => {
  const lat = (x: number) => planWith(engine, { thickness: 15, target: [x, 30, 7.5], needle: { approach: 'lateral', device: 'gun-14g-22' } });

  it('a target at x < 0 is entered from -x, the needle advancing toward +x', () => {
    // From -x: fired tip at x + 9 + 4, aperture's proximal edge at x - 9.
    expect(lat(-5).needle).toMatchObject({ approach: 'lateral', side: '-x', postfireTipX: 8, apertureProximalX: -14 });
  });
  it('a target at x > 0 is entered from +x', () => {
    expect(lat(5).needle).toMatchObject({ side: '+x', postfireTipX: -8, apertureProximalX: 14 });
  });
  it('x = 0 (under the central ray) is entered from +x', () => {
    expect(lat(0).needle).toMatchObject({ side: '+x', postfireTipX: -13, apertureProximalX: 9 });
  });
});

describe('mitigations', () => {
  it('pull back: the stroke margin fixed by the shift, the lesion still covered', () => {
    // z 12: margin 12 - 13 = -1. Lesion radius 2 leaves 9 - 2 = 7 mm of slack; shift 1 mm up.
    const r = vertical(12, {}, { lesionRadius: 2 });
    expect(codes(r)).toContain('negative_stroke_margin');
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'pull_back', approach: 'vertical', deviceId: 'gun-14g-22', shift: 1, lesionCoverage: 6 });
    expect(m).toMatchObject({ block: { aimZ: 13, strokeMargin: 0 } });
    expect(m.message).toBe('pull back the aperture 1.00 mm along the needle: it still covers the lesion (radius 2.0 mm) with 6.00 mm to spare.');
    // Also the petite probe (12 - 6 - 5 = 1 >= 0) and the lateral approach; no "not feasible".
    expect(kinds(r.mitigations)).toEqual(['pull_back', 'device', 'approach']);
    expect(r.mitigations![1]).toMatchObject({ kind: 'device', deviceId: 'vacuum-9g-petite-12' });
  });

  it('advance: the aperture pushed back inside the skin, the lesion still covered', () => {
    // vacuum-9g-20 at z 36 in 45 mm: proximal edge 46, skin clearance -1. Slack 10 - 2 = 8; advance 1 mm.
    const r = planWith(engine, { thickness: 45, target: [5, 30, 36], lesionRadius: 2, needle: { device: 'vacuum-9g-20' } });
    expect(codes(r)).toEqual(['aperture_outside_breast']);
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'advance', approach: 'vertical', deviceId: 'vacuum-9g-20', shift: 1, lesionCoverage: 7, block: { aimZ: 35, skinClearance: 0 } });
    expect(m.message).toBe('advance the aperture 1.00 mm along the needle: it still covers the lesion (radius 2.0 mm) with 7.00 mm to spare.');
  });

  describe('the lateral approach offered for a failing vertical plan', () => {
    // 15 mm thick: vertical contraindicated for every device; laterally the 14G needle
    // (radius 1.055) clears support and paddle by 7.5 - 1.055 at z 7.5.
    const thin = (x: number, lateral?: Record<string, unknown>) =>
      planWith(engine, { thickness: 15, target: [x, 30, 7.5], needle: { device: 'gun-14g-22', ...(lateral ? { lateral } : {}) } });
    const both = ['aperture against the entry skin (nearSkinX not given)', 'fired tip against the far skin (farSkinX not given)'];

    for (const [x, side] of [[5, '+x'], [0, '+x'], [-5, '-x']] as const) {
      it(`target at x = ${x}: from ${side}, with the planned device, saying what was not checked`, () => {
        const r = thin(x);
        expect(codes(r)).toContain('thin_breast_vertical');
        expect(r.mitigations).toHaveLength(1);
        expect(r.mitigations![0]).toMatchObject({ kind: 'approach', approach: 'lateral', deviceId: 'gun-14g-22', side, unchecked: both });
        expect(r.mitigations![0]).toMatchObject({ block: { approach: 'lateral', side } });
        expect(r.mitigations![0].message).toBe(`the lateral approach from ${side} with ${GUN} passes; not checked: ${both.join('; ')}.`);
      });
    }

    it('a lateral setup given with the vertical plan is the one checked: its side and skins', () => {
      const near = thin(5, { side: '-x', nearSkinX: -40 });
      expect(near.mitigations![0]).toMatchObject({ kind: 'approach', side: '-x', unchecked: [both[1]] });
      expect(near.mitigations![0].message).toBe(`the lateral approach from -x with ${GUN} passes; not checked: ${both[1]}.`);
      const far = thin(5, { side: '+x', farSkinX: -60 });
      expect(far.mitigations![0]).toMatchObject({ kind: 'approach', side: '+x', unchecked: [both[0]] });
      const full = thin(5, { side: '+x', nearSkinX: 40, farSkinX: -40 });
      expect(full.mitigations![0]).toMatchObject({ kind: 'approach', side: '+x', unchecked: [] });
      expect(full.mitigations![0].message).toBe(`the lateral approach from +x with ${GUN} passes.`);
    });

    it('when the planned device fails laterally, the first catalog device that passes is offered', () => {
      // vacuum-9g-20 from +x at x 0: fired tip at -17, past the far skin at -14 (margin -3).
      // The petite probe: tip at -6 - 5 = -11 (margin 3), proximal edge 6 inside the skin at 12.
      const r = planWith(engine, { thickness: 15, target: [0, 30, 7.5],
        needle: { device: 'vacuum-9g-20', lateral: { side: '+x', nearSkinX: 12, farSkinX: -14 } } });
      expect(kinds(r.mitigations)).toEqual(['approach']);
      expect(r.mitigations![0]).toMatchObject({ approach: 'lateral', deviceId: 'vacuum-9g-petite-12', side: '+x', unchecked: [] });
    });
  });

  it('the vertical approach offered for a failing lateral plan: no side, nothing unchecked', () => {
    // From +x at x 0 the gun's proximal edge is at 9, outside the skin at 5 (clearance -4); every
    // catalog device's edge (10, 6, 9.5) is too. Vertically at z 20 in 40 mm: margin 7, clearance 11.
    const r = planWith(engine, { thickness: 40, target: [0, 30, 20], needle: { approach: 'lateral', device: 'gun-14g-22', lateral: { side: '+x', nearSkinX: 5 } } });
    expect(codes(r)).toContain('aperture_outside_breast');
    expect(r.mitigations).toHaveLength(1);
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'approach', approach: 'vertical', deviceId: 'gun-14g-22', unchecked: [], block: { approach: 'vertical', strokeMargin: 7 } });
    expect(m).not.toHaveProperty('side');
    expect(m.message).toBe(`the vertical approach with ${GUN} passes.`);
  });

  describe('not feasible', () => {
    // 19 mm thick (vertical contraindicated), z 14: margin 14 - 13 = 1 (a warning), proximal edge
    // 23 above the skin at 19 (an error). minClearance 50 rules out every lateral needle.
    const stuck = (top: Record<string, unknown> = {}) =>
      planWith(engine, { thickness: 19, target: [0, 30, 14], ...top, needle: { device: 'gun-14g-22', minClearance: 50 } });
    const MESSAGE = 'no aperture shift, catalog device or approach passes the checks: the plan is not feasible as given; consider another guidance method or a device from your own catalog.';

    it('gives the error findings only (not warnings) as reasons, and says a lesion radius is needed', () => {
      const r = stuck();
      expect(codes(r)).toEqual(['thin_breast_vertical', 'low_stroke_margin', 'aperture_outside_breast']);
      expect(r.mitigations).toEqual([{ kind: 'not_feasible', message: MESSAGE, reasons: [
        expect.stringMatching(/^thin_breast_vertical: /), expect.stringMatching(/^aperture_outside_breast: /),
        'no lesionRadius given: an aperture shift could not be evaluated'] }]);
    });

    it('with a lesion radius the shift was evaluated (advancing 4 mm breaks the margin), so it is not listed as missing', () => {
      const r = stuck({ lesionRadius: 2 });
      expect(r.mitigations).toEqual([{ kind: 'not_feasible', message: MESSAGE, reasons: [
        expect.stringMatching(/^thin_breast_vertical: /), expect.stringMatching(/^aperture_outside_breast: /)] }]);
    });
  });

  it('a plan without errors gets no mitigations', () => {
    expect(vertical(20).mitigations).toEqual([]);
  });
});

describe('post-placement: request checks', () => {
  const view = (projection: string, extra: Record<string, unknown> = {}) => ({ projection, target: [0, 0], device: [1, 1], ...extra });
  const ortho = (views: unknown, extra: Record<string, unknown> = {}) => ({ postPlacement: { ...extra, orthogonal: { views } } });
  const stereoReq = (p: [number, number, number]) => ({ geometry: G, thickness: 45, views: marks(p) });

  it('not an object: invalid_type at postPlacement', () => {
    expect(brief(refusal({ postPlacement: 5 }))).toEqual([['invalid_type', 'postPlacement']]);
  });

  it('criterion: above 0 up to 100 mm', () => {
    expect(planWith(engine, ortho([view('z'), view('x')], { criterion: 100 })).postPlacement!.criterion).toBe(100);
    for (const bad of [0, 100.001]) {
      expect(refusal(ortho([view('z'), view('x')], { criterion: bad }))).toEqual([expect.objectContaining({
        code: 'out_of_range', path: 'postPlacement.criterion', expected: '> 0 and <= 100 mm' })]);
    }
  });

  it('neither or both of orthogonal and stereo: one missing_field at postPlacement.orthogonal', () => {
    const expected = [expect.objectContaining({ code: 'missing_field', path: 'postPlacement.orthogonal',
      expected: 'either orthogonal (two mammograms) or stereo (a stereo pair), one of them' })];
    expect(refusal({ postPlacement: {} })).toEqual(expected);
    expect(refusal({ postPlacement: { orthogonal: { views: [view('z'), view('x')] }, stereo: { target: stereoReq([5, 30, 20]), device: stereoReq([5, 30, 20]) } } })).toEqual(expected);
  });

  it('stereo: an object with both target and device, nothing else', () => {
    expect(brief(refusal({ postPlacement: { stereo: 5 } }))).toEqual([['invalid_type', 'postPlacement.stereo']]);
    expect(refusal({ postPlacement: { stereo: { target: stereoReq([5, 30, 20]) } } }))
      .toContainEqual(expect.objectContaining({ code: 'missing_field', path: 'postPlacement.stereo.device' }));
    expect(brief(refusal({ postPlacement: { stereo: { target: stereoReq([5, 30, 20]), device: stereoReq([5, 30, 20]), extra: 1 } } })))
      .toEqual([['unknown_field', 'postPlacement.stereo.extra']]);
  });

  it('stereo: issues inside a triangulation request are placed under its path', () => {
    const t = stereoReq([5, 30, 20]);
    const notObject = refusal({ postPlacement: { stereo: { target: 5, device: t } } });
    expect(notObject).toEqual([expect.objectContaining({ code: 'invalid_type', path: 'postPlacement.stereo.target',
      message: 'postPlacement.stereo.target: expected an object, received 5' })]);
    const oddKey = refusal({ postPlacement: { stereo: { target: t, device: { ...t, 'a b': 1 } } } });
    expect(brief(oddKey)).toEqual([['unknown_field', 'postPlacement.stereo.device["a b"]']]);
    const badMark = refusal({ postPlacement: { stereo: { target: { ...t, views: [{ ...t.views[0], u: 1000.001 }, t.views[1]] }, device: t } } });
    expect(brief(badMark)).toEqual([['out_of_range', 'postPlacement.stereo.target.views[0].u']]);
  });

  it('orthogonal: an object with views, nothing else', () => {
    expect(brief(refusal({ postPlacement: { orthogonal: {} } }))).toEqual([['missing_field', 'postPlacement.orthogonal.views']]);
    expect(brief(refusal({ postPlacement: { orthogonal: { views: [view('z'), view('x')], extra: 1 } } }))).toEqual([['unknown_field', 'postPlacement.orthogonal.extra']]);
  });

  it('orthogonal views: exactly two, each an object', () => {
    expect(brief(refusal(ortho([view('z')])))).toEqual([['too_few_items', 'postPlacement.orthogonal.views']]);
    expect(brief(refusal(ortho('views')))).toEqual([['invalid_type', 'postPlacement.orthogonal.views']]);
    expect(brief(refusal(ortho([5, view('x')])))).toEqual([['invalid_type', 'postPlacement.orthogonal.views[0]']]);
  });

  it('each view: projection x, y or z, required; a label of at most 20 characters', () => {
    expect(brief(refusal(ortho([{ target: [0, 0], device: [1, 1] }, view('x')])))).toEqual([['missing_field', 'postPlacement.orthogonal.views[0].projection']]);
    expect(brief(refusal(ortho([view('z'), view('w')])))).toEqual([['invalid_value', 'postPlacement.orthogonal.views[1].projection']]);
    const twenty = 'L'.repeat(20);
    expect(planWith(engine, ortho([view('z', { label: twenty }), view('x')])).postPlacement!.planes[0].plane).toBe(twenty);
    expect(brief(refusal(ortho([view('z', { label: twenty + 'L' }), view('x')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].label']]);
  });

  it('each view: target and device are two coordinates within ±1000 mm', () => {
    expect(brief(refusal(ortho([view('z', { target: 'abc' }), view('x')])))).toEqual([['invalid_type', 'postPlacement.orthogonal.views[0].target']]);
    expect(brief(refusal(ortho([view('z', { target: [0, 1000.001] }), view('x')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].target[1]']]);
    expect(brief(refusal(ortho([view('z'), view('x', { device: [-1000.001, 0] })])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[1].device[0]']]);
    expect(() => planWith(engine, ortho([view('z', { target: [-1000, 1000] }), view('x')]))).not.toThrow();
  });

  it('a bad view is reported alone, not also as a duplicate projection', () => {
    expect(brief(refusal(ortho([view('z', { target: [0, 1001] }), view('z')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].target[1]']]);
    expect(brief(refusal(ortho([view('w'), view('w')]))))
      .toEqual([['invalid_value', 'postPlacement.orthogonal.views[0].projection'], ['invalid_value', 'postPlacement.orthogonal.views[1].projection']]);
  });

  it('two views along the same axis: duplicate_value naming the first projection', () => {
    expect(refusal(ortho([view('y'), view('y')]))).toEqual([expect.objectContaining({
      code: 'duplicate_value', path: 'postPlacement.orthogonal.views[1].projection', expected: 'a projection orthogonal to views[0] (not y)' })]);
  });
});

describe('post-placement: where the device landed', () => {
  const two = (a: Record<string, unknown>, b: Record<string, unknown>, criterion?: number) =>
    planWith(engine, { postPlacement: { ...(criterion ? { criterion } : {}), orthogonal: { views: [a, b] } } });

  it('z and x views: x from the z view, z from the x view, y the mean of both', () => {
    // CC (along z) shows (x, y); ML (along x) shows (y, z).
    const r = two({ projection: 'z', label: 'CC', target: [10, 40], device: [13, 44] }, { projection: 'x', label: 'ML', target: [42, 20], device: [46, 23] });
    expect(r.postPlacement).toMatchObject({
      method: 'orthogonal', target: { x: 10, y: 41, z: 20 }, device: { x: 13, y: 45, z: 23 }, offset: { x: 3, y: 4, z: 3 },
      planes: [{ plane: 'CC', distance: 5 }, { plane: 'ML', distance: 5 }], criterion: 10, success: true,
    });
    expect(r.postPlacement!.distance).toBeCloseTo(Math.sqrt(34), 12);
    expect(r.findings).toEqual([]);
  });

  it('a view along y shows x and z; unlabelled planes are named by their projection', () => {
    const r = two({ projection: 'y', target: [10, 20], device: [12, 21] }, { projection: 'z', target: [11, 40], device: [13, 43] });
    // x: mean(10, 11) and mean(12, 13); z from the y view; y from the z view.
    expect(r.postPlacement).toMatchObject({ target: { x: 10.5, y: 40, z: 20 }, device: { x: 12.5, y: 43, z: 21 } });
    expect(r.postPlacement!.planes.map((p) => p.plane)).toEqual(['view along y', 'view along z']);
  });

  it('too far: the worst plane is reported, with the criterion and the 3-D distance', () => {
    const cc = (d: number) => ({ projection: 'z', label: 'CC', target: [10, 40], device: [10 + d, 40] });
    const ml = (d: number) => ({ projection: 'x', label: 'ML', target: [40, 20], device: [40, 20 + d] });
    const firstWorst = two(cc(12), ml(0));
    expect(firstWorst.postPlacement!.success).toBe(false);
    expect(firstWorst.findings).toEqual([{ code: 'device_far_from_target', severity: 'error', path: 'postPlacement', value: 12, limit: 10,
      message: 'the device lies 12.0 mm from the target in the CC plane (criterion: within 10.0 mm in every plane; 3-D distance 12.0 mm).' }]);
    const lastWorst = two(cc(3), ml(11));
    expect(lastWorst.findings[0]).toMatchObject({ value: 11 });
    expect(lastWorst.findings[0].message).toContain('in the ML plane');
    // A tie names the first plane; 3-D distance hypot(12, 12) = 16.97.
    const tie = two(cc(12), ml(12));
    expect(tie.findings[0].message).toBe('the device lies 12.0 mm from the target in the CC plane (criterion: within 10.0 mm in every plane; 3-D distance 17.0 mm).');
  });

  it('stereo: the offset seen in the xy, xz and yz planes', () => {
    const r = planWith(engine, { postPlacement: { stereo: {
      target: { geometry: G, thickness: 45, views: marks([5, 30, 20]) },
      device: { geometry: G, thickness: 45, views: marks([8, 34, 20]) },
    } } });
    // offset (3, 4, 0): xy 5, xz 3, yz 4.
    const planes = r.postPlacement!.planes;
    expect(planes.map((p) => p.plane)).toEqual(['xy', 'xz', 'yz']);
    [5, 3, 4].forEach((d, i) => expect(planes[i].distance).toBeCloseTo(d, 6));
  });

  it('stereo: a triangulation error is reported under its request; its warnings are not', () => {
    // The device marks (2 degrees apart: a small-angle warning) put it at z 50, above the 45 mm skin.
    const r = planWith(engine, { postPlacement: { stereo: {
      target: { geometry: G, thickness: 45, views: marks([5, 30, 20]) },
      device: { geometry: G, thickness: 45, views: marks([5, 30, 50], [0, 2]) },
    } } });
    expect(codes(r)).toEqual(['target_outside_breast', 'device_far_from_target']);
    expect(r.findings[0]).toMatchObject({ severity: 'error', path: 'postPlacement.stereo.device.target.z', limit: 45 });
    expect(r.findings[0].value).toBeCloseTo(50, 4);
  });
});

describe('an inline device with an empty source (found by the mutation review)', () => {
  it('keeps its needle check: the block is computed, never silently dropped', async () => {
    const engine = await loadEngine();
    // 14 G, throw 22, aperture 18, tip 4: aim at z = 20 in a 40 mm breast; a vertical needle must be reported.
    const r = planWith(engine, { thickness: 40, target: [5, 30, 20], needle: { device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, source: '' } } });
    expect(r.needle).toBeDefined();
    expect(r.needle!.approach).toBe('vertical');
  });
});
