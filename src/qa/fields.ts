/**
 * Reading an object against its definition one field at a time, so that a caller can
 * run a rule right after the field it concerns (the order the issues have always come in).
 */
import type { TObject, TSchema } from '../core/schema/build.js';
import { parseValue } from '../core/schema/parse.js';
import type { Checker, Path, Plain } from '../core/validate.js';

/** The property schemas of an object definition. */
export function propertiesOf(s: TObject): Record<string, TSchema> {
  return s.properties as Record<string, TSchema>;
}

/**
 * The object at `path` with the fields its definition allows and requires (a snapshot, each
 * field read once), its fields to be checked one by one with `field`.
 */
export function objectOf(c: Checker, s: TObject, raw: unknown, path: Path): Plain | undefined {
  const props = propertiesOf(s);
  const keys = Object.keys(props);
  return c.object(raw, path, keys, (s.required as string[] | undefined) ?? []);
}

/** One field of an object read with objectOf: its definition's check, or its default when absent. */
export function field(c: Checker, s: TObject, o: Plain, key: string, path: Path): unknown {
  const prop = propertiesOf(s)[key];
  if (o[key] === undefined) return prop.default;
  return parseValue(c, prop, o[key], [...path, key]);
}

