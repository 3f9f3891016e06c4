/**
 * A research scenario (spec simulation.md section 1): validated like every request
 * (code, path, expected, received), defaults filled in, and its canonical form,
 * whose SHA-256 is the scenario hash in every manifest.
 */
import { StereotaxError } from '../core/errors.js';
import { parseValue } from '../core/schema/parse.js';
import { Checker, guardParse, type Path, type Plain, type Range } from '../core/validate.js';
import { GAUGE_OUTER_DIAMETER, shippedCatalog } from '../devices/catalog.js';
import { checkDevice, checkLateralSetup } from '../needle/vertical.js';
import { checkGeometry } from '../targeting/targeting.js';
import { sourcePosition, type UnitGeometry } from '../targeting/geometry.js';
import { normalCdf } from './normal.js';
import { parseReplicates, parseSensitivity } from './study-fields.js';
import * as D from './scenario-schema.js';
import type { DistRule } from './scenario-schema.js';

/** A scenario scalar: a constant, or drawn per trial. */
export type Dist = { constant: number } | { uniform: [number, number] } | { normal: [number, number]; within?: [number, number] };

/** The least acceptance a truncated normal may have (draws are redrawn until inside `within`). */
export const MIN_TRUNCATED_MASS = 0.01;

export { normalCdf } from './normal.js';

/** The lateral approach: the needle travels along x, entering from `side`, at the estimate's height. */
export interface LateralScenario {
  side: '+x' | '-x';
  /** x of the entry and the far skin (mm), each optional. */
  nearSkinX?: number;
  farSkinX?: number;
  /** Least clearance of the needle's outer surface from support and paddle (mm). */
  minClearance: number;
  /** Half the device's outer diameter (mm). */
  outerRadius: number;
}

export interface ScenarioDevice {
  /** Catalog id, or "inline" for a device given in the scenario. */
  id: string;
  throw: number;
  apertureLength: number;
  tipLength: number;
}

/** A scenario after validation and defaults: every field present, lengths in mm, angles in degrees. */
export interface Scenario {
  id: string | null;
  /** Quantiles to report (with intervals) besides p50/p95/p99, ascending; [] when none. */
  quantiles: number[];
  seed: number;
  trials: number;
  unit: {
    geometry: UnitGeometry;
    angles: number[];
    /** Tomosynthesis-guided depth: the estimate's z rounded to the centre of its slice; null for stereo depth. */
    tomosynthesis: { sliceSpacing: number } | null;
    /** sourceToDetector: true SID minus the believed (mm); detectorShift: [x, y] of the detector's coordinates (mm). */
    miscalibration: { angle: Dist[]; sourceToSupport: Dist; rotationAxisHeight: Dist; sourceToDetector: number; detectorShift: [number, number] };
  };
  breast: { thickness: Dist; thicknessReadout: { bias: Dist; sigma: number } };
  lesion: { x: Dist; y: Dist; zFraction: Dist; radius: Dist };
  /**
   * sigma: the one marking SD when every view and axis share it, else null (see sigmaByView);
   * sigmaByView and bias: per view [u, v] in mm.
   */
  marking: { sigma: number | null; sigmaByView: [number, number][]; bias: [number, number][] };
  needle: null | {
    device: ScenarioDevice;
    deviation: VectorError;
    /** Deflection SD per mm of tissue crossed, across the needle (vertical: x, y from the top surface; lateral: y, z from the entry skin); 0 none. */
    deflection: number;
    /** The lateral approach (version 1.2; absent for the vertical one). */
    lateral?: LateralScenario;
    samplingRadius: number;
    minStrokeMargin: number;
  };
  tissue: { displacement: VectorError };
}

/**
 * A 3-D error (needle deviation, tissue displacement). Per axis: normal with SD sigma, or
 * Student's t with nu degrees of freedom scaled to SD sigma (`studentT`). Isotropic: a length
 * drawn from a lognormal (median, SD of its log) or from a list of values, in a uniformly
 * random direction (sigma is then [0, 0, 0]).
 */
export interface VectorError {
  sigma: [number, number, number];
  studentT?: number;
  length?: { lognormal: [number, number] } | { values: number[] };
}

export { DEFAULT_TRIALS, MAX_EMPIRICAL_VALUES, MAX_QUANTILES, MAX_TRIALS, MAX_VIEWS, type DistRule } from './scenario-schema.js';
/** Sweeps larger than this are refused (each point is a whole run). */
export const MAX_SWEEP_POINTS = 1000;

const TOP = ['id', 'seed', 'trials', 'quantiles', 'unit', 'breast', 'lesion', 'marking', 'needle', 'tissue', 'sweep', 'replicates', 'sensitivity'];

function checkDist(c: Checker, value: unknown, path: Path, rule: DistRule): Dist | undefined {
  const num = (v: unknown, p: Path, r: Range) =>
    rule.quantity === 'fraction' ? c.number(v, p, r) : rule.quantity === 'angle' ? c.angle(v, p, r) : c.length(v, p, r);
  if (typeof value === 'number' || typeof value === 'string') {
    const x = num(value, path, rule.range);
    return x === undefined ? undefined : { constant: x };
  }
  const expected = 'a number, { "uniform": [min, max] }, { "normal": [mean, sd] } or { "normal": [mean, sd], "within": [min, max] }';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return c.add('invalid_type', path, expected, value);
  const keys = Object.keys(value);
  const kind = keys.includes('uniform') ? 'uniform' : keys.includes('normal') ? 'normal' : undefined;
  const allowed = kind === 'normal' ? ['normal', 'within'] : ['uniform'];
  if (!kind || keys.some((k) => !allowed.includes(k))) {
    return c.add('invalid_type', kind ? [...path, keys.find((k) => !allowed.includes(k))!] : path, expected, value);
  }
  const arr = c.array((value as Plain)[kind], [...path, kind], 2, 2);
  if (!arr) return undefined;
  if (kind === 'uniform') {
    const a = num(arr[0], [...path, kind, 0], rule.range);
    const b = num(arr[1], [...path, kind, 1], rule.range);
    if (a === undefined || b === undefined) return undefined;
    if (b < a) return c.add('invalid_value', [...path, kind, 1], `at least the minimum (${a})`, arr[1]);
    return { uniform: [a, b] };
  }
  const mean = num(arr[0], [...path, kind, 0], rule.range);
  const sd = num(arr[1], [...path, kind, 1], { min: 0, max: rule.maxSd });
  if (mean === undefined || sd === undefined) return undefined;
  const w = (value as Plain).within;
  let within: [number, number] | undefined;
  if (w !== undefined) {
    const pair = c.array(w, [...path, 'within'], 2, 2);
    if (!pair) return undefined;
    const lo = num(pair[0], [...path, 'within', 0], rule.range);
    const hi = num(pair[1], [...path, 'within', 1], rule.range);
    if (lo === undefined || hi === undefined) return undefined;
    if (!(hi > lo)) return c.add('invalid_value', [...path, 'within', 1], `more than the lower bound (${lo})`, pair[1]);
    within = [lo, hi];
  } else if (rule.truncate) {
    within = [rule.range.min ?? rule.range.above!, rule.range.max ?? rule.range.below!];
  }
  if (!within) return { normal: [mean, sd] };
  if (sd === 0) {
    if (mean < within[0] || mean > within[1]) return c.add('invalid_value', [...path, 'normal', 0], `a mean inside ${describe({ min: within[0], max: within[1] })} (sd 0)`, arr[0]);
    return { constant: mean };
  }
  const mass = normalCdf((within[1] - mean) / sd) - normalCdf((within[0] - mean) / sd);
  if (!(mass >= MIN_TRUNCATED_MASS)) {
    return c.add('invalid_value', [...path, w !== undefined ? 'within' : 'normal'],
      `a truncation keeping at least ${MIN_TRUNCATED_MASS * 100} % of the normal (${describe({ min: within[0], max: within[1] })} keeps ${(mass * 100).toPrecision(2)} %)`, w ?? arr);
  }
  return { normal: [mean, sd], within };
}

function describe(r: Range): string {
  return `[${r.min ?? r.above}, ${r.max ?? r.below}]`;
}

/** The smallest and largest value a distribution can draw (normals: 10 sd either side, practically never reached). */
export function distBounds(d: Dist): [number, number] {
  if ('constant' in d) return [d.constant, d.constant];
  if ('uniform' in d) return d.uniform;
  if (d.within) return d.within;
  return [d.normal[0] - 10 * d.normal[1], d.normal[0] + 10 * d.normal[1]];
}

function vectorError(c: Checker, value: unknown, path: Path): VectorError | undefined {
  const o = c.object(value, path, ['sigma', 'studentT', 'length']);
  if (!o) return undefined;
  if (o.length !== undefined) {
    if (o.sigma !== undefined || o.studentT !== undefined) return c.add('invalid_value', path, 'either sigma (with studentT) or length, not both', value);
    const l = c.object(o.length, [...path, 'length'], ['lognormal', 'values']);
    if (!l) return undefined;
    const keys = Object.keys(l);
    if (keys.length !== 1) return c.add('invalid_value', [...path, 'length'], '{ "lognormal": [median, sd of log] } or { "values": [...] }', o.length);
    if (l.lognormal !== undefined) {
      const a = c.array(l.lognormal, [...path, 'length', 'lognormal'], 2, 2);
      const median = a ? c.length(a[0], [...path, 'length', 'lognormal', 0], D.LOGNORMAL_MEDIAN) : undefined;
      const sdLog = a ? c.number(a[1], [...path, 'length', 'lognormal', 1], D.LOGNORMAL_SD_LOG) : undefined;
      return median === undefined || sdLog === undefined ? undefined : { sigma: [0, 0, 0], length: { lognormal: [median, sdLog] } };
    }
    const list = c.array(l.values, [...path, 'length', 'values'], 1, D.MAX_EMPIRICAL_VALUES);
    const values = list?.map((v, i) => c.length(v, [...path, 'length', 'values', i], D.EMPIRICAL_LENGTH));
    return values && values.every((v) => v !== undefined) ? { sigma: [0, 0, 0], length: { values: values as number[] } } : undefined;
  }
  let sigma: [number, number, number] = [0, 0, 0];
  if (o.sigma !== undefined) {
    const a = c.array(o.sigma, [...path, 'sigma'], 3, 3);
    if (!a) return undefined;
    const sv = a.map((v, i) => c.length(v, [...path, 'sigma', i], D.SIGMA));
    if (!sv.every((x) => x !== undefined)) return undefined;
    sigma = sv as [number, number, number];
  }
  if (o.studentT === undefined) return { sigma };
  const nu = c.integer(o.studentT, [...path, 'studentT'], D.STUDENT_T);
  return nu === undefined ? undefined : { sigma, studentT: nu };
}

const ZERO: Dist = { constant: 0 };

/** Validates a scenario (without its sweep) and fills the defaults. Throws StereotaxError. */
export function parseScenario(raw: unknown, allowSweep = true): Scenario {
  const c = new Checker();
  const r = c.object(raw, [], allowSweep ? TOP : TOP.filter((k) => k !== 'sweep' && k !== 'replicates' && k !== 'sensitivity'), ['unit', 'breast', 'lesion']);
  if (!r) c.done();
  const s = r!;
  // The studies (version 1.2): their own fields checked here; their runs when the study is planned (src/simulate/run.ts).
  for (const [key, check] of [['replicates', parseReplicates], ['sensitivity', parseSensitivity]] as const) {
    if (s[key] === undefined) continue;
    try {
      check(s[key]);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      c.issues.push(...err.issues);
    }
  }
  const id = c.optional(s, 'id', (v) => parseValue(c, D.Id, v, ['id']), null as string | null);
  const seed = c.optional(s, 'seed', (v) => parseValue(c, D.Seed, v, ['seed']), 0);
  const trials = c.optional(s, 'trials', (v) => parseValue(c, D.Trials, v, ['trials']), D.DEFAULT_TRIALS);
  const quantiles = c.optional(s, 'quantiles', (v) => {
    const list = c.array(v, ['quantiles'], 1, D.MAX_QUANTILES);
    const qs = list?.map((q, i) => c.number(q, ['quantiles', i], D.QUANTILE));
    if (!qs || qs.some((q) => q === undefined)) return undefined;
    const dup = qs.findIndex((q, i) => qs.indexOf(q) !== i);
    if (dup >= 0) return c.add('duplicate_value', ['quantiles', dup], 'each quantile once', list![dup]);
    return (qs as number[]).slice().sort((a, b) => a - b);
  }, [] as number[]);

  // unit
  const u = s.unit === undefined ? undefined : c.object(s.unit, ['unit'], ['geometry', 'angles', 'miscalibration', 'tomosynthesis'], ['geometry', 'angles']);
  const tomo = u?.tomosynthesis === undefined ? null : (() => {
    const t = parseValue(c, D.Tomosynthesis, u.tomosynthesis, ['unit', 'tomosynthesis']) as { sliceSpacing: number } | undefined;
    return t && { sliceSpacing: t.sliceSpacing };
  })();
  const geometry = u?.geometry === undefined ? undefined : checkGeometry(c, u.geometry, ['unit', 'geometry']);
  const angleList = u?.angles === undefined ? undefined : c.array(u.angles, ['unit', 'angles'], 2, D.MAX_VIEWS);
  const angles = angleList?.map((a, k) => c.angle(a, ['unit', 'angles', k], D.ANGLE));
  angles?.forEach((a, k) => {
    if (a === undefined) return;
    const j = angles.findIndex((b) => b === a);
    if (j < k) c.add('duplicate_value', ['unit', 'angles', k], `an angle different from unit.angles[${j}] (${a} deg)`, angleList![k]);
  });
  const mis = u?.miscalibration === undefined ? undefined : c.object(u.miscalibration, ['unit', 'miscalibration'], ['angle', 'sourceToSupport', 'rotationAxisHeight', 'sourceToDetector', 'detectorShift']);
  let misAngle: (Dist | undefined)[] | undefined = angleList?.map(() => ZERO);
  if (mis?.angle !== undefined) {
    const list = c.array(mis.angle, ['unit', 'miscalibration', 'angle'], 0, D.MAX_VIEWS);
    if (list && angleList && list.length !== angleList.length) {
      c.add('invalid_value', ['unit', 'miscalibration', 'angle'], `one angle error per view (${angleList.length})`, mis.angle);
    }
    misAngle = list?.map((a, k) => checkDist(c, a, ['unit', 'miscalibration', 'angle', k], D.MIS_ANGLE));
  }
  const offset = D.MIS_OFFSET;
  const misSts = c.optional(mis, 'sourceToSupport', (v) => checkDist(c, v, ['unit', 'miscalibration', 'sourceToSupport'], offset), ZERO);
  const misRah = c.optional(mis, 'rotationAxisHeight', (v) => checkDist(c, v, ['unit', 'miscalibration', 'rotationAxisHeight'], offset), ZERO);
  const misSid = c.optional(mis, 'sourceToDetector', (v) => parseValue(c, D.MisSourceToDetector, v, ['unit', 'miscalibration', 'sourceToDetector']), 0);
  const detShift = c.optional(mis, 'detectorShift', (v) => parseValue(c, D.DetectorShift, v, ['unit', 'miscalibration', 'detectorShift']) as [number, number] | undefined,
    [0, 0] as [number, number]);

  // breast
  const b = s.breast === undefined ? undefined : c.object(s.breast, ['breast'], ['thickness', 'thicknessReadout'], ['thickness']);
  const thickness = b?.thickness === undefined ? undefined : checkDist(c, b.thickness, ['breast', 'thickness'], D.THICKNESS);
  const ro = b?.thicknessReadout === undefined ? undefined : c.object(b.thicknessReadout, ['breast', 'thicknessReadout'], ['bias', 'sigma']);
  const bias = c.optional(ro, 'bias', (v) => checkDist(c, v, ['breast', 'thicknessReadout', 'bias'], D.READOUT_BIAS), ZERO);
  const readSigma = c.optional(ro, 'sigma', (v) => parseValue(c, D.ReadoutSigma, v, ['breast', 'thicknessReadout', 'sigma']), 0);

  // lesion
  const l = s.lesion === undefined ? undefined : c.object(s.lesion, ['lesion'], ['x', 'y', 'zFraction', 'radius'], ['x', 'y', 'zFraction']);
  const xy = D.LESION_XY;
  const lx = l?.x === undefined ? undefined : checkDist(c, l.x, ['lesion', 'x'], xy);
  const ly = l?.y === undefined ? undefined : checkDist(c, l.y, ['lesion', 'y'], xy);
  const lz = l?.zFraction === undefined ? undefined : checkDist(c, l.zFraction, ['lesion', 'zFraction'], D.Z_FRACTION);
  const radius = c.optional(l, 'radius', (v) => checkDist(c, v, ['lesion', 'radius'], D.RADIUS), ZERO);

  // marking
  const m = s.marking === undefined ? undefined : c.object(s.marking, ['marking'], ['sigma', 'bias']);
  const views = angleList?.length ?? 0;
  const perView = (v: unknown, path: Path, range: Range, what: string): [number, number][] | undefined => {
    if (typeof v === 'number' || typeof v === 'string') {
      const x = c.length(v, path, range);
      return x === undefined ? undefined : Array.from({ length: views }, () => [x, x] as [number, number]);
    }
    const list = c.array(v, path, views, views);
    if (list && list.length !== views) return c.add('invalid_value', path, `${what} per view (${views})`, v);
    const out = list?.map((e, k) => {
      if (Array.isArray(e)) {
        const pair = c.array(e, [...path, k], 2, 2);
        const uv = pair?.map((x, i) => c.length(x, [...path, k, i], range));
        return uv && uv.every((x) => x !== undefined) ? (uv as [number, number]) : undefined;
      }
      const x = c.length(e, [...path, k], range);
      return x === undefined ? undefined : ([x, x] as [number, number]);
    });
    return out && out.every((x) => x !== undefined) ? (out as [number, number][]) : undefined;
  };
  const zeros = () => Array.from({ length: views }, () => [0, 0] as [number, number]);
  const sigmaByView = c.optional(m, 'sigma', (v) => perView(v, ['marking', 'sigma'], D.MARK_SIGMA, 'one sigma or [sigma u, sigma v]'), zeros());
  const markBias = c.optional(m, 'bias', (v) => perView(v, ['marking', 'bias'], D.MARK_BIAS, 'one bias or [bias u, bias v]'), zeros());
  const flat = sigmaByView?.flat() ?? [];
  const markSigma = flat.length && flat.every((x) => x === flat[0]) ? flat[0] : flat.length ? null : 0;

  // needle
  let needle: Scenario['needle'] | undefined = null;
  if (s.needle !== undefined) {
    const n = c.object(s.needle, ['needle'], ['device', 'deviation', 'deflection', 'samplingRadius', 'minStrokeMargin', 'approach', 'lateral', 'minClearance'], ['device']);
    const deflection = c.optional(n, 'deflection', (v) => parseValue(c, D.Deflection, v, ['needle', 'deflection']), 0);
    const device = n?.device === undefined ? undefined : checkScenarioDevice(c, n.device, ['needle', 'device']);
    const deviation = n?.deviation === undefined ? { sigma: [0, 0, 0] as [number, number, number] } : vectorError(c, n.deviation, ['needle', 'deviation']);
    const samplingRadius = c.optional(n, 'samplingRadius', (v) => parseValue(c, D.SamplingRadius, v, ['needle', 'samplingRadius']), 0);
    const minStrokeMargin = c.optional(n, 'minStrokeMargin', (v) => parseValue(c, D.MinStrokeMargin, v, ['needle', 'minStrokeMargin']), 0);
    const approach = c.optional(n, 'approach', (v) => parseValue(c, D.Approach, v, ['needle', 'approach']), 'vertical' as const);
    let lateral: LateralScenario | undefined;
    let lateralOk = true;
    if (approach === 'lateral') {
      lateralOk = false;
      if (n!.lateral === undefined) c.add('missing_field', ['needle', 'lateral'], 'the lateral setup { "side": "+x" | "-x", "nearSkinX", "farSkinX" } with approach "lateral"', undefined);
      const setup = n!.lateral === undefined ? undefined : checkLateralSetup(c, n!.lateral, ['needle', 'lateral']);
      const minClearance = c.optional(n, 'minClearance', (v) => parseValue(c, D.MinClearance, v, ['needle', 'minClearance']), 0);
      const outer = device?.outerDiameter;
      if (device && outer === undefined) c.add('missing_field', ['needle', 'device', 'outerDiameter'], 'the outer diameter in mm (or a gauge with a table value): the lateral approach checks the needle against support and paddle', undefined);
      if (setup && deflection && setup.nearSkinX === undefined) c.add('missing_field', ['needle', 'lateral', 'nearSkinX'], 'the entry skin x: lateral deflection grows with the tissue crossed from it', undefined);
      if (setup && minClearance !== undefined && outer !== undefined) {
        lateral = { side: setup.side, minClearance, outerRadius: outer / 2, ...(setup.nearSkinX !== undefined ? { nearSkinX: setup.nearSkinX } : {}), ...(setup.farSkinX !== undefined ? { farSkinX: setup.farSkinX } : {}) };
        lateralOk = true;
      }
    } else {
      if (n?.lateral !== undefined) c.add('invalid_value', ['needle', 'lateral'], 'no lateral setup without "approach": "lateral"', n.lateral);
      if (n?.minClearance !== undefined) c.add('invalid_value', ['needle', 'minClearance'], 'minClearance only with "approach": "lateral"', n.minClearance);
    }
    needle = device && deviation && deflection !== undefined && samplingRadius !== undefined && minStrokeMargin !== undefined && approach && lateralOk
      ? { device: lateralDevice(device, !!lateral), deviation, deflection, samplingRadius, minStrokeMargin, ...(lateral ? { lateral } : {}) } : undefined;
  }

  // tissue
  const t = s.tissue === undefined ? undefined : c.object(s.tissue, ['tissue'], ['displacement']);
  const displacement = t?.displacement === undefined ? { sigma: [0, 0, 0] as [number, number, number] } : vectorError(c, t.displacement, ['tissue', 'displacement']);
  c.done();

  // Cross-field: every source stays above the thickest breast, whatever the miscalibration draws.
  const g = geometry!;
  if (!(g.sourceToDetector + misSid! > g.sourceToSupport + 1)) {
    c.add('invalid_geometry', ['unit', 'miscalibration', 'sourceToDetector'], `a true detector at least 1 mm below the support (sourceToDetector + this > ${g.sourceToSupport + 1})`, misSid);
  }
  const tMax = distBounds(thickness!)[1];
  // Source height sts cos(a) + rah (1 - cos(a)): lowest with the lowest sts, the lowest rah and the largest |a|.
  const lowGeometry = { ...g, sourceToSupport: g.sourceToSupport + distBounds(misSts!)[0], rotationAxisHeight: g.rotationAxisHeight + distBounds(misRah!)[0] };
  angles!.forEach((a, k) => {
    const lowest = Math.min(...distBounds(misAngle![k]!).map((d) => sourcePosition({ x: 0, y: 0, z: 0 }, lowGeometry, a! + d).z));
    if (!(lowest > tMax + 10)) {
      c.add('invalid_geometry', ['unit', 'angles', k], `an angle (with its miscalibration) that keeps the source at least 10 mm above the thickest breast (${tMax} mm)`, angleList![k]);
    }
  });
  c.done();

  return {
    id: id ?? null,
    quantiles: quantiles!,
    seed: seed!,
    trials: trials!,
    unit: { geometry: g, angles: angles as number[], tomosynthesis: tomo ?? null, miscalibration: { angle: misAngle as Dist[], sourceToSupport: misSts!, rotationAxisHeight: misRah!, sourceToDetector: misSid!, detectorShift: detShift! } },
    breast: { thickness: thickness!, thicknessReadout: { bias: bias!, sigma: readSigma! } },
    lesion: { x: lx!, y: ly!, zFraction: lz!, radius: radius! },
    marking: { sigma: markSigma, sigmaByView: sigmaByView!, bias: markBias! },
    needle: needle!,
    tissue: { displacement: displacement! },
  };
}

/** The device with its outer diameter (mm, from the device or its gauge's table value) while parsing; kept only for the lateral approach. */
type ParsedDevice = ScenarioDevice & { outerDiameter?: number };

function checkScenarioDevice(c: Checker, value: unknown, path: Path): ParsedDevice | undefined {
  if (typeof value === 'string') {
    const d = shippedCatalog().biopsyDevices.find((x) => x.id === value);
    if (!d) {
      return c.add('unknown_reference', path, `a biopsy device id from the catalog (${shippedCatalog().biopsyDevices.map((x) => x.id).join(', ')}) or an inline device`, value);
    }
    return { id: d.id, throw: d.throw, apertureLength: d.apertureLength, tipLength: d.tipLength, outerDiameter: d.outerDiameter };
  }
  const d = checkDevice(c, value, path);
  const outerDiameter = d?.outerDiameter ?? (d?.gauge !== undefined ? GAUGE_OUTER_DIAMETER[d.gauge] : undefined);
  return d ? { id: 'inline', throw: d.throw, apertureLength: d.apertureLength, tipLength: d.tipLength, ...(outerDiameter !== undefined ? { outerDiameter } : {}) } : undefined;
}

/**
 * The scenario's device: exactly the version-1 fields for the vertical approach (so its
 * canonical form and hash are unchanged), the outer diameter only where the lateral one needs it.
 */
function lateralDevice(d: ParsedDevice, lateral: boolean): ScenarioDevice {
  const { outerDiameter, ...base } = d;
  return lateral ? { ...base, outerDiameter } as ScenarioDevice : base;
}

/** Symmetric pair +a/-a: the indexes of the + and - views, for the classic estimate. */
export function symmetricPair(s: Scenario): { plus: number; minus: number; angle: number } | null {
  const a = s.unit.angles;
  if (a.length !== 2 || a[0] !== -a[1] || a[0] === 0) return null;
  const plus = a[0] > 0 ? 0 : 1;
  return { plus, minus: 1 - plus, angle: Math.abs(a[0]) };
}

/** JSON with keys sorted at every level: the canonical text that is hashed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Plain;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical scenario, with Web Crypto (Node 20 and browsers). */
export async function scenarioHash(s: Scenario): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(s));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// ---- sweeps (spec section 5) ----

export interface SweepPoint {
  params: Record<string, unknown>;
  scenario: Scenario;
}

const NOT_SWEPT = new Set(['seed', 'sweep', 'id', 'quantiles']);

/** The scenario's sweep as validated points in the order of the cartesian product (last key fastest); [one point] without a sweep. */
export function expandScenario(raw: unknown, override: { trials?: number } = {}): { base: Scenario; points: SweepPoint[] | null } {
  // A value that is not JSON data (a revoked proxy, a trap or getter that throws, anywhere in
  // the scenario or its sweep) is refused as a StereotaxError, never thrown as a TypeError.
  return guardParse(() => expand(raw, override));
}

function expand(raw: unknown, override: { trials?: number }): { base: Scenario; points: SweepPoint[] | null } {
  const input = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Plain) } : raw;
  if (override.trials !== undefined && input && typeof input === 'object') (input as Plain).trials = override.trials;
  const base = parseScenario(input);
  const sweep = (input as Plain).sweep;
  if (sweep === undefined) return { base, points: null };
  const c = new Checker();
  const sw = c.object(sweep, ['sweep'], Object.keys(sweep as object));
  c.done();
  const entries = Object.entries(sw!);
  if (entries.length === 0) c.add('too_few_items', ['sweep'], 'at least one dotted path with a list of values', sweep);
  let total = 1;
  for (const [path, values] of entries) {
    const p = ['sweep', path];
    if (!/^[A-Za-z]+(\.[A-Za-z]+)*$/.test(path) || NOT_SWEPT.has(path.split('.')[0])) {
      c.add('invalid_value', p, 'a dotted path into the scenario such as "marking.sigma" (not seed, id or sweep)', path);
    }
    const list = c.array(values, p, 1, MAX_SWEEP_POINTS);
    if (list) total *= list.length;
  }
  if (total > MAX_SWEEP_POINTS) c.add('out_of_range', ['sweep'], `at most ${MAX_SWEEP_POINTS} points in the product`, `${total} points`);
  c.done();
  const points: SweepPoint[] = [];
  const lists = entries.map(([, v]) => v as unknown[]);
  const index = lists.map(() => 0);
  for (let n = 0; n < total; n++) {
    const params: Record<string, unknown> = {};
    const copy = structuredClone(input) as Plain;
    delete copy.sweep;
    entries.forEach(([path], k) => {
      params[path] = lists[k][index[k]];
      setPath(copy, path.split('.'), lists[k][index[k]], path);
    });
    let scenario: Scenario;
    try {
      scenario = parseScenario(copy, false);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      const where = Object.entries(params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ');
      throw new StereotaxError(err.issues.map((i) => ({ ...i, message: `sweep point ${n} (${where}): ${i.message}` })));
    }
    points.push({ params, scenario });
    for (let k = lists.length - 1; k >= 0; k--) {
      if (++index[k] < lists[k].length) break;
      index[k] = 0;
    }
  }
  return { base, points };
}

function setPath(obj: Plain, keys: string[], value: unknown, full: string): void {
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = o[keys[i]];
    if (next === undefined) o[keys[i]] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      throw new StereotaxError([{ code: 'invalid_value', path: `sweep["${full}"]`, expected: 'a path through objects of the scenario', received: JSON.stringify(full), message: `sweep["${full}"]: ${keys.slice(0, i + 1).join('.')} is not an object` }]);
    }
    o = o[keys[i]] as Plain;
  }
  o[keys[keys.length - 1]] = value;
}
