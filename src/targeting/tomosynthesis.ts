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
import { parseValue, parseWith } from '../core/schema/index.js';
import type { Checker, Path } from '../core/validate.js';
import { requestNeedle } from '../needle/checks.js';
import { toNeedleOptions, type NeedleOptions } from '../needle/vertical.js';
import {
  isTomosynthesisRequest, Pixel, pixelOf, SlicePixelSpacing, spacingAt, spacingOf, TomosynthesisRequest,
  type TomosynthesisParsed, type TomosynthesisRequestParsed,
} from './request-schema.js';
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

/** A pixel spacing: one number, { col, row }, or DICOM's [between rows, between columns] (request-schema.ts's SlicePixelSpacing). */
export function checkPixelSpacing(c: Checker, sp: unknown, path: Path): PixelSpacing | undefined {
  const s = parseValue(c, SlicePixelSpacing, sp, path);
  return s === undefined ? undefined : spacingOf(s);
}

/** A pixel position: { col, row } or [col, row] (request-schema.ts's Pixel). */
export function checkPixelOrigin(c: Checker, v: unknown, path: Path): { col: number; row: number } | undefined {
  const p = parseValue(c, Pixel, v, path);
  return p && pixelOf(p);
}

/** A parsed tomosynthesis block as the engine's setup: heights and per-frame spacings resolved. */
function toSetup(t: TomosynthesisParsed): TomosynthesisSetup {
  const block = t.pixelSpacing === undefined ? undefined : spacingOf(t.pixelSpacing);
  let heights: TomosynthesisSetup['heights'];
  let pixelSpacing: TomosynthesisSetup['pixelSpacing'];
  if (t.frames) {
    heights = t.frames.map((f) => f.z);
    const own = t.frames.map((f) => (f.pixelSpacing === undefined ? undefined : spacingOf(f.pixelSpacing)));
    pixelSpacing = own.every((s) => s !== undefined) ? own as PixelSpacing[] : own.map((s) => s ?? block!);
  } else {
    heights = { first: t.firstSliceHeight!, spacing: t.sliceSpacing!, ...(t.sliceCount !== undefined ? { count: t.sliceCount } : {}) };
    pixelSpacing = block!;
  }
  return {
    slice: t.slice, col: t.col, row: t.row, firstSlice: t.firstSlice!, sliceDirection: t.sliceDirection!, heights, pixelSpacing,
    origin: pixelOf(t.origin), colAxis: t.colAxis!, rowAxis: t.rowAxis!, ...(t.depthResolution !== undefined ? { depthResolution: t.depthResolution } : {}),
  };
}

/** A parsed tomosynthesis request as the engine's input. */
export function toTomosynthesisInput(r: TomosynthesisRequestParsed): TomosynthesisInput {
  const input: TomosynthesisInput = { thickness: r.thickness, tomosynthesis: toSetup(r.tomosynthesis) };
  if (r.id !== undefined) input.id = r.id;
  if (r.imageSigma !== undefined) input.imageSigma = r.imageSigma;
  if (r.needle) input.needle = toNeedleOptions(r.needle);
  return input;
}

/** Index of the picked slice among the heights, first slice 0. */
function sliceIndex(t: TomosynthesisSetup): number {
  return t.slice - t.firstSlice;
}

/** z of slice index k, with the spacing to its neighbours (the larger of the two gaps). */
function sliceHeight(t: TomosynthesisSetup, k: number): { z: number; spacing: number } {
  const sign = t.sliceDirection === '+z' ? 1 : -1;
  if (!Array.isArray(t.heights)) return { z: t.heights.first + sign * k * t.heights.spacing, spacing: t.heights.spacing };
  return { z: t.heights[k], spacing: spacingAt(t.heights, k) };
}

function sliceSpacingOf(t: TomosynthesisSetup, k: number): PixelSpacing {
  return Array.isArray(t.pixelSpacing) ? t.pixelSpacing[k] : t.pixelSpacing;
}

/**
 * Checks a request with a `tomosynthesis` block completely; returns undefined for any
 * other request (a stereo request: request.ts validates it). Throws StereotaxError.
 */
export function parseTomosynthesisRequest(request: unknown): TomosynthesisInput | undefined {
  if (!isTomosynthesisRequest(request)) return undefined;
  return toTomosynthesisInput(parseWith(TomosynthesisRequest, request));
}

/** 1 / sqrt(3): the standard deviation of an error spread evenly over +/- 1. */
const UNIFORM_SD = 1 / Math.sqrt(3);

/** Target, uncertainty, needle and findings of a validated tomosynthesis request. */
export function computeTomosynthesis(input: TomosynthesisInput): TomosynthesisResult {
  const t = input.tomosynthesis;
  const k = sliceIndex(t);
  const { z, spacing } = sliceHeight(t, k);
  const ps = sliceSpacingOf(t, k);
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
