/** `stereotax qa images` end to end: output names of qa-images.md section 4, --text, --session, --db, --report, the console's targets. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fake-io.js';
import { renderSet } from './scene.js';

const dir = mkdtempSync(join(tmpdir(), 'qa-images-cli-'));

describe('stereotax qa images', () => {
  const set = renderSet({ angles: [0, 15, -15], pose: { turn: 200, tilt: 3, tiltAxis: 45, translation: [-3, 2, 4] }, seed: 5 });
  // The console marked bead A on the +15 and -15 views and stored its Calculated Target Position.
  const k = 0;
  const consoleA: [number, number, number] = [set.centres[k][0] + 0.05, set.centres[k][1], set.centres[k][2] - 0.04];
  const withConsole = renderSet({
    angles: [0, 15, -15], pose: { turn: 200, tilt: 3, tiltAxis: 45, translation: [-3, 2, 4] }, seed: 5,
    headers: [{}, { targets: [{ uid: '2.25.1', col: set.views[1].marks[k].col + 2, row: set.views[1].marks[k].row, console: consoleA }] },
      { targets: [{ uid: '2.25.1', col: set.views[2].marks[k].col, row: set.views[2].marks[k].row - 3, console: consoleA }] }],
  });
  const paths = withConsole.files.map((f) => { const p = join(dir, f.name); writeFileSync(p, f.bytes); return p; });
  const unit = join(dir, 'unit.json');
  writeFileSync(unit, JSON.stringify(set.profile));
  const phantom = join(dir, 'phantom.json');
  writeFileSync(phantom, JSON.stringify(set.phantom));

  it('[QAI-002] [QAI-008] [QAI-010] prints the result with the binding names; exit 0; stores the session once', async () => {
    const db = join(dir, 'qa.sqlite');
    const report = join(dir, 'report.html');
    const r = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom, '--db', db, '--report', report]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['views', 'beads', 'registration', 'calibration', 'qa', 'findings']);
    expect(out.views.map((v: { file: string }) => v.file)).toEqual(paths);
    expect(out.views[1]).toMatchObject({ angle: 15, rows: 800, columns: 900, transferSyntax: '1.2.840.10008.1.2.1', detections: 9 });
    expect(out.beads.map((b: { target: string }) => b.target)).toEqual(set.phantom.targets.map((t) => t.label));
    const b0 = out.beads[0];
    expect(Object.keys(b0)).toEqual(['target', 'marks', 'position', 'truth', 'residual']);
    expect(b0.marks.map((m: { file: string }) => m.file)).toEqual(paths);
    expect(Object.keys(b0.marks[0])).toEqual(['file', 'col', 'row', 'u', 'v']);
    expect(Object.keys(out.registration)).toEqual(['rotation', 'translation', 'rms']);
    expect(out.calibration).toBeNull();
    expect(out.qa.phantom).toBe(set.phantom.id);
    expect(out.qa.unit.id).toBe('room-2');
    expect(out.qa.date).toBe('2026-11-20');
    expect(out.qa.measurements).toHaveLength(9);
    // The console's target for A: its marks are within 1 mm of the bead's (2 pixels = 0.2 mm, 3 pixels = 0.3 mm).
    expect(out.qa.measurements[0].points.console).toEqual({ x: Math.fround(consoleA[0]), y: Math.fround(consoleA[1]), z: Math.fround(consoleA[2]) });
    expect(out.qa.measurements[0].checks.calculation).toBeDefined();
    expect(out.qa.measurements[1].points.console).toBeUndefined();
    // Position and truth agree with the QA session's points.
    out.qa.measurements.forEach((m: { points: { target: unknown; truth: unknown } }, i: number) => {
      expect(m.points.target).toEqual(out.beads[i].position);
      expect(m.points.truth).toEqual(out.beads[i].truth);
    });
    expect(readFileSync(report, 'utf8')).toMatch(/<svg/);
    const again = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom, '--db', db]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already stored|stored/i);
    const status = JSON.parse((await runCli(['qa', 'status', '--db', db, '--as-of', '2026-12-01'])).out);
    expect(status.units.map((u: { id: string; lastSession: string }) => [u.id, u.lastSession])).toEqual([['room-2', '2026-11-20']]);
  });

  it('[QAI-008] --session supplies the unit, date, tester and a tolerance; a residual above it is an error (exit 3); --text', async () => {
    const session = join(dir, 'session.json');
    writeFileSync(session, JSON.stringify({ unit: { id: 'room-7', name: 'prone table' }, date: '2026-12-02', tester: 'A. Physicist', tolerance: 0.02 }));
    const r = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom, '--session', session, '--calibrate']);
    const out = JSON.parse(r.out);
    expect(out.qa.unit).toMatchObject({ id: 'room-7', name: 'prone table' });
    expect(out.qa.date).toBe('2026-12-02');
    expect(out.qa.tester).toBe('A. Physicist');
    const worst = Math.max(...out.beads.flatMap((b: { residual: Record<string, number> }) => Object.values(b.residual).map(Math.abs)));
    const flagged = out.findings.filter((f: { code: string }) => f.code === 'registration_residual');
    expect(flagged.length > 0).toBe(worst > 0.02);
    // The console's A is 0.05 mm off the truth in x: beyond 0.02 mm, the session fails.
    expect(out.qa.findings.some((f: { code: string; path: string }) => f.code === 'truth_out_of_tolerance' && f.path === 'measurements[0].checks.consoleVsTruth.abs.x')).toBe(true);
    expect(out.qa.passed).toBe(false);
    expect(r.code).toBe(3);
    expect(out.calibration.scenario.angle).toHaveLength(3);
    const t = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom, '--calibrate', '--text']);
    expect(t.out).toMatch(/Phantom QA from images/);
    expect(t.out).toMatch(/rotationAxisHeight offset/);
    expect(t.out).toMatch(/Phantom QA {2}PASSED/);
  });
});

describe('qa images without a unit id or a date', () => {
  it('reports with warnings, and refuses to store (exit 2)', async () => {
    const set = renderSet({ headers: [{ omit: [[0x0008, 0x0020]] }, { omit: [[0x0008, 0x0020]] }] });
    const paths = set.files.map((f) => { const p = join(dir, `nodate-${f.name}`); writeFileSync(p, f.bytes); return p; });
    const unit = join(dir, 'unit-noid.json');
    writeFileSync(unit, JSON.stringify({ ...set.profile, id: undefined }));
    const phantom = join(dir, 'phantom2.json');
    writeFileSync(phantom, JSON.stringify(set.phantom));
    const r = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.findings.map((f: { code: string }) => f.code)).toEqual(['unit_unidentified', 'date_assumed']);
    expect(out.qa.unit.id).toBe('unidentified');
    expect(out.qa.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const db = join(dir, 'noid.sqlite');
    const s = await runCli(['qa', 'images', ...paths, '--unit', unit, '--phantom', phantom, '--db', db]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/--db: nothing stored/);
    const status = JSON.parse((await runCli(['qa', 'status', '--db', db, '--as-of', '2026-12-01'])).out);
    expect(status.units).toEqual([]);
  });
});
