/** The margins request, checked completely (every issue with its path), two-view input turned into solids. */
import { Checker } from '../core/validate.js';
import { parseWith } from '../core/schema/index.js';
import type { V3 } from './distance.js';
import type { Direction } from './patches.js';
import { MarginsRequest } from './schema.js';
import { checkLesion, checkSpecimen, type LesionShape, type SpecimenShape } from './shapes.js';
import { twoViewEstimate, twoViewInput } from './two-view.js';
import { HISTOLOGY_THRESHOLDS, type MarginsInput, type Marker } from './types.js';

/** Checks a margins request completely (schema.ts's definition); throws a StereotaxError listing every issue. */
export function parseMarginsRequest(request: unknown): MarginsInput {
  const req = parseWith(MarginsRequest, request);
  const twoView = req.twoView && twoViewInput(req.twoView);
  const { id, histology, threshold } = req;
  const orientation = { ...req.orientation } as Record<Direction, string>;
  const markers: Marker[] = (req.markers ?? []).map((m) => ({ name: m.name, point: m.point as V3 }));
  const specimen = req.specimen && ({ ...req.specimen } as SpecimenShape);
  const lesion = req.lesion && ({ ...req.lesion } as LesionShape);
  const est = twoView ? twoViewEstimate(twoView) : undefined;
  if (est) {
    // The solids built from the two views must lie in the same range as given ones
    // (for example a single calcification gives a lesion of no extent).
    const derived = new Checker();
    checkSpecimen(derived, est.specimen, ['twoView', 'specimen']);
    checkLesion(derived, est.lesion, ['twoView', 'lesion']);
    derived.done();
  }
  const input: MarginsInput = {
    specimen: est ? est.specimen : specimen!,
    lesion: est ? est.lesion : lesion!,
    orientation,
    threshold: threshold ?? HISTOLOGY_THRESHOLDS[histology!],
    thresholdSource: threshold !== undefined ? 'request' : histology!,
    markers,
  };
  if (id !== undefined) input.id = id;
  if (histology) input.histology = histology;
  if (est) input.twoView = est;
  return input;
}
