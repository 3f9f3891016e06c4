/**
 * The unit profile (spec dicom.md section 2): what DICOM does not carry about a
 * stereotactic unit (rotation axis, angle sign, the detector pixel under the frame's
 * origin and the axis directions), plus optional overrides of the headers.
 */
import { StereotaxError, type Issue } from '../core/errors.js';
import { Checker, type Path, type Plain } from '../core/validate.js';
import { parseTargetingRequest } from '../targeting/targeting.js';
import { checkPixelOrigin, checkPixelSpacing } from '../targeting/tomosynthesis.js';

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

/** The default consoleTolerance: the QA spec's default calculation tolerance (qa.md section 2). */
export const DEFAULT_CONSOLE_TOLERANCE = 0.1;

export const PROFILE_FIELDS = ['id', 'rotationAxisHeight', 'angleSign', 'detector', 'sourceToDetector', 'sourceToSupport', 'pixelSpacing',
  'imageSigma', 'maxRayGap', 'needle', 'consoleTolerance'] as const;
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

/** Checks a unit profile completely; throws a StereotaxError (paths under `profile`) listing every issue. */
export function parseUnitProfile(value: unknown): UnitProfile {
  const c = new Checker();
  const P: Path = ['profile'];
  const p = c.object(value, P, PROFILE_FIELDS, ['rotationAxisHeight', 'angleSign', 'detector']);
  if (!p) c.done();
  const id = c.optional(p, 'id', (v) => c.string(v, [...P, 'id']));
  const rotationAxisHeight = p!.rotationAxisHeight === undefined ? undefined : c.length(p!.rotationAxisHeight, [...P, 'rotationAxisHeight'], { min: -2000, max: 2000 });
  let angleSign: 1 | -1 | undefined;
  if (p!.angleSign !== undefined) {
    const s = c.number(p!.angleSign, [...P, 'angleSign']);
    if (s === 1 || s === -1) angleSign = s;
    else if (s !== undefined) c.add('invalid_value', [...P, 'angleSign'], '1 or -1', p!.angleSign);
  }
  let detector: UnitProfile['detector'] | undefined;
  if (p!.detector !== undefined) {
    const DP: Path = [...P, 'detector'];
    const d = c.object(p!.detector, DP, ['origin', 'colAxis', 'rowAxis'], ['origin']);
    const o = d && d.origin !== undefined ? checkPixelOrigin(c, d.origin, [...DP, 'origin']) : undefined;
    const colAxis = c.optional(d, 'colAxis', (v) => c.oneOf(v, [...DP, 'colAxis'], ['+x', '-x'] as const), '+x');
    const rowAxis = c.optional(d, 'rowAxis', (v) => c.oneOf(v, [...DP, 'rowAxis'], ['+y', '-y'] as const), '+y');
    if (o && colAxis && rowAxis) detector = { origin: o, colAxis, rowAxis };
  }
  const sourceToDetector = c.optional(p, 'sourceToDetector', (v) => c.length(v, [...P, 'sourceToDetector'], { min: 100, max: 2000 }));
  const sourceToSupport = c.optional(p, 'sourceToSupport', (v) => c.length(v, [...P, 'sourceToSupport'], { min: 50, max: 2000 }));
  const pixelSpacing = c.optional(p, 'pixelSpacing', (v) => checkPixelSpacing(c, v, [...P, 'pixelSpacing']));
  const consoleTolerance = c.optional(p, 'consoleTolerance', (v) => c.length(v, [...P, 'consoleTolerance'], { min: 0, max: 100 }), DEFAULT_CONSOLE_TOLERANCE);
  checkPassedOn(c, p!);
  c.done();
  const out: UnitProfile = { rotationAxisHeight: rotationAxisHeight!, angleSign: angleSign!, detector: detector!, consoleTolerance: consoleTolerance! };
  if (id !== undefined) out.id = id;
  if (sourceToDetector !== undefined) out.sourceToDetector = sourceToDetector;
  if (sourceToSupport !== undefined) out.sourceToSupport = sourceToSupport;
  if (pixelSpacing) out.pixelSpacing = pixelSpacing;
  for (const k of PASSED_ON) if (p![k] !== undefined) out[k] = p![k] as never;
  return out;
}
