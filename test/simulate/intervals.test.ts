// Intervals to publish: batch-means 95 % intervals of means and SDs, order-statistic
// intervals of requested quantiles. Checked where the truth is known: the placement error
// with deviation sigma 1 and nothing else is N(0, 1) on each axis (mean 0, SD 1,
// quantile q = the normal's), over 40 seeds; widths against sigma / sqrt(n).
import { describe, expect, test } from 'vitest';
import { simulate, simulatePart, mergeParts } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';

const TRIALS = 32 * 4096;
const scenario = (seed: number) => ({
  seed, trials: TRIALS, quantiles: [0.975, 0.025, 0.5],
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: 60 },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: 0.5, radius: 2 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [1, 1, 1] } },
});
// Standard normal quantiles (tables).
const Z = { 0.025: -1.959964, 0.5: 0, 0.975: 1.959964 } as Record<number, number>;

describe('coverage over 40 seeds (truth known)', async () => {
  const runs: Summary[] = [];
  for (let seed = 1; seed <= 40; seed++) runs.push((await simulate(scenario(seed), { workers: 0 })) as Summary);
  const covered = (f: (s: Summary) => [number, number] | null, truth: number) => runs.filter((s) => {
    const ci = f(s)!;
    return ci[0] <= truth && truth <= ci[1];
  }).length;

  test('the mean interval covers 0 and the SD interval covers 1 in about 95 % of runs (>= 34 of 40)', () => {
    for (const axis of ['x', 'y', 'z'] as const) {
      expect(covered((s) => s.placementError![axis].ci95!.mean, 0)).toBeGreaterThanOrEqual(34);
      expect(covered((s) => s.placementError![axis].ci95!.sd, 1)).toBeGreaterThanOrEqual(34);
    }
  });

  test('widths as theory: mean 1.96/sqrt(n), SD 1.96/sqrt(2n), within 35 % (32 batches)', () => {
    const mid = (w: number[]) => w.sort((a, b) => a - b)[w.length >> 1];
    const meanWidth = mid(runs.map((s) => s.placementError!.x.ci95!.mean![1] - s.placementError!.x.ci95!.mean![0]));
    const sdWidth = mid(runs.map((s) => s.placementError!.x.ci95!.sd![1] - s.placementError!.x.ci95!.sd![0]));
    expect(meanWidth / ((2 * 1.96) / Math.sqrt(TRIALS))).toBeGreaterThan(0.65);
    expect(meanWidth / ((2 * 1.96) / Math.sqrt(TRIALS))).toBeLessThan(1.35);
    expect(sdWidth / ((2 * 1.96) / Math.sqrt(2 * TRIALS))).toBeGreaterThan(0.65);
    expect(sdWidth / ((2 * 1.96) / Math.sqrt(2 * TRIALS))).toBeLessThan(1.35);
  });

  test('quantiles sorted, each near the normal quantile, its interval covering it in >= 34 of 40 runs', () => {
    for (const s of runs) expect(s.placementError!.y.quantiles!.map((q) => q.q)).toEqual([0.025, 0.5, 0.975]);
    for (const [k, q] of [0.025, 0.5, 0.975].entries()) {
      expect(covered((s) => s.placementError!.y.quantiles![k].ci95, Z[q])).toBeGreaterThanOrEqual(34);
      for (const s of runs) expect(Math.abs(s.placementError!.y.quantiles![k].value! - Z[q])).toBeLessThan(0.05);
    }
  });
});

describe('determinism of the intervals', () => {
  test('identical for 3 shards merged and for 2 workers', async () => {
    const s = scenario(3);
    const whole = (await simulate(s, { workers: 0 })) as Summary;
    const two = (await simulate(s, { workers: 2 })) as Summary;
    const parts = [];
    for (let k = 1; k <= 3; k++) parts.push(await simulatePart(s, { index: k, count: 3 }, { workers: 0 }));
    const merged = (await mergeParts(parts)) as Summary;
    for (const other of [two, merged]) {
      expect(other.placementError).toEqual(whole.placementError);
      expect(other.targetingError).toEqual(whole.targetingError);
    }
    expect(whole.manifest.batches).toBe(32);
  });

  test('fewer than 2 batches: intervals null, not invented', async () => {
    const s = (await simulate({ ...scenario(1), trials: 4000 }, { workers: 0 })) as Summary;
    expect(s.placementError!.x.ci95).toEqual({ mean: null, sd: null });
  });

  test('quantiles validated: (0, 1), each once, at most 20', async () => {
    for (const [q, path] of [[[0], 'quantiles[0]'], [[0.5, 1], 'quantiles[1]'], [[0.5, 0.5], 'quantiles[1]'], [[], 'quantiles'], ['0.5', 'quantiles']] as const) {
      await expect(simulate({ ...scenario(1), quantiles: q }, { workers: 0 })).rejects.toMatchObject({ path });
    }
  });
});
