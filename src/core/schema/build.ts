/**
 * The builders every request and result is defined with: TypeBox schemas (JSON Schema
 * draft 2020-12 objects with TypeScript types attached), plus what the engine needs that
 * JSON Schema cannot say, kept on symbol keys so it never reaches a published file:
 *
 * - a length or angle (`Length`, `Angle`) is a number in mm/deg or a string with a unit;
 *   `Static<T>` is what a caller sends (number | string), `StaticDecode<T>` what the
 *   engine computes with (number, in mm/deg);
 * - a union (`OneOf`) carries the function that picks the branch a value is meant for,
 *   so an invalid value is reported against that branch's fields, not as "matches none";
 * - an object can carry cross-field rules (`withRules`), run once its fields are valid;
 * - `Custom` wraps a schema whose check is written by hand (dates, for example).
 *
 * parse.ts reads these to validate; export.ts writes the published JSON from them;
 * the fast paths are generated from them (scripts/fast-paths.mjs). One definition.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import {
  Array as TArrayOf, Boolean as TBooleanOf, Integer as TIntegerOf, Literal as TLiteralOf, Null as TNullOf, Number as TNumberOf,
  Object as TObjectOf, Optional as TOptionalOf, Record as TRecordOf, String as TStringOf, Transform as TTransformOf,
  Union as TUnionOf, Unsafe as TUnsafeOf, type Static, type StaticDecode, type TArray, type TBoolean, type TInteger, type TLiteral, type TNull, type TNumber,
  type TObject, type TOptional, type TProperties, type TRecord, type TSchema, type TString, type TTransform, type TUnion,
  type TUnsafe,
} from '@sinclair/typebox';
import type { Range } from '../validate.js';
import type { Checker, Path } from '../validate.js';
import type { Quantity } from '../units.js';

export type { Static, StaticDecode, TSchema, TObject, TProperties };

/** On a length or angle: which (the number branch holds the range). */
export const QUANTITY = Symbol.for('stereotax.quantity');
/** On a OneOf: picks the branch index for a raw value. */
export const SELECT = Symbol.for('stereotax.select');
/** On an object: cross-field rules, run after its fields parsed. */
export const RULES = Symbol.for('stereotax.rules');
/** On an object: the order its fields are checked in, when not the declared one. */
export const ORDER = Symbol.for('stereotax.order');
/** On an object: checks run after its fields every time, on what parsed. */
export const CHECKS = Symbol.for('stereotax.checks');
/** On a Custom node: the hand-written check. */
export const PARSE = Symbol.for('stereotax.parse');
/** On a OneOf: published as `oneOf` (TypeBox writes unions as `anyOf`). */
export const ONE_OF = Symbol.for('stereotax.oneOf');

/**
 * A length or angle may be a string with its unit ("4.5 cm", "15 deg"): a number
 * followed by a unit. Whether the unit is known, of the right dimension and the
 * converted value in range is checked by the engine only.
 */
export const UNIT_STRING_PATTERN = '^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*[^\\s\\d.+-].*$';

function bounds(r: Range): Record<string, number> {
  const s: Record<string, number> = {};
  if (r.min !== undefined) s.minimum = r.min;
  if (r.max !== undefined) s.maximum = r.max;
  if (r.above !== undefined) s.exclusiveMinimum = r.above;
  if (r.below !== undefined) s.exclusiveMaximum = r.below;
  return s;
}

/** The range a number schema declares (inverse of `bounds`). */
export function rangeOf(s: TSchema): Range {
  const r: Range = {};
  if (typeof s.minimum === 'number') r.min = s.minimum;
  if (typeof s.maximum === 'number') r.max = s.maximum;
  if (typeof s.exclusiveMinimum === 'number') r.above = s.exclusiveMinimum;
  if (typeof s.exclusiveMaximum === 'number') r.below = s.exclusiveMaximum;
  return r;
}

const described = (description?: string): { description?: string } => (description ? { description } : {});

/** A plain finite number within the range. */
export function Num(range: Range = {}, description?: string): TNumber {
  return TNumberOf({ ...described(description), ...bounds(range) });
}

/** A whole number within the range. */
export function Int(range: Range = {}, description?: string): TInteger {
  return TIntegerOf({ ...described(description), ...bounds(range) });
}

export type TQuantity = TTransform<TUnion<[TNumber, TString]>, number>;

function quantity(q: Quantity, unit: string, example: string, range: Range, description?: string): TQuantity {
  const union = TUnionOf([
    TNumberOf(bounds(range)),
    TStringOf({ pattern: UNIT_STRING_PATTERN, description: `a number with a unit, e.g. ${example}; converted to ${unit}, then held to the same range` }),
  ], { description: description ? `${description} (${unit})` : unit });
  (union as unknown as Record<symbol, unknown>)[QUANTITY] = q;
  // The decode is the engine's (parse.ts converts units); TypeBox's is never called.
  return TTransformOf(union).Decode((v) => v as unknown as number).Encode((n) => n);
}

/** Millimetres, or a string with a length unit ("4.5 cm"). */
export function Length(range: Range = {}, description?: string): TQuantity {
  return quantity('length', 'mm', '"4.5 cm"', range, description);
}

/** Degrees, or a string with an angle unit ("15 deg"). */
export function Angle(range: Range = {}, description?: string): TQuantity {
  return quantity('angle', 'deg', '"15 deg"', range, description);
}

/** A string of at most maxLength characters (and matching pattern, if given). */
export function Str(maxLength = 200, description?: string, pattern?: string): TString {
  return TStringOf({ ...described(description), maxLength, ...(pattern ? { pattern } : {}) });
}

export function Bool(description?: string): TBoolean {
  return TBooleanOf(described(description));
}

/** One of a list of strings. */
export function Enum<const T extends readonly string[]>(values: T, description?: string): TUnsafe<T[number]> {
  return TUnsafeOf<T[number]>({ ...described(description), enum: [...values] });
}

export function Const<const T extends string | number | boolean>(value: T, description?: string): TLiteral<T> {
  return TLiteralOf(value, described(description));
}

export function Null(): TNull {
  return TNullOf();
}

/** The schema with a `default` (JSON Schema keyword): the value parse gives when the field is absent. */
export function Default<T extends TSchema>(s: T, value: StaticDecode<T>): T {
  return Object.assign(s, { default: value });
}

/** Optional property (absent, or undefined, in the request). */
export function Opt<T extends TSchema>(s: T): TOptional<T> {
  return TOptionalOf(s) as unknown as TOptional<T>;
}

/** An object with only these properties (unknown fields are refused). Optional ones wrapped in Opt(). */
export function Obj<P extends TProperties>(properties: P, description?: string, extra: Record<string, unknown> = {}): TObject<P> {
  return TObjectOf(properties, { ...described(description), additionalProperties: false, ...extra });
}

export function Arr<T extends TSchema>(items: T, minItems?: number, maxItems?: number, description?: string): TArray<T> {
  return TArrayOf(items, {
    ...described(description), ...(minItems !== undefined ? { minItems } : {}), ...(maxItems !== undefined && Number.isFinite(maxItems) ? { maxItems } : {}),
  });
}

/** A fixed-length array: n items of one schema (a point as [x, y, z], say). */
export function Tuple<T extends TSchema>(items: T, n: number, description?: string): TArray<T> {
  return Arr(items, n, n, description);
}

/** A map from names to values of one schema. */
export function MapOf<T extends TSchema>(values: T, description?: string): TRecord<TString, T> {
  return TRecordOf(TStringOf(), values, described(description));
}

/** A value or null. */
export function Nullable<T extends TSchema>(s: T): TUnion<[T, TNull]> {
  return TUnionOf([s, TNullOf()]);
}

/**
 * Exactly one of several shapes, published as `oneOf`. `select` names the branch a raw
 * value is meant for (by its type or a key it has), so that the issues reported are that
 * branch's own; it must return a valid index for any value.
 */
export function OneOf<T extends TSchema[]>(options: [...T], select: (raw: unknown) => number, description?: string): TUnion<T> {
  const u = TUnionOf(options, described(description)) as unknown as TUnion<T>;
  const tagged = u as unknown as Record<symbol, unknown>;
  tagged[SELECT] = select;
  tagged[ONE_OF] = true;
  return u;
}

/** Like OneOf, published as `anyOf` (the shapes may overlap). */
export function AnyOf<T extends TSchema[]>(options: [...T], select: (raw: unknown) => number, description?: string): TUnion<T> {
  const u = TUnionOf(options, described(description)) as unknown as TUnion<T>;
  (u as unknown as Record<symbol, unknown>)[SELECT] = select;
  return u;
}

/**
 * A cross-field rule: called with the object's parsed value (units converted, defaults
 * applied) once every field of it is valid; reports through the checker, at paths below
 * `path`. `raw` is the snapshot of the object as received (for `received` in an issue).
 */
export type Rule<T> = (value: T, c: Checker, path: Path, raw: Record<string, unknown>) => void;

/** Attaches cross-field rules to an object schema (kept next to it: one definition). */
export function withRules<S extends TObject>(schema: S, ...rules: Rule<StaticDecode<S>>[]): S {
  const tagged = schema as unknown as Record<symbol, unknown>;
  tagged[RULES] = [...((tagged[RULES] as Rule<StaticDecode<S>>[] | undefined) ?? []), ...rules];
  return schema;
}

/**
 * Checks its fields in this order (issues are reported in the order fields are checked)
 * while the declared order stays the published one and the one an unknown field's
 * `expected` lists: a field whose check needs another one parsed first goes after it.
 */
export function checkOrder<S extends TObject>(schema: S, keys: readonly (keyof S['properties'] & string)[]): S {
  (schema as unknown as Record<symbol, unknown>)[ORDER] = [...keys];
  return schema;
}

/**
 * A cross-field check that runs after the object's fields every time, with what parsed
 * (a field that was invalid is absent), before any `withRules` rule: for a check that
 * must be reported alongside the fields' own issues (pixel marks need a detector, say),
 * each guarding on the fields it reads.
 */
export type Check<T> = (value: Partial<T>, c: Checker, path: Path, raw: Record<string, unknown>) => void;

export function withChecks<S extends TObject>(schema: S, ...checks: Check<StaticDecode<S>>[]): S {
  const tagged = schema as unknown as Record<symbol, unknown>;
  tagged[CHECKS] = [...((tagged[CHECKS] as Check<StaticDecode<S>>[] | undefined) ?? []), ...checks];
  return schema;
}

/**
 * A node whose check is written by hand (a date, a shape the schema can only approximate):
 * `schema` is what is published and typed, `parse` what is run. `parse` reports issues on the
 * checker and returns undefined for an invalid value.
 */
export function Custom<S extends TSchema, Out = StaticDecode<S>>(schema: S, parse: (c: Checker, raw: unknown, path: Path) => Out | undefined): TTransform<S, Out> {
  const t = TTransformOf(schema).Decode((v) => v as unknown as Out).Encode((v) => v as unknown as Static<S>);
  (t as unknown as Record<symbol, unknown>)[PARSE] = parse;
  return t;
}
