/**
 * The published JSON Schema (draft 2020-12) of a definition: the TypeBox object as JSON,
 * without the engine's symbol-keyed parts, with unions built by OneOf written as `oneOf`,
 * and every subschema equal to a named definition written as a `$ref` into `$defs`.
 */
import type { TSchema } from '@sinclair/typebox';
import { ONE_OF } from './build.js';

export type JsonSchema = { [key: string]: unknown };

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The schema as plain JSON (symbols dropped, `oneOf` restored); `refs` maps a def's JSON text to its name. */
export function toJson(s: unknown, refs?: Map<string, string>, root = true): unknown {
  if (Array.isArray(s)) return s.map((x) => toJson(x, refs, false));
  if (s === null || typeof s !== 'object') return s;
  const out: JsonSchema = {};
  for (const key of Object.keys(s)) out[key] = toJson((s as JsonSchema)[key], refs, key === 'properties' || key === '$defs');
  if ((s as Record<symbol, unknown>)[ONE_OF] && Array.isArray(out.anyOf)) {
    out.oneOf = out.anyOf;
    delete out.anyOf;
  }
  if (refs && !root) {
    // Compared as written without refs, as the defs were keyed.
    const name = refs.get(JSON.stringify(toJson(s)));
    if (name) return { $ref: `#/$defs/${name}` };
  }
  return out;
}

export interface SchemaDocument {
  /** NAME in schema/NAME.schema.json */
  name: string;
  title: string;
  /** What it describes, and the rules a schema cannot express (checked by the engine only). */
  description: string;
  /** The root: usually one of the defs (written as a $ref to it), or oneOrMany(def). */
  root: TSchema | JsonSchema;
  /** Named definitions, written to $defs; every occurrence elsewhere becomes a $ref. */
  defs: Record<string, TSchema | JsonSchema>;
}

/** The published document: dialect, id, title, description, the root, then $defs. */
export function schemaDocument(d: SchemaDocument): JsonSchema {
  const refs = new Map<string, string>();
  for (const [name, def] of Object.entries(d.defs)) refs.set(JSON.stringify(toJson(def)), name);
  const defs: JsonSchema = {};
  for (const [name, def] of Object.entries(d.defs)) {
    // A def is written out whole at its own place, its own nested defs as refs.
    defs[name] = toJson(def, refs, true);
  }
  // The properties of the root stand at the document's top level.
  const root = toJson(d.root, refs, false) as JsonSchema;
  return { $schema: SCHEMA_DIALECT, $id: `https://stereotax.invalid/schema/${d.name}.schema.json`, title: d.title, description: d.description, ...root, $defs: defs };
}
