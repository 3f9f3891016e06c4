/** `stereotax/qa-images`: the image QA with the wasm codecs loaded from node_modules (Node). */
import type { DicomFile } from '../dicom/read.js';
import type { LoadOptions } from '../engine/engine.js';
import { nodeCodecs } from './codecs-node.js';
import { qaFromImages as qaFromImagesWith, type QAImagesOptions, type QAImagesResult } from './result.js';

export * from './index.js';
export { nodeCodecs, codecModule } from './codecs-node.js';

/** qaFromImages with the Node codecs unless others are given. */
export function qaFromImages(files: readonly (Uint8Array | DicomFile)[], options: QAImagesOptions, load: LoadOptions = {}): Promise<QAImagesResult> {
  return qaFromImagesWith(files, { codecs: nodeCodecs(), ...options }, load);
}
