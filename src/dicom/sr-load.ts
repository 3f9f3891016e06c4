/**
 * The Structured Report writer loaded on first use: dcmjs (1.3 MB, about 300 ms to
 * import here, 35 MB installed with its dependencies) stays off the start-up path of the
 * engine and the CLI, and may be an optional dependency: without it, writing a report
 * fails with an error naming the package to install, and everything else works.
 */
import { EngineError } from '../core/errors.js';
import { isMissingPackage } from '../core/optional.js';
import { secondOpinionSRWith, type SrOptions } from './sr.js';
import { DCMJS_VERSION, givenDcmjs } from './sr-given.js';
import type { StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';

export { DCMJS_VERSION, useDcmjs } from './sr-given.js';

/** The second opinion as a Comprehensive SR (sr.ts), with the dcmjs handed in or, failing that, imported on the first call. */
export async function writeSecondOpinionSR(images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Promise<Uint8Array> {
  const given = givenDcmjs();
  if (given) return secondOpinionSRWith(given, images, elements, options);
  const sr = await loadSrWriter(() => import('./sr-dcmjs.js'));
  return sr.secondOpinionSR(images, elements, options);
}

/**
 * The writer module, through `load`. Only a dcmjs that cannot be found is "install dcmjs";
 * any other failure (a broken install, a bug) is passed on as it is, not hidden behind
 * advice that would not help.
 */
export async function loadSrWriter<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!isMissingPackage(err, ['dcmjs'])) throw err;
    throw new EngineError('optional_dependency_missing',
      `writing a DICOM Structured Report needs dcmjs: npm install dcmjs@${DCMJS_VERSION} (${(err as Error)?.message ?? String(err)})`);
  }
}
