// Breast Tomosynthesis Image frames: per-frame Plane Position and Pixel Measures read from a
// synthetic multi-frame file (test/helpers/dicom-writer.ts), fed to tomosynthesis targeting.
import { describe, expect, it } from 'vitest';
import { readTomosynthesisFrames } from '../../src/dicom/tomosynthesis-frames.js';
import { computeTomosynthesis, parseTomosynthesisRequest } from '../../src/targeting/tomosynthesis.js';
import { writeDicom, type El } from '../helpers/dicom-writer.js';
import { refTomoTarget } from '../reference/tomosynthesis-reference.js';

const ds = (s: number[]) => s.map((x) => String(+x.toPrecision(12))).join('\\');

interface DbtSpec {
  frames: number;
  spacing: number;
  /** Tilt of the slice plane about the row direction (degrees). */
  tilt?: number;
  pixel?: [number, number];
  /** Per-frame pixel measures instead of shared ones. */
  perFramePixel?: boolean;
  drop?: 'perFrame' | 'position' | 'orientation' | 'pixel';
  skewFrame?: number;
  implicit?: boolean;
}

function dbt(s: DbtSpec): Uint8Array {
  const t = ((s.tilt ?? 0) * Math.PI) / 180;
  const row = [1, 0, 0];
  const col = [0, Math.cos(t), Math.sin(t)];
  const normal = [0, -Math.sin(t), Math.cos(t)];
  const pixel = s.pixel ?? [0.1, 0.1];
  const measures = (k: number): El => ({ tag: [0x0028, 0x9110], vr: 'SQ', value: [[
    { tag: [0x0028, 0x0030], vr: 'DS', value: ds([pixel[0] + (s.perFramePixel ? k / 1000 : 0), pixel[1] + (s.perFramePixel ? k / 1000 : 0)]) },
    { tag: [0x0018, 0x0050], vr: 'DS', value: '1' },
  ]] });
  const orientation = (k: number): El => ({ tag: [0x0020, 0x9116], vr: 'SQ', value: [[
    { tag: [0x0020, 0x0037], vr: 'DS', value: ds([...row, ...(k === s.skewFrame ? [0, 0.6, 0.8] : col)]) },
  ]] });
  const shared: El[] = [];
  if (s.drop !== 'orientation' && s.skewFrame === undefined) shared.push(orientation(0));
  if (s.drop !== 'pixel' && !s.perFramePixel) shared.push(measures(0));
  const perFrame = Array.from({ length: s.frames }, (_, k) => {
    // An in-plane shift (along the row and column directions) plus k slices along the normal.
    const p = [3, 7, 100].map((x, i) => x + 0.5 * k * row[i] - 0.25 * k * col[i] + normal[i] * k * s.spacing);
    const group: El[] = [];
    if (s.drop !== 'position') group.push({ tag: [0x0020, 0x9113], vr: 'SQ', value: [[{ tag: [0x0020, 0x0032], vr: 'DS', value: ds(p) }]] });
    if (s.perFramePixel) group.push(measures(k));
    if (s.skewFrame !== undefined) group.push(orientation(k));
    return group;
  });
  const els: El[] = [
    { tag: [0x0008, 0x0008], vr: 'CS', value: 'ORIGINAL\\PRIMARY\\TOMO_SCOUT' },
    { tag: [0x5200, 0x9229], vr: 'SQ', value: [shared] },
    { tag: [0x7fe0, 0x0010], vr: 'OW', value: new Uint8Array(64) },
  ];
  if (s.drop !== 'perFrame') els.push({ tag: [0x5200, 0x9230], vr: 'SQ', value: perFrame });
  return writeDicom(els, { implicit: s.implicit, undefinedLength: s.implicit });
}

describe('[API-034] Breast Tomosynthesis Image frames', () => {
  for (const tilt of [0, 7.5]) {
    for (const implicit of [false, true]) {
      it(`heights along the slice normal (tilt ${tilt} deg, ${implicit ? 'implicit' : 'explicit'} VR), anchored by the first frame's height`, () => {
        const r = readTomosynthesisFrames({ name: 'dbt.dcm', bytes: dbt({ frames: 50, spacing: 1, tilt, implicit }) }, { firstFrameHeight: 0.5 });
        expect(r.frames).toHaveLength(50);
        r.frames.forEach((f, k) => {
          expect(Math.abs(f.z - (0.5 + k))).toBeLessThan(1e-9);
          expect(f.pixelSpacing).toEqual([0.1, 0.1]);
        });
        expect(r.sliceThickness).toBe(1);
      });
    }
  }

  it('normalDirection -z counts down from the first frame; per-frame pixel measures are read per frame', () => {
    const r = readTomosynthesisFrames({ name: 'dbt.dcm', bytes: dbt({ frames: 5, spacing: 0.5, perFramePixel: true }) }, { firstFrameHeight: 40, normalDirection: '-z' });
    expect(r.frames.map((f) => f.z)).toEqual([40, 39.5, 39, 38.5, 38]);
    expect(r.frames[3].pixelSpacing).toEqual([0.103, 0.103]);
  });

  it('the frames go straight into a tomosynthesis request and give the reference target', () => {
    const { frames } = readTomosynthesisFrames({ name: 'dbt.dcm', bytes: dbt({ frames: 40, spacing: 1, perFramePixel: true }) }, { firstFrameHeight: 0.5 });
    const r = computeTomosynthesis(parseTomosynthesisRequest({ thickness: 45, tomosynthesis: { slice: 21, col: 1200, row: 350, frames, origin: [1024, 0] } })!);
    const ref = refTomoTarget({ slice: 21, col: 1200, row: 350, heights: frames.map((f) => f.z), spacing: [0.12, 0.12], origin: [1024, 0] });
    expect(Math.abs(r.target.x - ref[0])).toBeLessThan(1e-9);
    expect(Math.abs(r.target.y - ref[1])).toBeLessThan(1e-9);
    expect(Math.abs(r.target.z - 20.5)).toBeLessThan(1e-9);
    expect(r.uncertainty.depthResolution).toBeCloseTo(0.5, 9);
  });

  const bad: [string, DbtSpec, RegExp][] = [
    ['no per-frame groups', { frames: 3, spacing: 1, drop: 'perFrame' }, /dbt\.dcm: \(5200,9230\) PerFrameFunctionalGroupsSequence missing/],
    ['one frame', { frames: 1, spacing: 1 }, /\(5200,9230\) PerFrameFunctionalGroupsSequence has one frame/],
    ['no plane position', { frames: 3, spacing: 1, drop: 'position' }, /\(0020,0032\) ImagePositionPatient missing for frame 1/],
    ['no plane orientation', { frames: 3, spacing: 1, drop: 'orientation' }, /\(0020,0037\) ImageOrientationPatient missing for frame 1/],
    ['no pixel measures', { frames: 3, spacing: 1, drop: 'pixel' }, /\(0028,0030\) PixelSpacing missing for frame 1/],
    ['slices not parallel', { frames: 3, spacing: 1, skewFrame: 2 }, /\(0020,0037\) ImageOrientationPatient frame 3: the slices are not parallel/],
  ];
  for (const [what, spec, message] of bad) {
    it(`${what}: invalid input naming the file and the tag`, () => {
      expect(() => readTomosynthesisFrames({ name: 'dbt.dcm', bytes: dbt(spec) }, { firstFrameHeight: 0.5 })).toThrow(message);
    });
  }

  it('a non-finite anchor is refused', () => {
    expect(() => readTomosynthesisFrames({ name: 'dbt.dcm', bytes: dbt({ frames: 3, spacing: 1 }) }, { firstFrameHeight: NaN })).toThrow(/firstFrameHeight/);
  });
});
