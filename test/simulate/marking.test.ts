// Per-view systematic marking error (Carr 2001's "1 mm on one view") and per-view, per-axis
// marking sigma, against a plain-JS Monte Carlo with its own projection and least-squares
// triangulation (no code from src/ or assembly/).
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { normalSource, rng } from './reference-mc.js';

const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const N = 60_000;

/** Plain-JS reference: errors of the least-squares point of the views' rays, per axis mean and SD. */
function reference(angles: number[], bias: [number, number][], sigma: [number, number][], seed: number) {
  const R = G.sourceToSupport - G.rotationAxisHeight, dz = G.sourceToSupport - G.sourceToDetector;
  const S = angles.map((a) => [R * Math.sin((a * Math.PI) / 180), 0, G.rotationAxisHeight + R * Math.cos((a * Math.PI) / 180)]);
  const u01 = rng(seed), n = normalSource(u01);
  const sum = [0, 0, 0], sq = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const T = 30 + 30 * u01();
    const P = [-20 + 40 * u01(), 10 + 40 * u01(), (0.2 + 0.6 * u01()) * T];
    // Normal equations of the point nearest every ray: sum (I - d d^T) X = sum (I - d d^T) S.
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], b = [0, 0, 0];
    S.forEach((s, k) => {
      const t = (dz - s[2]) / (P[2] - s[2]);
      const mark = [s[0] + t * (P[0] - s[0]) + bias[k][0] + sigma[k][0] * n(), t * P[1] + bias[k][1] + sigma[k][1] * n(), dz];
      const d = mark.map((m, j) => m - s[j]);
      const len = Math.hypot(...d);
      const e = d.map((x) => x / len);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        const m = (r === c ? 1 : 0) - e[r] * e[c];
        A[r][c] += m;
        b[r] += m * s[c];
      }
    });
    const det = (M: number[][]) => M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
    const D = det(A);
    for (let j = 0; j < 3; j++) {
      const Mj = A.map((row, r) => row.map((v, c) => (c === j ? b[r] : v)));
      const e = det(Mj) / D - P[j];
      sum[j] += e;
      sq[j] += e * e;
    }
  }
  return [0, 1, 2].map((j) => ({ mean: sum[j] / N, sd: Math.sqrt(sq[j] / N - (sum[j] / N) ** 2) }));
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
