/**
 * Presence rules: which fields must, or must not, be given together ("either twoView or
 * specimen and lesion", "histology unless a threshold"). Unlike `withRules` (values, run
 * once every field is valid), these read only what the request names, so they are
 * reported at their place in the object's check order, among the field issues, whatever
 * the fields hold: the order a request's issues have always been listed in.
 *
 * `withPresence(schema, { rules })` keeps them beside the object's definition; the result is the
 * same schema (published unchanged: symbols only) checked field by field in declaration
 * order, each rule run just before or after the field it names (or after the last, naming none).
 */
import { OptionalKind, type StaticDecode, type TObject, type TSchema, type TTransform } from '@sinclair/typebox';
import { Checker, isArray, type Path, type Plain } from '../validate.js';
import { Custom, RULES, type Rule } from './build.js';
import { parseValue } from './parse.js';

export interface PresenceRule<K extends string = string> {
  /** Run just before this field is checked. */
  before?: K;
  /** Run just after this field is checked (neither: after the last field). */
  after?: K;
  /**
   * Reads the object's snapshot (`fields`, as received) and the fields parsed so far
   * (`parsed`: only those that were valid), and reports through `c`. May return field names
   * not to check at all (a pair given together, both refused as one issue).
   */
  rule: (fields: Plain, c: Checker, path: Path, parsed: Plain) => readonly string[] | void;
}

export interface Presence<K extends string> {
  rules: PresenceRule<K>[];
  /**
   * The order fields are checked in, when it differs from the order they are listed in
   * (an "unknown field" issue lists them in declaration order): every field, once.
   */
  order?: K[];
}

/** The object schema, checked with its presence rules in place (value rules: attach them with withRules first). */
export function withPresence<S extends TObject>(schema: S, presence: Presence<Extract<keyof S['properties'], string>>): TTransform<S, StaticDecode<S>> {
  const props = schema.properties as Record<string, TSchema>;
  const keys = Object.keys(props);
  const order: string[] = presence.order ?? keys;
  if (order.length !== keys.length || !keys.every((k) => order.includes(k))) throw new Error(`presence order ${order.join(', ')} is not the fields ${keys.join(', ')}`);
  const rules = presence.rules;
  const required = keys.filter((k) => props[k][OptionalKind] !== 'Optional');
  const valueRules = ((schema as unknown as Record<symbol, unknown>)[RULES] as Rule<Plain>[] | undefined) ?? [];
  const run = (when: 'before' | 'after', at: string | undefined, o: Plain, c: Checker, path: Path, skip: Set<string>, out: Plain) => {
    for (const r of rules) {
      if (at === undefined ? r.before !== undefined || r.after !== undefined : r[when] !== at) continue;
      for (const k of r.rule(o, c, path, out) ?? []) skip.add(k);
    }
  };
  return Custom(schema, (c, raw, path) => {
    const before = c.issues.length;
    const o = c.object(raw, path, keys, required);
    if (!o) return undefined;
    const out = Object.create(null) as Plain;
    const skip = new Set<string>();
    for (const key of order) {
      run('before', key, o, c, path, skip, out);
      const v = o[key];
      if (v === undefined) {
        if (props[key].default !== undefined) out[key] = props[key].default;
      } else if (!skip.has(key)) {
        const parsed = parseValue(c, props[key], v, [...path, key]);
        if (parsed !== undefined) out[key] = parsed;
      }
      run('after', key, o, c, path, skip, out);
    }
    run('after', undefined, o, c, path, skip, out);
    if (c.issues.length !== before) return undefined;
    // The parsed value lists its fields in declaration order, whatever order they were checked in.
    const value = Object.create(null) as Plain;
    for (const key of keys) if (key in out) value[key] = out[key];
    for (const rule of valueRules) rule(value, c, path, o);
    return c.issues.length === before ? (value as StaticDecode<S>) : undefined;
  });
}

/**
 * The value of `field` of an item of an array, provided every one of `fields` of it is valid
 * (checked on a scratch checker: nothing is reported), else undefined. For rules across the
 * items of a list ("the two views orthogonal") that hold for every item placed well enough to
 * compare, whatever else is wrong with it.
 */
export function validField(item: unknown, schema: TObject, field: string, fields: readonly string[]): unknown {
  const scratch = new Checker();
  const props = schema.properties as Record<string, TSchema>;
  const o = scratch.object(item, [], Object.keys(props));
  if (!o) return undefined;
  let value: unknown;
  for (const f of fields) {
    const v = parseValue(scratch, props[f], o[f], []);
    if (v === undefined) return undefined;
    if (f === field) value = v;
  }
  return value;
}

/** The first `n` items of a list, read without throwing; undefined unless it is an array of exactly n. */
export function itemsOf(list: unknown, n: number): unknown[] | undefined {
  try {
    if (!isArray(list) || list.length !== n) return undefined;
    return Array.from({ length: n }, (_, i) => list[i]);
  } catch {
    return undefined;
  }
}
