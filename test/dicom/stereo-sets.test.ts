// DICOM stereo sets (spec dicom.md): synthetic files written by test/helpers/dicom-writer.ts,
// targets checked against the independent mathjs triangulation of the marks as stored.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { dicomTargets, dicomTargetsWith, type DicomElement, type DicomTargetResult } from '../../src/dicom/stereo-set.js';
import { runCli } from '../helpers/fake-io.js';
import { stereoDataset, writeDicom, type SyntheticView } from '../helpers/dicom-writer.js';
import { baseSpec, makeSet, UNIT, type Expected, type SetSpec } from '../helpers/stereo-set.js';
import { codePaths, refusal } from '../helpers/refusal.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const TOL = 1e-4;
const ok = (e: DicomElement): DicomTargetResult => {
  if ('error' in e) throw new Error(`unexpected error element: ${e.error.message}`);
  return e;
};

function expectAgreement(out: DicomElement[], expected: Expected[]) {
  const computed = out.filter((e) => !('error' in e)).map(ok);
  expect(computed.map((e) => e.dicom.targetUid)).toEqual(expected.map((e) => e.uid));
  computed.forEach((r, i) => {
    const ex = expected[i];
    expect(Math.abs(r.target.x - ex.target[0])).toBeLessThan(TOL);
    expect(Math.abs(r.target.y - ex.target[1])).toBeLessThan(TOL);
    expect(Math.abs(r.target.z - ex.target[2])).toBeLessThan(TOL);
    expect(r.dicom.files).toEqual(ex.files);
    if (ex.console) {
      expect(r.dicom.console).toEqual({ x: ex.console[0], y: ex.console[1], z: ex.console[2] });
      const d = r.dicom.consoleDifference!;
      expect(Math.abs(d.x - (ex.console[0] - ex.target[0]))).toBeLessThan(TOL);
      expect(Math.abs(d.y - (ex.console[1] - ex.target[1]))).toBeLessThan(TOL);
      expect(Math.abs(d.z - (ex.console[2] - ex.target[2]))).toBeLessThan(TOL);
    } else {
      expect(r.dicom.console).toBeNull();
      expect(r.dicom.consoleDifference).toBeNull();
    }
  });
}

const run = (s: SetSpec, profileOver: Record<string, unknown> = {}) => {
  const set = makeSet(s);
  return { set, out: dicomTargetsWith(engine, set.files, { ...set.profile, ...profileOver }) };
};

describe('[DCM-001] stereo sets against the independent reference (1e-4 mm)', () => {
  it('[DCM-005] two views +/-15, explicit VR, three targets, console stored on two of them', () => {
    const { set, out } = run(baseSpec());
    expect(out).toHaveLength(3);
    expectAgreement(out, set.expected);
    expect(ok(out[0]).dicom.label).toBe('A');
    expect(ok(out[2]).dicom.label).toBeNull();
    // Marks come from exact projections of the points, so the target is the point to float32 rounding.
    expect(ok(out[0]).target.z).toBeCloseTo(20, 2);
    expect(ok(out[0]).findings).toEqual([]);
  });

  it('[DCM-002] three views 0/+15/-15, implicit VR, undefined-length sequences, negative angle sign, both axes reversed', () => {
    const { set, out } = run(baseSpec({ angles: [0, 15, -15], angleSign: -1, colAxis: '-x', rowAxis: '-y', origin: { col: 1200.5, row: 2047 }, implicit: true, undefinedLength: true }));
    expectAgreement(out, set.expected);
    expect(ok(out[0]).pairwiseRayGaps).toHaveLength(3);
  });

  for (const [colAxis, rowAxis] of [['+x', '-y'], ['-x', '+y']] as const) {
    for (const angleSign of [1, -1] as const) {
      it(`[DCM-003, DCM-004] columns ${colAxis}, rows ${rowAxis}, angle sign ${angleSign}, explicit and implicit give the same targets`, () => {
        const spec = baseSpec({ colAxis, rowAxis, angleSign, spacing: [0.07, 0.085], origin: { col: 2000, row: 100 } });
        const a = run(spec);
        const b = run({ ...spec, implicit: true });
        expectAgreement(a.out, a.set.expected);
        expect(b.out).toEqual(a.out);
      });
    }
  }

  it('a 0/+15 pair with the rotation axis above the detector plane (GE-like: pivot 40 mm up)', () => {
    const geometry = { sourceToDetector: 660, sourceToSupport: 638, rotationAxisHeight: 18 };
    const { set, out } = run(baseSpec({ geometry, angles: [0, 15] }));
    expectAgreement(out, set.expected);
  });

  it('property: random units, points, calibrations and 2 or 3 views agree with the reference', () => {
    const mm = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map((i) => i / 1000);
    fc.assert(fc.property(
      mm(600, 720), mm(15, 30), mm(-40, 60), mm(30, 70), fc.constantFrom([15, -15], [0, 15, -15], [0, 15], [10, -10], [20, -5]),
      fc.constantFrom<1 | -1>(1, -1), fc.constantFrom<'+x' | '-x'>('+x', '-x'), fc.constantFrom<'+y' | '-y'>('+y', '-y'),
      fc.integer({ min: 50, max: 150 }).map((i) => i / 1000), fc.boolean(),
      fc.array(fc.tuple(mm(-40, 40), mm(0, 80), fc.integer({ min: 5, max: 95 })), { minLength: 1, maxLength: 4 }),
      (sid, gap, axisAboveDetector, thickness, anglesRo, angleSign, colAxis, rowAxis, spacing, implicit, pts) => {
        const geometry = { sourceToDetector: sid, sourceToSupport: sid - gap, rotationAxisHeight: -gap + Math.min(axisAboveDetector, gap + 10) };
        const points = pts.map(([x, y, f], i) => ({ uid: `2.25.${i + 1}`, p: [x, y, (thickness * f) / 100] as [number, number, number] }));
        const { set, out } = run({ geometry, thickness, angles: [...anglesRo], angleSign, colAxis, rowAxis, spacing: [spacing, spacing], origin: { col: 2048, row: 1024 }, points, implicit });
        expectAgreement(out, set.expected);
      }), { numRuns: 40 });
  });
});

describe('targets marked on one view only, profiles and set checks', () => {
  it('[DCM-006] a target on one file only is an error element (too_few_items) in its place; the others are computed', () => {
    const spec = baseSpec();
    spec.points[1] = { ...spec.points[1], on: [1] };
    const { set, out } = run(spec);
    // In order of first appearance: 1001 and 1003 on the first file, then 1002 on the second.
    expect(out.map((e) => e.dicom.targetUid)).toEqual(['2.25.1001', '2.25.1003', '2.25.1002']);
    expect('error' in out[2] && out[2].error.code).toBe('too_few_items');
    expect('error' in out[2] && out[2].error.message).toContain('view1_-15.dcm');
    expect(out[2].dicom.files).toEqual(['view1_-15.dcm']);
    expectAgreement(out, set.expected);
  });

  it('a 3-view set with a target on two of the three views uses those two', () => {
    const spec = baseSpec({ angles: [0, 15, -15] });
    spec.points[0] = { ...spec.points[0], on: [0, 2] };
    const { set, out } = run(spec);
    expect(ok(out[0]).dicom.files).toEqual(['view0_0.dcm', 'view2_-15.dcm']);
    expect(ok(out[0]).rayGap).toBeDefined();
    expectAgreement(out, set.expected);
  });

  it('[DCM-003] the profile overrides the distances and the pixel spacing', () => {
    const spec = baseSpec({ edit: (v) => ({ ...v, sourceToDetector: undefined, sourceToSupport: undefined, imagerPixelSpacing: undefined }) });
    const set = makeSet(spec);
    const out = dicomTargetsWith(engine, set.files, { ...set.profile, sourceToDetector: 660, sourceToSupport: '64 cm', pixelSpacing: 0.1 });
    expectAgreement(out, set.expected);
    // The header's spacing is ignored when the profile gives one: 0.2 doubles every mark's distance from the origin.
    const twice = dicomTargetsWith(engine, makeSet(baseSpec()).files, { ...set.profile, pixelSpacing: { col: 0.2, row: 0.2 } });
    expect(ok(twice[0]).marks[0].u).toBeCloseTo(2 * ok(out[0]).marks[0].u, 4);
  });

  it('[DCM-004] Pixel Spacing (0028,0030) is used when Imager Pixel Spacing is absent', () => {
    const spec = baseSpec({ edit: (v) => ({ ...v, imagerPixelSpacing: undefined, pixelSpacing: [0.1, 0.1] }) });
    const { set, out } = run(spec);
    expectAgreement(out, set.expected);
  });

  it('imageSigma and a needle in the profile reach every request', () => {
    const { out } = run(baseSpec(), { imageSigma: 0.1, needle: { device: { throw: 0, apertureLength: 20, tipLength: 7 } } });
    const r = ok(out[0]);
    expect(r.uncertainty?.imageSigma).toBe(0.1);
    expect(r.needle?.approach).toBe('vertical');
    // Target B sits at z = 8: the post-fire tip is 8 - 10 - 7 = -9 mm, below the support.
    expect(ok(out[1]).findings.map((f) => f.code)).toContain('negative_stroke_margin');
  });

  it('[DCM-009] console difference: at the tolerance passes, just over it is the error console_disagrees', () => {
    const { set, out } = run(baseSpec());
    const dz = Math.abs(ok(out[0]).dicom.consoleDifference!.z);
    const dmax = Math.max(...Object.values(ok(out[0]).dicom.consoleDifference!).map(Math.abs));
    expect(dmax).toBe(dz);
    const at = dicomTargetsWith(engine, set.files, { ...set.profile, consoleTolerance: dz });
    expect(ok(at[0]).findings).toEqual([]);
    const under = dicomTargetsWith(engine, set.files, { ...set.profile, consoleTolerance: dz * (1 - 1e-9) });
    expect(ok(under[0]).findings.map((f) => [f.code, f.severity, f.path])).toEqual([['console_disagrees', 'error', 'dicom.consoleDifference.z']]);
    // The default tolerance, 0.1 mm: a console 0.2 mm off in x is flagged.
    const spec = baseSpec();
    spec.points[0] = { ...spec.points[0], consoleOffset: [0.2, 0, 0] };
    const off = run(spec).out;
    expect(ok(off[0]).findings[0].code).toBe('console_disagrees');
    expect(ok(off[0]).findings[0].limit).toBe(0.1);
  });

  it('[DCM-007] files must agree on distances and thickness within 0.01 mm', () => {
    const within = baseSpec({ edit: (v, k) => (k === 1 ? { ...v, thickness: 45.009, sourceToDetector: 660.01 } : v) });
    expect(run(within).out).toHaveLength(3);
    for (const [field, kw] of [['thickness', 'BodyPartThickness'], ['sourceToDetector', 'DistanceSourceToDetector'], ['sourceToSupport', 'DistanceSourceToPatient']] as const) {
      const spec = baseSpec({ edit: (v, k) => (k === 1 ? { ...v, [field]: v[field]! + 0.011 } : v) });
      expect(() => run(spec)).toThrow(new RegExp(`view1_-15\\.dcm: \\(0018,11..\\) ${kw} .* differs from view0_15\\.dcm`));
    }
  });

  it('[DCM-007] two files at the same angle are refused', () => {
    const spec = baseSpec({ edit: (v, k) => (k === 1 ? { ...v, angle: 15.0000001 } : v) });
    try {
      run(spec);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('duplicate_value');
      expect((e as Error).message).toContain('(0018,1510) PositionerPrimaryAngle');
    }
  });

  it('bytes alone are named "file 1", "file 2" in messages; the async API loads the engine itself', async () => {
    const set = makeSet(baseSpec());
    const out = await dicomTargets(set.files.map((f) => f.bytes), set.profile);
    expect(ok(out[0]).dicom.files).toEqual(['file 1', 'file 2']);
    await expect(dicomTargets([set.files[0].bytes], set.profile)).rejects.toThrow(/at least two files/);
  });

  it('an invalid profile is refused with every issue under profile', () => {
    const set = makeSet(baseSpec());
    const bad = (p: unknown) => codePaths(refusal(() => dicomTargetsWith(engine, set.files, p)).issues);
    expect(bad({ ...set.profile, angleSign: 2 })).toEqual([['invalid_value', 'profile.angleSign']]);
    expect(bad({ ...set.profile, detector: { origin: [1, 'x'] } })).toEqual([['invalid_type', 'profile.detector.origin[1]']]);
    expect(bad({ ...set.profile, colour: 1 })).toEqual([['unknown_field', 'profile.colour']]);
    expect(bad({ ...set.profile, imageSigma: -1 })).toEqual([['out_of_range', 'profile.imageSigma']]);
    expect(bad({ ...set.profile, needle: { device: { throw: 0 } } }).slice(0, 2)).toEqual([['missing_field', 'profile.needle.device.apertureLength'], ['missing_field', 'profile.needle.device.tipLength']]);
    expect(bad({ ...set.profile, pixelSpacing: [0.1, 0] })).toEqual([['out_of_range', 'profile.pixelSpacing[1]']]);
    expect(bad({ id: 'x' }).map((x) => x[1])).toEqual(['profile.rotationAxisHeight', 'profile.angleSign', 'profile.detector']);
  });
});

describe('[DCM-008] bad files: exit 2 naming the file and the tag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stereotax-dicom-'));
  const write = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const set = makeSet(baseSpec());
  const profilePath = join(dir, 'unit.json');
  writeFileSync(profilePath, JSON.stringify(set.profile));
  const good = set.files.map((f) => write(f.name, f.bytes));
  const viewWith = (edit: (v: SyntheticView) => SyntheticView, implicit = false) => {
    const s = makeSet(baseSpec({ implicit, edit: (v, k) => (k === 1 ? edit(v) : v) }));
    return s.files[1].bytes;
  };

  it('a good set through the CLI: a JSON array, exit 0; --text prints a summary', async () => {
    const r = await runCli(['dicom', ...good, '--unit', profilePath]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out).toHaveLength(3);
    expect(out[0].dicom.files).toEqual(good);
    expectAgreement(out, set.expected.map((e) => ({ ...e, files: e.files.map((f) => join(dir, f)) })));
    const t = await runCli(['dicom', ...good, '--unit', profilePath, '--text']);
    expect(t.code).toBe(0);
    expect(t.out).toContain('Target UID 2.25.1001 (A)');
    expect(t.out).toContain('console - ours');
  });

  it('a target on one file only: its error element in place, exit 2, the others printed', async () => {
    const spec = baseSpec();
    spec.points[2] = { ...spec.points[2], on: [0] };
    const s = makeSet(spec);
    const files = s.files.map((f) => write(`one-${f.name}`, f.bytes));
    const r = await runCli(['dicom', ...files, '--unit', profilePath]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.out);
    expect(out[2].error.code).toBe('too_few_items');
    expect(out[0].target).toBeDefined();
    expect(r.err).toContain('2.25.1003');
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['not DICOM', () => new TextEncoder().encode('{"not": "dicom"}'.padEnd(200, ' ')), /not a DICOM file/],
    ['empty', () => new Uint8Array(0), /not a DICOM file/],
    ['truncated in the header', () => set.files[1].bytes.slice(0, 300), /truncated/],
    ['truncated in the pixel data', () => set.files[1].bytes.slice(0, set.files[1].bytes.length - 10), /\(7FE0,0010\) PixelData truncated/],
    ['truncated in the pixel data, implicit VR', () => viewWith((v) => v, true).slice(0, -10), /\(7FE0,0010\) PixelData truncated/],
    ['missing DistanceSourceToDetector', () => viewWith((v) => ({ ...v, sourceToDetector: undefined })), /\(0018,1110\) DistanceSourceToDetector missing/],
    ['missing DistanceSourceToPatient', () => viewWith((v) => ({ ...v, sourceToSupport: undefined })), /\(0018,1111\) DistanceSourceToPatient missing/],
    ['missing PositionerPrimaryAngle', () => viewWith((v) => ({ ...v, angle: undefined })), /\(0018,1510\) PositionerPrimaryAngle missing/],
    ['missing BodyPartThickness (implicit VR)', () => viewWith((v) => ({ ...v, thickness: undefined }), true), /\(0018,11A0\) BodyPartThickness missing/],
    ['missing pixel spacing', () => viewWith((v) => ({ ...v, imagerPixelSpacing: undefined })), /\(0018,1164\) ImagerPixelSpacing missing/],
    ['a DS that is not a number', () => writeDicom([...stereoDataset({ ...{ sourceToDetector: 660, sourceToSupport: 640, thickness: 45, imagerPixelSpacing: [0.1, 0.1] } }), { tag: [0x0018, 0x1510], vr: 'DS', value: 'abc' }]), /\(0018,1510\) PositionerPrimaryAngle value 1 is not a number/],
    ['one pixel spacing value', () => viewWith((v) => ({ ...v, imagerPixelSpacing: [0.1] as unknown as [number, number] })), /\(0018,1164\) ImagerPixelSpacing value 2 is not a number/],
    ['big endian', () => writeDicom(stereoDataset({ angle: 15 }), { transferSyntax: '1.2.840.10008.1.2.2' }), /\(0002,0010\) TransferSyntaxUID Explicit VR Big Endian/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: exit 2, file and tag named`, async () => {
      const bad = write(`bad-${what.replace(/\W+/g, '-')}.dcm`, bytes());
      const r = await runCli(['dicom', good[0], bad, '--unit', profilePath]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(bad);
      expect(r.err).toMatch(message);
      expect(JSON.parse(r.out).error.path).toMatch(/^files\[1\]/);
    });
  }

  it('a target item without TargetUID or LocalizingCursorPosition names the item and tag', async () => {
    const noUid = writeDicom([...stereoDataset({ sourceToDetector: 660, sourceToSupport: 640, angle: -15, thickness: 45, imagerPixelSpacing: [0.1, 0.1] }),
      { tag: [0x0018, 0x2041], vr: 'SQ', value: [[{ tag: [0x0018, 0x2043], vr: 'FL', value: [1, 2] }]] }]);
    const noMark = writeDicom([...stereoDataset({ sourceToDetector: 660, sourceToSupport: 640, angle: -15, thickness: 45, imagerPixelSpacing: [0.1, 0.1] }),
      { tag: [0x0018, 0x2041], vr: 'SQ', value: [[{ tag: [0x0018, 0x2042], vr: 'UI', value: '2.25.7' }]] }]);
    const shortCursor = writeDicom([...stereoDataset({ sourceToDetector: 660, sourceToSupport: 640, angle: -15, thickness: 45, imagerPixelSpacing: [0.1, 0.1] }),
      { tag: [0x0018, 0x2041], vr: 'SQ', value: [[{ tag: [0x0018, 0x2042], vr: 'UI', value: '2.25.7' }, { tag: [0x0018, 0x2043], vr: 'FL', value: [1] }]] }]);
    for (const [bytes, msg] of [[noUid, /\(0018,2042\) TargetUID missing in item 1/], [noMark, /\(0018,2043\) LocalizingCursorPosition missing in item 1 .*2\.25\.7/], [shortCursor, /\(0018,2043\) LocalizingCursorPosition item 1 .* has 4 bytes/]] as const) {
      const bad = write(`item-${String(msg).length}.dcm`, bytes);
      const r = await runCli(['dicom', good[0], bad, '--unit', profilePath]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });

  it('no file marks anything: exit 2 naming (0018,2041)', async () => {
    const s = makeSet(baseSpec({ edit: (v) => ({ ...v, targets: undefined }) }));
    const files = s.files.map((f) => write(`none-${f.name}`, f.bytes));
    const r = await runCli(['dicom', ...files, '--unit', profilePath]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('(0018,2041) BiopsyTargetSequence');
  });

  it('usage: no --unit, no files, an unreadable file, a bad profile: exit 2', async () => {
    expect((await runCli(['dicom', ...good])).code).toBe(2);
    expect((await runCli(['dicom', '--unit', profilePath])).code).toBe(2);
    const missing = await runCli(['dicom', good[0], join(dir, 'nope.dcm'), '--unit', profilePath]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.dcm');
    const badProfile = write('bad-unit.json', new TextEncoder().encode('{"rotationAxisHeight": -20}'));
    const r = await runCli(['dicom', ...good, '--unit', badProfile]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('profile.angleSign');
    expect((await runCli(['dicom', ...good, '--unit', profilePath, '--kernel', 'gpu'])).code).toBe(2);
    const help = await runCli(['dicom', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--unit PROFILE.json');
  });

  it('an error finding exits 3 with the result printed', async () => {
    const p = write('strict.json', new TextEncoder().encode(JSON.stringify({ ...set.profile, consoleTolerance: 0.001 })));
    const r = await runCli(['dicom', ...good, '--unit', p]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)[0].findings[0].code).toBe('console_disagrees');
  });
});

describe('browser-safe and pixel-free', () => {
  it('[DCM-010] src/dicom imports nothing from node:', () => {
    const dirPath = new URL('../../src/dicom/', import.meta.url);
    for (const f of readdirSync(dirPath)) expect(readFileSync(new URL(f, dirPath), 'utf8')).not.toMatch(/from 'node:/);
  });

  it('[DCM-002] pixel data is never read: garbage pixels of any size give the same targets', () => {
    const a = run(baseSpec());
    const b = run(baseSpec({ edit: (v) => ({ ...v, pixelBytes: 4096 }) }));
    expect(b.out).toEqual(a.out);
  });

  it('a geometry the targeting validator refuses is an error element naming the target and files', () => {
    const spec = baseSpec({ thickness: 45, geometry: UNIT });
    const set = makeSet(spec);
    const out = dicomTargetsWith(engine, set.files, { ...set.profile, rotationAxisHeight: 700 });
    expect('error' in out[0] && out[0].error.message).toMatch(/Target UID 2\.25\.1001 \(files view0_15\.dcm, view1_-15\.dcm\)/);
  });
});
