// The random streams and the kernel's raw outputs frozen to the bit: hashes of the Philox
// words, uniforms and normals, and of every block sum, counter and histogram count of
// scenarios covering each draw path (constant, uniform, normal, truncated normal, miscalibrated
// angles and geometry, per-view marking, read-out noise, per-axis normal and Student-t
// deviation, lognormal and tabulated lengths, deflection, tomosynthesis slices, 3 views).
// The expected hashes were computed with the kernel as it was BEFORE the trial loop was
// rewritten for speed (main at 75747f7): a rewrite that changes which words, normals or
// sums come out fails here, in both builds.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { packConfig, runBlocks, simExports, splitSeed } from '../../src/simulate/kernel.js';
import { parseScenario } from '../../src/simulate/scenario.js';

const GEOMETRY = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const BASE = {
  seed: 20261123, trials: 3 * 4096 + 123,
  unit: { geometry: GEOMETRY, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] } },
  marking: { sigma: 0.1 },
};
const NEEDLE = { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] }, samplingRadius: 1.88 };

export const FREEZE_SCENARIOS: Record<string, Record<string, unknown>> = {
  marking: BASE,
  needle: {
    ...BASE, seed: 987654321,
    unit: { geometry: GEOMETRY, angles: [15, -15], miscalibration: { angle: [{ normal: [0, 0.1] }, 0.2], sourceToSupport: { uniform: [-1, 1] } } },
    breast: { thickness: { uniform: [30, 60] }, thicknessReadout: { bias: 1, sigma: 1.5 } },
    lesion: { ...BASE.lesion, radius: 2.5 },
    needle: NEEDLE, tissue: { displacement: { sigma: [1.2, 1.2, 1.2] } },
  },
  heavy: {
    ...BASE, seed: 7,
    breast: { thickness: { normal: [50, 8], within: [35, 70] } },
    lesion: { ...BASE.lesion, radius: { normal: [2.5, 0.5] } },
    marking: { sigma: [[0.1, 0.2], [0.15, 0.05]], bias: [[0.5, 0], [0, -0.2]] },
    needle: { device: 'gun-14g-22', deviation: { sigma: [0.5, 0.6, 0.7], studentT: 5 }, deflection: 0.02, minStrokeMargin: -50 },
    tissue: { displacement: { length: { lognormal: [2.1, 0.65] } } },
  },
  table: {
    ...BASE, seed: 2 ** 40 + 12345,
    unit: { geometry: GEOMETRY, angles: [0, 15, -15], miscalibration: { sourceToDetector: 2, detectorShift: [0.3, -0.2], rotationAxisHeight: { normal: [0, 0.5] } }, tomosynthesis: { sliceSpacing: 1 } },
    needle: { device: 'vacuum-9g-20', minStrokeMargin: -50 },
    tissue: { displacement: { length: { values: [0.5, 1, 2, 4.5] } } },
  },
};

const sha = (...parts: ArrayBufferView[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 32);
};

/** The raw outputs of every block of a scenario, run as 2 tasks (sums, counters, histogram ranges and counts). */
export async function rawHash(kind: 'simd' | 'scalar', raw: Record<string, unknown>): Promise<string> {
  return (await rawRun(kind, raw)).hash;
}

async function rawRun(kind: 'simd' | 'scalar', raw: Record<string, unknown>): Promise<{ hash: string; placed: number; classic: number }> {
  const engine = await loadEngine({ kernel: kind });
  const s = parseScenario({ id: 'freeze', ...raw });
  const config = packConfig(s, new Array(12).fill(0).map((_, i) => (i % 4) * 0.25));
  const blocks = Math.ceil(s.trials / 4096);
  const parts: ArrayBufferView[] = [];
  let placed = 0, classic = 0;
  for (const [firstBlock, n] of [[0, 2], [2, blocks - 2]]) {
    const r = runBlocks(engine, { config, seed: s.seed, firstBlock, blocks: n, trials: s.trials, kernel: kind });
    parts.push(r.sums, r.counters, new Float64Array(r.hist.ranges), r.hist.counts);
    placed += r.counters[2];
    classic += r.counters[1];
  }
  return { hash: sha(...parts), placed, classic };
}

async function streams(kind: 'simd' | 'scalar'): Promise<string> {
  const engine = await loadEngine({ kernel: kind });
  const w = simExports(engine);
  const out = engine.reserve(8 * 64, 'freeze test');
  const parts: ArrayBufferView[] = [];
  for (const seed of [0, 20261123, 2 ** 40 + 12345]) {
    const [k0, k1] = splitSeed(seed);
    for (const index of [0, 1, 4095, 2 ** 33 + 7]) {
      w.philoxBlock(index % 2 ** 32, Math.floor(index / 2 ** 32), 3, 0, k0, k1, out);
      parts.push(new Uint32Array(w.memory.buffer, out, 4).slice());
      w.uniforms(k0, k1, index, 37, out);
      parts.push(new Float64Array(w.memory.buffer, out, 37).slice());
      w.normals(k0, k1, index, 41, out);
      parts.push(new Float64Array(w.memory.buffer, out, 41).slice());
    }
  }
  return sha(...parts);
}

const EXPECTED = {
  streams: 'afed50da433a3ca1558ebfea89a8d474',
  marking: '74d5f58dcf04cfcd634be968d72e72ac',
  needle: '00979c55e54ca6e226ed2cdb302bdf2c',
  heavy: 'a9ee4a637c349097530b493d225ac7d3',
  table: 'a45a7be66e7bc192285e1e7821d6dee2',
};

describe('the streams and raw sums as before the speed work, to the bit', () => {
  for (const kind of ['simd', 'scalar'] as const) {
    test(`${kind}: Philox words, uniforms, normals`, async () => {
      expect(await streams(kind)).toBe(EXPECTED.streams);
    });
    for (const name of Object.keys(FREEZE_SCENARIOS) as (keyof typeof FREEZE_SCENARIOS)[]) {
      test(`${kind}: ${name} scenario, every block sum, counter and histogram count`, async () => {
        const r = await rawRun(kind, FREEZE_SCENARIOS[name]);
        // Each scenario reaches the paths it is here for (placement, the classic pair).
        if (name !== 'marking') expect(r.placed).toBeGreaterThan(1000);
        if (name !== 'table') expect(r.classic).toBeGreaterThan(1000);
        expect(r.hash).toBe(EXPECTED[name as keyof typeof EXPECTED]);
      });
    }
  }

  test('the hash can fail: one trial more changes it', async () => {
    const h = await rawHash('scalar', { ...BASE, trials: BASE.trials + 1 });
    expect(h).not.toBe(EXPECTED.marking);
  });
});
