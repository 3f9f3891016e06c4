/**
 * The SR writer in the browser build (see sr-load.ts): it never names dcmjs, so a bundler has
 * nothing to resolve when the page does not write reports; a page that does hands dcmjs in.
 */
import { EngineError } from '../core/errors.js';
import { secondOpinionSRWith, type SrOptions } from './sr.js';
import { DCMJS_VERSION, givenDcmjs } from './sr-given.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

export { DCMJS_VERSION, useDcmjs } from './sr-given.js';

export async function writeSecondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Promise<Uint8Array> {
  const given = givenDcmjs();
  if (!given) throw new EngineError('optional_dependency_missing', `writing a DICOM Structured Report in a browser needs dcmjs handed in: import dcmjs from 'dcmjs'; useDcmjs(dcmjs) (npm install dcmjs@${DCMJS_VERSION})`);
  return secondOpinionSRWith(given, images, elements, options);
}
