// The needle plan's request (src/plan/plan.ts): checks with their exact issue codes and paths,
// limits at their inclusive bounds, a target triangulated from marks, the needle block and the
// lateral entry side. Every expected number is worked out by hand from the spec's formulas.
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { shippedCatalog } from '../../src/devices/catalog.js';
import { parsePlanRequest, plan, planWith } from '../../src/plan/plan.js';
import { G, codePaths, codes, engine, marks, planIssues } from './helpers.js';

const vertical = (z: number, needle: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  planWith(engine, { thickness: 40, target: [5, 30, z], ...top, needle: { device: 'gun-14g-22', ...needle } });

describe('plan request: the top level', () => {
  it('a request that is not an object is refused as such, not crashed on', () => {
    expect(codePaths(planIssues(42))).toEqual([['invalid_type', '']]);
    expect(codePaths(planIssues(null))).toEqual([['invalid_type', '']]);
  });

  it('an unknown field does not stop the other fields from being checked', () => {
    // The unknown field and the out-of-range thickness are both reported, in one refusal.
    expect(codePaths(planIssues({ foo: 1, thickness: 0, target: [0, 0, 10], needle: { device: 'gun-14g-22' } })))
      .toEqual([['unknown_field', 'foo'], ['out_of_range', 'thickness']]);
  });

  it('id: a string is echoed; anything else is invalid_type at id', () => {
    expect(vertical(20, {}, { id: 'case-7' }).id).toBe('case-7');
    expect(codePaths(planIssues({ id: 5, thickness: 40, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['invalid_type', 'id']]);
  });

  it('thickness: 300 mm is the inclusive maximum, 0 is refused', () => {
    expect(() => vertical(20, {}, { thickness: 300 })).not.toThrow();
    expect(codePaths(planIssues({ thickness: 300.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'thickness']]);
    expect(codePaths(planIssues({ thickness: 0, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'thickness']]);
  });

  it('lesionRadius: 0 and 100 are accepted, just outside is out_of_range at lesionRadius', () => {
    expect(() => vertical(20, {}, { lesionRadius: 0 })).not.toThrow();
    expect(() => vertical(20, {}, { lesionRadius: 100 })).not.toThrow();
    expect(codePaths(planIssues({ thickness: 40, lesionRadius: 100.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'lesionRadius']]);
    expect(codePaths(planIssues({ thickness: 40, lesionRadius: -0.001, target: [5, 30, 20], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'lesionRadius']]);
  });

  it('no section at all: missing_field at needle, saying which sections there are', () => {
    const issues = planIssues({ thickness: 40 });
    expect(issues).toEqual([{
      code: 'missing_field', path: 'needle', expected: 'at least one of needle, localization, postPlacement', received: 'nothing',
      message: 'needle: the plan needs at least one of needle, localization or postPlacement',
    }]);
  });

  it('a needle without a target or without a thickness names what is missing', () => {
    expect(planIssues({ thickness: 40, needle: { device: 'gun-14g-22' } })).toEqual([expect.objectContaining({
      code: 'missing_field', path: 'target', expected: 'the target: target { x, y, z }, or geometry and views to triangulate' })]);
    expect(planIssues({ target: [5, 30, 20], needle: { device: 'gun-14g-22' } })).toEqual([expect.objectContaining({
      code: 'missing_field', path: 'thickness', expected: 'the compressed thickness (mm)' })]);
  });

  it('a target that is given but out of range is reported there, not also as missing', () => {
    expect(codePaths(planIssues({ thickness: 40, target: [0, 0, 2000], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target[2]']]);
  });

  it('the target: each coordinate within ±1000 mm, each bad one at its own path', () => {
    expect(codePaths(planIssues({ thickness: 40, target: [0, -1000.001, 0], needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target[1]']]);
    expect(codePaths(planIssues({ thickness: 40, target: { x: 1000.001, y: -1000.001 }, needle: { device: 'gun-14g-22' } })))
      .toEqual([['missing_field', 'target.z'], ['out_of_range', 'target.x'], ['out_of_range', 'target.y']]);
    expect(codePaths(planIssues({ thickness: 40, target: { x: 0, y: 0, z: 1000.001 }, needle: { device: 'gun-14g-22' } }))).toEqual([['out_of_range', 'target.z']]);
    // ±1000 exactly is accepted (inclusive) and used as given.
    expect(vertical(20, {}, { target: { x: -1000, y: 1000, z: 20 } }).target).toEqual({ x: -1000, y: 1000, z: 20 });
  });

  it('a target and marks together are refused: either one or the other', () => {
    const issues = planIssues({ thickness: 45, target: [5, 30, 20], geometry: G, views: marks([5, 30, 20]), needle: { device: 'gun-14g-22' } });
    expect(issues).toEqual([{
      code: 'invalid_value', path: 'target', expected: 'either target or geometry and views, not both', received: '"both"',
      message: 'target: expected either target or geometry and views, not both, received "both"',
    }]);
  });

  it('views alone or geometry alone are a triangulation request missing its other half', () => {
    const viewsOnly = planIssues({ thickness: 45, views: marks([5, 30, 20]), needle: { device: 'gun-14g-22' } });
    expect(codePaths(viewsOnly)).toEqual([['missing_field', 'geometry']]);
    const geometryOnly = planIssues({ thickness: 45, geometry: G, needle: { device: 'gun-14g-22' } });
    expect(codePaths(geometryOnly)).toEqual([['missing_field', 'views']]);
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
    expect(planIssues({ ...base, needle: { device: 'gun-99g' } })).toEqual([expect.objectContaining({
      code: 'unknown_reference', path: 'needle.device',
      expected: 'a biopsy device id in the catalog (vacuum-9g-20, vacuum-9g-petite-12, vacuum-11g-fired, gun-14g-22)', received: '"gun-99g"' })]);
  });

  it('a device that is null or a number is invalid_type at needle.device, and only that', () => {
    expect(codePaths(planIssues({ ...base, needle: { device: null } }))).toEqual([['invalid_type', 'needle.device']]);
    expect(codePaths(planIssues({ ...base, needle: { device: 5 } }))).toEqual([['invalid_type', 'needle.device']]);
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
        expect(planIssues({ ...base, needle: { device: 'gun-14g-22', [key]: bad } })).toEqual([expect.objectContaining({
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
      expect(planIssues({ thickness: 40, target: [0, 30, 20], needle: { approach: 'lateral', device: 'gun-14g-22', minClearance: bad } }))
        .toEqual([expect.objectContaining({ code: 'out_of_range', path: 'needle.minClearance', expected: '>= 0 and <= 50 mm' })]);
    }
  });

  it('mitigations: false gives none; not a boolean is invalid_type at needle.mitigations', () => {
    // z 12: margin -1, an error, so mitigations would otherwise be offered.
    expect(vertical(12).mitigations!.length).toBeGreaterThan(0);
    expect(vertical(12, { mitigations: false }).mitigations).toBeUndefined();
    expect(codePaths(planIssues({ ...base, needle: { device: 'gun-14g-22', mitigations: 'yes' } }))).toEqual([['invalid_type', 'needle.mitigations']]);
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

describe('an inline device with an empty source (found by the mutation review)', () => {
  it('keeps its needle check: the block is computed, never silently dropped', async () => {
    const engine = await loadEngine();
    // 14 G, throw 22, aperture 18, tip 4: aim at z = 20 in a 40 mm breast; a vertical needle must be reported.
    const r = planWith(engine, { thickness: 40, target: [5, 30, 20], needle: { device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, source: '' } } });
    expect(r.needle).toBeDefined();
    expect(r.needle!.approach).toBe('vertical');
  });
});
