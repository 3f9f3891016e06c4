/**
 * Schema migrations of the QA history, versioned in the repository and applied in
 * order by both stores (SQLite and PostgreSQL run the same SQL: TEXT, INTEGER and
 * BIGINT only, no dialect-specific types). An SQLite file keeps its version in
 * `PRAGMA user_version` (and stereotax's `application_id`); PostgreSQL, and SQLite
 * files written before version 2, list the versions applied in `schema_migrations`
 * (kept up to date in SQLite too, so an older stereotax refuses a newer file). A
 * database newer than this stereotax is refused.
 */
import { INITIAL } from './001-initial.js';
import type { Migration } from './migration.js';
import { SERVICE_LOG } from './002-service-log.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [INITIAL, SERVICE_LOG];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
