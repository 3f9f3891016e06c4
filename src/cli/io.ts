/**
 * The contract every command honours (spec section 6): JSON in from FILE or "-",
 * JSON out on stdout; an array in gives an array out in the same order, an element
 * that cannot be computed becomes { error: { code, message, path, ... } }.
 * Exit status: 0 computed, no error finding; 3 computed with an error finding;
 * 2 invalid input (message on stderr naming the field and the value); 1 anything else.
 * For an array, the worst element's status: 1 over 2 over 3 over 0.
 */
import { readFile } from 'node:fs/promises';
import { EngineError, StereotaxError } from '../core/errors.js';
import { parseJson } from '../core/validate.js';
import type { Finding } from '../core/findings.js';

export const EXIT = { ok: 0, internal: 1, invalid: 2, unsafe: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const RANK: Record<ExitCode, number> = { 0: 0, 3: 1, 2: 2, 1: 3 };
export function worst(a: ExitCode, b: ExitCode): ExitCode {
  return RANK[a] >= RANK[b] ? a : b;
}

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  /** True when stderr is a terminal (progress is shown only then). */
  stderrIsTTY: boolean;
}

export const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stderrIsTTY: !!process.stderr.isTTY,
};

/** Reads the JSON document named on the command line ("-" for stdin). */
export async function readInput(io: Io, source: string | undefined): Promise<unknown> {
  if (source === undefined) {
    throw new StereotaxError([{ code: 'missing_field', path: '', expected: 'a FILE or - (stdin)', received: 'nothing', message: 'no input given: pass a JSON file, or - to read standard input' }]);
  }
  let text: string;
  if (source === '-') text = await io.readStdin();
  else {
    try {
      text = await readFile(source, 'utf8');
    } catch (err) {
      throw new StereotaxError([{ code: 'invalid_value', path: '', expected: 'a readable file', received: JSON.stringify(source), message: `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
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

/** Runs a command over one request or an array of them, printing results; returns the exit status. */
export async function runRequests<R>(input: unknown, o: RunOptions<R>): Promise<ExitCode> {
  const many = Array.isArray(input);
  const requests = many ? (input as unknown[]) : [input];
  const outputs: (R | ErrorElement)[] = [];
  let exit: ExitCode = EXIT.ok;
  const progress = many && requests.length >= 1000 && o.io.stderrIsTTY;
  let lastShown = 0;
  for (let i = 0; i < requests.length; i++) {
    try {
      const r = await o.compute(requests[i]);
      outputs.push(r);
      if (o.findings(r).some((f) => f.severity === 'error')) exit = worst(exit, EXIT.unsafe);
    } catch (err) {
      const { element, exit: e } = errorElement(err);
      outputs.push(element);
      exit = worst(exit, e);
      const where = many ? `[${i}] ` : '';
      o.io.stderr(`stereotax ${o.label}: ${where}${element.error.message}\n`);
    }
    if (progress && (i + 1 === requests.length || Date.now() - lastShown > 200)) {
      lastShown = Date.now();
      o.io.stderr(`\r${o.label}: ${i + 1}/${requests.length}`);
      if (i + 1 === requests.length) o.io.stderr('\n');
    }
  }
  if (o.asText && o.text) {
    const render = o.text;
    o.io.stdout(outputs.map((r) => ('error' in (r as object) && !(r as { findings?: unknown }).findings ? `error: ${(r as ErrorElement).error.message}\n` : render(r as R))).join('\n'));
  } else {
    o.io.stdout(JSON.stringify(many ? outputs : outputs[0], null, 2) + '\n');
  }
  return exit;
}
