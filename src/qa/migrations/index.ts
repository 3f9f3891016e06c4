/**
 * Schema migrations of the QA history, versioned in the repository and applied in
 * order by both stores (SQLite and PostgreSQL run the same SQL: TEXT, INTEGER and
 * BIGINT only, no dialect-specific types). A database records the versions it has in
 * `schema_migrations`; a database newer than this stereotax is refused.
 */
import { INITIAL } from './001-initial.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [INITIAL];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
