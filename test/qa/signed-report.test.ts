/**
 * The report a physicist signs (issue 19), read back as a user's tools read it:
 * pdftotext for the text (facility, accreditation, unit manufacturer/model/serial,
 * phantom serial, session id, page numbers, running header, 3-D error, notes,
 * corrective action, the three signature lines, the time zone; Greek, Cyrillic and
 * accented Latin as typed), pdffonts for the embedded fonts; a character the font
 * lacks is substituted and named, never garbled. The HTML carries the same.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { session } from './helpers/truth.js';
import { requireBuiltCli, runCli } from './helpers/processes.js';

const poppler = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' }).status === 0 && spawnSync('pdffonts', ['-v']).status === 0;
let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-pdf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signedSession(extra: Record<string, unknown> = {}) {
  const s = session([-5, 20, 0], {
    A: { console: [0.01, 0, 0.02], needle: [0.1, -0.2, 0.3] }, B: { needle: [0.3, 0.1, 1.2] }, C: { needle: [0.2, 0.1, 0.6] }, D: { needle: [0.1, 0.1, 0.1] }, E: { needle: [-0.2, 0.1, 0.3] },
  }, {
    action: 0.5, tester: 'Αθηνά Παπαδοπούλου', phantomSerial: 'PH-2291-Ω', timeZone: 'Europe/Paris',
    facility: { name: 'Клиника «Северная» Breast Centre', accreditation: ['ACR SBB 12345-01', 'MQSA 987654'] },
    team: { physicist: 'Αθηνά Παπαδοπούλου', technologist: 'Jean-Noël Dupré', leadInterpretingPhysician: 'Ирина Соколова' },
    notes: 'Phantom re-seated after target B; Z readout checked. Проверено.',
    ...extra,
  }) as { unit: Record<string, unknown> };
  Object.assign(s.unit, { manufacturer: 'Acme Imaging', model: 'Prone 3000', serial: 'SN-77-1042' });
  return s;
}

const text = (pdf: string) => spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');

describe('the PDF report to sign', () => {
  test('[QA-029] [QA-030] carries every field of the record, in the typed scripts, with embedded fonts', async (ctx) => {
    if (!poppler) return ctx.skip('pdftotext/pdffonts not installed (apt-get install poppler-utils)');
    const f = join(dir, 's.json');
    writeFileSync(f, JSON.stringify(signedSession()));
    const pdf = join(dir, 'r.pdf');
    const html = join(dir, 'r.html');
    const r = await runCli(['qa', f, '--db', join(dir, 'h.sqlite'), '--pdf', pdf, '--report', html]);
    expect(r.code).toBe(3); // target B fails in z
    expect(r.err).toBe('');
    const t = text(pdf);
    const id = (await import('../../src/qa/store.js')).sessionId(JSON.parse(readFileSync(f, 'utf8')));
    for (const want of [
      'Клиника «Северная» Breast Centre', 'ACR SBB 12345-01; MQSA 987654', 'Acme Imaging, Prone 3000, serial SN-77-1042', 'PH-2291-Ω',
      `Session id ${id}`, 'Αθηνά Παπαδοπούλου', 'Jean-Noël Dupré', 'Ирина Соколова',
      'Qualified medical physicist', 'Technologist', 'Lead interpreting physician', 'signature, date',
      'Corrective action', 'Required: a check failed or reached the action level',
      'Phantom re-seated after target B; Z readout checked. Проверено.', '(Europe/Paris)', 'Times in Europe/Paris',
      '3-D', 'FAIL z',
    ]) expect(t, want).toContain(want);
    // 3-D error of target B's localization: |(0.3, 0.1, 1.2)| = 1.24.
    expect(t).toMatch(/B localization 0\.30 0\.10 1\.20 1\.24/);
    // Page numbers and the running header on every page.
    const pages = Number(/page 1 of (\d+)/.exec(t)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    for (let p = 1; p <= pages; p++) expect(t).toContain(`page ${p} of ${pages}`);
    const perPage = spawnSync('pdftotext', ['-f', String(pages), '-l', String(pages), pdf, '-'], { encoding: 'utf8' }).stdout;
    expect(perPage).toContain(`unit room-2 · session 2026-11-20 · id ${id.slice(0, 12)}`);
    // Fonts: DejaVu Sans, embedded as subsets with a Unicode map; no unembedded standard font.
    const fonts = spawnSync('pdffonts', [pdf], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) {
      expect(line).toMatch(/DejaVuSans/);
      expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    }
    // The HTML report has the same record.
    const h = readFileSync(html, 'utf8');
    for (const want of ['Клиника «Северная» Breast Centre', 'PH-2291-Ω', 'Проверено', 'Lead interpreting physician', 'Corrective action', '<th>3-D</th>']) expect(h).toContain(want);
  }, 90_000);

  test('[QA-030] a character the font lacks is replaced by U+FFFD and named (stderr and a finding), never garbled', async (ctx) => {
    if (!poppler) return ctx.skip('pdftotext not installed');
    const f = join(dir, 'cjk.json');
    writeFileSync(f, JSON.stringify(signedSession({ notes: 'checked by 李明 (visiting)' })));
    const pdf = join(dir, 'cjk.pdf');
    const r = await runCli(['qa', f, '--pdf', pdf]);
    expect(r.err).toMatch(/no glyph for U\+674E, U\+660E/);
    const t = text(pdf);
    expect(t).toContain('checked by \uFFFD\uFFFD (visiting)');
    expect(t).toContain('pdf_character_substituted');
    expect(t).toMatch(/no glyph for U\+674E, U\+660E/);
    expect(t).not.toContain('李');
  }, 90_000);

  test('without the record fields the report still prints (not given) and blank signature lines', async (ctx) => {
    if (!poppler) return ctx.skip('pdftotext not installed');
    const s = session([-5, 20, 0], { A: { console: [0.01, 0, 0.02] } });
    const f = join(dir, 'plain.json');
    writeFileSync(f, JSON.stringify(s));
    const pdf = join(dir, 'plain.pdf');
    expect((await runCli(['qa', f, '--pdf', pdf])).code).toBe(0);
    const t = text(pdf);
    expect(t).toContain('Phantom serial (not given)');
    expect(t).toContain('Signatures Qualified medical physicist Technologist Lead interpreting physician A. Physicist name: name: signature, date signature, date signature, date');
    expect(t).toContain('Notes None.');
    expect(t).toContain('(UTC)');
  }, 60_000);
});
