/**
 * The engine's input built from validated fields, in the order the definition declares
 * them (request-schema.ts): the complete check (request.ts) and the generated fast path
 * (fast-path.generated.ts) both build it here, so they hand the engine the same shape.
 */
import type { NeedleOptions } from '../needle/vertical.js';
import type { UnitGeometry } from './geometry.js';
import type { TargetingInput, ViewMark } from './types.js';

export function unitGeometry(sourceToDetector: number, sourceToSupport: number, rotationAxisHeight: number): UnitGeometry {
  return { sourceToDetector, sourceToSupport, rotationAxisHeight };
}

/** A mark in mm (its label is the caller's: not handed to the engine). */
export function viewMark(angle: number, u: number, v: number, _label?: string): ViewMark {
  return { angle, u, v };
}

/** The input; optional fields only when given (the detector has been applied to the marks). */
export function targetingInput(id: string | undefined, geometry: UnitGeometry, thickness: number, views: ViewMark[],
  imageSigma: number | undefined, maxRayGap: number, needle: NeedleOptions | undefined): TargetingInput {
  const input: TargetingInput = { geometry, thickness, views, maxRayGap };
  if (id !== undefined) input.id = id;
  if (imageSigma !== undefined) input.imageSigma = imageSigma;
  if (needle) input.needle = needle;
  return input;
}
