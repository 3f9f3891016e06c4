/**
 * Accumulating task results into the summary of spec section 4. Block sums are
 * added exactly (each double converted to an integer multiple of 2^-1074 and
 * summed as a BigInt), so the totals do not depend on how blocks were spread over
 * workers, shards or tasks; counts are integers; percentiles come from the
 * 0.001 mm histograms; proportions carry the Wilson score interval.
 */
import { EngineError, StereotaxError } from '../core/errors.js';
import { BIN_WIDTH, COUNTERS, HISTOGRAMS, HIST_BINS, HIST_LEN, HIST_ZERO, K, SUMS, type BlocksResult } from './kernel.js';

const SCALE = 1074n;
const view = new DataView(new ArrayBuffer(8));

/** x as an exact integer multiple of 2^-1074. */
export function exactScaled(x: number): bigint {
  if (!Number.isFinite(x)) throw new EngineError('not_finite', 'a simulation sum is not finite');
  if (x === 0) return 0n;
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let shift = 0n;
  if (exp !== 0) {
    mant |= 1n << 52n;
    shift = BigInt(exp - 1);
  }
  const v = mant << shift;
  return hi >>> 31 ? -v : v;
}

/** v * 2^-scaleBits, correctly rounded for results in the normal range. */
export function scaledToNumber(v: bigint, scaleBits: number): number {
  if (v === 0n) return 0;
  const neg = v < 0n;
  const a = neg ? -v : v;
  const len = a.toString(16).length * 4;
  const k = Math.max(0, len - 64);
  let t = a >> BigInt(k);
  // A sticky bit below the 64 kept bits keeps round-to-nearest exact.
  if (k > 0 && (a & ((1n << BigInt(k)) - 1n)) !== 0n) t |= 1n;
  let x = Number(t);
  let e = k - scaleBits;
  while (e > 0) { const s = Math.min(e, 1000); x *= 2 ** s; e -= s; }
  while (e < 0) { const s = Math.max(e, -1000); x *= 2 ** s; e -= s; }
  return neg ? -x : x;
}

/** Everything a run (or a shard of it) has accumulated. */
export class Accumulator {
  readonly sums: bigint[] = new Array<bigint>(SUMS).fill(0n);
  readonly counters = new Float64Array(COUNTERS);
  readonly hist = new Float64Array(HISTOGRAMS * HIST_LEN);
  blocks = 0;

  add(r: BlocksResult): void {
    const blocks = r.sums.length / SUMS;
    for (let b = 0; b < blocks; b++) {
      for (let s = 0; s < SUMS; s++) this.sums[s] += exactScaled(r.sums[b * SUMS + s]);
    }
    this.blocks += blocks;
    this.addCounters(r.counters);
    let at = 0;
    for (let h = 0; h < HISTOGRAMS; h++) {
      const lo = r.hist.ranges[2 * h], n = r.hist.ranges[2 * h + 1];
      const base = h * HIST_LEN + lo;
      for (let i = 0; i < n; i++) this.hist[base + i] += r.hist.counts[at + i];
      at += n;
    }
  }

  private addCounters(c: ArrayLike<number>): void {
    for (let k = 0; k < COUNTERS; k++) {
      if (k >= K.max && k < K.max + 3) this.counters[k] = Math.max(this.counters[k], c[k]);
      else this.counters[k] += c[k];
    }
  }

  /** The accumulated state as JSON (a shard's part): exact sums as hex, histograms without empty ends. */
  toJSON(): AccumulatorJson {
    const hist: [number, number[]][] = [];
    for (let h = 0; h < HISTOGRAMS; h++) {
      const row = this.hist.subarray(h * HIST_LEN, (h + 1) * HIST_LEN);
      let lo = 0;
      while (lo < row.length && row[lo] === 0) lo++;
      let hi = row.length;
      while (hi > lo && row[hi - 1] === 0) hi--;
      hist.push([lo, Array.from(row.subarray(lo, hi))]);
    }
    return { blocks: this.blocks, sums: this.sums.map((s) => (s < 0n ? '-' : '') + (s < 0n ? -s : s).toString(16)), counters: Array.from(this.counters), hist };
  }

  merge(j: AccumulatorJson, where: string): void {
    const bad = (what: string) => new StereotaxError([{ code: 'invalid_value', path: where, expected: 'a part printed by stereotax simulate --shard', received: what, message: `${where}: not a simulation part (${what})` }]);
    if (!j || !Array.isArray(j.sums) || j.sums.length !== SUMS || !Array.isArray(j.counters) || j.counters.length !== COUNTERS || !Array.isArray(j.hist) || j.hist.length !== HISTOGRAMS) throw bad('wrong shape');
    j.sums.forEach((s, i) => {
      if (typeof s !== 'string' || !/^-?[0-9a-f]+$/.test(s)) throw bad(`sums[${i}]`);
      this.sums[i] += s.startsWith('-') ? -BigInt('0x' + s.slice(1)) : BigInt('0x' + s);
    });
    if (!j.counters.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw bad('counters');
    this.addCounters(j.counters);
    j.hist.forEach(([lo, counts], h) => {
      if (!Number.isInteger(lo) || lo < 0 || !Array.isArray(counts) || lo + counts.length > HIST_LEN) throw bad(`hist[${h}]`);
      counts.forEach((n, i) => {
        if (!Number.isInteger(n) || n < 0) throw bad(`hist[${h}]`);
        this.hist[h * HIST_LEN + lo + i] += n;
      });
    });
    if (!Number.isInteger(j.blocks)) throw bad('blocks');
    this.blocks += j.blocks;
  }
}

export interface AccumulatorJson {
  blocks: number;
  sums: string[];
  counters: number[];
  hist: [number, number[]][];
}

// ---- the summary (spec section 4) ----

export interface Stats { mean: number | null; sd: number | null; rms: number | null; p50: number | null; p95: number | null; p99: number | null }
export interface RStats { mean: number | null; sd: number | null; p50: number | null; p95: number | null; p99: number | null; max: number | null }
export interface ErrorStats { x: Stats; y: Stats; z: Stats; r: RStats }
export interface Proportion { count: number; of: number; probability: number | null; ci95: [number, number] | null }

export const WILSON_Z = 1.959964;

/** Wilson score interval at 95 %; null when there are no trials. */
export function proportion(count: number, of: number): Proportion {
  if (of === 0) return { count, of, probability: null, ci95: null };
  const p = count / of;
  const z2 = WILSON_Z * WILSON_Z;
  const denom = 1 + z2 / of;
  const centre = (p + z2 / (2 * of)) / denom;
  const half = (WILSON_Z / denom) * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of));
  // Exactly 0 and 1 at the ends: rounding would otherwise leave p = 1 a hair outside its own interval.
  const low = count === 0 ? 0 : centre - half;
  const high = count === of ? 1 : centre + half;
  return { count, of, probability: p, ci95: [low, high] };
}

/**
 * The smallest 0.001 mm grid value with at least a fraction q of the |errors| at or
 * below it (signed bins b and -b-1 fold into |e| bin b); null in the overflow bins.
 */
export function percentile(hist: Float64Array, offset: number, n: number, q: number): number | null {
  if (n === 0) return null;
  const rank = Math.ceil(q * n);
  const zero = offset + HIST_ZERO;
  let cum = 0;
  for (let b = 0; b <= HIST_BINS; b++) {
    cum += hist[zero + b] + hist[zero - b - 1];
    if (cum >= rank) return b === HIST_BINS ? null : Number(((b + 1) * BIN_WIDTH).toFixed(3));
  }
  return null;
}

function meanSd(acc: Accumulator, slot: number, n: number): { mean: number; sd: number; rms: number } {
  const s1 = acc.sums[slot], s2 = acc.sums[slot + 1];
  // n * S2 - S1^2 exactly, scaled by 2^(2 * 1074).
  const num = BigInt(n) * s2 * (1n << SCALE) - s1 * s1;
  const variance = Math.max(0, scaledToNumber(num, 2 * 1074) / n / n);
  return { mean: scaledToNumber(s1, 1074) / n, sd: Math.sqrt(variance), rms: Math.sqrt(scaledToNumber(s2, 1074) / n) };
}

const NULL_STATS: Stats = { mean: null, sd: null, rms: null, p50: null, p95: null, p99: null };

function group(acc: Accumulator, g: number, n: number): ErrorStats {
  const axis = (a: number): Stats => {
    if (n === 0) return { ...NULL_STATS };
    const off = (g * 4 + a) * HIST_LEN;
    return { ...meanSd(acc, g * 8 + 2 * a, n), p50: percentile(acc.hist, off, n, 0.5), p95: percentile(acc.hist, off, n, 0.95), p99: percentile(acc.hist, off, n, 0.99) };
  };
  const off = (g * 4 + 3) * HIST_LEN;
  const r: RStats = n === 0
    ? { mean: null, sd: null, p50: null, p95: null, p99: null, max: null }
    : (() => {
      const { mean, sd } = meanSd(acc, g * 8 + 6, n);
      return { mean, sd, p50: percentile(acc.hist, off, n, 0.5), p95: percentile(acc.hist, off, n, 0.95), p99: percentile(acc.hist, off, n, 0.99), max: acc.counters[K.max + g] };
    })();
  return { x: axis(0), y: axis(1), z: axis(2), r };
}

export interface Summary {
  id?: string;
  seed: number;
  trials: number;
  targetingError: ErrorStats;
  classicError?: ErrorStats;
  placementError?: ErrorStats;
  refused?: Proportion;
  hit?: Proportion;
  strokeFailure?: Proportion;
  manifest: Manifest;
}

export interface Manifest {
  stereotaxVersion: string;
  scenarioHash: string;
  seed: number;
  trials: number;
  kernel: string;
  workers: number;
  elapsedSeconds: number;
  trialsPerSecond: number;
  generator: 'philox4x32-10';
  normal: 'marsaglia-polar';
  blockSize: number;
  histogramBin: number;
  shards?: number;
}

export function summarize(acc: Accumulator, o: { id: string | null; seed: number; trials: number; classic: boolean; needle: boolean; manifest: Manifest }): Summary {
  if (acc.counters[K.singular] > 0) {
    throw new EngineError('singular_triangulation', `${acc.counters[K.singular]} simulated trials had parallel rays: the scenario's geometry is degenerate`);
  }
  const n = acc.counters[K.trials];
  if (n !== o.trials) throw new EngineError('incomplete_run', `the run covered ${n} of ${o.trials} trials`);
  const out: Summary = { ...(o.id !== null ? { id: o.id } : {}), seed: o.seed, trials: o.trials, targetingError: group(acc, 0, n) } as Summary;
  if (o.classic) out.classicError = group(acc, 1, acc.counters[K.classic]);
  if (o.needle) {
    const placed = acc.counters[K.placed];
    out.placementError = group(acc, 2, placed);
    out.refused = proportion(acc.counters[K.refused], n);
    out.hit = proportion(acc.counters[K.hit], placed);
    out.strokeFailure = proportion(acc.counters[K.stroke], placed);
  }
  out.manifest = o.manifest;
  return out;
}

/** P(distance to the aperture <= R + samplingRadius) for each radius R: the hit curve from the distance histogram. */
export function hitCurve(acc: Accumulator, radii: number[], samplingRadius: number): { radius: number; probability: number }[] {
  const placed = acc.counters[K.placed];
  const off = 12 * HIST_LEN + HIST_ZERO;
  const cdf = new Float64Array(HIST_BINS + 1);
  let cum = 0;
  for (let b = 0; b <= HIST_BINS; b++) cdf[b] = cum += acc.hist[off + b];
  return radii.map((radius) => {
    // Bins wholly below R + s: [b/1000, (b+1)/1000) with (b+1)/1000 <= R + s.
    const edge = Math.floor((radius + samplingRadius) / BIN_WIDTH + 1e-9);
    const count = edge <= 0 ? 0 : cdf[Math.min(edge, HIST_BINS) - 1];
    return { radius, probability: placed ? count / placed : 0 };
  });
}
