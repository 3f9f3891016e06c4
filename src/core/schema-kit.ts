/**
 * Builders for the published JSON Schemas (draft 2020-12). Each domain describes its
 * request and result next to its validator (src/<domain>/schema.ts) with these, using
 * the same ranges; `npm run schemas` writes schema/NAME.schema.json from them and a
 * test checks the files and the validators against each other.
 */
import type { Range } from './validate.js';

export type JsonSchema = { [key: string]: unknown };

/**
 * A length or angle may be a string with its unit ("4.5 cm", "15 deg"): a number
 * followed by a unit. Whether the unit is known, of the right dimension and the
 * converted value in range is checked by the engine only.
 */
export const UNIT_STRING_PATTERN = '^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*[^\\s\\d.+-].*$';

function bounds(r: Range): JsonSchema {
  const s: JsonSchema = {};
  if (r.min !== undefined) s.minimum = r.min;
  if (r.max !== undefined) s.maximum = r.max;
  if (r.above !== undefined) s.exclusiveMinimum = r.above;
  if (r.below !== undefined) s.exclusiveMaximum = r.below;
  return s;
}

const withDescription = (s: JsonSchema, description?: string): JsonSchema => (description ? { description, ...s } : s);

/** A plain number within the range. */
export function num(range: Range = {}, description?: string): JsonSchema {
  return withDescription({ type: 'number', ...bounds(range) }, description);
}

export function int(range: Range = {}, description?: string): JsonSchema {
  return withDescription({ type: 'integer', ...bounds(range) }, description);
}

function quantity(unit: string, example: string, range: Range, description?: string): JsonSchema {
  return withDescription({
    anyOf: [
      { type: 'number', ...bounds(range) },
      { type: 'string', pattern: UNIT_STRING_PATTERN, description: `a number with a unit, e.g. ${example}; converted to ${unit}, then held to the same range` },
    ],
  }, description ? `${description} (${unit})` : unit);
}

/** Millimetres, or a string with a length unit. */
export function length(range: Range = {}, description?: string): JsonSchema {
  return quantity('mm', '"4.5 cm"', range, description);
}

/** Degrees, or a string with an angle unit. */
export function angle(range: Range = {}, description?: string): JsonSchema {
  return quantity('deg', '"15 deg"', range, description);
}

export function str(maxLength = 200, description?: string, pattern?: string): JsonSchema {
  return withDescription({ type: 'string', maxLength, ...(pattern ? { pattern } : {}) }, description);
}

export function bool(description?: string): JsonSchema {
  return withDescription({ type: 'boolean' }, description);
}

export function enumOf(values: readonly (string | number)[], description?: string): JsonSchema {
  return withDescription({ enum: [...values] }, description);
}

export function constant(value: string | number | boolean, description?: string): JsonSchema {
  return withDescription({ const: value }, description);
}

/** An object with only these properties (unknown fields are refused, as by every validator). */
export function obj(properties: Record<string, JsonSchema>, required: readonly string[] = [], description?: string, extra: JsonSchema = {}): JsonSchema {
  return withDescription({ type: 'object', properties, ...(required.length ? { required: [...required] } : {}), additionalProperties: false, ...extra }, description);
}

export function arr(items: JsonSchema, minItems?: number, maxItems?: number, description?: string): JsonSchema {
  return withDescription({
    type: 'array', items, ...(minItems !== undefined ? { minItems } : {}), ...(maxItems !== undefined && Number.isFinite(maxItems) ? { maxItems } : {}),
  }, description);
}

/** A fixed-length array: `n` items of one schema. */
export function tuple(items: JsonSchema, n: number, description?: string): JsonSchema {
  return arr(items, n, n, description);
}

export function oneOf(options: JsonSchema[], description?: string): JsonSchema {
  return withDescription({ oneOf: options }, description);
}

export function anyOf(options: JsonSchema[], description?: string): JsonSchema {
  return withDescription({ anyOf: options }, description);
}

export function ref(def: string): JsonSchema {
  return { $ref: `#/$defs/${def}` };
}

export function nullable(s: JsonSchema): JsonSchema {
  return { anyOf: [s, { type: 'null' }] };
}

/** A map from names to values of one schema. */
export function record(values: JsonSchema, description?: string): JsonSchema {
  return withDescription({ type: 'object', additionalProperties: values }, description);
}

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export interface SchemaDocument {
  /** NAME in schema/NAME.schema.json */
  name: string;
  title: string;
  /** What it describes, and the rules a schema cannot express (checked by the engine only). */
  description: string;
  /** The root: usually a $ref into defs. */
  root: JsonSchema;
  defs: Record<string, JsonSchema>;
}

/** The published document: dialect, id, title, description, the root, then $defs. */
export function schemaDocument(d: SchemaDocument): JsonSchema {
  return {
    $schema: SCHEMA_DIALECT,
    $id: `https://stereotax.invalid/schema/${d.name}.schema.json`,
    title: d.title,
    description: d.description,
    ...d.root,
    $defs: d.defs,
  };
}

/** The elements of a document of requests: one request or an array of them (CLI contract, targeting.md section 6). */
export function oneOrMany(def: string): JsonSchema {
  return { anyOf: [ref(def), arr(ref(def), 1)] };
}

/** What a command prints for an array: each element a result or an error in its place. */
export const ERROR_ELEMENT: JsonSchema = obj({
  error: obj({ code: str(100), message: { type: 'string' }, path: { type: 'string' }, expected: { type: 'string' }, received: { type: 'string' } }, ['code', 'message', 'path']),
}, ['error'], 'an element that could not be computed, in its place');

export const FINDING: JsonSchema = obj({
  code: str(100, 'stable, for programs'),
  severity: enumOf(['error', 'warning', 'info']),
  message: { type: 'string' },
  path: { type: 'string' },
  value: { type: 'number' },
  limit: { type: 'number' },
}, ['code', 'severity', 'message']);

export const VEC3: JsonSchema = obj({ x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } }, ['x', 'y', 'z']);
export const MATRIX3: JsonSchema = tuple(tuple({ type: 'number' }, 3), 3);
