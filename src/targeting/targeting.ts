/**
 * Stereotactic targeting: validated request in, the target in the DICOM breast
 * biopsy frame out, with ray consistency, the legacy parallel-beam estimate, the
 * uncertainty from marking error, the needle block and findings (spec sections 1-6).
 */
import { StereotaxError, makeIssue } from '../core/errors.js';
import { Engine, loadEngine, type LoadOptions } from '../engine/engine.js';
import { TriangulationBatch } from './batch.js';
import { hasError, mm, type Finding } from '../core/findings.js';
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

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(o: unknown): o is Plain {
  return o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype;
}

// One reader per kind of object, each reading only its own keys: a shared reader sees
// every shape (request, geometry, view, needle) and V8 then treats its loads as
// megamorphic, which cost more than the rest of the fast path together. A reader
// returns false on an inherited enumerable key or a key outside its fields.
let rid: unknown, rg: unknown, rt: unknown, rv: unknown, rs: unknown, rm: unknown, rn: unknown;
function readRequest(o: Plain): boolean {
  rid = rg = rt = rv = rs = rm = rn = undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) return false;
    switch (k) {
      case 'id': rid = o[k]; break;
      case 'geometry': rg = o[k]; break;
      case 'thickness': rt = o[k]; break;
      case 'views': rv = o[k]; break;
      case 'imageSigma': rs = o[k]; break;
      case 'maxRayGap': rm = o[k]; break;
      case 'needle': rn = o[k]; break;
      default: return false;
    }
  }
  return true;
}

let g0: unknown, g1: unknown, g2: unknown;
function readGeometry(o: Plain): boolean {
  g0 = g1 = g2 = undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) return false;
    switch (k) {
      case 'sourceToDetector': g0 = o[k]; break;
      case 'sourceToSupport': g1 = o[k]; break;
      case 'rotationAxisHeight': g2 = o[k]; break;
      default: return false;
    }
  }
  return true;
}

let va: unknown, vu: unknown, vv: unknown, vl: unknown;
function readView(o: Plain): boolean {
  va = vu = vv = vl = undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) return false;
    switch (k) {
      case 'angle': va = o[k]; break;
      case 'u': vu = o[k]; break;
      case 'v': vv = o[k]; break;
      case 'label': vl = o[k]; break;
      default: return false;
    }
  }
  return true;
}

let na: unknown, nd: unknown, nMin: unknown, nWarn: unknown, nClear: unknown;
function readNeedle(o: Plain): boolean {
  na = nd = nMin = nWarn = nClear = undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) return false;
    switch (k) {
      case 'approach': na = o[k]; break;
      case 'device': nd = o[k]; break;
      case 'minStrokeMargin': nMin = o[k]; break;
      case 'warnStrokeMargin': nWarn = o[k]; break;
      case 'minClearance': nClear = o[k]; break;
      default: return false;
    }
  }
  return true;
}

let dName: unknown, dGauge: unknown, dThrow: unknown, dAperture: unknown, dTip: unknown, dOuter: unknown;
function readDevice(o: Plain): boolean {
  dName = dGauge = dThrow = dAperture = dTip = dOuter = undefined;
  for (const k in o) {
    if (!hasOwn.call(o, k)) return false;
    switch (k) {
      case 'name': dName = o[k]; break;
      case 'gauge': dGauge = o[k]; break;
      case 'throw': dThrow = o[k]; break;
      case 'apertureLength': dAperture = o[k]; break;
      case 'tipLength': dTip = o[k]; break;
      case 'outerDiameter': dOuter = o[k]; break;
      default: return false;
    }
  }
  return true;
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
  // The readers keep what they read in module variables: a getter that calls back in
  // would overwrite them, so a nested call takes the complete path.
  if (fastBusy) return undefined;
  fastBusy = true;
  try {
    return fastRequest(request);
  } catch {
    return undefined;
  } finally {
    fastBusy = false;
  }
}
let fastBusy = false;

function fastRequest(request: unknown): TargetingInput | undefined {
  if (!isPlainObject(request) || !readRequest(request)) return undefined;
  const id = rid, views0 = rv, sigma0 = rs, gap0 = rm, needle0 = rn, thickness0 = rt;
  if (!isPlainObject(rg) || !readGeometry(rg)) return undefined;
  const sourceToDetector = qty(g0, 'length');
  const sourceToSupport = qty(g1, 'length');
  const rotationAxisHeight = qty(g2, 'length');
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
  const views: ViewMark[] = [];
  for (let k = 0; k < n; k++) {
    const w = views0[k];
    if (!isPlainObject(w) || !readView(w)) return undefined;
    const angle = qty(va, 'angle');
    const u = qty(vu, 'length');
    const v = qty(vv, 'length');
    if (!(angle > -90 && angle < 90 && u >= -1000 && u <= 1000 && v >= -1000 && v <= 1000)) return undefined;
    if (vl !== undefined && !(typeof vl === 'string' && vl.length <= 200)) return undefined;
    for (let j = 0; j < k; j++) if (Math.abs(views[j].angle - angle) < MIN_ANGLE_SEPARATION) return undefined;
    if (sourcePosition(fastSource, geometry, angle).z <= thickness) return undefined;
    views.push({ angle, u, v });
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

function fastNeedle(value: unknown): NeedleOptions | undefined {
  if (!isPlainObject(value) || !readNeedle(value)) return undefined;
  if (na !== undefined && na !== 'vertical') return undefined;
  const minRaw = nMin, warnRaw = nWarn, clearRaw = nClear;
  if (!isPlainObject(nd) || !readDevice(nd)) return undefined;
  const name = dName, gauge = dGauge;
  if (name !== undefined && !(typeof name === 'string' && name.length <= 200)) return undefined;
  if (gauge !== undefined && !(typeof gauge === 'number' && Number.isInteger(gauge) && gauge >= 5 && gauge <= 34)) return undefined;
  const thr = qty(dThrow, 'length');
  const apertureLength = qty(dAperture, 'length');
  const tipLength = qty(dTip, 'length');
  const outerDiameter = dOuter === undefined ? undefined : qty(dOuter, 'length');
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

function scratchBatch(engine: Engine, input: TargetingInput): Scratch {
  let byViews = scratch.get(engine);
  if (!byViews) scratch.set(engine, (byViews = []));
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
    let same = Object.is(s.g0, g.sourceToDetector) && Object.is(s.g1, g.sourceToSupport) && Object.is(s.g2, g.rotationAxisHeight);
    for (let k = 0; same && k < V; k++) same = Object.is(s.angles[k], input.views[k].angle);
    if (!same) {
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
  const rayDistances: number[] = [];
  for (let k = 0; k < V; k++) rayDistances.push(s.d[k][0]);
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
  const marks: ViewMark[] = [];
  for (let k = 0; k < V; k++) {
    const w = input.views[k];
    marks.push({ angle: w.angle, u: w.u, v: w.v });
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
  if (z < 0 || z > input.thickness) {
    out.push({
      code: 'target_outside_breast',
      severity: 'error',
      message: z < 0
        ? `target z ${mm(z)} is below the breast support (z = 0): the marks do not describe a point in the breast. Re-mark the lesion on both views.`
        : `target z ${mm(z)} is above the skin under the paddle (thickness ${mm(input.thickness)}): re-mark the lesion, and check the thickness read-out.`,
      path: 'target.z',
      value: z,
      limit: z < 0 ? 0 : input.thickness,
    });
  }
  if (r.rayGap !== undefined && r.rayGap > input.maxRayGap) {
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
    if (r.rayDistances[far] > limit) {
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
