/**
 * The checks every request goes through before any computation. A Checker
 * collects every issue in the input (like zod), then `done()` throws one
 * StereotaxError carrying all of them.
 */
import { Described, StereotaxError, formatPath, makeIssue, type Issue, type IssueCode, type PathSegment } from './errors.js';
import { NEEDS_MATHJS, parseQuantity, UNIT_EXAMPLE, type Quantity } from './units.js';

export type Path = readonly PathSegment[];
export type Plain = Record<string, unknown>;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export interface Range {
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
}

export function describeRange(r: Range, unit: string): string {
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  return parts.length ? `${parts.join(' and ')}${unit ? ' ' + unit : ''}` : `a finite number${unit ? ' in ' + unit : ''}`;
}

function inRange(x: number, r: Range): boolean {
  return !(
    (r.min !== undefined && x < r.min) ||
    (r.max !== undefined && x > r.max) ||
    (r.above !== undefined && x <= r.above) ||
    (r.below !== undefined && x >= r.below)
  );
}

const HOLE = new Described('a hole (an array element that is missing)');
const THREW = new Described('a field whose reading threw');

export class Checker {
  readonly issues: Issue[] = [];
  /** Paths (formatted) already reported missing, so a missing field is reported once. */
  private missing: Set<string> | undefined;

  add(code: IssueCode, path: Path, expected: string, received: unknown, message?: string): undefined {
    const issue = makeIssue(code, path, expected, received, message);
    if (code === 'missing_field') {
      // Once per path: several pixel marks all missing the one detector block are one issue.
      const missing = (this.missing ??= new Set());
      if (missing.has(issue.path)) return undefined;
      missing.add(issue.path);
    } else if (received === undefined && this.missing?.has(issue.path)) return undefined;
    this.issues.push(issue);
    return undefined;
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  /** Throws the collected issues, if any. */
  done(): void {
    if (this.issues.length) throw new StereotaxError(this.issues);
  }

  /**
   * A plain object (JSON data: its prototype Object.prototype or null) with only the
   * listed keys; `required` ones must be present. Keys such as `__proto__` are refused
   * outright (prototype pollution). Returns a snapshot: every field is read once, so a
   * getter or proxy cannot show validation one value and the computation another; a
   * read that throws is an issue at that field. A field whose value is undefined is
   * absent, as in JSON.
   */
  object(value: unknown, path: Path, allowed: readonly string[], required: readonly string[] = []): Plain | undefined {
    if (value === null || typeof value !== 'object') return this.add('invalid_type', path, 'an object', value);
    let keys: string[];
    try {
      if (Array.isArray(value)) return this.add('invalid_type', path, 'an object', value);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return this.add('invalid_type', path, 'a plain object (JSON data)', value);
      keys = Object.keys(value);
    } catch {
      return this.add('invalid_value', path, 'an object whose fields can be read', THREW);
    }
    // No prototype: a key someone added to Object.prototype must not read as a field here.
    const obj: Plain = Object.create(null) as Plain;
    let threw: string[] | undefined;
    for (const key of keys) {
      if (FORBIDDEN.has(key)) {
        this.add('forbidden_key', [...path, key], 'no key named __proto__, constructor or prototype', key,
          `${pathText([...path, key])}: the key ${JSON.stringify(key)} is not allowed`);
        continue;
      }
      if (!allowed.includes(key)) {
        this.add('unknown_field', [...path, key], `one of ${allowed.join(', ')}`, key,
          `${pathText([...path, key])}: unknown field in ${pathText(path)}; expected one of ${allowed.join(', ')}`);
      }
      try {
        obj[key] = (value as Plain)[key];
      } catch {
        this.add('invalid_value', [...path, key], 'a plain data value', THREW);
        (threw ??= []).push(key);
      }
    }
    for (const key of required) {
      if (obj[key] === undefined && !threw?.includes(key)) {
        this.add('missing_field', [...path, key], 'a value', undefined, `${pathText([...path, key])}: required, missing`);
      }
    }
    // Returned even with issues, so that the fields it does have are checked too.
    return obj;
  }

  /**
   * A dense array (no holes: JSON has none) of minItems..maxItems elements, as a
   * snapshot (each element read once). Undefined with an issue otherwise.
   */
  array(value: unknown, path: Path, minItems = 0, maxItems = Infinity): unknown[] | undefined {
    let n: number;
    try {
      if (!Array.isArray(value)) return this.add('invalid_type', path, 'an array', value);
      n = value.length;
    } catch {
      return this.add('invalid_value', path, 'an array whose elements can be read', THREW);
    }
    if (n < minItems) {
      return this.add('too_few_items', path, `at least ${minItems} item${minItems === 1 ? '' : 's'}`, value);
    }
    if (n > maxItems) return this.add('too_many_items', path, `at most ${maxItems} items`, value);
    const out: unknown[] = [];
    let ok = true;
    for (let i = 0; i < n; i++) {
      try {
        if (!(i in value)) {
          ok = !!this.add('invalid_value', [...path, i], 'a value (JSON arrays have no holes)', HOLE);
          continue;
        }
        out.push(value[i]);
      } catch {
        ok = !!this.add('invalid_value', [...path, i], 'a plain data value', THREW);
      }
    }
    return ok ? out : undefined;
  }

  /** A plain finite number within range, no units. */
  number(value: unknown, path: Path, range: Range = {}, unit = ''): number | undefined {
    if (typeof value !== 'number') return this.add('invalid_type', path, unit ? `a number in ${unit}` : 'a number', value);
    return this.checkNumber(value, path, range, unit, value);
  }

  integer(value: unknown, path: Path, range: Range = {}): number | undefined {
    const n = this.number(value, path, range);
    if (n !== undefined && !Number.isInteger(n)) return this.add('invalid_value', path, 'a whole number', value);
    return n;
  }

  private checkNumber(x: number, path: Path, range: Range, unit: string, raw: unknown): number | undefined {
    if (!Number.isFinite(x)) return this.add('not_finite', path, describeRange(range, unit), raw);
    if (!inRange(x, range)) return this.add('out_of_range', path, describeRange(range, unit), raw);
    return x;
  }

  /** A number in mm/deg, or a string with a unit converted to mm/deg. */
  quantity(value: unknown, path: Path, quantity: Quantity, range: Range = {}): number | undefined {
    const unit = quantity === 'length' ? 'mm' : 'deg';
    if (typeof value === 'number') return this.checkNumber(value, path, range, unit, value);
    if (typeof value === 'string') {
      const p = parseQuantity(value, quantity);
      if (!p.ok) {
        const why = p.reason === 'wrong_dimension' ? `a ${quantity} unit`
          : p.reason === 'needs_mathjs' ? `a number in ${unit}, a string in ${quantity === 'length' ? 'mm, cm or m' : 'deg or rad'}, or (${NEEDS_MATHJS}) any ${quantity} unit`
            : `a number in ${unit} or a string with a ${quantity} unit such as ${UNIT_EXAMPLE[quantity]}`;
        return this.add('invalid_unit', path, why, value);
      }
      return this.checkNumber(p.value, path, range, unit, value);
    }
    return this.add('invalid_type', path, `a number in ${unit} or a string with a ${quantity} unit such as ${UNIT_EXAMPLE[quantity]}`, value);
  }

  length(value: unknown, path: Path, range: Range = {}): number | undefined {
    return this.quantity(value, path, 'length', range);
  }

  angle(value: unknown, path: Path, range: Range = {}): number | undefined {
    return this.quantity(value, path, 'angle', range);
  }

  string(value: unknown, path: Path, maxLength = 200): string | undefined {
    if (typeof value !== 'string') return this.add('invalid_type', path, 'a string', value);
    if (value.length > maxLength) return this.add('out_of_range', path, `a string of at most ${maxLength} characters`, value);
    return value;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (typeof value !== 'boolean') return this.add('invalid_type', path, 'true or false', value);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: Path, options: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !options.includes(value as T)) {
      return this.add(typeof value === 'string' ? 'invalid_value' : 'invalid_type', path, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
    }
    return value as T;
  }

  /** Calls `check` only when the key is present; returns `fallback` otherwise. */
  optional<T>(obj: Plain | undefined, key: string, check: (v: unknown) => T | undefined, fallback?: T): T | undefined {
    if (!obj || obj[key] === undefined) return fallback;
    return check(obj[key]);
  }
}

/** Array.isArray that answers false, instead of throwing, for a revoked proxy. */
export function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Runs a parser so that whatever it throws is a StereotaxError: a value that is not
 * JSON data (a proxy whose traps throw, say) and slipped past the field checks is
 * refused as a whole request, never thrown as a TypeError.
 */
export function guardParse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof StereotaxError) throw err;
    throw new StereotaxError([makeIssue('invalid_value', [], 'JSON data (plain objects, arrays, strings, finite numbers, booleans, null)', THREW,
      `the request is not JSON data: reading it threw (${String((err as Error)?.message ?? err).slice(0, 100)})`)]);
  }
}

function pathText(path: Path): string {
  return path.length ? formatPath(path) : 'the request';
}

/** Deepest nesting of arrays and objects accepted in a JSON document. */
export const MAX_JSON_DEPTH = 64;

/** The first place where `text` nests deeper than maxDepth, or -1; strings are skipped. */
export function nestingTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // Skip a string, escapes included.
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c) i++;
        else if (c === 0x22) break;
      }
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return -1;
}

/**
 * Parses JSON text, turning a syntax error into a StereotaxError (exit 2). A UTF-8
 * byte-order mark at the start is ignored; nesting deeper than maxDepth is refused
 * before parsing.
 */
export function parseJson(text: string, source = 'input', maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const deep = nestingTooDeep(text, maxDepth);
  if (deep >= 0) {
    throw new StereotaxError([
      makeIssue('nesting_too_deep', [], `arrays and objects nested at most ${maxDepth} deep`, new Described(`deeper nesting at character ${deep}`),
        `${source} nests arrays or objects more than ${maxDepth} deep (at character ${deep}): no request is that deep`),
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StereotaxError([
      makeIssue('invalid_json', [], 'well-formed JSON', `${source}: ${(err as Error).message}`,
        `${source} is not valid JSON: ${(err as Error).message}`),
    ]);
  }
}
