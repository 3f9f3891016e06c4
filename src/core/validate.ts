/**
 * The checks every request goes through before any computation. A Checker
 * collects every issue in the input (like zod), then `done()` throws one
 * StereotaxError carrying all of them.
 */
import { StereotaxError, formatPath, makeIssue, type Issue, type IssueCode, type PathSegment } from './errors.js';
import { parseQuantity, UNIT_EXAMPLE, type Quantity } from './units.js';

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

export class Checker {
  readonly issues: Issue[] = [];

  add(code: IssueCode, path: Path, expected: string, received: unknown, message?: string): undefined {
    this.issues.push(makeIssue(code, path, expected, received, message));
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
   * A plain object with only the listed keys; `required` ones must be present.
   * Keys such as `__proto__` are refused outright (prototype pollution).
   */
  object(value: unknown, path: Path, allowed: readonly string[], required: readonly string[] = []): Plain | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.add('invalid_type', path, 'an object', value);
    }
    const obj = value as Plain;
    for (const key of Object.keys(obj)) {
      if (FORBIDDEN.has(key)) {
        this.add('forbidden_key', [...path, key], 'no key named __proto__, constructor or prototype', key,
          `${pathText([...path, key])}: the key ${JSON.stringify(key)} is not allowed`);
      } else if (!allowed.includes(key)) {
        this.add('unknown_field', [...path, key], `one of ${allowed.join(', ')}`, key,
          `${pathText([...path, key])}: unknown field in ${pathText(path)}; expected one of ${allowed.join(', ')}`);
      }
    }
    for (const key of required) {
      if (!Object.prototype.hasOwnProperty.call(obj, key) || obj[key] === undefined) {
        this.add('missing_field', [...path, key], 'a value', undefined, `${pathText([...path, key])}: required, missing`);
      }
    }
    // Returned even with issues, so that the fields it does have are checked too.
    return obj;
  }

  array(value: unknown, path: Path, minItems = 0, maxItems = Infinity): unknown[] | undefined {
    if (!Array.isArray(value)) return this.add('invalid_type', path, 'an array', value);
    if (value.length < minItems) {
      return this.add('too_few_items', path, `at least ${minItems} item${minItems === 1 ? '' : 's'}`, value);
    }
    if (value.length > maxItems) return this.add('too_many_items', path, `at most ${maxItems} items`, value);
    return value;
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
        const why = p.reason === 'wrong_dimension' ? `a ${quantity} unit` : `a number in ${unit} or a string with a ${quantity} unit such as ${UNIT_EXAMPLE[quantity]}`;
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

function pathText(path: Path): string {
  return path.length ? formatPath(path) : 'the request';
}

/** Parses JSON text, turning a syntax error into a StereotaxError (exit 2). */
export function parseJson(text: string, source = 'input'): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StereotaxError([
      makeIssue('invalid_json', [], 'well-formed JSON', `${source}: ${(err as Error).message}`,
        `${source} is not valid JSON: ${(err as Error).message}`),
    ]);
  }
}
