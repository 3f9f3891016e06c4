/** Version 1: units, and the sessions analysed on them (request and result as JSON text). */
import type { Migration } from './migration.js';

export const INITIAL: Migration = {
  version: 1,
  name: 'units and sessions',
  statements: [
    `CREATE TABLE units (
      id TEXT PRIMARY KEY,
      name TEXT,
      site TEXT,
      registered_at TEXT NOT NULL
    )`,
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      seq BIGINT NOT NULL UNIQUE,
      unit_id TEXT NOT NULL REFERENCES units (id),
      date TEXT NOT NULL,
      tester TEXT,
      kind TEXT NOT NULL,
      phantom TEXT NOT NULL,
      passed INTEGER NOT NULL,
      stereotax_version TEXT NOT NULL,
      stored_at TEXT NOT NULL,
      request TEXT NOT NULL,
      result TEXT NOT NULL
    )`,
    'CREATE INDEX sessions_by_unit_date ON sessions (unit_id, date, seq)',
  ],
};
