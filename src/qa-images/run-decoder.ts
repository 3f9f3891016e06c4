/** One decode through a @cornerstonejs codec module's decoder class (shared by the Node and browser providers). */
import type { DecodedFrame } from './decode.js';

interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean }
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}
export type CodecModule = Record<string, new () => WasmDecoder>;

export function runDecoder(mod: CodecModule, decoderName: string, encoded: Uint8Array): DecodedFrame {
  const d = new mod[decoderName]();
  try {
    d.getEncodedBuffer(encoded.length).set(encoded);
    d.decode();
    const fi = d.getFrameInfo();
    return { width: fi.width, height: fi.height, bitsPerSample: fi.bitsPerSample, componentCount: fi.componentCount, signed: !!fi.isSigned, bytes: d.getDecodedBuffer().slice() };
  } finally {
    d.delete();
  }
}

