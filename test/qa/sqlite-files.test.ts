/**
 * The SQLite file as a user meets it through the CLI: a history written by the
 * sql.js-era stereotax (schema_migrations, rollback journal) opens and keeps its
 * sessions; corrupt, read-only, locked, missing and foreign files give clear errors
 * with nothing changed; a missing optional package names what to install.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { session } from './helpers/truth.js';
import { CLI, ROOT, inspect, otherClient, requireBuiltCli, runCli } from './helpers/processes.js';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEGACY = join(ROOT, 'test', 'fixtures', 'qa-history-v1-sqljs.sqlite');
let k = 0;
function sessionFile(date = '2026-11-25', extra: Record<string, unknown> = {}): string {
  const p = join(dir, `s-${++k}.json`);
  writeFileSync(p, JSON.stringify(session([-5, 20, 0], { A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, 0.3] } }, { date, ...extra })));
  return p;
}
function copyLegacy(): string {
  const p = join(dir, `legacy-${++k}.sqlite`);
  copyFileSync(LEGACY, p);
  return p;
}
const json = (out: string) => JSON.parse(out) as { error: { code: string; message: string; path: string } };

describe('a history written by the sql.js-era stereotax', () => {
  test('the fixture is what that version wrote: schema_migrations version 1, rollback journal, user_version 0', async () => {
    expect(await inspect(LEGACY, (d) => ({
      journal: d.pragma('journal_mode', { simple: true }),
      userVersion: d.pragma('user_version', { simple: true }),
      migrations: d.prepare('SELECT version FROM schema_migrations').all(),
      sessions: (d.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n,
    }))).toEqual({ journal: 'delete', userVersion: 0, migrations: [{ version: 1 }], sessions: 4 });
  });

  test('reading it (history, status) works and changes nothing', async () => {
    const p = copyLegacy();
    const before = readFileSync(p);
    const h = await runCli(['qa', 'history', '--db', p, '--unit', 'room-2']);
    expect(h.code).toBe(0);
    expect(JSON.parse(h.out).sessions.map((s: { date: string; passed: boolean }) => [s.date, s.passed])).toEqual([['2026-03-10', true], ['2026-09-15', false], ['2026-10-20', true]]);
    const st = await runCli(['qa', 'status', '--db', p, '--as-of', '2026-11-20']);
    expect(JSON.parse(st.out).units.map((u: { id: string; status: string }) => [u.id, u.status])).toEqual([['room-1', 'current'], ['room-2', 'current'], ['room-9', 'never_tested']]);
    expect(readFileSync(p).equals(before)).toBe(true);
  });

  test('writing to it migrates it in place to user_version 2 and WAL, keeping its four sessions and three units', async () => {
    const p = copyLegacy();
    const r = await runCli(['qa', sessionFile(), '--db', p]);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(await inspect(p, (d) => ({
      journal: d.pragma('journal_mode', { simple: true }),
      userVersion: d.pragma('user_version', { simple: true }),
      applicationId: d.pragma('application_id', { simple: true }),
      migrations: d.prepare('SELECT version FROM schema_migrations ORDER BY version').all(),
      sessions: d.prepare('SELECT date FROM sessions ORDER BY seq').all(),
      units: d.prepare('SELECT id FROM units ORDER BY id').all(),
    }))).toEqual({
      journal: 'wal', userVersion: 2, applicationId: 0x53545141, migrations: [{ version: 1 }, { version: 2 }],
      sessions: [{ date: '2026-03-10' }, { date: '2026-09-15' }, { date: '2026-06-01' }, { date: '2026-10-20' }, { date: '2026-11-25' }],
      units: [{ id: 'room-1' }, { id: 'room-2' }, { id: 'room-9' }],
    });
    // The old sessions keep their ids: the request the old version stored is found as a duplicate.
    const { minTargets: _m, ...legacyRequest } = session([-5, 20, 0], { A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, 0.4] }, B: { needle: [0.3, 0.1, 0.2] } }, { date: '2026-03-10' }) as Record<string, unknown>;
    const { QAStore } = await import('../../src/qa/store.js');
    const store = await QAStore.open(p, { write: false });
    try {
      expect((await store.findSession(legacyRequest))?.date).toBe('2026-03-10');
      await expect(store.assertNotStored(legacyRequest)).rejects.toMatchObject({ code: 'duplicate_value' });
    } finally {
      await store.close();
    }
  });
});

describe('files that cannot be used: clear errors, nothing changed', () => {
  test('missing file: history is refused (exit 2, --db named) and nothing is created', async () => {
    const p = join(dir, 'nope.sqlite');
    const r = await runCli(['qa', 'history', '--db', p, '--unit', 'room-2']);
    expect(r.code).toBe(2);
    expect(json(r.out).error).toMatchObject({ path: '--db', message: expect.stringContaining('no QA database') });
    expect(existsSync(p)).toBe(false);
    const s = await runCli(['qa', 'status', '--db', p, '--as-of', '2026-11-20']);
    expect(s.code).toBe(2);
    expect(existsSync(p)).toBe(false);
    const nodir = await runCli(['qa', sessionFile(), '--db', join(dir, 'no-dir', 'h.sqlite')]);
    expect(nodir.code).toBe(2);
    expect(json(nodir.out).error.message).toContain('does not exist');
  });

  test('corrupt file: refused for writing and reading, byte for byte unchanged, no WAL files left', async () => {
    const good = copyLegacy();
    expect((await runCli(['qa', sessionFile(), '--db', good])).code).toBe(0);
    const bytes = readFileSync(good);
    const variants = {
      garbage: Buffer.from('not a database\n'.repeat(20)),
      truncated: bytes.subarray(0, 5000),
      pagesZeroed: Buffer.concat([bytes.subarray(0, 4096), Buffer.alloc(bytes.length - 4096, 0x5a)]),
    };
    for (const [name, b] of Object.entries(variants)) {
      const p = join(dir, `corrupt-${name}.sqlite`);
      writeFileSync(p, b);
      for (const args of [['qa', sessionFile('2026-11-26'), '--db', p], ['qa', 'history', '--db', p, '--unit', 'room-2'], ['qa', 'unit', 'add', '--db', p, '--id', 'x']]) {
        const r = await runCli(args);
        expect(r.code, `${name} ${args[1]}`).toBe(2);
        expect(json(r.out).error.path).toBe('--db');
        expect(json(r.out).error.message).toMatch(/corrupt|not an SQLite database/);
        expect(r.err).not.toMatch(/\n\s+at /);
        expect(readFileSync(p).equals(b)).toBe(true);
      }
      expect(readdirSync(dir).filter((f) => f.startsWith(`corrupt-${name}.sqlite`))).toEqual([`corrupt-${name}.sqlite`]);
    }
  });

  test('read-only file: a write is refused before anything is analysed, the file unchanged; reading works', async () => {
    const p = copyLegacy();
    expect((await runCli(['qa', sessionFile(), '--db', p])).code).toBe(0);
    chmodSync(p, 0o444);
    try {
      const before = readFileSync(p);
      const r = await runCli(['qa', sessionFile('2026-11-27'), '--db', p]);
      expect(r.code).toBe(2);
      expect(json(r.out).error).toMatchObject({ path: '--db', message: expect.stringContaining('read-only') });
      expect(readFileSync(p).equals(before)).toBe(true);
      const h = await runCli(['qa', 'history', '--db', p, '--unit', 'room-2']);
      expect(h.code).toBe(0);
      expect(JSON.parse(h.out).sessions).toHaveLength(4);
      expect(readFileSync(p).equals(before)).toBe(true);
    } finally {
      chmodSync(p, 0o644);
    }
  });

  test('locked by another client in rollback-journal mode (a legacy file): readers and writers refused with database_busy, nothing changed', async () => {
    const p = copyLegacy();
    const before = readFileSync(p);
    const client = otherClient(p, ['BEGIN EXCLUSIVE', "INSERT INTO units (id, name, site, registered_at) VALUES ('held', NULL, NULL, 'x')"], dir);
    await client.ready;
    try {
      for (const args of [['qa', sessionFile('2026-11-28'), '--db', p], ['qa', 'history', '--db', p, '--unit', 'room-2']]) {
        const r = await runCli(args, { STEREOTAX_DB_BUSY_TIMEOUT_MS: '700' });
        expect(r.code, args[1]).toBe(1);
        expect(json(r.out).error.code).toBe('database_busy');
      }
    } finally {
      expect(await client.rollback()).toBe(0);
    }
    expect(readFileSync(p).equals(before)).toBe(true);
  });

  test('an SQLite file of another program is refused and left alone', async () => {
    const p = join(dir, 'other-program.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const d = new Database(p);
    d.exec('CREATE TABLE patients (id INTEGER)');
    d.close();
    const before = readFileSync(p);
    const r = await runCli(['qa', sessionFile(), '--db', p]);
    expect(r.code).toBe(2);
    expect(json(r.out).error.message).toContain('not a stereotax QA history');
    expect(readFileSync(p).equals(before)).toBe(true);
  });
});

describe('optional packages not installed', () => {
  /** The built CLI beside a node_modules that has every package but the optional ones. */
  function isolatedCli(): string {
    const iso = join(dir, 'iso');
    mkdirSync(join(iso, 'node_modules'), { recursive: true });
    const optional = new Set(['better-sqlite3', 'pg', 'pdfkit', 'svg-to-pdfkit', 'dejavu-fonts-ttf']);
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (optional.has(name) || name.startsWith('.')) continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(iso, 'node_modules', name));
    }
    copyFileSync(CLI, join(iso, 'cli.cjs'));
    return join(iso, 'cli.cjs');
  }

  test('--db and --pdf name the package to install (optional_dependency_missing, exit 1) and store or write nothing; plain analysis works', async () => {
    const cli = isolatedCli();
    const f = sessionFile();
    const db = join(dir, 'never.sqlite');
    const a = await runCli(['qa', f, '--db', db], {}, cli);
    expect(a.code).toBe(1);
    expect(json(a.out).error.code).toBe('optional_dependency_missing');
    expect(json(a.out).error.message).toContain('npm install better-sqlite3@12.11.1');
    expect(existsSync(db)).toBe(false);
    const pdf = join(dir, 'never.pdf');
    const b = await runCli(['qa', f, '--pdf', pdf], {}, cli);
    expect(b.code).toBe(1);
    expect(json(b.out).error.code).toBe('optional_dependency_missing');
    expect(json(b.out).error.message).toMatch(/npm install (pdfkit|svg-to-pdfkit|dejavu-fonts-ttf)@/);
    expect(existsSync(pdf)).toBe(false);
    const c = await runCli(['qa', 'status', '--db', 'postgres://nobody@127.0.0.1:1/x', '--as-of', '2026-11-20'], {}, cli);
    expect(json(c.out).error).toMatchObject({ code: 'optional_dependency_missing', message: expect.stringContaining('npm install pg@8.23.1') });
    const plain = await runCli(['qa', f, '--report', join(dir, 'r.html')], {}, cli);
    expect(plain.code).toBe(0);
  }, 60_000);
});
