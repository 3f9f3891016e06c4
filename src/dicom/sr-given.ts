/** The dcmjs handed in with useDcmjs (shared by the Node and browser SR loaders). */
import type { DcmjsModule } from './sr.js';

/** The dcmjs version the writer is tested with (test/dicom/sr.test.ts). */
export const DCMJS_VERSION = '0.52.2';

let given: DcmjsModule | undefined;

/** Hands dcmjs in (`import dcmjs from 'dcmjs'; useDcmjs(dcmjs)`): required in the browser build, optional in Node. */
export function useDcmjs(dcmjs: DcmjsModule): void {
  if (!dcmjs?.data?.DicomDict || !dcmjs.data.DicomMetaDictionary) throw new TypeError('useDcmjs: expected the dcmjs module (an object with data.DicomDict and data.DicomMetaDictionary)');
  given = dcmjs;
}

/** The dcmjs handed in, if any. */
export function givenDcmjs(): DcmjsModule | undefined {
  return given;
}
