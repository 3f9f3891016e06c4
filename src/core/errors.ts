/**
 * Every rejected input becomes a StereotaxError: a stable code, the path of the
 * field, what was expected and what was received. Nothing is computed before the
 * whole request has been checked.
 */

export type IssueCode =
  | 'invalid_json'
  | 'invalid_type'
  | 'missing_field'
  | 'unknown_field'
  | 'forbidden_key'
  | 'not_finite'
  | 'out_of_range'
  | 'invalid_unit'
  | 'invalid_value'
  | 'too_few_items'
  | 'too_many_items'
  | 'duplicate_value'
  | 'invalid_geometry'
  | 'unknown_reference'
  | 'degenerate_input'
  | 'input_too_large'
  | 'nesting_too_deep';

export type PathSegment = string | number;

export interface Issue {
  code: IssueCode;
  /** Where the offending field is, e.g. `views[1].angle`; empty for the whole input. */
  path: string;
  expected: string;
  received: string;
  message: string;
}

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** A received value already put into words (a hole in an array, a getter that threw). */
export class Described {
  constructor(readonly text: string) {}
}

/** A short, safe rendering of what was received (never the whole document); never throws. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number': return Number.isNaN(value) ? 'NaN' : String(value);
    case 'string': return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
    case 'boolean': return String(value);
    case 'bigint': return 'a bigint';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
  }
  try {
    if (value instanceof Described) return value.text;
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return 'an object';
    if (value instanceof Date) return 'a Date';
    const name = (proto as { constructor?: { name?: unknown } })?.constructor?.name;
    return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,40}$/.test(name) ? `an instance of ${name}` : 'an object that is not plain data';
  } catch {
    return 'an object whose fields cannot be read';
  }
}

export class StereotaxError extends Error {
  override readonly name = 'StereotaxError';
  /** The first issue's code: stable, for programs. */
  readonly code: IssueCode;
  readonly path: string;
  readonly expected: string;
  readonly received: string;
  /** Every issue found in the input, first one first. */
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super(first.message + more);
    this.code = first.code;
    this.path = first.path;
    this.expected = first.expected;
    this.received = first.received;
    this.issues = issues;
  }

  toJSON(): { code: IssueCode; message: string; path: string; expected: string; received: string; issues: Issue[] } {
    return {
      code: this.code,
      message: this.message,
      path: this.path,
      expected: this.expected,
      received: this.received,
      issues: [...this.issues],
    };
  }
}

export function makeIssue(code: IssueCode, path: readonly PathSegment[], expected: string, received: unknown, detail?: string): Issue {
  const where = formatPath(path) || 'request';
  const got = describeReceived(received);
  return {
    code,
    path: formatPath(path),
    expected,
    received: got,
    message: detail ?? `${where}: expected ${expected}, received ${got}`,
  };
}

/** Every code an EngineError carries (docs/embedding.md says what each means). */
export type EngineErrorCode =
  | 'engine_unavailable' | 'simd_unsupported' | 'engine_capacity' | 'invalid_batch' | 'batch_disposed' | 'column_not_reserved'
  | 'too_many_views' | 'singular_triangulation' | 'non_finite_result' | 'internal_non_finite' | 'not_finite'
  | 'threads_unavailable' | 'pool_closed' | 'worker_failed' | 'bad_task' | 'aborted' | 'incomplete_run'
  | 'database_busy' | 'database_unavailable' | 'database_write_failed'
  | 'database_error' | 'dependency_not_built' | 'optional_dependency_missing' | 'internal_error';

/** Thrown when the engine itself fails (wasm could not load, memory exhausted): exit 1, not 2. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
