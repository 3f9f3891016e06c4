/**
 * Tomosynthesis-guided targeting: the physician picks the reconstructed slice in
 * which the lesion is sharpest and the pixel in it. x and y come from the pixel in
 * that slice's plane, z from the slice's height above the breast support; there are
 * no rays to triangulate. The result has the shape of a stereo targeting result
 * (targeting.md section 4) plus a `tomosynthesis` block; `rayDistances` and `marks`
 * are empty. Depth is only known to within the slice: the uncertainty states it.
 */
import { mm, type Finding } from '../core/findings.js';
import { belowMin, exceedsMax } from '../core/limits.js';
import { Checker, type Path, type Plain } from '../core/validate.js';
import { requestNeedle } from '../needle/checks.js';
import { checkNeedle, type NeedleOptions } from '../needle/vertical.js';
import type { Vec3 } from './geometry.js';
import type { TargetingResult } from './types.js';
import { ellipsoid95, type Matrix3, type Uncertainty } from './uncertainty.js';

export interface PixelSpacing { col: number; row: number }

export interface TomosynthesisSetup {
  /** Slice number as the console shows it, counted from `firstSlice`. */
  slice: number;
  /** Pixel in the slice: column and row, 0\0 the top-left corner of the top-left pixel (as Localizing Cursor Position). */
  col: number;
  row: number;
  /** Number of the first slice (vendor convention; default 1, as DICOM frame numbers). */
  firstSlice: number;
  /** Which way slice numbers run (vendor convention; default "+z": away from the support). */
  sliceDirection: '+z' | '-z';
  /** Height (z) of every slice, first slice first: from `frames`, or from firstSliceHeight and sliceSpacing. */
  heights: number[] | { first: number; spacing: number; count?: number };
  /** Pixel spacing in the slice plane, per frame when the frames give their own. */
  pixelSpacing: PixelSpacing | PixelSpacing[];
  origin: { col: number; row: number };
  colAxis: '+x' | '-x';
  rowAxis: '+y' | '-y';
  /** Half-width (mm) of the depth interval, when the request gives one. */
  depthResolution?: number;
}

export interface TomosynthesisInput {
  id?: string;
  thickness: number;
  tomosynthesis: TomosynthesisSetup;
  imageSigma?: number;
  needle?: NeedleOptions;
}

export interface TomosynthesisUncertainty extends Uncertainty {
  /** Half-width (mm) of the interval the lesion's z lies in: at least half the slice spacing. */
  depthResolution: number;
  /** Where depthResolution comes from. */
  depthResolutionSource: string;
}

export interface TomosynthesisBlock {
  slice: number;
  col: number;
  row: number;
  /** z of the picked slice (= target.z). */
  sliceHeight: number;
  /** Distance to the neighbouring slices (the larger, with frames of uneven spacing). */
  sliceSpacing: number;
  pixelSpacing: PixelSpacing;
  /** The vendor conventions applied: slice numbering and direction, the pixel under the frame's origin, the axes. */
  vendorConventions: { firstSlice: number; sliceDirection: '+z' | '-z'; origin: { col: number; row: number }; colAxis: '+x' | '-x'; rowAxis: '+y' | '-y' };
}

export type TomosynthesisResult = TargetingResult & { uncertainty: TomosynthesisUncertainty; tomosynthesis: TomosynthesisBlock };

const REQUEST_FIELDS = ['id', 'thickness', 'tomosynthesis', 'imageSigma', 'needle'];
const SETUP_FIELDS = ['slice', 'col', 'row', 'firstSlice', 'sliceDirection', 'sliceSpacing', 'firstSliceHeight', 'sliceCount', 'frames',
  'pixelSpacing', 'origin', 'colAxis', 'rowAxis', 'depthResolution'];
const PIXEL = { min: -1e6, max: 1e6 };
const SPACING = { above: 0, max: 10 };
const MAX_SLICES = 10000;

/** A pixel spacing: one number, { col, row }, or DICOM's [between rows, between columns]. */
export function checkPixelSpacing(c: Checker, sp: unknown, path: Path): PixelSpacing | undefined {
  if (Array.isArray(sp)) {
    const a = c.array(sp, path, 2, 2);
    const row = a && c.length(a[0], [...path, 0], SPACING);
    const col = a && c.length(a[1], [...path, 1], SPACING);
    return col !== undefined && row !== undefined ? { col, row } : undefined;
  }
  if (sp !== null && typeof sp === 'object') {
    const o = c.object(sp, path, ['col', 'row'], ['col', 'row']);
    const col = o && c.length(o.col, [...path, 'col'], SPACING);
    const row = o && c.length(o.row, [...path, 'row'], SPACING);
    return col !== undefined && row !== undefined ? { col, row } : undefined;
  }
  const s = c.length(sp, path, SPACING);
  return s === undefined ? undefined : { col: s, row: s };
}

/** A pixel position: { col, row } or [col, row]. */
export function checkPixelOrigin(c: Checker, v: unknown, path: Path): { col: number; row: number } | undefined {
  let col: number | undefined, row: number | undefined;
  if (Array.isArray(v)) {
    const a = c.array(v, path, 2, 2);
    col = a && c.number(a[0], [...path, 0], PIXEL);
    row = a && c.number(a[1], [...path, 1], PIXEL);
  } else {
    const o = c.object(v, path, ['col', 'row'], ['col', 'row']);
    col = o && c.number(o.col, [...path, 'col'], PIXEL);
    row = o && c.number(o.row, [...path, 'row'], PIXEL);
  }
  return col !== undefined && row !== undefined ? { col, row } : undefined;
}

function checkFrames(c: Checker, v: unknown, path: Path): { heights: number[]; spacing: (PixelSpacing | undefined)[] } | undefined {
  const list = c.array(v, path, 2, MAX_SLICES);
  if (!list) return undefined;
  const heights: number[] = [];
  const spacing: (PixelSpacing | undefined)[] = [];
  let ok = true;
  list.forEach((item, k) => {
    const o = c.object(item, [...path, k], ['z', 'pixelSpacing'], ['z']);
    const z = o && o.z !== undefined ? c.length(o.z, [...path, k, 'z'], { min: -1000, max: 1000 }) : undefined;
    const sp = o && o.pixelSpacing !== undefined ? checkPixelSpacing(c, o.pixelSpacing, [...path, k, 'pixelSpacing']) : undefined;
    if (z === undefined || (o?.pixelSpacing !== undefined && !sp)) ok = false;
    heights.push(z ?? NaN);
    spacing.push(sp);
  });
  if (!ok) return undefined;
  // Heights must run one way, slice after slice: the Plane Positions of one reconstruction.
  const dir = Math.sign(heights[1] - heights[0]);
  for (let k = 1; k < heights.length; k++) {
    if (dir === 0 || Math.sign(heights[k] - heights[k - 1]) !== dir) {
      c.add('invalid_value', [...path, k, 'z'], `heights strictly ${dir < 0 ? 'decreasing' : 'increasing'} from frame to frame`, (list[k] as Plain).z);
      return undefined;
    }
  }
  return { heights, spacing };
}

function checkSetup(c: Checker, value: unknown, path: Path): TomosynthesisSetup | undefined {
  const t = c.object(value, path, SETUP_FIELDS, ['slice', 'col', 'row', 'origin']);
  if (!t) return undefined;
  const slice = t.slice === undefined ? undefined : c.integer(t.slice, [...path, 'slice'], { min: -MAX_SLICES, max: MAX_SLICES });
  const col = t.col === undefined ? undefined : c.number(t.col, [...path, 'col'], PIXEL);
  const row = t.row === undefined ? undefined : c.number(t.row, [...path, 'row'], PIXEL);
  const firstSlice = c.optional(t, 'firstSlice', (v) => c.integer(v, [...path, 'firstSlice'], { min: -MAX_SLICES, max: MAX_SLICES }), 1);
  const sliceDirection = c.optional(t, 'sliceDirection', (v) => c.oneOf(v, [...path, 'sliceDirection'], ['+z', '-z'] as const), '+z');
  const origin = t.origin === undefined ? undefined : checkPixelOrigin(c, t.origin, [...path, 'origin']);
  const colAxis = c.optional(t, 'colAxis', (v) => c.oneOf(v, [...path, 'colAxis'], ['+x', '-x'] as const), '+x');
  const rowAxis = c.optional(t, 'rowAxis', (v) => c.oneOf(v, [...path, 'rowAxis'], ['+y', '-y'] as const), '+y');
  const depthResolution = c.optional(t, 'depthResolution', (v) => c.length(v, [...path, 'depthResolution'], { above: 0, max: 100 }));
  const blockSpacing = c.optional(t, 'pixelSpacing', (v) => checkPixelSpacing(c, v, [...path, 'pixelSpacing']));

  let heights: TomosynthesisSetup['heights'] | undefined;
  let pixelSpacing: TomosynthesisSetup['pixelSpacing'] | undefined = blockSpacing;
  const grid = t.sliceSpacing !== undefined || t.firstSliceHeight !== undefined || t.sliceCount !== undefined;
  if (t.frames !== undefined) {
    if (grid) c.add('invalid_value', path, 'either frames (per-frame Plane Position) or firstSliceHeight and sliceSpacing, not both', 'both');
    if (t.sliceDirection !== undefined) c.add('invalid_value', [...path, 'sliceDirection'], 'no sliceDirection with frames: their heights give the direction', t.sliceDirection);
    const frames = checkFrames(c, t.frames, [...path, 'frames']);
    if (frames) {
      heights = frames.heights;
      if (frames.spacing.every((s) => s !== undefined)) pixelSpacing = frames.spacing as PixelSpacing[];
      else if (!blockSpacing && t.pixelSpacing === undefined) {
        c.add('missing_field', [...path, 'pixelSpacing'], 'a pixel spacing for the slices (here, or in every frame)', undefined);
      } else if (blockSpacing) pixelSpacing = frames.spacing.map((s) => s ?? blockSpacing);
    }
  } else {
    for (const k of ['sliceSpacing', 'firstSliceHeight']) {
      if (t[k] === undefined) c.add('missing_field', [...path, k], 'a value (or per-frame heights in frames)', undefined);
    }
    const spacing = t.sliceSpacing === undefined ? undefined : c.length(t.sliceSpacing, [...path, 'sliceSpacing'], { above: 0, max: 100 });
    const first = t.firstSliceHeight === undefined ? undefined : c.length(t.firstSliceHeight, [...path, 'firstSliceHeight'], { min: -1000, max: 1000 });
    const count = c.optional(t, 'sliceCount', (v) => c.integer(v, [...path, 'sliceCount'], { min: 1, max: MAX_SLICES }));
    if (t.pixelSpacing === undefined) c.add('missing_field', [...path, 'pixelSpacing'], 'the pixel spacing in the slice plane', undefined);
    if (spacing !== undefined && first !== undefined) heights = { first, spacing, ...(count !== undefined ? { count } : {}) };
  }
  if (slice === undefined || col === undefined || row === undefined || firstSlice === undefined || !sliceDirection || !origin || !colAxis || !rowAxis || !heights || !pixelSpacing) return undefined;
  const count = Array.isArray(heights) ? heights.length : heights.count;
  if (slice < firstSlice || (count !== undefined && slice > firstSlice + count - 1)) {
    c.add('out_of_range', [...path, 'slice'], `a slice from ${firstSlice}${count !== undefined ? ` to ${firstSlice + count - 1}` : ''}`, t.slice);
    return undefined;
  }
  return { slice, col, row, firstSlice, sliceDirection, heights, pixelSpacing, origin, colAxis, rowAxis, ...(depthResolution !== undefined ? { depthResolution } : {}) };
}

/** Index of the picked slice among the heights, first slice 0. */
function sliceIndex(t: TomosynthesisSetup): number {
  return t.slice - t.firstSlice;
}

/** z of slice index k, with the spacing to its neighbours (the larger of the two gaps). */
function sliceHeight(t: TomosynthesisSetup, k: number): { z: number; spacing: number } {
  const sign = t.sliceDirection === '+z' ? 1 : -1;
  if (!Array.isArray(t.heights)) return { z: t.heights.first + sign * k * t.heights.spacing, spacing: t.heights.spacing };
  const h = t.heights;
  const below = k > 0 ? Math.abs(h[k] - h[k - 1]) : 0;
  const above = k < h.length - 1 ? Math.abs(h[k + 1] - h[k]) : 0;
  return { z: h[k], spacing: Math.max(below, above) };
}

function spacingOf(t: TomosynthesisSetup, k: number): PixelSpacing {
  return Array.isArray(t.pixelSpacing) ? t.pixelSpacing[k] : t.pixelSpacing;
}

/**
 * Checks a request with a `tomosynthesis` block completely; returns undefined for any
 * other request (a stereo request: targeting.ts validates it). Throws StereotaxError.
 */
export function parseTomosynthesisRequest(request: unknown): TomosynthesisInput | undefined {
  if (request === null || typeof request !== 'object' || Array.isArray(request) || !('tomosynthesis' in request)) return undefined;
  const c = new Checker();
  const req = c.object(request, [], REQUEST_FIELDS, ['thickness', 'tomosynthesis'])!;
  const id = c.optional(req, 'id', (v) => c.string(v, ['id']));
  const thickness = req.thickness === undefined ? undefined : c.length(req.thickness, ['thickness'], { above: 0, max: 300 });
  const tomosynthesis = checkSetup(c, req.tomosynthesis, ['tomosynthesis']);
  const imageSigma = c.optional(req, 'imageSigma', (v) => c.length(v, ['imageSigma'], { min: 0, max: 10 }));
  const needle = c.optional(req, 'needle', (v) => checkNeedle(c, v, ['needle']));
  c.done();
  const t = tomosynthesis!;
  const half = sliceHeight(t, sliceIndex(t)).spacing / 2;
  if (t.depthResolution !== undefined && t.depthResolution < half) {
    c.add('out_of_range', ['tomosynthesis', 'depthResolution'], `at least half the slice spacing (${half} mm): the in-focus slice cannot place the lesion closer than that`, (req.tomosynthesis as Plain).depthResolution);
  }
  c.done();
  const input: TomosynthesisInput = { thickness: thickness!, tomosynthesis: t };
  if (id !== undefined) input.id = id;
  if (imageSigma !== undefined) input.imageSigma = imageSigma;
  if (needle) input.needle = needle;
  return input;
}

/** 1 / sqrt(3): the standard deviation of an error spread evenly over +/- 1. */
const UNIFORM_SD = 1 / Math.sqrt(3);

/** Target, uncertainty, needle and findings of a validated tomosynthesis request. */
export function computeTomosynthesis(input: TomosynthesisInput): TomosynthesisResult {
  const t = input.tomosynthesis;
  const k = sliceIndex(t);
  const { z, spacing } = sliceHeight(t, k);
  const ps = spacingOf(t, k);
  const target: Vec3 = {
    x: (t.colAxis === '+x' ? 1 : -1) * (t.col - t.origin.col) * ps.col,
    y: (t.rowAxis === '+y' ? 1 : -1) * (t.row - t.origin.row) * ps.row,
    z,
  };
  const half = spacing / 2;
  const depthResolution = t.depthResolution ?? half;
  const depthResolutionSource = t.depthResolution !== undefined
    ? `tomosynthesis.depthResolution in the request (at least half the ${mm(spacing, 2)} slice spacing)`
    : `half the slice spacing (${mm(spacing, 2)}${Array.isArray(t.heights) ? ', the larger gap to the neighbouring frames' : ''}): the lesion is sharpest in this slice, so it lies nearer this slice's plane than the next one's. The reconstruction's own depth resolution is coarser for a large lesion; give tomosynthesis.depthResolution from the unit's documentation`;
  const s = input.imageSigma ?? 0;
  const sz = depthResolution * UNIFORM_SD;
  const covariance: Matrix3 = [[s * s, 0, 0], [0, s * s, 0], [0, 0, sz * sz]];
  const uncertainty: TomosynthesisUncertainty = {
    imageSigma: s,
    sigma: { x: s, y: s, z: sz },
    covariance,
    ellipsoid95: ellipsoid95(covariance),
    // d target / d (in-slice mark x, y): the mark is the target's x and y.
    jacobian: [[1, 0], [0, 1], [0, 0]],
    depthResolution,
    depthResolutionSource,
  };

  const result = { ...(input.id !== undefined ? { id: input.id } : {}), target, depthFromSkin: input.thickness - z } as TomosynthesisResult;
  result.rayDistances = [];
  result.uncertainty = uncertainty;
  const findings: Finding[] = [];
  const below = belowMin(z, 0);
  if (below || exceedsMax(z, input.thickness)) {
    findings.push({
      code: 'target_outside_breast',
      severity: 'error',
      message: `slice ${t.slice} is at z ${mm(z)}, ${below ? 'below the breast support (z = 0)' : `above the skin under the paddle (thickness ${mm(input.thickness)})`}: check the slice numbering (firstSlice, sliceDirection) and the thickness read-out.`,
      path: 'target.z',
      value: z,
      limit: below ? 0 : input.thickness,
    });
  }
  if (input.needle) {
    const checked = requestNeedle(target, input.thickness, input.needle);
    result.needle = checked.needle;
    findings.push(...checked.findings);
  }
  result.marks = [];
  result.tomosynthesis = {
    slice: t.slice, col: t.col, row: t.row, sliceHeight: z, sliceSpacing: spacing, pixelSpacing: ps,
    vendorConventions: { firstSlice: t.firstSlice, sliceDirection: t.sliceDirection, origin: t.origin, colAxis: t.colAxis, rowAxis: t.rowAxis },
  };
  result.findings = findings;
  return result;
}
