/**
 * Encoders for the test images in every transfer syntax of qa-images.md section 2:
 * the encoders of the same well-kept codec packages (CharLS, OpenJPEG, libjpeg-turbo)
 * and an RLE Lossless encoder written here from PS3.5 Annex G (PackBits per byte plane),
 * independent of the decoder in src/.
 */
import { codecModule } from '../../src/qa-images/codecs-node.js';
import type { ImageStyle } from './forward.js';
import { SYNTAX } from './dicom-image.js';

type Mod = Record<string, new () => {
  getDecodedBuffer(fi: object): Uint8Array; getEncodedBuffer(): Uint8Array; encode(): void; delete(): void;
  setNearLossless?(n: number): void; setQuality?(...a: unknown[]): void;
}>;
/** The codec packages' own encoders (one module instance per process: the one src/ decodes with). */
export async function encoders() {
  return { ls: (await codecModule('jpegls')) as unknown as Mod, j2: (await codecModule('j2k')) as unknown as Mod, jp: (await codecModule('jpeg')) as unknown as Mod };
}

function sampleBytes(pixels: Int32Array, bits: number): Uint8Array {
  if (bits <= 8) return Uint8Array.from(pixels, (v) => v & 0xff);
  const out = new Uint8Array(pixels.length * 2);
  for (let i = 0; i < pixels.length; i++) { out[2 * i] = pixels[i] & 0xff; out[2 * i + 1] = (pixels[i] >> 8) & 0xff; }
  return out;
}

/** PackBits of one byte plane: literal runs (n = 0..127: n+1 bytes) and replicate runs (n = -1..-127 as 255..129: 1-n copies). */
export function packBits(plane: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 2) { out.push(257 - run, plane[i]); i += run; continue; }
    let j = i;
    while (j < plane.length && j - i < 128 && !(j + 1 < plane.length && plane[j + 1] === plane[j])) j++;
    if (j === i) j = i + 1;
    out.push(j - i - 1, ...plane.subarray(i, j));
    i = j;
  }
  return out;
}

export function encodeRle(pixels: Int32Array, style: ImageStyle): Uint8Array {
  const bps = style.bitsStored <= 8 ? 1 : 2;
  const bytes = sampleBytes(pixels, style.bitsStored);
  const n = pixels.length;
  const segs: number[][] = [];
  for (let s = 0; s < bps; s++) {
    const plane = new Uint8Array(n);
    const b = bps - 1 - s; // most significant byte first
    for (let i = 0; i < n; i++) plane[i] = bytes[i * bps + b];
    const seg = packBits(plane);
    if (seg.length % 2) seg.push(0x80); // no-op byte keeps segments even
    segs.push(seg);
  }
  const header = new Uint8Array(64);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, bps, true);
  let off = 64;
  segs.forEach((seg, s) => { dv.setUint32(4 + 4 * s, off, true); off += seg.length; });
  const out = new Uint8Array(off);
  out.set(header);
  let o = 64;
  for (const seg of segs) { out.set(seg, o); o += seg.length; }
  return out;
}

export type Syntax = keyof typeof SYNTAX;

/** Encodes one frame in the given transfer syntax; the fragments of its pixel data. */
export async function encode(syntax: Syntax, pixels: Int32Array, style: ImageStyle): Promise<{ syntax: string; fragments: Uint8Array[] }> {
  const uid = SYNTAX[syntax];
  if (syntax === 'rle') return { syntax: uid, fragments: [encodeRle(pixels, style)] };
  const { ls, j2, jp } = await encoders();
  const fi = { width: style.columns, height: style.rows, bitsPerSample: style.bitsStored, componentCount: 1, isSigned: !!style.signed };
  const mod = syntax.startsWith('jpegls') ? ls : syntax.startsWith('j2k') ? j2 : jp;
  const name = syntax.startsWith('jpegls') ? 'JpegLSEncoder' : syntax.startsWith('j2k') ? 'J2KEncoder' : 'JPEGEncoder';
  const e = new mod[name]();
  try {
    e.getDecodedBuffer(fi).set(sampleBytes(pixels, style.bitsStored));
    if (syntax === 'jpeglsNear') e.setNearLossless!(2);
    if (syntax === 'j2k') e.setQuality!(false, 0.02);
    if (syntax === 'jpegBaseline') e.setQuality!(92);
    e.encode();
    const enc = e.getEncodedBuffer().slice();
    // Two fragments for the lossless ones: a frame may span fragments.
    if (syntax === 'jpeglsLossless' || syntax === 'j2kLossless') {
      const h = Math.floor(enc.length / 2) & ~1;
      return { syntax: uid, fragments: [enc.slice(0, h), enc.slice(h)] };
    }
    return { syntax: uid, fragments: [enc] };
  } finally {
    e.delete();
  }
}
