/** qa-images.md section 5: every bad input is refused with exit 2, naming the file (and the tag); nothing is stored. */
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StereotaxError } from '../../src/core/errors.js';
import { qaFromImages } from '../../src/qa-images/result.js';
import { runCli } from '../helpers/fake-io.js';
import { writeEncapsulated, writeNative } from './dicom-image.js';
import { renderSet, STYLE } from './scene.js';

const dir = mkdtempSync(join(tmpdir(), 'qa-images-bad-'));
const base = renderSet({ style: { columns: 400, rows: 360 }, phantom: undefined });
const profilePath = join(dir, 'unit.json');
writeFileSync(profilePath, JSON.stringify(base.profile));
const phantomPath = join(dir, 'phantom.json');
writeFileSync(phantomPath, JSON.stringify(base.phantom));
const good = base.files.map((f) => { const p = join(dir, f.name); writeFileSync(p, f.bytes); return p; });
const header = { angle: 15, sourceToDetector: 660, sourceToSupport: 640, thickness: 50 };
const style = { ...STYLE, columns: 400, rows: 360 };

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function refused(files: string[], re: RegExp, extra: string[] = []) {
  const db = join(dir, `db-${Math.random().toString(36).slice(2)}.sqlite`);
  const r = await runCli(['qa', 'images', ...files, '--unit', profilePath, '--phantom', phantomPath, '--db', db, ...extra]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  const status = await runCli(['qa', 'status', '--db', db, '--as-of', '2026-12-01']);
  if (existsSync(db)) expect(JSON.parse(status.out).units).toEqual([]);
  return r;
}

describe('qa images: bad input (exit 2, the file and the tag named)', () => {
  it('a file that is not DICOM', async () => {
    await refused([good[0], file('notes.txt', new TextEncoder().encode('hello, not an image'.repeat(20)))], /notes\.txt: .*not a DICOM file/);
  });
  it('[QAI-012] truncated pixel data', async () => {
    const cut = writeNative(style, { ...header, angle: -15 }, new Int32Array(400 * 360).fill(1000), false);
    await refused([good[0], file('cut.dcm', cut.slice(0, cut.length - 5000))], /cut\.dcm: \(7FE0,0010\) PixelData truncated/);
  });
  it('[QAI-012] an unsupported transfer syntax, named by its UID', async () => {
    const jpegLossless = writeEncapsulated(style, { ...header, angle: -15 }, '1.2.840.10008.1.2.4.70', [new Uint8Array(100)]);
    await refused([good[0], file('lossless.dcm', jpegLossless)], /lossless\.dcm: .*1\.2\.840\.10008\.1\.2\.4\.70/);
  });
  it('a missing header of dicom.md', async () => {
    const noAngle = writeNative(style, { ...header, angle: undefined }, new Int32Array(400 * 360).fill(1000));
    await refused([good[0], file('noangle.dcm', noAngle)], /noangle\.dcm: \(0018,1510\) PositionerPrimaryAngle missing/);
    const noSid = writeNative(style, { ...header, angle: -15, sourceToDetector: undefined }, new Int32Array(400 * 360).fill(1000));
    await refused([good[0], file('nosid.dcm', noSid)], /nosid\.dcm: \(0018,1110\) DistanceSourceToDetector missing/);
    const noRows = writeNative(style, { ...header, angle: -15, omit: [[0x0028, 0x0010]] }, new Int32Array(400 * 360).fill(1000));
    await refused([good[0], file('norows.dcm', noRows)], /norows\.dcm: \(0028,0010\) Rows missing/);
    const noPhotometric = writeNative(style, { ...header, angle: -15, omit: [[0x0028, 0x0004]] }, new Int32Array(400 * 360).fill(1000));
    await refused([good[0], file('nophoto.dcm', noPhotometric)], /nophoto\.dcm: \(0028,0004\) PhotometricInterpretation missing/);
  });
  it('fewer than two distinct angles', async () => {
    await refused([good[0]], /at least two files/);
    const same = writeNative(style, header, new Int32Array(400 * 360).fill(1000));
    const r = await refused([file('a15.dcm', same), file('b15.dcm', same)], /PositionerPrimaryAngle: fewer than two distinct angles/);
    expect(JSON.parse(r.out).error.code).toBe('too_few_items');
  });
  it('[QAI-001] [QAI-012] a phantom without beads, a bad profile, an unreadable file, unknown options', async () => {
    const noBeads = join(dir, 'nobeads.json');
    writeFileSync(noBeads, JSON.stringify({ ...base.phantom, beads: undefined }));
    let r = await runCli(['qa', 'images', ...good, '--unit', profilePath, '--phantom', noBeads]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/phantom\.beads/);
    const small = join(dir, 'small.json');
    writeFileSync(small, JSON.stringify({ ...base.phantom, beads: { diameter: 0.1 } }));
    r = await runCli(['qa', 'images', ...good, '--unit', profilePath, '--phantom', small]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/phantom\.beads\.diameter/);
    r = await runCli(['qa', 'images', ...good, '--unit', profilePath, '--phantom', 'no-such-phantom']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/phantom/);
    const badUnit = join(dir, 'badunit.json');
    writeFileSync(badUnit, JSON.stringify({ rotationAxisHeight: -20, angleSign: 2, detector: { origin: { col: 1, row: 1 } } }));
    r = await runCli(['qa', 'images', ...good, '--unit', badUnit, '--phantom', phantomPath]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/profile\.angleSign/);
    r = await runCli(['qa', 'images', good[0], join(dir, 'missing.dcm'), '--unit', profilePath, '--phantom', phantomPath]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.dcm.*ENOENT/);
    r = await runCli(['qa', 'images', ...good, '--unit', profilePath, '--phantom', phantomPath, '--frobnicate']);
    expect(r.code).toBe(2);
    r = await runCli(['qa', 'images', ...good, '--phantom', phantomPath]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--unit is required/);
  });
  it('a bad --session: unknown fields, a unit that is not an object, a bad date', async () => {
    for (const [session, re] of [[{ measurements: [] }, /session\.measurements/], [{ unit: 'room-2' }, /session\.unit/], [{ date: '2026-02-30' }, /session\.date/], [{ tolerance: -1 }, /session\.tolerance/], [{ kind: 'intern' }, /session\.kind/]] as [object, RegExp][]) {
      const p = join(dir, 'session.json');
      writeFileSync(p, JSON.stringify(session));
      const r = await runCli(['qa', 'images', ...good, '--unit', profilePath, '--phantom', phantomPath, '--session', p]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });

  it('[QAI-002] [QAI-012] the library throws typed errors with the path of the file', async () => {
    const err = await qaFromImages([base.files[0], { name: 'x.dcm', bytes: new Uint8Array(10) }], { unit: base.profile, phantom: base.phantom }).catch((e) => e);
    expect(err).toBeInstanceOf(StereotaxError);
    expect(err.issues[0].path).toBe('files[1]');
    expect(err.message).toMatch(/x\.dcm/);
  });
});
