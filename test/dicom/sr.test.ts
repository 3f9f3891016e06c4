// The second opinion as a Comprehensive SR (spec dicom.md section 4): every item of the
// section checked on the file read back with dicom-parser (independent of dcmjs, the
// writer) and by dcmtk's dsrdump (and dicom3tools' dciodvfy when installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { dicomSecondOpinionWith, type DicomElement, type DicomTargetResult } from '../../src/dicom/stereo-set.js';
import { decimalString } from '../../src/dicom/sr.js';
import { secondOpinionSR } from '../../src/dicom/sr-dcmjs.js';
import { runCli } from '../helpers/fake-io.js';
import { baseSpec, DEFAULT_IDENTITY, makeSet, type SetSpec } from '../helpers/stereo-set.js';
import { readSr, type ContentRead } from './sr-reader.js';
import pkg from '../../package.json' with { type: 'json' };

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const dir = mkdtempSync(join(tmpdir(), 'stereotax-sr-'));
const NOW = new Date(2026, 11, 7, 10, 20, 30);

function build(spec: SetSpec, profileOver: Record<string, unknown> = {}) {
  const set = makeSet(spec);
  const { images, elements } = dicomSecondOpinionWith(engine, set.files, { ...set.profile, ...profileOver });
  let n = 0;
  const bytes = secondOpinionSR(images, elements, { now: NOW, softwareVersion: pkg.version, newUid: () => `2.25.9990${++n}` });
  return { set, images, elements, bytes, sr: readSr(bytes) };
}

function dsrdump(path: string, ...flags: string[]) {
  // dsrdump prints text values as stored: Latin-1 bytes for ISO_IR 100, UTF-8 for ISO_IR 192.
  const latin1 = flags[0] === 'latin1';
  if (latin1) flags = flags.slice(1);
  const r = spawnSync('dsrdump', [...flags, path], { encoding: latin1 ? 'latin1' : 'utf8' });
  if (r.error) throw new Error(`dsrdump is needed (Debian: apt-get install -y dcmtk; .ci/run installs it): ${r.error.message}`);
  return { code: r.status, out: r.stdout + r.stderr };
}

const TAG = {
  SpecificCharacterSet: 'x00080005', SOPClassUID: 'x00080016', SOPInstanceUID: 'x00080018', StudyDate: 'x00080020', ContentDate: 'x00080023',
  StudyTime: 'x00080030', AccessionNumber: 'x00080050', Modality: 'x00080060', Manufacturer: 'x00080070', ReferringPhysicianName: 'x00080090',
  PatientName: 'x00100010', PatientID: 'x00100020', PatientBirthDate: 'x00100030', PatientSex: 'x00100040', SoftwareVersions: 'x00181020',
  StudyInstanceUID: 'x0020000d', SeriesInstanceUID: 'x0020000e', StudyID: 'x00200010', CompletionFlag: 'x0040a491', VerificationFlag: 'x0040a493',
  TransferSyntaxUID: 'x00020010', MediaStorageSOPClassUID: 'x00020002', MediaStorageSOPInstanceUID: 'x00020003',
};

const named = (c: ContentRead, meaning: string) => c.children.filter((x) => x.concept.meaning === meaning);
const one = (c: ContentRead, meaning: string) => {
  const xs = named(c, meaning);
  expect(xs, meaning).toHaveLength(1);
  return xs[0];
};

/** Checks one target container against its result element, item by item (spec section 4). */
function expectContainer(c: ContentRead, e: DicomElement) {
  expect(c).toMatchObject({ relationship: 'CONTAINS', valueType: 'CONTAINER', continuity: 'SEPARATE', concept: { value: 'T1', scheme: '99STEREOTAX', meaning: 'Biopsy target' } });
  for (const child of c.children) {
    expect(child.relationship).toBe('CONTAINS');
    expect(child.concept.scheme).toBe('99STEREOTAX');
  }
  expect(one(c, 'Target UID')).toMatchObject({ valueType: 'TEXT', text: e.dicom.targetUid });
  if (e.dicom.label) expect(one(c, 'Target label')).toMatchObject({ valueType: 'TEXT', text: e.dicom.label });
  else expect(named(c, 'Target label')).toEqual([]);
  const findings = named(c, 'Finding');
  findings.forEach((f) => expect(f.valueType).toBe('TEXT'));
  if ('error' in e) {
    expect(findings.map((f) => f.text)).toEqual([`${e.error.code}: ${e.error.message}`]);
    expect(c.children.filter((x) => x.valueType === 'NUM')).toEqual([]);
    return;
  }
  const r = e as DicomTargetResult;
  const gap = r.rayGap ?? Math.max(...r.pairwiseRayGaps!.map((p) => p.gap));
  const nums: [string, number][] = [['Target x', r.target.x], ['Target y', r.target.y], ['Target z', r.target.z], ['Depth from skin', r.depthFromSkin], ['Ray gap', gap]];
  const d = r.dicom.consoleDifference;
  if (d) nums.push(['Console difference x', d.x], ['Console difference y', d.y], ['Console difference z', d.z]);
  else for (const axis of 'xyz') expect(named(c, `Console difference ${axis}`)).toEqual([]);
  for (const [meaning, value] of nums) {
    const n = one(c, meaning);
    expect(n.valueType).toBe('NUM');
    expect(n.unit).toEqual({ value: 'mm', scheme: 'UCUM', meaning: 'mm' });
    expect(n.numeric!.length).toBeLessThanOrEqual(16);
    expect(Math.abs(Number(n.numeric) - value), meaning).toBeLessThanOrEqual(5e-7);
  }
  expect(c.children.filter((x) => x.valueType === 'NUM')).toHaveLength(nums.length);
  expect(findings.map((f) => f.text)).toEqual(r.findings.map((f) => `${f.code}: ${f.message}`));
  // Distinct code values for distinct meanings (the private scheme's codes are ours, each used for one meaning).
  const codes = new Map<string, string>();
  for (const x of [c, ...c.children]) {
    expect(codes.get(x.concept.value) ?? x.concept.meaning).toBe(x.concept.meaning);
    codes.set(x.concept.value, x.concept.meaning);
  }
}

describe('the Structured Report, read back with dicom-parser', () => {
  it('[DCM-011] a Part 10 file: preamble, DICM, meta header with Explicit VR Little Endian and the SOP UIDs', () => {
    const { sr, bytes } = build(baseSpec());
    expect([...bytes.subarray(0, 128)].every((b) => b === 0)).toBe(true);
    expect(new TextDecoder().decode(bytes.subarray(128, 132))).toBe('DICM');
    expect(sr.str(TAG.TransferSyntaxUID)).toBe('1.2.840.10008.1.2.1');
    expect(sr.str(TAG.MediaStorageSOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(sr.str(TAG.SOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(sr.str(TAG.MediaStorageSOPInstanceUID)).toBe(sr.str(TAG.SOPInstanceUID));
    // Explicit VR in the data set: the VR is in the bytes (dicom-parser reads it from there).
    expect(sr.vr(TAG.PatientName)).toBe('PN');
    expect(sr.vr('x0040a730')).toBe('SQ');
  });

  it('[DCM-012] [DCM-015] patient and study copied from the inputs; a new series and instance; SR, stereotax and its version', () => {
    const { sr, set } = build(baseSpec());
    expect(sr.str(TAG.PatientID)).toBe(DEFAULT_IDENTITY.patientId);
    expect(sr.str(TAG.PatientName)).toBe(DEFAULT_IDENTITY.patientName);
    expect(sr.str(TAG.PatientBirthDate)).toBe(DEFAULT_IDENTITY.patientBirthDate);
    expect(sr.str(TAG.PatientSex)).toBe(DEFAULT_IDENTITY.patientSex);
    expect(sr.str(TAG.StudyInstanceUID)).toBe(DEFAULT_IDENTITY.studyInstanceUid);
    expect(sr.str(TAG.StudyDate)).toBe(DEFAULT_IDENTITY.studyDate);
    expect(sr.str(TAG.StudyTime)).toBe(DEFAULT_IDENTITY.studyTime);
    expect(sr.str(TAG.StudyID)).toBe(DEFAULT_IDENTITY.studyId);
    expect(sr.str(TAG.AccessionNumber)).toBe(DEFAULT_IDENTITY.accessionNumber);
    expect(sr.str(TAG.ReferringPhysicianName)).toBe(DEFAULT_IDENTITY.referringPhysicianName);
    expect(sr.str(TAG.Modality)).toBe('SR');
    expect(sr.str(TAG.Manufacturer)).toBe('stereotax');
    expect(sr.str(TAG.SoftwareVersions)).toBe(pkg.version);
    expect(sr.str(TAG.SeriesInstanceUID)).toBe('2.25.99902');
    expect(sr.str(TAG.SOPInstanceUID)).toBe('2.25.99901');
    expect(sr.str(TAG.ContentDate)).toBe('20261207');
    expect(sr.str(TAG.CompletionFlag)).toBe('COMPLETE');
    expect(sr.str(TAG.VerificationFlag)).toBe('UNVERIFIED');
    // All ASCII: no Specific Character Set (the default repertoire).
    expect(sr.str(TAG.SpecificCharacterSet)).toBeUndefined();
    void set;
  });

  it('[DCM-013] the evidence references every input image, grouped by series (scout series and stereo series)', () => {
    const { sr } = build(baseSpec({ angles: [0, 15, -15] }));
    expect(sr.evidence).toEqual([{
      study: DEFAULT_IDENTITY.studyInstanceUid,
      series: [
        { uid: '2.25.5550', sops: [{ cls: '1.2.840.10008.5.1.4.1.1.1.2', instance: '2.25.6660' }] },
        { uid: '2.25.5551', sops: [{ cls: '1.2.840.10008.5.1.4.1.1.1.2', instance: '2.25.6661' }, { cls: '1.2.840.10008.5.1.4.1.1.1.2', instance: '2.25.6662' }] },
      ],
    }]);
  });

  it('[DCM-014] content: the root container, one container per target with every item of its result', () => {
    const { sr, elements } = build(baseSpec());
    expect(sr.root).toMatchObject({ valueType: 'CONTAINER', continuity: 'SEPARATE', concept: { value: '126000', scheme: 'DCM', meaning: 'Imaging Measurement Report' } });
    expect(sr.root.children).toHaveLength(3);
    sr.root.children.forEach((c, i) => expectContainer(c, elements[i]));
    // Target A's console difference is stored; target B has none; C's label is absent.
    expect(named(sr.root.children[0], 'Console difference z')).toHaveLength(1);
    expect(named(sr.root.children[1], 'Console difference x')).toEqual([]);
  });

  it('[DCM-014] [DCM-015] findings are TEXT items "code: message"; a target marked on one view is its own container with its error', () => {
    const spec = baseSpec({ angles: [0, 15, -15] });
    spec.points[1] = { ...spec.points[1], on: [2] };
    const { sr, elements } = build(spec, { consoleTolerance: 0.001 });
    expect(elements.map((e) => ('error' in e ? e.error.code : e.findings.map((f) => f.code).join()))).toEqual(['console_disagrees', '', 'too_few_items']);
    expect(sr.root.children).toHaveLength(3);
    sr.root.children.forEach((c, i) => expectContainer(c, elements[i]));
    expect(named(sr.root.children[2], 'Finding')[0].text).toMatch(/^too_few_items: .*2\.25\.1002/);
    expect(named(sr.root.children[0], 'Finding')[0].text).toMatch(/^console_disagrees: /);
    // Three views: the ray gap is the largest of the pairs.
    const r = elements[0] as DicomTargetResult;
    expect(Number(one(sr.root.children[0], 'Ray gap').numeric)).toBeCloseTo(Math.max(...r.pairwiseRayGaps!.map((p) => p.gap)), 6);
  });

  it('a Latin-1 patient name: ISO_IR 100, one byte a character, read back exactly', () => {
    const { sr } = build(baseSpec({ identity: { patientName: 'Müller^Zoë', patientId: 'PID-ü' } }));
    expect(sr.str(TAG.SpecificCharacterSet)).toBe('ISO_IR 100');
    const latin1 = (tag: string) => {
      const el = sr.ds.elements[tag];
      return String.fromCharCode(...sr.ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length)).trimEnd();
    };
    expect(latin1(TAG.PatientName)).toBe('Müller^Zoë');
    expect(latin1(TAG.PatientID)).toBe('PID-ü');
    // Every other item still read (lengths rewritten right): the tree is whole.
    expect(sr.root.children).toHaveLength(3);
  });

  it('a name with no Latin-1 byte (Cyrillic): UTF-8 with ISO_IR 192, read back exactly', () => {
    const { sr } = build(baseSpec({ identity: { patientName: 'Иванова^Анна' } }));
    expect(sr.str(TAG.SpecificCharacterSet)).toBe('ISO_IR 192');
    expect(sr.str(TAG.PatientName)).toBe('Иванова^Анна');
    expect(sr.root.children).toHaveLength(3);
  });

  it('decimal strings: at most 16 characters, 1e-6 mm, never -0', () => {
    expect(decimalString(-0)).toBe('0');
    expect(decimalString(-1e-9)).toBe('0');
    expect(decimalString(12.3456789)).toBe('12.345679');
    expect(decimalString(-1234.5678901234)).toBe('-1234.56789');
    expect(decimalString(123456789012.5)).toBe('123456789012.5');
    expect(decimalString(-123456789.1234567)).toBe('-123456789.12346');
    for (const x of [1e15 + 0.5, -98765.4321987654, 0.000123456789]) {
      expect(decimalString(x).length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(decimalString(x)) - x)).toBeLessThanOrEqual(Math.max(5e-7, Math.abs(x) * 1e-10));
    }
    expect(() => decimalString(NaN)).toThrow();
  });

  it('no series or study UID: the images are referenced under a made series, the report in a new study', () => {
    const noSeries = build(baseSpec({ edit: (v, k) => (k === 1 ? { ...v, identity: { ...v.identity, seriesInstanceUid: undefined } } : v) }));
    expect(noSeries.sr.evidence[0].series.map((x) => x.uid)).toEqual(['2.25.5551', '2.25.99903']);
    expect(noSeries.sr.evidence[0].series[1].sops[0].instance).toBe('2.25.6661');
    const noStudy = build(baseSpec({ edit: (v) => ({ ...v, identity: { ...v.identity, studyInstanceUid: undefined } }) }));
    expect(noStudy.sr.str(TAG.StudyInstanceUID)).toBe('2.25.99903');
    expect(noStudy.sr.evidence.map((e) => e.study)).toEqual(['2.25.99903']);
    // One file with a study: the report joins it, the other image is referenced there too.
    const oneStudy = build(baseSpec({ edit: (v, k) => (k === 0 ? { ...v, identity: { ...v.identity, studyInstanceUid: undefined } } : v) }));
    expect(oneStudy.sr.str(TAG.StudyInstanceUID)).toBe(DEFAULT_IDENTITY.studyInstanceUid);
    expect(oneStudy.sr.evidence.map((e) => e.study)).toEqual([DEFAULT_IDENTITY.studyInstanceUid]);
    for (const b of [noSeries, noStudy, oneStudy]) {
      const path = join(dir, 'lenient.dcm');
      writeFileSync(path, b.bytes);
      expect(dsrdump(path).out).not.toMatch(/^[EW]: /m);
    }
  });

  it('an image with no SOP Instance UID (nor a meta one), or images of two patients, are refused naming the file and tag', () => {
    const set = makeSet(baseSpec({ noMetaInstance: true, edit: (v, k) => (k === 1 ? { ...v, identity: { ...v.identity, sopInstanceUid: undefined } } : v) }));
    const { images, elements } = dicomSecondOpinionWith(engine, set.files, set.profile);
    expect(() => secondOpinionSR(images, elements)).toThrow(/view1_-15\.dcm: \(0008,0018\) SOPInstanceUID missing/);
    const two = makeSet(baseSpec({ edit: (v, k) => (k === 1 ? { ...v, identity: { ...v.identity, patientId: 'OTHER' } } : v) }));
    const t = dicomSecondOpinionWith(engine, two.files, two.profile);
    expect(() => secondOpinionSR(t.images, t.elements)).toThrow(/view1_-15\.dcm: \(0010,0020\) PatientID "OTHER" differs from view0_15\.dcm's "PID-0042"/);
  });
});

describe('dcmtk reads it with no error or warning', () => {
  it('[DCM-016] dsrdump: no E: or W: line, the tree and every code printed', () => {
    const spec = baseSpec({ angles: [0, 15, -15] });
    spec.points[1] = { ...spec.points[1], on: [2] };
    const { bytes } = build(spec, { consoleTolerance: 0.001 });
    const path = join(dir, 'report.dcm');
    writeFileSync(path, bytes);
    const r = dsrdump(path, '+Pc');
    expect(r.out).not.toMatch(/^[EW]: /m);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Comprehensive SR Document');
    expect(r.out).toContain('<CONTAINER:(126000,DCM,"Imaging Measurement Report")=SEPARATE>');
    expect(r.out).toContain('<contains CONTAINER:(T1,99STEREOTAX,"Biopsy target")=SEPARATE>');
    expect(r.out).toMatch(/<contains NUM:\(T4,99STEREOTAX,"Target x"\)="[-0-9.]+" \(mm,UCUM,"mm"\)>/);
    expect(r.out).toContain('<contains TEXT:(T12,99STEREOTAX,"Finding")="too_few_items: ');
    expect(r.out.match(/"Biopsy target"/g)).toHaveLength(3);
    // The strict reading: every check on, verbose.
    const strict = dsrdump(path, '-v');
    expect(strict.out).not.toMatch(/^[EW]: /m);
  });

  it('dsrdump on a report with a Latin-1 name and label: no error or warning, the name shown', () => {
    const { bytes } = build(baseSpec({ identity: { patientName: 'Müller^Zoë' }, points: [{ uid: '2.25.1', p: [1, 30, 20], label: 'Läsion ß' }] }));
    const path = join(dir, 'latin1.dcm');
    writeFileSync(path, bytes);
    const r = dsrdump(path, 'latin1', '+Pc');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^[EW]: /m);
    expect(r.out).toContain('Müller^Zoë');
    expect(r.out).toContain('="Läsion ß"');
  });

  it('dsrdump on a report with UTF-8 text: only the documented ISO_IR 192 VR-checker warning', () => {
    const { bytes } = build(baseSpec({ identity: { patientName: 'Иванова^Анна' } }));
    const path = join(dir, 'utf8.dcm');
    writeFileSync(path, bytes);
    const r = dsrdump(path);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^E: /m);
    for (const w of r.out.match(/^W: .*$/gm) ?? []) expect(w).toBe('W: The VR checker does not support this Specific Character Set: ISO_IR 192');
    expect(r.out).toContain('Иванова^Анна');
  });

  const dciodvfy = spawnSync('dciodvfy', ['-version'], { encoding: 'utf8' });
  it.skipIf(!!dciodvfy.error)('dicom3tools dciodvfy: no error (warnings only for the private coding scheme and the DICOMDIR hint)', () => {
    const { bytes } = build(baseSpec());
    const path = join(dir, 'iod.dcm');
    writeFileSync(path, bytes);
    const r = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
    const out = r.stdout + r.stderr;
    expect(out).toContain('ComprehensiveSR');
    expect(out).not.toMatch(/^Error/m);
    for (const w of out.match(/^Warning.*$/gm) ?? []) expect(w).toMatch(/99STEREOTAX|DICOMDIR/);
  });
});

describe('stereotax dicom --sr OUT.dcm', () => {
  const set = makeSet(baseSpec());
  const files = set.files.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.bytes);
    return p;
  });
  const profile = join(dir, 'unit.json');
  writeFileSync(profile, JSON.stringify(set.profile));

  it('writes the report, prints the same JSON as without --sr, exit 0; no partial file left', async () => {
    const out = join(dir, 'cli.dcm');
    const r = await runCli(['dicom', ...files, '--unit', profile, '--sr', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const plain = await runCli(['dicom', ...files, '--unit', profile]);
    expect(r.out).toBe(plain.out);
    const sr = readSr(new Uint8Array(readFileSync(out)));
    const elements = JSON.parse(r.out) as DicomElement[];
    sr.root.children.forEach((c, i) => expectContainer(c, elements[i]));
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    expect(dsrdump(out).out).not.toMatch(/^[EW]: /m);
  });

  it('an unwritable path: exit 2 naming it, the result still printed, nothing left behind', async () => {
    const out = join(dir, 'no-such-dir', 'x.dcm');
    const r = await runCli(['dicom', ...files, '--unit', profile, '--sr', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--sr: cannot write ${out}: ENOENT`);
    expect(JSON.parse(r.out)).toHaveLength(3);
    expect(existsSync(out)).toBe(false);
  });

  it('exit 3 wins: an error finding with a report that cannot be written, or with a target marked once', async () => {
    const strict = join(dir, 'strict.json');
    writeFileSync(strict, JSON.stringify({ ...set.profile, consoleTolerance: 0.001 }));
    const r = await runCli(['dicom', ...files, '--unit', strict, '--sr', join(dir, 'no-such-dir', 'y.dcm')]);
    expect(r.code).toBe(3);
    const spec = baseSpec();
    spec.points[1] = { ...spec.points[1], on: [0] };
    const once = makeSet(spec).files.map((f) => {
      const p = join(dir, `once-${f.name}`);
      writeFileSync(p, f.bytes);
      return p;
    });
    const both = await runCli(['dicom', ...once, '--unit', strict]);
    const out = JSON.parse(both.out);
    expect(out.map((e: DicomElement) => ('error' in e ? e.error.code : e.findings[0]?.code))).toEqual(['console_disagrees', 'too_few_items', undefined]);
    expect(both.code).toBe(3);
    // Without the error finding the invalid element decides: exit 2.
    expect((await runCli(['dicom', ...once, '--unit', profile])).code).toBe(2);
  });

  it('images of two patients: exit 2 naming the file and (0010,0020), no report written', async () => {
    const two = makeSet(baseSpec({ edit: (v, k) => (k === 1 ? { ...v, identity: { ...v.identity, patientId: 'OTHER' } } : v) }));
    const paths = two.files.map((f) => {
      const p = join(dir, `two-${f.name}`);
      writeFileSync(p, f.bytes);
      return p;
    });
    const out = join(dir, 'two.dcm');
    const r = await runCli(['dicom', ...paths, '--unit', profile, '--sr', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/two-view1_-15\.dcm: \(0010,0020\) PatientID/);
    expect(existsSync(out)).toBe(false);
  });
});
