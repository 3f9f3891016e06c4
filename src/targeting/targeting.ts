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
import { checkNeedle, requestDevice, verticalNeedle, verticalNeedleFindings, type NeedleDevice, type NeedleOptions, type VerticalNeedleResult } from '../needle/vertical.js';
import { checkLateral, type LateralBlock } from '../needle/checks.js';
import { ellipsoid95, type Matrix3, type Uncertainty } from './uncertainty.js';
import { Checker, type Path } from '../core/validate.js';
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
  needle?: VerticalNeedleResult | (Omit<LateralBlock, 'deviceId'> & { device: NeedleDevice });
  /** The marks used, in mm on the detector (after any pixel conversion). */
  marks: ViewMark[];
  findings: Finding[];
}

export const DEFAULT_MAX_RAY_GAP = 1.0;
/** Two views closer than this in angle are the same view. */
export const MIN_ANGLE_SEPARATION = 1e-6;
/** Below this spread the depth is poorly determined: a warning, not an error. */
export const SMALL_STEREO_SPREAD = 5;

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
  } else if (Array.isArray(sp)) {
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
  if (Array.isArray(d.origin)) {
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

/**
 * Checks a targeting request completely, converting units and pixels; throws a
 * StereotaxError listing every issue. Nothing is computed from an invalid request.
 */
export function parseTargetingRequest(request: unknown): TargetingInput | TomosynthesisInput {
  const tomosynthesis = parseTomosynthesisRequest(request); // tomosynthesis hook
  if (tomosynthesis) return tomosynthesis; // tomosynthesis hook
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
  const list = req.views === undefined ? undefined : c.array(req.views, ['views'], 2, 64);
  list?.forEach((item, k) => {
    const p = ['views', k];
    const hasPixels = item !== null && typeof item === 'object' && ('col' in item || 'row' in item);
    const o = c.object(item, p, hasPixels ? ['angle', 'col', 'row', 'label'] : ['angle', 'u', 'v', 'label'], hasPixels ? ['angle', 'col', 'row'] : ['angle', 'u', 'v']);
    if (!o) return;
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
        c.add('duplicate_value', ['views', k, 'angle'], `an angle different from views[${j}].angle (${views[j].angle} deg)`, (req.views as { angle: unknown }[])[k].angle);
      }
    }
    sourcePosition(s, g, view.angle);
    if (s.z <= t) {
      c.add('invalid_geometry', ['views', k, 'angle'],
        `an angle that keeps the source above the compressed breast (source z ${s.z.toFixed(1)} mm <= thickness ${t} mm)`,
        (req.views as { angle: unknown }[])[k].angle);
    }
  });
  c.done();

  const input: TargetingInput = { geometry: g, thickness: t, views, maxRayGap: maxRayGap! };
  if (id !== undefined) input.id = id;
  if (imageSigma !== undefined) input.imageSigma = imageSigma;
  if (needle) input.needle = needle;
  return input;
}

/** Scratch batches of capacity 1 for the single-request API, one per view count. */
const scratch = new WeakMap<Engine, Map<string, TriangulationBatch>>();

function scratchBatch(engine: Engine, input: TargetingInput): TriangulationBatch {
  let byViews = scratch.get(engine);
  if (!byViews) scratch.set(engine, (byViews = new Map()));
  const key = String(input.views.length);
  let b = byViews.get(key);
  if (!b) {
    b = new TriangulationBatch(engine, { capacity: 1, geometry: input.geometry, angles: input.views.map((v) => v.angle), covariance: true, jacobian: true });
    byViews.set(key, b);
  }
  b.configure(input.geometry, input.views.map((v) => v.angle));
  return b;
}

/** Computes a validated request with a loaded engine. */
export function computeTargeting(engine: Engine, input: TargetingInput | TomosynthesisInput): TargetingResult {
  if ('tomosynthesis' in input) return computeTomosynthesis(input); // tomosynthesis hook
  const V = input.views.length;
  const b = scratchBatch(engine, input);
  input.views.forEach((view, k) => {
    b.u(k)[0] = view.u;
    b.v(k)[0] = view.v;
  });
  if (b.triangulate() > 0) {
    throw new StereotaxError([makeIssue('degenerate_input', ['views'], 'marks whose rays cross', 'parallel rays',
      'views: the back-projected rays are parallel, so they do not locate a point; check the marks and angles')]);
  }
  const target: Vec3 = { x: b.x[0], y: b.y[0], z: b.z[0] };
  // Assembled field by field so the JSON reads in the spec's order, findings last.
  const result = { ...(input.id !== undefined ? { id: input.id } : {}), target, depthFromSkin: input.thickness - target.z } as TargetingResult;

  if (V === 2) {
    result.rayGap = b.rayGap[0];
  } else {
    result.pairwiseRayGaps = [];
    for (let j = 0; j < V; j++) {
      for (let k = j + 1; k < V; k++) {
        b.pairGap(j, k);
        result.pairwiseRayGaps.push({ views: [j, k], gap: b.rayGap[0] });
      }
    }
  }
  result.rayDistances = input.views.map((_, k) => b.rayDistance(k)[0]);

  if (V === 2 && input.views[0].angle === -input.views[1].angle) {
    const plus = input.views[0].angle > 0 ? 0 : 1;
    result.classic = b.classic(plus, 1 - plus, Math.abs(input.views[0].angle));
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

  const needleFindings: Finding[] = [];
  const n = input.needle;
  if (n?.approach === 'lateral') {
    const limits = { minStrokeMargin: n.minStrokeMargin, warnStrokeMargin: n.warnStrokeMargin, minClearance: n.minClearance, minVerticalThickness: 0 };
    const { block, findings: lf } = checkLateral(target, input.thickness, requestDevice(n.device), limits, n.lateral!);
    const { deviceId: _unused, ...rest } = block as LateralBlock;
    result.needle = { ...rest, device: n.device };
    needleFindings.push(...lf);
  } else if (n) {
    result.needle = verticalNeedle(target.z, input.thickness, n);
    needleFindings.push(...verticalNeedleFindings(result.needle));
  }
  result.marks = input.views.map((v) => ({ angle: v.angle, u: v.u, v: v.v }));

  const findings: Finding[] = [];
  findings.push(...targetingFindings(input, result));
  findings.push(...needleFindings);
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
  const angles = input.views.map((v) => v.angle);
  const spread = Math.max(...angles) - Math.min(...angles);
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
