// Values that are not JSON data anywhere in a scenario (revoked proxies, throwing traps and
// getters) are refused as StereotaxError with a code and a path, never thrown as TypeError,
// by simulate, simulatePart and the scenario parser.
import { describe, expect, test } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { expandScenario } from '../../src/simulate/scenario.js';
import { simulate, simulatePart } from '../../src/simulate/run.js';

const GOOD = () => ({
  seed: 1, trials: 1000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: 45 },
  lesion: { x: 0, y: 30, zFraction: 0.5 },
  marking: { sigma: 0.1 },
});

function strange(): [string, () => unknown][] {
  return [
    ['a revoked proxy', () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; }],
    ['a proxy whose ownKeys throws', () => new Proxy({ sigma: 0.1 }, { ownKeys() { throw new Error('trap'); } })],
    ['a proxy whose getPrototypeOf throws', () => new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } })],
    ['a proxy whose get throws', () => new Proxy({ sigma: 0.1 }, { get() { throw new Error('trap'); } })],
    ['a throwing getter', () => Object.defineProperty({}, 'sigma', { enumerable: true, get() { throw new Error('boom'); } })],
  ];
}

const places: [string, (s: any, v: unknown) => unknown][] = [
  ['the whole scenario', (_, v) => v],
  ['marking', (s, v) => ({ ...s, marking: v })],
  ['unit.angles', (s, v) => ({ ...s, unit: { ...s.unit, angles: v } })],
  ['the sweep', (s, v) => ({ ...s, sweep: v })],
  ['a sweep list', (s, v) => ({ ...s, sweep: { 'marking.sigma': v } })],
];

describe('non-JSON values in a scenario', () => {
  for (const [what, make] of strange()) {
    for (const [where, put] of places) {
      test(`${what} as ${where}: a StereotaxError with a code`, async () => {
        const scenario = put(GOOD(), make());
        for (const run of [() => expandScenario(scenario), () => simulate(scenario, { workers: 0 }), () => simulatePart(scenario, { index: 1, count: 2 }, { workers: 0 })]) {
          let caught: unknown;
          try {
            await run();
          } catch (err) {
            caught = err;
          }
          expect(caught).toBeInstanceOf(StereotaxError);
          expect(typeof (caught as StereotaxError).code).toBe('string');
          expect(typeof (caught as StereotaxError).path).toBe('string');
        }
      });
    }
  }
});
