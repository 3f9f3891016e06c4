/**
 * Stereotactic targeting: validated request in, the target in the DICOM breast
 * biopsy frame out, with ray consistency, the legacy parallel-beam estimate, the
 * uncertainty from marking error, the needle block and findings (spec sections 1-6).
 */
//
// The module other code imports: the public names of targeting, each defined in the file of
// its role: types.ts (request and result), request.ts (the complete check), fast-path.ts (the
// common request without paths), compute.ts (the engine), findings.ts (what the numbers mean).
import { loadEngine, type Engine, type LoadOptions } from '../engine/engine.js';
import { hasError } from '../core/findings.js';
import { detectorGap } from './geometry.js';
import { computeTargeting } from './compute.js';
import { parseTargetingRequest } from './request.js';
import type { TargetingResult } from './types.js';

export {
  DEFAULT_MAX_RAY_GAP, MIN_ANGLE_SEPARATION, SMALL_STEREO_SPREAD, SYMMETRY_TOLERANCE,
  type DetectorCalibration, type TargetingInput, type TargetingResult, type ViewMark,
} from './types.js';
export { checkGeometry, checkTargetingRequest, parseTargetingRequest, pixelToDetector } from './request.js';
export { fastTargetingRequest } from './fast-path.js';
export { computeTargeting } from './compute.js';

/** Validates and computes one request (loads the engine on first use). */
export async function target(request: unknown, options: LoadOptions = {}): Promise<TargetingResult> {
  const input = parseTargetingRequest(request);
  return computeTargeting(await loadEngine(options), input);
}

/** Validates and computes one request with an engine already loaded (synchronous). */
export function targetWith(engine: Engine, request: unknown): TargetingResult {
  return computeTargeting(engine, parseTargetingRequest(request));
}

export { hasError, detectorGap };
