/**
 * `stereotax simulate FILE|- [--trials N] [--workers N] [--shard K/N] [--format json|csv] [--plots DIR] [--out FILE]`
 * `stereotax simulate merge PART... [--format json|csv] [--plots DIR] [--out FILE]`
 * (spec simulation.md section 6). Output and figures are written whole or not at
 * all: files go to a temporary name and are renamed when complete, so Ctrl-C
 * leaves nothing half-written.
 */
import { isMissingPackage } from '../core/optional.js';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StereotaxError } from '../core/errors.js';
import { parseJson } from '../core/validate.js';
import type { KernelChoice } from '../engine/engine.js';
import { figureData, figures, type FigureData } from '../simulate/plots.js';
import { mergeParts, simulate, simulatePart, type SimulateOptions, type SimulationResult } from '../simulate/run.js';
import { toCsv } from '../simulate/csv.js';
import { EXIT, readInput, type ExitCode, type Io } from './io.js';
import type { ArgvCommand } from './command.js';

declare const __STEREOTAX_VERSION__: string | undefined;
const VERSION = typeof __STEREOTAX_VERSION__ === 'string' ? __STEREOTAX_VERSION__ : 'source';

const USAGE = [
  'stereotax simulate FILE|- [--trials N] [--workers N] [--shard K/N] [--format json|csv] [--plots DIR] [--out FILE] [--kernel auto|simd|scalar] [--progress SECONDS]',
  'stereotax simulate merge PART... [--format json|csv] [--plots DIR] [--out FILE]',
].join('\n       ');

function flagError(flag: string, expected: string, received: unknown): StereotaxError {
  const got = received === undefined ? 'nothing' : JSON.stringify(received);
  return new StereotaxError([{ code: 'invalid_value', path: flag, expected, received: got, message: `${flag}: expected ${expected}, received ${got}` }]);
}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+(\.\d+)?(e\d+)?$/i.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw flagError(flag, `a whole number from ${min} to ${max}`, text);
  return n;
}

/**
 * Writes `text` to `path` whole: a temporary file in the same folder, then a rename. A path
 * that is not a regular file (a device such as /dev/stdout, a FIFO) is written in place: a
 * rename would replace the device itself with a file.
 */
async function writeWhole(path: string, text: string): Promise<void> {
  const there = await stat(path).catch(() => undefined);
  if (there && !there.isFile()) {
    await writeFile(path, text);
    return;
  }
  const tmp = `${path}.partial-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Seconds between progress lines when stderr is not a terminal (a Slurm log, a pipe). */
export const PROGRESS_SECONDS = 5;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress lines for a log: at most one every `seconds`, each on its own line with the
 * trials done, the share, the rate and the time left, then one line at the end.
 */
export function progressLines(write: (line: string) => void, seconds: number, clock: () => number = Date.now): { update(done: number, total: number): void; stop(): void } {
  const start = clock();
  let last = start, latest: [number, number] | null = null, finished = false;
  const line = (done: number, total: number) => {
    const t = (clock() - start) / 1000;
    const rate = t > 0 ? done / t : 0;
    const pct = total > 0 ? (100 * done) / total : 100;
    write(`stereotax simulate: ${done}/${total} trials (${pct.toFixed(1)} %), ${Math.round(rate)} trials/s, ${duration(t)} elapsed, ${duration(rate > 0 ? (total - done) / rate : Infinity)} left\n`);
  };
  return {
    update(done, total) {
      latest = [done, total];
      const t = clock();
      if (t - last >= seconds * 1000) {
        last = t;
        line(done, total);
      }
    },
    stop() {
      if (finished || !latest) return;
      finished = true;
      line(latest[0], latest[1]);
    },
  };
}

/** A progress bar on a terminal's stderr (cli-progress); progress lines every few seconds otherwise. */
async function progressBar(io: Io, seconds = PROGRESS_SECONDS): Promise<{ update(done: number, total: number): void; stop(): void }> {
  if (!io.stderrIsTTY) return progressLines((t) => io.stderr(t), seconds);
  // cli-progress is an optional peer: without it, the same progress lines as off a terminal.
  const mod = await import('cli-progress').catch((err) => { if (isMissingPackage(err, ['cli-progress'])) return undefined; throw err; });
  if (!mod) return progressLines((t) => io.stderr(t), seconds);
  const { SingleBar, Presets } = mod.default ?? mod;
  const bar = new SingleBar({ format: 'simulate [{bar}] {percentage}% | {value}/{total} trials | {eta_formatted} left', stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

async function emit(io: Io, result: SimulationResult | object, format: 'json' | 'csv', out: string | undefined): Promise<void> {
  const text = format === 'csv' ? toCsv(result as SimulationResult) : JSON.stringify(result, null, 2) + '\n';
  if (out) await writeWhole(out, text);
  else io.stdout(text);
}

async function writeFigures(dir: string, points: FigureData[], result: SimulationResult): Promise<string[]> {
  const files = await figures(points, 'sweep' in result ? result.sweep : null, 'sensitivity' in result ? result : null);
  await mkdir(dir, { recursive: true });
  for (const [name, svg] of Object.entries(files)) await writeWhole(join(dir, name), svg);
  return Object.keys(files);
}

function format(value: string | undefined): 'json' | 'csv' {
  if (value === undefined || value === 'json' || value === 'csv') return value ?? 'json';
  throw flagError('--format', 'json or csv', value);
}

function kernelOf(value: string | undefined): KernelChoice {
  if (value === undefined || value === 'auto' || value === 'simd' || value === 'scalar') return value ?? 'auto';
  throw flagError('--kernel', 'auto, simd or scalar', value);
}

/** Runs `fn` with an AbortSignal that Ctrl-C (SIGINT) fires: the run stops, nothing is written. */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.on('SIGINT', onInt);
  try {
    return await fn(ac.signal);
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}

async function runMerge(argv: string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, plots: { type: 'string' }, out: { type: 'string' } } });
  const fmt = format(values.format);
  if (positionals.length === 0) throw flagError('PART', 'one or more part files printed by stereotax simulate --shard K/N', undefined);
  const parts = await Promise.all(positionals.map(async (file) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw flagError('PART', 'a readable part file', `${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return parseJson(text, file);
  }));
  const points: FigureData[] = [];
  const result = await mergeParts(parts, { version: VERSION, onPoint: values.plots && !isSensitivity((parts[0] as { scenario?: unknown })?.scenario) ? (i, s, acc, params) => points.push(figureData(pointLabel(params), s, acc, params)) : undefined });
  if (values.plots) await writeFigures(values.plots, points, result);
  await emit(io, result, fmt, values.out);
  return EXIT.ok;
}

/** A sensitivity analysis: its figure is the indices, not each design run's histograms. */
function isSensitivity(scenario: unknown): boolean {
  return scenario !== null && typeof scenario === 'object' && (scenario as Record<string, unknown>).sensitivity !== undefined;
}

function pointLabel(params: Record<string, unknown> | null): string {
  return params ? Object.entries(params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') : '';
}

export const simulateCommand: ArgvCommand = {
  summary: 'research scenarios: Monte Carlo of the whole stereotactic chain (accuracy, hits, refusals; sweeps, shards, figures)',
  usage: USAGE,
  async runArgv(argv, io) {
    if (argv[0] === 'merge') return runMerge(argv.slice(1), io);
    let parsed;
    try {
      parsed = parseArgs({
        args: argv, allowPositionals: true,
        options: {
          trials: { type: 'string' }, workers: { type: 'string' }, shard: { type: 'string' }, format: { type: 'string' },
          plots: { type: 'string' }, out: { type: 'string' }, kernel: { type: 'string' }, progress: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      io.stderr(`stereotax simulate: ${(err as Error).message}\nUsage: ${USAGE}\n`);
      return EXIT.invalid;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(`Usage: ${USAGE}\n`);
      return EXIT.ok;
    }
    if (positionals.length > 1) throw flagError('FILE', 'one scenario file (or -)', positionals[1]);
    const trials = wholeNumber('--trials', values.trials, 1, 1e10);
    const workers = wholeNumber('--workers', values.workers, 0, 256);
    const fmt = format(values.format);
    const kernel = kernelOf(values.kernel);
    const progressSeconds = wholeNumber('--progress', values.progress, 0, 86400) ?? PROGRESS_SECONDS;
    let shard: { index: number; count: number } | undefined;
    if (values.shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(values.shard);
      const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
      if (!m || index < 1 || count < 1 || index > count || count > 100000) throw flagError('--shard', 'K/N with whole numbers 1 <= K <= N <= 100000', values.shard);
      if (fmt === 'csv' || values.plots) throw flagError('--shard', 'no --format csv or --plots with a shard (merge the parts, then ask for them)', values.shard);
      shard = { index, count };
    }
    await interruptible(async (signal) => {
      const scenario = await readInput(io, positionals[0]);
      const bar = await progressBar(io, progressSeconds);
      const points: FigureData[] = [];
      const options: SimulateOptions = {
        trials, workers, kernel, version: VERSION, signal,
        onProgress: (done, total) => bar.update(done, total),
        onPoint: values.plots && !isSensitivity(scenario) ? (i, s, acc, params) => points.push(figureData(pointLabel(params), s, acc, params)) : undefined,
      };
      try {
        if (shard) {
          const part = await simulatePart(scenario, shard, options);
          bar.stop();
          await emit(io, part, 'json', values.out);
          return;
        }
        const result = await simulate(scenario, options);
        bar.stop();
        if (values.plots) {
          const names = await writeFigures(values.plots, points, result);
          io.stderr(`stereotax simulate: wrote ${names.map((n) => join(values.plots!, n)).join(', ')}\n`);
        }
        await emit(io, result, fmt, values.out);
      } finally {
        bar.stop();
      }
    });
    return EXIT.ok;
  },
};
