/**
 * Specimen margins (spec section 7): how close the lesion comes to the surface of
 * what was removed, per named margin, and whether the markers came out with it.
 *
 * Definitions used (mm, specimen frame):
 * - margins[name]: for the surface patch whose outward normal points most nearly
 *   along the direction mapped to `name`: when part of the lesion lies beyond that
 *   patch (outside the specimen, its nearest specimen surface point in the patch),
 *   minus the largest distance from the specimen of such a lesion point, i.e. how far
 *   the lesion reaches through; otherwise the smallest distance from the lesion to the
 *   patch. For a box specimen a point beyond an edge or corner counts for the face of
 *   the first axis in x, y, z order (the faces' tie rule of patchOf).
 * - closestMargin: the smallest of the six, i.e. the lesion's distance to the surface.
 * - status: "involved" when closestMargin <= 0 (ink on tumour); "close" when
 *   0 < closestMargin < threshold; "clear" when closestMargin >= threshold. Exactly
 *   at a positive threshold is therefore clear; with threshold 0 only > 0 is clear.
 *   Both boundaries allow src/core/limits.ts's 1e-9 mm for rounding, on the safe side:
 *   a margin within 1e-9 mm of 0 is involved, one within 1e-9 mm of the threshold clear.
 */
//
// The module other code imports: the public names of margins, each defined in the file of its
// role: types.ts (request and result), request.ts (the complete check), named-margins.ts (the
// geometry of the definition above), compute.ts (status and the finite guard), findings.ts.
import { loadEngine, type Engine, type LoadOptions } from '../engine/engine.js';
import { computeMargins } from './compute.js';
import { parseMarginsRequest } from './request.js';
import type { MarginsResult } from './types.js';

export { DEFAULT_ORIENTATION, HISTOLOGY_THRESHOLDS, type Histology, type MarginsInput, type MarginsResult, type Marker } from './types.js';
export { parseMarginsRequest } from './request.js';
export { kernelAnswerHolds, patchBounds, rayMiss, rayReach, rayScore } from './named-margins.js';
export { assertFinite, computeMargins, numbersIn } from './compute.js';

export async function margins(request: unknown, options: LoadOptions = {}): Promise<MarginsResult> {
  const input = parseMarginsRequest(request);
  return computeMargins(await loadEngine(options), input);
}

export function marginsWith(engine: Engine, request: unknown): MarginsResult {
  return computeMargins(engine, parseMarginsRequest(request));
}
