/**
 * Status by kind, drift and the service log (issue 19). The drift rule (history.ts):
 * a least-squares line through the per-axis max localization error of the last
 * sessions, warned when it reaches the tolerance within the window. Checked against a
 * least-squares fit done here with mathjs (no src code).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lusolve } from 'mathjs';
import { driftWarnings, surveyStatus, unitStatus, type StoredSession, type StoredUnit } from '../../src/qa/history.js';
import { runCli } from '../helpers/fake-io.js';
import { session } from './helpers/truth.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-drift-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
const stored = (date: string, z: number, extra: Partial<StoredSession> = {}): StoredSession => ({
  id: `s${++seq}`, seq, unitId: 'u', date, tester: 't', kind: 'physicist', phantom: 'cube-5', passed: z <= 1, stereotaxVersion: 't', storedAt: '',
  maxLocalizationError: { x: 0.1, y: 0.1, z }, tolerance: { x: 1, y: 1, z: 1 }, ...extra,
});
const unit: StoredUnit = { id: 'u', name: null, site: null, registeredAt: '' };
const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

describe('drift', () => {
  test('[QA-027] a rising z error: the warning, its slope and crossing date agree with an independent least-squares fit', () => {
    const dates = ['2026-01-10', '2026-02-09', '2026-03-11', '2026-04-10', '2026-05-10'];
    const zs = [0.2, 0.33, 0.52, 0.61, 0.8];
    const w = driftWarnings(dates.map((d, i) => stored(d, zs[i])), 6);
    expect(w).toHaveLength(1);
    // Reference: normal equations of z = a + b t, solved by LU.
    const t = dates.map(day);
    const n = t.length, st = t.reduce((a, b) => a + b), stt = t.reduce((a, b) => a + b * b, 0);
    const sz = zs.reduce((a, b) => a + b), stz = t.reduce((a, ti, i) => a + ti * zs[i], 0);
    const [[a], [b]] = lusolve([[n, st], [st, stt]], [[sz], [stz]]) as number[][];
    expect(w[0].axis).toBe('z');
    expect(w[0].slopePer30Days).toBeCloseTo(b * 30, 9);
    expect(w[0].fittedLast).toBeCloseTo(a + b * t[n - 1], 9);
    const cross = Math.ceil((1 - a) / b);
    expect(w[0].crossesOn).toBe(new Date(cross * 86_400_000).toISOString().slice(0, 10));
    expect(w[0].message).toMatch(/rising .* reaches the ±1.00 mm tolerance about 2026-0[67]-\d\d/);
  });

  test('no warning: flat or falling, crossing after the window, too few sessions, or already out of tolerance', () => {
    expect(driftWarnings(['2026-01-10', '2026-02-09', '2026-03-11'].map((d) => stored(d, 0.4)))).toEqual([]);
    expect(driftWarnings([stored('2026-01-10', 0.8), stored('2026-02-09', 0.6), stored('2026-03-11', 0.4)])).toEqual([]);
    // +0.02 mm a month from 0.5: reaches 1 mm in about two years, beyond 6 months.
    expect(driftWarnings([stored('2026-01-10', 0.5), stored('2026-02-09', 0.52), stored('2026-03-11', 0.54)], 6)).toEqual([]);
    // ...but within a 36-month window it warns.
    expect(driftWarnings([stored('2026-01-10', 0.5), stored('2026-02-09', 0.52), stored('2026-03-11', 0.54)], 36)).toHaveLength(1);
    expect(driftWarnings([stored('2026-01-10', 0.2), stored('2026-02-09', 0.6)])).toEqual([]);
    expect(driftWarnings([stored('2026-01-10', 0.4), stored('2026-02-09', 0.8), stored('2026-03-11', 1.2)])).toEqual([]);
  });
});

describe('status by kind', () => {
  test("[QA-026] a technologist's routine check keeps the images current but never renews the physicist's survey", () => {
    const sessions = [stored('2025-10-01', 0.3), stored('2026-11-01', 0.3, { kind: 'technologist' })];
    const r = unitStatus([unit], sessions, '2026-12-05');
    expect(r.units[0]).toMatchObject({ status: 'current', lastSession: '2026-11-01' });
    expect(r.physicistSurvey).toEqual([{ id: 'u', lastSurvey: '2025-10-01', lastPassedSurvey: '2025-10-01', due: '2026-12-01', status: 'overdue' }]);
    // Exactly 14 months after the survey is still current; a day later overdue.
    expect(surveyStatus([unit], sessions, '2026-12-01')[0].status).toBe('current');
    expect(surveyStatus([unit], sessions, '2026-12-02')[0].status).toBe('overdue');
    expect(surveyStatus([unit], [stored('2026-11-01', 0.3, { kind: 'technologist' })], '2026-12-01')[0].status).toBe('never_surveyed');
    expect(surveyStatus([unit], [stored('2026-06-01', 1.4)], '2026-12-01')[0]).toMatchObject({ status: 'failed', due: null });
  });
});

describe('qa status through the CLI', () => {
  test('[QA-027] the JSON keeps the spec shape; --details adds the survey and drift; drift is warned on stderr and in --text', async () => {
    const db = join(dir, 'drift.sqlite');
    const zs = [0.3, 0.45, 0.6, 0.75];
    for (const [i, z] of zs.entries()) {
      const p = join(dir, `d-${i}.json`);
      writeFileSync(p, JSON.stringify(session([-5, 20, 0], { A: { needle: [0.1, 0.1, z] } }, { date: `2026-0${i + 6}-01`, kind: i === 3 ? 'technologist' : 'physicist' })));
      expect((await runCli(['qa', p, '--db', db])).code).toBe(0);
    }
    const plain = await runCli(['qa', 'status', '--db', db, '--as-of', '2026-10-15']);
    expect(Object.keys(JSON.parse(plain.out))).toEqual(['asOf', 'windowMonths', 'units']);
    expect(plain.err).toMatch(/warning: unit room-2: the z localization error is rising/);
    const details = JSON.parse((await runCli(['qa', 'status', '--db', db, '--as-of', '2026-10-15', '--details'])).out);
    expect(details.physicistSurvey[0]).toMatchObject({ id: 'room-2', lastSurvey: '2026-08-01', status: 'current' });
    expect(details.drift[0]).toMatchObject({ unitId: 'room-2', axis: 'z' });
    const text = (await runCli(['qa', 'status', '--db', db, '--as-of', '2026-10-15', '--text'])).out;
    expect(text).toContain("physicist's annual survey");
    expect(text).toContain('DRIFT');
    expect((await runCli(['qa', 'history', '--db', db, '--unit', 'room-2', '--text'])).out).toContain('DRIFT');
  });
});

describe('qa service add', () => {
  test('[QA-028] logged, shown in history between the failure and its re-test, and in the report', async () => {
    const db = join(dir, 'svc.sqlite');
    const mk = (date: string, z: number) => {
      const p = join(dir, `s-${date}.json`);
      writeFileSync(p, JSON.stringify(session([-5, 20, 0], { A: { needle: [0.1, 0.1, z] } }, { date })));
      return p;
    };
    expect((await runCli(['qa', mk('2026-10-01', 1.4), '--db', db])).code).toBe(3);
    const add = await runCli(['qa', 'service', 'add', '--db', db, '--unit', 'room-2', '--date', '2026-10-03', '--text', 'z encoder recalibrated by the vendor']);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out).service).toMatchObject({ unitId: 'room-2', date: '2026-10-03', text: 'z encoder recalibrated by the vendor' });
    const html = join(dir, 'r.html');
    expect((await runCli(['qa', mk('2026-10-04', 0.2), '--db', db, '--report', html])).code).toBe(0);
    const h = await runCli(['qa', 'history', '--db', db, '--unit', 'room-2', '--text']);
    const lines = h.out.split('\n');
    const iFail = lines.findIndex((l) => l.includes('2026-10-01') && l.includes('FAIL'));
    const iSvc = lines.findIndex((l) => l.includes('SERVICE z encoder recalibrated'));
    const iPass = lines.findIndex((l) => l.includes('2026-10-04') && l.includes('pass'));
    expect(iFail).toBeGreaterThan(0);
    expect(iSvc).toBe(iFail + 1);
    expect(iPass).toBe(iSvc + 1);
    const json = JSON.parse((await runCli(['qa', 'history', '--db', db, '--unit', 'room-2'])).out);
    expect(json.service.map((e: { date: string }) => e.date)).toEqual(['2026-10-03']);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Service log');
    expect(page).toContain('z encoder recalibrated by the vendor');
  });

  test('refused with the option named: a future date, empty text, a bad unit id', async () => {
    const db = join(dir, 'svc2.sqlite');
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    for (const [args, path] of [
      [['--unit', 'room-2', '--date', future, '--text', 'x'], '--date'],
      [['--unit', 'room-2', '--date', '2026-02-30', '--text', 'x'], '--date'],
      [['--unit', 'room-2', '--date', '2026-10-03', '--text', '  '], '--text'],
      [['--unit', '??', '--date', '2026-10-03', '--text', 'x'], '--unit'],
    ] as const) {
      const r = await runCli(['qa', 'service', 'add', '--db', db, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.out).error.path).toBe(path);
    }
  });
});
