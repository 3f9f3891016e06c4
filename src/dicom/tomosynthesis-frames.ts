/**
 * The slice heights and pixel spacings of a Breast Tomosynthesis Image, from its
 * per-frame (else shared) functional groups: Plane Position (0020,9113) gives each
 * frame's Image Position (Patient), Plane Orientation (0020,9116) the slice plane,
 * Pixel Measures (0028,9110) the pixel spacing. A frame's height is its position
 * along the plane's normal; where that height is zero in the biopsy frame is a vendor
 * convention, so the caller anchors it with the height of the first frame above the
 * support (from the unit's documentation). The result is `tomosynthesis.frames`.
 */
import type { DataSet } from './parse.js';
import { decimal, fail, functionalGroup, parseHeaders, type DicomFile } from './read.js';
import { TAGS, type Keyword } from './tags.js';

export interface TomosynthesisFrames {
  /** One per frame, frame 1 first: the height above the support and the pixel spacing [between rows, between columns]. */
  frames: { z: number; pixelSpacing: [number, number] }[];
  /** Slice Thickness (0018,0050) of the first frame, when given (informative: the depth resolution comes from the heights). */
  sliceThickness?: number;
}

export interface FrameAnchor {
  /** Height (mm) of frame 1 above the breast support: a vendor convention, from the unit's documentation. */
  firstFrameHeight: number;
  /** "+z" (default) when heights along the plane normal (row direction x column direction) grow away from the support. */
  normalDirection?: '+z' | '-z';
}

type File = { name: string; index: number };

function values(ds: DataSet | undefined, keyword: Keyword, count: number, file: File, where: string): number[] | undefined {
  if (!ds?.elements[TAGS[keyword]]) return undefined;
  return Array.from({ length: count }, (_, k) => decimal(ds, keyword, file, k, where)!);
}

/** Reads the frames of a Breast Tomosynthesis Image (never its pixels). Throws StereotaxError naming the file and the tag. */
export function readTomosynthesisFrames(f: DicomFile, anchor: FrameAnchor, index = 0): TomosynthesisFrames {
  const file = { name: f.name, index };
  if (!Number.isFinite(anchor.firstFrameHeight)) fail('not_finite', file, undefined, 'a finite height (mm)', String(anchor.firstFrameHeight), 'firstFrameHeight must be a finite number of mm');
  const ds = parseHeaders(f, index);
  const perFrame = ds.elements[TAGS.PerFrameFunctionalGroupsSequence]?.items;
  if (!perFrame?.length) {
    fail('missing_field', file, 'PerFrameFunctionalGroupsSequence', 'the per-frame functional groups of a multi-frame image', 'nothing',
      'missing: a Breast Tomosynthesis Image gives each frame\'s Plane Position there');
  }
  if (perFrame.length < 2) fail('too_few_items', file, 'PerFrameFunctionalGroupsSequence', 'at least two frames', `${perFrame.length}`, 'has one frame: a reconstruction needs at least two');
  const shared = ds.item(TAGS.SharedFunctionalGroupsSequence);
  let normal: number[] | undefined;
  let sliceThickness: number | undefined;
  const frames = perFrame.map((fr, k) => {
    const where = `frame ${k + 1}: `;
    const orientation = values(functionalGroup(fr, shared, 'PlaneOrientationSequence'), 'ImageOrientationPatient', 6, file, where);
    if (!orientation) fail('missing_field', file, 'ImageOrientationPatient', 'the slice plane (Plane Orientation Sequence)', 'nothing', `missing for ${where.slice(0, -2)}`);
    const n = [
      orientation[1] * orientation[5] - orientation[2] * orientation[4],
      orientation[2] * orientation[3] - orientation[0] * orientation[5],
      orientation[0] * orientation[4] - orientation[1] * orientation[3],
    ];
    const len = Math.hypot(n[0], n[1], n[2]);
    if (!(len > 0.5)) fail('invalid_value', file, 'ImageOrientationPatient', 'two orthogonal unit direction cosines', orientation.join('\\'), `${where}the row and column directions do not span a plane`);
    const unit = n.map((x) => x / len);
    if (normal && unit.some((x, i) => Math.abs(x - normal![i]) > 1e-6)) {
      fail('invalid_value', file, 'ImageOrientationPatient', 'the same plane orientation in every frame', orientation.join('\\'), `${where}the slices are not parallel`);
    }
    normal = unit;
    const position = values(functionalGroup(fr, shared, 'PlanePositionSequence'), 'ImagePositionPatient', 3, file, where);
    if (!position) fail('missing_field', file, 'ImagePositionPatient', 'each frame\'s Plane Position', 'nothing', `missing for ${where.slice(0, -2)}`);
    const measures = functionalGroup(fr, shared, 'PixelMeasuresSequence');
    const spacing = values(measures, 'PixelSpacing', 2, file, where);
    if (!spacing) fail('missing_field', file, 'PixelSpacing', 'each frame\'s Pixel Measures', 'nothing', `missing for ${where.slice(0, -2)}`);
    if (k === 0) sliceThickness = values(measures, 'SliceThickness', 1, file, where)?.[0];
    return { h: position[0] * unit[0] + position[1] * unit[1] + position[2] * unit[2], pixelSpacing: [spacing[0], spacing[1]] as [number, number] };
  });
  const sign = anchor.normalDirection === '-z' ? -1 : 1;
  const out: TomosynthesisFrames = { frames: frames.map((fr) => ({ z: anchor.firstFrameHeight + sign * (fr.h - frames[0].h), pixelSpacing: fr.pixelSpacing })) };
  if (sliceThickness !== undefined) out.sliceThickness = sliceThickness;
  return out;
}
