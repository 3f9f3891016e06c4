/**
 * The phantom-QA session request (spec qa.md section 2), validated completely
 * before anything is computed. Marks are checked by the targeting request's own
 * validation (every triangulation goes through the targeting engine), with the
 * issue paths moved to where they are in the session.
 */
import { StereotaxError, type Issue } from '../core/errors.js';
import { Checker, type Path, type Plain, type Range } from '../core/validate.js';
import { checkDate } from '../plan/dates.js';
import type { UnitGeometry, Vec3 } from '../targeting/geometry.js';
import { parseTargetingRequest, type TargetingInput } from '../targeting/targeting.js';
import { checkPhantom, phantomLibrary, type Phantom } from './phantoms.js';

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

export const DEFAULT_TOLERANCE = 1;
export const DEFAULT_CALCULATION_TOLERANCE = 0.1;
/** With no thickness anywhere, the triangulations assume the deepest truth + this (mm); an info finding says so. */
export const ASSUMED_THICKNESS_MARGIN = 20;

const SESSION_FIELDS = ['unit', 'date', 'tester', 'kind', 'phantom', 'placement', 'tolerance', 'action', 'calculationTolerance', 'markResolution', 'minTargets',
  'measurements', 'detector', 'maxRayGap', 'thickness', 'notes', 'facility', 'phantomSerial', 'team', 'timeZone'];
const UNIT_FIELDS = ['id', 'name', 'site', 'manufacturer', 'model', 'serial', 'geometry'];
const MEASUREMENT_FIELDS = ['target', 'console', 'targetMarks', 'needleMarks'];
export const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/;
const LIMIT_RANGE = { above: 0, max: 100 };
/** Marks read more coarsely than 2 mm cannot check a calculation tolerance of tenths. */
export const MAX_MARK_RESOLUTION = 2;

export function checkUnitId(c: Checker, v: unknown, path: Path): string | undefined {
  const s = c.string(v, path, 64);
  if (s !== undefined && !UNIT_ID.test(s)) return c.add('invalid_value', path, 'a unit id of letters, digits, spaces, ".", "_" or "-" (at most 64)', v);
  return s;
}

function checkUnit(c: Checker, value: unknown): QAUnit | undefined {
  const o = c.object(value, ['unit'], UNIT_FIELDS, ['id']);
  if (!o) return undefined;
  const id = checkUnitId(c, o.id, ['unit', 'id']);
  const name = o.name == null ? null : c.string(o.name, ['unit', 'name']);
  const site = o.site == null ? null : c.string(o.site, ['unit', 'site']);
  const out: QAUnit = { id: id ?? '', name: name ?? null, site: site ?? null };
  for (const k of ['manufacturer', 'model', 'serial'] as const) {
    if (o[k] == null) continue;
    const v = c.string(o[k], ['unit', k], 100);
    if (v !== undefined) out[k] = v;
  }
  if (id === undefined || name === undefined || site === undefined) return undefined;
  return out;
}

/** { x, y, z } lengths within `range`. */
function xyzObject(c: Checker, value: unknown, path: Path, range: Range): Vec3 | undefined {
  const o = c.object(value, path, ['x', 'y', 'z'], ['x', 'y', 'z']);
  if (!o) return undefined;
  const x = c.length(o.x, [...path, 'x'], range);
  const y = c.length(o.y, [...path, 'y'], range);
  const z = c.length(o.z, [...path, 'z'], range);
  return x === undefined || y === undefined || z === undefined ? undefined : { x, y, z };
}

/** A limit: one number for every axis, or { x, y, z }. */
export function checkPerAxis(c: Checker, value: unknown, path: Path, range = LIMIT_RANGE): PerAxis | undefined {
  if (typeof value === 'number' || typeof value === 'string') {
    const n = c.length(value, path, range);
    return n === undefined ? undefined : { x: n, y: n, z: n };
  }
  return xyzObject(c, value, path, range);
}

/** Checks tolerance, action and calculationTolerance together (action must be below tolerance). */
export function checkLimits(c: Checker, o: Plain): QALimits | undefined {
  const tolerance = o.tolerance === undefined ? { x: DEFAULT_TOLERANCE, y: DEFAULT_TOLERANCE, z: DEFAULT_TOLERANCE } : checkPerAxis(c, o.tolerance, ['tolerance']);
  const action = o.action == null ? null : checkPerAxis(c, o.action, ['action']);
  const calculationTolerance = o.calculationTolerance === undefined
    ? { x: DEFAULT_CALCULATION_TOLERANCE, y: DEFAULT_CALCULATION_TOLERANCE, z: DEFAULT_CALCULATION_TOLERANCE }
    : checkPerAxis(c, o.calculationTolerance, ['calculationTolerance']);
  if (tolerance && action) {
    for (const a of AXES) {
      if (action[a] >= tolerance[a]) {
        const path = typeof o.action === 'object' ? ['action', a] : ['action'];
        c.add('out_of_range', path, `below the tolerance (${tolerance[a]} mm in ${a})`, typeof o.action === 'object' ? (o.action as Plain)[a] : o.action);
        return undefined;
      }
    }
  }
  const markResolution = o.markResolution === undefined ? 0 : c.length(o.markResolution, ['markResolution'], { min: 0, max: MAX_MARK_RESOLUTION });
  if (!tolerance || action === undefined || !calculationTolerance || markResolution === undefined) return undefined;
  return { tolerance, action, calculationTolerance, markResolution };
}

/** A point as [x, y, z] or { x, y, z } in mm. */
export function checkPoint(c: Checker, value: unknown, path: Path): Vec3 | undefined {
  const range = { min: -1000, max: 1000 };
  if (Array.isArray(value)) {
    const a = c.array(value, path, 3, 3);
    if (!a) return undefined;
    const [x, y, z] = a.map((v, k) => c.length(v, [...path, k], range));
    return x === undefined || y === undefined || z === undefined ? undefined : { x, y, z };
  }
  return xyzObject(c, value, path, range);
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

function checkFacility(c: Checker, value: unknown): QAFacility | undefined {
  const o = c.object(value, ['facility'], ['name', 'accreditation'], ['name']);
  if (!o) return undefined;
  const name = c.string(o.name, ['facility', 'name'], 200);
  const list = o.accreditation === undefined ? [] : c.array(o.accreditation, ['facility', 'accreditation'], 0, 10);
  const accreditation = (list ?? []).map((v, i) => c.string(v, ['facility', 'accreditation', i], 100));
  if (name === undefined || !list || accreditation.some((a) => a === undefined)) return undefined;
  return { name, accreditation: accreditation as string[] };
}

function checkTeam(c: Checker, value: unknown): QATeam | undefined {
  const o = c.object(value, ['team'], ['physicist', 'technologist', 'leadInterpretingPhysician'], []);
  if (!o) return undefined;
  const one = (k: keyof QATeam) => (o[k] == null ? null : c.string(o[k], ['team', k], 200));
  const t = { physicist: one('physicist'), technologist: one('technologist'), leadInterpretingPhysician: one('leadInterpretingPhysician') };
  return Object.values(t).some((v) => v === undefined) ? undefined : (t as QATeam);
}

/** An IANA time zone name that this runtime knows (Europe/Paris, America/New_York, UTC). */
function checkTimeZone(c: Checker, value: unknown): string | undefined {
  const s = c.string(value, ['timeZone'], 64);
  if (s === undefined) return undefined;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return c.add('invalid_value', ['timeZone'], 'an IANA time zone name (e.g. "Europe/Paris", "America/Chicago", "UTC")', value);
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
  const r = c.object(request, [], SESSION_FIELDS, ['unit', 'date', 'phantom', 'measurements']);
  if (!r) c.done();
  const req = r!;
  const unit = req.unit === undefined ? undefined : checkUnit(c, req.unit);
  const date = req.date === undefined ? undefined : checkDate(c, req.date, ['date']);
  const today = options.today ?? utcToday();
  if (date !== undefined && (req.date as string) > today) {
    c.add('out_of_range', ['date'], `a session date on or before today (${today}, UTC): a session cannot be recorded before it took place`, req.date);
  }
  const tester = req.tester == null ? null : c.string(req.tester, ['tester']);
  if (typeof tester === 'string' && tester.trim() === '') {
    c.add('invalid_value', ['tester'], "the tester's name (not empty): the record says who made the measurements", req.tester);
  }
  const kind = req.kind === undefined ? 'physicist' : c.oneOf(req.kind, ['kind'], ['physicist', 'technologist'] as const);
  const notes = req.notes == null ? null : c.string(req.notes, ['notes'], 2000);
  const facility = req.facility == null ? null : checkFacility(c, req.facility);
  const phantomSerial = req.phantomSerial == null ? null : c.string(req.phantomSerial, ['phantomSerial'], 100);
  const team = req.team == null ? null : checkTeam(c, req.team);
  const timeZone = req.timeZone == null ? 'UTC' : checkTimeZone(c, req.timeZone);

  let phantom: Phantom | undefined;
  if (typeof req.phantom === 'string') {
    const lib = phantomLibrary(options.phantoms);
    phantom = lib.get(req.phantom);
    if (!phantom) c.add('unknown_reference', ['phantom'], `a known phantom id (${[...lib.keys()].join(', ')}) or an inline phantom`, req.phantom);
  } else if (req.phantom !== undefined) {
    phantom = checkPhantom(c, req.phantom, ['phantom']);
  }

  let placement: { origin: Vec3 } | null = null;
  if (req.placement !== undefined) {
    const p = c.object(req.placement, ['placement'], ['origin'], ['origin']);
    const origin = p && p.origin !== undefined ? checkPoint(c, p.origin, ['placement', 'origin']) : undefined;
    if (origin) placement = { origin };
  }
  const limits = checkLimits(c, req);
  const sessionThickness = req.thickness === undefined ? undefined : c.length(req.thickness, ['thickness'], { above: 0, max: 300 });

  const raw: { target?: string; console?: Vec3; targetMarks?: unknown; needleMarks?: unknown }[] = [];
  const list = req.measurements === undefined ? undefined : c.array(req.measurements, ['measurements'], 1, 500);
  list?.forEach((item, i) => {
    const p: Path = ['measurements', i];
    const o = c.object(item, p, MEASUREMENT_FIELDS, ['target']);
    if (!o) return raw.push({});
    const label = o.target === undefined ? undefined : c.string(o.target, [...p, 'target'], 64);
    if (label !== undefined && phantom && !phantom.targets.some((t) => t.label === label)) {
      c.add('unknown_reference', [...p, 'target'], `a target of phantom ${phantom.id} (${phantom.targets.map((t) => t.label).join(', ')})`, o.target);
    }
    const consolePoint = o.console === undefined ? undefined : checkPoint(c, o.console, [...p, 'console']);
    if (o.console === undefined && o.targetMarks === undefined && o.needleMarks === undefined) {
      c.add('missing_field', p, 'at least one of console, targetMarks, needleMarks', item,
        `measurements[${i}]: give at least one of console, targetMarks, needleMarks`);
    }
    for (const k of ['targetMarks', 'needleMarks'] as const) {
      if (o[k] !== undefined) c.array(o[k], [...p, k], 2, 64);
    }
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
  // Every target of the phantom, unless minTargets says how many this session needs.
  let minTargets: number | undefined;
  if (req.minTargets !== undefined) {
    minTargets = c.integer(req.minTargets, ['minTargets'], { min: 1, max: phantom ? phantom.targets.length : 500 });
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
    unit: u, date: req.date as string, tester: tester ?? null, kind: kind!, phantom: ph, placement, limits: limits!, thickness, measurements,
    notes: notes ?? null, facility: facility ?? null, phantomSerial: phantomSerial ?? null, team: team ?? null, timeZone: timeZone ?? 'UTC', request,
  };
}
