/** Calendar dates as ISO strings (YYYY-MM-DD), validated; whole days between them. */
import type { Checker, Path } from '../core/validate.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) of a valid ISO date, or undefined with an issue. */
export function checkDate(c: Checker, value: unknown, path: Path): number | undefined {
  const s = c.string(value, path, 10);
  if (s === undefined) return undefined;
  const m = ISO.exec(s);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  const back = Number.isNaN(t) ? '' : new Date(t).toISOString().slice(0, 10);
  if (!m || back !== s) return c.add('invalid_value', path, 'a calendar date as YYYY-MM-DD', value);
  return t / 86_400_000;
}

export function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Activity after `days` of decay with the given half-life: A0 * 2^(-days / halfLife). */
export function decayedActivity(a0: number, days: number, halfLifeDays: number): number {
  return a0 * Math.pow(2, -days / halfLifeDays);
}
