/**
 * Pixel data of one view (qa-images.md section 2), decoded into the displayed
 * brightness the detector works on: rescale applied, MONOCHROME1 inverted, so a bead
 * (more attenuating) is always brighter. Native Explicit/Implicit VR Little Endian is
 * read directly (8 to 16 bits stored, signed or not); RLE Lossless is unpacked as
 * PS3.5 Annex G defines it; JPEG-LS, JPEG 2000 and JPEG baseline go to the
 * well-kept wasm decoders (@cornerstonejs/codec-*) through a `Codecs` provider, so
 * the same code runs in Node (codecs-node.ts) and in browsers (the page's provider).
 */
import * as dicomParserModule from 'dicom-parser';
import type { ByteSource } from '../dicom/parse.js';
import type { DataSet, Element } from 'dicom-parser';
import { StereotaxError, formatPath, type IssueCode } from '../core/errors.js';
import type { DicomFile } from '../dicom/read.js';
import type { Brightness } from './detect.js';

const dicomParser = ((dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule) as typeof dicomParserModule;

export const IMAGE_TAGS = {
  TransferSyntaxUID: 'x00020010',
  StudyDate: 'x00080020',
  AcquisitionDate: 'x00080022',
  StationName: 'x00081010',
  DeviceSerialNumber: 'x00181000',
  SamplesPerPixel: 'x00280002',
  PhotometricInterpretation: 'x00280004',
  NumberOfFrames: 'x00280008',
  Rows: 'x00280010',
  Columns: 'x00280011',
  BitsAllocated: 'x00280100',
  BitsStored: 'x00280101',
  HighBit: 'x00280102',
  PixelRepresentation: 'x00280103',
  RescaleIntercept: 'x00281052',
  RescaleSlope: 'x00281053',
  PixelData: 'x7fe00010',
} as const;
export type ImageKeyword = keyof typeof IMAGE_TAGS;

export const TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (8-bit)',
};

export type CodecName = 'jpegls' | 'j2k' | 'jpeg';
export const CODEC_OF: Record<string, CodecName> = {
  '1.2.840.10008.1.2.4.80': 'jpegls', '1.2.840.10008.1.2.4.81': 'jpegls',
  '1.2.840.10008.1.2.4.90': 'j2k', '1.2.840.10008.1.2.4.91': 'j2k',
  '1.2.840.10008.1.2.4.50': 'jpeg',
};

/** What a codec gives back: one grey channel. */
export interface DecodedFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  signed: boolean;
  /** The samples: 1 byte (bitsPerSample <= 8) or 2 bytes little endian per sample. */
  bytes: Uint8Array;
}

export interface Codecs {
  decode(codec: CodecName, encoded: Uint8Array): Promise<DecodedFrame>;
}

export interface ImageFile {
  name: string;
  index: number;
  rows: number;
  columns: number;
  transferSyntax: string;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  studyDate?: string;
  acquisitionDate?: string;
  stationName?: string;
  deviceSerialNumber?: string;
  image: Brightness;
}

function tagNumber(key: string): string {
  const h = key.slice(1).toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

export function imageFail(code: IssueCode, file: { name: string; index: number }, kw: ImageKeyword | undefined, expected: string, received: string, detail: string): never {
  const path = formatPath(kw ? ['files', file.index, kw] : ['files', file.index]);
  const tag = kw ? ` ${tagNumber(IMAGE_TAGS[kw])} ${kw}` : '';
  throw new StereotaxError([{ code, path, expected, received, message: `${file.name}:${tag} ${detail}` }]);
}

function us(ds: DataSet, kw: ImageKeyword, file: { name: string; index: number }, required: boolean): number | undefined {
  const el = ds.elements[IMAGE_TAGS[kw]];
  if (!el || el.length === 0) {
    if (required) imageFail('missing_field', file, kw, 'the tag (pixel data cannot be read without it)', 'nothing', 'missing: the pixel data cannot be read without it');
    return undefined;
  }
  if (el.length < 2) imageFail('invalid_value', file, kw, 'a US value (2 bytes)', `${el.length} bytes`, `is ${el.length} bytes long, expected an unsigned short`);
  return ds.uint16(IMAGE_TAGS[kw]);
}

function ds_(ds: DataSet, kw: ImageKeyword, file: { name: string; index: number }, fallback: number): number {
  const text = ds.string(IMAGE_TAGS[kw])?.split('\\')[0]?.trim();
  if (text === undefined || text === '') return fallback;
  const x = Number(text);
  if (!Number.isFinite(x)) imageFail('invalid_value', file, kw, 'a decimal number', JSON.stringify(text), `is not a number: ${JSON.stringify(text)}`);
  return x;
}

function str(ds: DataSet, kw: ImageKeyword): string | undefined {
  const s = ds.string(IMAGE_TAGS[kw])?.replace(/\0+$/, '').trim();
  return s ? s : undefined;
}

/** Unpacks one RLE segment (PS3.5 G.3.1: PackBits) into `out`; returns the bytes written. */
function unpackRleSegment(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let i = start, o = 0;
  while (i < end && o < out.length) {
    const n = src[i++];
    if (n < 128) {
      const len = Math.min(n + 1, end - i, out.length - o);
      out.set(src.subarray(i, i + len), o);
      i += n + 1; o += len;
    } else if (n > 128) {
      const len = Math.min(257 - n, out.length - o);
      if (i >= end) break;
      out.fill(src[i++], o, o + len);
      o += len;
    }
  }
  return o;
}

/** RLE Lossless (PS3.5 Annex G): one segment per byte of a sample, most significant first. */
function decodeRle(frame: Uint8Array, rows: number, cols: number, bytesPerSample: number, file: { name: string; index: number }): Uint8Array {
  const n = rows * cols;
  if (frame.length < 64) imageFail('invalid_value', file, 'PixelData', 'an RLE header of 64 bytes', `${frame.length} bytes`, 'truncated pixel data: the RLE frame is shorter than its 64-byte header');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  if (segments !== bytesPerSample) imageFail('invalid_value', file, 'PixelData', `${bytesPerSample} RLE segments`, `${segments}`, `the RLE frame has ${segments} segments, expected ${bytesPerSample} for one grey sample of ${8 * bytesPerSample} bits`);
  const out = new Uint8Array(n * bytesPerSample);
  const seg = new Uint8Array(n);
  for (let s = 0; s < segments; s++) {
    const start = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? dv.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) imageFail('invalid_value', file, 'PixelData', 'RLE segment offsets within the frame', `${start}..${end}`, `truncated pixel data: RLE segment ${s + 1} lies outside the frame (${frame.length} bytes)`);
    const got = unpackRleSegment(frame, start, end, seg);
    if (got < n) imageFail('invalid_value', file, 'PixelData', `${n} bytes in RLE segment ${s + 1}`, `${got}`, `truncated pixel data: RLE segment ${s + 1} gives ${got} of ${n} bytes`);
    // Segment s holds byte (bytesPerSample - 1 - s) of each little-endian sample.
    const b = bytesPerSample - 1 - s;
    for (let i = 0; i < n; i++) out[i * bytesPerSample + b] = seg[i];
  }
  return out;
}

interface PixelFormat {
  rows: number; cols: number; bitsAllocated: number; bitsStored: number; highBit: number; signed: boolean;
  slope: number; intercept: number; invert: boolean;
}

/** Stored samples (little endian, bitsAllocated per sample) to brightness. */
function toBrightness(bytes: Uint8Array, offset: number, f: PixelFormat): Float32Array {
  const n = f.rows * f.cols;
  const out = new Float32Array(n);
  const shift = f.highBit + 1 - f.bitsStored;
  const mask = f.bitsStored >= 32 ? 0xffffffff : (1 << f.bitsStored) - 1;
  const signBit = 1 << (f.bitsStored - 1);
  const scale = f.invert ? -f.slope : f.slope;
  const icpt = f.invert ? -f.intercept : f.intercept;
  if (f.bitsAllocated === 8) {
    for (let i = 0; i < n; i++) {
      let v = (bytes[offset + i] >> shift) & mask;
      if (f.signed && v & signBit) v -= mask + 1;
      out[i] = scale * v + icpt;
    }
  } else {
    for (let i = 0, o = offset; i < n; i++, o += 2) {
      let v = ((bytes[o] | (bytes[o + 1] << 8)) >> shift) & mask;
      if (f.signed && v & signBit) v -= mask + 1;
      out[i] = scale * v + icpt;
    }
  }
  return out;
}

/** The fragments of an encapsulated Pixel Data, concatenated (one frame). */
function encapsulatedFrame(bytes: Uint8Array, el: Element, file: { name: string; index: number }): Uint8Array {
  const frags = el.fragments ?? [];
  if (!frags.length) imageFail('invalid_value', file, 'PixelData', 'at least one fragment', 'none', 'truncated pixel data: the encapsulated pixel data has no fragment');
  const total = frags.reduce((s, f) => s + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of frags) {
    const start = f.position;
    if (start + f.length > bytes.length) imageFail('invalid_value', file, 'PixelData', 'fragments within the file', `${bytes.length} bytes`, `truncated pixel data: a fragment declares ${f.length} bytes from offset ${start}, the file ends at ${bytes.length}`);
    out.set(bytes.subarray(start, start + f.length), o);
    o += f.length;
  }
  return out;
}

/** Largest file read whole for its pixels: 64 megapixels of 16 bits with room for the header. */
const MAX_IMAGE_FILE = 160 * 1024 * 1024;

function wholeSource(source: ByteSource, name: string, index: number): Uint8Array {
  if (!(source.size <= MAX_IMAGE_FILE)) imageFail('invalid_value', { name, index }, undefined, `a file of at most ${MAX_IMAGE_FILE} bytes`, `${source.size} bytes`, `${source.size} bytes: larger than an image of 64 megapixels`);
  return source.read(0, source.size).slice();
}

/** Reads and decodes one view's pixels; throws StereotaxError naming the file (and the tag). */
export async function decodeImage(given: DicomFile, index: number, codecs: Codecs | undefined): Promise<ImageFile> {
  // The pixels are needed here, so a file given as a ByteSource is read whole (checked against the 64-megapixel bound below by its header first).
  const f = 'bytes' in given ? given : { name: given.name, bytes: wholeSource(given.source, given.name, index) };
  const file = { name: f.name, index };
  let ds: DataSet;
  try {
    ds = dicomParser.parseDicom(f.bytes);
  } catch (err) {
    const e = err as { exception?: unknown; dataSet?: DataSet };
    const partial = e.dataSet;
    const sawPixels = partial?.elements?.[IMAGE_TAGS.PixelData] !== undefined || /pixel|7fe0|fragment|item|sequence delimit|buffer overrun|end of buffer/i.test(String(e.exception ?? err));
    imageFail('invalid_value', file, sawPixels ? 'PixelData' : undefined, 'a complete DICOM file', 'a truncated or malformed file',
      `truncated pixel data or malformed file: ${String(e.exception ?? (err as Error)?.message ?? err)}`);
  }
  const syntax = str(ds, 'TransferSyntaxUID')!;
  if (!TRANSFER_SYNTAXES[syntax]) {
    imageFail('invalid_value', file, 'TransferSyntaxUID', `one of ${Object.entries(TRANSFER_SYNTAXES).map(([k, v]) => `${k} (${v})`).join(', ')}`, syntax,
      `unsupported transfer syntax ${syntax}: the pixel data cannot be decoded (supported: ${Object.keys(TRANSFER_SYNTAXES).join(', ')})`);
  }
  const rows = us(ds, 'Rows', file, true)!;
  const cols = us(ds, 'Columns', file, true)!;
  const bitsAllocated = us(ds, 'BitsAllocated', file, true)!;
  const bitsStored = us(ds, 'BitsStored', file, false) ?? bitsAllocated;
  const highBit = us(ds, 'HighBit', file, false) ?? bitsStored - 1;
  const pixelRep = us(ds, 'PixelRepresentation', file, false) ?? 0;
  const spp = us(ds, 'SamplesPerPixel', file, false) ?? 1;
  const photometric = str(ds, 'PhotometricInterpretation');
  if (!photometric) imageFail('missing_field', file, 'PhotometricInterpretation', 'MONOCHROME1 or MONOCHROME2', 'nothing', 'missing: without it a bead\'s polarity is unknown');
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') imageFail('invalid_value', file, 'PhotometricInterpretation', 'MONOCHROME1 or MONOCHROME2', photometric, `${photometric}: a stereotactic view is a grey image (MONOCHROME1 or MONOCHROME2)`);
  if (spp !== 1) imageFail('invalid_value', file, 'SamplesPerPixel', '1', `${spp}`, `${spp} samples per pixel: a grey image has 1`);
  if (!(rows >= 16 && cols >= 16)) imageFail('invalid_value', file, rows >= 16 ? 'Columns' : 'Rows', 'at least 16', `${rows >= 16 ? cols : rows}`, `the image is ${cols} x ${rows} pixels: too small for bead detection`);
  if (rows * cols > 64e6) imageFail('invalid_value', file, 'Rows', 'at most 64 megapixels', `${cols} x ${rows}`, `the image is ${cols} x ${rows} pixels: larger than 64 megapixels`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) imageFail('invalid_value', file, 'BitsAllocated', '8 or 16', `${bitsAllocated}`, `${bitsAllocated} bits allocated: 8 or 16 are read`);
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated)) imageFail('invalid_value', file, 'BitsStored', `1 to ${bitsAllocated}`, `${bitsStored}`, `${bitsStored} bits stored with ${bitsAllocated} allocated`);
  if (!(highBit >= bitsStored - 1 && highBit < bitsAllocated)) imageFail('invalid_value', file, 'HighBit', `${bitsStored - 1} to ${bitsAllocated - 1}`, `${highBit}`, `high bit ${highBit} with ${bitsStored} bits stored`);
  if (pixelRep !== 0 && pixelRep !== 1) imageFail('invalid_value', file, 'PixelRepresentation', '0 or 1', `${pixelRep}`, `${pixelRep}: 0 (unsigned) or 1 (signed)`);
  const frames = str(ds as DataSet, 'NumberOfFrames');
  if (frames !== undefined && Number(frames) !== 1) imageFail('invalid_value', file, 'NumberOfFrames', '1', frames, `${frames} frames: a stereotactic view is one frame`);
  const slope = ds_(ds, 'RescaleSlope', file, 1);
  const intercept = ds_(ds, 'RescaleIntercept', file, 0);
  if (slope === 0) imageFail('invalid_value', file, 'RescaleSlope', 'a non-zero slope', '0', 'is 0: every pixel would have the same value');
  const el = ds.elements[IMAGE_TAGS.PixelData];
  if (!el) imageFail('missing_field', file, 'PixelData', 'the pixel data', 'nothing', 'missing: the file has no pixel data');
  const fmt: PixelFormat = { rows, cols, bitsAllocated, bitsStored, highBit, signed: pixelRep === 1, slope, intercept, invert: photometric === 'MONOCHROME1' };
  const bps = bitsAllocated / 8;
  const need = rows * cols * bps;
  let data: Float32Array;
  if (syntax === '1.2.840.10008.1.2' || syntax === '1.2.840.10008.1.2.1') {
    if (el.length === 0xffffffff || el.encapsulatedPixelData) imageFail('invalid_value', file, 'PixelData', 'native pixel data', 'encapsulated fragments', `encapsulated pixel data under the native transfer syntax ${syntax}`);
    const available = Math.min(el.length, f.bytes.length - el.dataOffset);
    if (available < need) imageFail('invalid_value', file, 'PixelData', `${need} bytes (${cols} x ${rows} x ${bps})`, `${Math.max(0, available)} bytes`, `truncated pixel data: ${Math.max(0, available)} of ${need} bytes`);
    data = toBrightness(f.bytes, el.dataOffset, fmt);
  } else {
    if (!el.encapsulatedPixelData) imageFail('invalid_value', file, 'PixelData', 'encapsulated pixel data', 'native pixel data', `native pixel data under the encapsulated transfer syntax ${syntax}`);
    const frame = encapsulatedFrame(f.bytes, el, file);
    let samples: Uint8Array;
    if (syntax === '1.2.840.10008.1.2.5') samples = decodeRle(frame, rows, cols, bps, file);
    else {
      if (!codecs) imageFail('invalid_value', file, 'TransferSyntaxUID', 'a codec provider for this transfer syntax', syntax, `${TRANSFER_SYNTAXES[syntax]} (${syntax}) needs the wasm codecs, and none were given`);
      // A cut JPEG, JPEG-LS or JPEG 2000 codestream lacks its end marker (EOI/EOC, FF D9); some
      // decoders spend tens of seconds before failing on one, so it is refused before decoding.
      let end = frame.length;
      while (end > 2 && frame[end - 1] === 0) end--; // fragments are padded to even length
      if (!(end >= 4 && frame[end - 2] === 0xff && frame[end - 1] === 0xd9)) {
        imageFail('invalid_value', file, 'PixelData', `a complete ${TRANSFER_SYNTAXES[syntax]} codestream ending with FF D9`, `${frame.length} bytes without the end marker`,
          `truncated pixel data: the ${TRANSFER_SYNTAXES[syntax]} codestream (${frame.length} bytes) does not end with its end marker FF D9`);
      }
      let out: DecodedFrame;
      try {
        out = await codecs.decode(CODEC_OF[syntax], frame);
      } catch (err) {
        if (err instanceof StereotaxError) throw err;
        imageFail('invalid_value', file, 'PixelData', `a decodable ${TRANSFER_SYNTAXES[syntax]} stream`, 'a stream the decoder refused', `truncated or corrupt pixel data: the ${TRANSFER_SYNTAXES[syntax]} decoder failed (${String((err as Error)?.message ?? err)})`);
      }
      if (out.width !== cols || out.height !== rows) imageFail('invalid_value', file, 'PixelData', `a ${cols} x ${rows} frame as Columns and Rows say`, `${out.width} x ${out.height}`, `the compressed frame is ${out.width} x ${out.height}, the header says ${cols} x ${rows}`);
      if (out.componentCount !== 1) imageFail('invalid_value', file, 'PixelData', 'one component', `${out.componentCount}`, `the compressed frame has ${out.componentCount} components`);
      const outBps = out.bitsPerSample <= 8 ? 1 : 2;
      if (out.bytes.length < rows * cols * outBps) imageFail('invalid_value', file, 'PixelData', `${rows * cols * outBps} decoded bytes`, `${out.bytes.length}`, 'truncated pixel data: the decoder gave fewer samples than the frame has');
      if (outBps !== bps) {
        fmt.bitsAllocated = outBps * 8;
        fmt.bitsStored = Math.min(fmt.bitsStored, outBps * 8);
        fmt.highBit = fmt.bitsStored - 1;
      }
      samples = out.bytes;
    }
    if (samples.length < rows * cols * (fmt.bitsAllocated / 8)) imageFail('invalid_value', file, 'PixelData', `${need} bytes`, `${samples.length}`, 'truncated pixel data');
    data = toBrightness(samples, 0, fmt);
  }
  return {
    name: f.name, index, rows, columns: cols, transferSyntax: syntax, photometric,
    studyDate: str(ds, 'StudyDate'), acquisitionDate: str(ds, 'AcquisitionDate'), stationName: str(ds, 'StationName'), deviceSerialNumber: str(ds, 'DeviceSerialNumber'),
    image: { width: cols, height: rows, data },
  };
}
