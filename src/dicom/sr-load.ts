/**
 * The Structured Report writer loaded on first use: dcmjs (1.3 MB, about 300 ms to
 * import here) stays off the start-up path of the engine and the CLI.
 */
import type { SrOptions } from './sr.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

/** secondOpinionSR (sr.ts), importing dcmjs on the first call. */
export async function writeSecondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Promise<Uint8Array> {
  const { secondOpinionSR } = await import('./sr.js');
  return secondOpinionSR(images, elements, options);
}
