/** The margins request and result types and the guideline thresholds, shared by the request, compute and findings files. */
import type { Finding } from '../core/findings.js';
import type { V3 } from './distance.js';
import type { Direction } from './patches.js';
import type { LesionShape, SpecimenShape } from './shapes.js';
import type { TwoViewEstimate } from './two-view.js';

export type Histology = 'invasive' | 'dcis';
/** Guideline thresholds: invasive "no ink on tumour" (SSO-ASTRO 2014); DCIS 2 mm (SSO-ASTRO-ASCO 2016). */
export const HISTOLOGY_THRESHOLDS: Record<Histology, number> = { invasive: 0, dcis: 2 };
/** Each direction names itself unless the request names them (defined with the request). */
export { DEFAULT_ORIENTATION } from './schema.js';

export interface Marker { name: string; point: V3 }

export interface MarginsInput {
  id?: string;
  specimen: SpecimenShape;
  lesion: LesionShape;
  orientation: Record<Direction, string>;
  histology?: Histology;
  threshold: number;
  thresholdSource: 'request' | Histology;
  markers: Marker[];
  twoView?: TwoViewEstimate;
}

export interface MarginsResult {
  id?: string;
  closestMargin: number;
  /** The named margin that is closest. */
  closestName: string;
  margins: Record<string, number>;
  threshold: number;
  thresholdSource: 'request' | Histology;
  status: 'involved' | 'close' | 'clear';
  markers: { name: string; inside: boolean; distance: number }[];
  /** With two-view input: the 3-D estimate and what each view can and cannot show. */
  twoView?: TwoViewEstimate;
  findings: Finding[];
}
