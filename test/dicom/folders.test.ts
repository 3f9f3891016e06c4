// `stereotax dicom FOLDER|DICOMDIR`: the views found grouped into stereo sets by study,
// series and exposure (a scout in its own series joins the views it shares targets with),
// each computed exactly as its files given one by one; other files left out, malformed
// ones reported in place; one SR per set with --sr.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fake-io.js';
import { dicomDir, writeDicom } from '../helpers/dicom-writer.js';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';
import { readSr } from './sr-reader.js';

const root = mkdtempSync(join(tmpdir(), 'stereotax-folders-'));

/** Set A: scout (own series) + stereo pair, STEREO; set B: a pre-fire pair in a third series, other targets. */
function twoSets() {
  const a = makeSet(baseSpec({ angles: [0, 15, -15] }));
  const b = makeSet(baseSpec({
    points: [{ uid: '2.25.2001', p: [1, 25, 22], label: 'B1' }, { uid: '2.25.2002', p: [-3, 35, 15] }],
    edit: (v, k) => ({ ...v, role: k === 0 ? 'PREFIRE_PLUS' : 'PREFIRE_MINUS', identity: { ...v.identity, seriesInstanceUid: '2.25.5559', sopInstanceUid: `2.25.777${k}` } }),
  }));
  return { a, b };
}

function writeFolder(name: string, sets: { files: { name: string; bytes: Uint8Array }[] }[], prefix: string[]) {
  const dir = join(root, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  sets.forEach((s, i) => s.files.forEach((f) => writeFileSync(join(dir, i ? 'sub' : '', `${prefix[i]}${f.name}`), f.bytes)));
  writeFileSync(join(dir, 'README.txt'), 'exported by a PACS\n');
  return dir;
}

const profileFile = (() => {
  const p = join(root, 'unit.json');
  writeFileSync(p, JSON.stringify(makeSet(baseSpec()).profile));
  return p;
})();

describe('a folder', () => {
  it('two stereo sets found, grouped, each computed exactly as its files given alone; the README left out', async () => {
    const { a, b } = twoSets();
    const dir = writeFolder('two', [a, b], ['a-', 'b-']);
    const r = await runCli(['dicom', dir, '--unit', profileFile]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/1 file is not a stereotactic view, left out: .*README\.txt/);
    const out = JSON.parse(r.out);
    expect(out).toHaveLength(2);
    expect(out[0].set).toEqual({ studyInstanceUid: '2.25.4440', seriesInstanceUids: ['2.25.5550', '2.25.5551'], exposure: 'STEREO', files: a.files.map((f) => join(dir, `a-${f.name}`)) });
    expect(out[1].set).toEqual({ studyInstanceUid: '2.25.4440', seriesInstanceUids: ['2.25.5559'], exposure: 'PREFIRE', files: b.files.map((f) => join(dir, 'sub', `b-${f.name}`)) });
    for (const [k, files] of [[0, out[0].set.files], [1, out[1].set.files]] as const) {
      const alone = await runCli(['dicom', ...files, '--unit', profileFile]);
      expect(out[k].targets).toEqual(JSON.parse(alone.out));
    }
    expect(out[0].targets.map((t: { dicom: { targetUid: string } }) => t.dicom.targetUid)).toEqual(['2.25.1001', '2.25.1002', '2.25.1003']);
    const text = await runCli(['dicom', dir, '--unit', profileFile, '--text']);
    expect(text.out).toContain('Set 2: PREFIRE, study 2.25.4440');
  });

  it('a malformed file is its own error element (exit 2); an error finding elsewhere still wins (exit 3)', async () => {
    const { a, b } = twoSets();
    const bad = { files: [{ name: 'broken.dcm', bytes: a.files[1].bytes.slice(0, 400) }] };
    const dir = writeFolder('bad', [a, b, bad], ['a-', 'b-', 'c-']);
    const r = await runCli(['dicom', dir, '--unit', profileFile]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.out);
    const broken = out.find((e: { error?: unknown }) => e.error);
    expect(broken.set.files[0]).toMatch(/c-broken\.dcm$/);
    expect(broken.error.message).toMatch(/c-broken\.dcm: .*truncated/);
    expect(out.filter((e: { targets?: unknown }) => e.targets)).toHaveLength(2);
    const strict = join(root, 'strict.json');
    writeFileSync(strict, JSON.stringify({ ...makeSet(baseSpec()).profile, consoleTolerance: 0.001 }));
    expect((await runCli(['dicom', dir, '--unit', strict])).code).toBe(3);
  });

  it('--sr OUTFOLDER: one Comprehensive SR per set, each referencing its own images, dsrdump clean', async () => {
    const { a, b } = twoSets();
    const dir = writeFolder('sr', [a, b], ['a-', 'b-']);
    const outDir = join(root, 'sr-out');
    const r = await runCli(['dicom', dir, '--unit', profileFile, '--sr', outDir]);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(['stereotax-sr-1.dcm', 'stereotax-sr-2.dcm']);
    const out = JSON.parse(r.out);
    expect(out[1].sr).toBe(join(outDir, 'stereotax-sr-2.dcm'));
    const sr2 = readSr(new Uint8Array(readFileSync(out[1].sr)));
    expect(sr2.evidence[0].series).toEqual([{ uid: '2.25.5559', sops: [0, 1].map((k) => ({ cls: '1.2.840.10008.5.1.4.1.1.1.2', instance: `2.25.777${k}` })) }]);
    expect(sr2.root.children).toHaveLength(2);
    const d = spawnSync('dsrdump', [out[0].sr], { encoding: 'utf8' });
    expect(d.stdout + d.stderr).not.toMatch(/^[EW]: /m);
    // The folder with its reports in it: the reports are not views, so the same two sets.
    const again = await runCli(['dicom', dir, outDir, '--unit', profileFile]);
    expect(JSON.parse(again.out).map((e: { set: unknown }) => e.set)).toEqual(out.map((e: { set: unknown }) => e.set));
  });
});

describe('a DICOMDIR', () => {
  it('its records name the files (upper-case IDs found in lower case too); other files in the folder are not read', async () => {
    const { a, b } = twoSets();
    const dir = join(root, 'media');
    mkdirSync(join(dir, 'DICOM', 'st1'), { recursive: true });
    const ids: string[][] = [];
    [...a.files, ...b.files].forEach((f, k) => {
      writeFileSync(join(dir, 'DICOM', 'st1', `im${k}`), f.bytes);
      ids.push(['DICOM', 'ST1', `IM${k}`]);
    });
    writeFileSync(join(dir, 'DICOM', 'st1', 'stray.dcm'), a.files[0].bytes.slice(0, 200));
    writeFileSync(join(dir, 'DICOMDIR'), dicomDir(ids));
    for (const arg of [join(dir, 'DICOMDIR'), dir]) {
      const r = await runCli(['dicom', arg, '--unit', profileFile]);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out);
      expect(out.map((e: { set: { exposure: string; files: string[] } }) => [e.set.exposure, e.set.files.length])).toEqual([['STEREO', 3], ['PREFIRE', 2]]);
      expect(out[0].set.files[0]).toBe(join(dir, 'DICOM', 'st1', 'im0'));
    }
  });

  it('a file ID leaving the folder, a missing file, a DICOMDIR without records: exit 2 naming them', async () => {
    const dir = join(root, 'evil');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'DICOMDIR'), dicomDir([['..', 'ETC', 'PASSWD']]));
    const up = await runCli(['dicom', join(dir, 'DICOMDIR'), '--unit', profileFile]);
    expect(up.code).toBe(2);
    expect(up.err).toMatch(/\(0004,1500\) ReferencedFileID "\.\.\\\\ETC\\\\PASSWD" of record 4 is not a relative file ID/);
    writeFileSync(join(dir, 'DICOMDIR'), dicomDir([['IMG', 'NONE']]));
    const missing = await runCli(['dicom', join(dir, 'DICOMDIR'), '--unit', profileFile]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*IMG\/NONE: ENOENT/);
    writeFileSync(join(dir, 'DICOMDIR'), writeDicom([{ tag: [0x0004, 0x1130], vr: 'CS', value: 'X' }], { sopClass: '1.2.840.10008.1.3.10' }));
    const none = await runCli(['dicom', join(dir, 'DICOMDIR'), '--unit', profileFile]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/\(0004,1220\) DirectoryRecordSequence missing: not a DICOMDIR/);
  });
});
