/**
 * The contract every command honours (spec section 6): JSON in from FILE or "-",
 * JSON out on stdout; an array in gives an array out in the same order, an element
 * that cannot be computed becomes { error: { code, message, path, ... } }.
 * Exit status: 0 computed, no error finding; 3 computed with an error finding;
 * 2 invalid input (message on stderr naming the field and the value); 1 anything else.
 * For an array, the worst element's status: 1 over 2 over 3 over 0.
 */
import { readFile, stat } from 'node:fs/promises';
import { EngineError, StereotaxError, type Issue } from '../core/errors.js';
import { parseJson } from '../core/validate.js';
import type { Finding } from '../core/findings.js';
import { escapeControls, escapeStrings } from '../core/text.js';

export const EXIT = { ok: 0, internal: 1, invalid: 2, unsafe: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const RANK: Record<ExitCode, number> = { 0: 0, 3: 1, 2: 2, 1: 3 };
export function worst(a: ExitCode, b: ExitCode): ExitCode {
  return RANK[a] >= RANK[b] ? a : b;
}

export interface Io {
  /** Writes to standard output; may return a promise that settles when the stream can take more. */
  stdout(text: string): void | Promise<void>;
  stderr(text: string): void;
  /** Reads standard input; refuses (StereotaxError input_too_large) past maxBytes when given. */
  readStdin(maxBytes?: number): Promise<string>;
  /** True when stderr is a terminal (progress is shown only then). */
  stderrIsTTY: boolean;
}

/** Default cap on an input document: 64 MiB (STEREOTAX_MAX_INPUT_MB or --max-input-mb change it). */
export const DEFAULT_MAX_INPUT_MB = 64;
/** Element errors echoed on stderr for one array; the rest are counted (every one is in the output). */
export const MAX_STDERR_ERRORS = 20;

/** The input cap in bytes: STEREOTAX_MAX_INPUT_MB when set to a positive number, else 64 MiB. */
export function defaultMaxInputBytes(env: Record<string, string | undefined> = process.env): number {
  const mb = Number(env.STEREOTAX_MAX_INPUT_MB);
  return Math.floor((env.STEREOTAX_MAX_INPUT_MB && mb > 0 && Number.isFinite(mb) ? mb : DEFAULT_MAX_INPUT_MB) * 1024 * 1024);
}

function tooLarge(source: string, bytes: number | undefined, maxBytes: number): StereotaxError {
  const mb = (maxBytes / 1024 / 1024).toFixed(maxBytes % (1024 * 1024) ? 2 : 0);
  const issue: Issue = {
    code: 'input_too_large', path: '', expected: `at most ${maxBytes} bytes (${mb} MiB)`,
    received: bytes === undefined ? `more than ${maxBytes} bytes` : `${bytes} bytes`,
    message: `${source} is larger than ${mb} MiB${bytes === undefined ? '' : ` (${bytes} bytes)`}: split the batch, or raise the limit with --max-input-mb or STEREOTAX_MAX_INPUT_MB`,
  };
  return new StereotaxError([issue]);
}

export const processIo: Io = {
  stdout: (t) => {
    if (process.stdout.write(t)) return;
    // The pipe is full: wait until it drains, so a large batch is not buffered in memory.
    return new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        process.stdout.off('close', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
      process.stdout.once('close', done);
    });
  },
  stderr: (t) => void process.stderr.write(t),
  readStdin: async (maxBytes = Infinity) => {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of process.stdin) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        process.stdin.destroy();
        throw tooLarge('stdin', undefined, maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  },
  stderrIsTTY: !!process.stderr.isTTY,
};

/**
 * Reads the JSON document named on the command line ("-" for stdin), at most
 * maxBytes long (64 MiB unless configured); a UTF-8 byte-order mark is ignored and
 * nesting is bounded (see parseJson).
 */
export async function readInput(io: Io, source: string | undefined, maxBytes = defaultMaxInputBytes()): Promise<unknown> {
  if (source === undefined) {
    throw new StereotaxError([{ code: 'missing_field', path: '', expected: 'a FILE or - (stdin)', received: 'nothing', message: 'no input given: pass a JSON file, or - to read standard input' }]);
  }
  let text: string;
  if (source === '-') text = await io.readStdin(maxBytes);
  else {
    try {
      const { size } = await stat(source);
      if (size > maxBytes) throw tooLarge(source, size, maxBytes);
      text = await readFile(source, 'utf8');
    } catch (err) {
      if (err instanceof StereotaxError) throw err;
      throw new StereotaxError([{ code: 'invalid_value', path: '', expected: 'a readable file', received: JSON.stringify(source), message: `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
  }
  // A stdin that does not check the cap itself (a test's fake one) is checked here.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) {
    throw tooLarge(source === '-' ? 'stdin' : source, Buffer.byteLength(text, 'utf8'), maxBytes);
  }
  return parseJson(text, source === '-' ? 'stdin' : source);
}

export interface ErrorElement {
  error: { code: string; message: string; path: string; expected?: string; received?: string };
}

/** Turns a thrown value into the element printed in its place, with its exit status. */
export function errorElement(err: unknown): { element: ErrorElement; exit: ExitCode } {
  if (err instanceof StereotaxError) {
    const { code, message, path, expected, received } = err;
    return { element: { error: { code, message, path, expected, received } }, exit: EXIT.invalid };
  }
  if (err instanceof EngineError) {
    return { element: { error: { code: err.code, message: err.message, path: '' } }, exit: EXIT.internal };
  }
  return { element: { error: { code: 'internal_error', message: `internal error: ${(err as Error)?.message ?? String(err)}`, path: '' } }, exit: EXIT.internal };
}

export interface RunOptions<R> {
  io: Io;
  /** Computes one request; throws StereotaxError for invalid input. */
  compute(request: unknown): R | Promise<R>;
  /** The findings of a result, for the exit status. */
  findings(result: R): readonly Finding[];
  /** Human-readable rendering, for --text. */
  text?(result: R): string;
  asText: boolean;
  label: string;
}

/** Output is written in pieces of about this many characters. */
const CHUNK = 1 << 16;

/**
 * Runs a command over one request or an array of them, printing results; returns the
 * exit status. An array's results are written element by element as they are
 * computed (the whole is still one JSON array, in order), so a large batch never
 * becomes one string. --text output has every string of a result escaped (see
 * escapeControls); stderr gets the first MAX_STDERR_ERRORS element errors and a count.
 */
export async function runRequests<R>(input: unknown, o: RunOptions<R>): Promise<ExitCode> {
  const many = Array.isArray(input);
  const requests = many ? (input as unknown[]) : [input];
  const n = requests.length;
  let exit: ExitCode = EXIT.ok;
  const progress = many && n >= 1000 && o.io.stderrIsTTY;
  const asText = o.asText && !!o.text;
  let lastShown = 0;
  let refused = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  const write = async (piece: string) => {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength >= CHUNK) await flush();
  };
  const flush = async () => {
    if (!pending.length) return;
    const text = pending.join('');
    pending = [];
    pendingLength = 0;
    await o.io.stdout(text);
  };
  if (many && !asText) await write(n ? '[' : '[]\n');
  for (let i = 0; i < n; i++) {
    let element: R | ErrorElement;
    let failed = false;
    try {
      const r = await o.compute(requests[i]);
      element = r;
      if (o.findings(r).some((f) => f.severity === 'error')) exit = worst(exit, EXIT.unsafe);
    } catch (err) {
      const e = errorElement(err);
      element = e.element;
      failed = true;
      exit = worst(exit, e.exit);
      if (++refused <= MAX_STDERR_ERRORS) {
        o.io.stderr(`stereotax ${o.label}: ${many ? `[${i}] ` : ''}${escapeControls(e.element.error.message)}\n`);
      }
    }
    if (asText) {
      const shown = failed ? `error: ${escapeControls((element as ErrorElement).error.message)}\n` : o.text!(escapeStrings(element as R));
      await write(i ? '\n' + shown : shown);
    } else if (many) {
      await write((i ? ',\n  ' : '\n  ') + JSON.stringify(element, null, 2).replace(/\n/g, '\n  '));
    } else {
      await write(JSON.stringify(element, null, 2) + '\n');
    }
    if (progress && (i + 1 === n || Date.now() - lastShown > 200)) {
      lastShown = Date.now();
      o.io.stderr(`\r${o.label}: ${i + 1}/${n}`);
      if (i + 1 === n) o.io.stderr('\n');
    }
  }
  if (many && !asText && n) await write('\n]\n');
  await flush();
  if (refused > MAX_STDERR_ERRORS) {
    o.io.stderr(`stereotax ${o.label}: ${refused - MAX_STDERR_ERRORS} more of the ${n} elements refused (${refused} in all); each one's error is in its place in the output\n`);
  }
  return exit;
}
