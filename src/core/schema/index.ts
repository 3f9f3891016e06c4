/**
 * One definition of each request and result (issue 22): build.ts defines it (the type,
 * the ranges, the cross-field rules), parse.ts validates from it, export.ts publishes it.
 */
export * from './build.js';
export { parseFields, parseValue, parseWith } from './parse.js';
export { schemaDocument, toJson, SCHEMA_DIALECT, type JsonSchema, type SchemaDocument } from './export.js';
