/**
 * The phantom-QA session request (spec qa.md section 2), validated completely
 * before anything is computed. Marks are checked by the targeting request's own
 * validation (every triangulation goes through the targeting engine), with the
 * issue paths moved to where they are in the session.
 */
import { StereotaxError, type Issue } from '../core/errors.js';
import { parseValue } from '../core/schema/parse.js';
import { Checker, type Path, type Plain, type Range } from '../core/validate.js';
import type { UnitGeometry, Vec3 } from '../targeting/geometry.js';
import { parseTargetingRequest, type TargetingInput } from '../targeting/targeting.js';
import { checkPhantom, phantomLibrary, type Phantom } from './phantoms.js';
import * as Schema from './schema.js';
import { field, objectOf, propertiesOf } from './fields.js';
import { rangeOf } from '../core/schema/build.js';

export type Axis = 'x' | 'y' | 'z';
export const AXES: readonly Axis[] = ['x', 'y', 'z'];
export type PerAxis = Record<Axis, number>;

export interface QAUnit {
  id: string;
  name: string | null;
  site: string | null;
  /** The unit's identification for the signed report (optional). */
  manufacturer?: string;
  model?: string;
  serial?: string;
  geometry?: UnitGeometry;
}

/** Who signs the report (names printed under the signature lines; the lines are there either way). */
export interface QATeam {
  physicist: string | null;
  technologist: string | null;
  leadInterpretingPhysician: string | null;
}

/** The facility the record belongs to, for the signed report. */
export interface QAFacility {
  name: string;
  /** Accreditation numbers as written on the certificates (e.g. "ACR SBB 12345-01", "MQSA 987654"). */
  accreditation: string[];
}

export type SessionKind = 'physicist' | 'technologist';

export interface QALimits {
  tolerance: PerAxis;
  /** Action level: above it (and within tolerance) a warning; null when not set. */
  action: PerAxis | null;
  calculationTolerance: PerAxis;
  /**
   * How finely the marks were read (mm; 0: exactly). The calculation check's limit
   * adds, per target and axis, the largest error this rounding can cause.
   */
  markResolution: number;
}

export interface QAMeasurementInput {
  target: string;
  console?: Vec3;
  /** Validated targeting inputs for the two triangulations. */
  targetMarks?: TargetingInput;
  needleMarks?: TargetingInput;
  /** placement.origin + the phantom target's position, when a placement is given. */
  truth?: Vec3;
}

export interface QASessionInput {
  unit: QAUnit;
  date: string;
  tester: string | null;
  kind: SessionKind;
  phantom: Phantom;
  placement: { origin: Vec3 } | null;
  limits: QALimits;
  /** The thickness the triangulations use, and whether it came from the phantom or the session. */
  thickness: { value: number; from: 'session' | 'phantom' | 'assumed' };
  measurements: QAMeasurementInput[];
  notes: string | null;
  facility: QAFacility | null;
  /** The serial number of the physical phantom used. */
  phantomSerial: string | null;
  team: QATeam | null;
  /** IANA time zone of the facility, for the report's times (default UTC). */
  timeZone: string;
  /** The request as given (stored with the session). */
  request: unknown;
}

export { DEFAULT_TOLERANCE, DEFAULT_CALCULATION_TOLERANCE, MAX_MARK_RESOLUTION, UNIT_ID } from './schema.js';
/** With no thickness anywhere, the triangulations assume the deepest truth + this (mm); an info finding says so. */
export const ASSUMED_THICKNESS_MARGIN = 20;

const S = Schema.Session;
const sessionField = (c: Checker, o: Plain, key: string): unknown => field(c, S, o, key, []);
const UNIT_ID_SCHEMA = Schema.Unit.properties.id;

export function checkUnitId(c: Checker, v: unknown, path: Path): string | undefined {
  return parseValue(c, UNIT_ID_SCHEMA, v, path);
}

function checkUnit(c: Checker, value: unknown): QAUnit | undefined {
  const u = parseValue(c, Schema.Unit, value, ['unit']);
  if (!u) return undefined;
  const out: QAUnit = { id: u.id, name: u.name ?? null, site: u.site ?? null };
  for (const k of ['manufacturer', 'model', 'serial'] as const) {
    const v = u[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const toPoint = (p: readonly number[] | Vec3): Vec3 => (Array.isArray(p) ? { x: p[0], y: p[1], z: p[2] } : (p as Vec3));

/** A limit: one number for every axis, or { x, y, z }. */
export function checkPerAxis(c: Checker, value: unknown, path: Path, range?: Range): PerAxis | undefined {
  const v = parseValue(c, range ? Schema.perAxis(range) : Schema.Limit, value, path) as number | PerAxis | undefined;
  return v === undefined ? undefined : typeof v === 'number' ? { x: v, y: v, z: v } : { x: v.x, y: v.y, z: v.z };
}

/** Checks tolerance, action and calculationTolerance together (action must be below tolerance). */
export function checkLimits(c: Checker, o: Plain): QALimits | undefined {
  const limit = (key: 'tolerance' | 'calculationTolerance'): PerAxis | undefined => {
    const v = o[key] === undefined ? (propertiesOf(S)[key].default as number) : o[key];
    return checkPerAxis(c, v, [key]);
  };
  const tolerance = limit('tolerance');
  const action = o.action == null ? null : checkPerAxis(c, o.action, ['action']);
  const calculationTolerance = limit('calculationTolerance');
  if (tolerance && action && actionNotBelowTolerance(c, o.action, tolerance, action)) return undefined;
  const markResolution = sessionField(c, o, 'markResolution') as number | undefined;
  if (!tolerance || action === undefined || !calculationTolerance || markResolution === undefined) return undefined;
  return { tolerance, action, calculationTolerance, markResolution };
}

/** The cross-field rule of the limits: the action level below the tolerance on every axis. True when refused. */
function actionNotBelowTolerance(c: Checker, raw: unknown, tolerance: PerAxis, action: PerAxis): boolean {
  for (const a of AXES) {
    if (action[a] >= tolerance[a]) {
      const path = typeof raw === 'object' ? ['action', a] : ['action'];
      c.add('out_of_range', path, `below the tolerance (${tolerance[a]} mm in ${a})`, typeof raw === 'object' ? (raw as Plain)[a] : raw);
      return true;
    }
  }
  return false;
}

/** A point as [x, y, z] or { x, y, z } in mm. */
export function checkPoint(c: Checker, value: unknown, path: Path): Vec3 | undefined {
  const p = parseValue(c, Schema.Point, value, path) as number[] | Vec3 | undefined;
  return p && toPoint(p);
}

/** Moves a targeting issue (paths `views[..]`, `geometry.*`, ...) to where its field is in the session. */
function relocate(issue: Issue, marksPath: string): Issue {
  const map = (p: string): string => {
    if (p === 'views' || p.startsWith('views[') || p.startsWith('views.')) return marksPath + p.slice('views'.length);
    if (p === 'geometry' || p.startsWith('geometry.')) return 'unit.' + p;
    return p;
  };
  const path = map(issue.path);
  let message = issue.message;
  if (issue.path && message.startsWith(issue.path)) message = path + message.slice(issue.path.length);
  else message = message.replace(/\bviews\[/g, `${marksPath}[`).replace(/^views:/, `${marksPath}:`);
  return { ...issue, path, message };
}

/** Marks always give a stereo request (views), never a tomosynthesis one. */
function stereo(r: ReturnType<typeof parseTargetingRequest>): TargetingInput {
  if (!('views' in r)) throw new Error('internal: QA marks parsed as a tomosynthesis request');
  return r;
}

/** The unit's geometry through the targeting request's validation (a symmetric pair that any valid unit accepts). */
function checkGeometryOnly(geometry: unknown): UnitGeometry {
  try {
    return stereo(parseTargetingRequest({ geometry, thickness: 1, views: [{ angle: 1, u: 0, v: 0 }, { angle: -1, u: 0, v: 0 }] })).geometry;
  } catch (err) {
    if (!(err instanceof StereotaxError)) throw err;
    const own = err.issues.filter((i) => i.path.startsWith('geometry')).map((i) => relocate(i, 'views'));
    throw own.length ? new StereotaxError(own) : err;
  }
}

export interface ParseOptions {
  /** User phantoms: they replace shipped ones with the same id. */
  phantoms?: readonly Phantom[];
  /** Today's date (YYYY-MM-DD, UTC) for refusing a session dated in the future; default the clock's. */
  today?: string;
}

/** Today's date in UTC as YYYY-MM-DD. */
export function utcToday(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Checks a session request completely (spec qa.md section 2) and resolves the
 * phantom; throws a StereotaxError listing every issue.
 */
export function parseSession(request: unknown, options: ParseOptions = {}): QASessionInput {
  const c = new Checker();
  // Field by field, in the order the issues have always come: the rules that need the
  // options (today, the phantom library) or the phantom's targets sit after their field.
  const r = objectOf(c, S, request, []);
  if (!r) c.done();
  const req = r!;
  const unit = req.unit === undefined ? undefined : checkUnit(c, req.unit);
  const date = sessionField(c, req, 'date') as string | undefined;
  const today = options.today ?? utcToday();
  if (date !== undefined && date > today) {
    c.add('out_of_range', ['date'], `a session date on or before today (${today}, UTC): a session cannot be recorded before it took place`, req.date);
  }
  const tester = sessionField(c, req, 'tester') as string | null | undefined;
  const kind = sessionField(c, req, 'kind') as SessionKind | undefined;
  const notes = sessionField(c, req, 'notes') as string | null | undefined;
  const facility = req.facility == null ? null : (sessionField(c, req, 'facility') as QAFacility | undefined);
  const phantomSerial = sessionField(c, req, 'phantomSerial') as string | null | undefined;
  const team = req.team == null ? null : (sessionField(c, req, 'team') as QATeam | undefined);
  const timeZone = sessionField(c, req, 'timeZone') as string | undefined;

  let phantom: Phantom | undefined;
  if (typeof req.phantom === 'string') {
    // An id is looked up, not held to a length: an unknown one is an unknown reference.
    const lib = phantomLibrary(options.phantoms);
    phantom = lib.get(req.phantom);
    if (!phantom) c.add('unknown_reference', ['phantom'], `a known phantom id (${[...lib.keys()].join(', ')}) or an inline phantom`, req.phantom);
  } else if (req.phantom !== undefined) {
    phantom = checkPhantom(c, req.phantom, ['phantom']);
  }

  let placement: { origin: Vec3 } | null = null;
  const placed = sessionField(c, req, 'placement') as { origin: number[] | Vec3 } | undefined;
  if (placed) placement = { origin: toPoint(placed.origin) };
  const limits = checkLimits(c, req);
  const sessionThickness = sessionField(c, req, 'thickness') as number | undefined;

  const raw: { target?: string; console?: Vec3; targetMarks?: unknown; needleMarks?: unknown }[] = [];
  const M = Schema.Measurement;
  const listSchema = propertiesOf(S).measurements;
  const list = req.measurements === undefined ? undefined : c.array(req.measurements, ['measurements'], listSchema.minItems as number, listSchema.maxItems as number);
  list?.forEach((item, i) => {
    const p: Path = ['measurements', i];
    const o = objectOf(c, M, item, p);
    if (!o) return raw.push({});
    const label = field(c, M, o, 'target', p) as string | undefined;
    if (label !== undefined && phantom && !phantom.targets.some((t) => t.label === label)) {
      c.add('unknown_reference', [...p, 'target'], `a target of phantom ${phantom.id} (${phantom.targets.map((t) => t.label).join(', ')})`, o.target);
    }
    const consolePoint = o.console === undefined ? undefined : checkPoint(c, o.console, [...p, 'console']);
    if (o.console === undefined && o.targetMarks === undefined && o.needleMarks === undefined) {
      c.add('missing_field', p, 'at least one of console, targetMarks, needleMarks', item,
        `measurements[${i}]: give at least one of console, targetMarks, needleMarks`);
    }
    for (const k of ['targetMarks', 'needleMarks'] as const) field(c, M, o, k, p);
    raw.push({ target: label, console: consolePoint, targetMarks: o.targetMarks, needleMarks: o.needleMarks });
  });
  // A target measured twice would count twice in the summary and hide a missed one.
  const seen = new Map<string, number>();
  raw.forEach((m, i) => {
    if (m.target === undefined) return;
    const first = seen.get(m.target);
    if (first !== undefined) {
      c.add('duplicate_value', ['measurements', i, 'target'], `each phantom target measured once (target ${m.target} is already measurements[${first}])`, m.target);
    } else seen.set(m.target, i);
  });
  // Every target of the phantom, unless minTargets says how many this session needs (at most as many as it has).
  let minTargets: number | undefined;
  if (req.minTargets !== undefined) {
    const range = rangeOf(propertiesOf(S).minTargets);
    minTargets = c.integer(req.minTargets, ['minTargets'], phantom ? { ...range, max: phantom.targets.length } : range);
  }
  if (phantom && list && seen.size === raw.length) {
    const need = minTargets ?? phantom.targets.length;
    if (seen.size < need) {
      const missing = phantom.targets.map((t) => t.label).filter((l) => !seen.has(l));
      c.add('too_few_items', ['measurements'],
        `${minTargets === undefined ? `every target of phantom ${phantom.id} (${phantom.targets.length})` : `at least minTargets = ${need} targets`}; missing ${missing.join(', ')}` +
        (minTargets === undefined ? ' (set minTargets to analyse fewer on purpose)' : ''), list);
    }
  }
  const needsGeometry = raw.some((m) => m.targetMarks !== undefined || m.needleMarks !== undefined);
  const unitObj = req.unit as Plain | undefined;
  if (needsGeometry && unitObj && typeof unitObj === 'object' && unitObj.geometry === undefined) {
    c.add('missing_field', ['unit', 'geometry'], "the unit's geometry (sourceToDetector, sourceToSupport, rotationAxisHeight) to triangulate the marks", undefined);
  }
  c.done();

  // Every field is well formed; resolve truth and thickness, then check the marks
  // through the targeting request's own validation.
  const ph = phantom!;
  const truthOf = (label: string): Vec3 | undefined => {
    if (!placement) return undefined;
    const t = ph.targets.find((x) => x.label === label)!;
    return { x: placement.origin.x + t.position[0], y: placement.origin.y + t.position[1], z: placement.origin.z + t.position[2] };
  };
  let thickness: QASessionInput['thickness'];
  if (sessionThickness !== undefined) thickness = { value: sessionThickness, from: 'session' };
  else if (ph.thickness !== undefined) thickness = { value: ph.thickness, from: 'phantom' };
  else {
    const oz = placement ? placement.origin.z : 0;
    const deepest = Math.max(0, ...ph.targets.map((t) => oz + t.position[2]));
    thickness = { value: deepest + ASSUMED_THICKNESS_MARGIN, from: 'assumed' };
  }

  const issues: Issue[] = [];
  const measurements: QAMeasurementInput[] = raw.map((m, i) => {
    const out: QAMeasurementInput = { target: m.target! };
    if (m.console) out.console = m.console;
    for (const k of ['targetMarks', 'needleMarks'] as const) {
      if (m[k] === undefined) continue;
      const treq: Plain = { geometry: unitObj!.geometry, thickness: thickness.value, views: m[k] };
      if (req.detector !== undefined) treq.detector = req.detector;
      if (req.maxRayGap !== undefined) treq.maxRayGap = req.maxRayGap;
      try {
        out[k] = stereo(parseTargetingRequest(treq));
      } catch (err) {
        if (!(err instanceof StereotaxError)) throw err;
        for (const issue of err.issues) {
          const moved = relocate(issue, `measurements[${i}].${k}`);
          if (moved.path === 'thickness' && thickness.from !== 'session') {
            moved.path = thickness.from === 'phantom' ? 'phantom.thickness' : 'thickness';
          }
          if (!issues.some((x) => x.path === moved.path && x.code === moved.code)) issues.push(moved);
        }
      }
    }
    const truth = truthOf(m.target!);
    if (truth) out.truth = truth;
    if (!out.console && !out.targetMarks && !out.needleMarks) return out;
    const checks = (out.console && (out.targetMarks || truth)) || (out.needleMarks && (out.targetMarks || truth)) || (out.targetMarks && truth);
    if (!checks && !issues.length) {
      issues.push({
        code: 'missing_field', path: `measurements[${i}]`, expected: 'points that give at least one check (with no placement, targetMarks and one of console or needleMarks)',
        received: 'an object', message: `measurements[${i}]: nothing to compare: without placement.origin there is no truth, so give targetMarks with console or needleMarks`,
      });
    }
    return out;
  });
  if (issues.length) throw new StereotaxError(issues);

  const u = unit!;
  if (unitObj!.geometry !== undefined) u.geometry = checkGeometryOnly(unitObj!.geometry);
  return {
    unit: u, date: date!, tester: tester ?? null, kind: kind!, phantom: ph, placement, limits: limits!, thickness, measurements,
    notes: notes ?? null, facility: facility ?? null, phantomSerial: phantomSerial ?? null, team: team ?? null, timeZone: timeZone ?? 'UTC', request,
  };
}
