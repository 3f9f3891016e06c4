// The plan request is defined once (src/plan/request-schema.ts, src/devices/schema.ts): the
// validator holds each range as declared, and the published plan-request schema states the
// same ranges. The bounds below are written from docs/guide (plan and devices), not read from src/.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlanRequest } from '../../src/plan/plan.js';
import { publishedSchema } from '../../src/schemas/index.js';
import { issuePaths } from '../helpers/refusal.js';

type Json = Record<string, unknown>;
const mm = (lo: number, hi: number) => fc.integer({ min: Math.round(lo * 1000), max: Math.round(hi * 1000) }).map((i) => i / 1000);
const needle = (over: Json = {}) => ({ thickness: 45, target: { x: 5, y: 30, z: 10 }, needle: { device: 'gun-14g-22', ...over } });
const inline = (over: Json) => needle({ device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, ...over } });
const ortho = (x: number) => ({ postPlacement: { orthogonal: { views: [{ projection: 'z', target: [x, 2], device: [2, 3] }, { projection: 'x', target: [2, 10], device: [3, 11] }] } } });
const local = (over: Json = {}, device: Json = {}) => ({
  thickness: 50, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 30, 20], ...device }], ...over },
});
const userSeed = (over: Json) => ({ ...local({}, { device: 'mine' }), catalog: { localizationDevices: [{ id: 'mine', kind: 'magnetic-seed', detectionDepthLimit: 40, minSpacing: 10, repositionable: false, ...over }] } });

const refusal = (req: unknown) => issuePaths(() => parsePlanRequest(req));

/** [what, request with x at the leaf, path reported, min, max, exclusive min, JSON-Schema location] */
type Leaf = { name: string; at: (x: number) => unknown; path: string; lo: number; hi: number; above?: boolean; schema: string[] };
const LEAVES: Leaf[] = [
  { name: 'thickness', at: (x) => ({ ...needle(), thickness: x }), path: 'thickness', lo: 0, hi: 300, above: true, schema: ['request', 'thickness'] },
  { name: 'a target coordinate', at: (x) => ({ ...needle(), target: [0, x, 10] }), path: 'target[1]', lo: -1000, hi: 1000, schema: ['request', 'target', '0', '*'] },
  { name: 'lesionRadius', at: (x) => ({ ...needle(), lesionRadius: x }), path: 'lesionRadius', lo: 0, hi: 100, schema: ['request', 'lesionRadius'] },
  { name: 'minStrokeMargin', at: (x) => needle({ minStrokeMargin: x }), path: 'needle.minStrokeMargin', lo: -50, hi: 50, schema: ['planNeedle', 'minStrokeMargin'] },
  { name: 'minClearance', at: (x) => needle({ minClearance: x }), path: 'needle.minClearance', lo: 0, hi: 50, schema: ['planNeedle', 'minClearance'] },
  { name: 'minVerticalThickness', at: (x) => needle({ minVerticalThickness: x }), path: 'needle.minVerticalThickness', lo: 0, hi: 300, schema: ['planNeedle', 'minVerticalThickness'] },
  { name: 'a device throw', at: (x) => inline({ throw: x }), path: 'needle.device.throw', lo: 0, hi: 100, schema: ['inlineBiopsyDevice', 'throw'] },
  { name: 'an aperture length', at: (x) => inline({ apertureLength: x }), path: 'needle.device.apertureLength', lo: 0, hi: 100, above: true, schema: ['inlineBiopsyDevice', 'apertureLength'] },
  { name: 'a tip length', at: (x) => inline({ tipLength: x }), path: 'needle.device.tipLength', lo: 0, hi: 50, schema: ['inlineBiopsyDevice', 'tipLength'] },
  { name: 'an outer diameter', at: (x) => inline({ outerDiameter: x }), path: 'needle.device.outerDiameter', lo: 0, hi: 15, above: true, schema: ['inlineBiopsyDevice', 'outerDiameter'] },
  { name: 'the success criterion', at: (x) => ({ postPlacement: { ...ortho(1).postPlacement, criterion: x } }), path: 'postPlacement.criterion', lo: 0, hi: 100, above: true, schema: ['postPlacement', 'criterion'] },
  { name: 'an orthogonal view coordinate', at: (x) => ortho(x), path: 'postPlacement.orthogonal.views[0].target[0]', lo: -1000, hi: 1000, schema: ['orthogonalView', 'target', '*'] },
  { name: 'the localization minSpacing', at: (x) => local({ minSpacing: x }), path: 'localization.minSpacing', lo: 0, hi: 300, schema: ['localization', 'minSpacing'] },
  { name: 'a catalog detection limit', at: (x) => userSeed({ detectionDepthLimit: x }), path: 'catalog.localizationDevices[0].detectionDepthLimit', lo: 0, hi: 300, above: true, schema: ['localizationDevice', 'detectionDepthLimit', '0'] },
];

describe('the plan definition holds its ranges as declared', () => {
  for (const leaf of LEAVES) {
    it(`${leaf.name}: at each bound as declared, one step beyond refused, at its path (property)`, () => {
      const step = 1e-6;
      expect(refusal(leaf.at(leaf.hi))).toEqual([]);
      expect(refusal(leaf.at(leaf.hi + step))).toContainEqual({ code: 'out_of_range', path: leaf.path });
      if (leaf.above) {
        expect(refusal(leaf.at(leaf.lo))).toContainEqual({ code: 'out_of_range', path: leaf.path });
        expect(refusal(leaf.at(leaf.lo + step))).toEqual([]);
      } else {
        expect(refusal(leaf.at(leaf.lo))).toEqual([]);
        expect(refusal(leaf.at(leaf.lo - step))).toContainEqual({ code: 'out_of_range', path: leaf.path });
      }
      fc.assert(fc.property(mm(leaf.lo - 50, leaf.hi + 50), (x) => {
        const inside = (leaf.above ? x > leaf.lo : x >= leaf.lo) && x <= leaf.hi;
        const issues = refusal(leaf.at(x)).filter((i) => i.path === leaf.path);
        expect(issues.length === 0).toBe(inside);
        if (!inside) expect(issues).toEqual([{ code: 'out_of_range', path: leaf.path }]);
      }), { numRuns: 150 });
    });
  }

  it('a gauge: whole numbers 5..34', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), (g) => {
      const issues = refusal(inline({ gauge: g, outerDiameter: 2 })).filter((i) => i.path === 'needle.device.gauge');
      expect(issues.length === 0).toBe(g >= 5 && g <= 34);
    }));
    expect(refusal(inline({ gauge: 14.5 }))).toContainEqual({ code: 'invalid_value', path: 'needle.device.gauge' });
  });

  it('defaults come from the definition: approach, mitigations, guidance, criterion', () => {
    const p = parsePlanRequest(needle());
    expect(p.needle!.approach).toBe('vertical');
    expect(p.needle!.mitigations).toBe(true);
    expect(parsePlanRequest(local()).localization!.guidance).toBe('stereotactic');
    expect(parsePlanRequest(ortho(1)).postPlacement!.criterion).toBe(10);
  });

  it('presence and cross-field rules: either orthogonal or stereo; orthogonal projections; z within the thickness', () => {
    expect(refusal({ postPlacement: {} })).toEqual([{ code: 'missing_field', path: 'postPlacement.orthogonal' }]);
    const same = ortho(1);
    (same.postPlacement.orthogonal.views[1] as Json).projection = 'z';
    expect(refusal(same)).toEqual([{ code: 'duplicate_value', path: 'postPlacement.orthogonal.views[1].projection' }]);
    expect(refusal(local({}, { position: [0, 30, 50] }))).toEqual([]);
    expect(refusal(local({}, { position: [0, 30, 50.001] }))).toEqual([{ code: 'out_of_range', path: 'localization.devices[0].position[2]' }]);
    // A stereo pair missing one request: refused as missing, and by targeting's parser as it always was.
    expect(refusal({ postPlacement: { stereo: { target: {} } } })[0]).toEqual({ code: 'missing_field', path: 'postPlacement.stereo.device' });
  });
});

// ---------------------------------------------------------------- the published schema

type Schema = Record<string, unknown>;
const doc = publishedSchema('plan-request') as Schema;
const defs = doc.$defs as Record<string, Schema>;
const deref = (s: Schema): Schema => (typeof s.$ref === 'string' ? deref(defs[s.$ref.replace('#/$defs/', '')]) : s);
function numberAt(path: string[]): Schema {
  let s = defs[path[0]];
  for (const step of path.slice(1)) {
    s = deref(s);
    if (step === '*') s = s.items as Schema;
    else if (/^\d$/.test(step)) s = ((s.oneOf ?? s.anyOf) as Schema[])[Number(step)];
    else s = (s.properties as Record<string, Schema>)[step];
  }
  s = deref(s);
  return s.type === 'number' ? s : (s.anyOf as Schema[]).find((o) => o.type === 'number')!;
}

describe('the published plan-request schema states the validator\'s ranges', () => {
  for (const leaf of LEAVES) {
    it(`${leaf.schema.join('.')} (${leaf.name})`, () => {
      const n = numberAt(leaf.schema);
      expect(n.maximum).toBe(leaf.hi);
      if (leaf.above) expect([n.exclusiveMinimum, n.minimum]).toEqual([leaf.lo, undefined]);
      else expect([n.minimum, n.exclusiveMinimum]).toEqual([leaf.lo, undefined]);
      // Probed through the validator at the published bounds.
      const lo = (n.minimum ?? n.exclusiveMinimum) as number;
      expect(refusal(leaf.at(n.maximum as number))).toEqual([]);
      expect(refusal(leaf.at(lo)).some((i) => i.path === leaf.path)).toBe(n.exclusiveMinimum !== undefined);
    });
  }
});
