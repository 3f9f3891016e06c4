/**
 * The QA history store (spec qa.md section 4): an SQLite file (SQLite compiled to
 * WebAssembly, sql.js: nothing to build at install, runs in browsers too) or a
 * PostgreSQL server by URL (pg), with the same schema and migrations.
 *
 * The SQLite file is read whole, changed in memory and written back atomically
 * (a temporary file beside it, fsync, rename), under a lock file: a crash or a full
 * disk leaves the previous file intact. A missing, read-only, corrupt or foreign
 * file is refused with a clear error before anything is analysed or written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { EngineError, StereotaxError, makeIssue } from '../core/errors.js';
import type { QAResult } from './analysis.js';
import type { QASessionInput, QAUnit } from './session.js';
import { MIGRATIONS, MIGRATIONS_TABLE, SCHEMA_VERSION } from './migrations/index.js';
import { optionIssue, type StoredSession, type StoredUnit } from './history.js';

type Row = Record<string, unknown>;

/** What the two back ends share: parameterised SQL with `?` placeholders. */
interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `fn` in one transaction; the SQLite driver writes the file once it commits. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function dbIssue(expected: string, received: string, message: string): StereotaxError {
  return new StereotaxError([optionIssue('invalid_value', '--db', expected, received, message)]);
}

const SQLITE_HEADER = 'SQLite format 3\0';
const LOCK_STALE_MS = 60_000;

async function exists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename. */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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

class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private depth = 0;
  private dirty = false;

  private constructor(
    readonly path: string,
    private readonly db: import('sql.js').Database,
    private readonly lockPath: string | undefined,
  ) {}

  static async open(path: string, mode: { create: boolean; write: boolean }): Promise<SqliteDriver> {
    const there = await exists(path);
    if (!there && !mode.create) {
      throw dbIssue('an existing QA database file', JSON.stringify(path),
        `--db: no QA database at ${path} (one is created by \`stereotax qa FILE --db ${path}\` or \`stereotax qa unit add --db ${path} ...\`)`);
    }
    let bytes: Uint8Array | undefined;
    if (there) {
      const st = await fs.stat(path);
      if (!st.isFile()) throw dbIssue('an SQLite database file', JSON.stringify(path), `--db: ${path} is not a file`);
      try {
        bytes = new Uint8Array(await fs.readFile(path));
      } catch (err) {
        throw dbIssue('a readable SQLite database file', JSON.stringify(path), `--db: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (bytes.length > 0 && (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER)) {
        throw dbIssue('an SQLite database file', JSON.stringify(path),
          `--db: ${path} is not an SQLite database (corrupt, or another kind of file); it was left as it is. Restore it from a backup, or give another path.`);
      }
      if (mode.write) await SqliteDriver.checkWritable(path, st.mode);
    } else if (mode.write) {
      await SqliteDriver.checkWritable(path, undefined);
    }
    let lockPath: string | undefined;
    if (mode.write) lockPath = await SqliteDriver.lock(path);
    try {
      const SQL = await loadSqlJs();
      let db: import('sql.js').Database;
      try {
        db = new SQL.Database(bytes && bytes.length ? bytes : undefined);
        db.exec('PRAGMA foreign_keys = ON');
        const check = db.exec('PRAGMA quick_check');
        const verdict = check[0]?.values[0]?.[0];
        if (verdict !== 'ok') throw new Error(String(verdict));
      } catch (err) {
        throw dbIssue('an intact SQLite database file', JSON.stringify(path),
          `--db: ${path} is corrupt (${(err as Error).message}); it was left as it is. Restore it from a backup, or give another path.`);
      }
      const driver = new SqliteDriver(path, db, lockPath);
      if (!there || !bytes?.length) driver.dirty = true;
      return driver;
    } catch (err) {
      if (lockPath) await fs.rm(lockPath, { force: true });
      throw err;
    }
  }

  /** Refuses a file marked read-only (even for root, who could write it) or a directory that cannot take the temporary file. */
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

  /** One writer at a time: `PATH.lock` created exclusively; a lock older than a minute is taken over. */
  private static async lock(path: string): Promise<string> {
    const lockPath = `${path}.lock`;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const h = await fs.open(lockPath, 'wx');
        await h.writeFile(`${process.pid}\n`);
        await h.close();
        return lockPath;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw dbIssue('a writable QA database directory', JSON.stringify(path), `--db: cannot create the lock file ${lockPath}: ${(err as NodeJS.ErrnoException).code}`);
        }
        const st = await fs.stat(lockPath).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) await fs.rm(lockPath, { force: true });
        else await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new EngineError('database_busy', `--db: ${path} is locked by another stereotax process (${lockPath}); try again`);
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params as import('sql.js').SqlValue[]);
      const rows: Row[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      if (!/^\s*select/i.test(sql)) this.dirty = true;
      return rows;
    } finally {
      stmt.free();
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn();
    this.depth++;
    this.db.exec('BEGIN');
    try {
      const out = await fn();
      this.db.exec('COMMIT');
      this.depth--;
      await this.persist();
      return out;
    } catch (err) {
      this.db.exec('ROLLBACK');
      this.depth--;
      throw err;
    }
  }

  private async persist(): Promise<void> {
    if (!this.dirty || !this.lockPath) return;
    try {
      await writeAtomic(this.path, this.db.export());
      this.dirty = false;
    } catch (err) {
      throw new EngineError('database_write_failed',
        `--db: could not write ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the file on disk is unchanged`);
    }
  }

  async close(): Promise<void> {
    try {
      this.db.close();
    } finally {
      if (this.lockPath) await fs.rm(this.lockPath, { force: true });
    }
  }
}

let sqlJs: Promise<import('sql.js').SqlJsStatic> | undefined;
async function loadSqlJs(): Promise<import('sql.js').SqlJsStatic> {
  if (!sqlJs) {
    sqlJs = import('sql.js').then((m) => ((m as { default?: unknown }).default ?? m) as (c?: object) => Promise<import('sql.js').SqlJsStatic>).then((init) => init());
  }
  return sqlJs;
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  private depth = 0;
  private constructor(private readonly client: import('pg').Client) {}

  static async open(url: string): Promise<PostgresDriver> {
    const pg = await import('pg');
    const Client = ((pg as unknown as { default?: { Client: typeof pg.Client } }).default ?? pg).Client;
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
  /** Opened for writing (SQLite: checks the file is writable, takes the lock). */
  write?: boolean;
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
    const sql = isPg ? await PostgresDriver.open(location) : await SqliteDriver.open(location, { create, write });
    const store = new QAStore(sql, isPg ? redact(location) : location);
    try {
      await store.migrate(write);
    } catch (err) {
      await sql.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  /** Applies the missing migrations in order, in one transaction. */
  private async migrate(write: boolean): Promise<void> {
    const sql = this.sql;
    const foreign = async () => {
      if (sql.kind !== 'sqlite') return false;
      const tables = await sql.query("SELECT name FROM sqlite_master WHERE type = 'table'");
      return tables.length > 0 && !tables.some((t) => t.name === 'schema_migrations');
    };
    if (await foreign()) {
      throw dbIssue('a stereotax QA database', JSON.stringify(this.location),
        `--db: ${this.location} is an SQLite database, but not a stereotax QA history (it has no schema_migrations table); it was left as it is`);
    }
    const applied = async () => {
      const exists = sql.kind === 'sqlite'
        ? (await sql.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")).length > 0
        : (await sql.query("SELECT to_regclass('schema_migrations') AS t"))[0]?.t != null;
      return exists ? (await sql.query('SELECT version FROM schema_migrations')).map((r) => Number(r.version)) : [];
    };
    let have = await applied();
    const newest = Math.max(0, ...have);
    if (newest > SCHEMA_VERSION) {
      throw dbIssue(`a QA database of schema version ${SCHEMA_VERSION} or older`, String(newest),
        `--db: ${this.location} has schema version ${newest}, newer than this stereotax understands (${SCHEMA_VERSION}); upgrade stereotax`);
    }
    if (MIGRATIONS.every((m) => have.includes(m.version))) return;
    if (!write) {
      // Read-only use of a database not yet migrated (SQLite only: an empty file).
      if (sql.kind === 'sqlite' && have.length === 0) {
        throw dbIssue('a stereotax QA database', JSON.stringify(this.location), `--db: ${this.location} is empty: no QA history in it yet`);
      }
    }
    await sql.transaction(async () => {
      if (sql.kind === 'postgres') await sql.query('SELECT pg_advisory_xact_lock(741852963)');
      await sql.query(MIGRATIONS_TABLE);
      have = (await sql.query('SELECT version FROM schema_migrations')).map((r) => Number(r.version));
      for (const m of MIGRATIONS) {
        if (have.includes(m.version)) continue;
        for (const statement of m.statements) await sql.query(statement);
        await sql.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      }
    });
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.sql.query('SELECT MAX(version) AS v FROM schema_migrations');
    return Number(rows[0]?.v ?? 0);
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

  async close(): Promise<void> {
    await this.sql.close();
  }
}
