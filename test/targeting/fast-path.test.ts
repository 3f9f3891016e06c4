// The single-request fast path (src/targeting/fast-path.ts, written where a mutation run showed
// tests missing): the key scans, prototypeTouched, fastTargetingRequest, fastRequest,
// fastNeedle, the source-height cache, qty, and in the compute part same(), the lastEngine cache and the reconfigure
// check of scratchBatch. Contract: a common request is taken and equals the complete check
// (toStrictEqual); anything else, valid or not, is left to the complete check (undefined).
// Every bound is checked against the complete check in the same test. The properties in
// test/cli/request-path.test.ts ('the fast path equals the complete check', Object.prototype
// pollution) are not repeated here.
//
// Judged equivalent (no input can tell them from the original):
// - `if (rk|gk|vk|nk|dk === UNKNOWN) return undefined` forced false or removed: a scan that
//   returns 0 sets no bit, so no field is read and the request is refused further on anyway
//   (geometry undefined, lengths NaN, device undefined).
// - `request === null` / `typeof request !== 'object'` forced false (and the same in the
//   geometry and view checks, `o !== null` / `typeof o === 'object'` forced true in
//   isPlainObject): Object.getPrototypeOf of a primitive is never Object.prototype, and of
//   null or undefined it throws, which fastTargetingRequest's catch turns into undefined.
// - The catch block of fastTargetingRequest emptied: `input` is still undefined after a throw,
//   so `input && ...` returns undefined.
// - `sourceToSupport <= 2000` forced true, and `rotationAxisHeight <= 2000` forced true or
//   made `<`: implied by sourceToSupport <= sourceToDetector <= 2000 and
//   rotationAxisHeight < sourceToSupport (the tests below show both bounds refused anyway).
// - `typeof gauge === 'number'` forced true: Number.isInteger is false for every non-number.
// - `'angle'` emptied in the three angle qty calls: fastQuantity treats every quantity other
//   than 'length' as an angle.
// - sourceHeight: `g.sourceToDetector !== heightG0` forced false (the source height does not
//   depend on sourceToDetector), `heightG0/heightG1/heightG2 = ...` or `heightAngle[k] = angle`
//   removed, `heightAngle[k] !== angle` forced true: these only make the cache miss more
//   often (recompute the same number).
// - same(): `a === b` forced false, `||` made `&&` in `a !== 0 || 1 / a === 1 / b`, the NaN
//   branch forced false: each only reconfigures when nothing changed (same sources).
// - scratchBatch: `engine === lastEngine` forced false, `lastEngine = engine` removed,
//   `if (!unchanged)` forced true, `s.buffer !== buffer` forced true: more lookups,
//   configures or view rebuilds, the same numbers.
// - same(): `a !== 0` forced true or made `a === 0`, `1 / a === 1 / b` made `!==` (angle 0
//   and -0 then share a configuration): the sources differ only in the sign of x = r sin(+-0),
//   and no output carries it. Measured with the 'angle 0 then -0' test below, marks at u = 0
//   and u = -0 under the source and imageSigma (covariance, Jacobian): every result equal
//   (Object.is) to a fresh engine's with each mutant applied. rotationAxisHeight 0 / -0 cannot
//   differ either (z = rah + r cos a > 0, x does not use it).
// Not killed here on purpose: prototypeTouched() never true, and the check after fastRequest
// forced true: test/cli/request-path.test.ts ('an enumerable key on Object.prototype ...') covers
// both, and the brief was not to repeat it.
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import {
  MIN_ANGLE_SEPARATION, checkTargetingRequest, computeTargeting, fastTargetingRequest, targetWith,
  type TargetingInput,
} from '../../src/targeting/targeting.js';
import { sourcePosition, type UnitGeometry } from '../../src/targeting/geometry.js';
import { refusal } from '../helpers/refusal.js';
import { refProject } from '../reference/independent.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type R = Record<string, any>;

const G: UnitGeometry = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const E = 1e-9;
const V0 = () => ({ angle: 15, u: 10, v: 30 });
const V1 = () => ({ angle: -15, u: -5, v: 30 });
const base = (over: R = {}): R => ({ geometry: { ...G }, thickness: 45, views: [V0(), V1()], ...over });
const geo = (g: Partial<UnitGeometry>, over: R = {}): R => base({ geometry: { ...G, ...g }, ...over });
const view0 = (w: R): R => base({ views: [{ ...V0(), ...w }, V1()] });
const DEVICE = () => ({ throw: 20, apertureLength: 18, tipLength: 4 });
const needle = (n: R): R => base({ needle: { device: DEVICE(), ...n } });
const device = (d: R): R => base({ needle: { device: { ...DEVICE(), ...d } } });
/** Every field the fast path knows, none at its default. */
const full = (): R => ({
  id: 'case-1',
  geometry: { ...G },
  thickness: 45,
  views: [{ angle: 15, u: 10, v: 30, label: 'CC+15' }, { angle: -15, u: -5, v: 30, label: 'CC-15' }],
  imageSigma: 0.2,
  maxRayGap: 2,
  needle: {
    approach: 'vertical',
    device: { name: 'gun', gauge: 14, throw: 20, apertureLength: 18, tipLength: 4, outerDiameter: 2.1 },
    minStrokeMargin: 1, warnStrokeMargin: 3, minClearance: 0.5,
  },
});
/** n views, distinct angles -63, -61, ... (a 65th at 0). */
const manyViews = (n: number) => Array.from({ length: n }, (_, k) => ({ angle: k < 64 ? -63 + 2 * k : 0, u: k, v: 30 }));

/** Taken by the fast path, and exactly what the complete check returns. */
function taken(r: unknown): TargetingInput {
  const fast = fastTargetingRequest(r);
  expect(fast, 'the fast path takes it').toBeDefined();
  expect(fast).toStrictEqual(checkTargetingRequest(r));
  return fast!;
}
/** Left to the complete check, which refuses it (at `path` when given). */
function refused(r: unknown, path?: string): void {
  expect(fastTargetingRequest(r), 'the fast path steps aside').toBeUndefined();
  const e = refusal(() => checkTargetingRequest(r));
  if (path !== undefined) expect(e.issues.map((i) => i.path)).toContain(path);
}
/** Valid, but not a common request: the fast path steps aside, the complete check takes it. */
function stepsAside(r: unknown): TargetingInput {
  expect(fastTargetingRequest(r), 'the fast path steps aside').toBeUndefined();
  return checkTargetingRequest(r);
}
function prevDouble(x: number): number {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  i[0] += x > 0 ? -1n : 1n;
  return f[0];
}
function getPath(o: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((a, k) => (a as R)[k], o);
}
function setPath(o: R, path: (string | number)[], value: unknown): R {
  (getPath(o, path.slice(0, -1)) as R)[path[path.length - 1]] = value;
  return o;
}
const pathText = (path: (string | number)[]) => path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

/** With sourceToSupport 250 and cos 1, rah + (250 - rah) rounds to just above 250 for this rah. */
const ROUNDING_RAH = -1998.9178;
const hz = (g: UnitGeometry, angle: number) => sourcePosition({ x: 0, y: 0, z: 0 }, g, angle).z;

describe('every range bound of fastRequest and fastNeedle: at the bound taken, just past it refused by both', () => {
  const G100 = { sourceToDetector: 100, sourceToSupport: 80 };
  const steep = (angle: number) => base({ geometry: { ...G, rotationAxisHeight: 600 }, thickness: 10, views: [{ angle, u: 0, v: 0 }, { angle: 0, u: 0, v: 0 }] });
  const H = { sourceToDetector: 660, sourceToSupport: 200, rotationAxisHeight: -20 };
  const high = (thickness: number) => base({ geometry: { ...H }, thickness, views: [{ angle: 60, u: 0, v: 0 }, { angle: 0, u: 0, v: 0 }] });
  const apart = (b: number) => base({ views: [{ angle: 0, u: 0, v: 0 }, { angle: b, u: 0, v: 0 }] });
  const bounds: [string, R, R, string][] = [
    ['sourceToDetector >= 100', geo(G100, { thickness: 10 }), geo({ ...G100, sourceToDetector: 100 - E }, { thickness: 10 }), 'geometry.sourceToDetector'],
    ['sourceToDetector <= 2000', geo({ sourceToDetector: 2000 }), geo({ sourceToDetector: 2000 + E }), 'geometry.sourceToDetector'],
    ['sourceToSupport >= 50', geo({ sourceToSupport: 50 }, { thickness: 10 }), geo({ sourceToSupport: 50 - E }, { thickness: 10 }), 'geometry.sourceToSupport'],
    ['sourceToSupport <= 2000', geo({ sourceToDetector: 2000, sourceToSupport: 2000 }), geo({ sourceToDetector: 2000, sourceToSupport: 2000 + E }), 'geometry.sourceToSupport'],
    ['rotationAxisHeight >= -2000', geo({ rotationAxisHeight: -2000 }), geo({ rotationAxisHeight: -2000 - E }), 'geometry.rotationAxisHeight'],
    // 2000 itself is never valid (it must be below sourceToSupport <= 2000): the nearest valid value.
    ['rotationAxisHeight <= 2000', geo({ sourceToDetector: 2000, sourceToSupport: 2000, rotationAxisHeight: 2000 - E }), geo({ sourceToDetector: 2000, sourceToSupport: 2000, rotationAxisHeight: 2000 + E }), 'geometry.rotationAxisHeight'],
    ['sourceToSupport <= sourceToDetector', geo({ sourceToDetector: 640 }), geo({ sourceToDetector: 640 - E }), 'geometry.sourceToSupport'],
    ['rotationAxisHeight < sourceToSupport', geo({ rotationAxisHeight: 640 - E }), geo({ rotationAxisHeight: 640 }), 'geometry.rotationAxisHeight'],
    ['thickness > 0', base({ thickness: Number.MIN_VALUE }), base({ thickness: 0 }), 'thickness'],
    ['thickness <= 300', base({ thickness: 300 }), base({ thickness: 300 + E }), 'thickness'],
    ['id of at most 200 characters', base({ id: 'x'.repeat(200) }), base({ id: 'x'.repeat(201) }), 'id'],
    ['imageSigma >= 0', base({ imageSigma: 0 }), base({ imageSigma: -E }), 'imageSigma'],
    ['imageSigma <= 10', base({ imageSigma: 10 }), base({ imageSigma: 10 + E }), 'imageSigma'],
    ['maxRayGap > 0', base({ maxRayGap: Number.MIN_VALUE }), base({ maxRayGap: 0 }), 'maxRayGap'],
    ['maxRayGap <= 100', base({ maxRayGap: 100 }), base({ maxRayGap: 100 + E }), 'maxRayGap'],
    ['at least 2 views', base({ views: manyViews(2) }), base({ views: manyViews(1) }), 'views'],
    ['at most 64 views', base({ views: manyViews(64) }), base({ views: manyViews(65) }), 'views'],
    ['angle < 90', steep(90 - E), steep(90), 'views[0].angle'],
    ['angle > -90', steep(-90 + E), steep(-90), 'views[0].angle'],
    ['u >= -1000', view0({ u: -1000 }), view0({ u: -1000 - E }), 'views[0].u'],
    ['u <= 1000', view0({ u: 1000 }), view0({ u: 1000 + E }), 'views[0].u'],
    ['v >= -1000', view0({ v: -1000 }), view0({ v: -1000 - E }), 'views[0].v'],
    ['v <= 1000', view0({ v: 1000 }), view0({ v: 1000 + E }), 'views[0].v'],
    ['label of at most 200 characters', view0({ label: 'l'.repeat(200) }), view0({ label: 'l'.repeat(201) }), 'views[0].label'],
    ['angles at least MIN_ANGLE_SEPARATION apart', apart(MIN_ANGLE_SEPARATION), apart(0.999e-6), 'views[1].angle'],
    ['source above the thickness', high(prevDouble(hz(H, 60))), high(hz(H, 60)), 'views[0].angle'],
    ['gauge >= 5', device({ gauge: 5 }), device({ gauge: 4 }), 'needle.device.gauge'],
    ['gauge <= 34', device({ gauge: 34 }), device({ gauge: 35 }), 'needle.device.gauge'],
    ['throw >= 0', device({ throw: 0 }), device({ throw: -E }), 'needle.device.throw'],
    ['throw <= 100', device({ throw: 100 }), device({ throw: 100 + E }), 'needle.device.throw'],
    ['apertureLength > 0', device({ apertureLength: Number.MIN_VALUE }), device({ apertureLength: 0 }), 'needle.device.apertureLength'],
    ['apertureLength <= 100', device({ apertureLength: 100 }), device({ apertureLength: 100 + E }), 'needle.device.apertureLength'],
    ['tipLength >= 0', device({ tipLength: 0 }), device({ tipLength: -E }), 'needle.device.tipLength'],
    ['tipLength <= 50', device({ tipLength: 50 }), device({ tipLength: 50 + E }), 'needle.device.tipLength'],
    ['outerDiameter > 0', device({ outerDiameter: Number.MIN_VALUE }), device({ outerDiameter: 0 }), 'needle.device.outerDiameter'],
    ['outerDiameter <= 15', device({ outerDiameter: 15 }), device({ outerDiameter: 15 + E }), 'needle.device.outerDiameter'],
    ['device name of at most 200 characters', device({ name: 'n'.repeat(200) }), device({ name: 'n'.repeat(201) }), 'needle.device.name'],
    ['minStrokeMargin >= -50', needle({ minStrokeMargin: -50 }), needle({ minStrokeMargin: -50 - E }), 'needle.minStrokeMargin'],
    ['minStrokeMargin <= 50', needle({ minStrokeMargin: 50 }), needle({ minStrokeMargin: 50 + E }), 'needle.minStrokeMargin'],
    ['warnStrokeMargin >= -50', needle({ warnStrokeMargin: -50 }), needle({ warnStrokeMargin: -50 - E }), 'needle.warnStrokeMargin'],
    ['warnStrokeMargin <= 50', needle({ warnStrokeMargin: 50 }), needle({ warnStrokeMargin: 50 + E }), 'needle.warnStrokeMargin'],
    ['minClearance >= 0', needle({ minClearance: 0 }), needle({ minClearance: -E }), 'needle.minClearance'],
    ['minClearance <= 50', needle({ minClearance: 50 }), needle({ minClearance: 50 + E }), 'needle.minClearance'],
  ];
  for (const [name, at, past, path] of bounds) {
    it(name, () => {
      taken(at);
      refused(past, path);
    });
  }

  it('thickness < sourceToSupport: at equality refused even when every source is above it', () => {
    // Angles +-5e-7 deg have cos 1, and for this rotationAxisHeight the rounded source
    // height is just above sourceToSupport: only `thickness >= sourceToSupport` refuses.
    const g = { sourceToDetector: 660, sourceToSupport: 250, rotationAxisHeight: ROUNDING_RAH };
    const at = (thickness: number) => base({ geometry: { ...g }, thickness, views: [{ angle: 5e-7, u: 0, v: 0 }, { angle: -5e-7, u: 0, v: 0 }] });
    expect(hz(g, 5e-7)).toBeGreaterThan(250);
    expect(hz(g, -5e-7)).toBeGreaterThan(250);
    taken(at(prevDouble(250)));
    expect(fastTargetingRequest(at(250))).toBeUndefined();
    expect(refusal(() => checkTargetingRequest(at(250))).issues.map((i) => i.path)).toEqual(['thickness']);
  });

  it('a gauge must be a whole number, not a string', () => {
    taken(device({ gauge: 14 }));
    refused(device({ gauge: 9.5 }), 'needle.device.gauge');
    refused(device({ gauge: '9' }), 'needle.device.gauge');
  });

  it('id, label and name must be strings (not numbers, null or arrays with a length)', () => {
    for (const bad of [5, null, ['x'], { length: 1 }]) {
      refused(base({ id: bad }), 'id');
      refused(view0({ label: bad }), 'views[0].label');
      refused(device({ name: bad }), 'needle.device.name');
    }
    taken(base({ id: '' }));
  });

  it('[TGT-004] duplicate angles: any earlier view, either side', () => {
    refused(base({ views: [{ angle: 10, u: 0, v: 0 }, { angle: 10 - 5e-7, u: 0, v: 0 }] }), 'views[1].angle');
    refused(base({ views: [{ angle: 10, u: 0, v: 0 }, { angle: 10 + 5e-7, u: 0, v: 0 }] }), 'views[1].angle');
    refused(base({ views: [{ angle: 10, u: 0, v: 0 }, { angle: 20, u: 0, v: 0 }, { angle: 10, u: 1, v: 0 }] }), 'views[2].angle');
    refused(base({ views: [{ angle: 10, u: 0, v: 0 }, { angle: 20, u: 0, v: 0 }, { angle: 20, u: 1, v: 0 }] }), 'views[2].angle');
    taken(base({ views: [{ angle: 10, u: 0, v: 0 }, { angle: 20, u: 0, v: 0 }, { angle: -10, u: 1, v: 0 }] }));
  });

  it('views must be an array (an array-like object is refused)', () => {
    refused(base({ views: { length: 2, 0: V0(), 1: V1() } }), 'views');
    refused(base({ views: 'views' }), 'views');
  });

  it('the warning margin is raised to the error margin', () => {
    const n = taken(needle({ minStrokeMargin: 3, warnStrokeMargin: 1 })).needle!;
    expect([n.minStrokeMargin, n.warnStrokeMargin]).toEqual([3, 3]);
    const m = taken(needle({ minStrokeMargin: 1, warnStrokeMargin: 3 })).needle!;
    expect([m.minStrokeMargin, m.warnStrokeMargin]).toEqual([1, 3]);
  });

  it("approach: absent or 'vertical' taken; 'lateral' left to the complete check; anything else refused", () => {
    expect(taken(needle({})).needle!.approach).toBe('vertical');
    expect(taken(needle({ approach: 'vertical' })).needle!.approach).toBe('vertical');
    const lateral = stepsAside(base({ needle: { approach: 'lateral', device: { ...DEVICE(), outerDiameter: 2 }, lateral: { side: '+x' } } }));
    expect(lateral.needle!.approach).toBe('lateral');
    for (const bad of ['Vertical', '', 5, null]) refused(needle({ approach: bad }), 'needle.approach');
  });
});

describe('optional fields and unknown keys', () => {
  it('every optional field present, none at its default: taken, equal to the complete check', () => {
    const fast = taken(full());
    expect(fast).toMatchObject({ id: 'case-1', imageSigma: 0.2, maxRayGap: 2 });
    expect(fast.needle).toStrictEqual({
      approach: 'vertical', device: { name: 'gun', gauge: 14, throw: 20, apertureLength: 18, tipLength: 4, outerDiameter: 2.1 },
      minStrokeMargin: 1, warnStrokeMargin: 3, minClearance: 0.5,
    });
  });

  it('each optional field alone, and every one absent (no key left undefined, defaults filled in)', () => {
    const plain = taken(base());
    expect(Object.keys(plain).sort()).toEqual(['geometry', 'maxRayGap', 'thickness', 'views']);
    expect(plain.maxRayGap).toBe(1);
    taken(base({ id: 'a' }));
    taken(base({ imageSigma: 0.3 }));
    taken(base({ maxRayGap: 3 }));
    taken(view0({ label: 'L' }));
    const n = taken(needle({})).needle!;
    expect(n).toStrictEqual({ approach: 'vertical', device: DEVICE(), minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 });
    for (const [k, v] of [['name', 'g'], ['gauge', 11], ['outerDiameter', 3]] as const) expect(taken(device({ [k]: v })).needle!.device[k]).toBe(v);
    for (const [k, v] of [['minStrokeMargin', 2], ['warnStrokeMargin', 6], ['minClearance', 1]] as const) expect(taken(needle({ [k]: v })).needle![k]).toBe(v);
  });

  it('a field present with the value undefined is absent, at every level', () => {
    const r = base({ id: undefined, imageSigma: undefined, maxRayGap: undefined, needle: undefined });
    expect(Object.keys(taken(r)).sort()).toEqual(['geometry', 'maxRayGap', 'thickness', 'views']);
    taken(view0({ label: undefined }));
    taken(needle({ approach: undefined, minStrokeMargin: undefined, warnStrokeMargin: undefined, minClearance: undefined }));
    taken(device({ name: undefined, gauge: undefined, outerDiameter: undefined }));
  });

  it('[API-003] an unknown key at each level, first or last: left to the complete check, which refuses it', () => {
    const places: [string, (extra: R, first: boolean) => R][] = [
      ['', (x, f) => (f ? { ...x, ...base() } : { ...base(), ...x })],
      ['geometry.', (x, f) => base({ geometry: f ? { ...x, ...G } : { ...G, ...x } })],
      ['views[1].', (x, f) => base({ views: [V0(), f ? { ...x, ...V1() } : { ...V1(), ...x }] })],
      ['needle.', (x, f) => base({ needle: f ? { ...x, device: DEVICE() } : { device: DEVICE(), ...x } })],
      ['needle.device.', (x, f) => base({ needle: { device: f ? { ...x, ...DEVICE() } : { ...DEVICE(), ...x } } })],
    ];
    for (const [prefix, make] of places) {
      for (const first of [true, false]) refused(make({ extra: 1 }, first), `${prefix}extra`);
    }
    // Keys that belong one level up or down are unknown here too.
    refused(base({ geometry: { ...G, thickness: 45 } }), 'geometry.thickness');
    refused(base({ views: [{ ...V0(), id: 'x' }, V1()] }), 'views[0].id');
    refused(needle({ lateral: { side: '+x' } }), 'needle.lateral');
    refused(base({ needle: { device: { ...DEVICE(), approach: 'vertical' } } }), 'needle.device.approach');
  });

  it('a missing required field at each level is refused', () => {
    for (const path of [['geometry'], ['thickness'], ['views'], ['geometry', 'sourceToDetector'], ['geometry', 'sourceToSupport'],
      ['geometry', 'rotationAxisHeight'], ['views', 0, 'angle'], ['views', 0, 'u'], ['views', 1, 'v'], ['needle', 'device'],
      ['needle', 'device', 'throw'], ['needle', 'device', 'apertureLength'], ['needle', 'device', 'tipLength']] as (string | number)[][]) {
      const r = full();
      delete (getPath(r, path.slice(0, -1)) as R)[path[path.length - 1]];
      refused(r, pathText(path));
    }
  });

  it('not a plain object at each level (class instance, array, null, string): left to the complete check, refused', () => {
    class Bag { constructor(o: R) { Object.assign(this, o); } }
    const sites: [(string | number)[], R][] = [[['geometry'], { ...G }], [['views', 0], V0()], [['needle'], { device: DEVICE() }], [['needle', 'device'], DEVICE()]];
    for (const [path, value] of sites) {
      for (const bad of [new Bag(value), Object.assign([], value), null, 'x']) refused(setPath(full(), path, bad), pathText(path));
    }
    refused(new Bag(base()), '');
    refused(Object.assign([], base()), '');
    refused(null, '');
  });

  it('fields inherited from Object.prototype (not enumerable) are not fields of the request', () => {
    // The scans see own keys only; a field is read only when its scan saw it. The complete
    // check's snapshot (Checker.object) has no prototype, so it ignores the inherited value
    // too: both equal the check of the same request with Object.prototype untouched.
    const proto = Object.prototype as R;
    const minimal = () => base({ needle: { device: DEVICE() } });
    const expected = checkTargetingRequest(minimal());
    // Optional fields the request lacks: the inherited value is not taken.
    const inherited: [string, unknown][] = [
      ['id', 'inherited'], ['imageSigma', 0.5], ['maxRayGap', 7], ['label', 'inherited'], ['approach', 'lateral'], ['minStrokeMargin', 2],
      ['warnStrokeMargin', 7], ['minClearance', 1], ['name', 'inherited'], ['gauge', 14], ['outerDiameter', 2],
    ];
    for (const [key, value] of inherited) {
      let fast: unknown, complete: unknown;
      Object.defineProperty(proto, key, { value, enumerable: false, configurable: true, writable: true });
      try {
        fast = fastTargetingRequest(minimal());
        complete = checkTargetingRequest(minimal());
      } finally {
        delete proto[key];
      }
      expect(fast, key).toStrictEqual(expected);
      expect(complete, key).toStrictEqual(expected);
    }
    const required: [(string | number)[], unknown][] = [
      [['geometry'], G], [['thickness'], 45], [['views'], [V0(), V1()]], [['geometry', 'sourceToDetector'], 660],
      [['geometry', 'sourceToSupport'], 640], [['geometry', 'rotationAxisHeight'], -20], [['views', 0, 'angle'], 15],
      [['views', 0, 'u'], 10], [['views', 0, 'v'], 30], [['needle', 'device'], DEVICE()], [['needle', 'device', 'throw'], 20],
      [['needle', 'device', 'apertureLength'], 18], [['needle', 'device', 'tipLength'], 4],
    ];
    for (const [path, value] of required) {
      const key = path[path.length - 1] as string;
      const r = minimal();
      delete (getPath(r, path.slice(0, -1)) as R)[key];
      let fast: unknown;
      Object.defineProperty(proto, key, { value, enumerable: false, configurable: true, writable: true });
      try {
        fast = fastTargetingRequest(r);
      } finally {
        delete proto[key];
      }
      expect(fast, pathText(path)).toBeUndefined();
      refused(r, pathText(path));
    }
  });
});

describe('unit strings', () => {
  const lengths: (string | number)[][] = [
    ['geometry', 'sourceToDetector'], ['geometry', 'sourceToSupport'], ['geometry', 'rotationAxisHeight'], ['thickness'], ['imageSigma'],
    ['maxRayGap'], ['views', 0, 'u'], ['views', 0, 'v'], ['views', 1, 'u'], ['needle', 'device', 'throw'], ['needle', 'device', 'apertureLength'],
    ['needle', 'device', 'tipLength'], ['needle', 'device', 'outerDiameter'], ['needle', 'minStrokeMargin'], ['needle', 'warnStrokeMargin'],
    ['needle', 'minClearance'],
  ];
  const angles: (string | number)[][] = [['views', 0, 'angle'], ['views', 1, 'angle']];

  it('every length in mm and every angle in deg, at once: taken, equal to the complete check', () => {
    const r = full();
    for (const p of lengths) setPath(r, p, `${getPath(r, p)} mm`);
    for (const p of angles) setPath(r, p, `${getPath(r, p)} deg`);
    expect(taken(r)).toStrictEqual(checkTargetingRequest(full()));
  });

  it('cm and rad, field by field: taken, equal to the complete check', () => {
    for (const p of lengths) {
      const r = full();
      setPath(r, p, `${(getPath(r, p) as number) / 10} cm`);
      expect(getPath(taken(r), p)).toBeCloseTo(getPath(full(), p) as number, 9);
    }
    for (const p of angles) {
      const r = full();
      setPath(r, p, `${((getPath(r, p) as number) * Math.PI) / 180} rad`);
      taken(r);
    }
  });

  it('[API-001] a length in deg, or an angle in mm: refused by both', () => {
    for (const p of lengths) refused(setPath(full(), p, `${getPath(full(), p)} deg`), pathText(p));
    for (const p of angles) refused(setPath(full(), p, `${getPath(full(), p)} mm`), pathText(p));
  });

  it('other units (in, centimeters, degrees): left to the complete check, which takes them', () => {
    for (const p of lengths) {
      const r = setPath(full(), p, `${(getPath(full(), p) as number) / 25.4} in`);
      expect(getPath(stepsAside(r), p)).toBeCloseTo(getPath(full(), p) as number, 9);
    }
    expect(stepsAside(base({ thickness: '4.5 centimeters' })).thickness).toBeCloseTo(45, 12);
    for (const p of angles) expect(getPath(stepsAside(setPath(full(), p, `${getPath(full(), p)} degrees`)), p)).toBe(getPath(full(), p));
  });

  it('a value that only looks like a string (length and charCodeAt) is not one', () => {
    const text = '45 mm';
    const fake = { length: text.length, charCodeAt: (i: number) => text.charCodeAt(i) };
    refused(base({ thickness: fake }), 'thickness');
    refused(base({ thickness: 45n }), 'thickness');
    refused(base({ thickness: true }), 'thickness');
  });
});

describe('[API-005] getters', () => {
  /** A copy of `value` whose every field (at every level) is an enumerable getter counting its reads. */
  function counted(value: unknown, path: string, counts: Map<string, number>): unknown {
    if (Array.isArray(value)) return value.map((v, i) => counted(v, `${path}[${i}]`, counts));
    if (value === null || typeof value !== 'object') return value;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const inner = counted(v, p, counts);
      counts.set(p, 0);
      Object.defineProperty(out, k, { enumerable: true, configurable: true, get() { counts.set(p, counts.get(p)! + 1); return inner; } });
    }
    return out;
  }

  it('every field, at every level, is read once', () => {
    const counts = new Map<string, number>();
    const r = counted(full(), '', counts);
    const fast = fastTargetingRequest(r);
    expect(fast).toStrictEqual(checkTargetingRequest(full()));
    expect(counts.size).toBe(29);
    expect(Object.fromEntries(counts)).toStrictEqual(Object.fromEntries([...counts.keys()].map((k) => [k, 1])));
  });

  it('a getter that throws, at any field: left to the complete check, which names the field', () => {
    const all: (string | number)[][] = [];
    const walk = (o: unknown, path: (string | number)[]) => {
      if (o === null || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        const p = [...path, Array.isArray(o) ? Number(k) : k];
        if (!Array.isArray(o)) all.push(p);
        walk(v, p);
      }
    };
    walk(full(), []);
    expect(all).toHaveLength(29);
    for (const p of all) {
      const r = full();
      Object.defineProperty(getPath(r, p.slice(0, -1)), p[p.length - 1], { enumerable: true, get() { throw new Error('boom'); } });
      expect(fastTargetingRequest(r), pathText(p)).toBeUndefined();
      const e = refusal(() => checkTargetingRequest(r));
      expect(e.issues.find((i) => i.path === pathText(p)), pathText(p)).toMatchObject({ code: 'invalid_value', received: 'a field whose reading threw' });
    }
  });
});

describe('[API-045] the source-height cache (per view index, with the geometry it came from)', () => {
  // At 80 degrees the source of G is 94.6 mm high; with sourceToSupport 200 it is 18.2 mm,
  // with rotationAxisHeight -1000 it is below the support. Thickness 45 fits only G.
  const at = (g: Partial<UnitGeometry>, a0: number, a1: number, thickness = 45) =>
    base({ geometry: { ...G, ...g }, thickness, views: [{ angle: a0, u: 0, v: 0 }, { angle: a1, u: 0, v: 0 }] });

  it('the same angles with another sourceToSupport or rotationAxisHeight: the height is recomputed', () => {
    const seq: [R, string | undefined][] = [
      [at({}, 80, -80), undefined],
      [at({ sourceToSupport: 200 }, 80, -80), 'views[0].angle'],
      [at({}, 80, -80), undefined],
      [at({ rotationAxisHeight: -1000 }, 80, -80), 'views[0].angle'],
      [at({}, 80, -80), undefined],
      [at({ sourceToSupport: 200 }, 80, -80), 'views[0].angle'],
      [at({ rotationAxisHeight: -1000 }, 80, -80), 'views[0].angle'],
      [at({ sourceToSupport: 200 }, 80, -80), 'views[0].angle'],
      [at({}, 80, -80), undefined],
      [at({ sourceToDetector: 700 }, 80, -80), undefined],
      [at({ sourceToDetector: 700, sourceToSupport: 200 }, 80, -80), 'views[0].angle'],
    ];
    for (const [r, path] of seq) {
      if (path) refused(r, path);
      else taken(r);
    }
  });

  it('the same geometry with another angle at the same view index: the height is recomputed', () => {
    const seq: [R, string | undefined][] = [
      [at({}, 10, -10, 100), undefined],
      [at({}, 80, -10, 100), 'views[0].angle'],
      [at({}, 10, -10, 100), undefined],
      [at({}, 10, 80, 100), 'views[1].angle'],
      [at({}, 10, -10, 100), undefined],
      [at({}, -10, 10, 100), undefined],
      [at({}, 80, 10, 100), 'views[0].angle'],
      [at({}, 10, -80, 100), 'views[1].angle'],
      [at({}, 10, -10, 100), undefined],
    ];
    for (const [r, path] of seq) {
      if (path) refused(r, path);
      else taken(r);
    }
  });

  it('the thickness changes against the same cached heights', () => {
    taken(at({}, 80, -80, 90));
    refused(at({}, 80, -80, 95), 'views[0].angle');
    taken(at({}, 80, -80, 90));
  });
});

// ---------------------------------------------------------------------------------------
// The compute side: same(), the reconfigure check and the lastEngine cache of scratchBatch.

const P: [number, number, number] = [4, 30, 20];
const marks = (g: UnitGeometry, angles: number[], extra: R = {}) =>
  ({ geometry: { ...g }, thickness: 45, imageSigma: 0.1, views: angles.map((angle) => ({ angle, ...refProject(g, angle, P) })), ...extra });

type Outcome = { result: unknown } | { error: string };
function outcome(engine: Engine, compute: (e: Engine) => unknown): Outcome {
  try {
    return { result: compute(engine) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
/** What an engine that has never computed anything gives. */
async function fresh(compute: (e: Engine) => unknown): Promise<Outcome> {
  return outcome(await createEngine(), compute);
}

describe('[API-045] same() and the reconfigure check: a reused engine gives what a fresh one gives', () => {
  it('alternating geometries, one field at a time, and angles, one view at a time', async () => {
    const G2 = { ...G, sourceToDetector: 700 };
    const G3 = { ...G, sourceToSupport: 600 };
    const G4 = { ...G, rotationAxisHeight: -40 };
    const requests = [
      marks(G, [15, -15]), marks(G2, [15, -15]), marks(G3, [15, -15]), marks(G4, [15, -15]),
      marks(G, [20, -15]), marks(G, [15, -20]), marks(G, [15, 0, -15]), marks(G, [15, 0, -16]), marks(G, [16, 0, -15]),
    ];
    const expected: Outcome[] = [];
    for (const r of requests) expected.push(await fresh((e) => targetWith(e, r)));
    const engine = await createEngine();
    const order = [0, 1, 0, 2, 0, 3, 0, 1, 2, 3, 1, 0, 4, 0, 5, 0, 4, 5, 6, 7, 6, 8, 6, 0, 7, 8, 0];
    for (const i of order) expect(outcome(engine, (e) => targetWith(e, requests[i])), `request ${i}`).toStrictEqual(expected[i]);
    // Sanity: the requests do differ.
    for (let i = 1; i < requests.length; i++) expect(expected[i]).not.toStrictEqual(expected[0]);
  });

  it('angle 0 then -0 and back, at either view (Object.is, not ===)', async () => {
    // Also a mark at u = -0 or 0 under the source at angle 0 or -0 (u - sourceX signed zero).
    const onAxis = (a: number, u: number, k: 0 | 1) => {
      const r = marks({ ...G }, k === 0 ? [a, 15] : [15, a], { imageSigma: 0.1 });
      r.views[k] = { angle: a, u, v: 30 };
      return r;
    };
    const requests = [marks(G, [0, 15]), marks(G, [-0, 15]), marks(G, [15, 0]), marks(G, [15, -0]),
      onAxis(0, -0, 0), onAxis(-0, -0, 0), onAxis(0, 0, 0), onAxis(-0, 0, 0), onAxis(0, -0, 1), onAxis(-0, -0, 1)];
    const expected: Outcome[] = [];
    for (const r of requests) expected.push(await fresh((e) => targetWith(e, r)));
    const engine = await createEngine();
    for (const i of [0, 1, 0, 1, 1, 0, 2, 3, 2, 3, 3, 2, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, 8, 9]) expect(outcome(engine, (e) => targetWith(e, requests[i])), `request ${i}`).toStrictEqual(expected[i]);
  });

  it('a NaN in a hand-built input (computeTargeting checks nothing): NaN to NaN kept, NaN to a number and back reconfigured', async () => {
    const good = checkTargetingRequest(marks(G, [15, -15]));
    const nan: TargetingInput = { ...good, views: [{ ...good.views[0], angle: NaN }, good.views[1]] };
    const nanGeometry: TargetingInput = { ...good, geometry: { ...G, rotationAxisHeight: NaN } };
    const inputs = [good, nan, nanGeometry];
    const expected: Outcome[] = [];
    for (const input of inputs) expected.push(await fresh((e) => computeTargeting(e, input)));
    expect(expected[1]).not.toStrictEqual(expected[0]);
    const engine = await createEngine();
    for (const i of [0, 1, 1, 0, 1, 0, 2, 2, 0, 2, 1, 2, 0]) expect(outcome(engine, (e) => computeTargeting(e, inputs[i])), `input ${i}`).toStrictEqual(expected[i]);
  });
});

describe('[API-045] the lastEngine cache: each engine computes in its own memory', () => {
  it('two engines alternating get their own results, each computing in its own memory, with no new batch', async () => {
    const rA = marks(G, [15, -15]);
    const rB = marks({ ...G, sourceToDetector: 700, rotationAxisHeight: -30 }, [12, -18]);
    const r3 = marks(G, [15, 0, -15]);
    const eA = await fresh((e) => targetWith(e, rA));
    const eB = await fresh((e) => targetWith(e, rB));
    const e3 = await fresh((e) => targetWith(e, r3));
    const A = await createEngine();
    const B = await createEngine();
    const live = () => [A.memory.liveBlocks, B.memory.liveBlocks];
    const [a0, b0] = live();
    expect(outcome(A, (e) => targetWith(e, rA))).toStrictEqual(eA);
    const [a1] = live();
    expect(a1).toBeGreaterThan(a0);
    expect(live()).toEqual([a1, b0]);
    // B's first request reserves its batch in B's memory, not A's.
    expect(outcome(B, (e) => targetWith(e, rB))).toStrictEqual(eB);
    expect(live()[0]).toBe(a1);
    expect(live()[1]).toBeGreaterThan(b0);
    expect(outcome(B, (e) => targetWith(e, rA))).toStrictEqual(eA);
    expect(outcome(A, (e) => targetWith(e, rB))).toStrictEqual(eB);
    const warm = live();
    for (let i = 0; i < 4; i++) {
      expect(outcome(A, (e) => targetWith(e, rA))).toStrictEqual(eA);
      expect(outcome(B, (e) => targetWith(e, rB))).toStrictEqual(eB);
      expect(outcome(B, (e) => targetWith(e, rA))).toStrictEqual(eA);
      expect(outcome(A, (e) => targetWith(e, rB))).toStrictEqual(eB);
    }
    expect(live()).toEqual(warm);
    // One batch per view count, kept across switches.
    expect(outcome(A, (e) => targetWith(e, r3))).toStrictEqual(e3);
    const three = live();
    expect(three[0]).toBeGreaterThan(warm[0]);
    for (let i = 0; i < 3; i++) {
      expect(outcome(A, (e) => targetWith(e, rA))).toStrictEqual(eA);
      expect(outcome(B, (e) => targetWith(e, rB))).toStrictEqual(eB);
      expect(outcome(A, (e) => targetWith(e, r3))).toStrictEqual(e3);
    }
    expect(live()).toEqual(three);
  });

  it('after wasm memory grows, the held columns are rebuilt over the new buffer', async () => {
    const r1 = marks(G, [15, -15]);
    const r2 = marks(G, [10, -20]);
    const e2 = await fresh((e) => targetWith(e, r2));
    const engine = await createEngine();
    targetWith(engine, r1);
    const before = engine.wasm.memory.buffer;
    const ptr = engine.reserve(8 << 20);
    expect(engine.wasm.memory.buffer).not.toBe(before);
    expect(outcome(engine, (e) => targetWith(e, r2))).toStrictEqual(e2);
    engine.release(ptr);
  });
});
