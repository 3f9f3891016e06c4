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
import { baseSpec, makeSet, multiFrame, viewsOf, type MultiOptions } from '../helpers/stereo-set.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

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
