// Tomosynthesis-guided depth: the estimate's z is the centre of its reconstructed slice, so
// the depth error gains a quantisation error uniform on +/- spacing/2; against a plain-JS
// Monte Carlo and the uniform's SD, spacing / sqrt(12).
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { normalSource, rng } from './reference-mc.js';

const N = 100_000;
const scenario = (tomosynthesis?: unknown, sigma = 0) => ({
  seed: 71, trials: N,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15], ...(tomosynthesis ? { tomosynthesis } : {}) },
  breast: { thickness: { uniform: [30, 60] } }, lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] } },
  marking: { sigma },
});

describe('slice quantisation', () => {
  test('1 mm slices, no marking noise: z error uniform in [-0.5, 0.5] mm, SD 1/sqrt(12), x and y untouched', async () => {
    const s = (await simulate(scenario({ sliceSpacing: 1 }), { workers: 0 })) as Summary;
    const z = s.targetingError.z;
    expect(Math.abs(z.sd! - 1 / Math.sqrt(12))).toBeLessThan(0.005);
    expect(Math.abs(z.mean!)).toBeLessThan(0.005);
    expect(z.p99!).toBeLessThanOrEqual(0.5);
    expect(z.p99!).toBeGreaterThan(0.49);
    expect(s.targetingError.x.sd!).toBeLessThan(1e-6);
  });

  test('2 mm slices with 0.1 mm marking noise: z SD as the reference', async () => {
    const s = (await simulate(scenario({ sliceSpacing: 2 }, 0.1), { workers: 0 })) as Summary;
    const plain = (await simulate(scenario(undefined, 0.1), { workers: 0 })) as Summary;
    // Reference: a triangulation depth error ~ N(0, sd of the stereo run), then rounding to 2 mm slice centres.
    const u = rng(81), n = normalSource(u);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < N; i++) {
      const T = 30 + 30 * u(), Pz = (0.2 + 0.6 * u()) * T;
      const qz = Pz + plain.targetingError.z.sd! * n();
      const e = 2 * (Math.floor(qz / 2) + 0.5) - Pz;
      s1 += e; s2 += e * e;
    }
    const sd = Math.sqrt(s2 / N - (s1 / N) ** 2);
    expect(Math.abs(s.targetingError.z.sd! - sd), `${s.targetingError.z.sd} vs ${sd}`).toBeLessThan(0.01 * sd);
    expect(s.targetingError.z.sd!).toBeGreaterThan(plain.targetingError.z.sd! * 1.5);
  });

  test('validation: spacing 0.1 to 10 mm, required', () => {
    for (const [t, path] of [[{ sliceSpacing: 0 }, 'unit.tomosynthesis.sliceSpacing'], [{}, 'unit.tomosynthesis.sliceSpacing'], [{ sliceSpacing: 1, mode: 'x' }, 'unit.tomosynthesis.mode']] as const) {
      expect(() => parseScenario(scenario(t))).toThrow(expect.objectContaining({ path }));
    }
  });
});
