/**
 * The Structured Report writer loaded on first use: dcmjs (1.3 MB, about 300 ms to
 * import here, 35 MB installed with its dependencies) stays off the start-up path of the
 * engine and the CLI, and may be an optional dependency: without it, writing a report
 * fails with an error naming the package to install, and everything else works.
 */
import { EngineError } from '../core/errors.js';
import type { SrOptions } from './sr.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

/** The dcmjs version the writer is tested with (test/dicom/sr.test.ts). */
export const DCMJS_VERSION = '0.52.2';

/** secondOpinionSR (sr.ts), importing dcmjs on the first call. */
export async function writeSecondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Promise<Uint8Array> {
  let sr: typeof import('./sr.js');
  try {
    sr = await import('./sr.js');
  } catch (err) {
    throw new EngineError('missing_dependency',
      `writing a DICOM Structured Report needs dcmjs: npm install dcmjs@${DCMJS_VERSION} (${(err as Error)?.message ?? String(err)})`);
  }
  return sr.secondOpinionSR(images, elements, options);
}
