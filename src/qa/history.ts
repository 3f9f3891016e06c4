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
  return { asOf: opts.asOf, windowMonths: opts.windowMonths, units: rows };
}

export interface HistoryReport {
  unit: StoredUnit;
  sessions: Omit<StoredSession, 'unitId'>[];
}

export function unitHistory(units: readonly StoredUnit[], sessions: readonly StoredSession[], unitId: string): HistoryReport {
  const unit = units.find((u) => u.id === unitId);
  if (!unit) {
    throw new StereotaxError([optionIssue('unknown_reference', '--unit', `a unit in the database (${units.map((u) => u.id).join(', ') || 'none registered'})`, unitId)]);
  }
  return {
    unit,
    sessions: chronological(sessions.filter((s) => s.unitId === unitId)).map(({ unitId: _u, ...rest }) => rest),
  };
}
