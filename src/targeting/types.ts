/**
 * The targeting request and result types and the limits they share, in a file of their own:
 * the request, fast path, compute and findings files and tomosynthesis.ts all import these
 * without importing each other (the type cycle through targeting.ts is gone).
 */
import type { Finding } from '../core/findings.js';
import type { RequestNeedleResult } from '../needle/checks.js';
import type { NeedleOptions } from '../needle/vertical.js';
import type { UnitGeometry, Vec3 } from './geometry.js';
import type { Uncertainty } from './uncertainty.js';

export interface ViewMark {
  /** Tube angle in degrees; positive when the source is on the +x side. */
  angle: number;
  /** Detector point (mm) in the frame's x and y. */
  u: number;
  v: number;
}

export interface DetectorCalibration {
  /**
   * Spacing between columns (along a row) and between rows, mm. Given as one number,
   * as { col, row }, or as DICOM's [between rows, between columns].
   */
  pixelSpacing: { col: number; row: number };
  /** The pixel under the frame's origin (x = 0, y = 0): { col, row } or [col, row]. */
  origin: { col: number; row: number };
  /** Frame axis along which columns increase (default "+x"). */
  colAxis: '+x' | '-x';
  /** Frame axis along which rows increase (default "+y"). */
  rowAxis: '+y' | '-y';
}

export interface TargetingInput {
  id?: string;
  geometry: UnitGeometry;
  thickness: number;
  views: ViewMark[];
  imageSigma?: number;
  maxRayGap: number;
  needle?: NeedleOptions;
}

export interface TargetingResult {
  id?: string;
  target: Vec3;
  depthFromSkin: number;
  /** Two views only: shortest distance between the two rays. */
  rayGap?: number;
  /** Three or more views: the ray gap of every pair, as { views: [j, k], gap }. */
  pairwiseRayGaps?: { views: [number, number]; gap: number }[];
  rayDistances: number[];
  /** Symmetric pair +a/-a only: the textbook parallel-beam estimate. */
  classic?: Vec3;
  uncertainty?: Uncertainty;
  /** Vertical: spec section 5. Lateral: clearances from support and paddle, entry skin and far skin. */
  needle?: RequestNeedleResult;
  /** The marks used, in mm on the detector (after any pixel conversion). */
  marks: ViewMark[];
  findings: Finding[];
}

export const DEFAULT_MAX_RAY_GAP = 1.0;
/** Two views closer than this in angle are the same view. */
export const MIN_ANGLE_SEPARATION = 1e-6;
/** Below this spread the depth is poorly determined: a warning, not an error. */
export const SMALL_STEREO_SPREAD = 5;
/**
 * Two views form a symmetric pair (+a/-a, for the classic estimate) when their angles
 * sum to within this many degrees: unit strings in radians do not land exactly on
 * whole degrees (-0.2617993877991494 rad is -14.999999999999998 deg).
 */
export const SYMMETRY_TOLERANCE = 1e-9;
