/**
 * The one rule for every clinical limit in stereotax (QA tolerances, needle stroke
 * margins and clearances, ray agreement, detection depth, margin thresholds, the
 * post-placement criterion): a limit is read as entered, so a value equal to its
 * limit meets it, and "equal" allows LIMIT_SLACK_MM (1e-9 mm) for the rounding of
 * the arithmetic that produced the value. |-15.42 - (-16.42)| is 1.0000000000000018
 * in binary floating point: against a 1.00 mm tolerance it passes, as the physicist
 * who typed both numbers expects; 1.001 mm does not.
 *
 * The slack is far below anything measurable (marks are read to 0.01-0.1 mm) and far
 * above double rounding at clinical magnitudes (1e-13 mm at 1000 mm). A NaN never
 * meets a limit: every comparison with NaN is false, so `withinMax` and `meetsMin` are
 * false and `exceedsMax` and `belowMin` true.
 */

/** The rounding allowance on every clinical limit (mm; also used for whole days, where it changes nothing). */
export const LIMIT_SLACK_MM = 1e-9;

/** A value meets a maximum (an error against its tolerance): value <= limit + 1e-9. */
export function withinMax(value: number, limit: number): boolean {
  return value <= limit + LIMIT_SLACK_MM;
}

/** A value is over its maximum (NaN is over). */
export function exceedsMax(value: number, limit: number): boolean {
  return !withinMax(value, limit);
}

/** A value meets a minimum (a margin or clearance against its least allowed): value >= limit - 1e-9. */
export function meetsMin(value: number, limit: number): boolean {
  return value >= limit - LIMIT_SLACK_MM;
}

/** A value is under its minimum (NaN is under). */
export function belowMin(value: number, limit: number): boolean {
  return !meetsMin(value, limit);
}
