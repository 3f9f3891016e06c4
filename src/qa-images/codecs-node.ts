/**
 * The wasm codecs in Node: @cornerstonejs/codec-charls (JPEG-LS), codec-openjpeg
 * (JPEG 2000) and codec-libjpeg-turbo-8bit (JPEG baseline), loaded once on first use
 * through Node's require (each finds its .wasm beside its own script).
 */
import { createRequire } from 'node:module';
import type { CodecName, Codecs } from './decode.js';

import { runDecoder, type CodecModule } from './run-decoder.js';

// The full builds (decoder and encoder): embind registers each codec's classes in one
// registry per process, so a codec's module is instantiated once and shared by everyone.
const PACKAGES: Record<CodecName, { pkg: string; decoder: string }> = {
  jpegls: { pkg: '@cornerstonejs/codec-charls/wasmjs', decoder: 'JpegLSDecoder' },
  j2k: { pkg: '@cornerstonejs/codec-openjpeg/wasmjs', decoder: 'J2KDecoder' },
  jpeg: { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs', decoder: 'JPEGDecoder' },
};

const REGISTRY = Symbol.for('stereotax.qa-images.codec-modules');

/** The codec's wasm module, instantiated once per process (the test encoders use the same one). */
export function codecModule(codec: CodecName): Promise<CodecModule> {
  const g = globalThis as unknown as Record<symbol, Map<CodecName, Promise<CodecModule>>>;
  const cache = (g[REGISTRY] ??= new Map());
  let m = cache.get(codec);
  if (!m) {
    // The CLI is a CommonJS bundle (no import.meta there); the library entries are ESM.
    const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const factory = req(PACKAGES[codec].pkg) as (opts?: object) => Promise<CodecModule>;
    // The decoders print progress (OpenJPEG's [INFO] lines) through print/printErr: silenced, stdout carries the JSON.
    m = factory({ print: () => undefined, printErr: () => undefined });
    cache.set(codec, m);
  }
  return m;
}

export function nodeCodecs(): Codecs {
  return {
    async decode(codec, encoded) {
      return runDecoder(await codecModule(codec), PACKAGES[codec].decoder, encoded);
    },
  };
}
