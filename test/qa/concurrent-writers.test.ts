/**
 * The SQLite history under several real processes at once (issue 19): 12 `stereotax qa
 * FILE --db x.sqlite` started together are all stored; another SQLite client holding
 * an exclusive transaction makes stereotax wait up to its busy timeout and then refuse
 * (database_busy), its own work kept; a writer killed with kill -9 mid-transaction
 * blocks nobody.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { session } from './helpers/truth.js';
import { inspect, otherClient, requireBuiltCli, runCli, sqliteShell, startCli } from './helpers/processes.js';
import { spawn } from 'node:child_process';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-conc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let k = 0;
/** A distinct passing session file (its date and tester make it a different session). */
function sessionFile(day: number, unit = 'room-2'): string {
  const s = session([-5, 20, 0], { A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, 0.3] }, B: { needle: [0.3, 0.1, 0.2] } },
    { date: `2026-10-${String(day).padStart(2, '0')}`, tester: `Physicist ${day}` }) as { unit: { id: string } };
  s.unit.id = unit;
  const p = join(dir, `s-${++k}.json`);
  writeFileSync(p, JSON.stringify(s));
  return p;
}

const count = (db: string) => inspect(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n);
const integrity = (db: string) => inspect(db, (d) => d.pragma('integrity_check', { simple: true }));

describe('several processes writing one SQLite file', () => {
  test('[QA-022] 12 concurrent `stereotax qa FILE --db` all exit 0 and all 12 sessions are stored', async () => {
    const db = join(dir, 'twelve.sqlite');
    const files = Array.from({ length: 12 }, (_, i) => sessionFile(i + 1));
    const exits = await Promise.all(files.map((f) => runCli(['qa', f, '--db', db])));
    for (const e of exits) expect({ code: e.code, err: e.err }).toEqual({ code: 0, err: '' });
    // No file of ours beside the database (no lock file, no temporary copy); SQLite's -wal/-shm gone once all closed.
    expect(readdirSync(dir).filter((f) => f.startsWith('twelve.sqlite') && f !== 'twelve.sqlite')).toEqual([]);
    expect(await count(db)).toBe(12);
    expect(await integrity(db)).toBe('ok');
    const seqs = await inspect(db, (d) => d.prepare('SELECT seq FROM sessions ORDER BY seq').all().map((r) => (r as { seq: number }).seq));
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // WAL, the schema version in user_version, and no file of our own beside the database once all have closed.
    expect(await inspect(db, (d) => [d.pragma('journal_mode', { simple: true }), d.pragma('user_version', { simple: true })])).toEqual(['wal', 2]);
    // The history lists all twelve.
    const h = await runCli(['qa', 'history', '--db', db, '--unit', 'room-2']);
    expect(h.code).toBe(0);
    expect(JSON.parse(h.out).sessions).toHaveLength(12);
  }, 120_000);

  test('the same session sent by 6 processes at once: stored once, the other 5 refused (exit 2, duplicate_value)', async () => {
    const db = join(dir, 'same.sqlite');
    const f = sessionFile(20);
    const exits = await Promise.all(Array.from({ length: 6 }, () => runCli(['qa', f, '--db', db])));
    expect(exits.map((e) => e.code).sort()).toEqual([0, 2, 2, 2, 2, 2]);
    for (const e of exits.filter((x) => x.code === 2)) expect(JSON.parse(e.out).error.code).toBe('duplicate_value');
    expect(await count(db)).toBe(1);
  }, 120_000);

  test('[QA-023] another client holds an exclusive transaction: stereotax waits its busy timeout, refuses (database_busy, exit 1); the client commits and keeps its work', async () => {
    const db = join(dir, 'held.sqlite');
    expect((await runCli(['qa', sessionFile(1), '--db', db])).code).toBe(0);
    const client = otherClient(db, ['BEGIN EXCLUSIVE', "INSERT INTO units (id, name, site, registered_at) VALUES ('other-client', 'kept', NULL, '2026-12-01T00:00:00Z')"], dir);
    await client.ready;
    const t0 = Date.now();
    const refused = await runCli(['qa', sessionFile(2), '--db', db], { STEREOTAX_DB_BUSY_TIMEOUT_MS: '1500' });
    const waited = Date.now() - t0;
    expect(refused.code).toBe(1);
    const err = JSON.parse(refused.out).error;
    expect(err.code).toBe('database_busy');
    expect(err.message).toMatch(/locked by another SQLite client.*nothing was stored/);
    expect(refused.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(waited).toBeGreaterThanOrEqual(1400); // it waited the busy timeout before refusing
    expect(await client.commit()).toBe(0);
    expect(await inspect(db, (d) => d.prepare("SELECT name FROM units WHERE id = 'other-client'").get())).toEqual({ name: 'kept' });
    expect(await count(db)).toBe(1);
    expect(await integrity(db)).toBe('ok');
    // Once the client is done the same session is stored.
    expect((await runCli(['qa', sessionFile(2), '--db', db])).code).toBe(0);
    expect(await count(db)).toBe(2);
  }, 60_000);

  test('a client that holds the lock briefly: stereotax waits its turn and both writes are kept', async () => {
    const db = join(dir, 'brief.sqlite');
    expect((await runCli(['qa', sessionFile(1), '--db', db])).code).toBe(0);
    const client = otherClient(db, ['BEGIN EXCLUSIVE', "INSERT INTO units (id, name, site, registered_at) VALUES ('brief', NULL, NULL, '2026-12-01T00:00:00Z')"], dir);
    await client.ready;
    const writer = startCli(['qa', sessionFile(3), '--db', db], { STEREOTAX_DB_BUSY_TIMEOUT_MS: '20000' });
    await new Promise((r) => setTimeout(r, 1200));
    expect(writer.child.exitCode).toBe(null); // still waiting
    expect(await client.commit()).toBe(0);
    const e = await writer.done;
    expect({ code: e.code, err: e.err }).toEqual({ code: 0, err: '' });
    expect(await count(db)).toBe(2);
    expect(await inspect(db, (d) => d.prepare("SELECT COUNT(*) AS n FROM units WHERE id = 'brief'").get())).toEqual({ n: 1 });
  }, 60_000);

  test('[QA-023] the sqlite3 shell holding BEGIN EXCLUSIVE: refused with database_busy, the shell\'s committed row kept', async (ctx) => {
    const shell = sqliteShell();
    if (!shell) return ctx.skip('no sqlite3 shell on this machine');
    const db = join(dir, 'shell.sqlite');
    expect((await runCli(['qa', sessionFile(1), '--db', db])).code).toBe(0);
    const sh = spawn(shell, [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    sh.stdout.on('data', (b) => (out += b));
    sh.stdin.write("BEGIN EXCLUSIVE;\nINSERT INTO units (id, name, site, registered_at) VALUES ('from-shell', NULL, NULL, 'x');\nSELECT 'held';\n");
    for (let i = 0; i < 100 && !out.includes('held'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('held');
    const refused = await runCli(['qa', sessionFile(4), '--db', db], { STEREOTAX_DB_BUSY_TIMEOUT_MS: '800' });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out).error.code).toBe('database_busy');
    const closed = new Promise((r) => sh.on('close', r));
    sh.stdin.end('COMMIT;\n.quit\n');
    await closed;
    expect(await inspect(db, (d) => d.prepare("SELECT COUNT(*) AS n FROM units WHERE id = 'from-shell'").get())).toEqual({ n: 1 });
    expect(await count(db)).toBe(1);
  }, 60_000);

  test('[QA-022] a writer killed with kill -9 in the middle of its transaction blocks nobody; its unfinished write is rolled back', async () => {
    const db = join(dir, 'killed.sqlite');
    expect((await runCli(['qa', sessionFile(1), '--db', db])).code).toBe(0);
    const client = otherClient(db, ['BEGIN IMMEDIATE', "INSERT INTO units (id, name, site, registered_at) VALUES ('half-written', NULL, NULL, 'x')",
      "UPDATE units SET name = 'overwritten' WHERE id = 'room-2'"], dir);
    await client.ready;
    client.child.kill('SIGKILL');
    await client.exited;
    const e = await runCli(['qa', sessionFile(5), '--db', db], { STEREOTAX_DB_BUSY_TIMEOUT_MS: '3000' });
    expect({ code: e.code, err: e.err }).toEqual({ code: 0, err: '' });
    expect(await count(db)).toBe(2);
    expect(await inspect(db, (d) => d.prepare("SELECT COUNT(*) AS n FROM units WHERE id = 'half-written'").get())).toEqual({ n: 0 });
    expect(await inspect(db, (d) => (d.prepare("SELECT name FROM units WHERE id = 'room-2'").get() as { name: string }).name)).toBe('prone table, room 2');
    expect(await integrity(db)).toBe('ok');
  }, 60_000);

  test('stereotax writers killed with kill -9 at random moments: the rest are stored, every stored session whole, the file intact', async () => {
    const db = join(dir, 'random-kill.sqlite');
    const writers = Array.from({ length: 8 }, (_, i) => startCli(['qa', sessionFile(i + 1, 'room-7'), '--db', db]));
    // Kill every other one at a different moment: before it opens, while it analyses, while it writes.
    const victims = [0, 2, 4, 6];
    const moments = [80, 1500, 3500, 6000];
    victims.forEach((v, j) => setTimeout(() => writers[v].child.kill('SIGKILL'), moments[j]));
    const exits = await Promise.all(writers.map((w) => w.done));
    const survivors = exits.filter((_, i) => !victims.includes(i));
    for (const e of survivors) expect({ code: e.code, err: e.err }).toEqual({ code: 0, err: '' });
    const completed = exits.filter((e) => e.code === 0).length;
    // Killed ones stored their session only if they committed before the kill: never half of one.
    const n = await count(db);
    expect(n).toBeGreaterThanOrEqual(completed);
    expect(n).toBeLessThanOrEqual(8);
    const rows = await inspect(db, (d) => d.prepare('SELECT result FROM sessions').all() as { result: string }[]);
    for (const r of rows) expect(JSON.parse(r.result).measurements).toHaveLength(2);
    expect(await integrity(db)).toBe('ok');
    // And the next writer is not blocked.
    const after = await runCli(['qa', sessionFile(30, 'room-7'), '--db', db], { STEREOTAX_DB_BUSY_TIMEOUT_MS: '3000' });
    expect(after.code).toBe(0);
  }, 120_000);
});
