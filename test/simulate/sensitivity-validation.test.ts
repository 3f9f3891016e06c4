// The `sensitivity` field: every part validated before any run (code, path, expected,
// received), design limits, every design run's scenario checked, and a sharded analysis
// merged to exactly the direct one.
import { describe, expect, test } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { mergeParts, simulate, simulatePart } from '../../src/simulate/run.js';
import { MAX_EVALUATIONS, type SensitivityResult } from '../../src/simulate/sensitivity.js';
import { parseScenario } from '../../src/simulate/scenario.js';

const base = {
  seed: 4, trials: 2000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: 0, y: 30, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
};
const needle = { device: 'vacuum-9g-20', deviation: { sigma: [0.5, 0.5, 0.5] } };

async function issue(sensitivity: unknown, extra: Record<string, unknown> = {}) {
  try {
    await simulate({ ...base, ...extra, sensitivity }, { workers: 0 });
  } catch (err) {
    expect(err).toBeInstanceOf(StereotaxError);
    const e = err as StereotaxError;
    for (const k of ['code', 'path', 'expected', 'received'] as const) expect(typeof e[k]).toBe('string');
    return e;
  }
  throw new Error('accepted');
}

describe('validation', () => {
  const ok = { parameters: { 'marking.sigma': [0, 0.2] }, samples: 8, output: 'targetingError.z.sd' };
  test.each([
    [{ ...ok, parameters: {} }, 'sensitivity.parameters', 'too_few_items'],
    [{ ...ok, parameters: { seed: [0, 5] } }, 'sensitivity.parameters.seed', 'invalid_value'],
    [{ ...ok, parameters: { 'marking..sigma': [0, 1] } }, 'sensitivity.parameters["marking..sigma"]', 'invalid_value'],
    [{ ...ok, parameters: { 'marking.sigma': [0.2, 0.1] } }, 'sensitivity.parameters["marking.sigma"][1]', 'invalid_value'],
    [{ ...ok, parameters: { 'marking.sigma': [0.2, 0.2] } }, 'sensitivity.parameters["marking.sigma"][1]', 'invalid_value'],
    [{ ...ok, parameters: { 'marking.sigma': { normal: [0.1, 0] } } }, 'sensitivity.parameters["marking.sigma"].normal[1]', 'invalid_value'],
    [{ ...ok, parameters: { 'marking.sigma': { normal: [0.1, 0.01], within: [1, 2] } } }, 'sensitivity.parameters["marking.sigma"].within', 'invalid_value'],
    [{ ...ok, parameters: { 'marking.sigma': { lognormal: [0.1, 0.01] } } }, 'sensitivity.parameters["marking.sigma"]', 'invalid_type'],
    [{ ...ok, parameters: { 'marking.sigma': [0, 'x'] } }, 'sensitivity.parameters["marking.sigma"][1]', 'invalid_type'],
    [{ ...ok, parameters: { 'unit.miscalibration': [0, 1], 'unit.miscalibration.sourceToSupport': [0, 1] } }, 'sensitivity.parameters["unit.miscalibration.sourceToSupport"]', 'invalid_value'],
    [{ ...ok, samples: 7 }, 'sensitivity.samples', 'out_of_range'],
    [{ ...ok, samples: 8.5 }, 'sensitivity.samples', 'invalid_value'],
    [{ ...ok, bootstrap: 2001 }, 'sensitivity.bootstrap', 'out_of_range'],
    [{ ...ok, output: 'targetingError.r.rms' }, 'sensitivity.output', 'invalid_value'],
    [{ ...ok, output: 'targetingError.z.max' }, 'sensitivity.output', 'invalid_value'],
    [{ ...ok, output: ['hit.probability', 'hit.probability'] }, 'sensitivity.output[1]', 'duplicate_value'],
    [{ ...ok, output: [] }, 'sensitivity.output', 'too_few_items'],
    [{ ...ok, extra: 1 }, 'sensitivity.extra', 'unknown_field'],
    [{ parameters: ok.parameters }, 'sensitivity.output', 'missing_field'],
  ])('%j is refused at %s', async (s, path, code) => {
    const e = await issue(s);
    expect(e.path).toBe(path);
    expect(e.code).toBe(code);
  });

  test('a design larger than the limit is refused before any run', async () => {
    const params = Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`lesion.radius${'abcdefgh'[k]}`, [0, 1]]));
    const e = await issue({ parameters: params, samples: Math.ceil(MAX_EVALUATIONS / 10) + 1, output: 'targetingError.z.sd' });
    expect(e.path).toBe('sensitivity.samples');
    expect(e.code).toBe('out_of_range');
    expect(e.received).toContain('runs');
  });

  test('every design run is validated as a scenario: a value outside the field\'s range names the run', async () => {
    const e = await issue({ parameters: { 'marking.sigma': { normal: [0.05, 0.2] } }, samples: 64, output: 'targetingError.z.sd' });
    expect(e.path).toBe('marking.sigma');
    expect(e.message).toMatch(/sensitivity design run \d+ \(marking\.sigma = -/);
  });

  test('a path into a list that is not there, or a field the scenario does not have', async () => {
    expect((await issue({ ...ok, parameters: { 'tissue.displacement.sigma.1': [0, 1] } })).path).toBe('sensitivity.parameters["tissue.displacement.sigma.1"]');
    expect((await issue({ ...ok, parameters: { 'lesion.size': [0, 1] } })).path).toBe('lesion.size');
    expect((await issue({ ...ok, parameters: { 'unit.angles.5': [10, 20] } })).path).toBe('sensitivity.parameters["unit.angles.5"]');
  });

  test('outputs the scenario cannot give: placement without a needle, classic without a symmetric pair', async () => {
    expect((await issue({ ...ok, output: 'hit.probability' })).path).toBe('sensitivity.output');
    expect((await issue({ ...ok, output: 'classicError.z.sd' }, { unit: { ...base.unit, angles: [0, 15] } })).path).toBe('sensitivity.output');
  });

  test('an output null in some run (every trial refused) is an error naming the run, never a NaN index', async () => {
    const e = await issue({ parameters: { 'needle.minStrokeMargin': [0, 50] }, samples: 8, output: 'hit.probability' }, { needle, breast: { thickness: 40 } });
    expect(e.path).toBe('sensitivity.output');
    expect(e.received).toMatch(/hit\.probability null at design row \d+/);
  });

  test('parseScenario checks the field too (a file validated without running)', () => {
    expect(() => parseScenario({ ...base, sensitivity: { ...ok, samples: 4 } })).toThrow(expect.objectContaining({ path: 'sensitivity.samples' }));
    expect(() => parseScenario({ ...base, replicates: 1 })).toThrow(expect.objectContaining({ path: 'replicates' }));
    expect(() => parseScenario({ ...base, sensitivity: ok })).not.toThrow();
  });

  test('not beside a sweep or replicates', async () => {
    expect((await issue(ok, { sweep: { 'marking.sigma': [0.1, 0.2] } })).path).toBe('sweep');
    expect((await issue(ok, { replicates: 3 })).path).toBe('replicates');
  });
});

describe('sharded', () => {
  // Each shard's part packs every design run's histograms (Brotli), a few tenths of a second a
  // run on this machine: a small design here.
  test('2 shards merged = the direct analysis, to the bit', async () => {
    const scenario = { ...base, needle, sensitivity: { parameters: { 'marking.sigma': [0.02, 0.3], 'needle.deviation.sigma.0': [0, 1] }, samples: 8, output: ['placementError.x.sd', 'hit.probability'], bootstrap: 100 } };
    const direct = (await simulate(scenario, { workers: 0 })) as SensitivityResult;
    const parts = [];
    for (let k = 1; k <= 2; k++) parts.push(JSON.parse(JSON.stringify(await simulatePart(scenario, { index: k, count: 2 }, { workers: 0 }))));
    const merged = (await mergeParts(parts)) as SensitivityResult;
    expect(merged.sensitivity.outputs).toEqual(direct.sensitivity.outputs);
    expect(merged.sensitivity.evaluations).toBe(32);
    const x = direct.sensitivity.outputs[0].indices;
    expect(x[1].total!).toBeGreaterThan(x[0].total!);
    for (const i of x) {
      expect(i.firstOrderCi95![0]).toBeLessThanOrEqual(i.firstOrderCi95![1]);
      expect(i.totalCi95![0]).toBeLessThanOrEqual(i.totalCi95![1]);
    }
  }, 60_000);
});
