/**
 * A validated margins request computed: the six named margins, the closest and the status
 * (involved, close, clear), marker distances and the findings; a number that is not finite
 * is an internal error before any status is given.
 */
import { EngineError } from '../core/errors.js';
import { belowMin } from '../core/limits.js';
import { involved } from './compute-limits.js';
import type { Engine } from '../engine/engine.js';
import { marginsFindings } from './findings.js';
import { ballMargins, solidMargins, specimenDistances } from './named-margins.js';
import { DIRECTIONS, type Direction } from './patches.js';
import type { MarginsInput, MarginsResult } from './types.js';

/** Every number in a plain JSON-like value (objects, arrays), depth first. */
export function numbersIn(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbersIn(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, out);
  return out;
}

/** Every number a margins result carries must be finite; otherwise it is an internal error, never a result. */
export function assertFinite(what: string, values: readonly number[]): void {
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new EngineError('internal_non_finite', `margins: ${what} came out as ${v}; no result is given (this is a defect, please report the request)`);
    }
  }
}

export function computeMargins(engine: Engine, input: MarginsInput): MarginsResult {
  const { specimen: s, lesion: l } = input;
  let byDirection: Record<Direction, number>;
  if (l.shape === 'sphere') byDirection = ballMargins(engine, s, [l.center], l.radius);
  else if (l.shape === 'points') byDirection = ballMargins(engine, s, l.points, l.radius);
  else byDirection = solidMargins(s, l);
  assertFinite('a named margin', DIRECTIONS.map((d) => byDirection[d]));
  const margins: Record<string, number> = {};
  let closestMargin = Infinity;
  let closestName = '';
  for (const d of DIRECTIONS) {
    margins[input.orientation[d]] = byDirection[d];
    if (byDirection[d] < closestMargin) {
      closestMargin = byDirection[d];
      closestName = input.orientation[d];
    }
  }
  const threshold = input.threshold;
  const status = involved(closestMargin) ? 'involved' : belowMin(closestMargin, threshold) ? 'close' : 'clear';
  const markerInfo = specimenDistances(engine, s, input.markers.map((m) => m.point));
  assertFinite('a marker distance', markerInfo.map((m) => m.signed));
  const markers = input.markers.map((m, i) => ({ name: m.name, inside: markerInfo[i].signed <= 0, distance: Math.abs(markerInfo[i].signed) }));

  const findings = marginsFindings(input, byDirection, markers);

  const result: MarginsResult = {
    ...(input.id !== undefined ? { id: input.id } : {}),
    closestMargin,
    closestName,
    margins,
    threshold,
    thresholdSource: input.thresholdSource,
    status,
    markers,
  } as MarginsResult;
  if (input.twoView) result.twoView = input.twoView;
  result.findings = findings;
  assertFinite('a number in the result', numbersIn(result));
  return result;
}
