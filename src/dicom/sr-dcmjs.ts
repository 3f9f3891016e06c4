/** The SR writer with the installed dcmjs (Node, or a bundler that resolves it): sr-load.ts imports this on first use. */
import dcmjs from 'dcmjs';
import { secondOpinionSRWith, type DcmjsModule, type SrOptions } from './sr.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

/** secondOpinionSRWith with the dcmjs this package is installed beside. */
export function secondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Uint8Array {
  return secondOpinionSRWith(dcmjs as unknown as DcmjsModule, images, elements, options);
}
