// A targeting request's limits at their inclusive maximum and minimum, and just outside: whole
// gauges, geometry and marks at their bounds, a lateral block in a vertical request.
import { describe, expect, it } from 'vitest';
import { loadEngine, planWith, targetWith } from '../../src/index.js';
import { refProject } from '../reference/independent.js';
import { refusal } from '../helpers/refusal.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const req = (extra: Record<string, unknown> = {}, z = 20) => ({ geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, [4, 30, z]) })), ...extra });

describe('request limits at their inclusive maximum and minimum, and just outside', () => {
  const device = { throw: 0, apertureLength: 20, tipLength: 7 };
  const cases: [string, (x: unknown) => unknown, number, number, boolean][] = [
    // name, request with the value, inclusive max, a value just above, is there an inclusive min to test too
    ['thickness', (x) => req({ thickness: x }), 300, 300.001, false],
    ['imageSigma', (x) => req({ imageSigma: x }), 10, 10.001, true],
    ['maxRayGap', (x) => req({ maxRayGap: x }), 100, 100.001, false],
    ['needle.device.throw', (x) => req({ needle: { device: { ...device, throw: x } } }), 100, 100.001, true],
    ['needle.device.apertureLength', (x) => req({ needle: { device: { ...device, apertureLength: x } } }), 100, 100.001, false],
    ['needle.device.tipLength', (x) => req({ needle: { device: { ...device, tipLength: x } } }), 50, 50.001, true],
    ['needle.device.outerDiameter', (x) => req({ needle: { device: { ...device, outerDiameter: x } } }), 15, 15.001, false],
    ['needle.device.gauge', (x) => req({ needle: { device: { ...device, gauge: x } } }), 34, 35, false],
    ['needle.minStrokeMargin', (x) => req({ needle: { device, minStrokeMargin: x } }), 50, 50.001, false],
    ['needle.warnStrokeMargin', (x) => req({ needle: { device, warnStrokeMargin: x } }), 50, 50.001, false],
    ['needle.minClearance', (x) => req({ needle: { device, minClearance: x } }), 50, 50.001, true],
  ];
  for (const [path, make, max, above, hasMin] of cases) {
    it(`${path}: ${max} accepted, ${above} refused`, () => {
      expect(() => targetWith(engine, make(max))).not.toThrow();
      expect(refusal(() => targetWith(engine, make(above)))).toMatchObject({ code: 'out_of_range', path });
      if (hasMin) {
        expect(() => targetWith(engine, make(0))).not.toThrow();
        expect(refusal(() => targetWith(engine, make(-0.001)))).toMatchObject({ code: 'out_of_range', path });
      }
    });
  }
  it('gauge 5 accepted, 4 refused; geometry and marks at their bounds', () => {
    expect(() => targetWith(engine, req({ needle: { device: { ...device, gauge: 5 } } }))).not.toThrow();
    expect(refusal(() => targetWith(engine, req({ needle: { device: { ...device, gauge: 4 } } })))).toMatchObject({ code: 'out_of_range' });
    expect(refusal(() => targetWith(engine, req({ geometry: { ...G, sourceToDetector: 2000.001 } })))).toMatchObject({ path: 'geometry.sourceToDetector' });
    expect(refusal(() => targetWith(engine, req({ geometry: { sourceToDetector: 99.999, sourceToSupport: 60, rotationAxisHeight: -20 } })))).toMatchObject({ path: 'geometry.sourceToDetector' });
    expect(() => targetWith(engine, req({ geometry: { sourceToDetector: 100, sourceToSupport: 50, rotationAxisHeight: -20 }, thickness: 10 }))).not.toThrow();
    const v = req().views;
    expect(() => targetWith(engine, req({ views: [{ ...v[0], u: 1000 }, v[1]] }))).not.toThrow();
    expect(refusal(() => targetWith(engine, req({ views: [{ ...v[0], u: 1000.001 }, v[1]] })))).toMatchObject({ path: 'views[0].u' });
    expect(() => targetWith(engine, req({ views: [{ ...v[0], v: -1000 }, v[1]] }))).not.toThrow();
  });
  it('a fractional gauge is refused, in a request and in a catalog', () => {
    expect(refusal(() => targetWith(engine, req({ needle: { device: { ...device, gauge: 9.5 } } })))).toMatchObject({ code: 'invalid_value', path: 'needle.device.gauge' });
    expect(refusal(() => planWith(engine, { thickness: 45, target: [0, 0, 20], catalog: { biopsyDevices: [{ id: 'f', kind: 'vacuum-probe', gauge: 9.5, throw: 0, apertureLength: 12, tipLength: 5 }] }, needle: { device: 'f' } })))
      .toMatchObject({ code: 'invalid_value', path: 'catalog.biopsyDevices[0].gauge' });
  });
  it('a lateral block in a vertical targeting request is refused', () => {
    expect(refusal(() => targetWith(engine, req({ needle: { device, lateral: { side: '+x' } } })))).toMatchObject({ code: 'invalid_value', path: 'needle.lateral' });
    expect(refusal(() => targetWith(engine, req({ needle: { approach: 'vertical', device, lateral: { side: '+x' } } })))).toMatchObject({ code: 'invalid_value', path: 'needle.lateral' });
  });
});
