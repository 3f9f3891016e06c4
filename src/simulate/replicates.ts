/**
 * `replicates: R` (docs/simulation.md, scenario version 1.2): R independent runs of one
 * scenario, each with its own seed derived from the scenario's (Philox4x32-10 of counter
 * (r, 0, 0, "Repl") keyed by the seed), reported one by one and as the between-replicate mean
 * and SD of every statistic. Each replicate is an ordinary run, so it is the same to the bit
 * whatever the workers, shards or kernel, and the derived seeds are too.
 */
import { loadEngine } from '../engine/engine.js';
import { philoxWords } from './sensitivity.js';
import type { Summary } from './summary.js';

export const REPLICATE_TAG = 0x5265706c;
export { MIN_REPLICATES, MAX_REPLICATES, parseReplicates } from './study-fields.js';

/**
 * Seed of replicate r (0-based): the Philox block of counter (r, 0, 0, 0x5265706c) keyed by the
 * scenario's seed, words w0 and w1 as w0 + 2^32 (w1 mod 2^21): 53 bits, a valid seed.
 */
export async function replicateSeeds(seed: number, count: number): Promise<number[]> {
  const engine = await loadEngine();
  return Array.from({ length: count }, (_, r) => {
    const w = philoxWords(engine, seed, r, 0, 0, REPLICATE_TAG);
    return (w[1] % 2097152) * 4294967296 + w[0];
  });
}

type Tree = number | null | Tree[] | { [k: string]: Tree };

/**
 * Mean and sample SD (n - 1) over the replicates of every number at the same place of their
 * summaries (the manifest and the single runs' intervals left out); null where any replicate
 * has none. Requested quantiles keep their q.
 */
export function between(summaries: Summary[]): { mean: Tree; sd: Tree } {
  const strip = (s: Summary) => {
    const { manifest, ...rest } = s;
    void manifest;
    return rest as unknown as Tree;
  };
  const trees = summaries.map(strip);
  const walk = (nodes: unknown[], key: string | null, stat: 'mean' | 'sd'): Tree => {
    const first = nodes[0];
    if (key === 'ci95') return undefined as unknown as Tree;
    if (key === 'q' && typeof first === 'number') return first;
    if (Array.isArray(first)) return first.map((_, i) => walk(nodes.map((n) => (Array.isArray(n) ? n[i] : undefined)), null, stat));
    if (first !== null && typeof first === 'object') {
      const out: Record<string, Tree> = {};
      for (const k of Object.keys(first)) {
        const v = walk(nodes.map((n) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined)), k, stat);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    if (typeof first === 'number' || first === null) {
      if (!nodes.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
      const xs = nodes as number[];
      if (xs.every((x) => x === xs[0])) return stat === 'mean' ? xs[0] : 0;
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      if (stat === 'mean') return m;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    }
    return undefined as unknown as Tree;
  };
  return { mean: walk(trees, null, 'mean'), sd: walk(trees, null, 'sd') };
}

export interface ReplicatesResult {
  replicates: {
    count: number;
    seedDerivation: string;
    runs: { replicate: number; seed: number; summary: Summary }[];
    between: { mean: Tree; sd: Tree };
  };
}

export const SEED_DERIVATION = 'replicate r (1-based): Philox4x32-10 of counter (r - 1, 0, 0, 0x5265706c) keyed by the scenario seed, w0 + 2^32 (w1 mod 2^21)';

export function replicatesResult(seeds: number[], summaries: Summary[]): ReplicatesResult {
  return {
    replicates: {
      count: summaries.length,
      seedDerivation: SEED_DERIVATION,
      runs: summaries.map((summary, r) => ({ replicate: r + 1, seed: seeds[r], summary })),
      between: between(summaries),
    },
  };
}
