/**
 * The QA history store (spec qa.md section 4): an SQLite file opened in place with
 * a native driver (better-sqlite3), or a PostgreSQL server by URL (pg), with the same
 * schema and migrations. Both drivers are optional packages, loaded on first use.
 *
 * SQLite: the file is opened where it is, in WAL mode (readers never wait for a
 * writer), with a busy timeout; every store is one `BEGIN IMMEDIATE` transaction, so
 * concurrent writers (other stereotax processes, the sqlite3 shell, DB Browser) wait
 * their turn and nobody's committed work is lost. SQLite's own locks are the only
 * locks (the kernel drops them when a process dies, so a writer killed with kill -9
 * blocks nobody; its unfinished transaction is rolled back by the next opener). The
 * schema version is the file's `user_version`. A missing, read-only, corrupt, foreign
 * or locked file is refused with a clear error before anything is analysed or written.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError, StereotaxError, makeIssue } from '../core/errors.js';
import type { QAResult } from './analysis.js';
import type { QASessionInput, QAUnit } from './session.js';
import { MIGRATIONS, MIGRATIONS_TABLE, SCHEMA_VERSION } from './migrations/index.js';
import { optionIssue, type ServiceEntry, type StoredSession, type StoredUnit } from './history.js';
import { loadOptional } from './optional.js';

type Row = Record<string, unknown>;

/** What the two back ends share: parameterised SQL with `?` placeholders. */
interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `fn` in one write transaction (SQLite: BEGIN IMMEDIATE, waiting up to the busy timeout). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function dbIssue(expected: string, received: string, message: string): StereotaxError {
  return new StereotaxError([optionIssue('invalid_value', '--db', expected, received, message)]);
}

const SQLITE_HEADER = 'SQLite format 3\0';
/** `PRAGMA application_id` of a stereotax QA history ("STQA"). */
export const APPLICATION_ID = 0x53545141;
/** How long a store waits for another writer before refusing (ms); `STEREOTAX_DB_BUSY_TIMEOUT_MS` overrides. */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

function busyTimeout(given: number | undefined): number {
  if (given !== undefined) return given;
  const env = process.env.STEREOTAX_DB_BUSY_TIMEOUT_MS;
  if (env !== undefined && /^\d{1,7}$/.test(env)) return Number(env);
  return DEFAULT_BUSY_TIMEOUT_MS;
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes `bytes` to `path` atomically (reports): temp file in the same directory, fsync, rename. */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

type BetterSqlite3 = typeof import('better-sqlite3');
type Database = import('better-sqlite3').Database;

/** SQLite's result codes, as better-sqlite3 gives them (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...). */
function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Turns an SQLite failure into the error a user reads; anything else passes through. */
function sqliteError(err: unknown, path: string, busyMs: number, doing: string): unknown {
  const code = sqliteCode(err);
  if (!code) return err;
  const msg = (err as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new EngineError('database_busy',
      `--db: ${path} is locked by another SQLite client (waited ${busyMs} ms while ${doing}); nothing was stored. Try again when it has finished (STEREOTAX_DB_BUSY_TIMEOUT_MS sets the wait).`);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return dbIssue('an intact SQLite database file', JSON.stringify(path),
      `--db: ${path} is corrupt or not an SQLite database (${msg}); it was left as it is. Restore it from a backup, or give another path.`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return dbIssue('a readable and writable QA database file', JSON.stringify(path),
      `--db: ${path} cannot be opened for ${doing} (${code}: ${msg}); nothing was stored.`);
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new EngineError('database_write_failed', `--db: could not write ${path} (${code}: ${msg}); the transaction was rolled back, nothing was stored`);
  }
  return new EngineError('database_error', `--db: ${path}: ${code}: ${msg}`);
}

class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private depth = 0;

  private constructor(readonly path: string, private readonly db: Database, readonly busyMs: number, readonly writable: boolean) {}

  static async open(path: string, mode: { create: boolean; write: boolean; busyTimeoutMs?: number }): Promise<SqliteDriver> {
    const busyMs = busyTimeout(mode.busyTimeoutMs);
    const there = await exists(path);
    if (!there && !mode.create) {
      throw dbIssue('an existing QA database file', JSON.stringify(path),
        `--db: no QA database at ${path} (one is created by \`stereotax qa FILE --db ${path}\` or \`stereotax qa unit add --db ${path} ...\`)`);
    }
    let empty = !there;
    if (there) {
      const st = await fs.stat(path);
      if (!st.isFile()) throw dbIssue('an SQLite database file', JSON.stringify(path), `--db: ${path} is not a file`);
      // Only the header is read here: the file is opened in place below, never copied.
      let header: Buffer;
      try {
        const h = await fs.open(path, 'r');
        try {
          const buf = Buffer.alloc(100);
          const { bytesRead } = await h.read(buf, 0, 100, 0);
          header = buf.subarray(0, bytesRead);
        } finally {
          await h.close();
        }
      } catch (err) {
        throw dbIssue('a readable SQLite database file', JSON.stringify(path), `--db: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      empty = header.length === 0;
      if (!empty && (header.length < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_HEADER)) {
        throw dbIssue('an SQLite database file', JSON.stringify(path),
          `--db: ${path} is not an SQLite database (corrupt, or another kind of file); it was left as it is. Restore it from a backup, or give another path.`);
      }
      if (mode.write) await SqliteDriver.checkWritable(path, st.mode);
    } else if (mode.write) {
      await SqliteDriver.checkWritable(path, undefined);
    }
    if (!mode.write && empty) {
      throw dbIssue('a stereotax QA database', JSON.stringify(path), `--db: ${path} is empty: no QA history in it yet`);
    }
    const Sqlite = await loadOptional<BetterSqlite3>('better-sqlite3');
    // Reading a file we may write opens it read-write all the same (only SELECTs are run):
    // the last connection to close then checkpoints the WAL and removes SQLite's -wal and
    // -shm files. A file we may not write is opened read-only.
    const readonly = !mode.write && !(await SqliteDriver.mayWrite(path));
    let db: Database;
    try {
      db = new Sqlite(path, { readonly, fileMustExist: !mode.create, timeout: busyMs });
    } catch (err) {
      if (!sqliteCode(err) && /bindings|better_sqlite3\.node|NODE_MODULE_VERSION|invalid ELF/i.test((err as Error).message)) {
        throw new EngineError('dependency_not_built',
          `${(err as Error).message.split('\n')[0]}: better-sqlite3 is installed without its native binding. Run \`npm rebuild better-sqlite3\` (npm 11 skips install scripts not approved in package.json "allowScripts").`);
      }
      throw sqliteError(err, path, busyMs, 'opening');
    }
    const driver = new SqliteDriver(path, db, busyMs, mode.write);
    try {
      db.pragma('foreign_keys = ON');
      if (!empty) {
        // quick_check reads every page: a damaged file is refused before anything is written to it.
        let verdict: unknown;
        try {
          verdict = db.pragma('quick_check', { simple: true });
        } catch (err) {
          const e = sqliteError(err, path, busyMs, 'checking the file');
          if (e instanceof EngineError && e.code === 'database_busy') throw e;
          throw dbIssue('an intact SQLite database file', JSON.stringify(path),
            `--db: ${path} is corrupt (${(err as Error).message}); it was left as it is. Restore it from a backup, or give another path.`);
        }
        if (verdict !== 'ok') {
          throw dbIssue('an intact SQLite database file', JSON.stringify(path),
            `--db: ${path} is corrupt (${String(verdict)}); it was left as it is. Restore it from a backup, or give another path.`);
        }
      }
      return driver;
    } catch (err) {
      db.close();
      throw err instanceof StereotaxError || err instanceof EngineError ? err : sqliteError(err, path, busyMs, 'opening');
    }
  }

  private static async mayWrite(path: string): Promise<boolean> {
    try {
      const st = await fs.stat(path);
      if ((st.mode & 0o222) === 0) return false;
      await fs.access(path, constants.W_OK);
      await fs.access(dirname(path), constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** Refuses a file marked read-only (even for root, who could write it) or a directory that cannot take the WAL files. */
  private static async checkWritable(path: string, fileMode: number | undefined): Promise<void> {
    const readOnly = (why: string) => dbIssue('a writable QA database file', JSON.stringify(path),
      `--db: ${path} is read-only (${why}); nothing was analysed or written. Make it writable, or read it with \`qa history\` / \`qa status\`.`);
    if (fileMode !== undefined) {
      if ((fileMode & 0o222) === 0) throw readOnly('no write permission bits');
      try {
        await fs.access(path, constants.W_OK);
      } catch (err) {
        throw readOnly((err as NodeJS.ErrnoException).code ?? 'not writable');
      }
    }
    try {
      await fs.access(dirname(path), constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw dbIssue('a path in an existing directory', JSON.stringify(path), `--db: the directory of ${path} does not exist`);
      throw readOnly(`its directory is not writable: ${code}`);
    }
  }

  /** Switches the file to WAL (persistent, once per file); waits for other clients like a write does. */
  enableWal(): void {
    const deadline = Date.now() + this.busyMs;
    for (;;) {
      try {
        const mode = this.db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new EngineError('database_error', `--db: ${this.path} could not be put in WAL mode (it stays ${String(mode)})`);
        return;
      } catch (err) {
        const code = sqliteCode(err);
        if (!code?.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw sqliteError(err, this.path, this.busyMs, 'opening');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      }
    }
  }

  pragmaNumber(name: string): number {
    try {
      return Number(this.db.pragma(name, { simple: true }));
    } catch (err) {
      throw sqliteError(err, this.path, this.busyMs, 'reading');
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      const stmt = this.db.prepare(sql);
      if (stmt.reader) return stmt.all(...(params as unknown[])) as Row[];
      stmt.run(...(params as unknown[]));
      return [];
    } catch (err) {
      throw sqliteError(err, this.path, this.busyMs, /^\s*select/i.test(sql) ? 'reading' : 'writing');
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn();
    this.depth++;
    try {
      try {
        // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a
        // transaction never fails half-way because another writer came first.
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw sqliteError(err, this.path, this.busyMs, 'waiting for the write lock');
      }
      try {
        const out = await fn();
        try {
          this.db.exec('COMMIT');
        } catch (err) {
          throw sqliteError(err, this.path, this.busyMs, 'committing');
        }
        return out;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  private depth = 0;
  private constructor(private readonly client: import('pg').Client) {}

  static async open(url: string): Promise<PostgresDriver> {
    const pg = await loadOptional<typeof import('pg')>('pg');
    const Client = pg.Client;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new EngineError('database_unavailable', `--db: cannot connect to the PostgreSQL server at ${redact(url)}: ${(err as Error).message}`);
    }
    return new PostgresDriver(client);
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    let k = 0;
    const text = sql.replace(/\?/g, () => `$${++k}`);
    const res = await this.client.query(text, params as unknown[]);
    return res.rows as Row[];
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn();
    this.depth++;
    await this.client.query('BEGIN');
    try {
      const out = await fn();
      await this.client.query('COMMIT');
      return out;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Sorted keys all the way down: the same session gives the same text whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Row;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sessionId(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export interface OpenOptions {
  /** Create the database (SQLite file) when missing; false: a missing file is an error. */
  create?: boolean;
  /** Opened for writing (SQLite: checks the file is writable). */
  write?: boolean;
  /** SQLite: how long to wait for another writer before refusing (ms; default 10 s or STEREOTAX_DB_BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

function toUnit(r: Row): StoredUnit {
  return { id: String(r.id), name: r.name == null ? null : String(r.name), site: r.site == null ? null : String(r.site), registeredAt: String(r.registered_at) };
}

function toSession(r: Row): StoredSession {
  const result = JSON.parse(String(r.result)) as QAResult;
  const loc = result.summary?.localization;
  return {
    id: String(r.id),
    seq: Number(r.seq),
    unitId: String(r.unit_id),
    date: String(r.date),
    tester: r.tester == null ? null : String(r.tester),
    kind: String(r.kind),
    phantom: String(r.phantom),
    passed: Number(r.passed) === 1,
    stereotaxVersion: String(r.stereotax_version),
    storedAt: String(r.stored_at),
    maxLocalizationError: loc ? { x: loc.x.maxAbs, y: loc.y.maxAbs, z: loc.z.maxAbs } : null,
    tolerance: result.limits?.tolerance ?? null,
  };
}

/** A QA history: units and sessions, SQLite or PostgreSQL behind the same calls. */
export class QAStore {
  private constructor(private readonly sql: SqlDriver, readonly location: string) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.sql.kind;
  }

  /** Opens `--db`: a `postgres://` / `postgresql://` URL, or an SQLite file path; migrates it to this version's schema. */
  static async open(location: string, options: OpenOptions = {}): Promise<QAStore> {
    const write = options.write ?? true;
    const create = options.create ?? write;
    const isPg = /^postgres(ql)?:\/\//i.test(location);
    const sql = isPg ? await PostgresDriver.open(location) : await SqliteDriver.open(location, { create, write, busyTimeoutMs: options.busyTimeoutMs });
    const store = new QAStore(sql, isPg ? redact(location) : location);
    try {
      if (sql instanceof SqliteDriver) await store.migrateSqlite(sql, write);
      else await store.migratePostgres();
    } catch (err) {
      await sql.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private version = 0;

  private newer(v: number): StereotaxError {
    return dbIssue(`a QA database of schema version ${SCHEMA_VERSION} or older`, String(v),
      `--db: ${this.location} has schema version ${v}, newer than this stereotax understands (${SCHEMA_VERSION}); upgrade stereotax`);
  }

  /** The versions listed in `schema_migrations` (files written before user_version, and PostgreSQL). */
  private async listedVersions(): Promise<number[]> {
    const sql = this.sql;
    const there = sql.kind === 'sqlite'
      ? (await sql.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")).length > 0
      : (await sql.query("SELECT to_regclass('schema_migrations') AS t"))[0]?.t != null;
    return there ? (await sql.query('SELECT version FROM schema_migrations')).map((r) => Number(r.version)) : [];
  }

  /** What the SQLite file holds: its schema version, or why it is not ours. */
  private async sqliteState(lite: SqliteDriver): Promise<{ version: number; fresh: boolean }> {
    const appId = lite.pragmaNumber('application_id');
    const userVersion = lite.pragmaNumber('user_version');
    const tables = (await this.sql.query("SELECT name FROM sqlite_master WHERE type = 'table'")).map((t) => String(t.name));
    const listed = tables.includes('schema_migrations') ? await this.listedVersions() : [];
    const ours = appId === APPLICATION_ID || (appId === 0 && (tables.length === 0 || tables.includes('schema_migrations')));
    if (!ours) {
      throw dbIssue('a stereotax QA database', JSON.stringify(this.location),
        `--db: ${this.location} is an SQLite database, but not a stereotax QA history (${appId !== 0 ? `application_id ${appId}` : 'it has no schema_migrations table'}); it was left as it is`);
    }
    return { version: Math.max(userVersion, ...listed, 0), fresh: tables.length === 0 };
  }

  /** SQLite: WAL, then the missing migrations in one IMMEDIATE transaction, the version in user_version. */
  private async migrateSqlite(lite: SqliteDriver, write: boolean): Promise<void> {
    let state = await this.sqliteState(lite);
    if (state.version > SCHEMA_VERSION) throw this.newer(state.version);
    if (!write) {
      if (state.fresh) throw dbIssue('a stereotax QA database', JSON.stringify(this.location), `--db: ${this.location} is empty: no QA history in it yet`);
      // Read as it is: an older schema simply lacks the newer tables (no service log).
      this.version = state.version;
      return;
    }
    lite.enableWal();
    if (state.version === SCHEMA_VERSION && !state.fresh) {
      this.version = state.version;
      return;
    }
    await this.sql.transaction(async () => {
      // Read again under the write lock: another process may have created or migrated it meanwhile.
      state = await this.sqliteState(lite);
      if (state.version > SCHEMA_VERSION) throw this.newer(state.version);
      await this.sql.query(MIGRATIONS_TABLE);
      for (const m of MIGRATIONS) {
        if (m.version <= state.version) continue;
        for (const statement of m.statements) await this.sql.query(statement);
        await this.sql.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      }
      await this.sql.query(`PRAGMA application_id = ${APPLICATION_ID}`);
      await this.sql.query(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    });
    this.version = SCHEMA_VERSION;
  }

  /** PostgreSQL: the missing migrations in one transaction under an advisory lock, listed in schema_migrations. */
  private async migratePostgres(): Promise<void> {
    const sql = this.sql;
    let have = await this.listedVersions();
    const newest = Math.max(0, ...have);
    if (newest > SCHEMA_VERSION) throw this.newer(newest);
    if (MIGRATIONS.every((m) => have.includes(m.version))) {
      this.version = newest;
      return;
    }
    await sql.transaction(async () => {
      await sql.query('SELECT pg_advisory_xact_lock(741852963)');
      await sql.query(MIGRATIONS_TABLE);
      have = (await sql.query('SELECT version FROM schema_migrations')).map((r) => Number(r.version));
      for (const m of MIGRATIONS) {
        if (have.includes(m.version)) continue;
        for (const statement of m.statements) await sql.query(statement);
        await sql.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      }
    });
    this.version = SCHEMA_VERSION;
  }

  /** The schema version the database is at (SQLite: its user_version). */
  async schemaVersion(): Promise<number> {
    return this.version;
  }

  /** Registers a unit; an existing one keeps its id and takes the name and site given. Returns whether it was new. */
  async addUnit(unit: Pick<QAUnit, 'id' | 'name' | 'site'>): Promise<boolean> {
    return this.sql.transaction(() => this.upsertUnit(unit));
  }

  private async upsertUnit(unit: Pick<QAUnit, 'id' | 'name' | 'site'>): Promise<boolean> {
    const found = await this.sql.query('SELECT id FROM units WHERE id = ?', [unit.id]);
    if (found.length) {
      if (unit.name != null) await this.sql.query('UPDATE units SET name = ? WHERE id = ?', [unit.name, unit.id]);
      if (unit.site != null) await this.sql.query('UPDATE units SET site = ? WHERE id = ?', [unit.site, unit.id]);
      return false;
    }
    await this.sql.query('INSERT INTO units (id, name, site, registered_at) VALUES (?, ?, ?, ?)', [unit.id, unit.name ?? null, unit.site ?? null, new Date().toISOString()]);
    return true;
  }

  /** The stored session with this request, if any. */
  async findSession(request: unknown): Promise<StoredSession | undefined> {
    const rows = await this.sql.query('SELECT * FROM sessions WHERE id = ?', [sessionId(request)]);
    return rows.length ? toSession(rows[0]) : undefined;
  }

  /** Refuses a session already stored (the same request), naming when it was stored. */
  async assertNotStored(request: unknown): Promise<void> {
    const old = await this.findSession(request);
    if (old) {
      throw new StereotaxError([{
        ...makeIssue('duplicate_value', [], 'a session not yet stored', `session ${old.id.slice(0, 12)}`),
        message: `this session (unit ${old.unitId}, ${old.date}) is already stored in ${this.location} (stored ${old.storedAt}); it was not stored twice`,
      }]);
    }
  }

  /** Stores an analysed session (and registers its unit); refuses the same session twice. */
  async addSession(session: QASessionInput, result: QAResult): Promise<StoredSession> {
    return this.sql.transaction(async () => {
      await this.assertNotStored(session.request);
      await this.upsertUnit(session.unit);
      if (this.sql.kind === 'postgres') await this.sql.query('LOCK TABLE sessions IN EXCLUSIVE MODE');
      const seqRow = await this.sql.query('SELECT COALESCE(MAX(seq), 0) AS s FROM sessions');
      const seq = Number(seqRow[0].s) + 1;
      await this.sql.query(
        'INSERT INTO sessions (id, seq, unit_id, date, tester, kind, phantom, passed, stereotax_version, stored_at, request, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [sessionId(session.request), seq, session.unit.id, session.date, session.tester, session.kind, session.phantom.id, result.passed ? 1 : 0,
          result.meta.stereotaxVersion, new Date().toISOString(), JSON.stringify(session.request), JSON.stringify(result)],
      );
      const rows = await this.sql.query('SELECT * FROM sessions WHERE seq = ?', [seq]);
      return toSession(rows[0]);
    });
  }

  async units(): Promise<StoredUnit[]> {
    return (await this.sql.query('SELECT * FROM units ORDER BY id')).map(toUnit);
  }

  /** Sessions (of one unit, or all), oldest first. */
  async sessions(unitId?: string): Promise<StoredSession[]> {
    const rows = unitId === undefined
      ? await this.sql.query('SELECT * FROM sessions ORDER BY date, seq')
      : await this.sql.query('SELECT * FROM sessions WHERE unit_id = ? ORDER BY date, seq', [unitId]);
    return rows.map(toSession);
  }

  /** The full stored result of a session (for reports). */
  async result(id: string): Promise<QAResult | undefined> {
    const rows = await this.sql.query('SELECT result FROM sessions WHERE id = ?', [id]);
    return rows.length ? (JSON.parse(String(rows[0].result)) as QAResult) : undefined;
  }

  /** Logs a service action on a unit (registered first if new), in one transaction. */
  async addService(entry: { unitId: string; date: string; text: string }): Promise<ServiceEntry> {
    if (this.version < 2) throw new EngineError('database_error', `--db: ${this.location} is at schema version ${this.version}: open it for writing once to add the service log`);
    return this.sql.transaction(async () => {
      await this.upsertUnit({ id: entry.unitId, name: null, site: null });
      if (this.sql.kind === 'postgres') await this.sql.query('LOCK TABLE service_log IN EXCLUSIVE MODE');
      const seq = Number((await this.sql.query('SELECT COALESCE(MAX(seq), 0) AS s FROM service_log'))[0].s) + 1;
      const id = randomUUID();
      await this.sql.query('INSERT INTO service_log (id, seq, unit_id, date, text, stored_at) VALUES (?, ?, ?, ?, ?, ?)',
        [id, seq, entry.unitId, entry.date, entry.text, new Date().toISOString()]);
      return toService((await this.sql.query('SELECT * FROM service_log WHERE id = ?', [id]))[0]);
    });
  }

  /** Service entries (of one unit, or all), oldest first; none in a file older than the service log. */
  async services(unitId?: string): Promise<ServiceEntry[]> {
    if (this.version < 2) return [];
    const rows = unitId === undefined
      ? await this.sql.query('SELECT * FROM service_log ORDER BY date, seq')
      : await this.sql.query('SELECT * FROM service_log WHERE unit_id = ? ORDER BY date, seq', [unitId]);
    return rows.map(toService);
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}

function toService(r: Row): ServiceEntry {
  return { id: String(r.id), seq: Number(r.seq), unitId: String(r.unit_id), date: String(r.date), text: String(r.text), storedAt: String(r.stored_at) };
}
