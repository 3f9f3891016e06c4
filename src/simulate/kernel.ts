/**
 * The host side of the simulation kernel (assembly/simulate.ts): the scenario
 * packed into the kernel's configuration slots, and one task = a run of whole
 * blocks of trials in one engine, returning per-block sums, counters and the
 * non-empty part of each histogram. The same function runs in a worker thread
 * (src/workers/tasks.ts) or in this thread.
 */
import { EngineError } from '../core/errors.js';
import { loadEngine, type Engine } from '../engine/engine.js';
import type { KernelExports, KernelKind } from '../engine/kernels.js';
import { withTransfer, type Transfer } from '../workers/transfer.js';
import { symmetricPair, type Dist, type Scenario, type VectorError } from './scenario.js';

/** Trials per block: block sums are the unit of combination (part of the reproducibility contract). */
export const BLOCK_SIZE = 4096;
/** Histogram bins of signed errors, 0.001 mm wide, from -131.072 to 131.072 mm, plus an overflow bin at each end. */
export const HIST_BINS = 131072;
export const HIST_LEN = 2 * HIST_BINS + 2;
/** Where bin 0 ([0, 0.001) mm) sits in a histogram. */
export const HIST_ZERO = HIST_BINS + 1;
export const BIN_WIDTH = 0.001;
export const HISTOGRAMS = 13;
export const SUMS = 26;
/** Per-block sum slots holding the block's counts of targeted and placed trials. */
export const S_TARGETED = 24;
export const S_PLACED = 25;
/** Quantities scored per trial (group * 4 + x, y, z, r), each with a shift (C_SHIFT). */
export const SHIFTS = 12;
export const COUNTERS = 10;
const CONFIG_SLOTS = 764;
const C_LATERAL = 754;
const C_DEFLECT = 752;
const C_SLICE = 753;
const C_MIS_SID = 748;
const C_VEC = 228;
const C_VEC_TABLE = 236;
const VEC_TABLE = 256;
const C_MARK = 196;
const C_SHIFT = 76;
const C_THICKNESS = 20;
const C_TRUNC = 88;
const KERNEL_MAX_VIEWS = 8;
/** Uniforms the SIMD build computes ahead (assembly/simulate.ts PREFETCH_SLOTS: 8 blocks x 2 words x 4 trials). */
const PREFETCH_SLOTS = 64;
/** Largest task, in blocks (bounds the per-task memory and the time between abort checks). */
export const MAX_TASK_BLOCKS = 256;

// Counter slots (assembly/simulate.ts K_*).
export const K = { trials: 0, classic: 1, placed: 2, refused: 3, hit: 4, stroke: 5, max: 6, singular: 9 } as const;

interface SimulateExports extends KernelExports {
  simulate(config: number, seedLo: number, seedHi: number, first: number, count: number, blockSize: number,
    sums: number, counters: number, hist: number, scratch: number, extents: number): number;
  philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: number): void;
  normals(k0: number, k1: number, index: number, n: number, out: number): void;
  uniforms(k0: number, k1: number, index: number, n: number, out: number): void;
}

export function simExports(engine: Engine): SimulateExports {
  return engine.wasm as SimulateExports;
}

function putDist(cfg: Float64Array, slot: number, d: Dist): void {
  if ('constant' in d) cfg.set([0, d.constant, 0], slot);
  else if ('uniform' in d) cfg.set([1, d.uniform[0], d.uniform[1]], slot);
  else if (d.within) {
    cfg.set([3, d.normal[0], d.normal[1]], slot);
    cfg.set(d.within, C_TRUNC + 2 * (slot - C_THICKNESS));
  } else cfg.set([2, d.normal[0], d.normal[1]], slot);
}

function putVector(cfg: Float64Array, w: number, v: VectorError): void {
  const o = C_VEC + 4 * w;
  if (v.length && 'lognormal' in v.length) cfg.set([2, v.length.lognormal[0], v.length.lognormal[1], 0], o);
  else if (v.length) {
    cfg.set([3, 0, 0, v.length.values.length], o);
    cfg.set(v.length.values.slice(0, VEC_TABLE), C_VEC_TABLE + VEC_TABLE * w);
  } else if (v.studentT !== undefined) cfg.set([1, v.studentT, 0, 0], o);
}

/** The scenario in the kernel's configuration slots (C_* in assembly/simulate.ts), with the sums' shifts (zero when not given). */
export function packConfig(s: Scenario, shifts?: ArrayLike<number>): Float64Array {
  const cfg = new Float64Array(CONFIG_SLOTS);
  const views = s.unit.angles.length;
  if (views > KERNEL_MAX_VIEWS) throw new EngineError('too_many_views', `the kernel takes at most ${KERNEL_MAX_VIEWS} views`);
  const g = s.unit.geometry;
  cfg[0] = views;
  cfg[1] = g.sourceToDetector;
  cfg[2] = g.sourceToSupport;
  cfg[3] = g.rotationAxisHeight;
  cfg[4] = s.needle ? 1 : 0;
  const pair = symmetricPair(s);
  cfg[5] = pair ? pair.plus : -1;
  cfg[6] = pair ? pair.minus : -1;
  cfg[7] = pair ? Math.tan((pair.angle * Math.PI) / 180) : 1;
  cfg[8] = s.marking.sigma ?? -1; // informational: the kernel reads the per-view slots
  s.unit.angles.forEach((_, k) => cfg.set([...s.marking.bias[k], ...s.marking.sigmaByView[k]], C_MARK + 4 * k));
  cfg[9] = s.breast.thicknessReadout.sigma;
  if (s.needle) {
    cfg[10] = s.needle.device.apertureLength;
    cfg[11] = s.needle.device.tipLength;
    cfg[12] = s.needle.samplingRadius;
    cfg[13] = s.needle.minStrokeMargin;
    cfg.set(s.needle.deviation.sigma, 14);
    putVector(cfg, 0, s.needle.deviation);
    cfg[C_DEFLECT] = s.needle.deflection;
    const lat = s.needle.lateral;
    if (lat) {
      cfg.set([lat.side === '+x' ? -1 : 1, lat.outerRadius, lat.nearSkinX === undefined ? 0 : 1, lat.nearSkinX ?? 0, lat.farSkinX === undefined ? 0 : 1, lat.farSkinX ?? 0, lat.minClearance], C_LATERAL);
    }
  }
  cfg.set(s.tissue.displacement.sigma, 17);
  putVector(cfg, 1, s.tissue.displacement);
  putDist(cfg, 20, s.breast.thickness);
  putDist(cfg, 23, s.lesion.x);
  putDist(cfg, 26, s.lesion.y);
  putDist(cfg, 29, s.lesion.zFraction);
  putDist(cfg, 32, s.lesion.radius);
  putDist(cfg, 35, s.breast.thicknessReadout.bias);
  putDist(cfg, 38, s.unit.miscalibration.sourceToSupport);
  putDist(cfg, 41, s.unit.miscalibration.rotationAxisHeight);
  s.unit.angles.forEach((a, k) => {
    cfg[44 + k] = a;
    putDist(cfg, 52 + 3 * k, s.unit.miscalibration.angle[k]);
  });
  cfg[C_MIS_SID] = s.unit.miscalibration.sourceToDetector;
  cfg[C_SLICE] = s.unit.tomosynthesis?.sliceSpacing ?? 0;
  cfg.set(s.unit.miscalibration.detectorShift, C_MIS_SID + 1);
  if (shifts) cfg.set(Array.from(shifts).slice(0, SHIFTS), C_SHIFT);
  return cfg;
}

export function splitSeed(seed: number): [number, number] {
  return [seed % 4294967296, Math.floor(seed / 4294967296)];
}

export interface BlocksPayload {
  config: Float64Array;
  seed: number;
  /** Global index of the first block. */
  firstBlock: number;
  blocks: number;
  /** Trials of the whole run (the last block may be partial). */
  trials: number;
  kernel: KernelKind;
}

/** Histograms without their empty ends: for each, [first bin, bin count] in `ranges`, the counts concatenated. */
export interface SparseHistograms {
  ranges: number[];
  counts: Uint32Array;
}

export interface BlocksResult {
  firstBlock: number;
  /** SUMS per block, blocks in order. */
  sums: Float64Array;
  counters: Float64Array;
  hist: SparseHistograms;
}

interface Regions {
  config: number;
  sums: number;
  counters: number;
  hist: number;
  scratch: number;
  extents: number;
}
const regions = new WeakMap<Engine, Regions>();

/**
 * Working memory for a task, reserved once per engine (outside any batch's region) and
 * reused: memory stays flat however many trials run.
 */
function regionsOf(engine: Engine): Regions {
  let r = regions.get(engine);
  if (!r) {
    r = {
      config: engine.reserve(CONFIG_SLOTS * 8, 'the simulation configuration'),
      sums: engine.reserve(SUMS * MAX_TASK_BLOCKS * 8, 'the simulation block sums'),
      counters: engine.reserve(COUNTERS * 8, 'the simulation counters'),
      hist: engine.reserve(HISTOGRAMS * HIST_LEN * 4, 'the simulation histograms'),
      scratch: engine.reserve((2 * SUMS + 6 * KERNEL_MAX_VIEWS + PREFETCH_SLOTS) * 8, 'the simulation scratch'),
      extents: engine.reserve(HISTOGRAMS * 8, 'the histogram extents'),
    };
    // Histograms start empty and are left empty after each task (only touched ranges are cleared).
    new Uint32Array(engine.wasm.memory.buffer, r.hist, HISTOGRAMS * HIST_LEN).fill(0);
    regions.set(engine, r);
  }
  return r;
}

/** Runs `payload.blocks` whole blocks in `engine`. */
export function runBlocks(engine: Engine, p: BlocksPayload): BlocksResult {
  if (p.blocks < 1 || p.blocks > MAX_TASK_BLOCKS) throw new EngineError('bad_task', `a task runs 1 to ${MAX_TASK_BLOCKS} blocks`);
  const w = simExports(engine);
  const r = regionsOf(engine);
  const mem = () => w.memory.buffer;
  new Float64Array(mem(), r.config, CONFIG_SLOTS).set(p.config);
  new Float64Array(mem(), r.counters, COUNTERS).fill(0);
  const ext = new Int32Array(mem(), r.extents, 2 * HISTOGRAMS);
  for (let h = 0; h < HISTOGRAMS; h++) ext.set([HIST_LEN, -1], 2 * h);
  const first = p.firstBlock * BLOCK_SIZE;
  const count = Math.min(p.trials - first, p.blocks * BLOCK_SIZE);
  if (!(count > 0)) throw new EngineError('bad_task', 'a task past the end of the run');
  const [lo, hi] = splitSeed(p.seed);
  const singular = w.simulate(r.config, lo, hi, first, count, BLOCK_SIZE, r.sums, r.counters, r.hist, r.scratch, r.extents);
  const counters = new Float64Array(mem(), r.counters, COUNTERS).slice();
  counters[K.singular] = singular;
  const sums = new Float64Array(mem(), r.sums, SUMS * Math.ceil(count / BLOCK_SIZE)).slice();
  const extents = Array.from(new Int32Array(mem(), r.extents, 2 * HISTOGRAMS));
  return { firstBlock: p.firstBlock, sums, counters, hist: takeHistograms(new Uint32Array(mem(), r.hist, HISTOGRAMS * HIST_LEN), extents) };
}

/**
 * Copies out each histogram's occupied range (first to last non-zero bin) and clears the
 * range the kernel reported, leaving the region empty. The kernel's range may hold empty
 * bins at its ends (it is derived from the largest error, not tracked per bin).
 */
function takeHistograms(hist: Uint32Array, extents: number[]): SparseHistograms {
  const ranges: number[] = [];
  let total = 0;
  for (let h = 0; h < HISTOGRAMS; h++) {
    const base = h * HIST_LEN;
    let lo = Math.max(extents[2 * h], 0), hi = Math.min(extents[2 * h + 1], HIST_LEN - 1);
    while (lo <= hi && hist[base + lo] === 0) lo++;
    while (hi >= lo && hist[base + hi] === 0) hi--;
    const n = hi >= lo ? hi - lo + 1 : 0;
    ranges.push(n ? lo : 0, n);
    total += n;
  }
  const counts = new Uint32Array(total);
  let at = 0;
  for (let h = 0; h < HISTOGRAMS; h++) {
    const lo = ranges[2 * h], n = ranges[2 * h + 1];
    counts.set(hist.subarray(h * HIST_LEN + lo, h * HIST_LEN + lo + n), at);
    at += n;
    const from = Math.max(extents[2 * h], 0), to = Math.min(extents[2 * h + 1], HIST_LEN - 1);
    if (to >= from) hist.fill(0, h * HIST_LEN + from, h * HIST_LEN + to + 1);
  }
  return { ranges, counts };
}

/** The worker task: loads the requested build (cached per thread), runs the blocks, moves the result's buffers back. */
export async function simulateBlocksTask(payload: BlocksPayload): Promise<Transfer<BlocksResult>> {
  const engine = await loadEngine({ kernel: payload.kernel });
  const r = runBlocks(engine, payload);
  return withTransfer(r, [r.sums.buffer as ArrayBuffer, r.counters.buffer as ArrayBuffer, r.hist.counts.buffer as ArrayBuffer]);
}

/**
 * The shifts for a point's sums: the quantities of trial 0 (0 for a group trial 0 does not
 * reach). Any fixed value keeps the sums exact; one near the mean keeps the variance of a
 * (nearly) constant error exact. Trial 0 depends only on the seed, so every worker and shard
 * of the run derives the same shifts.
 */
export function shiftsOf(engine: Engine, s: Scenario): number[] {
  const r = runBlocks(engine, { config: packConfig(s), seed: s.seed, firstBlock: 0, blocks: 1, trials: 1, kernel: engine.kernel });
  const shifts = new Array<number>(SHIFTS).fill(0);
  const reached = [r.sums[S_TARGETED] > 0, r.sums[S_TARGETED] > 0 && r.counters[K.classic] > 0, r.sums[S_PLACED] > 0];
  for (let g = 0; g < 3; g++) {
    if (!reached[g]) continue;
    for (let a = 0; a < 4; a++) shifts[g * 4 + a] = r.sums[g * 8 + 2 * a];
  }
  return shifts;
}
