/**
 * Reading a records request field by field from its definition (schema.ts). The records
 * validators check fields in a fixed order and run their cross-field rules on whatever
 * fields are valid, even when others are not (so that one request reports every issue it
 * has, in the order it always has); these helpers give them that from the definition:
 * each field's type, range, enum and default is the schema's, checked by parseValue.
 */
import { OptionalKind, type StaticDecode, type TArray, type TObject, type TSchema } from '@sinclair/typebox';
import { parseValue } from '../core/schema/index.js';
import type { Checker, Path, Plain } from '../core/validate.js';

type Props<S extends TObject> = S['properties'];
type Key<S extends TObject> = keyof Props<S> & string;
/** What a field parses to (the Opt wrapper's undefined aside). */
type FieldOf<S extends TObject, K extends Key<S>> = Exclude<StaticDecode<Props<S>[K]>, undefined>;
type Partial_<S extends TObject> = { [K in Key<S>]?: FieldOf<S, K> };

/** The property names of an object schema in declaration order, and the required ones. */
export function keysOf(s: TObject): { keys: string[]; required: string[] } {
  const props = s.properties as Record<string, TSchema>;
  const keys = Object.keys(props);
  return { keys, required: keys.filter((k) => props[k][OptionalKind] !== 'Optional') };
}

/**
 * The object itself: a plain object with only the schema's properties and its required
 * ones present, as a prototype-free snapshot (each field read once); undefined when it is
 * not an object at all.
 */
export function snapshot(c: Checker, s: TObject, raw: unknown, path: Path): Plain | undefined {
  const { keys, required } = keysOf(s);
  return c.object(raw, path, keys, required);
}

/**
 * One field of a snapshot checked against its schema: the parsed value, the schema's
 * default when absent (undefined when it has none), undefined after reporting when invalid.
 */
export function field<S extends TObject, K extends Key<S>>(c: Checker, s: S, o: Plain, key: K, path: Path): FieldOf<S, K> | undefined {
  const prop = (s.properties as Record<string, TSchema>)[key];
  if (o[key] === undefined) return prop.default as FieldOf<S, K> | undefined;
  return parseValue(c, prop, o[key], [...path, key]) as FieldOf<S, K> | undefined;
}

/** Several fields in the order given (the schema's order by default): those that parsed. */
export function fields<S extends TObject>(c: Checker, s: S, o: Plain, path: Path, keys: readonly Key<S>[] = keysOf(s).keys as Key<S>[]): Partial_<S> {
  const out: Partial_<S> = {};
  for (const k of keys) {
    const v = field(c, s, o, k, path);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The elements of an array within the schema's minItems..maxItems, each handed to `each`. */
export function items(c: Checker, s: TArray, raw: unknown, path: Path, each: (item: unknown, path: Path, i: number) => void): void {
  const list = c.array(raw, path, typeof s.minItems === 'number' ? s.minItems : 0, typeof s.maxItems === 'number' ? s.maxItems : Infinity);
  list?.forEach((item, i) => each(item, [...path, i], i));
}

/** A whole request's top-level object: refused at once (nothing else checked) when it is not one, has unknown fields or lacks required ones. */
export function requestObject(c: Checker, s: TObject, raw: unknown): Plain {
  const o = snapshot(c, s, raw, []);
  c.done();
  return o!;
}
