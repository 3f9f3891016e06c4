// Reproducibility (spec section 3): the same summary to the last bit in this thread,
// with 1 and 2 worker threads, with the SIMD and the scalar build, and from 3 shards
// merged; sweeps in the spec's order (last key fastest), every point with the same seed.
import { describe, expect, test } from 'vitest';
import { createPool } from '../../src/workers/index.js';
import { expandScenario, scenarioHash } from '../../src/simulate/scenario.js';
import { mergeParts, shardBlocks, simulate, simulatePart, type SweepResult } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';

const SCENARIO = {
  id: 'determinism', seed: 987654321, trials: 300000,
  unit: {
    geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15],
    miscalibration: { angle: [{ normal: [0, 0.1] }, 0.2], sourceToSupport: { uniform: [-1, 1] } },
  },
  breast: { thickness: { uniform: [30, 60] }, thicknessReadout: { bias: 1, sigma: 1.5 } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] }, samplingRadius: 1.88 },
  tissue: { displacement: { sigma: [1.2, 1.2, 1.2] } },
};

/** The summary without the fields that describe how it was run (kernel, workers, timing, shards). */
function figures(s: Summary): unknown {
  const { kernel, workers, elapsedSeconds, trialsPerSecond, shards, ...rest } = s.manifest;
  void kernel; void workers; void elapsedSeconds; void trialsPerSecond; void shards;
  return { ...s, manifest: rest };
}

describe('[SIM-007] identical summaries however the run is split', () => {
  test('this thread (scalar and SIMD), 1 and 2 workers, 3 shards merged', async () => {
    const reference = figures((await simulate(SCENARIO, { workers: 0, kernel: 'scalar' })) as Summary);
    expect(figures((await simulate(SCENARIO, { workers: 0, kernel: 'simd' })) as Summary)).toEqual(reference);
    const pool = await createPool({ size: 2 });
    try {
      expect(figures((await simulate(SCENARIO, { pool, kernel: 'simd' })) as Summary)).toEqual(reference);
      const one = await createPool({ size: 1 });
      try {
        expect(figures((await simulate(SCENARIO, { pool: one, kernel: 'scalar' })) as Summary)).toEqual(reference);
      } finally {
        await one.close();
      }
      // Shards run with different kernels and worker counts, through JSON as on a cluster.
      const parts = await Promise.all([1, 2, 3].map(async (k) => JSON.parse(JSON.stringify(
        await simulatePart(SCENARIO, { index: k, count: 3 }, k === 2 ? { workers: 0, kernel: 'scalar' } : { pool, kernel: 'simd' }),
      ))));
      const merged = (await mergeParts([parts[2], parts[0], parts[1]])) as Summary;
      expect(figures(merged)).toEqual(reference);
      expect(merged.manifest.shards).toBe(3);
    } finally {
      await pool.close();
    }
  });

  test('a different seed gives a different summary (the comparison can fail)', async () => {
    const a = (await simulate({ ...SCENARIO, trials: 65536 }, { workers: 0 })) as Summary;
    const b = (await simulate({ ...SCENARIO, trials: 65536, seed: 1 }, { workers: 0 })) as Summary;
    expect(figures(a)).not.toEqual(figures(b));
    expect(a.manifest.scenarioHash).not.toBe(b.manifest.scenarioHash);
  });

  test('[SIM-013] merge refuses missing, repeated and foreign parts', async () => {
    const small = { ...SCENARIO, trials: 70000 };
    const p1 = await simulatePart(small, { index: 1, count: 2 }, { workers: 0 });
    const p2 = await simulatePart(small, { index: 2, count: 2 }, { workers: 0 });
    const other = await simulatePart({ ...small, seed: 5 }, { index: 2, count: 2 }, { workers: 0 });
    await expect(mergeParts([p1])).rejects.toMatchObject({ path: 'parts' });
    await expect(mergeParts([p1, p1])).rejects.toMatchObject({ path: 'parts[1].shard.index' });
    await expect(mergeParts([p1, other])).rejects.toMatchObject({ path: 'parts[1].runHash' });
    await expect(mergeParts([p1, { nonsense: true }])).rejects.toMatchObject({ path: 'parts[1]' });
    expect(figures((await mergeParts([p2, p1])) as Summary)).toEqual(figures((await simulate(small, { workers: 0 })) as Summary));
  });

  test('shards cover every block once, whatever N', () => {
    for (const blocks of [1, 2, 5, 17, 1000]) {
      for (const n of [1, 2, 3, 7, 64]) {
        const covered: number[] = [];
        for (let k = 1; k <= n; k++) {
          const [a, b] = shardBlocks(blocks, k, n);
          for (let i = a; i < b; i++) covered.push(i);
        }
        expect(covered).toEqual(Array.from({ length: blocks }, (_, i) => i));
      }
    }
  });
});

describe('[SIM-011] sweeps', () => {
  const sweep = {
    ...SCENARIO, trials: 20000,
    sweep: { 'marking.sigma': [0.05, 0.2], 'unit.angles': [[15, -15], [0, 15]] },
  };
  test('the cartesian product, last key fastest; each point equals its own run with the same seed', async () => {
    const r = (await simulate(sweep, { workers: 0 })) as SweepResult;
    expect(r.sweep.map((p) => p.params)).toEqual([
      { 'marking.sigma': 0.05, 'unit.angles': [15, -15] },
      { 'marking.sigma': 0.05, 'unit.angles': [0, 15] },
      { 'marking.sigma': 0.2, 'unit.angles': [15, -15] },
      { 'marking.sigma': 0.2, 'unit.angles': [0, 15] },
    ]);
    expect(r.sweep[1].summary.classicError).toBeUndefined();
    expect(r.sweep[2].summary.classicError).toBeDefined();
    const { sweep: _, ...single } = sweep;
    void _;
    const point = (await simulate({ ...single, marking: { sigma: 0.2 }, unit: { ...single.unit, angles: [0, 15] } }, { workers: 0 })) as Summary;
    expect(figures(r.sweep[3].summary)).toEqual(figures(point));
    expect(r.sweep[3].summary.seed).toBe(SCENARIO.seed);
  });

  test('a sweep sharded and merged equals the sweep run whole', async () => {
    const whole = (await simulate(sweep, { workers: 0 })) as SweepResult;
    const parts = [await simulatePart(sweep, { index: 1, count: 2 }, { workers: 0 }), await simulatePart(sweep, { index: 2, count: 2 }, { workers: 0 })];
    const merged = (await mergeParts(parts)) as SweepResult;
    expect(merged.sweep.map((p) => [p.params, figures(p.summary)])).toEqual(whole.sweep.map((p) => [p.params, figures(p.summary)]));
  });

  test('[SIM-001] the scenario hash is of the canonical scenario after defaults (key order and units do not matter)', async () => {
    const a = expandScenario({ unit: { angles: [15, -15], geometry: SCENARIO.unit.geometry }, breast: { thickness: 40 }, lesion: { x: 0, y: 30, zFraction: 0.5 } }).base;
    const b = expandScenario({ lesion: { zFraction: 0.5, y: '3 cm', x: 0 }, breast: { thickness: '4 cm' }, seed: 0, trials: 100000, marking: { sigma: 0 }, unit: { geometry: SCENARIO.unit.geometry, angles: [15, -15] } }).base;
    expect(await scenarioHash(a)).toBe(await scenarioHash(b));
    const c = expandScenario({ unit: { angles: [15, -15], geometry: SCENARIO.unit.geometry }, breast: { thickness: 40.001 }, lesion: { x: 0, y: 30, zFraction: 0.5 } }).base;
    expect(await scenarioHash(c)).not.toBe(await scenarioHash(a));
  });
});
