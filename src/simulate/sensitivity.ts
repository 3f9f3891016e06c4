/**
 * Sobol sensitivity analysis of a scenario's statistics over declared parameter ranges
 * (docs/simulation.md, scenario version 1.2): a Saltelli design of 2 N parameter vectors
 * (matrices A and B, N rows each, plus the d matrices A_B^i = A with column i from B), every
 * row one run of the scenario with those values (all runs with the scenario's seed: common
 * random numbers, so a statistic is a deterministic function of the parameters and a
 * parameter with no effect gets indices of exactly 0). First-order indices by Saltelli et al.
 * 2010's estimator, total indices by Jansen's, 95 % intervals by a percentile bootstrap over
 * the N rows. The design's and the bootstrap's uniforms are Philox4x32-10 words (the kernel's
 * generator, keyed by the seed, counters disjoint from every trial's), so the analysis is the
 * same to the bit whatever the workers or shards.
 */
import { EngineError, StereotaxError } from '../core/errors.js';
import type { Path, Plain } from '../core/validate.js';
import { loadEngine, type Engine } from '../engine/engine.js';
import { simExports, splitSeed } from './kernel.js';
import { normalCdf } from './normal.js';
import type { Summary } from './summary.js';

/** The counter's fourth word of every design uniform ("Sobl"); trials use 0 there. */
export const DESIGN_TAG = 0x536f626c;
/** c2 of the design's counters: 0 for A and B (one Philox block gives A's and B's uniform), 1 for the bootstrap. */
const STREAM_DESIGN = 0;
const STREAM_BOOTSTRAP = 1;

export { MAX_SENSITIVITY_PARAMETERS, MIN_SAMPLES, MAX_SAMPLES, MAX_EVALUATIONS, MAX_OUTPUTS, DEFAULT_BOOTSTRAP, MAX_BOOTSTRAP, isOutputPath, parseSensitivity } from './study-fields.js';
export type { ParameterDist, SensitivityParameter, SensitivitySpec } from './study-fields.js';
import type { ParameterDist, SensitivityParameter, SensitivitySpec } from './study-fields.js';

// ---- Philox uniforms from the kernel ----

const philoxOut = new WeakMap<Engine, number>();

/** Philox4x32-10 of (c0, c1, c2, c3) keyed by the seed: four 32-bit words. */
export function philoxWords(engine: Engine, seed: number, c0: number, c1: number, c2: number, c3: number): Uint32Array {
  let out = philoxOut.get(engine);
  if (out === undefined) philoxOut.set(engine, (out = engine.reserve(16, 'the Philox words of a design')));
  const [k0, k1] = splitSeed(seed);
  simExports(engine).philoxBlock(c0 >>> 0, c1 >>> 0, c2 >>> 0, c3 >>> 0, k0, k1, out);
  return new Uint32Array(engine.wasm.memory.buffer, out, 4).slice();
}

/** A uniform in (0, 1) from two words, as the kernel maps a 64-bit word: its top 53 bits, centred. */
function uniformOf(lo: number, hi: number): number {
  return (hi * 2097152 + Math.floor(lo / 2048) + 0.5) * 1.1102230246251565e-16;
}

/**
 * The design's uniforms: A[i][j] and B[i][j] (row i < n, column j < d) from one Philox block of
 * counter (i, j, 0, DESIGN_TAG) keyed by the seed (A from words 0-1, B from words 2-3).
 */
export function designUniforms(engine: Engine, seed: number, d: number, n: number): { a: Float64Array[]; b: Float64Array[] } {
  const a: Float64Array[] = [], b: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const ra = new Float64Array(d), rb = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const w = philoxWords(engine, seed, i, j, STREAM_DESIGN, DESIGN_TAG);
      ra[j] = uniformOf(w[0], w[1]);
      rb[j] = uniformOf(w[2], w[3]);
    }
    a.push(ra);
    b.push(rb);
  }
  return { a, b };
}

/**
 * The inverse standard normal CDF (Acklam's rational approximation, relative error below
 * 1.2e-9 over (0, 1)).
 */
export function inverseNormalCdf(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lowTail) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5, r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** A parameter's value at design uniform u (its quantile function). */
export function parameterValue(dist: ParameterDist, u: number): number {
  if ('uniform' in dist) return dist.uniform[0] + (dist.uniform[1] - dist.uniform[0]) * u;
  const [m, sd] = dist.normal;
  if (!dist.within) return m + sd * inverseNormalCdf(u);
  const [lo, hi] = dist.within;
  const pl = normalCdf((lo - m) / sd), ph = normalCdf((hi - m) / sd);
  const x = m + sd * inverseNormalCdf(pl + u * (ph - pl));
  // The CDF's fit (1.2e-7) may put an end draw a hair outside; the truncation is exact otherwise.
  return Math.min(hi, Math.max(lo, x));
}

// ---- the estimators ----

export interface SobolIndices {
  /** Variance of the output over the 2 N rows of A and B (population). */
  variance: number;
  mean: number;
  /** Per input, in column order; null when the variance is 0 (no index is defined). */
  firstOrder: (number | null)[];
  total: (number | null)[];
}

/**
 * Sobol indices from the outputs at A (fA), B (fB) and A_B^i (fAB[i]), each of N values, the
 * outputs centred on the mean of fA and fB first.
 * First order (Saltelli et al. 2010): S_i = mean(fB (fAB_i - fA)) / V.
 * Total (Jansen 1999): ST_i = mean((fA - fAB_i)^2) / (2 V).
 * V = the population variance of the 2 N values of fA and fB. `rows` picks the rows (a bootstrap
 * resample); all rows when absent.
 */
export function sobolEstimate(fA: ArrayLike<number>, fB: ArrayLike<number>, fAB: ArrayLike<number>[], rows?: ArrayLike<number>): SobolIndices {
  const n = rows ? rows.length : fA.length;
  const at = (i: number) => (rows ? rows[i] : i);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += fA[at(i)] + fB[at(i)];
  const mean = sum / (2 * n);
  let v = 0;
  for (let i = 0; i < n; i++) v += (fA[at(i)] - mean) ** 2 + (fB[at(i)] - mean) ** 2;
  v /= 2 * n;
  const firstOrder: (number | null)[] = [], total: (number | null)[] = [];
  for (const col of fAB) {
    let s = 0, t = 0;
    for (let i = 0; i < n; i++) {
      const k = at(i);
      const a = fA[k] - mean, b = fB[k] - mean, ab = col[k] - mean;
      s += b * (ab - a);
      t += (a - ab) ** 2;
    }
    firstOrder.push(v > 0 ? s / n / v : null);
    total.push(v > 0 ? t / n / (2 * v) : null);
  }
  return { variance: v, mean, firstOrder, total };
}

export interface SobolWithIntervals extends SobolIndices {
  firstOrderCi95: ([number, number] | null)[];
  totalCi95: ([number, number] | null)[];
}

/**
 * The indices with 95 % percentile-bootstrap intervals: `resamples` resamples of the N rows
 * with replacement, row k of resample r the Philox word of counter (r, floor(k / 4), 1,
 * DESIGN_TAG) number k mod 4, times N / 2^32, rounded down; the interval's ends the
 * resamples' 2.5 % and 97.5 % order statistics (ranks ceil(0.025 R) and ceil(0.975 R)).
 */
export function sobolWithIntervals(engine: Engine, seed: number, fA: ArrayLike<number>, fB: ArrayLike<number>, fAB: ArrayLike<number>[], resamples: number): SobolWithIntervals {
  const whole = sobolEstimate(fA, fB, fAB);
  const d = fAB.length, n = fA.length;
  const none = () => fAB.map(() => null);
  if (resamples === 0 || whole.variance === 0) return { ...whole, firstOrderCi95: none(), totalCi95: none() };
  const s: number[][] = fAB.map(() => []), t: number[][] = fAB.map(() => []);
  const rows = new Uint32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < n; k += 4) {
      const w = philoxWords(engine, seed, r, k / 4, STREAM_BOOTSTRAP, DESIGN_TAG);
      for (let m = 0; m < 4 && k + m < n; m++) rows[k + m] = Math.floor((w[m] * n) / 4294967296);
    }
    const e = sobolEstimate(fA, fB, fAB, rows);
    for (let j = 0; j < d; j++) {
      // A resample whose rows all give one output has no variance: it counts at the ends.
      s[j].push(e.firstOrder[j] ?? 0);
      t[j].push(e.total[j] ?? 0);
    }
  }
  const ci = (xs: number[]): [number, number] => {
    xs.sort((x, y) => x - y);
    return [xs[Math.ceil(0.025 * xs.length) - 1], xs[Math.ceil(0.975 * xs.length) - 1]];
  };
  return { ...whole, firstOrderCi95: s.map(ci), totalCi95: t.map(ci) };
}

/** The parameters in the design's column order: sorted by path, so declaring them in another order permutes the report, never the design. */
export function designOrder(spec: SensitivitySpec): SensitivityParameter[] {
  return [...spec.parameters].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export interface DesignPoint {
  /** The parameters' values by path. */
  params: Record<string, number>;
  /** Which matrix: 'A', 'B' or the design-order index i of A_B^i. */
  matrix: 'A' | 'B' | number;
  row: number;
}

/**
 * The design's runs in their fixed order: for each row i, A_i, B_i, then A_B^1_i ... A_B^d_i
 * (columns in design order). N (d + 2) points.
 */
export async function designPoints(spec: SensitivitySpec, seed: number): Promise<DesignPoint[]> {
  const engine = await loadEngine();
  const cols = designOrder(spec);
  const d = cols.length, n = spec.samples;
  const { a, b } = designUniforms(engine, seed, d, n);
  const values = (u: Float64Array) => Object.fromEntries(cols.map((p, j) => [p.path, parameterValue(p.dist, u[j])]));
  const out: DesignPoint[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ params: values(a[i]), matrix: 'A', row: i });
    out.push({ params: values(b[i]), matrix: 'B', row: i });
    for (let j = 0; j < d; j++) {
      const mixed = a[i].slice();
      mixed[j] = b[i][j];
      out.push({ params: values(mixed), matrix: j, row: i });
    }
  }
  return out;
}

/** Sets a scalar at a dotted path (numeric segments index existing arrays), creating missing objects. */
export function setScalar(obj: Plain, path: string, value: number, where: Path): string | null {
  const keys = path.split('.');
  let o: unknown = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (Array.isArray(o)) {
      const idx = Number(k);
      if (!/^\d+$/.test(k) || idx >= o.length) return `${keys.slice(0, i).join('.')} has no element ${k}`;
      if (o[idx] === null || typeof o[idx] !== 'object') return `${keys.slice(0, i + 1).join('.')} is not an object or list`;
      o = o[idx];
    } else {
      const rec = o as Plain;
      if (/^\d+$/.test(k)) return `${keys.slice(0, i).join('.')} is not a list`;
      if (rec[k] === undefined) rec[k] = {};
      else if (rec[k] === null || typeof rec[k] !== 'object') return `${keys.slice(0, i + 1).join('.')} is not an object or list`;
      o = rec[k];
    }
  }
  const last = keys[keys.length - 1];
  if (Array.isArray(o)) {
    const idx = Number(last);
    if (!/^\d+$/.test(last) || idx >= o.length) return `${keys.slice(0, -1).join('.')} has no element ${last}`;
    o[idx] = value;
  } else {
    if (/^\d+$/.test(last)) return `${keys.slice(0, -1).join('.')} is not a list`;
    (o as Plain)[last] = value;
  }
  void where;
  return null;
}

/** The number a summary gives for an output path; undefined when the summary has none (null or absent). */
export function outputOf(summary: Summary, path: string): number | undefined {
  let v: unknown = summary;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Plain)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface SensitivityIndex {
  parameter: string;
  distribution: ParameterDist;
  firstOrder: number | null;
  firstOrderCi95: [number, number] | null;
  total: number | null;
  totalCi95: [number, number] | null;
}

export interface SensitivityOutput {
  output: string;
  /** Mean and population variance of the output over the rows of A and B. */
  mean: number;
  variance: number;
  indices: SensitivityIndex[];
}

export interface SensitivityResult {
  sensitivity: {
    samples: number;
    /** Runs of the scenario: samples x (parameters + 2). */
    evaluations: number;
    bootstrap: number;
    design: string;
    estimators: string;
    intervals: string;
    seed: number;
    trialsPerRun: number;
    outputs: SensitivityOutput[];
    manifest: Summary['manifest'];
  };
}

export const DESIGN_TEXT = 'Saltelli: A and B (N rows each, Philox4x32-10 uniforms keyed by the seed, counter (row, column, 0, 0x536f626c)), A_B^i = A with column i from B; columns in the order of the parameter paths; every run with the scenario seed (common random numbers)';
export const ESTIMATOR_TEXT = 'first order: Saltelli et al. 2010, mean(f_B (f_ABi - f_A)) / V; total: Jansen 1999, mean((f_A - f_ABi)^2) / (2 V); V the variance of f over A and B; outputs centred first';

/** The analysis from the design's summaries (in designPoints' order). */
export async function sensitivityResult(spec: SensitivitySpec, seed: number, trials: number, summaries: Summary[], manifest: Summary['manifest']): Promise<SensitivityResult> {
  const engine = await loadEngine();
  const cols = designOrder(spec);
  const d = cols.length, n = spec.samples, stride = d + 2;
  if (summaries.length !== n * stride) throw new EngineError('incomplete_run', `the design has ${n * stride} runs, ${summaries.length} were given`);
  const outputs = spec.outputs.map((path) => {
    const value = (k: number) => {
      const v = outputOf(summaries[k], path);
      if (v === undefined) {
        const row = Math.floor(k / stride), m = k % stride;
        const run = `design row ${row} (${m === 0 ? 'A' : m === 1 ? 'B' : `A_B for ${cols[m - 2].path}`})`;
        throw new StereotaxError([{ code: 'invalid_value', path: 'sensitivity.output', expected: 'an output every run of the design defines (a proportion needs at least one trial counted)', received: `${path} null at ${run}`, message: `sensitivity.output: ${path} is not defined (null) at ${run}: every run must give the output` }]);
      }
      return v;
    };
    const fA = new Float64Array(n), fB = new Float64Array(n);
    const fAB = cols.map(() => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      fA[i] = value(i * stride);
      fB[i] = value(i * stride + 1);
      for (let j = 0; j < d; j++) fAB[j][i] = value(i * stride + 2 + j);
    }
    const e = sobolWithIntervals(engine, seed, fA, fB, fAB, spec.bootstrap);
    const byPath = new Map(cols.map((p, j) => [p.path, j]));
    const indices: SensitivityIndex[] = spec.parameters.map((p) => {
      const j = byPath.get(p.path)!;
      return { parameter: p.path, distribution: p.dist, firstOrder: e.firstOrder[j], firstOrderCi95: e.firstOrderCi95[j], total: e.total[j], totalCi95: e.totalCi95[j] };
    });
    return { output: path, mean: e.mean, variance: e.variance, indices };
  });
  return {
    sensitivity: {
      samples: n, evaluations: n * stride, bootstrap: spec.bootstrap,
      design: DESIGN_TEXT, estimators: ESTIMATOR_TEXT,
      intervals: spec.bootstrap ? `95 %: percentile bootstrap, ${spec.bootstrap} resamples of the N rows (Philox counter (resample, k / 4, 1, 0x536f626c))` : 'none (bootstrap 0)',
      seed, trialsPerRun: trials, outputs, manifest,
    },
  };
}
