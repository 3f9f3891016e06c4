// The needle block of a request (src/needle/vertical.ts): device, lateral setup and needle
// validation and the request device. Validation is asserted issue by issue (code, path,
// expected, received) and by what the checkers hand on: nothing for invalid input.
import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { Checker, loadEngine, targetWith } from '../../src/index.js';
import { checkDevice, checkLateralSetup, checkNeedle, requestDevice } from '../../src/needle/vertical.js';
import { refProject } from '../reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const stereo = (extra: Record<string, unknown> = {}, target: [number, number, number] = [4, 30, 20]) => ({
  geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, target) })), ...extra,
});
const DEV = { throw: 0, apertureLength: 20, tipLength: 7 };

/** Runs one checker on a fresh Checker: what it returns and every issue it recorded. */
function check<T>(fn: (c: Checker) => T): { out: T; issues: { code: string; path: string; expected: string; received: string }[] } {
  const c = new Checker();
  const out = fn(c);
  return { out, issues: c.issues.map(({ code, path, expected, received }) => ({ code, path, expected, received })) };
}
const dev = (v: unknown) => check((c) => checkDevice(c, v, ['needle', 'device']));
const lat = (v: unknown) => check((c) => checkLateralSetup(c, v, ['needle', 'lateral']));
const ndl = (v: unknown) => check((c) => checkNeedle(c, v, ['needle']));

describe('needle device validation', () => {
  it('a device that is not an object: one invalid_type at needle.device, no device, no crash', () => {
    const r = dev(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.device', expected: 'an object', received: '5' }]);
  });
  it('throw, apertureLength and tipLength are required: a missing one is missing_field, reported once', () => {
    for (const field of ['throw', 'apertureLength', 'tipLength'] as const) {
      const d: Record<string, unknown> = { ...DEV };
      delete d[field];
      const r = dev(d);
      expect(r.out, field).toBeUndefined();
      expect(r.issues, field).toEqual([{ code: 'missing_field', path: `needle.device.${field}`, expected: 'a value', received: 'nothing' }]);
    }
  });
  it('a name that is not a string is refused at needle.device.name', () => {
    const r = dev({ ...DEV, name: 5 });
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.device.name', expected: 'a string', received: '5' }]);
    expect(r.out).not.toHaveProperty('name');
  });
  it('each invalid required length alone gives no device (never a device with a hole in it)', () => {
    const bad: [string, unknown, string][] = [
      ['throw', -0.01, '>= 0 and <= 100 mm'], ['throw', 100.01, '>= 0 and <= 100 mm'],
      ['apertureLength', 0, '> 0 and <= 100 mm'], ['apertureLength', 'abc', ''],
      ['tipLength', -1, '>= 0 and <= 50 mm'], ['tipLength', 50.5, '>= 0 and <= 50 mm'],
    ];
    for (const [field, value, expected] of bad) {
      const r = dev({ ...DEV, [field]: value });
      expect(r.out, `${field}=${String(value)}`).toBeUndefined();
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0].path).toBe(`needle.device.${field}`);
      if (expected) expect(r.issues[0]).toMatchObject({ code: 'out_of_range', expected });
      else expect(r.issues[0].code).toBe('invalid_unit');
    }
  });
  it('limits at their inclusive bound pass: throw 0 and 100, tipLength 0 and 50, aperture 100', () => {
    expect(dev({ throw: 100, apertureLength: 100, tipLength: 50 })).toEqual({ out: { throw: 100, apertureLength: 100, tipLength: 50 }, issues: [] });
    expect(dev({ throw: 0, apertureLength: 0.01, tipLength: 0 })).toEqual({ out: { throw: 0, apertureLength: 0.01, tipLength: 0 }, issues: [] });
  });
  it('a valid device keeps exactly the fields given, units converted', () => {
    const r = dev({ name: 'gun', gauge: 14, throw: '2.2 cm', apertureLength: 18, tipLength: 4, outerDiameter: 2.1 });
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, outerDiameter: 2.1 });
  });
});

describe('lateral setup validation', () => {
  it('a lateral setup that is not an object: invalid_type at needle.lateral, no setup, no crash', () => {
    const r = lat(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.lateral', expected: 'an object', received: '5' }]);
  });
  it('side is required: missing_field at needle.lateral.side, once', () => {
    const r = lat({ nearSkinX: 10 });
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'missing_field', path: 'needle.lateral.side', expected: 'a value', received: 'nothing' }]);
  });
  it('a side other than +x or -x is refused at needle.lateral.side and gives no setup', () => {
    const r = lat({ side: 'up', nearSkinX: 10, farSkinX: 20 });
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.side', expected: 'one of "+x", "-x"', received: '"up"' }]);
  });
  it('skin positions are lengths within +-1000 mm, refused at their own path', () => {
    const r = lat({ side: '+x', nearSkinX: 1000.5, farSkinX: '5 kg' });
    expect(r.issues).toEqual([
      { code: 'out_of_range', path: 'needle.lateral.nearSkinX', expected: '>= -1000 and <= 1000 mm', received: '1000.5' },
      { code: 'invalid_unit', path: 'needle.lateral.farSkinX', expected: 'a length unit', received: '"5 kg"' },
    ]);
    expect(lat({ side: '+x', nearSkinX: 1000, farSkinX: -1000 })).toEqual({ out: { side: '+x', nearSkinX: 1000, farSkinX: -1000 }, issues: [] });
  });
  it('only one skin given: accepted, and the setup carries only that one', () => {
    const far = lat({ side: '+x', farSkinX: -20 });
    expect(far.issues).toEqual([]);
    expect(far.out).toStrictEqual({ side: '+x', farSkinX: -20 });
    expect(Object.keys(far.out!)).toEqual(['side', 'farSkinX']);
    const near = lat({ side: '-x', nearSkinX: '-1 cm' });
    expect(near.issues).toEqual([]);
    expect(Object.keys(near.out!)).toEqual(['side', 'nearSkinX']);
    expect(near.out).toStrictEqual({ side: '-x', nearSkinX: -10 });
    expect(Object.keys(lat({ side: '-x' }).out!)).toEqual(['side']);
  });
  it('entering from +x the far skin must be on the -x side of the near skin', () => {
    expect(lat({ side: '+x', nearSkinX: 10, farSkinX: -20 })).toEqual({ out: { side: '+x', nearSkinX: 10, farSkinX: -20 }, issues: [] });
    for (const far of [20, 10]) {
      const r = lat({ side: '+x', nearSkinX: 10, farSkinX: far });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.farSkinX', expected: 'the far skin on the -x side of nearSkinX (10 mm)', received: String(far) }]);
    }
  });
  it('entering from -x the far skin must be on the +x side of the near skin', () => {
    expect(lat({ side: '-x', nearSkinX: -10, farSkinX: 30 })).toEqual({ out: { side: '-x', nearSkinX: -10, farSkinX: 30 }, issues: [] });
    for (const far of [-20, -10]) {
      const r = lat({ side: '-x', nearSkinX: -10, farSkinX: far });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.farSkinX', expected: 'the far skin on the +x side of nearSkinX (-10 mm)', received: String(far) }]);
    }
  });
  it('a far skin on the wrong side is refused through the targeting API too', () => {
    const e = refusal(() => targetWith(engine, stereo({ needle: { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '-x', nearSkinX: -10, farSkinX: -30 } } })));
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([['invalid_value', 'needle.lateral.farSkinX']]);
    expect(e.expected).toBe('the far skin on the +x side of nearSkinX (-10 mm)');
  });
});

describe('needle block validation', () => {
  const lateralOk = { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '+x', nearSkinX: 20, farSkinX: -30 } };
  it('a needle block that is not an object: invalid_type at needle, nothing handed on, no crash', () => {
    const r = ndl(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle', expected: 'an object', received: '5' }]);
  });
  it('the device is required: missing_field at needle.device, once', () => {
    const r = ndl({});
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'missing_field', path: 'needle.device', expected: 'a value', received: 'nothing' }]);
  });
  it('defaults: vertical, stroke margins 0 / 4 mm, clearance 0, no lateral key', () => {
    const r = ndl({ device: DEV });
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ approach: 'vertical', device: DEV, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 });
  });
  it('a valid lateral block hands on its setup', () => {
    const r = ndl(lateralOk);
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ approach: 'lateral', device: { ...DEV, gauge: 14 }, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0, lateral: { side: '+x', nearSkinX: 20, farSkinX: -30 } });
  });
  it('each invalid field alone: its own issue and nothing handed on', () => {
    const bad: [Record<string, unknown>, string, string][] = [
      [{ approach: 'diagonal' }, 'invalid_value', 'needle.approach'],
      [{ device: { ...DEV, throw: -1 } }, 'out_of_range', 'needle.device.throw'],
      [{ minStrokeMargin: 50.5 }, 'out_of_range', 'needle.minStrokeMargin'],
      [{ minStrokeMargin: -50.5 }, 'out_of_range', 'needle.minStrokeMargin'],
      [{ warnStrokeMargin: 51 }, 'out_of_range', 'needle.warnStrokeMargin'],
      [{ minClearance: -0.5 }, 'out_of_range', 'needle.minClearance'],
      [{ minClearance: 50.1 }, 'out_of_range', 'needle.minClearance'],
    ];
    for (const [patch, code, path] of bad) {
      const r = ndl({ device: DEV, ...patch });
      expect(r.out, path).toBeUndefined();
      expect(r.issues.map((i) => [i.code, i.path]), path).toEqual([[code, path]]);
    }
    // and the same limits at their inclusive bounds pass
    const edge = ndl({ device: DEV, minStrokeMargin: -50, warnStrokeMargin: 50, minClearance: 50 });
    expect(edge.issues).toEqual([]);
    expect(edge.out).toMatchObject({ minStrokeMargin: -50, warnStrokeMargin: 50, minClearance: 50 });
  });
  it('the lateral approach without a setup: missing_field at needle.lateral saying what a setup is', () => {
    const r = ndl({ approach: 'lateral', device: { ...DEV, outerDiameter: 3 } });
    expect(r.out).toBeUndefined();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'missing_field', path: 'needle.lateral' });
    expect(r.issues[0].expected).toContain('lateral setup');
    expect(r.issues[0].expected).toContain('side: "+x" or "-x"');
  });
  it('the lateral approach with an invalid setup hands nothing on', () => {
    for (const [setup, path] of [[{ side: 'up' }, 'needle.lateral.side'], [5, 'needle.lateral'], [{}, 'needle.lateral.side']] as const) {
      const r = ndl({ ...lateralOk, lateral: setup });
      expect(r.issues.map((i) => i.path)).toEqual([path]);
      expect(r.out).toBeUndefined();
    }
  });
  it('lateral needs the needle radius: outerDiameter, or a gauge with a table value', () => {
    for (const device of [DEV, { ...DEV, gauge: 13 }, { ...DEV, gauge: 34 }]) {
      const r = ndl({ ...lateralOk, device });
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'missing_field', path: 'needle.device.outerDiameter', received: 'nothing' });
      expect(r.issues[0].expected).toContain('outer diameter');
      expect(r.issues[0].expected).toContain('gauge');
      expect(r.issues[0].expected).toContain('lateral approach');
    }
    for (const device of [{ ...DEV, gauge: 14 }, { ...DEV, outerDiameter: 3 }, { ...DEV, gauge: 13, outerDiameter: 2.4 }]) {
      expect(ndl({ ...lateralOk, device }).issues).toEqual([]);
    }
    // The vertical approach does not need it.
    expect(ndl({ device: DEV }).issues).toEqual([]);
  });
  it('a lateral needle without a diameter is refused by the targeting API at needle.device.outerDiameter', () => {
    const e = refusal(() => targetWith(engine, stereo({ needle: { ...lateralOk, device: DEV } })));
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([['missing_field', 'needle.device.outerDiameter']]);
  });
  it('a lateral setup with the vertical approach is refused at needle.lateral', () => {
    for (const approach of [undefined, 'vertical']) {
      const r = ndl({ approach, device: DEV, lateral: { side: '+x' } });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral', expected: 'no lateral setup with the vertical approach', received: 'an object' }]);
    }
  });
});

describe('the request device as a catalog device', () => {
  it('a fired device is a spring-loaded gun keeping its name and gauge', () => {
    expect(requestDevice({ name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 })).toEqual({
      id: 'request', kind: 'spring-loaded-gun', name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4,
      outerDiameter: 2.11, typical: false, source: 'request',
    });
  });
  it('throw 0 is a vacuum probe; unnamed and ungauged it gets the defaults', () => {
    expect(requestDevice({ throw: 0, apertureLength: 20, tipLength: 7, outerDiameter: 3 })).toEqual({
      id: 'request', kind: 'vacuum-probe', name: 'device in the request', gauge: 0, throw: 0, apertureLength: 20, tipLength: 7,
      outerDiameter: 3, typical: false, source: 'request',
    });
    expect(requestDevice({ throw: 0.5, apertureLength: 20, tipLength: 7 })).toMatchObject({ kind: 'spring-loaded-gun', outerDiameter: 0, gauge: 0 });
  });
  it('an explicit outer diameter wins over the gauge table', () => {
    expect(requestDevice({ gauge: 9, throw: 0, apertureLength: 20, tipLength: 7, outerDiameter: 4 }).outerDiameter).toBe(4);
    expect(requestDevice({ gauge: 9, throw: 0, apertureLength: 20, tipLength: 7 }).outerDiameter).toBe(3.76);
  });
});

describe('an unknown approach with a lateral setup', () => {
  it('is reported once, at the approach: the setup is not called "with the vertical approach"', () => {
    const c = new Checker();
    checkNeedle(c, { approach: 'diagonal', device: { throw: 0, apertureLength: 20, tipLength: 7 }, lateral: { side: '+x' } }, ['needle']);
    const paths = c.issues.map((i) => i.path);
    expect(paths).toContain('needle.approach');
    expect(paths).not.toContain('needle.lateral');
  });
});
