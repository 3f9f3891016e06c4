/**
 * The targeting request, checked completely: parseValue over its definition
 * (request-schema.ts: every field, units and pixels converted, every issue collected with
 * its path, then the cross-field rules), mapped to the engine's input. The common shape
 * goes through the generated fast path first (fast-path.ts).
 */
import { parseValue, parseWith } from '../core/schema/index.js';
import type { Checker, Path } from '../core/validate.js';
import { toNeedleOptions } from '../needle/vertical.js';
import type { UnitGeometry } from './geometry.js';
import { fastTargetingRequest } from './fast-path.js';
import { Geometry, pixelToMark, StereoRequest, TargetingRequest, type GeometryParsed, type StereoRequestParsed } from './request-schema.js';
// Tomosynthesis hook (owned by dicom-schemas): a request with a `tomosynthesis` block is mapped there.
import { toTomosynthesisInput, type TomosynthesisInput } from './tomosynthesis.js';
import { targetingInput, unitGeometry, viewMark } from './input.js';
import type { DetectorCalibration, TargetingInput, ViewMark } from './types.js';

const toGeometry = (g: GeometryParsed): UnitGeometry => unitGeometry(g.sourceToDetector, g.sourceToSupport, g.rotationAxisHeight);

/** A unit's geometry (request-schema.ts's Geometry), issues reported on `c`. */
export function checkGeometry(c: Checker, value: unknown, path: Path): UnitGeometry | undefined {
  const g = parseValue(c, Geometry, value, path);
  return g && toGeometry(g);
}

/** Detector mm from a pixel position, through the request's calibration. */
export function pixelToDetector(cal: DetectorCalibration, col: number, row: number): { u: number; v: number } {
  return pixelToMark(cal, col, row);
}

/** A parsed stereo request as the engine's input: marks in mm, the needle's defaults applied. */
function toTargetingInput(r: StereoRequestParsed): TargetingInput {
  const views: ViewMark[] = r.views.map((w) => {
    if (!('col' in w)) return viewMark(w.angle, w.u, w.v);
    const { u, v } = pixelToMark(r.detector!, w.col, w.row);
    return viewMark(w.angle, u, v);
  });
  return targetingInput(r.id, toGeometry(r.geometry), r.thickness, views, r.imageSigma, r.maxRayGap!, r.needle && toNeedleOptions(r.needle));
}

/**
 * Checks a targeting request completely, converting units and pixels; throws a
 * StereotaxError listing every issue. Nothing is computed from an invalid request.
 */
export function parseTargetingRequest(request: unknown): TargetingInput | TomosynthesisInput {
  // The fast path never takes a request with a `tomosynthesis` block (an unknown field to it).
  const fast = fastTargetingRequest(request);
  if (fast) return fast;
  const r = parseWith(TargetingRequest, request);
  return 'tomosynthesis' in r ? toTomosynthesisInput(r) : toTargetingInput(r);
}

/** The complete check of a stereo request, every issue collected (parseTargetingRequest's slow path). */
export function checkTargetingRequest(request: unknown): TargetingInput {
  return toTargetingInput(parseWith(StereoRequest, request));
}
