// Every kind of bad input: a typed StereotaxError from the API (code, path, expected,
// received), exit 2 from the CLI with the field and the value on stderr; never a NaN
// and never a stack trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StereotaxError, loadEngine, targetWith, target } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusal } from '../helpers/refusal.js';

const engine = await loadEngine();
const good = () => ({
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: 45,
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }],
});

const rejects = (req: unknown): StereotaxError => refusal(() => targetWith(engine, req));

type Case = [name: string, request: unknown, code: string, path: string, received?: string];
const g = good();
const cases: Case[] = [
  ['request not an object', 42, 'invalid_type', ''],
  ['null request', null, 'invalid_type', ''],
  ['geometry as a string', { ...g, geometry: '660' }, 'invalid_type', 'geometry'],
  ['views as a number', { ...g, views: 2 }, 'invalid_type', 'views'],
  ['missing thickness', { geometry: g.geometry, views: g.views }, 'missing_field', 'thickness'],
  ['missing views', { geometry: g.geometry, thickness: 45 }, 'missing_field', 'views'],
  ['NaN string thickness', { ...g, thickness: 'NaN mm' }, 'invalid_unit', 'thickness', '"NaN mm"'],
  ['word for a length', { ...g, thickness: 'abc' }, 'invalid_unit', 'thickness', '"abc"'],
  ['number string without a unit', { ...g, thickness: '45' }, 'invalid_unit', 'thickness', '"45"'],
  ['mass for a length', { ...g, thickness: '5 kg' }, 'invalid_unit', 'thickness', '"5 kg"'],
  ['length for an angle', { ...g, views: [{ ...g.views[0], angle: '15 mm' }, g.views[1]] }, 'invalid_unit', 'views[0].angle'],
  ['zero thickness', { ...g, thickness: 0 }, 'out_of_range', 'thickness', '0'],
  ['negative thickness', { ...g, thickness: -45 }, 'out_of_range', 'thickness', '-45'],
  ['thickness as boolean', { ...g, thickness: true }, 'invalid_type', 'thickness', 'true'],
  ['one view', { ...g, views: [g.views[0]] }, 'too_few_items', 'views'],
  ['no views', { ...g, views: [] }, 'too_few_items', 'views'],
  ['equal angles', { ...g, views: [g.views[0], { ...g.views[1], angle: 15 }] }, 'duplicate_value', 'views[1].angle', '15'],
  ['angle at 90', { ...g, views: [g.views[0], { ...g.views[1], angle: 90 }] }, 'out_of_range', 'views[1].angle', '90'],
  ['angle past -90', { ...g, views: [g.views[0], { ...g.views[1], angle: -120 }] }, 'out_of_range', 'views[1].angle', '-120'],
  ['angle putting the source below the breast', { ...g, views: [g.views[0], { ...g.views[1], angle: 89 }] }, 'invalid_geometry', 'views[1].angle'],
  ['support farther than the detector', { ...g, geometry: { ...g.geometry, sourceToSupport: 700 } }, 'invalid_geometry', 'geometry.sourceToSupport', '700'],
  ['rotation axis above the source', { ...g, geometry: { ...g.geometry, rotationAxisHeight: 650 } }, 'invalid_geometry', 'geometry.rotationAxisHeight'],
  ['breast thicker than the source height', { ...g, geometry: { sourceToDetector: 300, sourceToSupport: 200, rotationAxisHeight: -100 }, thickness: 250 }, 'invalid_geometry', 'thickness'],
  ['unknown top-level field', { ...g, thicknes: 45 }, 'unknown_field', 'thicknes'],
  ['unknown field in a view', { ...g, views: [{ ...g.views[0], w: 1 }, g.views[1]] }, 'unknown_field', 'views[0].w'],
  ['unknown field in geometry', { ...g, geometry: { ...g.geometry, sid: 660 } }, 'unknown_field', 'geometry.sid'],
  ['unknown field in the needle device', { ...g, needle: { device: { throw: 0, apertureLength: 20, tipLength: 7, colour: 'red' } } }, 'unknown_field', 'needle.device.colour'],
  ['huge number', { ...g, thickness: 1e308 }, 'out_of_range', 'thickness'],
  ['huge mark', { ...g, views: [{ ...g.views[0], u: 1e200 }, g.views[1]] }, 'out_of_range', 'views[0].u'],
  ['Infinity from a unit string', { ...g, thickness: '1e400 mm' }, 'not_finite', 'thickness'],
  ['NaN number', { ...g, thickness: NaN }, 'not_finite', 'thickness', 'NaN'],
  ['negative imageSigma', { ...g, imageSigma: -0.1 }, 'out_of_range', 'imageSigma'],
  ['zero maxRayGap', { ...g, maxRayGap: 0 }, 'out_of_range', 'maxRayGap'],
  ['pixel marks without a calibration', { ...g, views: [{ angle: 15, col: 10, row: 20 }, { angle: -15, col: 30, row: 20 }] }, 'missing_field', 'detector'],
  ['a view with both mm and pixels', { ...g, detector: { pixelSpacing: 0.1, origin: { col: 0, row: 0 } }, views: [{ angle: 15, col: 10, row: 20, u: 1 }, g.views[1]] }, 'unknown_field', 'views[0].u'],
  ['negative pixel spacing', { ...g, detector: { pixelSpacing: -0.1, origin: { col: 0, row: 0 } }, views: [{ angle: 15, col: 10, row: 20 }, { angle: -15, col: 30, row: 20 }] }, 'out_of_range', 'detector.pixelSpacing'],
  ['negative aperture', { ...g, needle: { device: { throw: 0, apertureLength: -20, tipLength: 7 } } }, 'out_of_range', 'needle.device.apertureLength'],
  ['unknown approach', { ...g, needle: { approach: 'diagonal', device: { throw: 0, apertureLength: 20, tipLength: 7 } } }, 'invalid_value', 'needle.approach'],
];

describe('[API-002] the API refuses bad input with a typed error', () => {
  for (const [name, req, code, path, received] of cases) {
    it(name, () => {
      const e = rejects(req);
      expect(e.code).toBe(code);
      expect(e.path).toBe(path);
      expect(e.expected.length).toBeGreaterThan(3);
      if (received) expect(e.received).toBe(received);
      expect(e.message).toContain(path || 'request');
      expect(e.issues.length).toBeGreaterThanOrEqual(1);
    });
  }

  it('[API-006] __proto__ and constructor keys (as JSON.parse makes them) are refused, and nothing is polluted', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const req = JSON.parse(`{"geometry":{"sourceToDetector":660,"sourceToSupport":640,"rotationAxisHeight":-20,"${key}":{"polluted":1}},"thickness":45,"views":[{"angle":15,"u":-5.41,"v":32.36},{"angle":-15,"u":15.98,"v":32.36}]}`);
      const e = rejects(req);
      expect(e.code).toBe('forbidden_key');
      expect(e.path).toBe(`geometry.${key}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('every issue is listed, not just the first', () => {
    const e = rejects({ ...g, thickness: -1, maxRayGap: 'x', views: [{ angle: 'y', u: 0, v: 0 }, g.views[1]] });
    expect(e.issues.map((i) => i.path).sort()).toEqual(['maxRayGap', 'thickness', 'views[0].angle']);
  });

  it('the async API rejects the same way', async () => {
    await expect(target({ ...g, thickness: -1 })).rejects.toBeInstanceOf(StereotaxError);
  });

  it('[API-007] parallel rays are refused as degenerate, not returned as NaN', () => {
    // Marks whose rays are parallel: both rays along the same direction from each source.
    const S = (a: number) => [660 * Math.sin((a * Math.PI) / 180), -20 + 660 * Math.cos((a * Math.PI) / 180)];
    const [s0x, s0z] = S(15);
    const [s1x, s1z] = S(-15);
    const dz = -20;
    // Ray 0 through (u0, 0); ray 1 parallel to it: (u1 - s1x) / (dz - s1z) = (u0 - s0x) / (dz - s0z).
    const u0 = 0;
    const u1 = s1x + ((u0 - s0x) * (dz - s1z)) / (dz - s0z);
    const e = rejects({ ...g, views: [{ angle: 15, u: u0, v: 0 }, { angle: -15, u: u1, v: 0 }] });
    expect(e.code).toBe('degenerate_input');
  });

  it('[API-007] fuzz: any JSON value is either refused with a StereotaxError or gives finite numbers', () => {
    const finite = (x: unknown): boolean =>
      typeof x === 'number' ? Number.isFinite(x) : Array.isArray(x) ? x.every(finite) : x && typeof x === 'object' ? Object.values(x).every(finite) : true;
    const nearGood = fc.record({
      geometry: fc.oneof(fc.constant(g.geometry), fc.jsonValue()),
      thickness: fc.oneof(fc.integer({ min: -10, max: 400 }), fc.jsonValue(), fc.constantFrom('4 cm', '1e999 mm', 'NaN')),
      views: fc.oneof(fc.constant(g.views), fc.array(fc.record({ angle: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.jsonValue()), u: fc.jsonValue(), v: fc.integer() }), { maxLength: 4 })),
      imageSigma: fc.oneof(fc.constant(undefined), fc.jsonValue()),
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), nearGood), (req) => {
        try {
          const r = targetWith(engine, req);
          expect(finite(r)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(StereotaxError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('[TGT-021, API-012] the CLI: exit 2, the field and the value on stderr, no stack trace', () => {
  // NaN has no JSON form (it would arrive as null): API only.
  for (const [name, req, code, path, received] of cases.filter((c) => c[3] !== '' && c[0] !== 'NaN number')) {
    it(name, async () => {
      const r = await runCli(['target', '-'], JSON.stringify(req));
      expect(r.code).toBe(2);
      expect(r.err).toContain(path);
      if (received) expect(r.err).toContain(received.replace(/^"|"$/g, ''));
      expect(JSON.parse(r.out).error).toMatchObject({ code, path });
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it('malformed JSON', async () => {
    const r = await runCli(['target', '-'], '{"thickness": 45,');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stdin is not valid JSON/);
    expect(JSON.parse(r.out).error.code).toBe('invalid_json');
  });

  it('an empty stdin', async () => {
    const r = await runCli(['target', '-'], '');
    expect(r.code).toBe(2);
  });

  it('a file that does not exist', async () => {
    const r = await runCli(['target', '/nonexistent/request.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('/nonexistent/request.json');
  });

  it('no input named', async () => {
    const r = await runCli(['target']);
    expect(r.code).toBe(2);
  });

  it('unknown command, unknown flag, bad --kernel', async () => {
    expect((await runCli(['triangulate', '-'])).code).toBe(2);
    expect((await runCli(['target', '-', '--fast'])).code).toBe(2);
    expect((await runCli(['target', '-', '--kernel', 'gpu'])).code).toBe(2);
  });
});
