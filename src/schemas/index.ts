/**
 * Every published schema, in the order of schema/: generated from the definitions next
 * to each domain's validator, so that the files and the validators cannot drift apart
 * (test/schemas.test.ts checks both the files and the validators against them).
 */
import { schemaDocument, type JsonSchema, type SchemaDocument } from '../core/schema/export.js';
import { UNIT_PROFILE_SCHEMA } from '../dicom/schema.js';
import { MARGINS_SCHEMAS } from '../margins/schema.js';
import { planSchemas } from '../plan/schema.js';
import { TARGETING_SCHEMAS } from '../targeting/schema.js';
import { SIMULATION_QA_SCHEMAS } from './simulation-qa.js';
import { RECORDS_SCHEMAS } from '../records/schema.js';
import { RECORDS_RESULT_SCHEMAS } from '../records/result-schema.js';

export const SCHEMA_NAMES = [
  'targeting-request', 'targeting-result', 'plan-request', 'plan-result', 'margins-request', 'margins-result',
  'simulation-scenario', 'simulation-summary', 'qa-session', 'qa-result', 'unit-profile',
  'records-appropriateness-request', 'records-axillary-request', 'records-mri-grid-request', 'records-ultrasound-request',
  'records-report-request', 'records-coding-request', 'records-mri-grid-result', 'records-ultrasound-result', 'records-axillary-result',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const documents = (): SchemaDocument[] => [...TARGETING_SCHEMAS, ...planSchemas(), ...MARGINS_SCHEMAS, ...SIMULATION_QA_SCHEMAS, UNIT_PROFILE_SCHEMA, ...RECORDS_SCHEMAS, ...RECORDS_RESULT_SCHEMAS];

/** The published JSON Schema (draft 2020-12) of NAME, as in schema/NAME.schema.json. */
export function publishedSchema(name: SchemaName): JsonSchema {
  const d = documents().find((x) => x.name === name);
  if (!d) throw new Error(`no schema named ${name}`);
  return schemaDocument(d);
}

/** The text of schema/NAME.schema.json. */
export function schemaFileText(name: SchemaName): string {
  return JSON.stringify(publishedSchema(name), null, 2) + '\n';
}
