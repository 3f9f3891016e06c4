/**
 * `stereotax qa` through the CLI (spec qa.md section 5): exit codes, --text, console
 * import from CSV and JSON, the history file, status, unit add, and the report files
 * (self-contained HTML, a PDF carrying the same content).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/fake-io.js';
import { parseConsoleCsv } from '../../src/qa/console-import.js';
import { session } from './helpers/truth.js';
import { refusal } from '../helpers/refusal.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

const good = (date = '2026-11-20', needleZ = 0.4) => session([-5, 20, 0], { A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, needleZ] }, B: { needle: [0.3, 0.1, 0.2] } }, { date, action: 0.5 });

describe('stereotax qa', () => {
  test('[QA-018, TGT-022] analyses a session: JSON out, exit 0; a failed session exit 3; --text', async () => {
    const ok = await runCli(['qa', write('ok.json', good())]);
    expect(ok.code).toBe(0);
    const r = JSON.parse(ok.out);
    expect(r.passed).toBe(true);
    expect(r.phantom).toBe('cube-5');
    expect(Object.keys(r.measurements[0].checks)).toEqual(['calculation', 'localization', 'consoleVsTruth', 'targetVsTruth']);
    const bad = await runCli(['qa', write('bad.json', good('2026-11-20', 1.4))]);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.out).findings[0].code).toBe('localization_out_of_tolerance');
    const text = await runCli(['qa', '-', '--text'], JSON.stringify(good()));
    expect(text.code).toBe(0);
    expect(text.out).toContain('Phantom QA  PASSED');
  });

  test('bad sessions: exit 2, the field named, nothing printed but the error', async () => {
    const s = good() as Record<string, unknown>;
    (s.measurements as Record<string, unknown>[])[1].target = 'Q';
    const r = await runCli(['qa', write('badlabel.json', s)]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('measurements[1].target');
    expect(JSON.parse(r.out).error.path).toBe('measurements[1].target');
    expect((await runCli(['qa', '-'], '{ not json')).code).toBe(2);
    expect((await runCli(['qa', '-'], '[]')).code).toBe(2);
    expect((await runCli(['qa', write('x.json', good()), '--frobnicate'])).code).toBe(2);
    expect((await runCli(['qa', 'history', '--db', join(dir, 'none.sqlite')])).err).toContain('--unit is required');
    const st = await runCli(['qa', 'status', '--db', join(dir, 'none.sqlite'), '--as-of', '2026-13-01']);
    expect(st.code).toBe(2);
    expect(JSON.parse(st.out).error.path).toBe('--as-of');
  });

  test('[QA-020] console points imported from CSV (header or not) and JSON, merged by label; conflicts refused', async () => {
    const s = good() as { measurements: Record<string, unknown>[] };
    delete s.measurements[0].console;
    const csv = write('console.csv', 'label,x,y,z\nA,-4.99,20.00,10.02\nC,-15,30,20.5\n');
    const r = await runCli(['qa', write('s-csv.json', s), '--console', csv]);
    const out = JSON.parse(r.out);
    expect(out.measurements.map((m: { target: string }) => m.target)).toEqual(['A', 'B', 'C']);
    expect(out.measurements[0].checks.consoleVsTruth.error.x).toBeCloseTo(0.01, 9);
    expect(out.measurements[2].checks.consoleVsTruth.error.z).toBeCloseTo(0.5, 9);
    expect(r.code).toBe(0);
    const json = write('console.json', { A: [-4.99, 20, 10.02] });
    expect(JSON.parse((await runCli(['qa', write('s-json.json', s), '--console', json])).out).measurements[0].points.console).toEqual({ x: -4.99, y: 20, z: 10.02 });
    const conflict = await runCli(['qa', write('s-conf.json', good()), '--console', csv]);
    expect(conflict.code).toBe(2);
    expect(conflict.err).toContain('measurements[0].console');
  });

  test.each([
    ['A,1,2\n', 'too_few_items', '[1]'],
    ['A,1,2,x\n', 'not_finite', '.z'],
    ['A,1,2,3\nA,1,2,3\n', 'duplicate_value', '.label'],
    ['label,x,y,q\nA,1,2,3\n', 'invalid_value', '[1]'],
    ['', 'too_few_items', ''],
  ])('bad CSV %j: %s', (text, code, tail) => {
    const err = refusal(() => parseConsoleCsv(text, 'c.csv'));
    expect(err.code).toBe(code);
    expect(err.path).toContain('c.csv');
    expect(err.path.endsWith(tail)).toBe(true);
  });

  test('[QA-015, QA-012] history file: store, refuse the same session twice (exit 2), history, status (exit 3 when a unit is not current), unit add', async () => {
    const db = join(dir, 'h.sqlite');
    const first = write('s1.json', good('2026-05-20'));
    expect((await runCli(['qa', first, '--db', db])).code).toBe(0);
    const dup = await runCli(['qa', first, '--db', db]);
    expect(dup.code).toBe(2);
    expect(dup.err).toContain('already stored');
    expect((await runCli(['qa', write('s2.json', good('2026-09-01', 1.5)), '--db', db])).code).toBe(3);
    expect((await runCli(['qa', write('s3.json', good('2026-10-01')), '--db', db])).code).toBe(0);
    const add = await runCli(['qa', 'unit', 'add', '--db', db, '--id', 'room-3', '--name', 'upright', '--site', 'north']);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ added: true, unit: { id: 'room-3', name: 'upright', site: 'north' } });

    const plots = join(dir, 'plots');
    const h = await runCli(['qa', 'history', '--db', db, '--unit', 'room-2', '--plots', plots]);
    expect(h.code).toBe(0);
    const hist = JSON.parse(h.out);
    expect(hist.sessions.map((s: { date: string; passed: boolean }) => [s.date, s.passed])).toEqual([['2026-05-20', true], ['2026-09-01', false], ['2026-10-01', true]]);
    expect(hist.sessions[1].maxLocalizationError.z).toBeCloseTo(1.5, 9);
    const svg = readFileSync(join(plots, readdirSync(plots)[0]), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('tolerance');
    expect((await runCli(['qa', 'history', '--db', db, '--unit', 'nope'])).code).toBe(2);

    const st = await runCli(['qa', 'status', '--db', db, '--as-of', '2026-11-20']);
    expect(st.code).toBe(3);
    expect(JSON.parse(st.out)).toEqual({
      asOf: '2026-11-20', windowMonths: 6,
      units: [
        { id: 'room-2', name: 'prone table, room 2', site: 'main campus', lastSession: '2026-10-01', lastPassed: '2026-10-01', status: 'current' },
        { id: 'room-3', name: 'upright', site: 'north', lastSession: null, lastPassed: null, status: 'never_tested' },
      ],
    });
    const window = await runCli(['qa', 'status', '--db', db, '--as-of', '2026-09-15', '--window-months', '3', '--text']);
    expect(window.out).toMatch(/room-2\s+failed/);
    expect((await runCli(['qa', 'status', '--db', db, '--as-of', '2026-09-15', '--window-months', 'x'])).code).toBe(2);
  });

  test('[QA-017] report: one self-contained HTML file and a PDF with the same content', async () => {
    const db = join(dir, 'r.sqlite');
    await runCli(['qa', write('r0.json', good('2026-06-01', 0.9)), '--db', db]);
    const html = join(dir, 'r.html');
    const pdf = join(dir, 'r.pdf');
    const r = await runCli(['qa', write('r1.json', good('2026-11-20', 0.7)), '--db', db, '--report', html, '--pdf', pdf]);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<script|<link|src="http|href="http|@import/);
    for (const s of ['room-2', 'cube-5', 'A. Physicist', '2026-11-20', 'PASSED', 'action_level', '<svg', 'Trend', 'signature']) expect(page).toContain(s);
    expect(page.match(/<svg/g)!.length).toBeGreaterThanOrEqual(2);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pdftotext = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    if (pdftotext.status === 0) {
      for (const s of ['room-2', 'cube-5', 'A. Physicist', '2026-11-20', 'PASSED', 'action_level', 'Trend', 'signature']) expect(pdftotext.stdout).toContain(s);
    }
    expect(existsSync(html)).toBe(true);
  });
});
