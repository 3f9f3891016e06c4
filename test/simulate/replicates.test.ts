// `replicates: R`: R independent runs, seeds derived as documented (checked with an
// independent Philox), each run equal to a direct run with its seed, the between-replicate
// mean and SD equal to a plain computation over the runs, the same with workers and shards,
// and the replicates independent (the SD of the mean across replicates is the SD over sqrt(n)).
import { describe, expect, test } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { mergeParts, simulate, simulatePart } from '../../src/simulate/run.js';
import type { ReplicatesResult } from '../../src/simulate/replicates.js';
import type { Summary } from '../../src/simulate/summary.js';
import { philox } from './philox-reference.js';

const SEED = 2 ** 40 + 5;
const scenario = {
  seed: SEED, trials: 5000, quantiles: [0.025, 0.975],
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] } },
};
const R = 12;

const expectedSeed = (r: number) => {
  const w = philox([r, 0, 0, 0x5265706c], [SEED % 2 ** 32, Math.floor(SEED / 2 ** 32)]);
  return (w[1] % 2 ** 21) * 2 ** 32 + w[0];
};
const strip = (s: Summary) => ({ ...s, manifest: { ...s.manifest, elapsedSeconds: 0, trialsPerSecond: 0, workers: 0, shards: 0 } });

describe('replicates', async () => {
  const result = (await simulate({ ...scenario, replicates: R }, { workers: 0 })) as ReplicatesResult;
  const runs = result.replicates.runs;

  test('seeds derived as documented, distinct, each run = a direct run with that seed (to the bit)', async () => {
    expect(runs.map((r) => r.seed)).toEqual(Array.from({ length: R }, (_, r) => expectedSeed(r)));
    expect(new Set(runs.map((r) => r.seed)).size).toBe(R);
    for (const r of runs.slice(0, 3)) {
      const direct = (await simulate({ ...scenario, seed: r.seed }, { workers: 0 })) as Summary;
      expect(strip(r.summary)).toEqual(strip(direct));
    }
  });

  test('between-replicate mean and sample SD (n - 1) of each statistic, as computed plainly', () => {
    const pick = [(s: Summary) => s.targetingError.z.sd!, (s: Summary) => s.placementError!.r.p95!, (s: Summary) => s.hit!.probability!, (s: Summary) => s.placementError!.x.quantiles![1].value!];
    const b = result.replicates.between as any;
    const got = [[b.mean.targetingError.z.sd, b.sd.targetingError.z.sd], [b.mean.placementError.r.p95, b.sd.placementError.r.p95], [b.mean.hit.probability, b.sd.hit.probability], [b.mean.placementError.x.quantiles[1].value, b.sd.placementError.x.quantiles[1].value]];
    pick.forEach((f, k) => {
      const xs = runs.map((r) => f(r.summary));
      const m = xs.reduce((a, x) => a + x, 0) / R;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (R - 1));
      expect(got[k][0]).toBeCloseTo(m, 12);
      expect(got[k][1]).toBeCloseTo(sd, 12);
      expect(got[k][1]).toBeGreaterThan(0);
    });
    expect(b.mean.placementError.x.quantiles[1].q).toBe(0.975);
    expect(b.mean.trials).toBe(5000);
    expect(b.sd.trials).toBe(0);
    expect(b.mean.manifest).toBeUndefined();
    expect(b.mean.targetingError.z.ci95).toBeUndefined();
  });

  test('the replicates are independent: SD across replicates of the mean z error ~ its SD / sqrt(n)', () => {
    const sd = (result.replicates.between as any).sd.targetingError.z.mean;
    const within = (result.replicates.between as any).mean.targetingError.z.sd / Math.sqrt(5000);
    // The sample SD of 12 replicates is within 50 % of the truth with probability > 0.99.
    expect(sd / within).toBeGreaterThan(0.5);
    expect(sd / within).toBeLessThan(1.5);
  });

  test('the same with 2 workers, and merged from 3 shards', async () => {
    const two = (await simulate({ ...scenario, replicates: R }, { workers: 2 })) as ReplicatesResult;
    expect(two.replicates.between).toEqual(result.replicates.between);
    expect(two.replicates.runs.map((r) => strip(r.summary))).toEqual(runs.map((r) => strip(r.summary)));
    const small = { ...scenario, trials: 9000, replicates: 3 };
    const parts = [];
    for (let k = 1; k <= 3; k++) parts.push(JSON.parse(JSON.stringify(await simulatePart(small, { index: k, count: 3 }, { workers: 0 }))));
    const merged = (await mergeParts(parts)) as ReplicatesResult;
    const direct = (await simulate(small, { workers: 0 })) as ReplicatesResult;
    expect(merged.replicates.between).toEqual(direct.replicates.between);
    expect(merged.replicates.runs.map((r) => strip(r.summary))).toEqual(direct.replicates.runs.map((r) => strip(r.summary)));
  }, 120_000);

  test.each([[1], [1001], [2.5], ['3'], [null]])('replicates %j refused at "replicates"', async (v) => {
    const err = await simulate({ ...scenario, replicates: v }, { workers: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(StereotaxError);
    expect(err.path).toBe('replicates');
    for (const k of ['code', 'expected', 'received']) expect(typeof err[k]).toBe('string');
  });

  test('not beside a sweep', async () => {
    const err = await simulate({ ...scenario, replicates: 2, sweep: { 'marking.sigma': [0.1, 0.2] } }, { workers: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(StereotaxError);
    expect(err.path).toBe('sweep');
  });
});
