/**
 * Stereotactic targeting: validated request in, the target in the DICOM breast
 * biopsy frame out, with ray consistency, the legacy parallel-beam estimate, the
 * uncertainty from marking error, the needle block and findings (spec sections 1-6).
 */
import { StereotaxError, makeIssue } from '../core/errors.js';
import { Engine, loadEngine, type LoadOptions } from '../engine/engine.js';
import { TriangulationBatch } from './batch.js';
import { hasError, mm, type Finding } from '../core/findings.js';
import { belowMin, exceedsMax } from '../core/limits.js';
import { detectorGap, sourcePosition, tanDeg, type UnitGeometry, type Vec3 } from './geometry.js';
import { checkNeedle, DEFAULT_MIN_STROKE_MARGIN, DEFAULT_WARN_STROKE_MARGIN, type NeedleDevice, type NeedleOptions } from '../needle/vertical.js';
import { requestNeedle, type RequestNeedleResult } from '../needle/checks.js';
import { ellipsoid95, type Matrix3, type Uncertainty } from './uncertainty.js';
import { Checker, guardParse, isArray, type Path, type Plain } from '../core/validate.js';
import { fastQuantity, type Quantity } from '../core/units.js';
// Tomosynthesis hook (owned by dicom-schemas): a request with a `tomosynthesis` block is parsed and computed there.
import { computeTomosynthesis, parseTomosynthesisRequest, type TomosynthesisInput } from './tomosynthesis.js';

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

const REQUEST_FIELDS = ['id', 'geometry', 'thickness', 'views', 'detector', 'imageSigma', 'maxRayGap', 'needle'];

export function checkGeometry(c: Checker, value: unknown, path: Path): UnitGeometry | undefined {
  const g = c.object(value, path, ['sourceToDetector', 'sourceToSupport', 'rotationAxisHeight'], ['sourceToDetector', 'sourceToSupport', 'rotationAxisHeight']);
  if (!g) return undefined;
  const sourceToDetector = c.length(g.sourceToDetector, [...path, 'sourceToDetector'], { min: 100, max: 2000 });
  const sourceToSupport = c.length(g.sourceToSupport, [...path, 'sourceToSupport'], { min: 50, max: 2000 });
  const rotationAxisHeight = c.length(g.rotationAxisHeight, [...path, 'rotationAxisHeight'], { min: -2000, max: 2000 });
  if (sourceToDetector === undefined || sourceToSupport === undefined || rotationAxisHeight === undefined) return undefined;
  let ok = true;
  if (sourceToSupport > sourceToDetector) {
    ok = !!c.add('invalid_geometry', [...path, 'sourceToSupport'], `at most sourceToDetector (${sourceToDetector} mm): the support cannot be farther from the source than the detector`, g.sourceToSupport);
  }
  if (rotationAxisHeight >= sourceToSupport) {
    ok = !!c.add('invalid_geometry', [...path, 'rotationAxisHeight'], `below the source (< sourceToSupport, ${sourceToSupport} mm)`, g.rotationAxisHeight);
  }
  return ok ? { sourceToDetector, sourceToSupport, rotationAxisHeight } : undefined;
}

function checkDetector(c: Checker, value: unknown, path: Path): DetectorCalibration | undefined {
  const d = c.object(value, path, ['pixelSpacing', 'origin', 'colAxis', 'rowAxis'], ['pixelSpacing', 'origin']);
  if (!d) return undefined;
  let spacing: { col: number; row: number } | undefined;
  const sp = d.pixelSpacing;
  const spRange = { above: 0, max: 10 };
  if (typeof sp === 'number' || typeof sp === 'string') {
    const s = c.length(sp, [...path, 'pixelSpacing'], spRange);
    if (s !== undefined) spacing = { col: s, row: s };
  } else if (isArray(sp)) {
    // DICOM Pixel Spacing (0028,0030) order: between rows, then between columns.
    const a = c.array(sp, [...path, 'pixelSpacing'], 2, 2);
    const row = a && c.length(a[0], [...path, 'pixelSpacing', 0], spRange);
    const col = a && c.length(a[1], [...path, 'pixelSpacing', 1], spRange);
    if (col !== undefined && row !== undefined) spacing = { col, row };
  } else {
    const o = c.object(sp, [...path, 'pixelSpacing'], ['col', 'row'], ['col', 'row']);
    const col = o && c.length(o.col, [...path, 'pixelSpacing', 'col'], spRange);
    const row = o && c.length(o.row, [...path, 'pixelSpacing', 'row'], spRange);
    if (col !== undefined && row !== undefined) spacing = { col, row };
  }
  let ocol: number | undefined, orow: number | undefined;
  const pixel = { min: -1e6, max: 1e6 };
  if (isArray(d.origin)) {
    const a = c.array(d.origin, [...path, 'origin'], 2, 2);
    ocol = a && c.number(a[0], [...path, 'origin', 0], pixel);
    orow = a && c.number(a[1], [...path, 'origin', 1], pixel);
  } else {
    const o = c.object(d.origin, [...path, 'origin'], ['col', 'row'], ['col', 'row']);
    ocol = o && c.number(o.col, [...path, 'origin', 'col'], pixel);
    orow = o && c.number(o.row, [...path, 'origin', 'row'], pixel);
  }
  const colAxis = c.optional(d, 'colAxis', (v) => c.oneOf(v, [...path, 'colAxis'], ['+x', '-x'] as const), '+x');
  const rowAxis = c.optional(d, 'rowAxis', (v) => c.oneOf(v, [...path, 'rowAxis'], ['+y', '-y'] as const), '+y');
  if (!spacing || ocol === undefined || orow === undefined || !colAxis || !rowAxis) return undefined;
  return { pixelSpacing: spacing, origin: { col: ocol, row: orow }, colAxis, rowAxis };
}

/** Detector mm from a pixel position, through the request's calibration. */
export function pixelToDetector(cal: DetectorCalibration, col: number, row: number): { u: number; v: number } {
  return {
    u: (cal.colAxis === '+x' ? 1 : -1) * (col - cal.origin.col) * cal.pixelSpacing.col,
    v: (cal.rowAxis === '+y' ? 1 : -1) * (row - cal.origin.row) * cal.pixelSpacing.row,
  };
}

const MARK_RANGE = { min: -1000, max: 1000 };


function isPlainObject(o: unknown): o is Plain {
  return o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype;
}

// The fast path's key scans. Each returns a bit per field present (0 past an unknown
// key), so the caller reads only the fields the scan saw, each once, straight into
// locals: no per-key hasOwnProperty call (it was a seventh of the request's
// instructions) and no module variable to write. A key from for-in is the object's own
// when Object.prototype, the prototype of every object taken here, has no enumerable
// key: fastTargetingRequest checks that before (a getter could remove an inherited key
// after the request's scan) and after (a getter could add one before a later scan).
const UNKNOWN = 0;
const R_ID = 1, R_GEOMETRY = 2, R_THICKNESS = 4, R_VIEWS = 8, R_SIGMA = 16, R_GAP = 32, R_NEEDLE = 64;
function requestKeys(o: Plain): number {
  let seen = 128;
  for (const k in o) {
    switch (k) {
      case 'id': seen |= R_ID; break;
      case 'geometry': seen |= R_GEOMETRY; break;
      case 'thickness': seen |= R_THICKNESS; break;
      case 'views': seen |= R_VIEWS; break;
      case 'imageSigma': seen |= R_SIGMA; break;
      case 'maxRayGap': seen |= R_GAP; break;
      case 'needle': seen |= R_NEEDLE; break;
      default: return UNKNOWN;
    }
  }
  return seen;
}

const G_SID = 1, G_STS = 2, G_RAH = 4;
function geometryKeys(o: Plain): number {
  let seen = 128;
  for (const k in o) {
    switch (k) {
      case 'sourceToDetector': seen |= G_SID; break;
      case 'sourceToSupport': seen |= G_STS; break;
      case 'rotationAxisHeight': seen |= G_RAH; break;
      default: return UNKNOWN;
    }
  }
  return seen;
}

const V_ANGLE = 1, V_U = 2, V_V = 4, V_LABEL = 8;
function viewKeys(o: Plain): number {
  let seen = 128;
  for (const k in o) {
    switch (k) {
      case 'angle': seen |= V_ANGLE; break;
      case 'u': seen |= V_U; break;
      case 'v': seen |= V_V; break;
      case 'label': seen |= V_LABEL; break;
      default: return UNKNOWN;
    }
  }
  return seen;
}

const N_APPROACH = 1, N_DEVICE = 2, N_MIN = 4, N_WARN = 8, N_CLEAR = 16;
function needleKeys(o: Plain): number {
  let seen = 128;
  for (const k in o) {
    switch (k) {
      case 'approach': seen |= N_APPROACH; break;
      case 'device': seen |= N_DEVICE; break;
      case 'minStrokeMargin': seen |= N_MIN; break;
      case 'warnStrokeMargin': seen |= N_WARN; break;
      case 'minClearance': seen |= N_CLEAR; break;
      default: return UNKNOWN;
    }
  }
  return seen;
}

const D_NAME = 1, D_GAUGE = 2, D_THROW = 4, D_APERTURE = 8, D_TIP = 16, D_OUTER = 32;
function deviceKeys(o: Plain): number {
  let seen = 128;
  for (const k in o) {
    switch (k) {
      case 'name': seen |= D_NAME; break;
      case 'gauge': seen |= D_GAUGE; break;
      case 'throw': seen |= D_THROW; break;
      case 'apertureLength': seen |= D_APERTURE; break;
      case 'tipLength': seen |= D_TIP; break;
      case 'outerDiameter': seen |= D_OUTER; break;
      default: return UNKNOWN;
    }
  }
  return seen;
}

/** True when Object.prototype has an enumerable key (for-in would then list inherited keys). */
function prototypeTouched(): boolean {
  for (const _key in Object.prototype) return true;
  return false;
}

/** A number or a common unit string as mm/deg; NaN for anything else. */
function qty(v: unknown, q: Quantity): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? fastQuantity(v, q) : NaN;
}

/**
 * The common request (marks in mm, a vertical needle or none, numbers or mm/cm/deg/rad
 * strings) checked field by field with no path built: every check of the complete
 * path, in the same ranges. Undefined for anything else, valid or not: the complete
 * check then decides and names every issue. Its result equals the complete check's.
 */
export function fastTargetingRequest(request: unknown): TargetingInput | undefined {
  if (prototypeTouched()) return undefined;
  let input: TargetingInput | undefined;
  try {
    input = fastRequest(request);
  } catch {
    return undefined;
  }
  // A getter may have added an enumerable key to Object.prototype while it ran.
  return input && !prototypeTouched() ? input : undefined;
}

function fastRequest(request: unknown): TargetingInput | undefined {
  if (!isPlainObject(request)) return undefined;
  const o = request;
  const rk = requestKeys(o);
  if (rk === UNKNOWN) return undefined;
  const id = rk & R_ID ? o.id : undefined;
  const g = rk & R_GEOMETRY ? o.geometry : undefined;
  const thickness0 = rk & R_THICKNESS ? o.thickness : undefined;
  const views0 = rk & R_VIEWS ? o.views : undefined;
  const sigma0 = rk & R_SIGMA ? o.imageSigma : undefined;
  const gap0 = rk & R_GAP ? o.maxRayGap : undefined;
  const needle0 = rk & R_NEEDLE ? o.needle : undefined;
  if (!isPlainObject(g)) return undefined;
  const gk = geometryKeys(g);
  if (gk === UNKNOWN) return undefined;
  const sourceToDetector = qty(gk & G_SID ? g.sourceToDetector : undefined, 'length');
  const sourceToSupport = qty(gk & G_STS ? g.sourceToSupport : undefined, 'length');
  const rotationAxisHeight = qty(gk & G_RAH ? g.rotationAxisHeight : undefined, 'length');
  if (!(sourceToDetector >= 100 && sourceToDetector <= 2000 && sourceToSupport >= 50 && sourceToSupport <= 2000
    && rotationAxisHeight >= -2000 && rotationAxisHeight <= 2000)) return undefined;
  if (sourceToSupport > sourceToDetector || rotationAxisHeight >= sourceToSupport) return undefined;
  const thickness = qty(thickness0, 'length');
  if (!(thickness > 0 && thickness <= 300) || thickness >= sourceToSupport) return undefined;
  if (id !== undefined && !(typeof id === 'string' && id.length <= 200)) return undefined;
  const imageSigma = sigma0 === undefined ? undefined : qty(sigma0, 'length');
  if (imageSigma !== undefined && !(imageSigma >= 0 && imageSigma <= 10)) return undefined;
  const maxRayGap = gap0 === undefined ? DEFAULT_MAX_RAY_GAP : qty(gap0, 'length');
  if (!(maxRayGap > 0 && maxRayGap <= 100)) return undefined;
  if (!Array.isArray(views0)) return undefined;
  const n = views0.length;
  if (n < 2 || n > 64) return undefined;
  const geometry: UnitGeometry = { sourceToDetector, sourceToSupport, rotationAxisHeight };
  const views: ViewMark[] = new Array(n);
  for (let k = 0; k < n; k++) {
    // A hole reads as undefined and is refused here.
    const w = views0[k];
    if (!isPlainObject(w)) return undefined;
    const vk = viewKeys(w);
    if (vk === UNKNOWN) return undefined;
    const angle = qty(vk & V_ANGLE ? w.angle : undefined, 'angle');
    const u = qty(vk & V_U ? w.u : undefined, 'length');
    const v = qty(vk & V_V ? w.v : undefined, 'length');
    const label = vk & V_LABEL ? w.label : undefined;
    if (!(angle > -90 && angle < 90 && u >= -1000 && u <= 1000 && v >= -1000 && v <= 1000)) return undefined;
    if (label !== undefined && !(typeof label === 'string' && label.length <= 200)) return undefined;
    for (let j = 0; j < k; j++) if (Math.abs(views[j].angle - angle) < MIN_ANGLE_SEPARATION) return undefined;
    if (sourceHeight(geometry, k, angle) <= thickness) return undefined;
    views[k] = { angle, u, v };
  }
  const input: TargetingInput = { geometry, thickness, views, maxRayGap };
  if (id !== undefined) input.id = id as string;
  if (imageSigma !== undefined) input.imageSigma = imageSigma;
  if (needle0 !== undefined) {
    const needle = fastNeedle(needle0);
    if (!needle) return undefined;
    input.needle = needle;
  }
  return input;
}

const fastSource: Vec3 = { x: 0, y: 0, z: 0 };

// A console sends the same geometry and angles request after request: the source height
// of view k is kept with the numbers it came from, so the sine and cosine are not redone.
const heightAngle = new Float64Array(64).fill(NaN), heightZ = new Float64Array(64);
let heightG0 = NaN, heightG1 = NaN, heightG2 = NaN;
function sourceHeight(g: UnitGeometry, k: number, angle: number): number {
  if (g.sourceToDetector !== heightG0 || g.sourceToSupport !== heightG1 || g.rotationAxisHeight !== heightG2) {
    heightAngle.fill(NaN);
    heightG0 = g.sourceToDetector;
    heightG1 = g.sourceToSupport;
    heightG2 = g.rotationAxisHeight;
  }
  if (heightAngle[k] !== angle) {
    heightZ[k] = sourcePosition(fastSource, g, angle).z;
    heightAngle[k] = angle;
  }
  return heightZ[k];
}

function fastNeedle(value: unknown): NeedleOptions | undefined {
  if (!isPlainObject(value)) return undefined;
  const nk = needleKeys(value);
  if (nk === UNKNOWN) return undefined;
  const approach = nk & N_APPROACH ? value.approach : undefined;
  const d = nk & N_DEVICE ? value.device : undefined;
  const minRaw = nk & N_MIN ? value.minStrokeMargin : undefined;
  const warnRaw = nk & N_WARN ? value.warnStrokeMargin : undefined;
  const clearRaw = nk & N_CLEAR ? value.minClearance : undefined;
  if (approach !== undefined && approach !== 'vertical') return undefined;
  if (!isPlainObject(d)) return undefined;
  const dk = deviceKeys(d);
  if (dk === UNKNOWN) return undefined;
  const name = dk & D_NAME ? d.name : undefined;
  const gauge = dk & D_GAUGE ? d.gauge : undefined;
  const throw0 = dk & D_THROW ? d.throw : undefined;
  const aperture0 = dk & D_APERTURE ? d.apertureLength : undefined;
  const tip0 = dk & D_TIP ? d.tipLength : undefined;
  const outer0 = dk & D_OUTER ? d.outerDiameter : undefined;
  if (name !== undefined && !(typeof name === 'string' && name.length <= 200)) return undefined;
  if (gauge !== undefined && !(typeof gauge === 'number' && Number.isInteger(gauge) && gauge >= 5 && gauge <= 34)) return undefined;
  const thr = qty(throw0, 'length');
  const apertureLength = qty(aperture0, 'length');
  const tipLength = qty(tip0, 'length');
  const outerDiameter = outer0 === undefined ? undefined : qty(outer0, 'length');
  if (!(thr >= 0 && thr <= 100 && apertureLength > 0 && apertureLength <= 100 && tipLength >= 0 && tipLength <= 50)) return undefined;
  if (outerDiameter !== undefined && !(outerDiameter > 0 && outerDiameter <= 15)) return undefined;
  const minStrokeMargin = minRaw === undefined ? DEFAULT_MIN_STROKE_MARGIN : qty(minRaw, 'length');
  const warnStrokeMargin = warnRaw === undefined ? DEFAULT_WARN_STROKE_MARGIN : qty(warnRaw, 'length');
  const minClearance = clearRaw === undefined ? 0 : qty(clearRaw, 'length');
  if (!(minStrokeMargin >= -50 && minStrokeMargin <= 50 && warnStrokeMargin >= -50 && warnStrokeMargin <= 50 && minClearance >= 0 && minClearance <= 50)) return undefined;
  const device: NeedleDevice = { throw: thr, apertureLength, tipLength };
  if (name !== undefined) device.name = name as string;
  if (gauge !== undefined) device.gauge = gauge as number;
  if (outerDiameter !== undefined) device.outerDiameter = outerDiameter;
  return { approach: 'vertical', device, minStrokeMargin, warnStrokeMargin: Math.max(warnStrokeMargin, minStrokeMargin), minClearance };
}

/**
 * Checks a targeting request completely, converting units and pixels; throws a
 * StereotaxError listing every issue. Nothing is computed from an invalid request.
 */
export function parseTargetingRequest(request: unknown): TargetingInput | TomosynthesisInput {
  // The fast path never takes a request with a `tomosynthesis` block (an unknown field to it).
  return fastTargetingRequest(request) ?? guardParse(() => {
    const tomosynthesis = parseTomosynthesisRequest(request); // tomosynthesis hook
    if (tomosynthesis) return tomosynthesis; // tomosynthesis hook
    return checkTargetingRequest(request);
  });
}

/** The complete check, every issue collected (parseTargetingRequest's slow path). */
export function checkTargetingRequest(request: unknown): TargetingInput {
  const c = new Checker();
  const r = c.object(request, [], REQUEST_FIELDS, ['geometry', 'thickness', 'views']);
  if (!r) c.done();
  const req = r!;
  const id = c.optional(req, 'id', (v) => c.string(v, ['id']));
  const geometry = req.geometry === undefined ? undefined : checkGeometry(c, req.geometry, ['geometry']);
  const thickness = req.thickness === undefined ? undefined : c.length(req.thickness, ['thickness'], { above: 0, max: 300 });
  const detector = c.optional(req, 'detector', (v) => checkDetector(c, v, ['detector']));
  const imageSigma = c.optional(req, 'imageSigma', (v) => c.length(v, ['imageSigma'], { min: 0, max: 10 }));
  const maxRayGap = c.optional(req, 'maxRayGap', (v) => c.length(v, ['maxRayGap'], { above: 0, max: 100 }), DEFAULT_MAX_RAY_GAP);
  const needle = c.optional(req, 'needle', (v) => checkNeedle(c, v, ['needle']));

  const views: ViewMark[] = [];
  const rawAngles: unknown[] = [];
  const list = req.views === undefined ? undefined : c.array(req.views, ['views'], 2, 64);
  list?.forEach((item, k) => {
    const p = ['views', k];
    let hasPixels = false;
    try {
      hasPixels = item !== null && typeof item === 'object' && ('col' in item || 'row' in item);
    } catch {
      // A proxy whose `has` throws: c.object below reports it.
    }
    const o = c.object(item, p, hasPixels ? ['angle', 'col', 'row', 'label'] : ['angle', 'u', 'v', 'label'], hasPixels ? ['angle', 'col', 'row'] : ['angle', 'u', 'v']);
    if (!o) return;
    rawAngles[k] = o.angle;
    if (hasPixels && ('u' in o || 'v' in o)) c.add('invalid_value', p, 'either u and v (mm) or col and row (pixels), not both', item);
    c.optional(o, 'label', (v) => c.string(v, [...p, 'label']));
    const angle = c.angle(o.angle, [...p, 'angle'], { above: -90, below: 90 });
    let u: number | undefined, v: number | undefined;
    if (hasPixels) {
      const col = c.number(o.col, [...p, 'col'], { min: -1e6, max: 1e6 });
      const row = c.number(o.row, [...p, 'row'], { min: -1e6, max: 1e6 });
      if (req.detector === undefined) {
        c.add('missing_field', ['detector'], 'a detector calibration (pixelSpacing, origin) for pixel marks', undefined,
          `views[${k}] is given in pixels (col, row): the request needs a detector calibration (pixelSpacing, origin)`);
      } else if (detector && col !== undefined && row !== undefined) {
        ({ u, v } = pixelToDetector(detector, col, row));
        if (Math.abs(u) > MARK_RANGE.max) c.add('out_of_range', [...p, 'col'], 'a pixel within 1000 mm of the origin', o.col);
        if (Math.abs(v) > MARK_RANGE.max) c.add('out_of_range', [...p, 'row'], 'a pixel within 1000 mm of the origin', o.row);
      }
    } else {
      u = c.length(o.u, [...p, 'u'], MARK_RANGE);
      v = c.length(o.v, [...p, 'v'], MARK_RANGE);
    }
    if (angle !== undefined && u !== undefined && v !== undefined) views.push({ angle, u, v });
    else views.push({ angle: NaN, u: NaN, v: NaN });
  });
  c.done();

  // Cross-field checks, once every field is known to be well formed.
  const g = geometry!;
  const t = thickness!;
  if (t >= g.sourceToSupport) {
    c.add('invalid_geometry', ['thickness'], `less than sourceToSupport (${g.sourceToSupport} mm)`, req.thickness);
  }
  const s: Vec3 = { x: 0, y: 0, z: 0 };
  views.forEach((view, k) => {
    for (let j = 0; j < k; j++) {
      if (Math.abs(views[j].angle - view.angle) < MIN_ANGLE_SEPARATION) {
        c.add('duplicate_value', ['views', k, 'angle'], `an angle different from views[${j}].angle (${views[j].angle} deg)`, rawAngles[k]);
      }
    }
    sourcePosition(s, g, view.angle);
    if (s.z <= t) {
      c.add('invalid_geometry', ['views', k, 'angle'],
        `an angle that keeps the source above the compressed breast (source z ${s.z.toFixed(1)} mm <= thickness ${t} mm)`,
        rawAngles[k]);
    }
  });
  c.done();

  const input: TargetingInput = { geometry: g, thickness: t, views, maxRayGap: maxRayGap! };
  if (id !== undefined) input.id = id;
  if (imageSigma !== undefined) input.imageSigma = imageSigma;
  if (needle) input.needle = needle;
  return input;
}

/**
 * A capacity-1 batch for the single-request API, one per view count, with its columns
 * held in plain fields (rebuilt only when wasm memory grows) and the geometry and
 * angles it was last configured with (configure is skipped when they are unchanged).
 */
interface Scratch {
  b: TriangulationBatch;
  buffer: ArrayBufferLike | undefined;
  u: Float64Array[];
  v: Float64Array[];
  d: Float64Array[];
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  gap: Float64Array;
  g0: number;
  g1: number;
  g2: number;
  angles: number[];
}

const scratch = new WeakMap<Engine, Scratch[]>();

let lastEngine: Engine | undefined;
let lastByViews: Scratch[] = [];

/** Object.is for numbers, without the SameValue call: -0 and 0 configure different sources. */
function same(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

function scratchBatch(engine: Engine, input: TargetingInput): Scratch {
  let byViews: Scratch[];
  if (engine === lastEngine) byViews = lastByViews;
  else {
    let found = scratch.get(engine);
    if (!found) scratch.set(engine, (found = []));
    byViews = lastByViews = found;
    lastEngine = engine;
  }
  const V = input.views.length;
  const g = input.geometry;
  let s = byViews[V];
  if (!s) {
    const angles = input.views.map((v) => v.angle);
    const b = new TriangulationBatch(engine, { capacity: 1, geometry: g, angles, covariance: true, jacobian: true });
    const none = new Float64Array(0);
    s = byViews[V] = { b, buffer: undefined, u: [], v: [], d: [], x: none, y: none, z: none, gap: none,
      g0: g.sourceToDetector, g1: g.sourceToSupport, g2: g.rotationAxisHeight, angles };
  } else {
    let unchanged = same(s.g0, g.sourceToDetector) && same(s.g1, g.sourceToSupport) && same(s.g2, g.rotationAxisHeight);
    for (let k = 0; unchanged && k < V; k++) unchanged = same(s.angles[k], input.views[k].angle);
    if (!unchanged) {
      const angles = input.views.map((v) => v.angle);
      s.b.configure(g, angles);
      s.g0 = g.sourceToDetector;
      s.g1 = g.sourceToSupport;
      s.g2 = g.rotationAxisHeight;
      s.angles = angles;
    }
  }
  // Growing wasm memory detaches the old buffer, which empties every view of it: a held
  // column of length 0 says the views must be rebuilt, without reading memory.buffer.
  const buffer = s.x.length === 0 ? engine.wasm.memory.buffer : s.buffer;
  if (s.buffer !== buffer) {
    const b = s.b;
    for (let k = 0; k < V; k++) {
      s.u[k] = b.u(k);
      s.v[k] = b.v(k);
      s.d[k] = b.rayDistance(k);
    }
    s.x = b.x;
    s.y = b.y;
    s.z = b.z;
    s.gap = b.rayGap;
    s.buffer = engine.wasm.memory.buffer;
  }
  return s;
}

/** Computes a validated request with a loaded engine. */
export function computeTargeting(engine: Engine, input: TargetingInput | TomosynthesisInput): TargetingResult {
  if ('tomosynthesis' in input) return computeTomosynthesis(input); // tomosynthesis hook
  const V = input.views.length;
  const s = scratchBatch(engine, input);
  const b = s.b;
  for (let k = 0; k < V; k++) {
    s.u[k][0] = input.views[k].u;
    s.v[k][0] = input.views[k].v;
  }
  if (b.triangulate() > 0) {
    throw new StereotaxError([makeIssue('degenerate_input', ['views'], 'marks whose rays cross', 'parallel rays',
      'views: the back-projected rays are parallel, so they do not locate a point; check the marks and angles')]);
  }
  const target: Vec3 = { x: s.x[0], y: s.y[0], z: s.z[0] };
  // Assembled field by field so the JSON reads in the spec's order, findings last.
  const depthFromSkin = input.thickness - target.z;
  const result = (input.id !== undefined ? { id: input.id, target, depthFromSkin } : { target, depthFromSkin }) as TargetingResult;

  if (V === 2) {
    result.rayGap = s.gap[0];
  } else {
    result.pairwiseRayGaps = [];
    for (let j = 0; j < V; j++) {
      for (let k = j + 1; k < V; k++) {
        b.pairGap(j, k);
        result.pairwiseRayGaps.push({ views: [j, k], gap: s.gap[0] });
      }
    }
  }
  const rayDistances: number[] = new Array(V);
  for (let k = 0; k < V; k++) rayDistances[k] = s.d[k][0];
  result.rayDistances = rayDistances;

  const a0 = input.views[0].angle, a1 = input.views[1].angle;
  if (V === 2 && Math.abs(a0 + a1) <= SYMMETRY_TOLERANCE) {
    const plus = a0 > 0 ? 0 : 1;
    result.classic = b.classic(plus, 1 - plus, (Math.abs(a0) + Math.abs(a1)) / 2);
  }

  if (input.imageSigma !== undefined) {
    b.propagate(input.imageSigma);
    const [xx, xy, xz, yy, yz, zz] = (['xx', 'xy', 'xz', 'yy', 'yz', 'zz'] as const).map((t) => b.covariance(t)[0]);
    const covariance: Matrix3 = [[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]];
    const jacobian = [0, 1, 2].map((row) => Array.from({ length: 2 * V }, (_, m) => b.jacobianColumn(row, m)[0]));
    result.uncertainty = {
      imageSigma: input.imageSigma,
      sigma: { x: Math.sqrt(xx), y: Math.sqrt(yy), z: Math.sqrt(zz) },
      covariance,
      ellipsoid95: ellipsoid95(covariance),
      jacobian,
    };
  }

  let needleFindings: Finding[] | undefined;
  if (input.needle) {
    const checked = requestNeedle(target, input.thickness, input.needle);
    result.needle = checked.needle;
    needleFindings = checked.findings;
  }
  const marks: ViewMark[] = new Array(V);
  for (let k = 0; k < V; k++) {
    const w = input.views[k];
    marks[k] = { angle: w.angle, u: w.u, v: w.v };
  }
  result.marks = marks;

  const findings = targetingFindings(input, result);
  if (needleFindings) for (const f of needleFindings) findings.push(f);
  result.findings = findings;
  return result;
}

function targetingFindings(input: TargetingInput, r: TargetingResult): Finding[] {
  const out: Finding[] = [];
  const z = r.target.z;
  const below = belowMin(z, 0);
  if (below || exceedsMax(z, input.thickness)) {
    out.push({
      code: 'target_outside_breast',
      severity: 'error',
      message: below
        ? `target z ${mm(z)} is below the breast support (z = 0): the marks do not describe a point in the breast. Re-mark the lesion on both views.`
        : `target z ${mm(z)} is above the skin under the paddle (thickness ${mm(input.thickness)}): re-mark the lesion, and check the thickness read-out.`,
      path: 'target.z',
      value: z,
      limit: below ? 0 : input.thickness,
    });
  }
  if (r.rayGap !== undefined && exceedsMax(r.rayGap, input.maxRayGap)) {
    out.push({
      code: 'rays_disagree',
      severity: 'error',
      message: `the two rays miss each other by ${mm(r.rayGap, 2)} (limit ${mm(input.maxRayGap, 2)}): the marks are probably not on the same object, or their y positions differ. Re-mark the lesion.`,
      path: 'rayGap',
      value: r.rayGap,
      limit: input.maxRayGap,
    });
  }
  if (r.pairwiseRayGaps) {
    // With three or more views a marking error along x (parallax) leaves every pair
    // of rays nearly coplanar, so pairwise gaps miss it; the distance from the
    // least-squares target to each ray does not. Two views: each distance is gap/2,
    // hence the same limit, maxRayGap/2.
    const far = r.rayDistances.indexOf(Math.max(...r.rayDistances));
    const limit = input.maxRayGap / 2;
    if (exceedsMax(r.rayDistances[far], limit)) {
      out.push({
        code: 'ray_outlier',
        severity: 'warning',
        message: `the marks disagree: view ${far}'s ray passes ${mm(r.rayDistances[far], 2)} from the target (limit ${mm(limit, 2)}, half of maxRayGap). Least squares spreads one bad mark over every ray, so re-check all marks.`,
        path: `rayDistances[${far}]`,
        value: r.rayDistances[far],
        limit,
      });
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const w of input.views) {
    if (w.angle < lo) lo = w.angle;
    if (w.angle > hi) hi = w.angle;
  }
  const spread = hi - lo;
  if (spread < SMALL_STEREO_SPREAD) {
    out.push({
      code: 'small_stereo_angle',
      severity: 'warning',
      message: `the views span only ${spread.toFixed(2)} degrees: depth is poorly determined (marking error is multiplied by about ${(1 / tanDeg(spread)).toFixed(0)} in z).`,
      path: 'views',
      value: spread,
      limit: SMALL_STEREO_SPREAD,
    });
  }
  return out;
}

/** Validates and computes one request (loads the engine on first use). */
export async function target(request: unknown, options: LoadOptions = {}): Promise<TargetingResult> {
  const input = parseTargetingRequest(request);
  return computeTargeting(await loadEngine(options), input);
}

/** Validates and computes one request with an engine already loaded (synchronous). */
export function targetWith(engine: Engine, request: unknown): TargetingResult {
  return computeTargeting(engine, parseTargetingRequest(request));
}

export { hasError, detectorGap };
