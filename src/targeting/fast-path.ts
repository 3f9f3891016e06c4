/**
 * The single-request fast path: the common targeting request (marks in mm, a vertical needle
 * or none, numbers or mm/cm/deg/rad strings) read field by field through bit-mask key scans,
 * with no field path built. Anything else, valid or not, goes to the complete check
 * (request.ts), which names every issue; a property test holds the two equal.
 */
import { fastQuantity, type Quantity } from '../core/units.js';
import type { Plain } from '../core/validate.js';
import { DEFAULT_MIN_STROKE_MARGIN, DEFAULT_WARN_STROKE_MARGIN, type NeedleDevice, type NeedleOptions } from '../needle/vertical.js';
import { sourcePosition, type UnitGeometry, type Vec3 } from './geometry.js';
import { DEFAULT_MAX_RAY_GAP, MIN_ANGLE_SEPARATION, type TargetingInput, type ViewMark } from './types.js';

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
