// Sharding by work: shards over the (point, block) pairs of a run, so every shard of a
// sweep has work; parts small (packed histograms); the merge bit-identical for any shard
// count; progress lines on a non-terminal stderr.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { progressLines } from '../../src/cli/simulate.js';
import { BLOCK_SIZE, HISTOGRAMS, HIST_LEN } from '../../src/simulate/kernel.js';
import { mergeParts, shardPairs, simulate, simulatePart, type SweepResult } from '../../src/simulate/run.js';
import { packHistograms, unpackHistograms, type Summary } from '../../src/simulate/summary.js';
import { runCli } from '../helpers/fake-io.js';

const BASE = {
  id: 'shards', seed: 11, trials: 100000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] } },
  tissue: { displacement: { sigma: [1.2, 1.2, 1.2] } },
};

const stable = (s: Summary) => ({ ...s, manifest: { ...s.manifest, elapsedSeconds: 0, trialsPerSecond: 0, workers: 0, shards: 0, kernel: '' } });

describe('shards over (point, block) pairs', () => {
  test('every pair exactly once, in order; every shard has work when pairs >= shards; sizes differ by at most one', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 64 }), (blocks, count) => {
      const seen = blocks.map(() => [] as number[]);
      const sizes: number[] = [];
      for (let k = 1; k <= count; k++) {
        const r = shardPairs(blocks, k, count);
        let size = 0;
        r.forEach(([a, b], i) => {
          expect(a).toBeLessThanOrEqual(b);
          for (let j = a; j < b; j++) seen[i].push(j);
          size += b - a;
        });
        sizes.push(size);
      }
      seen.forEach((list, i) => expect(list).toEqual(Array.from({ length: blocks[i] }, (_, j) => j)));
      const total = blocks.reduce((a, b) => a + b, 0);
      if (total >= count) expect(Math.min(...sizes)).toBeGreaterThan(0);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }));
  });

  test('1e5 trials over 16 shards: every part has trials, and 16 parts merge into the whole run', async () => {
    expect(Math.ceil(BASE.trials / BLOCK_SIZE)).toBeGreaterThanOrEqual(16);
    const parts = [];
    for (let k = 1; k <= 16; k++) parts.push(await simulatePart(BASE, { index: k, count: 16 }, { workers: 0 }));
    for (const p of parts) expect(p.points[0].accumulator.blocks).toBeGreaterThan(0);
    const whole = (await simulate(BASE, { workers: 0 })) as Summary;
    expect(stable((await mergeParts(parts.reverse())) as Summary)).toEqual(stable(whole));
  }, 60_000);

  test('a sweep of 5 points over 3 and 7 shards: the same bits as the whole sweep; shards split points', async () => {
    const sweep = { ...BASE, trials: 20000, sweep: { 'marking.sigma': [0, 0.05, 0.1, 0.2, 0.4] } };
    const whole = (await simulate(sweep, { workers: 0 })) as SweepResult;
    for (const n of [3, 7]) {
      const parts = [];
      for (let k = 1; k <= n; k++) parts.push(await simulatePart(sweep, { index: k, count: n }, { workers: 0 }));
      // 5 blocks a point, 25 in all: with 7 shards some point is split between two shards.
      const touched = parts.map((p) => p.points.filter((pt) => pt.accumulator.blocks > 0).length);
      expect(Math.max(...touched)).toBeGreaterThan(1);
      const merged = (await mergeParts(parts)) as SweepResult;
      expect(merged.sweep.map((p) => stable(p.summary))).toEqual(whole.sweep.map((p) => stable(p.summary)));
    }
  }, 60_000);

  test('a part is at most 100 KB a point (1e6 trials, needle and tissue: 13 full histograms)', async () => {
    const part = await simulatePart({ ...BASE, trials: 1_000_000 }, { index: 1, count: 1 }, { workers: 2 });
    const bytes = JSON.stringify(part).length;
    expect(bytes).toBeLessThan(100_000);
    expect(part.points[0].accumulator.hist.encoding).toBe('runs-varint-brotli');
  }, 60_000);
});

describe('packed histograms', () => {
  test('unpack(pack(h)) = h, counts up to 2^40 anywhere', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: HISTOGRAMS * HIST_LEN - 1 }), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 300 }), async (entries) => {
      const h = new Float64Array(HISTOGRAMS * HIST_LEN);
      for (const [i, n] of entries) h[i] = n;
      const back = await unpackHistograms(await packHistograms(h));
      // A loop, not toEqual: deep equality over 3.4 million slots takes seconds.
      let differ = -1;
      for (let i = 0; i < h.length && differ < 0; i++) if (back[i] !== h[i]) differ = i;
      expect(differ).toBe(-1);
      expect(back.length).toBe(h.length);
    }), { numRuns: 12 });
  });

  test('corrupt packed histograms are refused by merge with the part named', async () => {
    const part = await simulatePart({ ...BASE, trials: 5000 }, { index: 1, count: 1 }, { workers: 0 });
    const bad = structuredClone(part);
    bad.points[0].accumulator.hist.data = bad.points[0].accumulator.hist.data.slice(0, 20);
    await expect(mergeParts([bad])).rejects.toMatchObject({ path: 'parts[0].points[0].accumulator' });
    const wrong = structuredClone(part);
    wrong.points[0].accumulator.hist.encoding = 'zip' as never;
    await expect(mergeParts([wrong])).rejects.toMatchObject({ path: 'parts[0].points[0].accumulator' });
  });
});

describe('progress off a terminal', () => {
  test('a line at most every N seconds with done/total, share, rate and time left, and a last line', () => {
    let t = 0;
    const lines: string[] = [];
    const p = progressLines((l) => lines.push(l), 5, () => t);
    for (let i = 1; i <= 20; i++) {
      t = i * 1000;
      p.update(i * 1000, 20000);
    }
    p.stop();
    p.stop();
    expect(lines).toHaveLength(5); // at 5, 10, 15, 20 s, then the end
    expect(lines[0]).toBe('stereotax simulate: 5000/20000 trials (25.0 %), 1000 trials/s, 5s elapsed, 15s left\n');
    expect(lines[4]).toContain('20000/20000 trials (100.0 %)');
  });

  test('the CLI prints progress lines on a non-terminal stderr (--progress 0: every task)', async () => {
    const r = await runCli(['simulate', '--progress', '0', '--workers', '0', '-'], JSON.stringify({ ...BASE, trials: 20000 }));
    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^stereotax simulate: 20000\/20000 trials \(100\.0 %\)/);
  });
});
