/**
 * Accumulating task results into the summary of spec section 4. Block sums are
 * added exactly (each double converted to an integer multiple of 2^-1074 and
 * summed as a BigInt), so the totals do not depend on how blocks were spread over
 * workers, shards or tasks; counts are integers; percentiles come from the
 * 0.001 mm histograms; proportions carry the Wilson score interval.
 */
import { EngineError, StereotaxError } from '../core/errors.js';
import { BIN_WIDTH, COUNTERS, HISTOGRAMS, HIST_BINS, HIST_LEN, HIST_ZERO, K, SHIFTS, SUMS, S_PLACED, S_TARGETED, type BlocksResult } from './kernel.js';

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

/**
 * An exact sum (a multiple of 2^-1074) as text: "0", or the odd part in hex and the count of
 * factors of two ("-1a3fp1030" = -0x1a3f * 2^1030 * 2^-1074), so a sum of doubles takes
 * about the digits its bits span, not 270 hex digits.
 */
export function exactText(v: bigint): string {
  if (v === 0n) return '0';
  const neg = v < 0n;
  let m = neg ? -v : v, t = 0;
  while ((m & 0xffffffffn) === 0n) { m >>= 32n; t += 32; }
  while ((m & 1n) === 0n) { m >>= 1n; t++; }
  return `${neg ? '-' : ''}${m.toString(16)}p${t}`;
}

export function exactFromText(s: string): bigint | undefined {
  if (s === '0') return 0n;
  const m = /^(-?)([0-9a-f]{1,400})p(\d{1,4})$/.exec(s);
  if (!m || Number(m[3]) > 4000) return undefined;
  const v = BigInt('0x' + m[2]) << BigInt(m[3]);
  return m[1] ? -v : v;
}

/** Batches for the batch-means intervals: fixed runs of blocks, at most this many a point. */
export const BATCHES = 32;

/** The batch of block `b` of a point with `blocks` blocks (batches as equal as whole blocks allow). */
export function batchOf(b: number, blocks: number): number {
  return Math.floor((b * Math.min(BATCHES, blocks)) / blocks);
}

/**
 * Everything a run (or a shard of it) has accumulated for one point: exact block sums
 * kept per batch (so the batch-means intervals need no second pass), counters, the
 * 0.001 mm histograms.
 */
export class Accumulator {
  /** Batch index -> SUMS exact sums (multiples of 2^-1074). */
  readonly batches = new Map<number, bigint[]>();
  readonly counters = new Float64Array(COUNTERS);
  readonly hist = new Float64Array(HISTOGRAMS * HIST_LEN);
  blocks = 0;

  /**
   * @param totalBlocks the point's blocks in the whole run (fixes the batches)
   * @param shifts the values subtracted from each quantity before summing (SHIFTS numbers)
   */
  constructor(readonly totalBlocks: number, readonly shifts: number[] = new Array<number>(SHIFTS).fill(0)) {}

  /** The exact totals over every batch. */
  get sums(): bigint[] {
    const t = new Array<bigint>(SUMS).fill(0n);
    for (const row of this.batches.values()) for (let s = 0; s < SUMS; s++) t[s] += row[s];
    return t;
  }

  /** The batches in order, each with its exact sums. */
  batchList(): bigint[][] {
    return [...this.batches.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
  }

  private row(batch: number): bigint[] {
    let row = this.batches.get(batch);
    if (!row) this.batches.set(batch, (row = new Array<bigint>(SUMS).fill(0n)));
    return row;
  }

  add(r: BlocksResult): void {
    const blocks = r.sums.length / SUMS;
    for (let b = 0; b < blocks; b++) {
      const row = this.row(batchOf(r.firstBlock + b, this.totalBlocks));
      for (let s = 0; s < SUMS; s++) row[s] += exactScaled(r.sums[b * SUMS + s]);
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

  /** The accumulated state as JSON (a shard's part): exact sums as hex per batch, histograms packed. */
  async toJSON(): Promise<AccumulatorJson> {
    const hex = exactText;
    return {
      blocks: this.blocks, totalBlocks: this.totalBlocks, shifts: [...this.shifts],
      batches: [...this.batches.entries()].sort((x, y) => x[0] - y[0]).map(([i, row]) => [i, row.map(hex)]),
      counters: Array.from(this.counters),
      hist: await packHistograms(this.hist),
    };
  }

  async merge(j: AccumulatorJson, where: string): Promise<void> {
    const bad = (what: string) => new StereotaxError([{ code: 'invalid_value', path: where, expected: 'a part printed by stereotax simulate --shard', received: what, message: `${where}: not a simulation part (${what})` }]);
    if (!j || typeof j !== 'object' || !Array.isArray(j.batches) || !Array.isArray(j.counters) || j.counters.length !== COUNTERS || !Array.isArray(j.shifts) || j.shifts.length !== SHIFTS) throw bad('wrong shape');
    if (j.totalBlocks !== this.totalBlocks) throw bad(`a run of ${String(j.totalBlocks)} blocks, not ${this.totalBlocks}`);
    if (!j.shifts.every((x, i) => x === this.shifts[i])) throw bad('shifts of another run');
    const rows: [number, bigint[]][] = j.batches.map((e, k) => {
      if (!Array.isArray(e) || !Number.isInteger(e[0]) || e[0] < 0 || e[0] >= BATCHES || !Array.isArray(e[1]) || e[1].length !== SUMS) throw bad(`batches[${k}]`);
      return [e[0], e[1].map((s: unknown, i: number) => {
        const v = typeof s === 'string' ? exactFromText(s) : undefined;
        if (v === undefined) throw bad(`batches[${k}][${i}]`);
        return v;
      })];
    });
    if (!j.counters.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw bad('counters');
    if (!Number.isInteger(j.blocks) || j.blocks < 0) throw bad('blocks');
    const hist = await unpackHistograms(j.hist).catch(() => { throw bad('hist'); });
    for (const [i, row] of rows) {
      const t = this.row(i);
      for (let s = 0; s < SUMS; s++) t[s] += row[s];
    }
    this.addCounters(j.counters);
    for (let i = 0; i < hist.length; i++) this.hist[i] += hist[i];
    this.blocks += j.blocks;
  }
}

export interface AccumulatorJson {
  blocks: number;
  totalBlocks: number;
  shifts: number[];
  /** [batch index, SUMS exact sums in hex (multiples of 2^-1074)], batches this part touched. */
  batches: [number, string[]][];
  counters: number[];
  hist: PackedHistograms;
}

/**
 * The 13 histograms packed (see packHistograms), base64. Neighbouring bins hold similar
 * counts, so a point's part is tens of KB, not MB.
 */
export interface PackedHistograms {
  encoding: 'runs-varint' | 'runs-varint-brotli';
  data: string;
}

async function zlib(): Promise<typeof import('node:zlib') | null> {
  try {
    return await import('node:zlib');
  } catch {
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(e: string): string } } }).Buffer;
  if (B) return B.from(bytes).toString('base64');
  let t = '';
  for (let i = 0; i < bytes.length; i++) t += String.fromCharCode(bytes[i]);
  return btoa(t);
}

function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not base64');
  const t = atob(text);
  const out = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = t.charCodeAt(i);
  return out;
}

/** A growable byte buffer of LEB128 varints (whole numbers below 2^53). */
class Varints {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  put(v: number): void {
    if (this.length + 8 > this.bytes.length) {
      const next = new Uint8Array(this.bytes.length * 2);
      next.set(this.bytes);
      this.bytes = next;
    }
    // Arithmetic, not bit operators, which stop at 2^32.
    while (v >= 128) { this.bytes[this.length++] = (v % 128) + 128; v = Math.floor(v / 128); }
    this.bytes[this.length++] = v;
  }
}

const BROTLI = (z: typeof import('node:zlib')) => ({ params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_LGWIN]: 24 } });

/**
 * Each histogram as runs of occupied bins: (empty bins skipped, run length, zigzag deltas of
 * the run's counts), a zero skip of 0 and length 0 ending the histogram; Brotli-compressed
 * when node:zlib is there.
 */
export async function packHistograms(hist: Float64Array): Promise<PackedHistograms> {
  const out = new Varints();
  for (let h = 0; h < HISTOGRAMS; h++) {
    const base = h * HIST_LEN;
    let i = 0, last = 0;
    while (i < HIST_LEN) {
      while (i < HIST_LEN && hist[base + i] === 0) i++;
      if (i === HIST_LEN) break;
      let j = i;
      // A run ends at 4 empty bins in a row (shorter gaps cost less as zero deltas).
      while (j < HIST_LEN && !(hist[base + j] === 0 && (j + 3 >= HIST_LEN || (hist[base + j + 1] === 0 && hist[base + j + 2] === 0 && hist[base + j + 3] === 0)))) j++;
      out.put(i - last + 1);
      out.put(j - i);
      let prev = 0;
      for (let k = i; k < j; k++) {
        const d = hist[base + k] - prev;
        out.put(d >= 0 ? 2 * d : -2 * d - 1);
        prev = hist[base + k];
      }
      last = i = j;
    }
    out.put(0);
  }
  const raw = out.bytes.subarray(0, out.length);
  const z = await zlib();
  return z ? { encoding: 'runs-varint-brotli', data: toBase64(z.brotliCompressSync(raw, BROTLI(z))) } : { encoding: 'runs-varint', data: toBase64(raw) };
}

export async function unpackHistograms(p: PackedHistograms): Promise<Float64Array> {
  if (!p || typeof p !== 'object' || typeof p.data !== 'string') throw new Error('not packed histograms');
  let raw = fromBase64(p.data);
  if (p.encoding === 'runs-varint-brotli') {
    const z = await zlib();
    if (!z) throw new Error('no zlib to decompress the histograms');
    raw = new Uint8Array(z.brotliDecompressSync(raw, { maxOutputLength: HISTOGRAMS * HIST_LEN * 8 + 64 }));
  } else if (p.encoding !== 'runs-varint') throw new Error('unknown encoding');
  let at = 0;
  const get = () => {
    let v = 0, scale = 1;
    for (;;) {
      if (at >= raw.length) throw new Error('truncated');
      const b = raw[at++];
      v += (b % 128) * scale;
      if (b < 128) return v;
      scale *= 128;
      if (scale > 2 ** 56) throw new Error('varint too long');
    }
  };
  const hist = new Float64Array(HISTOGRAMS * HIST_LEN);
  for (let h = 0; h < HISTOGRAMS; h++) {
    let i = 0;
    for (;;) {
      const skip = get();
      if (skip === 0) break;
      i += skip - 1;
      const n = get();
      if (n < 1 || i + n > HIST_LEN) throw new Error('bins out of range');
      let prev = 0;
      for (let k = 0; k < n; k++) {
        const z = get();
        prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        if (prev < 0 || !Number.isSafeInteger(prev)) throw new Error('negative count');
        hist[h * HIST_LEN + i + k] = prev;
      }
      i += n;
    }
  }
  if (at !== raw.length) throw new Error('trailing bytes');
  return hist;
}

// ---- the summary (spec section 4) ----

/** 95 % intervals of the mean and the SD (batch means over the fixed batches); null with fewer than 2 batches. */
export interface Intervals { mean: [number, number] | null; sd: [number, number] | null }
/** A requested quantile of the signed error (axes) or of the distance (r), with its 95 % interval from order statistics. */
export interface Quantile { q: number; value: number | null; ci95: [number, number] | null }
export interface Stats { mean: number | null; sd: number | null; rms: number | null; p50: number | null; p95: number | null; p99: number | null; ci95?: Intervals; quantiles?: Quantile[] }
export interface RStats { mean: number | null; sd: number | null; p50: number | null; p95: number | null; p99: number | null; max: number | null; ci95?: Intervals; quantiles?: Quantile[] }
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

/**
 * Mean, population SD and RMS of a quantity from its exact shifted sums S1 = sum (e - k),
 * S2 = sum (e - k)^2: variance (n S2 - S1^2) / n^2 exactly (shift-free), so a constant
 * error (e = k for every trial) has an SD of exactly 0 and a mean of exactly k (k + S1 / n);
 * sum e^2 = S2 + 2 k S1 + n k^2 formed exactly, then rounded once.
 */
export function moments(s1: bigint, s2: bigint, shift: number, n: number): { mean: number; sd: number; rms: number } {
  const k = exactScaled(shift), N = BigInt(n);
  const num = N * s2 * (1n << SCALE) - s1 * s1;
  const variance = Math.max(0, scaledToNumber(num, 2 * 1074) / n / n);
  const squares = (s2 << SCALE) + 2n * k * s1 + N * k * k;
  return { mean: shift + scaledToNumber(s1, 1074) / n, sd: Math.sqrt(variance), rms: Math.sqrt(scaledToNumber(squares, 2 * 1074) / n) };
}

function meanSd(sums: bigint[], shifts: number[], slot: number, n: number): { mean: number; sd: number; rms: number } {
  return moments(sums[slot], sums[slot + 1], shifts[slot / 2], n);
}

const NULL_STATS: Stats = { mean: null, sd: null, rms: null, p50: null, p95: null, p99: null };

/** Student's t, 97.5 % point, for 1..31 degrees of freedom (standard tables). */
const T975 = [NaN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604,
  2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423, 2.0395];

/**
 * Batch-means 95 % intervals of the mean and the SD of a quantity: the batches (fixed
 * runs of blocks, so the same whatever the workers or shards) give K estimates each; the
 * standard error is that of a ratio estimator, SE^2 = K/(K-1) sum (n_j/N)^2 (m_j - m)^2,
 * and the half-width t(K-1) SE. The SD interval's lower end is at least 0.
 */
function batchIntervals(acc: Accumulator, slot: number, countSlot: number, whole: { mean: number; sd: number }): Intervals {
  const shift = acc.shifts[slot / 2];
  const rows = acc.batchList().map((row) => ({ n: scaledToNumber(row[countSlot], 1074), row })).filter((b) => b.n > 0);
  const K = rows.length;
  if (K < 2) return { mean: null, sd: null };
  const N = rows.reduce((a, b) => a + b.n, 0);
  let vm = 0, vs = 0;
  for (const { n, row } of rows) {
    const m = moments(row[slot], row[slot + 1], shift, n);
    const w = n / N;
    vm += w * w * (m.mean - whole.mean) ** 2;
    vs += w * w * (m.sd - whole.sd) ** 2;
  }
  const t = T975[Math.min(K - 1, T975.length - 1)];
  const hm = t * Math.sqrt((vm * K) / (K - 1)), hs = t * Math.sqrt((vs * K) / (K - 1));
  return { mean: [whole.mean - hm, whole.mean + hm], sd: [Math.max(0, whole.sd - hs), whole.sd + hs] };
}

/**
 * Quantile q of a signed histogram (bins [b/1000, (b+1)/1000)): the smallest grid value with
 * at least q of the values at or below it, and the distribution-free 95 % interval from order
 * statistics, ranks nq -/+ 1.959964 sqrt(nq(1-q)) (binomial, normal approximation), widened
 * outward to bin edges. null where a rank falls in an overflow bin.
 */
export function quantileOf(hist: Float64Array, offset: number, n: number, q: number): Quantile {
  if (n === 0) return { q, value: null, ci95: null };
  const half = WILSON_Z * Math.sqrt(n * q * (1 - q));
  const ranks = [Math.max(1, Math.ceil(q * n)), Math.max(1, Math.floor(q * n - half)), Math.min(n, Math.ceil(q * n + half))];
  const bins = ranks.map(() => -1);
  let cum = 0;
  for (let i = 0; i < HIST_LEN && bins.includes(-1); i++) {
    cum += hist[offset + i];
    ranks.forEach((r, k) => { if (bins[k] < 0 && cum >= r) bins[k] = i; });
  }
  const inside = (i: number) => i > 0 && i < HIST_LEN - 1;
  const edge = (i: number, upper: boolean) => Number(((i - HIST_ZERO + (upper ? 1 : 0)) * BIN_WIDTH).toFixed(3));
  return {
    q,
    value: inside(bins[0]) ? edge(bins[0], true) : null,
    ci95: inside(bins[1]) && inside(bins[2]) ? [edge(bins[1], false), edge(bins[2], true)] : null,
  };
}

function group(acc: Accumulator, g: number, n: number, quantiles: number[]): ErrorStats {
  const sums = acc.sums;
  const countSlot = g === 2 ? S_PLACED : S_TARGETED;
  const extra = (slot: number, off: number, whole: { mean: number; sd: number }) => ({
    ci95: batchIntervals(acc, slot, countSlot, whole),
    ...(quantiles.length ? { quantiles: quantiles.map((q) => quantileOf(acc.hist, off, n, q)) } : {}),
  });
  const nulls = { ci95: { mean: null, sd: null }, ...(quantiles.length ? { quantiles: quantiles.map((q) => ({ q, value: null, ci95: null })) } : {}) };
  const axis = (a: number): Stats => {
    if (n === 0) return { ...NULL_STATS, ...nulls };
    const off = (g * 4 + a) * HIST_LEN;
    const m = meanSd(sums, acc.shifts, g * 8 + 2 * a, n);
    return { ...m, p50: percentile(acc.hist, off, n, 0.5), p95: percentile(acc.hist, off, n, 0.95), p99: percentile(acc.hist, off, n, 0.99), ...extra(g * 8 + 2 * a, off, m) };
  };
  const off = (g * 4 + 3) * HIST_LEN;
  const r: RStats = n === 0
    ? { mean: null, sd: null, p50: null, p95: null, p99: null, max: null, ...nulls }
    : (() => {
      const { mean, sd } = meanSd(sums, acc.shifts, g * 8 + 6, n);
      return { mean, sd, p50: percentile(acc.hist, off, n, 0.5), p95: percentile(acc.hist, off, n, 0.95), p99: percentile(acc.hist, off, n, 0.99), max: acc.counters[K.max + g], ...extra(g * 8 + 6, off, { mean, sd }) };
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
  /** Batches of the batch-means intervals (fixed runs of blocks). */
  batches: number;
  intervals: 'mean, sd: batch means, t(K-1); quantiles: order statistics; proportions: Wilson';
  shards?: number;
}

export function summarize(acc: Accumulator, o: { id: string | null; seed: number; trials: number; classic: boolean; needle: boolean; manifest: Manifest; quantiles?: number[] }): Summary {
  const qs = o.quantiles ?? [];
  if (acc.counters[K.singular] > 0) {
    throw new EngineError('singular_triangulation', `${acc.counters[K.singular]} simulated trials had parallel rays: the scenario's geometry is degenerate`);
  }
  const n = acc.counters[K.trials];
  if (n !== o.trials) throw new EngineError('incomplete_run', `the run covered ${n} of ${o.trials} trials`);
  const out: Summary = { ...(o.id !== null ? { id: o.id } : {}), seed: o.seed, trials: o.trials, targetingError: group(acc, 0, n, qs) } as Summary;
  if (o.classic) out.classicError = group(acc, 1, acc.counters[K.classic], qs);
  if (o.needle) {
    const placed = acc.counters[K.placed];
    out.placementError = group(acc, 2, placed, qs);
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
