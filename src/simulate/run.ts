/**
 * Running a scenario (or each point of its sweep): the trials split into fixed
 * blocks, blocks grouped into tasks for the worker pool (or run in this thread),
 * results accumulated exactly, so the summary is the same whatever the number of
 * workers, the task split, the shard split or the kernel build.
 */
import { EngineError, StereotaxError } from '../core/errors.js';
import { guardParse } from '../core/validate.js';
import { loadEngine, type KernelChoice } from '../engine/engine.js';
import type { KernelKind } from '../engine/kernels.js';
import { BLOCK_SIZE, MAX_TASK_BLOCKS, SUMS, packConfig, runBlocks, shiftsOf, type BlocksPayload, type BlocksResult } from './kernel.js';
import { expandScenario, parseScenario, scenarioHash, canonicalJson, symmetricPair, type Scenario } from './scenario.js';
import { parseReplicates, replicateSeeds, replicatesResult, type ReplicatesResult } from './replicates.js';
import { designPoints, parseSensitivity, sensitivityResult, setScalar, type SensitivityResult, type SensitivitySpec } from './sensitivity.js';
import { Accumulator, BATCHES, summarize, type AccumulatorJson, type Manifest, type Summary } from './summary.js';

/** What runs the tasks: a WorkerPool from createPool(), or anything with the same run(). */
export interface TaskRunner {
  readonly size: number;
  run<R>(task: string, payload: unknown, options?: { transfer?: Transferable[]; signal?: AbortSignal }): Promise<R>;
  close?(): Promise<void>;
}

export interface SimulateOptions {
  /** Worker threads (default: the machine's available parallelism); 0 runs in this thread. */
  workers?: number;
  /** A pool to reuse (its size counts as the workers); otherwise one is started and closed per call. */
  pool?: TaskRunner;
  kernel?: KernelChoice;
  /** Aborting stops the run (running tasks are terminated) and rejects with EngineError code `aborted`. */
  signal?: AbortSignal;
  /** Called as trials complete: (done, total) over the whole run (all sweep points). */
  onProgress?(done: number, total: number): void;
  /** Replaces the scenario's `trials`. */
  trials?: number;
  /** Stereotax version for the manifest. */
  version?: string;
  /** Called with each point's accumulated state (figures use it); not for general use. */
  onPoint?(index: number, scenario: Scenario, acc: Accumulator, params: Record<string, unknown> | null): void;
}

export interface SweepResult {
  sweep: { params: Record<string, unknown>; summary: Summary }[];
}
export type SimulationResult = Summary | SweepResult | ReplicatesResult | SensitivityResult;

/** One shard of a run: `stereotax simulate --shard K/N` prints it, `merge` combines N of them. */
export interface SimulationPart {
  format: 'stereotax-simulation-part';
  formatVersion: 2;
  runHash: string;
  shard: { index: number; count: number };
  points: { params: Record<string, unknown> | null; scenarioHash: string; accumulator: AccumulatorJson; elapsedSeconds: number }[];
  kernel: string;
  workers: number;
  stereotaxVersion: string;
  /** The scenario as given, so merge can rebuild every point. */
  scenario: unknown;
}

interface Plan {
  raw: unknown;
  points: { params: Record<string, unknown> | null; scenario: Scenario }[];
  sweep: boolean;
  /** A study of many runs of one scenario (version 1.2): its result is built from the points' summaries. */
  study?: { kind: 'sensitivity'; spec: SensitivitySpec; base: Scenario } | { kind: 'replicates'; seeds: number[]; base: Scenario };
}

async function plan(raw: unknown, trials?: number): Promise<Plan> {
  const fields = guardParse(() => (raw !== null && typeof raw === 'object' && !Array.isArray(raw)
    ? { sensitivity: (raw as Record<string, unknown>).sensitivity, replicates: (raw as Record<string, unknown>).replicates, sweep: (raw as Record<string, unknown>).sweep }
    : {}));
  if (fields.sensitivity === undefined && fields.replicates === undefined) {
    const { base, points } = expandScenario(raw, { trials });
    return points ? { raw, points, sweep: true } : { raw, points: [{ params: null, scenario: base }], sweep: false };
  }
  return studyPlan(raw, fields, trials);
}

function studyError(path: string, expected: string, received: string): StereotaxError {
  return new StereotaxError([{ code: 'invalid_value', path, expected, received, message: `${path}: expected ${expected}, received ${received}` }]);
}

/** A sensitivity analysis or replicates: every run validated before any is computed. */
async function studyPlan(raw: unknown, fields: { sensitivity?: unknown; replicates?: unknown; sweep?: unknown }, trials?: number): Promise<Plan> {
  const which = fields.sensitivity !== undefined ? 'sensitivity' : 'replicates';
  if (fields.sensitivity !== undefined && fields.replicates !== undefined) throw studyError('replicates', 'no replicates beside a sensitivity analysis (its runs share the seed by design)', JSON.stringify(fields.replicates));
  if (fields.sweep !== undefined) throw studyError('sweep', `no sweep beside ${which} (run each point as its own scenario)`, 'a sweep');
  const data = guardParse(() => JSON.parse(JSON.stringify(raw)) as Record<string, unknown>);
  delete data.sensitivity;
  delete data.replicates;
  if (trials !== undefined) data.trials = trials;
  const { base } = expandScenario(data);
  if (fields.replicates !== undefined) {
    const count = parseReplicates(fields.replicates);
    const seeds = await replicateSeeds(base.seed, count);
    return { raw, sweep: false, study: { kind: 'replicates', seeds, base }, points: seeds.map((seed, r) => ({ params: { replicate: r + 1 }, scenario: { ...base, seed } })) };
  }
  const spec = parseSensitivity(fields.sensitivity);
  const design = await designPoints(spec, base.seed);
  const needsPair = spec.outputs.some((o) => o.startsWith('classicError.'));
  const needsNeedle = spec.outputs.some((o) => !o.startsWith('targetingError.') && !o.startsWith('classicError.'));
  const points = design.map((d, k) => {
    const copy = structuredClone(data);
    for (const [path, value] of Object.entries(d.params)) {
      const bad = setScalar(copy, path, value, ['sensitivity', 'parameters', path]);
      if (bad) throw studyError(`sensitivity.parameters["${path}"]`, 'a path to a scalar of the scenario', `${JSON.stringify(path)} (${bad})`);
    }
    let scenario: Scenario;
    try {
      scenario = parseScenario(copy, false);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      const where = Object.entries(d.params).map(([p, v]) => `${p} = ${v}`).join(', ');
      throw new StereotaxError(err.issues.map((i) => ({ ...i, message: `sensitivity design run ${k} (${where}): ${i.message}` })));
    }
    if (needsPair && !symmetricPair(scenario)) throw studyError('sensitivity.output', 'classicError only where every run has a symmetric pair of angles', `run ${k} without one`);
    if (needsNeedle && !scenario.needle) throw studyError('sensitivity.output', 'placementError, hit, refused and strokeFailure only with a needle', 'a scenario without needle');
    return { params: d.params as Record<string, unknown>, scenario };
  });
  return { raw, sweep: false, study: { kind: 'sensitivity', spec, base }, points };
}

/** The result of a plan from its points' summaries (in order). */
async function resultOf(p: Plan, out: { params: Record<string, unknown>; summary: Summary }[], o: { kernel: string; workers: number; elapsed: number; version: string; shards?: number }): Promise<SimulationResult> {
  if (p.study?.kind === 'replicates') return replicatesResult(p.study.seeds, out.map((x) => x.summary));
  if (p.study?.kind === 'sensitivity') {
    const base = p.study.base;
    const manifest = manifestOf({ ...base, trials: base.trials * out.length }, await scenarioHash(base), o);
    return sensitivityResult(p.study.spec, base.seed, base.trials, out.map((x) => x.summary), manifest);
  }
  return p.sweep ? { sweep: out } : out[0].summary;
}

/** A point's blocks in the whole run. */
export function blocksOf(s: Scenario): number {
  return Math.ceil(s.trials / BLOCK_SIZE);
}

/** The blocks [from, to) of shard `index` (1-based) of `count` over `blocks` blocks. */
export function shardBlocks(blocks: number, index: number, count: number): [number, number] {
  return [Math.floor(((index - 1) * blocks) / count), Math.floor((index * blocks) / count)];
}

/**
 * Shard `index` (1-based) of `count` over the (point, block) pairs of a run, points in
 * order and blocks in order within each: contiguous and as equal as whole blocks allow,
 * so every shard has work whenever there are at least as many blocks as shards. Returns
 * each point's blocks [from, to) (empty where the shard has none of that point).
 */
export function shardPairs(blocks: number[], index: number, count: number): [number, number][] {
  const total = blocks.reduce((a, b) => a + b, 0);
  const [lo, hi] = shardBlocks(total, index, count);
  let start = 0;
  return blocks.map((n) => {
    const from = Math.min(Math.max(lo - start, 0), n), to = Math.min(Math.max(hi - start, 0), n);
    start += n;
    return [from, to];
  });
}

function aborted(): EngineError {
  return new EngineError('aborted', 'the simulation was stopped');
}

async function availableWorkers(): Promise<number> {
  try {
    const os = await import('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  } catch {
    return 0;
  }
}

interface Context {
  runner: TaskRunner | null;
  kernel: KernelKind;
  signal?: AbortSignal;
  progress: { done: number; total: number; report?(done: number, total: number): void };
}

/** Runs blocks [from, to) of one scenario into an accumulator. */
async function runPoint(s: Scenario, from: number, to: number, ctx: Context): Promise<Accumulator> {
  const shifts = shiftsOf(await loadEngine({ kernel: ctx.kernel }), s);
  const acc = new Accumulator(blocksOf(s), shifts);
  const config = packConfig(s, shifts);
  const span = to - from;
  const lanes = ctx.runner ? ctx.runner.size : 1;
  const per = Math.max(1, Math.min(MAX_TASK_BLOCKS, Math.ceil(span / (lanes * 4))));
  const tasks: BlocksPayload[] = [];
  for (let b = from; b < to; b += per) {
    tasks.push({ config, seed: s.seed, firstBlock: b, blocks: Math.min(per, to - b), trials: s.trials, kernel: ctx.kernel });
  }
  const taken = (r: BlocksResult) => {
    acc.add(r);
    const done = Math.min(s.trials, (r.firstBlock + r.sums.length / SUMS) * BLOCK_SIZE) - r.firstBlock * BLOCK_SIZE;
    ctx.progress.done += done;
    ctx.progress.report?.(ctx.progress.done, ctx.progress.total);
  };
  if (!ctx.runner) {
    const engine = await loadEngine({ kernel: ctx.kernel });
    for (const t of tasks) {
      if (ctx.signal?.aborted) throw aborted();
      taken(runBlocks(engine, t));
      // Let timers, signals and Ctrl-C in between tasks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } else {
    const runner = ctx.runner;
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        if (ctx.signal?.aborted) throw aborted();
        const t = tasks[next++];
        taken(await runner.run<BlocksResult>('simulateBlocks', t, { signal: ctx.signal }));
      }
    };
    await Promise.all(Array.from({ length: runner.size }, worker));
  }
  if (ctx.signal?.aborted) throw aborted();
  return acc;
}

function manifestOf(s: Scenario, hash: string, o: { kernel: string; workers: number; elapsed: number; version: string; shards?: number }): Manifest {
  return {
    stereotaxVersion: o.version,
    scenarioHash: hash,
    seed: s.seed,
    trials: s.trials,
    kernel: o.kernel,
    workers: o.workers,
    elapsedSeconds: Number(o.elapsed.toFixed(3)),
    trialsPerSecond: o.elapsed > 0 ? Math.round(s.trials / o.elapsed) : 0,
    generator: 'philox4x32-10',
    normal: 'marsaglia-polar',
    blockSize: BLOCK_SIZE,
    histogramBin: 0.001,
    batches: Math.min(BATCHES, blocksOf(s)),
    intervals: 'mean, sd: batch means, t(K-1); quantiles: order statistics; proportions: Wilson',
    ...(o.shards !== undefined ? { shards: o.shards } : {}),
  };
}

function summaryOf(s: Scenario, acc: Accumulator, manifest: Manifest): Summary {
  return summarize(acc, { id: s.id, seed: s.seed, trials: s.trials, classic: symmetricPair(s) !== null, needle: s.needle !== null, manifest, quantiles: s.quantiles });
}

async function withRunner<T>(o: SimulateOptions, fn: (ctx: Context, workers: number) => Promise<T>, total: number): Promise<T> {
  if (o.signal?.aborted) throw aborted();
  const engine = await loadEngine({ kernel: o.kernel });
  const workers = o.pool ? o.pool.size : o.workers ?? (await availableWorkers());
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) {
    throw new StereotaxError([{ code: 'out_of_range', path: 'workers', expected: 'a whole number of workers from 0 (this thread) to 256', received: String(workers), message: `workers: expected a whole number from 0 to 256, received ${String(workers)}` }]);
  }
  let runner: TaskRunner | null = o.pool ?? null;
  let own = false;
  if (!runner && workers > 0) {
    const { createPool } = await import('../workers/index.js');
    runner = await createPool({ size: workers });
    own = true;
  }
  try {
    return await fn({ runner, kernel: engine.kernel, signal: o.signal, progress: { done: 0, total, report: o.onProgress } }, workers);
  } finally {
    if (own) await runner!.close!();
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Runs a scenario (every point of its sweep) and returns its summary, or { sweep: [...] }. */
export async function simulate(scenario: unknown, options: SimulateOptions = {}): Promise<SimulationResult> {
  const p = await plan(scenario, options.trials);
  const total = p.points.reduce((n, pt) => n + pt.scenario.trials, 0);
  const version = options.version ?? 'unknown';
  return withRunner(options, async (ctx, workers) => {
    const out: { params: Record<string, unknown>; summary: Summary }[] = [];
    const t00 = now();
    const one = async (i: number) => {
      const pt = p.points[i];
      const t0 = now();
      const acc = await runPoint(pt.scenario, 0, blocksOf(pt.scenario), ctx);
      const elapsed = (now() - t0) / 1000;
      options.onPoint?.(i, pt.scenario, acc, pt.params);
      const manifest = manifestOf(pt.scenario, await scenarioHash(pt.scenario), { kernel: ctx.kernel, workers, elapsed, version });
      out[i] = { params: pt.params ?? {}, summary: summaryOf(pt.scenario, acc, manifest) };
    };
    if (!p.study) {
      for (let i = 0; i < p.points.length; i++) await one(i);
    } else {
      // A study's runs are many and often a block each: run as many at once as there are
      // workers (each run's result is exact whatever the order, so this changes no bit).
      let next = 0;
      const lane = async () => { while (next < p.points.length) await one(next++); };
      await Promise.all(Array.from({ length: Math.max(1, ctx.runner?.size ?? 1) }, lane));
    }
    return resultOf(p, out, { kernel: ctx.kernel, workers, elapsed: (now() - t00) / 1000, version });
  }, total);
}

async function runHashOf(p: Plan): Promise<string> {
  const text = canonicalJson(p.points.map((pt) => ({ params: pt.params, scenario: pt.scenario })));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Runs shard `index` (1-based) of `count`: the same blocks of every sweep point. */
export async function simulatePart(scenario: unknown, shard: { index: number; count: number }, options: SimulateOptions = {}): Promise<SimulationPart> {
  if (!(Number.isInteger(shard.count) && shard.count >= 1 && shard.count <= 100000 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    throw new StereotaxError([{ code: 'out_of_range', path: 'shard', expected: 'K/N with whole numbers 1 <= K <= N <= 100000', received: `${shard.index}/${shard.count}`, message: `shard: expected K/N with 1 <= K <= N, received ${shard.index}/${shard.count}` }]);
  }
  const p = await plan(scenario, options.trials);
  const ranges = shardPairs(p.points.map((pt) => blocksOf(pt.scenario)), shard.index, shard.count);
  const total = p.points.reduce((n, pt, i) => n + Math.max(0, Math.min(pt.scenario.trials, ranges[i][1] * BLOCK_SIZE) - ranges[i][0] * BLOCK_SIZE), 0);
  const runHash = await runHashOf(p);
  // The scenario as JSON data, read once (merge re-validates it and checks the run hash).
  const data = guardParse(() => JSON.parse(JSON.stringify({ ...(scenario as object), ...(options.trials !== undefined ? { trials: options.trials } : {}) })) as unknown);
  return withRunner(options, async (ctx, workers) => {
    const points: SimulationPart['points'] = [];
    for (let i = 0; i < p.points.length; i++) {
      const pt = p.points[i];
      const t0 = now();
      const acc = ranges[i][1] > ranges[i][0] ? await runPoint(pt.scenario, ranges[i][0], ranges[i][1], ctx)
        : new Accumulator(blocksOf(pt.scenario), shiftsOf(await loadEngine({ kernel: ctx.kernel }), pt.scenario));
      points.push({ params: pt.params, scenarioHash: await scenarioHash(pt.scenario), accumulator: await acc.toJSON(), elapsedSeconds: (now() - t0) / 1000 });
    }
    return {
      format: 'stereotax-simulation-part', formatVersion: 2, runHash, shard, points,
      kernel: ctx.kernel, workers, stereotaxVersion: options.version ?? 'unknown', scenario: data,
    };
  }, total);
}

function partError(path: string, expected: string, received: string): StereotaxError {
  return new StereotaxError([{ code: 'invalid_value', path, expected, received, message: `${path}: expected ${expected}, received ${received}` }]);
}

/** Combines the N parts of a sharded run into exactly the result of the whole run. */
export async function mergeParts(parts: unknown[], options: Pick<SimulateOptions, 'version' | 'onPoint'> = {}): Promise<SimulationResult> {
  const version = options.version ?? 'unknown';
  if (!Array.isArray(parts) || parts.length === 0) throw partError('parts', 'at least one part', 'none');
  const list = parts.map((q, i) => {
    const part = q as SimulationPart;
    if (!part || typeof part !== 'object' || part.format !== 'stereotax-simulation-part' || part.formatVersion !== 2) {
      throw partError(`parts[${i}]`, 'a part printed by stereotax simulate --shard K/N', 'something else');
    }
    return part;
  });
  const first = list[0];
  const count = first.shard?.count;
  const seen = new Set<number>();
  list.forEach((part, i) => {
    if (part.runHash !== first.runHash) throw partError(`parts[${i}].runHash`, `the run of parts[0] (${first.runHash.slice(0, 12)}...)`, JSON.stringify(String(part.runHash).slice(0, 12) + '...'));
    if (part.shard?.count !== count) throw partError(`parts[${i}].shard.count`, String(count), String(part.shard?.count));
    if (seen.has(part.shard.index)) throw partError(`parts[${i}].shard.index`, 'each shard once', `shard ${part.shard.index} again`);
    seen.add(part.shard.index);
  });
  if (seen.size !== count) {
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
    throw partError('parts', `all ${count} shards`, `shards ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} missing`);
  }
  const p = await plan(first.scenario);
  if ((await runHashOf(p)) !== first.runHash) throw partError('parts[0].scenario', 'the scenario the parts were run from', 'a scenario with another hash');
  const kernels = [...new Set(list.map((q) => q.kernel))].join('+');
  const workers = list.reduce((n, q) => n + q.workers, 0);
  const out: { params: Record<string, unknown>; summary: Summary }[] = [];
  let total = 0;
  for (let i = 0; i < p.points.length; i++) {
    const s = p.points[i].scenario;
    const shifts = first.points?.[i]?.accumulator?.shifts;
    if (!Array.isArray(shifts) || !shifts.every((x) => typeof x === 'number' && Number.isFinite(x))) throw partError(`parts[0].points[${i}].accumulator.shifts`, 'the shifts of the run', JSON.stringify(shifts ?? null).slice(0, 40));
    const acc = new Accumulator(blocksOf(s), shifts);
    let elapsed = 0;
    for (let k = 0; k < list.length; k++) {
      const pt = list[k].points?.[i];
      if (!pt) throw partError(`parts[${k}].points[${i}]`, 'one entry per sweep point', 'nothing');
      await acc.merge(pt.accumulator, `parts[${k}].points[${i}].accumulator`);
      elapsed += Number.isFinite(pt.elapsedSeconds) ? pt.elapsedSeconds : 0;
    }
    options.onPoint?.(i, s, acc, p.points[i].params);
    if (acc.blocks !== blocksOf(s)) throw partError('parts', `${blocksOf(s)} blocks in all`, `${acc.blocks}`);
    const manifest = manifestOf(s, await scenarioHash(s), { kernel: kernels, workers, elapsed, version, shards: count });
    out.push({ params: p.points[i].params ?? {}, summary: summaryOf(s, acc, manifest) });
    total += elapsed;
  }
  return resultOf(p, out, { kernel: kernels, workers, elapsed: total, version, shards: count });
}
