/**
 * The Structured Report writer loaded on first use: dcmjs (1.3 MB, about 300 ms to
 * import here, 35 MB installed with its dependencies) stays off the start-up path of the
 * engine and the CLI, and may be an optional dependency: without it, writing a report
 * fails with an error naming the package to install, and everything else works.
 */
import { EngineError } from '../core/errors.js';
import { secondOpinionSRWith, type SrOptions } from './sr.js';
import { DCMJS_VERSION, givenDcmjs } from './sr-given.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

export { DCMJS_VERSION, useDcmjs } from './sr-given.js';

/** The second opinion as a Comprehensive SR (sr.ts), with the dcmjs handed in or, failing that, imported on the first call. */
export async function writeSecondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Promise<Uint8Array> {
  const given = givenDcmjs();
  if (given) return secondOpinionSRWith(given, images, elements, options);
  let sr: typeof import('./sr-dcmjs.js');
  try {
    sr = await import('./sr-dcmjs.js');
  } catch (err) {
    throw new EngineError('optional_dependency_missing',
      `writing a DICOM Structured Report needs dcmjs: npm install dcmjs@${DCMJS_VERSION} (${(err as Error)?.message ?? String(err)})`);
  }
  return sr.secondOpinionSR(images, elements, options);
}
