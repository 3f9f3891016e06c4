/**
 * History and accreditation status (spec qa.md section 4), computed from what a
 * store returns: pure functions, the same for SQLite and PostgreSQL.
 */
import { Checker } from '../core/validate.js';
import { checkDate } from '../plan/dates.js';
import { StereotaxError, makeIssue, type Issue, type IssueCode } from '../core/errors.js';
import type { PerAxis } from './session.js';

export interface StoredUnit {
  id: string;
  name: string | null;
  site: string | null;
  registeredAt: string;
}

/** One stored session, as history and status read it. */
export interface StoredSession {
  /** sha256 of the request's canonical JSON: the same session cannot be stored twice. */
  id: string;
  /** Storage order (ties on the same date: the later stored is the later session). */
  seq: number;
  unitId: string;
  date: string;
  tester: string | null;
  kind: string;
  phantom: string;
  passed: boolean;
  stereotaxVersion: string;
  storedAt: string;
  /** Per-axis max |needle - reference| over the session's localization checks; null without any. */
  maxLocalizationError: PerAxis | null;
  /** The session's tolerance (for the trend's band). */
  tolerance: PerAxis | null;
}

/** A service action logged on a unit (`qa service add`): repair, recalibration, part replaced. */
export interface ServiceEntry {
  id: string;
  seq: number;
  unitId: string;
  date: string;
  text: string;
  storedAt: string;
}

export type UnitStatus = 'current' | 'expired' | 'failed' | 'never_tested';

export interface UnitStatusRow {
  id: string;
  name: string | null;
  site: string | null;
  lastSession: string | null;
  lastPassed: string | null;
  status: UnitStatus;
}

export interface StatusReport {
  asOf: string;
  windowMonths: number;
  units: UnitStatusRow[];
  /** The physicist's annual survey per unit, apart from the accreditation images' window (physicist sessions only). */
  physicistSurvey: SurveyRow[];
  /** Units whose localization error trends toward tolerance (sessions up to asOf). */
  drift: DriftWarning[];
}

export const DEFAULT_WINDOW_MONTHS = 6;

/** An issue about a command-line option: its path is the option's name as typed (`--db`). */
export function optionIssue(code: IssueCode, option: string, expected: string, received: unknown, message?: string): Issue {
  const issue = makeIssue(code, [], expected, received);
  return { ...issue, path: option, message: message ?? `${option}: expected ${expected}, received ${issue.received}` };
}

/** Moves issues a Checker filed under ["--x"] to the plain option name. */
export function optionPaths(c: Checker): void {
  c.issues.forEach((i, k) => {
    const m = /^\["(--[a-z-]+)"\](.*)$/.exec(i.path);
    if (m) c.issues[k] = { ...i, path: m[1] + m[2], message: i.message.replace(i.path, m[1] + m[2]) };
  });
}

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

/**
 * `date` minus `months` calendar months, the day clamped to the target month's last
 * day: 2026-11-20 - 6 = 2026-05-20; 2026-08-31 - 6 = 2026-02-28.
 */
export function subtractMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  const ty = Math.floor(total / 12);
  const tm = total - ty * 12 + 1;
  const td = Math.min(d, daysInMonth(ty, tm));
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
}

/** Later first by date, then by storage order. */
function later(a: StoredSession, b: StoredSession): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq - b.seq;
}

/** Sessions oldest first (date, then storage order). */
export function chronological<T extends StoredSession>(sessions: readonly T[]): T[] {
  return [...sessions].sort(later);
}

export function checkStatusOptions(asOf: unknown, windowMonths: unknown): { asOf: string; windowMonths: number } {
  const c = new Checker();
  if (asOf === undefined) c.add('missing_field', ['--as-of'], 'a date as YYYY-MM-DD', undefined);
  else checkDate(c, asOf, ['--as-of']);
  let w = DEFAULT_WINDOW_MONTHS;
  if (windowMonths !== undefined) {
    const n = typeof windowMonths === 'string' && /^\d+$/.test(windowMonths) ? Number(windowMonths) : windowMonths;
    const v = c.integer(n, ['--window-months'], { min: 1, max: 120 });
    if (v !== undefined) w = v;
  }
  optionPaths(c);
  c.done();
  return { asOf: asOf as string, windowMonths: w };
}

/**
 * Every registered unit with its last session, last passing session and status as of
 * `asOf` (sessions dated after `asOf` did not exist yet and are not counted):
 * `failed` when the last session did not pass (it wins over expired), `current` when it
 * passed on or after `asOf` minus `windowMonths` (clamped to the month's end),
 * `expired` otherwise, `never_tested` with no session. Units sorted by id.
 */
export function unitStatus(units: readonly StoredUnit[], sessions: readonly StoredSession[], asOf: string, windowMonths = DEFAULT_WINDOW_MONTHS): StatusReport {
  const opts = checkStatusOptions(asOf, windowMonths);
  const cutoff = subtractMonths(opts.asOf, opts.windowMonths);
  const rows = [...units].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((u): UnitStatusRow => {
    const own = chronological(sessions.filter((s) => s.unitId === u.id && s.date <= opts.asOf));
    const last = own[own.length - 1];
    const lastPassed = [...own].reverse().find((s) => s.passed);
    let status: UnitStatus;
    if (!last) status = 'never_tested';
    else if (!last.passed) status = 'failed';
    else status = last.date >= cutoff ? 'current' : 'expired';
    return { id: u.id, name: u.name, site: u.site, lastSession: last?.date ?? null, lastPassed: lastPassed?.date ?? null, status };
  });
  const upTo = sessions.filter((x) => x.date <= opts.asOf);
  return {
    asOf: opts.asOf, windowMonths: opts.windowMonths, units: rows,
    physicistSurvey: surveyStatus(units, upTo, opts.asOf), drift: driftWarnings(upTo, opts.windowMonths),
  };
}

export interface HistoryReport {
  unit: StoredUnit;
  sessions: Omit<StoredSession, 'unitId'>[];
  /** Service actions logged on the unit (`qa service add`), oldest first. */
  service: Omit<ServiceEntry, 'unitId'>[];
  drift: DriftWarning[];
}

export function unitHistory(units: readonly StoredUnit[], sessions: readonly StoredSession[], unitId: string, service: readonly ServiceEntry[] = [], windowMonths = DEFAULT_WINDOW_MONTHS): HistoryReport {
  const unit = units.find((u) => u.id === unitId);
  if (!unit) {
    throw new StereotaxError([optionIssue('unknown_reference', '--unit', `a unit in the database (${units.map((u) => u.id).join(', ') || 'none registered'})`, unitId)]);
  }
  return {
    unit,
    sessions: chronological(sessions.filter((s) => s.unitId === unitId)).map(({ unitId: _u, ...rest }) => rest),
    service: service.filter((e) => e.unitId === unitId).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq - b.seq)).map(({ unitId: _u, ...rest }) => rest),
    drift: driftWarnings(sessions.filter((s) => s.unitId === unitId), windowMonths),
  };
}

/** A physicist's survey is yearly, at most 14 months apart (ACR stereotactic QC; shared/reference/domain-facts.md). */
export const SURVEY_MONTHS = 14;
/** How many of a unit's last sessions the drift trend is fitted to (at least 3 are needed). */
export const DRIFT_SESSIONS = 5;

export type SurveyStatus = 'current' | 'overdue' | 'failed' | 'never_surveyed';

/** The physicist's annual survey of one unit: only `kind: "physicist"` sessions count, never a technologist's routine check. */
export interface SurveyRow {
  id: string;
  lastSurvey: string | null;
  lastPassedSurvey: string | null;
  /** lastPassedSurvey + SURVEY_MONTHS; null without a passing survey. */
  due: string | null;
  status: SurveyStatus;
}

function addMonths(date: string, months: number): string {
  return subtractMonths(date, -months);
}

export function surveyStatus(units: readonly StoredUnit[], sessions: readonly StoredSession[], asOf: string, surveyMonths = SURVEY_MONTHS): SurveyRow[] {
  const cutoff = subtractMonths(asOf, surveyMonths);
  return [...units].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((u) => {
    const own = chronological(sessions.filter((s) => s.unitId === u.id && s.kind === 'physicist' && s.date <= asOf));
    const last = own[own.length - 1];
    const passed = [...own].reverse().find((s) => s.passed);
    const status: SurveyStatus = !last ? 'never_surveyed' : !last.passed ? 'failed' : last.date >= cutoff ? 'current' : 'overdue';
    return { id: u.id, lastSurvey: last?.date ?? null, lastPassedSurvey: passed?.date ?? null, due: passed ? addMonths(passed.date, surveyMonths) : null, status };
  });
}

/** A unit whose per-axis localization error trends toward its tolerance. */
export interface DriftWarning {
  unitId: string;
  axis: 'x' | 'y' | 'z';
  /** Least-squares slope of the per-axis max |localization error| (mm per 30 days). */
  slopePer30Days: number;
  /** The fitted value at the last session and the tolerance it is heading for (mm). */
  fittedLast: number;
  tolerance: number;
  /** When the fitted line reaches the tolerance (YYYY-MM-DD). */
  crossesOn: string;
  sessions: number;
  message: string;
}

const DAY = 86_400_000;
const dayOf = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const dateOf = (day: number) => new Date(Math.floor(day) * DAY).toISOString().slice(0, 10);

/**
 * The drift rule: over a unit's last `n` sessions with a localization check (at least
 * 3, on at least 2 dates), fit per axis a least-squares line to the max |localization
 * error| against the session date. Warn when the slope is positive and the line
 * reaches the axis tolerance (the last session's) after the last session and no later
 * than `windowMonths` after it, i.e. before the next accreditation images are due. A
 * unit already out of tolerance has a failure, not a drift warning.
 */
export function driftWarnings(sessions: readonly StoredSession[], windowMonths = DEFAULT_WINDOW_MONTHS, n = DRIFT_SESSIONS): DriftWarning[] {
  const out: DriftWarning[] = [];
  const byUnit = new Map<string, StoredSession[]>();
  for (const s of chronological(sessions)) {
    if (!s.maxLocalizationError || !s.tolerance) continue;
    byUnit.set(s.unitId, [...(byUnit.get(s.unitId) ?? []), s]);
  }
  for (const [unitId, all] of [...byUnit].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const last = all.slice(-n);
    if (last.length < 3) continue;
    const t = last.map((s) => dayOf(s.date));
    if (new Set(t).size < 2) continue;
    const end = last[last.length - 1];
    const horizon = dayOf(addMonths(end.date, windowMonths));
    for (const axis of ['x', 'y', 'z'] as const) {
      const y = last.map((s) => s.maxLocalizationError![axis]);
      const tm = t.reduce((a, b) => a + b, 0) / t.length;
      const ym = y.reduce((a, b) => a + b, 0) / y.length;
      let sxy = 0, sxx = 0;
      for (let i = 0; i < t.length; i++) {
        sxy += (t[i] - tm) * (y[i] - ym);
        sxx += (t[i] - tm) ** 2;
      }
      const slope = sxy / sxx;
      const tol = end.tolerance![axis];
      const fittedLast = ym + slope * (t[t.length - 1] - tm);
      if (!(slope > 0) || !Number.isFinite(slope) || fittedLast >= tol || end.maxLocalizationError![axis] > tol) continue;
      const cross = tm + (tol - ym) / slope;
      if (cross > horizon) continue;
      const crossesOn = dateOf(Math.ceil(cross));
      out.push({
        unitId, axis, slopePer30Days: slope * 30, fittedLast, tolerance: tol, crossesOn, sessions: last.length,
        message: `unit ${unitId}: the ${axis} localization error is rising ${(slope * 30).toFixed(2)} mm per 30 days over its last ${last.length} sessions and reaches the ±${tol.toFixed(2)} mm tolerance about ${crossesOn}, within ${windowMonths} months of the last session: schedule service before then.`,
      });
    }
  }
  return out;
}
