/**
 * The targeting request defined once (issue 22): the unit's geometry, the detector
 * calibration, the marks, the tomosynthesis block and the two requests, with their
 * ranges, defaults, the branch each union takes, and the checks across fields next to
 * them. request.ts and tomosynthesis.ts validate with these (parseValue) and map the
 * result to the engine's input; schema.ts publishes them; scripts/fast-paths.mjs
 * generates the fast path (fast-path.generated.ts) from them, calling the same
 * predicates as the rules here.
 */
import {
  AnyOf, Arr, checkOrder, Default, Enum, Int, Length, Num, Obj, OneOf, Opt, Str, Tuple, Angle, withChecks, withRules,
  type StaticDecode,
} from '../core/schema/index.js';
import type { Checker, Path, Plain } from '../core/validate.js';
import { Needle } from '../needle/schema.js';
import { sourcePosition, type UnitGeometry, type Vec3 } from './geometry.js';
import { DEFAULT_MAX_RAY_GAP, MIN_ANGLE_SEPARATION } from './types.js';

const PIXEL = { min: -1e6, max: 1e6 };
const SPACING = { above: 0, max: 10 };
/** A mark in mm, a skin or slice height: within a metre of the frame's origin. */
export const MARK_RANGE = { min: -1000, max: 1000 };
export const MAX_SLICES = 10000;

// ------------------------------------------------------------------ predicates
// Each cross-field rule is a predicate written once: the rules below report with it,
// the generated fast path (fast-path.generated.ts) steps aside with it.

/** The support is no farther from the source than the detector. */
export const supportWithinDetector = (sourceToDetector: number, sourceToSupport: number): boolean => sourceToSupport <= sourceToDetector;
/** The rotation axis is below the source. */
export const axisBelowSource = (sourceToSupport: number, rotationAxisHeight: number): boolean => rotationAxisHeight < sourceToSupport;
/** The compressed breast is thinner than the source is high. */
export const thicknessBelowSource = (thickness: number, sourceToSupport: number): boolean => thickness < sourceToSupport;
/** Two views are the same view when their angles are this close. */
export const sameAngle = (a: number, b: number): boolean => Math.abs(a - b) < MIN_ANGLE_SEPARATION;

const heightSource: Vec3 = { x: 0, y: 0, z: 0 };
// A console sends the same geometry and angles request after request: the source height
// of view k is kept with the numbers it came from, so the sine and cosine are not redone.
const heightAngle = new Float64Array(64).fill(NaN), heightZ = new Float64Array(64);
let heightG0 = NaN, heightG1 = NaN, heightG2 = NaN;
/** z of the source for view k (k < 64) at this angle. */
export function sourceHeight(g: UnitGeometry, k: number, angle: number): number {
  if (g.sourceToDetector !== heightG0 || g.sourceToSupport !== heightG1 || g.rotationAxisHeight !== heightG2) {
    heightAngle.fill(NaN);
    heightG0 = g.sourceToDetector;
    heightG1 = g.sourceToSupport;
    heightG2 = g.rotationAxisHeight;
  }
  if (heightAngle[k] !== angle) {
    heightZ[k] = sourcePosition(heightSource, g, angle).z;
    heightAngle[k] = angle;
  }
  return heightZ[k];
}
/** The source of view k is above the compressed breast. */
export const sourceAboveBreast = (g: UnitGeometry, k: number, angle: number, thickness: number): boolean => sourceHeight(g, k, angle) > thickness;

// ------------------------------------------------------------------ the unit

export const Geometry = withChecks(Obj({
  sourceToDetector: Length({ min: 100, max: 2000 }, 'focal spot to the detector plane at 0 degrees; DICOM (0018,1110)'),
  sourceToSupport: Length({ min: 50, max: 2000 }, 'focal spot to the breast support at 0 degrees; DICOM (0018,1111)'),
  rotationAxisHeight: Length({ min: -2000, max: 2000 }, 'z of the tube\'s rotation axis'),
}, 'the unit (targeting.md section 2). The engine also requires sourceToSupport <= sourceToDetector and rotationAxisHeight < sourceToSupport'),
(g, c, path, raw) => {
  const { sourceToDetector: sid, sourceToSupport: sts, rotationAxisHeight: rah } = g;
  if (sid === undefined || sts === undefined || rah === undefined) return;
  if (!supportWithinDetector(sid, sts)) {
    c.add('invalid_geometry', [...path, 'sourceToSupport'], `at most sourceToDetector (${sid} mm): the support cannot be farther from the source than the detector`, raw.sourceToSupport);
  }
  if (!axisBelowSource(sts, rah)) {
    c.add('invalid_geometry', [...path, 'rotationAxisHeight'], `below the source (< sourceToSupport, ${sts} mm)`, raw.rotationAxisHeight);
  }
});
export type GeometryParsed = StaticDecode<typeof Geometry>;

// ------------------------------------------------------------------ pixels

const spacingBranches = () => [
  Length(SPACING, 'the same spacing between columns and between rows'),
  Obj({ col: Length(SPACING), row: Length(SPACING) }, 'col: between adjacent columns; row: between adjacent rows'),
  Tuple(Length(SPACING), 2, 'DICOM order: [between rows, between columns]'),
] as const;
const isList = (v: unknown): boolean => {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
};

/** A pixel spacing: one number, { col, row }, or DICOM's [between rows, between columns] (a detector's: anything else an object). */
export const PixelSpacing = OneOf([...spacingBranches()], (v) => (typeof v === 'number' || typeof v === 'string' ? 0 : isList(v) ? 2 : 1));
/** The same, as a tomosynthesis block reads it (anything not an object or array a length). */
export const SlicePixelSpacing = OneOf([...spacingBranches()], (v) => (Array.isArray(v) ? 2 : v !== null && typeof v === 'object' ? 1 : 0));
export type PixelSpacingParsed = StaticDecode<typeof PixelSpacing>;

/** A pixel position: { col, row } or [col, row]. */
export const Pixel = OneOf([
  Obj({ col: Num(PIXEL), row: Num(PIXEL) }),
  Tuple(Num(PIXEL), 2, '[col, row]'),
], (v) => (isList(v) ? 1 : 0), 'a pixel position: column and row, 0\\0 the top-left corner of the top-left pixel');
export type PixelParsed = StaticDecode<typeof Pixel>;

/** { col, row } from any form of a spacing. */
export function spacingOf(s: PixelSpacingParsed): { col: number; row: number } {
  if (typeof s === 'number') return { col: s, row: s };
  if (Array.isArray(s)) return { col: s[1], row: s[0] };
  return { col: s.col, row: s.row };
}
/** { col, row } from either form of a pixel. */
export function pixelOf(p: PixelParsed): { col: number; row: number } {
  return Array.isArray(p) ? { col: p[0], row: p[1] } : { col: p.col, row: p.row };
}

export const Detector = Obj({
  pixelSpacing: PixelSpacing,
  origin: Pixel,
  colAxis: Opt(Default(Enum(['+x', '-x'] as const, 'the frame axis columns increase along (default "+x")'), '+x')),
  rowAxis: Opt(Default(Enum(['+y', '-y'] as const, 'the frame axis rows increase along (default "+y")'), '+y')),
}, 'pixel calibration for marks given in pixels');
export type DetectorParsed = StaticDecode<typeof Detector>;

// ------------------------------------------------------------------ marks

/** The angle of each parsed mark as received (for `received` in the rules' issues), kept without reading the request again. */
export const rawAngle = new WeakMap<object, unknown>();
const keepAngle = (v: object, _c: Checker, _p: Path, raw: Plain): void => void rawAngle.set(v, raw.angle);

const ViewAngle = Angle({ above: -90, below: 90 });
// Label first: the order the marks were always checked in.
export const MmView = withChecks(checkOrder(Obj({
  angle: ViewAngle,
  u: Length(MARK_RANGE),
  v: Length(MARK_RANGE),
  label: Opt(Str()),
}, 'a mark in detector millimetres'), ['label', 'angle', 'u', 'v']), keepAngle);

export const PixelView = withChecks(checkOrder(Obj({
  angle: ViewAngle,
  col: Num(PIXEL),
  row: Num(PIXEL),
  label: Opt(Str()),
}, 'a mark in pixels (needs detector)'), ['label', 'angle', 'col', 'row']), keepAngle, (_v, c, path, raw) => {
  if ('u' in raw || 'v' in raw) c.add('invalid_value', path, 'either u and v (mm) or col and row (pixels), not both', raw);
});

/** A mark with col or row is in pixels (a proxy whose `has` throws is read as a mark in mm). */
export function isPixelMark(item: unknown): boolean {
  try {
    return item !== null && typeof item === 'object' && ('col' in item || 'row' in item);
  } catch {
    return false;
  }
}

export const View = OneOf([MmView, PixelView], (v) => (isPixelMark(v) ? 1 : 0));
export type ViewParsed = StaticDecode<typeof View>;

/** Detector mm from a pixel position, through the request's calibration. */
export function pixelToMark(d: DetectorParsed, col: number, row: number): { u: number; v: number } {
  const s = spacingOf(d.pixelSpacing);
  const o = pixelOf(d.origin);
  return {
    u: (d.colAxis === '+x' ? 1 : -1) * (col - o.col) * s.col,
    v: (d.rowAxis === '+y' ? 1 : -1) * (row - o.row) * s.row,
  };
}

/** A pixel mark lands within the mark range of the origin. */
export const markInRange = (x: number): boolean => Math.abs(x) <= MARK_RANGE.max;

// ------------------------------------------------------------------ the stereo request

const Thickness = Length({ above: 0, max: 300 }, 'compressed thickness');

export const StereoRequest = withRules(withChecks(checkOrder(Obj({
  id: Opt(Str()),
  geometry: Geometry,
  thickness: Thickness,
  views: Arr(View, 2, 64),
  detector: Opt(Detector),
  imageSigma: Opt(Length({ min: 0, max: 10 }, '1-sigma marking error per detector coordinate')),
  maxRayGap: Opt(Default(Length({ above: 0, max: 100 }, 'default 1'), DEFAULT_MAX_RAY_GAP)),
  needle: Opt(Needle),
}, 'a stereo targeting request (targeting.md section 4)'),
// The marks last: a mark in pixels is converted through the detector.
['id', 'geometry', 'thickness', 'detector', 'imageSigma', 'maxRayGap', 'needle', 'views']),
(r, c, _path, raw) => {
  // Pixel marks need the calibration (one issue however many), and must land on the detector.
  if (!r.views) return;
  r.views.forEach((view, k) => {
    if (!('col' in view)) return;
    if (raw.detector === undefined) {
      c.add('missing_field', ['detector'], 'a detector calibration (pixelSpacing, origin) for pixel marks', undefined,
        `views[${k}] is given in pixels (col, row): the request needs a detector calibration (pixelSpacing, origin)`);
    } else if (r.detector) {
      const { u, v } = pixelToMark(r.detector, view.col, view.row);
      if (!markInRange(u)) c.add('out_of_range', ['views', k, 'col'], 'a pixel within 1000 mm of the origin', view.col);
      if (!markInRange(v)) c.add('out_of_range', ['views', k, 'row'], 'a pixel within 1000 mm of the origin', view.row);
    }
  });
}),
// Once every field is valid: the breast under the source, and distinct views each with the source above it.
(r, c, _path, raw) => {
  const g = r.geometry;
  const t = r.thickness;
  if (!thicknessBelowSource(t, g.sourceToSupport)) {
    c.add('invalid_geometry', ['thickness'], `less than sourceToSupport (${g.sourceToSupport} mm)`, raw.thickness);
  }
  const views = r.views;
  for (let k = 0; k < views.length; k++) {
    const angle = views[k].angle;
    // Every earlier view at this angle (sameAngleBefore finds the first, for the fast path).
    for (let j = 0; j < k; j++) {
      if (sameAngle(views[j].angle, angle)) {
        c.add('duplicate_value', ['views', k, 'angle'], `an angle different from views[${j}].angle (${views[j].angle} deg)`, rawAngle.get(views[k]));
      }
    }
    if (!sourceAboveBreast(g, k, angle, t)) {
      c.add('invalid_geometry', ['views', k, 'angle'],
        `an angle that keeps the source above the compressed breast (source z ${sourceHeight(g, k, angle).toFixed(1)} mm <= thickness ${t} mm)`,
        rawAngle.get(views[k]));
    }
  }
});
export type StereoRequestParsed = StaticDecode<typeof StereoRequest>;

// ------------------------------------------------------------------ tomosynthesis

export const Frame = Obj({ z: Length(MARK_RANGE, 'the frame\'s height'), pixelSpacing: Opt(SlicePixelSpacing) });

export const Tomosynthesis = withChecks(checkOrder(Obj({
  slice: Int({ min: -MAX_SLICES, max: MAX_SLICES }, 'the slice the lesion is sharpest in, numbered from firstSlice'),
  col: Num(PIXEL, 'the lesion\'s column in that slice'),
  row: Num(PIXEL, 'the lesion\'s row in that slice'),
  firstSlice: Opt(Default(Int({ min: -MAX_SLICES, max: MAX_SLICES }, 'number of the first slice (vendor convention; default 1)'), 1)),
  sliceDirection: Opt(Default(Enum(['+z', '-z'] as const, 'which way slice numbers run (vendor convention; default "+z": away from the support). Not with frames'), '+z')),
  sliceSpacing: Opt(Length({ above: 0, max: 100 }, 'distance between slices')),
  firstSliceHeight: Opt(Length(MARK_RANGE, 'z of the first slice')),
  sliceCount: Opt(Int({ min: 1, max: MAX_SLICES }, 'number of slices, to bound slice')),
  frames: Opt(Arr(Frame, 2, MAX_SLICES, 'per-frame Plane Position (as heights in the frame, strictly monotonic) and Pixel Measures, first slice first')),
  pixelSpacing: Opt(SlicePixelSpacing),
  origin: Pixel,
  colAxis: Opt(Default(Enum(['+x', '-x'] as const), '+x')),
  rowAxis: Opt(Default(Enum(['+y', '-y'] as const), '+y')),
  depthResolution: Opt(Length({ above: 0, max: 100 }, 'half-width of the depth interval; at least half the slice spacing (checked by the engine)')),
}, 'tomosynthesis-guided targeting: the slice and pixel picked', {
  oneOf: [
    { required: ['sliceSpacing', 'firstSliceHeight', 'pixelSpacing'], not: { required: ['frames'] } },
    { required: ['frames'], properties: { sliceSpacing: false, firstSliceHeight: false, sliceCount: false, sliceDirection: false } },
  ],
}), ['slice', 'col', 'row', 'firstSlice', 'sliceDirection', 'origin', 'colAxis', 'rowAxis', 'depthResolution', 'pixelSpacing', 'frames', 'sliceSpacing', 'firstSliceHeight', 'sliceCount']),
(t, c, path, raw) => {
  // Heights from per-frame Plane Positions or from a first height and a spacing, not both;
  // a pixel spacing here or in every frame; then the slice within them.
  let heights = false;
  let spacing = t.pixelSpacing !== undefined;
  if (raw.frames !== undefined) {
    if (raw.sliceSpacing !== undefined || raw.firstSliceHeight !== undefined || raw.sliceCount !== undefined) {
      c.add('invalid_value', path, 'either frames (per-frame Plane Position) or firstSliceHeight and sliceSpacing, not both', 'both');
    }
    if (raw.sliceDirection !== undefined) c.add('invalid_value', [...path, 'sliceDirection'], 'no sliceDirection with frames: their heights give the direction', raw.sliceDirection);
    const frames = t.frames;
    if (frames) {
      // Heights must run one way, slice after slice: the Plane Positions of one reconstruction.
      const dir = Math.sign(frames[1].z - frames[0].z);
      heights = true;
      for (let k = 1; k < frames.length; k++) {
        if (dir === 0 || Math.sign(frames[k].z - frames[k - 1].z) !== dir) {
          c.add('invalid_value', [...path, 'frames', k, 'z'], `heights strictly ${dir < 0 ? 'decreasing' : 'increasing'} from frame to frame`, ((raw.frames as unknown[])[k] as Plain).z);
          heights = false;
          break;
        }
      }
      if (heights) {
        if (frames.every((f) => f.pixelSpacing !== undefined)) spacing = true;
        else if (raw.pixelSpacing === undefined) {
          c.add('missing_field', [...path, 'pixelSpacing'], 'a pixel spacing for the slices (here, or in every frame)', undefined);
        }
      }
    }
  } else {
    for (const k of ['sliceSpacing', 'firstSliceHeight']) {
      if (raw[k] === undefined) c.add('missing_field', [...path, k], 'a value (or per-frame heights in frames)', undefined);
    }
    if (raw.pixelSpacing === undefined) c.add('missing_field', [...path, 'pixelSpacing'], 'the pixel spacing in the slice plane', undefined);
    heights = t.sliceSpacing !== undefined && t.firstSliceHeight !== undefined;
  }
  if (t.slice === undefined || t.col === undefined || t.row === undefined || t.firstSlice === undefined || !t.sliceDirection || !t.origin || !t.colAxis || !t.rowAxis || !heights || !spacing) return;
  const count = t.frames ? t.frames.length : t.sliceCount;
  if (t.slice < t.firstSlice || (count !== undefined && t.slice > t.firstSlice + count - 1)) {
    c.add('out_of_range', [...path, 'slice'], `a slice from ${t.firstSlice}${count !== undefined ? ` to ${t.firstSlice + count - 1}` : ''}`, raw.slice);
  }
});
export type TomosynthesisParsed = StaticDecode<typeof Tomosynthesis>;

/**
 * The spacing at slice index k: the grid's, or with per-frame heights the larger gap to
 * the neighbouring frames (uneven spacing).
 */
export function spacingAt(heights: readonly number[] | { spacing: number }, k: number): number {
  if (!Array.isArray(heights)) return (heights as { spacing: number }).spacing;
  const h = heights as readonly number[];
  const below = k > 0 ? Math.abs(h[k] - h[k - 1]) : 0;
  const above = k < h.length - 1 ? Math.abs(h[k + 1] - h[k]) : 0;
  return Math.max(below, above);
}

const halfSpacing = (t: TomosynthesisParsed): number =>
  spacingAt(t.frames ? t.frames.map((f) => f.z) : { spacing: t.sliceSpacing! }, t.slice - t.firstSlice!) / 2;

export const TomosynthesisRequest = withRules(Obj({
  id: Opt(Str()),
  thickness: Thickness,
  tomosynthesis: Tomosynthesis,
  imageSigma: Opt(Length({ min: 0, max: 10 }, '1-sigma marking error in the slice plane')),
  needle: Opt(Needle),
}, 'a tomosynthesis-guided targeting request'), (r, c, _path, raw) => {
  const half = halfSpacing(r.tomosynthesis);
  const d = r.tomosynthesis.depthResolution;
  if (d !== undefined && d < half) {
    c.add('out_of_range', ['tomosynthesis', 'depthResolution'], `at least half the slice spacing (${half} mm): the in-focus slice cannot place the lesion closer than that`, (raw.tomosynthesis as Plain).depthResolution);
  }
});
export type TomosynthesisRequestParsed = StaticDecode<typeof TomosynthesisRequest>;

/** A request with a `tomosynthesis` block is one (plain objects only; anything else is read as stereo and refused there). */
export function isTomosynthesisRequest(request: unknown): boolean {
  return request !== null && typeof request === 'object' && !Array.isArray(request) && 'tomosynthesis' in request;
}

export const TargetingRequest = OneOf([StereoRequest, TomosynthesisRequest], (r) => (isTomosynthesisRequest(r) ? 1 : 0));

/** One request or an array of them (what `stereotax target` reads). */
export const TargetingRequests = AnyOf([TargetingRequest, Arr(TargetingRequest, 1)], (r) => (Array.isArray(r) ? 1 : 0));

/** The first earlier view (index < k) at the same angle, or -1. */
export function sameAngleBefore(views: readonly { angle: number }[], k: number, angle: number): number {
  for (let j = 0; j < k; j++) if (sameAngle(views[j].angle, angle)) return j;
  return -1;
}

/**
 * What scripts/fast-paths.mjs generates the fast path (fast-path.generated.ts) from: the
 * common request (marks in mm, a vertical needle or none) read from StereoRequest's
 * definition. A field in `skip` sends the request to the complete check; `only` narrows
 * an enum; `branch` picks a union's branch (the other branches step aside); `build`
 * names the function (input.ts, needle/vertical.ts) each object is built with, from its
 * fields in declared order; `rules` are the cross-field rules above as calls of the same
 * predicates ($name: that field's value; geometry, thickness, views, k: the request's).
 */
export const FAST_PATH = {
  root: StereoRequest,
  name: 'request',
  skip: { request: ['detector'], needle: ['lateral'] } as Record<string, string[]>,
  only: { approach: ['vertical'] } as Record<string, string[]>,
  branch: { views: 0 } as Record<string, number>,
  items: { views: 'view' } as Record<string, string>,
  build: { request: 'targetingInput', geometry: 'unitGeometry', view: 'viewMark', needle: 'needleOptions', device: 'needleDevice' } as Record<string, string>,
  rules: {
    geometry: ['supportWithinDetector($sourceToDetector, $sourceToSupport)', 'axisBelowSource($sourceToSupport, $rotationAxisHeight)'],
    request: ['thicknessBelowSource($thickness, $geometry.sourceToSupport)'],
    view: ['sameAngleBefore(views, k, $angle) < 0', 'sourceAboveBreast(geometry, k, $angle, thickness)'],
  } as Record<string, string[]>,
  imports: {
    './request-schema.js': ['axisBelowSource', 'sameAngleBefore', 'sourceAboveBreast', 'supportWithinDetector', 'thicknessBelowSource'],
    './input.js': ['targetingInput', 'unitGeometry', 'viewMark'],
    '../needle/vertical.js': ['needleDevice', 'needleOptions'],
  } as Record<string, string[]>,
};
