// Needle deflection growing with depth: lateral SD k * (T - z) on x and y, added to the
// deviation; against a plain-JS Monte Carlo.
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { normalSource, rng } from './reference-mc.js';

const N = 100_000;
const scenario = (deflection: number) => ({
  seed: 51, trials: N,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [40, 80] } }, lesion: { x: 0, y: 30, zFraction: { uniform: [0.3, 0.6] }, radius: 2 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.5, 0.5, 0.5] }, deflection, minStrokeMargin: -50 },
});

describe('needle deflection', () => {
  test('x and y SD as the reference (k = 0.03: 1.2 mm at 40 mm depth), z untouched', async () => {
    const s = (await simulate(scenario(0.03), { workers: 0 })) as Summary;
    const u = rng(61), n = normalSource(u);
    let sx = 0, sxx = 0, deeper = 0;
    for (let i = 0; i < N; i++) {
      const T = 40 + 40 * u(), z = (0.3 + 0.3 * u()) * T;
      const x = 0.5 * n() + 0.03 * (T - z) * n();
      sx += x; sxx += x * x;
      if (Math.abs(x) > 2) deeper++;
    }
    const sd = Math.sqrt(sxx / N - (sx / N) ** 2);
    for (const axis of ['x', 'y'] as const) {
      expect(Math.abs(s.placementError![axis].sd! - sd), `${axis}: ${s.placementError![axis].sd} vs ${sd}`).toBeLessThan(5 * sd / Math.sqrt(2 * N) + 0.005 * sd);
    }
    expect(Math.abs(s.placementError!.z.sd! - 0.5)).toBeLessThan(0.01);
    expect(deeper / N).toBeGreaterThan(0.02);
  });

  test('the comparison can fail: without deflection the lateral SD is the deviation alone', async () => {
    const s = (await simulate(scenario(0), { workers: 0 })) as Summary;
    expect(Math.abs(s.placementError!.x.sd! - 0.5)).toBeLessThan(0.01);
  });

  test('validation: 0 to 0.2 mm per mm', () => {
    expect(() => parseScenario(scenario(-0.01))).toThrow(expect.objectContaining({ path: 'needle.deflection' }));
    expect(() => parseScenario(scenario(0.3))).toThrow(expect.objectContaining({ path: 'needle.deflection' }));
  });
});
