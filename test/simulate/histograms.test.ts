// The kernel reports, per histogram, a slot range derived from each group's largest error
// (not tracked bin by bin); the host trims it to the occupied bins and clears all of it.
// Checked here against the counts: every scored trial lands in exactly one bin of each of
// its group's histograms, the reported ranges start and end on a non-zero bin, and a task
// run after a wider one on the same engine reads exactly what a fresh engine reads.
import { describe, expect, test } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { HISTOGRAMS, K, packConfig, runBlocks, type BlocksResult } from '../../src/simulate/kernel.js';
import { parseScenario } from '../../src/simulate/scenario.js';

const base = {
  seed: 7,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
};
const narrow = { ...base, trials: 20000, marking: { sigma: 0.05 } };
const wide = {
  ...base, trials: 20000, marking: { sigma: 2 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [3, 3, 3] } }, tissue: { displacement: { sigma: [4, 4, 4] } },
};

async function run(raw: object, engineKind: 'simd' | 'scalar'): Promise<BlocksResult> {
  const s = parseScenario(raw);
  const engine = await loadEngine({ kernel: engineKind });
  return runBlocks(engine, { config: packConfig(s), seed: s.seed, firstBlock: 0, blocks: 1, trials: s.trials, kernel: engineKind });
}

function perHistogram(r: BlocksResult): { first: number; n: number; counts: Uint32Array }[] {
  const out = [];
  let at = 0;
  for (let h = 0; h < HISTOGRAMS; h++) {
    const first = r.hist.ranges[2 * h], n = r.hist.ranges[2 * h + 1];
    out.push({ first, n, counts: r.hist.counts.subarray(at, at + n) });
    at += n;
  }
  return out;
}

describe('[SIM-008] histogram ranges', () => {
  for (const kind of ['simd', 'scalar'] as const) {
    test(`${kind}: every scored trial in one bin per histogram, ranges trimmed to occupied bins`, async () => {
      const r = await run(wide, kind);
      const scored = [r.counters[K.trials], r.counters[K.classic], r.counters[K.placed]];
      expect(scored[2]).toBeGreaterThan(0);
      const hs = perHistogram(r);
      hs.forEach((h, i) => {
        const group = i === 12 ? 2 : Math.floor(i / 4);
        const total = h.counts.reduce((a, b) => a + b, 0);
        expect(total, `histogram ${i}`).toBe(scored[group]);
        expect(h.counts[0], `histogram ${i} first bin`).toBeGreaterThan(0);
        expect(h.counts[h.n - 1], `histogram ${i} last bin`).toBeGreaterThan(0);
      });
    });

    test(`${kind}: a narrow task after a wide one reads what it reads first`, async () => {
      const first = await run(narrow, kind);
      await run(wide, kind);
      const again = await run(narrow, kind);
      expect(again.hist.ranges).toEqual(first.hist.ranges);
      expect(Array.from(again.hist.counts)).toEqual(Array.from(first.hist.counts));
      // The placement histograms of the narrow scenario (no needle) stay empty.
      expect(perHistogram(again).slice(8).every((h) => h.n === 0)).toBe(true);
    });
  }
});
