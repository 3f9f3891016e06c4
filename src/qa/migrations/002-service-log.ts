/** Version 2: the service log (repairs and calibrations between a failure and its re-test). */
import type { Migration } from './migration.js';

export const SERVICE_LOG: Migration = {
  version: 2,
  name: 'service log',
  statements: [
    `CREATE TABLE service_log (
      id TEXT PRIMARY KEY,
      seq BIGINT NOT NULL UNIQUE,
      unit_id TEXT NOT NULL REFERENCES units (id),
      date TEXT NOT NULL,
      text TEXT NOT NULL,
      stored_at TEXT NOT NULL
    )`,
    'CREATE INDEX service_log_by_unit_date ON service_log (unit_id, date, seq)',
  ],
};
