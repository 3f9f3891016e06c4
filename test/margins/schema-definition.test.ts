// The margins request is defined once (src/margins/schema.ts): the validator holds each range
// exactly as declared, and the published JSON Schema states the same ranges. The expected
// bounds are written here from docs/guide/margins.md ("Accepted range"), not read from src/.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { parseMarginsRequest } from '../../src/margins/margins.js';
import { publishedSchema } from '../../src/schemas/index.js';
import { issuePaths } from '../helpers/refusal.js';

type Json = Record<string, unknown>;
const mm = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map((i) => i / 1000);

const sphere = (radius: unknown = 25, center: unknown = [0, 0, 0]) => ({ shape: 'sphere', center, radius });
const base = (over: Json = {}): Json => ({ specimen: sphere(), lesion: sphere(5), histology: 'dcis', ...over });

const refusal = (req: unknown) => issuePaths(() => parseMarginsRequest(req));

/** Each numeric leaf: how to place a value there, the path reported, and the accepted range (docs). */
const LEAVES: { name: string; at: (x: number) => Json; path: string; min: number; max: number }[] = [
  { name: 'a coordinate', at: (x) => base({ lesion: sphere(5, [0, x, 0]) }), path: 'lesion.center[1]', min: -1000, max: 1000 },
  { name: 'a sphere radius', at: (x) => base({ specimen: sphere(x) }), path: 'specimen.radius', min: 0.01, max: 500 },
  { name: 'a semi-axis', at: (x) => base({ lesion: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [x, x, x] } }), path: 'lesion.semiAxes[0]', min: 0.01, max: 500 },
  { name: 'a box size', at: (x) => base({ lesion: { shape: 'box', center: [0, 0, 0], size: [x, x, x] } }), path: 'lesion.size[0]', min: 0.02, max: 1000 },
  { name: 'a calcification radius', at: (x) => base({ lesion: { shape: 'points', points: [[0, 0, 0]], radius: x } }), path: 'lesion.radius', min: 0, max: 100 },
  { name: 'a calcification', at: (x) => base({ lesion: { shape: 'points', points: [[x, 0, 0]] } }), path: 'lesion.points[0][0]', min: -1000, max: 1000 },
  { name: 'a marker', at: (x) => base({ markers: [{ name: 'clip', point: [0, 0, x] }] }), path: 'markers[0].point[2]', min: -1000, max: 1000 },
  { name: 'the threshold', at: (x) => base({ histology: undefined, threshold: x }), path: 'threshold', min: 0, max: 50 },
];

describe('the margins definition holds its ranges as declared', () => {
  for (const leaf of LEAVES) {
    it(`${leaf.name}: accepted at each bound, refused one step beyond, at its path (property)`, () => {
      const step = 1e-9 * Math.max(1, Math.abs(leaf.max));
      expect(refusal(leaf.at(leaf.min))).toEqual([]);
      expect(refusal(leaf.at(leaf.max))).toEqual([]);
      expect(refusal(leaf.at(leaf.min - Math.max(step, Math.abs(leaf.min) * 1e-9)))).toContainEqual({ code: 'out_of_range', path: leaf.path });
      expect(refusal(leaf.at(leaf.max + step))).toContainEqual({ code: 'out_of_range', path: leaf.path });
      fc.assert(fc.property(mm(leaf.min - 100, leaf.max + 100), (x) => {
        const inside = x >= leaf.min && x <= leaf.max;
        const issues = refusal(leaf.at(x));
        if (inside) expect(issues).toEqual([]);
        else expect(issues).toContainEqual({ code: 'out_of_range', path: leaf.path });
      }), { numRuns: 200 });
    });
  }

  it('the aspect ratio: the longest exactly 100 times the shortest is accepted, beyond refused (property)', () => {
    fc.assert(fc.property(mm(0.01, 5), fc.integer({ min: 1, max: 1000 }), (short, k) => {
      const long = Math.min(500, short * 100);
      expect(refusal(base({ lesion: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [short, long, short] } }))).toEqual([]);
      const over = long * (1 + k * 1e-6);
      if (over <= 500) {
        expect(refusal(base({ lesion: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [short, over, short] } }))).toEqual([{ code: 'invalid_geometry', path: 'lesion.semiAxes' }]);
      }
    }), { numRuns: 300 });
    expect(refusal(base({ specimen: { shape: 'box', center: [0, 0, 0], size: [0.02, 2, 2.000001] } }))).toEqual([{ code: 'invalid_geometry', path: 'specimen.size' }]);
  });

  it('at most 2000 calcifications, at least one', () => {
    const pts = (n: number) => Array.from({ length: n }, (_, i) => [i % 40, Math.floor(i / 40), 0]);
    expect(refusal(base({ lesion: { shape: 'points', points: pts(2000) } }))).toEqual([]);
    expect(refusal(base({ lesion: { shape: 'points', points: pts(2001) } }))).toEqual([{ code: 'too_many_items', path: 'lesion.points' }]);
    expect(refusal(base({ lesion: { shape: 'points', points: [] } }))).toEqual([{ code: 'too_few_items', path: 'lesion.points' }]);
  });

  it('defaults come from the definition: orientation, calcification radius, two-view shapes', () => {
    const m = parseMarginsRequest(base({ lesion: { shape: 'points', points: [[1, 2, 3]] } }));
    expect(m.orientation).toEqual({ '+x': '+x', '-x': '-x', '+y': '+y', '-y': '-y', '+z': '+z', '-z': '-z' });
    expect(m.lesion).toEqual({ shape: 'points', points: [[1, 2, 3]], radius: 0 });
    const t = parseMarginsRequest({ histology: 'dcis', twoView: { views: [
      { projection: 'z', specimen: { min: [-20, -15], max: [20, 15] }, lesion: { min: [-2, -2], max: [3, 3] } },
      { projection: 'x', specimen: { min: [-15, -10], max: [15, 10] }, lesion: { min: [-2, -1], max: [3, 2] } }] } });
    expect(t.specimen.shape).toBe('ellipsoid');
    expect(t.lesion.shape).toBe('ellipsoid');
  });
});

describe('cross-field and presence rules, in the order the request is read', () => {
  it('twoView or specimen and lesion; histology unless a threshold', () => {
    expect(refusal({})).toEqual([{ code: 'missing_field', path: 'specimen' }, { code: 'missing_field', path: 'lesion' }, { code: 'missing_field', path: 'histology' }]);
    // The missing lesion is reported before what is wrong with the specimen, as it always was.
    expect(refusal({ specimen: sphere(0), threshold: 99 })).toEqual([
      { code: 'missing_field', path: 'lesion' }, { code: 'out_of_range', path: 'specimen.radius' }, { code: 'out_of_range', path: 'threshold' }]);
    const views = [
      { projection: 'z', specimen: { min: [-20, -15], max: [20, 15] }, lesion: { min: [-2, -2], max: [3, 3] } },
      { projection: 'z', specimen: { min: [-15, -10], max: [15, 10] }, calcifications: [[1, 'x']] },
    ];
    expect(refusal(base({ twoView: { views } }))).toEqual([
      { code: 'invalid_unit', path: 'twoView.views[1].calcifications[0][1]' },
      { code: 'duplicate_value', path: 'twoView.views[1].projection' },
      { code: 'invalid_value', path: 'twoView' },
    ]);
  });

  it('an orientation name used twice is refused where it is repeated, naming the direction that had it last', () => {
    const o = { '+x': 'a', '-x': 'a', '+y': 'a', '-y': 5, '+z': 'b', '-z': ' ' };
    try {
      parseMarginsRequest(base({ orientation: o }));
      expect.unreachable();
    } catch (e) {
      expect((e as StereotaxError).issues.map((i) => [i.code, i.path, i.expected])).toEqual([
        ['duplicate_value', 'orientation["-x"]', 'a name not already used (it names +x too)'],
        ['duplicate_value', 'orientation["+y"]', 'a name not already used (it names -x too)'],
        ['invalid_type', 'orientation["-y"]', 'a string'],
        ['invalid_value', 'orientation["-z"]', 'a margin name'],
      ]);
    }
  });

  it('an extent needs max above min on each axis (at equality refused)', () => {
    const view = (max0: number) => ({ projection: 'z', specimen: { min: [-20, -15], max: [max0, 15] }, lesion: { min: [-2, -2], max: [3, 3] } });
    const req = (max0: number) => ({ histology: 'dcis', twoView: { views: [view(max0), { ...view(20), projection: 'x' }] } });
    expect(refusal(req(-20))).toEqual([{ code: 'out_of_range', path: 'twoView.views[0].specimen.max[0]' }]);
    expect(refusal(req(-19))).toEqual([]);
  });
});

// ---------------------------------------------------------------- the published schema

type Schema = Record<string, unknown>;
const doc = publishedSchema('margins-request') as Schema;
const defs = doc.$defs as Record<string, Schema>;
const deref = (s: Schema): Schema => (typeof s.$ref === 'string' ? deref(defs[s.$ref.replace('#/$defs/', '')]) : s);
/** The number branch of a length, at a path of property names, item steps ('*') and oneOf picks ('shape=...'). */
function numberAt(path: string[]): Schema {
  let s = deref(defs.request);
  for (const step of path) {
    s = deref(s);
    if (step.startsWith('shape=')) s = (s.oneOf as Schema[]).find((o) => ((o.properties as Record<string, Schema>).shape.enum as string[])[0] === step.slice(6))!;
    else if (step === '*') s = s.items as Schema;
    else s = (s.properties as Record<string, Schema>)[step];
  }
  s = deref(s);
  return (s.anyOf as Schema[]).find((o) => o.type === 'number')!;
}

describe('the published margins-request schema states the validator\'s ranges', () => {
  const PUBLISHED: [string[], number][] = [
    [['lesion', 'shape=sphere', 'center', '*'], 0],
    [['specimen', 'shape=sphere', 'radius'], 1],
    [['lesion', 'shape=ellipsoid', 'semiAxes', '*'], 2],
    [['lesion', 'shape=box', 'size', '*'], 3],
    [['lesion', 'shape=points', 'radius'], 4],
    [['lesion', 'shape=points', 'points', '*', '*'], 5],
    [['markers', '*', 'point', '*'], 6],
    [['threshold'], 7],
  ];
  for (const [path, i] of PUBLISHED) {
    const leaf = LEAVES[i];
    it(`${path.join('.')}: minimum and maximum are the bounds the validator holds (${leaf.name})`, () => {
      const n = numberAt(path);
      expect([n.minimum, n.maximum]).toEqual([leaf.min, leaf.max]);
      // Probed through the validator: at the published bounds accepted, beyond refused.
      expect(refusal(leaf.at(n.minimum as number))).toEqual([]);
      expect(refusal(leaf.at(n.maximum as number))).toEqual([]);
      expect(refusal(leaf.at((n.maximum as number) + 1e-6))).toContainEqual({ code: 'out_of_range', path: leaf.path });
      expect(refusal(leaf.at((n.minimum as number) - 1e-6))).toContainEqual({ code: 'out_of_range', path: leaf.path });
    });
  }

  it('the two-view extents and calcification counts match too', () => {
    const pair = numberAt(['twoView', 'views', '*', 'specimen', 'min', '*']);
    expect([pair.minimum, pair.maximum]).toEqual([-1000, 1000]);
    const calcs = deref(deref(deref(defs.twoView).properties as Schema).views as Schema);
    expect((calcs.minItems as number)).toBe(2);
    const points = deref((deref(defs.lesion).oneOf as Schema[])[3]);
    expect(((points.properties as Record<string, Schema>).points.maxItems)).toBe(2000);
    expect(((deref(defs.request).properties as Record<string, Schema>).markers.maxItems)).toBe(100);
  });
});
