/**
 * QA history (spec qa.md section 4): the status window with its month-end clamp, the
 * SQLite file (missing, read-only, corrupt, foreign, the same session twice, nothing
 * lost) and a real PostgreSQL server on loopback giving the same history and status.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StereotaxError } from '../../src/core/errors.js';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { analyzeSession } from '../../src/qa/analysis.js';
import { subtractMonths, unitHistory, unitStatus, type StoredSession, type StoredUnit } from '../../src/qa/history.js';
import { parseSession } from '../../src/qa/session.js';
import { QAStore, canonicalJson, sessionId } from '../../src/qa/store.js';
import { SCHEMA_VERSION } from '../../src/qa/migrations/index.js';
import { session, type P3 } from './helpers/truth.js';
import { startPostgres, type Server } from './helpers/postgres.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await loadEngine();
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-store-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fresh = (name = 'h') => join(dir, `${name}-${++n}.sqlite`);

describe('[QA-013] status window: calendar months, clamped to the month end', () => {
  test.each([
    ['2026-11-20', 6, '2026-05-20'],
    ['2026-08-31', 6, '2026-02-28'],
    ['2024-08-31', 6, '2024-02-29'],
    ['2026-03-31', 1, '2026-02-28'],
    ['2026-05-31', 1, '2026-04-30'],
    ['2026-01-15', 2, '2025-11-15'],
    ['2026-12-31', 12, '2025-12-31'],
    ['2026-11-20', 14, '2025-09-20'],
    ['2027-02-28', 6, '2026-08-28'],
  ])('%s minus %i months is %s', (d, m, want) => {
    expect(subtractMonths(d, m)).toBe(want);
  });

  const unit = (id: string): StoredUnit => ({ id, name: null, site: null, registeredAt: '2026-01-01T00:00:00Z' });
  let seq = 0;
  const s = (unitId: string, date: string, passed: boolean): StoredSession => ({
    id: `${unitId}-${date}-${++seq}`, seq, unitId, date, tester: null, kind: 'physicist', phantom: 'cube-5', passed,
    stereotaxVersion: 't', storedAt: '', maxLocalizationError: null, tolerance: null,
  });
  const statusOf = (sessions: StoredSession[], asOf: string, w?: number) =>
    unitStatus([unit('u')], sessions, asOf, w).units[0];

  test('exactly at the window start is current; one day before is expired', () => {
    expect(statusOf([s('u', '2026-05-20', true)], '2026-11-20').status).toBe('current');
    expect(statusOf([s('u', '2026-05-19', true)], '2026-11-20').status).toBe('expired');
    expect(statusOf([s('u', '2026-02-28', true)], '2026-08-31').status).toBe('current');
    expect(statusOf([s('u', '2026-02-27', true)], '2026-08-31').status).toBe('expired');
    expect(statusOf([s('u', '2025-09-20', true)], '2026-11-20', 14).status).toBe('current');
    expect(statusOf([s('u', '2025-09-19', true)], '2026-11-20', 14).status).toBe('expired');
  });

  test('[QA-014] failed wins over expired; lastPassed is the last passing session; never_tested; later sessions ignored', () => {
    const row = statusOf([s('u', '2025-01-10', true), s('u', '2025-03-01', false)], '2026-11-20');
    expect(row).toEqual({ id: 'u', name: null, site: null, lastSession: '2025-03-01', lastPassed: '2025-01-10', status: 'failed' });
    expect(statusOf([s('u', '2026-10-01', false), s('u', '2026-10-02', true)], '2026-11-20').status).toBe('current');
    expect(statusOf([], '2026-11-20')).toMatchObject({ status: 'never_tested', lastSession: null, lastPassed: null });
    expect(statusOf([s('u', '2026-10-01', true), s('u', '2026-12-01', false)], '2026-11-20')).toMatchObject({ status: 'current', lastSession: '2026-10-01' });
  });

  test('two sessions on the same day: the one stored later is the last', () => {
    expect(statusOf([s('u', '2026-10-01', true), s('u', '2026-10-01', false)], '2026-11-20').status).toBe('failed');
    expect(statusOf([s('u', '2026-10-01', false), s('u', '2026-10-01', true)], '2026-11-20').status).toBe('current');
  });

  test('[QA-014] units sorted by id, every registered unit listed; bad options refused', () => {
    const r = unitStatus([unit('b'), unit('a'), unit('c')], [s('b', '2026-11-01', true)], '2026-11-20');
    expect(r.units.map((u) => [u.id, u.status])).toEqual([['a', 'never_tested'], ['b', 'current'], ['c', 'never_tested']]);
    expect(r.windowMonths).toBe(6);
    expect(() => unitStatus([], [], '2026-02-30')).toThrow(StereotaxError);
    expect(() => unitStatus([], [], '2026-02-01', 0)).toThrow(/window-months/);
  });
});

/** A few sessions of two units, built from known truth. */
function sessions() {
  const mk = (id: string, date: string, needleZ: number, origin: P3 = [-5, 20, 0]) => {
    const s = session(origin, { A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, needleZ] }, B: { needle: [0.3, 0.1, needleZ / 2] } }, { date }) as Record<string, unknown>;
    (s.unit as Record<string, unknown>).id = id;
    return s;
  };
  return [
    mk('room-2', '2026-03-10', 0.4),
    mk('room-2', '2026-09-15', 1.3),
    mk('room-1', '2026-06-01', 0.5, [0, 25, 2]),
    mk('room-2', '2026-10-20', 0.6),
  ];
}

async function fill(store: QAStore) {
  for (const req of sessions()) {
    const input = parseSession(req);
    await store.addSession(input, analyzeSession(engine, input, { analysedAt: new Date('2026-11-01T00:00:00Z') }));
  }
  await store.addUnit({ id: 'room-9', name: 'upright add-on', site: 'north' });
}

/** What must agree between the stores: everything but the storage times. */
async function snapshot(store: QAStore) {
  const units = await store.units();
  const all = await store.sessions();
  const strip = <T extends object>(x: T): Omit<T, 'storedAt' | 'registeredAt'> => {
    const { storedAt: _s, registeredAt: _r, ...rest } = x as T & { storedAt?: string; registeredAt?: string };
    return rest;
  };
  return {
    units: units.map(strip),
    history: ['room-1', 'room-2'].map((u) => ({ ...unitHistory(units, all, u), unit: strip(units.find((x) => x.id === u)!) }))
      .map((h) => ({ ...h, sessions: h.sessions.map(strip) })),
    status: [unitStatus(units, all, '2026-11-20'), unitStatus(units, all, '2027-04-20', 6), unitStatus(units, all, '2027-04-21', 6), unitStatus(units, all, '2026-09-30', 3)],
    schema: await store.schemaVersion(),
  };
}

describe('[QA-011] SQLite history file', () => {
  test('[QA-012] sessions stored, history oldest first with max localization error, status per unit', async () => {
    const path = fresh();
    const store = await QAStore.open(path);
    await fill(store);
    const snap = await snapshot(store);
    await store.close();
    const h2 = snap.history[1];
    expect(h2.sessions.map((x) => [x.date, x.passed])).toEqual([['2026-03-10', true], ['2026-09-15', false], ['2026-10-20', true]]);
    expect(h2.sessions[1].maxLocalizationError!.z).toBeCloseTo(1.3, 9);
    expect(h2.sessions[1].maxLocalizationError!.x).toBeCloseTo(0.3, 9);
    expect(snap.status[0].units.map((u) => [u.id, u.status, u.lastSession, u.lastPassed])).toEqual([
      ['room-1', 'current', '2026-06-01', '2026-06-01'],
      ['room-2', 'current', '2026-10-20', '2026-10-20'],
      ['room-9', 'never_tested', null, null],
    ]);
    expect(snap.status[1].units.map((u) => u.status)).toEqual(['expired', 'current', 'never_tested']);
    expect(snap.status[2].units.map((u) => u.status)).toEqual(['expired', 'expired', 'never_tested']);
    expect(snap.status[3].units.map((u) => u.status)).toEqual(['expired', 'failed', 'never_tested']);
    expect(snap.schema).toBe(SCHEMA_VERSION);
    // Nothing left behind: no temporary file, no lock.
    expect(readdirSync(dir).filter((f) => f.includes(path.split('/').pop()!) && f !== path.split('/').pop())).toEqual([]);
    // Reopening reads the same and applies no migration twice.
    const again = await QAStore.open(path, { write: false });
    expect(await snapshot(again)).toEqual(snap);
    await again.close();
  });

  test('[QA-011] the same session twice is refused (whatever its key order), the file unchanged', async () => {
    const path = fresh();
    const store = await QAStore.open(path);
    const req = sessions()[0];
    const input = parseSession(req);
    await store.addSession(input, analyzeSession(engine, input));
    await store.close();
    const before = readFileSync(path);
    const reordered = Object.fromEntries(Object.entries(req).reverse());
    expect(sessionId(reordered)).toBe(sessionId(req));
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    const s2 = await QAStore.open(path);
    const input2 = parseSession(reordered);
    await expect(s2.addSession(input2, analyzeSession(engine, input2))).rejects.toMatchObject({ code: 'duplicate_value' });
    await s2.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    const s3 = await QAStore.open(path, { write: false });
    expect(await s3.sessions()).toHaveLength(1);
    await s3.close();
  });

  test('[QA-019] a missing file: reading is refused with a clear error and nothing is created', async () => {
    const path = fresh('missing');
    await expect(QAStore.open(path, { write: false })).rejects.toMatchObject({ code: 'invalid_value', path: '--db', message: expect.stringContaining('no QA database') });
    expect(existsSync(path)).toBe(false);
    await expect(QAStore.open(join(dir, 'no-such-dir', 'h.sqlite'))).rejects.toMatchObject({ path: '--db', message: expect.stringContaining('does not exist') });
  });

  test('[QA-019] a read-only file: writing is refused, the file unchanged; reading still works', async () => {
    const path = fresh('ro');
    const store = await QAStore.open(path);
    await fill(store);
    await store.close();
    chmodSync(path, 0o444);
    const before = readFileSync(path);
    try {
      await expect(QAStore.open(path)).rejects.toMatchObject({ code: 'invalid_value', path: '--db', message: expect.stringContaining('read-only') });
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(`${path}.lock`)).toBe(false);
      const r = await QAStore.open(path, { write: false });
      expect((await r.sessions()).length).toBe(4);
      await r.close();
    } finally {
      chmodSync(path, 0o644);
    }
  });

  test.each([
    ['garbage', () => Buffer.from('this is not a database at all, just some text that a user saved under the wrong name\n'.repeat(3))],
    ['a truncated SQLite file', (good: Buffer) => good.subarray(0, 3000)],
    ['an SQLite header over garbage', (good: Buffer) => Buffer.concat([good.subarray(0, 100), Buffer.alloc(good.length - 100, 0x5a)])],
  ])('a corrupt file (%s): a clear error, the file left as it was', async (_name, make) => {
    const good = fresh('good');
    const s = await QAStore.open(good);
    await fill(s);
    await s.close();
    const path = fresh('corrupt');
    const bytes = make(readFileSync(good));
    writeFileSync(path, bytes);
    for (const write of [true, false]) {
      const err = await QAStore.open(path, { write }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StereotaxError);
      expect((err as StereotaxError).path).toBe('--db');
      expect((err as StereotaxError).message).toMatch(/corrupt|not an SQLite database|not a stereotax/);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  });

  test('[QA-019] an SQLite file of another program, or of a newer schema, is refused and left alone', async () => {
    const Sqlite = (await import('better-sqlite3')).default;
    const path = fresh('foreign');
    const other = new Sqlite(path);
    other.exec('CREATE TABLE patients (id INTEGER)');
    other.close();
    const bytes = readFileSync(path);
    await expect(QAStore.open(path)).rejects.toMatchObject({ message: expect.stringContaining('not a stereotax QA history') });
    expect(readFileSync(path).equals(bytes)).toBe(true);

    const newer = fresh('newer');
    const s = await QAStore.open(newer);
    await s.close();
    const db = new Sqlite(newer);
    db.pragma('user_version = 99');
    db.close();
    await expect(QAStore.open(newer)).rejects.toMatchObject({ message: expect.stringContaining('newer than this stereotax') });
  });

  test('an empty file becomes a new history when written; reading it says it is empty', async () => {
    const path = fresh('empty');
    writeFileSync(path, '');
    await expect(QAStore.open(path, { write: false })).rejects.toMatchObject({ message: expect.stringContaining('empty') });
    const s = await QAStore.open(path);
    expect(await s.addUnit({ id: 'u', name: null, site: null })).toBe(true);
    expect(await s.addUnit({ id: 'u', name: 'renamed', site: null })).toBe(false);
    await s.close();
    const r = await QAStore.open(path, { write: false });
    expect((await r.units()).map((u) => [u.id, u.name])).toEqual([['u', 'renamed']]);
    await r.close();
  });
});

describe('[QA-011] PostgreSQL server on loopback: the same history and status as SQLite', () => {
  let server: Server | undefined;
  let skip = '';
  beforeAll(async () => {
    const s = await startPostgres();
    if ('skip' in s) {
      skip = s.skip;
      console.warn(`PostgreSQL tests skipped: ${skip}`);
    } else server = s;
  }, 90_000);
  afterAll(() => server?.stop());

  test('same sessions, same history and status; duplicates refused; migrations applied once', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const pg = await QAStore.open(server.url());
    expect(pg.kind).toBe('postgres');
    await fill(pg);
    const fromPg = await snapshot(pg);
    const req = sessions()[1];
    const input = parseSession(req);
    await expect(pg.addSession(input, analyzeSession(engine, input))).rejects.toMatchObject({ code: 'duplicate_value' });
    await pg.close();

    const lite = await QAStore.open(fresh('twin'));
    await fill(lite);
    const fromLite = await snapshot(lite);
    await lite.close();
    expect(fromPg).toEqual(fromLite);

    const again = await QAStore.open(server.url());
    expect(await again.schemaVersion()).toBe(SCHEMA_VERSION);
    expect((await again.sessions()).length).toBe(4);
    await again.close();
  }, 60_000);

  test('an unreachable server is a clear error (exit 1), the password not echoed', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const err = await QAStore.open('postgres://qa:secret@127.0.0.1:1/none').then(() => undefined, (e: unknown) => e);
    expect((err as Error).name).toBe('EngineError');
    expect((err as Error).message).toContain('cannot connect');
    expect((err as Error).message).not.toContain('secret');
  });
});
