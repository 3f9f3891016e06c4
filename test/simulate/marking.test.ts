// Per-view systematic marking error (Carr 2001's "1 mm on one view") and per-view, per-axis
// marking sigma, against a plain-JS Monte Carlo with its own projection and least-squares
// triangulation (no code from src/ or assembly/).
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { triangulationReference } from './reference-mc.js';

import { G } from './reference-mc.js';
const N = 60_000;

function reference(angles: number[], bias: [number, number][], sigma: [number, number][], seed: number) {
  return triangulationReference({ angles, bias, sigma, seed, trials: N });
}

const scenario = (marking: unknown, angles = [15, -15]) => ({
  seed: 21, trials: N, unit: { geometry: G, angles },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] } },
  marking,
});

function agree(s: Summary, ref: { mean: number; sd: number }[]) {
  (['x', 'y', 'z'] as const).forEach((axis, j) => {
    const e = s.targetingError[axis], r = ref[j];
    const se = Math.max(r.sd, 1e-9) / Math.sqrt(N);
    expect(Math.abs(e.mean! - r.mean), `${axis} mean ${e.mean} vs ${r.mean}`).toBeLessThan(5 * Math.SQRT2 * se + 1e-9);
    expect(Math.abs(e.sd! - r.sd), `${axis} sd ${e.sd} vs ${r.sd}`).toBeLessThan(5 * r.sd / Math.sqrt(N) + 1e-9 + 0.01 * r.sd);
  });
}

describe('marking bias and per-view, per-axis sigma', () => {
  test('1 mm on u of the +15 view only (Carr 2001): the error shifts as the reference', async () => {
    const bias: [number, number][] = [[1, 0], [0, 0]], sigma: [number, number][] = [[0.1, 0.1], [0.1, 0.1]];
    const s = (await simulate(scenario({ sigma: 0.1, bias: [[1, 0], 0] }), { workers: 0 })) as Summary;
    agree(s, reference([15, -15], bias, sigma, 5));
    // A bias on one view moves the estimate mostly in depth: about 1 / (2 tan 15 deg) = 1.87 mm.
    expect(Math.abs(s.targetingError.z.mean!)).toBeGreaterThan(1.5);
  });

  test('per-view, per-axis sigma with a three-view unit', async () => {
    const sigma: [number, number][] = [[0.3, 0.05], [0.05, 0.3], [0.2, 0.2]];
    const s = (await simulate(scenario({ sigma }, [15, -15, 0]), { workers: 0 })) as Summary;
    agree(s, reference([15, -15, 0], [[0, 0], [0, 0], [0, 0]], sigma, 6));
  });

  test('the comparison can fail: the bias on the other view gives the opposite depth error', async () => {
    const s = (await simulate(scenario({ sigma: 0.1, bias: [0, [1, 0]] }), { workers: 0 })) as Summary;
    const ref = reference([15, -15], [[1, 0], [0, 0]], [[0.1, 0.1], [0.1, 0.1]], 5);
    expect(Math.abs(s.targetingError.z.mean! - ref[2].mean)).toBeGreaterThan(1);
  });

  test('one number is every view and axis (spec v1); validation names the field', () => {
    const s = parseScenario(scenario({ sigma: 0.2 }));
    expect(s.marking).toEqual({ sigma: 0.2, sigmaByView: [[0.2, 0.2], [0.2, 0.2]], bias: [[0, 0], [0, 0]] });
    expect(parseScenario(scenario({ sigma: [0.1, [0.1, 0.2]] })).marking.sigma).toBeNull();
    for (const [marking, path] of [
      [{ sigma: [0.1] }, 'marking.sigma'], [{ sigma: [0.1, -0.1] }, 'marking.sigma[1]'], [{ sigma: [[0.1, 0.1, 0.1], 0.1] }, 'marking.sigma[0]'],
      [{ bias: [[25, 0], 0] }, 'marking.bias[0][0]'], [{ bias: 1, wobble: 2 }, 'marking.wobble'],
    ] as const) {
      expect(() => parseScenario(scenario(marking))).toThrow(expect.objectContaining({ path }));
    }
  });
});

describe('detector miscalibration (SID error, detector shift)', () => {
  test.each([
    ['SID 5 mm longer than believed', { sourceToDetector: 5 }, 5, [0, 0]],
    ['detector coordinates shifted [0.5, -0.3] mm', { detectorShift: [0.5, -0.3] }, 0, [0.5, -0.3]],
  ] as const)('%s: errors as the reference', async (_, miscalibration, sidError, detectorShift) => {
    const sc = scenario({ sigma: 0.1 });
    const s = (await simulate({ ...sc, unit: { ...sc.unit, miscalibration } }, { workers: 0 })) as Summary;
    agree(s, triangulationReference({ angles: [15, -15], bias: [[0, 0], [0, 0]], sigma: [[0.1, 0.1], [0.1, 0.1]], seed: 8, trials: N, sidError, detectorShift: [...detectorShift] }));
    expect(s.targetingError.r.mean!).toBeGreaterThan(0.2);
  });

  test('a true detector at or above the support is refused', () => {
    const sc = scenario({ sigma: 0.1 });
    expect(() => parseScenario({ ...sc, unit: { ...sc.unit, miscalibration: { sourceToDetector: -20 } } })).toThrow(expect.objectContaining({ path: 'unit.miscalibration.sourceToDetector' }));
  });
});
