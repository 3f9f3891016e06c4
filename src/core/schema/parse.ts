/**
 * Validation from the schema: walks a schema built with build.ts over a raw value and
 * reports through a Checker, so every request keeps the one error shape (code, path,
 * expected, received) and every issue is collected. Returns the parsed value (lengths in
 * mm, angles in deg, `default`s applied, objects as prototype-free snapshots read once)
 * or undefined when anything below was invalid.
 */
import { Kind, OptionalKind, type StaticDecode, type TSchema } from '@sinclair/typebox';
import { Checker, guardParse, type Path, type Plain } from '../validate.js';
import type { Quantity } from '../units.js';
import { CHECKS, ORDER, PARSE, QUANTITY, rangeOf, RULES, SELECT, type Check, type Rule } from './build.js';

type Tagged = TSchema & Record<symbol, unknown>;

/** The property names of an object schema, in declaration order, and which are required. */
function objectKeys(s: TSchema): { keys: string[]; required: string[] } {
  const props = (s.properties ?? {}) as Record<string, TSchema>;
  const keys = Object.keys(props);
  return { keys, required: keys.filter((k) => props[k][OptionalKind] !== 'Optional') };
}

const keyCache = new WeakMap<TSchema, { keys: string[]; required: string[] }>();
function keysOf(s: TSchema): { keys: string[]; required: string[] } {
  let k = keyCache.get(s);
  if (!k) keyCache.set(s, (k = objectKeys(s)));
  return k;
}

function describeOptions(s: TSchema): string {
  return (s.enum as string[]).map((o) => JSON.stringify(o)).join(', ');
}

/**
 * Checks `raw` against `schema` at `path`, reporting on `c`. Returns the parsed value, or
 * undefined if `raw` (or anything inside it) is invalid.
 */
export function parseValue<S extends TSchema>(c: Checker, schema: S, raw: unknown, path: Path): StaticDecode<S> | undefined {
  return visit(c, schema as Tagged, raw, path) as StaticDecode<S> | undefined;
}

function visit(c: Checker, s: Tagged, raw: unknown, path: Path): unknown {
  const custom = s[PARSE] as ((c: Checker, raw: unknown, path: Path) => unknown) | undefined;
  if (custom) return custom(c, raw, path);
  const q = s[QUANTITY] as Quantity | undefined;
  if (q) return c.quantity(raw, path, q, rangeOf((s.anyOf as TSchema[])[0]));
  const select = s[SELECT] as ((raw: unknown) => number) | undefined;
  if (select) return visit(c, (s.anyOf as Tagged[])[select(raw)], raw, path);
  if (s.enum) {
    const options = s.enum as string[];
    if (typeof raw !== 'string' || !options.includes(raw)) {
      return c.add(typeof raw === 'string' ? 'invalid_value' : 'invalid_type', path, `one of ${describeOptions(s)}`, raw);
    }
    return raw;
  }
  switch (s[Kind]) {
    case 'Number': return c.number(raw, path, rangeOf(s));
    case 'Integer': return c.integer(raw, path, rangeOf(s));
    case 'String': {
      const v = c.string(raw, path, typeof s.maxLength === 'number' ? s.maxLength : Infinity);
      if (v === undefined) return undefined;
      if (typeof s.minLength === 'number' && v.length < s.minLength) {
        return c.add('invalid_value', path, s.minLength === 1 ? 'a non-empty string' : `a string of at least ${s.minLength} characters`, raw);
      }
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) {
        return c.add('invalid_value', path, typeof s.description === 'string' ? s.description : `a string matching ${s.pattern}`, raw);
      }
      return v;
    }
    case 'Boolean': return c.boolean(raw, path);
    case 'Null': return raw === null ? null : c.add('invalid_type', path, 'null', raw);
    case 'Literal': {
      if (raw === s.const) return raw;
      return c.add(typeof raw === typeof s.const ? 'invalid_value' : 'invalid_type', path, JSON.stringify(s.const), raw);
    }
    case 'Union': {
      // Without a selector: only `X or null` (Nullable).
      const options = s.anyOf as Tagged[];
      if (raw === null && options.some((o) => o[Kind] === 'Null')) return null;
      return visit(c, options.find((o) => o[Kind] !== 'Null')!, raw, path);
    }
    case 'Array': return visitArray(c, s, raw, path);
    case 'Object': return visitObject(c, s, raw, path);
    case 'Record': return visitRecord(c, s, raw, path);
    case 'Unsafe':
    case 'Any':
    case 'Unknown':
      return raw;
  }
  throw new Error(`schema node of kind ${String(s[Kind])} has no check`);
}

function visitArray(c: Checker, s: Tagged, raw: unknown, path: Path): unknown[] | undefined {
  const list = c.array(raw, path, typeof s.minItems === 'number' ? s.minItems : 0, typeof s.maxItems === 'number' ? s.maxItems : Infinity);
  if (!list) return undefined;
  const items = s.items as Tagged;
  const out: unknown[] = new Array(list.length);
  let ok = true;
  for (let i = 0; i < list.length; i++) {
    const v = visit(c, items, list[i], [...path, i]);
    if (v === undefined) ok = false;
    out[i] = v;
  }
  return ok ? out : undefined;
}

function visitObject(c: Checker, s: Tagged, raw: unknown, path: Path): Plain | undefined {
  const before = c.issues.length;
  const fields = objectFields(c, s, raw, path);
  if (!fields || c.issues.length !== before) return undefined;
  const [out, o] = fields;
  const rules = s[RULES] as Rule<Plain>[] | undefined;
  if (rules) {
    for (const rule of rules) rule(out, c, path, o);
    if (c.issues.length !== before) return undefined;
  }
  return out;
}

/** An object's fields and checks: what parsed (invalid fields absent) and the snapshot read; undefined if not an object. */
function objectFields(c: Checker, s: Tagged, raw: unknown, path: Path): [Plain, Plain] | undefined {
  const { keys, required } = keysOf(s);
  const o = c.object(raw, path, keys, required);
  if (!o) return undefined;
  const props = s.properties as Record<string, Tagged>;
  const out: Plain = Object.create(null) as Plain;
  for (const key of (s[ORDER] as string[] | undefined) ?? keys) {
    const prop = props[key];
    const v = o[key];
    if (v === undefined) {
      if (prop.default !== undefined) out[key] = prop.default;
      continue;
    }
    const parsed = visit(c, prop, v, [...path, key]);
    if (parsed !== undefined) out[key] = parsed;
  }
  const checks = s[CHECKS] as Check<Plain>[] | undefined;
  if (checks) for (const check of checks) check(out, c, path, o);
  return [out, o];
}

/**
 * The fields of an object that parsed, even when others did not (issues reported on `c`;
 * no `withRules` rule run): for a caller that, as the hand-written checks did, hands on
 * what it can and decides itself which fields it needs. Undefined if `raw` is no object.
 */
export function parseFields<S extends TSchema>(c: Checker, schema: S, raw: unknown, path: Path): Partial<StaticDecode<S>> | undefined {
  return objectFields(c, schema as Tagged, raw, path)?.[0] as Partial<StaticDecode<S>> | undefined;
}

function visitRecord(c: Checker, s: Tagged, raw: unknown, path: Path): Plain | undefined {
  const pattern = s.patternProperties as Record<string, Tagged>;
  const values = Object.values(pattern)[0];
  let keys: string[];
  try {
    keys = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
  } catch {
    keys = [];
  }
  const before = c.issues.length;
  const o = c.object(raw, path, keys);
  if (!o) return undefined;
  const out: Plain = Object.create(null) as Plain;
  for (const key of Object.keys(o)) {
    const parsed = visit(c, values, o[key], [...path, key]);
    if (parsed !== undefined) out[key] = parsed;
  }
  return c.issues.length === before ? out : undefined;
}

/**
 * A whole request checked against its schema: every issue collected and thrown as one
 * StereotaxError; anything a value does that is not JSON data (a throwing proxy) refused.
 */
export function parseWith<S extends TSchema>(schema: S, request: unknown): StaticDecode<S> {
  return guardParse(() => {
    const c = new Checker();
    const out = parseValue(c, schema, request, []);
    c.done();
    // Every undefined result has an issue on the checker; this is a schema without one.
    if (out === undefined) throw new Error('a schema check returned nothing and reported nothing');
    return out;
  });
}
