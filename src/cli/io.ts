/**
 * The contract every command honours (spec section 6): JSON in from FILE or "-",
 * JSON out on stdout; an array in gives an array out in the same order, an element
 * that cannot be computed becomes { error: { code, message, path, ... } }.
 * Exit status: 0 computed, no error finding; 3 computed with an error finding;
 * 2 invalid input (message on stderr naming the field and the value); 1 anything else.
 * For an array: 3 whenever any computed element carries an error finding, whatever else
 * failed (a safety finding is never hidden behind an invalid element or an I/O error);
 * otherwise 1 over 2 over 0 (docs/embedding.md, "Exit status").
 */
import { readFile, stat } from 'node:fs/promises';
import { EngineError, StereotaxError, type Issue } from '../core/errors.js';
import { parseJson } from '../core/validate.js';
import type { Finding } from '../core/findings.js';
import { escapeControls, escapeStrings } from '../core/text.js';

export const EXIT = { ok: 0, internal: 1, invalid: 2, unsafe: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Precedence: 3 (an error finding was computed) over 1 (engine, I/O) over 2 (invalid input) over 0. */
const RANK: Record<ExitCode, number> = { 0: 0, 2: 1, 1: 2, 3: 3 };
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

/**
 * Standard output could not be written: the reader closed the pipe (EPIPE, `| head`), the
 * disk is full (ENOSPC), ... The command stops, says so on stderr in one line (never a
 * stack trace) and exits non-zero: 1, or 3 when an error finding was already computed.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  readonly code: string;
  /** Set once a command has said so on stderr (bin.ts says it at exit otherwise). */
  reported = false;
  constructor(code: string, detail?: string) {
    super(`cannot write to standard output: ${code}${detail ? ` (${detail})` : ''}${code === 'EPIPE' ? ': the reader closed the pipe, the output is incomplete' : ''}`);
    this.code = code;
  }
}

function outputError(err: unknown): OutputError {
  if (err instanceof OutputError) return err;
  const e = err as NodeJS.ErrnoException;
  return new OutputError(typeof e?.code === 'string' ? e.code : 'EIO', SYSTEM_ERRORS[e?.code ?? ''] ?? undefined);
}

/** The first failure of standard output in this process (set by the stream's 'error' event too). */
let stdoutFailure: OutputError | undefined;
/** Records a standard output failure (bin.ts listens on the stream's 'error' event). */
export function noteOutputFailure(err: unknown): OutputError {
  return (stdoutFailure ??= outputError(err));
}
export function outputFailure(): OutputError | undefined {
  return stdoutFailure;
}

export const processIo: Io = {
  stdout: (t) => {
    if (stdoutFailure) throw stdoutFailure;
    let flushed: boolean;
    try {
      flushed = process.stdout.write(t);
    } catch (err) {
      // A file or /dev/full as stdout is written synchronously: ENOSPC arrives here.
      throw noteOutputFailure(err);
    }
    if (flushed) return;
    // The pipe is full: wait until it drains, so a large batch is not buffered in memory.
    return new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        process.stdout.off('close', done);
        if (err instanceof Error) reject(noteOutputFailure(err));
        else resolve();
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

/** Plain words for the system errors a command meets reading and writing files. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOENT: 'no such file or directory', EISDIR: 'is a directory', ENOTDIR: 'not a directory', EEXIST: 'already exists',
  EMFILE: 'too many open files', EIO: 'input/output error', EPIPE: 'broken pipe', EDQUOT: 'disk quota exceeded', EFBIG: 'file too large',
};

/** A Node system error (fs, streams): a string code such as ENOSPC and the call that failed. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const e = err as NodeJS.ErrnoException | null;
  return !!e && typeof e === 'object' && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && (typeof e.syscall === 'string' || typeof e.errno === 'number');
}

/** Turns a thrown value into the element printed in its place, with its exit status. */
export function errorElement(err: unknown): { element: ErrorElement; exit: ExitCode } {
  if (err instanceof OutputError) {
    return { element: { error: { code: 'output_failed', message: err.message, path: '' } }, exit: EXIT.internal };
  }
  if (isSystemError(err)) {
    const what = err.path ? ` ${err.path}` : '';
    const words = SYSTEM_ERRORS[err.code];
    return {
      element: { error: { code: 'io_error', message: `cannot ${err.syscall ?? 'access'}${what}: ${err.code}${words ? ` (${words})` : ''}`, path: '' } },
      exit: EXIT.internal,
    };
  }
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
  let written = 0;
  try {
    if (many && !asText) await write(n ? '[' : '[]\n');
    exit = await computeAll();
    if (many && !asText && n) await write('\n]\n');
    await flush();
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    err.reported = true;
    o.io.stderr(`stereotax ${o.label}: ${escapeControls(err.message)}${many ? ` (${written} of ${n} results computed)` : ''}\n`);
    return worst(exit, EXIT.internal);
  }
  if (refused > MAX_STDERR_ERRORS) {
    o.io.stderr(`stereotax ${o.label}: ${refused - MAX_STDERR_ERRORS} more of the ${n} elements refused (${refused} in all); each one's error is in its place in the output\n`);
  }
  return exit;

  async function computeAll(): Promise<ExitCode> {
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
      written = i + 1;
      if (progress && (i + 1 === n || Date.now() - lastShown > 200)) {
        lastShown = Date.now();
        o.io.stderr(`\r${o.label}: ${i + 1}/${n}`);
        if (i + 1 === n) o.io.stderr('\n');
      }
    }
    return exit;
  }
}
