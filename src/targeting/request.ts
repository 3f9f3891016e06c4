/**
 * The targeting request, checked completely: every field, its units and pixels converted,
 * every issue collected with its path (StereotaxError), then the cross-field rules. The
 * common shape goes through the fast path first (fast-path.ts).
 */
import { Checker, guardParse, isArray, type Path } from '../core/validate.js';
import { checkNeedle } from '../needle/vertical.js';
import { sourcePosition, type UnitGeometry, type Vec3 } from './geometry.js';
import { fastTargetingRequest } from './fast-path.js';
// Tomosynthesis hook (owned by dicom-schemas): a request with a `tomosynthesis` block is parsed there.
import { parseTomosynthesisRequest, type TomosynthesisInput } from './tomosynthesis.js';
import { DEFAULT_MAX_RAY_GAP, MIN_ANGLE_SEPARATION, type DetectorCalibration, type TargetingInput, type ViewMark } from './types.js';

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
