// The targeting request's definition (src/targeting/request-schema.ts, src/needle/schema.ts)
// against what the engine does with it: for every numeric leaf, the bounds the published
// schema states are the ones the validator holds (at an inclusive bound accepted, at an
// exclusive one refused, a step beyond refused at that field's path, a step inside taken),
// by the complete check and the generated fast path alike; defaults applied as published.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { publishedSchema } from '../../src/schemas/index.js';
import { checkTargetingRequest, fastTargetingRequest, parseTargetingRequest } from '../../src/targeting/targeting.js';

type J = Record<string, unknown>;
type Seg = string | number;
const doc = publishedSchema('targeting-request') as J;
const defs = doc.$defs as Record<string, J>;
const deref = (s: J): J => (typeof s.$ref === 'string' ? deref(defs[s.$ref.replace('#/$defs/', '')]) : s);

/** The published number schema at a request path (through $refs, the branch holding the next key, a quantity's number). */
function publishedAt(root: string, path: Seg[]): J {
  let s = deref(defs[root]);
  for (const seg of path) {
    // A union's branches (an object's own oneOf only constrains which fields are given).
    const branches = s.properties ? undefined : ((s.oneOf ?? s.anyOf) as J[] | undefined)?.map(deref);
    if (branches) s = branches.find((b) => (typeof seg === 'number' ? b.type === 'array' : (b.properties as J | undefined)?.[seg] !== undefined)) ?? branches[0];
    s = deref(typeof seg === 'number' ? (s.items as J) : ((s.properties as Record<string, J>)[seg]));
  }
  const branches = ((s.oneOf ?? s.anyOf) as J[] | undefined)?.map(deref);
  return branches ? branches.find((b) => b.type === 'number' || b.type === 'integer')! : s;
}

const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const stereo = (): J => ({
  geometry: { ...G }, thickness: 45, views: [{ angle: 15, u: 10, v: 30 }, { angle: -15, u: -5, v: 30 }],
  imageSigma: 0.2, maxRayGap: 2,
  needle: { device: { gauge: 14, throw: 0, apertureLength: 10, tipLength: 0, outerDiameter: 2 }, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 },
});
const pixels = (): J => ({
  geometry: { ...G }, thickness: 45, detector: { pixelSpacing: { col: 0.1, row: 0.1 }, origin: { col: 0, row: 0 } },
  views: [{ angle: 15, col: 100, row: 300 }, { angle: -15, col: -50, row: 300 }],
});
const tomo = (): J => ({ thickness: 45, tomosynthesis: { slice: 2, col: 10, row: 20, sliceSpacing: 1, firstSliceHeight: 0.5, pixelSpacing: 0.1, origin: [0, 0] } });

/** Leaves whose range the base request lets the value reach both ends of (cross-field rules aside). */
const LEAVES: { root: string; base: () => J; path: Seg[]; fast: boolean }[] = [
  { root: 'stereoRequest', base: stereo, path: ['thickness'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['imageSigma'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['maxRayGap'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['views', 0, 'u'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['views', 1, 'v'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'device', 'throw'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'device', 'apertureLength'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'device', 'tipLength'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'device', 'outerDiameter'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'device', 'gauge'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'minStrokeMargin'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'warnStrokeMargin'], fast: true },
  { root: 'stereoRequest', base: stereo, path: ['needle', 'minClearance'], fast: true },
  { root: 'stereoRequest', base: pixels, path: ['detector', 'pixelSpacing', 'col'], fast: false },
  { root: 'stereoRequest', base: pixels, path: ['views', 0, 'col'], fast: false },
  { root: 'tomosynthesisRequest', base: tomo, path: ['tomosynthesis', 'sliceSpacing'], fast: false },
  { root: 'tomosynthesisRequest', base: tomo, path: ['tomosynthesis', 'firstSliceHeight'], fast: false },
  { root: 'tomosynthesisRequest', base: tomo, path: ['tomosynthesis', 'col'], fast: false },
];

function setAt(o: J, path: Seg[], value: unknown): J {
  let node = o as Record<Seg, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<Seg, unknown>;
  node[path[path.length - 1]] = value;
  return o;
}
const pathText = (path: Seg[]) => path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

/** The engine's verdict: accepted, or the issues' codes and paths. */
function verdict(r: J): { ok: true } | { ok: false; issues: string[] } {
  try {
    parseTargetingRequest(r);
    return { ok: true };
  } catch (e) {
    expect(e).toBeInstanceOf(StereotaxError);
    return { ok: false, issues: (e as StereotaxError).issues.map((i) => `${i.code} ${i.path}`) };
  }
}

/** Where a pixel mark or origin is converted, a pixel far from the origin is refused as more than 1000 mm away: keep the others in step. */
function shifted(leaf: (typeof LEAVES)[number], x: number): J {
  const r = setAt(leaf.base(), leaf.path, x);
  if (leaf.path[0] === 'tomosynthesis' && leaf.path[1] === 'firstSliceHeight') (r.tomosynthesis as J).slice = 1;
  // Pixels of 1 nm: a million pixels is 1 mm on the detector, so only the pixel bound is probed.
  if (leaf.path[0] === 'views' && leaf.path[2] === 'col') ((r.detector as J).pixelSpacing as J).col = 1e-6;
  return r;
}

describe('[API-020] the targeting definition: published bounds are the validator\'s', () => {
  for (const leaf of LEAVES) {
    const s = publishedAt(leaf.root, leaf.path);
    const where = pathText(leaf.path);
    it(`${where}: ${JSON.stringify({ min: s.minimum, max: s.maximum, above: s.exclusiveMinimum, below: s.exclusiveMaximum })}`, () => {
      const bounds: [number, boolean, 1 | -1][] = [];
      if (typeof s.minimum === 'number') bounds.push([s.minimum, true, -1]);
      if (typeof s.exclusiveMinimum === 'number') bounds.push([s.exclusiveMinimum, false, -1]);
      if (typeof s.maximum === 'number') bounds.push([s.maximum, true, 1]);
      if (typeof s.exclusiveMaximum === 'number') bounds.push([s.exclusiveMaximum, false, 1]);
      expect(bounds.length, 'bounded on both sides').toBe(2);
      const integer = s.type === 'integer';
      const inRange = (x: number) => bounds.every(([b, inclusive, side]) => (side < 0 ? (inclusive ? x >= b : x > b) : (inclusive ? x <= b : x < b)))
        && (!integer || Number.isInteger(x));
      // Integers from the bound outwards and inwards, in steps of 1/1000 (whole steps for an integer field).
      fc.assert(fc.property(fc.constantFrom(...bounds), fc.integer({ min: -3, max: 3 }), ([b], k) => {
        const x = integer ? b + k : b + k / 1000;
        const r = shifted(leaf, x);
        const v = verdict(r);
        if (inRange(x)) {
          expect(v, `${where} = ${x}`).toEqual({ ok: true });
          if (leaf.fast) expect(fastTargetingRequest(r), `${where} = ${x}: the fast path takes it`).toStrictEqual(checkTargetingRequest(r));
        } else {
          expect(v.ok, `${where} = ${x}`).toBe(false);
          if (!v.ok) expect(v.issues, `${where} = ${x}`).toEqual([`out_of_range ${where}`]);
          if (leaf.fast) expect(fastTargetingRequest(r), `${where} = ${x}: the fast path steps aside`).toBeUndefined();
        }
      }), { numRuns: 40 });
    });
  }

  it('defaults are the published ones, applied when a field is absent', () => {
    const needle = deref(defs.needle).properties as Record<string, J>;
    const r = parseTargetingRequest({ geometry: G, thickness: 45, views: [{ angle: 15, u: 10, v: 30 }, { angle: -15, u: -5, v: 30 }], needle: { device: { throw: 0, apertureLength: 10, tipLength: 0 } } });
    expect(r).toMatchObject({
      maxRayGap: (deref(defs.stereoRequest).properties as Record<string, J>).maxRayGap.default,
      needle: { approach: needle.approach.default, minStrokeMargin: needle.minStrokeMargin.default, warnStrokeMargin: needle.warnStrokeMargin.default, minClearance: needle.minClearance.default },
    });
    const t = parseTargetingRequest(tomo()) as unknown as { tomosynthesis: J };
    const setup = deref(defs.tomosynthesis).properties as Record<string, J>;
    expect(t.tomosynthesis).toMatchObject({ firstSlice: setup.firstSlice.default, sliceDirection: setup.sliceDirection.default, colAxis: setup.colAxis.default, rowAxis: setup.rowAxis.default });
  });

  it('a unit string is held to the same range after conversion (complete and fast paths)', () => {
    for (const [thickness, ok] of [['30 cm', true], ['30.01 cm', false], ['0 mm', false]] as const) {
      const r = { ...stereo(), thickness };
      expect(verdict(r).ok, String(thickness)).toBe(ok);
      if (ok) expect(fastTargetingRequest(r)).toStrictEqual(checkTargetingRequest(r));
      else expect(fastTargetingRequest(r)).toBeUndefined();
    }
  });
});
