// Enhanced multi-frame input: a Breast Projection X-Ray image holding the views as frames
// (angles from each frame's Positioner Position Sequence, distances from the X-Ray Geometry
// Sequence, per frame or shared), and a tomosynthesis projection set of nine frames. The
// targets must be exactly those of the same marks stored as one file per view.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { dicomTargetsWith, type DicomElement } from '../../src/dicom/stereo-set.js';
import { runCli } from '../helpers/fake-io.js';
import { writeDicom, type El, type SyntheticView } from '../helpers/dicom-writer.js';
import { baseSpec, makeSet, type SetSpec } from '../helpers/stereo-set.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const BREAST_PROJECTION_FOR_PROCESSING = '1.2.840.10008.5.1.4.1.1.13.1.5';
const ds = (xs: number[]) => xs.map((x) => String(+x.toPrecision(12))).join('\\');

/** The synthetic views makeSet writes (one per angle), captured through its edit hook. */
function viewsOf(spec: SetSpec): SyntheticView[] {
  const out: SyntheticView[] = [];
  makeSet({ ...spec, edit: (v, k) => ((out[k] = v), v) });
  return out;
}

interface MultiOptions {
  /** Marks in each frame's functional group (default) or at the top level with Referenced Frame Number. */
  marks?: 'perFrame' | 'topLevel';
  /** Distances in each frame's group instead of the shared one. */
  perFrameGeometry?: boolean;
  /** Leave the angle out of this frame (1-based). */
  noAngleOn?: number;
  /** Top-level items' frame numbers replaced by this (an invalid one). */
  frameNumber?: string;
  implicit?: boolean;
}

const targetItems = (v: SyntheticView, frame?: number | string): El[][] => (v.targets ?? []).map((t) => {
  const item: El[] = [{ tag: [0x0018, 0x2042], vr: 'UI', value: t.uid }, { tag: [0x0018, 0x2043], vr: 'FL', value: [t.col, t.row] }];
  if (t.console) item.push({ tag: [0x0018, 0x2044], vr: 'FL', value: t.console });
  if (t.label) item.push({ tag: [0x0018, 0x2045], vr: 'LO', value: t.label });
  if (frame !== undefined) item.push({ tag: [0x0008, 0x1160], vr: 'IS', value: String(frame) });
  return item;
});

/** One Breast Projection X-Ray file whose frames are the given views. */
function multiFrame(views: SyntheticView[], o: MultiOptions = {}): Uint8Array {
  const v0 = views[0];
  const geometry = (v: SyntheticView): El => ({ tag: [0x0018, 0x9476], vr: 'SQ', value: [[
    { tag: [0x0018, 0x1110], vr: 'DS', value: ds([v.sourceToDetector!]) },
    { tag: [0x0018, 0x1111], vr: 'DS', value: ds([v.sourceToSupport!]) },
    { tag: [0x0018, 0x1130], vr: 'DS', value: '1.03' },
  ]] });
  const shared: El[] = [{ tag: [0x0028, 0x9110], vr: 'SQ', value: [[{ tag: [0x0028, 0x0030], vr: 'DS', value: ds(v0.imagerPixelSpacing!) }]] }];
  if (!o.perFrameGeometry) shared.push(geometry(v0));
  const perFrame = views.map((v, k) => {
    const item: El[] = [{ tag: [0x0020, 0x9111], vr: 'SQ', value: [[{ tag: [0x0020, 0x9157], vr: 'UL', value: [k + 1] }]] }];
    if (o.noAngleOn !== k + 1) item.push({ tag: [0x0018, 0x9405], vr: 'SQ', value: [[{ tag: [0x0018, 0x1510], vr: 'DS', value: ds([v.angle!]) }]] });
    if (o.perFrameGeometry) item.push(geometry(v));
    if ((o.marks ?? 'perFrame') === 'perFrame' && v.targets?.length) item.push({ tag: [0x0018, 0x2041], vr: 'SQ', value: targetItems(v) });
    return item;
  });
  const top: El[] = [
    { tag: [0x0008, 0x0008], vr: 'CS', value: 'ORIGINAL\\PRIMARY\\STEREO' },
    { tag: [0x0008, 0x0016], vr: 'UI', value: BREAST_PROJECTION_FOR_PROCESSING },
    { tag: [0x0008, 0x0018], vr: 'UI', value: '2.25.8880' },
    { tag: [0x0018, 0x11a0], vr: 'DS', value: ds([v0.thickness!]) },
    { tag: [0x0020, 0x000d], vr: 'UI', value: '2.25.4440' },
    { tag: [0x0020, 0x000e], vr: 'UI', value: '2.25.5552' },
    { tag: [0x0028, 0x0008], vr: 'IS', value: String(views.length) },
    { tag: [0x5200, 0x9229], vr: 'SQ', value: [shared] },
    { tag: [0x5200, 0x9230], vr: 'SQ', value: perFrame },
    { tag: [0x7fe0, 0x0010], vr: 'OW', value: new Uint8Array(views.length * 32).fill(5) },
  ];
  if (o.marks === 'topLevel') top.push({ tag: [0x0018, 0x2041], vr: 'SQ', value: views.flatMap((v, k) => targetItems(v, o.frameNumber ?? k + 1)) });
  return writeDicom(top, { implicit: o.implicit, sopClass: BREAST_PROJECTION_FOR_PROCESSING });
}

const strip = (out: DicomElement[]) => out.map((e) => ({ ...e, dicom: { ...e.dicom, files: [] } }));

describe('views as frames of one enhanced multi-frame file', () => {
  for (const marks of ['perFrame', 'topLevel'] as const) {
    for (const implicit of [false, true]) {
      it(`three views 0/+15/-15, marks ${marks === 'perFrame' ? 'in each frame\'s group' : 'at the top level with Referenced Frame Number'}${implicit ? ', implicit VR' : ''}: the targets of the single-frame set`, () => {
        const spec = baseSpec({ angles: [0, 15, -15] });
        const single = makeSet(spec);
        const reference = dicomTargetsWith(engine, single.files, single.profile);
        const out = dicomTargetsWith(engine, [{ name: 'bpx.dcm', bytes: multiFrame(viewsOf(spec), { marks, implicit }) }], single.profile);
        expect(strip(out)).toEqual(strip(reference));
        expect(out[0].dicom.files).toEqual(['bpx.dcm frame 1', 'bpx.dcm frame 2', 'bpx.dcm frame 3']);
      });
    }
  }

  it('distances per frame; a frame\'s own geometry differing from the others is refused as not one set', () => {
    const spec = baseSpec();
    const single = makeSet(spec);
    const views = viewsOf(spec);
    const out = dicomTargetsWith(engine, [{ name: 'bpx.dcm', bytes: multiFrame(views, { perFrameGeometry: true }) }], single.profile);
    expect(strip(out)).toEqual(strip(dicomTargetsWith(engine, single.files, single.profile)));
    views[1] = { ...views[1], sourceToDetector: 661 };
    expect(() => dicomTargetsWith(engine, [{ name: 'bpx.dcm', bytes: multiFrame(views, { perFrameGeometry: true }) }], single.profile))
      .toThrow(/bpx\.dcm frame 2: \(0018,1110\) DistanceSourceToDetector 661 mm differs from bpx\.dcm frame 1/);
  });

  it('a tomosynthesis projection set: nine frames from -12 to +12 degrees, every target from all nine', () => {
    const spec = baseSpec({ angles: [-12, -9, -6, -3, 0, 3, 6, 9, 12] });
    const single = makeSet(spec);
    const reference = dicomTargetsWith(engine, single.files, single.profile);
    const out = dicomTargetsWith(engine, [{ name: 'projections.dcm', bytes: multiFrame(viewsOf(spec)) }], single.profile);
    expect(strip(out)).toEqual(strip(reference));
    expect((out[0] as { pairwiseRayGaps: unknown[] }).pairwiseRayGaps).toHaveLength(36);
    expect(out[0].dicom.files).toHaveLength(9);
  });

  it('refused, naming the file, frame and tag: a top-level mark with no frame, a frame out of range, a frame with no angle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-multiframe-'));
    const spec = baseSpec();
    const single = makeSet(spec);
    const profile = join(dir, 'unit.json');
    writeFileSync(profile, JSON.stringify(single.profile));
    const cases: [MultiOptions, RegExp][] = [
      [{ marks: 'topLevel', frameNumber: '' }, /bpx\.dcm: \(0008,1160\) ReferencedFrameNumber missing in item 1 of the Biopsy Target Sequence .* the file holds 2 frames/],
      [{ marks: 'topLevel', frameNumber: '3' }, /bpx\.dcm: \(0008,1160\) ReferencedFrameNumber item 1 of the Biopsy Target Sequence names frame 3, the file holds 2/],
      [{ marks: 'topLevel', frameNumber: '1.5' }, /\(0008,1160\) ReferencedFrameNumber item 1 of the Biopsy Target Sequence: 1\.5 is not a frame number/],
      [{ noAngleOn: 2 }, /bpx\.dcm frame 2: \(0018,1510\) PositionerPrimaryAngle missing/],
    ];
    for (const [o, message] of cases) {
      const path = join(dir, 'bpx.dcm');
      writeFileSync(path, multiFrame(viewsOf(spec), o));
      const r = await runCli(['dicom', path, '--unit', profile]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
    }
    // And the good file through the CLI, alone: exit 0, three targets.
    writeFileSync(join(dir, 'good.dcm'), multiFrame(viewsOf(spec)));
    const ok = await runCli(['dicom', join(dir, 'good.dcm'), '--unit', profile]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toHaveLength(3);
  });
});
