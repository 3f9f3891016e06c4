/**
 * The unit profile (spec dicom.md section 2): what DICOM does not carry about a
 * stereotactic unit (rotation axis, angle sign, the detector pixel under the frame's
 * origin and the axis directions), plus optional overrides of the headers.
 */
import { StereotaxError, type Issue } from '../core/errors.js';
import { parseValue } from '../core/schema/parse.js';
import { Checker, type Plain } from '../core/validate.js';
import { passedOn, UnitProfile as UnitProfileSchema } from './schema.js';
import { parseTargetingRequest } from '../targeting/targeting.js';

export interface UnitProfile {
  id?: string;
  rotationAxisHeight: number;
  /** +1 or -1: turns Positioner Primary Angle into the frame's angle (positive: source on the +x side). */
  angleSign: 1 | -1;
  detector: {
    /** Localizing Cursor Position (column, row) under the frame's origin. */
    origin: { col: number; row: number };
    colAxis: '+x' | '-x';
    rowAxis: '+y' | '-y';
  };
  /** Overrides of (0018,1110), (0018,1111) and the pixel spacing. */
  sourceToDetector?: number;
  sourceToSupport?: number;
  pixelSpacing?: { col: number; row: number };
  /** Passed to every targeting request (targeting.md section 4). */
  imageSigma?: number;
  maxRayGap?: number;
  needle?: unknown;
  /** Largest |console - ours| on any axis before `console_disagrees` (default 0.1 mm). */
  consoleTolerance: number;
}

export { DEFAULT_CONSOLE_TOLERANCE } from './schema.js';

/** The fields of a profile, in the order of its definition. */
export const PROFILE_FIELDS = Object.keys(UnitProfileSchema.properties) as readonly (keyof typeof UnitProfileSchema.properties)[];
const PASSED_ON = ['imageSigma', 'maxRayGap', 'needle'] as const;

/**
 * imageSigma, maxRayGap and needle go into every targeting request unchanged: they are
 * checked by the targeting validator itself, on a request that is valid otherwise, and
 * its issues are reported under `profile`.
 */
function checkPassedOn(c: Checker, p: Plain): void {
  const extra = Object.fromEntries(PASSED_ON.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
  if (!Object.keys(extra).length) return;
  try {
    parseTargetingRequest({
      geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, thickness: 40,
      views: [{ angle: 15, u: 0, v: 0 }, { angle: -15, u: 0, v: 0 }], ...extra,
    });
  } catch (err) {
    if (!(err instanceof StereotaxError)) throw err;
    for (const i of err.issues) c.issues.push(prefixIssue(i, 'profile'));
  }
}

export function prefixIssue(i: Issue, prefix: string): Issue {
  const path = i.path ? (i.path.startsWith('[') ? `${prefix}${i.path}` : `${prefix}.${i.path}`) : prefix;
  return { ...i, path, message: i.message.startsWith(i.path) && i.path ? `${path}${i.message.slice(i.path.length)}` : `${prefix}: ${i.message}` };
}

type Pair = { col: number; row: number };
const pixelOf = (v: Pair | number[]): Pair => (Array.isArray(v) ? { col: v[0], row: v[1] } : { col: v.col, row: v.row });
/** DICOM's order in the array form: between rows, then between columns. */
const spacingOf = (v: number | Pair | number[]): Pair =>
  (typeof v === 'number' ? { col: v, row: v } : Array.isArray(v) ? { col: v[1], row: v[0] } : { col: v.col, row: v.row });

/** Checks a unit profile completely; throws a StereotaxError (paths under `profile`) listing every issue. */
export function parseUnitProfile(value: unknown): UnitProfile {
  const c = new Checker();
  const p = parseValue(c, UnitProfileSchema, value, ['profile']);
  checkPassedOn(c, passedOn(c));
  c.done();
  const out: UnitProfile = { rotationAxisHeight: p!.rotationAxisHeight, angleSign: p!.angleSign, detector: { ...p!.detector, origin: pixelOf(p!.detector.origin) } as UnitProfile['detector'], consoleTolerance: p!.consoleTolerance! };
  if (p!.id !== undefined) out.id = p!.id;
  if (p!.sourceToDetector !== undefined) out.sourceToDetector = p!.sourceToDetector;
  if (p!.sourceToSupport !== undefined) out.sourceToSupport = p!.sourceToSupport;
  if (p!.pixelSpacing !== undefined) out.pixelSpacing = spacingOf(p!.pixelSpacing);
  for (const k of PASSED_ON) if (p![k] !== undefined) out[k] = p![k] as never;
  return out;
}
