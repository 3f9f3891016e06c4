/**
 * The wasm codecs in Node: @cornerstonejs/codec-charls (JPEG-LS), codec-openjpeg
 * (JPEG 2000) and codec-libjpeg-turbo-8bit (JPEG baseline), loaded once on first use
 * through Node's require (each finds its .wasm beside its own script).
 */
import { createRequire } from 'node:module';
import type { CodecName, Codecs, DecodedFrame } from './decode.js';

interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  readHeader?(): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}
type CodecModule = Record<string, new () => WasmDecoder>;

const PACKAGES: Record<CodecName, { pkg: string; decoder: string }> = {
  jpegls: { pkg: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  j2k: { pkg: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
  jpeg: { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
};

/** Runs one decode with a module's decoder class (shared by the Node and browser providers). */
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

export function nodeCodecs(): Codecs {
  const req = createRequire(import.meta.url);
  const loaded = new Map<CodecName, Promise<CodecModule>>();
  return {
    async decode(codec, encoded) {
      let m = loaded.get(codec);
      if (!m) {
        const factory = req(PACKAGES[codec].pkg) as (opts?: object) => Promise<CodecModule>;
        m = factory();
        loaded.set(codec, m);
      }
      return runDecoder(await m, PACKAGES[codec].decoder, encoded);
    },
  };
}
