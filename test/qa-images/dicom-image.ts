/**
 * Writes a rendered view as a DICOM Part 10 image: header through the project's test
 * writer (test/helpers/dicom-writer.ts), then the pixel data, native (OW/OB) or
 * encapsulated (fragments in an undefined-length OB with an empty offset table).
 */
import { EXPLICIT, IMPLICIT, writeDicom, type El, type Vr } from '../helpers/dicom-writer.js';
import type { ImageStyle } from './forward.js';

export interface ImageHeader {
  angle?: number;
  sourceToDetector?: number;
  sourceToSupport?: number;
  thickness?: number;
  role?: string;
  studyDate?: string;
  targets?: { uid: string; col: number; row: number; label?: string; console?: [number, number, number] }[];
  /** Leave out these tags ([group, element]). */
  omit?: [number, number][];
}

export const SYNTAX = {
  implicit: IMPLICIT,
  explicit: EXPLICIT,
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpeglsLossless: '1.2.840.10008.1.2.4.80',
  jpeglsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
} as const;

const num = (x: number) => {
  let s = String(x);
  if (s.length > 16) s = x.toPrecision(10).replace(/\.?0+$/, '');
  return s;
};

export function headerElements(style: ImageStyle, h: ImageHeader): El[] {
  const bitsAllocated = style.bitsStored <= 8 ? 8 : 16;
  const els: El[] = [
    { tag: [0x0008, 0x0008], vr: 'CS', value: `ORIGINAL\\PRIMARY\\${h.role ?? 'STEREO_PLUS'}` },
    { tag: [0x0008, 0x0016], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.2' },
    { tag: [0x0008, 0x0020], vr: 'DA' as Vr, value: h.studyDate ?? '20261120' },
    { tag: [0x0028, 0x0002], vr: 'US', value: [1] },
    { tag: [0x0028, 0x0004], vr: 'CS', value: style.photometric },
    { tag: [0x0028, 0x0010], vr: 'US', value: [style.rows] },
    { tag: [0x0028, 0x0011], vr: 'US', value: [style.columns] },
    { tag: [0x0028, 0x0100], vr: 'US', value: [bitsAllocated] },
    { tag: [0x0028, 0x0101], vr: 'US', value: [style.bitsStored] },
    { tag: [0x0028, 0x0102], vr: 'US', value: [style.bitsStored - 1] },
    { tag: [0x0028, 0x0103], vr: 'US', value: [style.signed ? 1 : 0] },
    { tag: [0x0018, 0x1164], vr: 'DS', value: `${num(style.spacing[0])}\\${num(style.spacing[1])}` },
  ];
  if (style.rescale) {
    els.push({ tag: [0x0028, 0x1052], vr: 'DS', value: num(style.rescale.intercept) });
    els.push({ tag: [0x0028, 0x1053], vr: 'DS', value: num(style.rescale.slope) });
  }
  if (h.sourceToDetector !== undefined) els.push({ tag: [0x0018, 0x1110], vr: 'DS', value: num(h.sourceToDetector) });
  if (h.sourceToSupport !== undefined) els.push({ tag: [0x0018, 0x1111], vr: 'DS', value: num(h.sourceToSupport) });
  if (h.angle !== undefined) els.push({ tag: [0x0018, 0x1510], vr: 'DS', value: num(h.angle) });
  if (h.thickness !== undefined) els.push({ tag: [0x0018, 0x11a0], vr: 'DS', value: num(h.thickness) });
  if (h.targets) {
    els.push({
      tag: [0x0018, 0x2041], vr: 'SQ',
      value: h.targets.map((t) => {
        const item: El[] = [{ tag: [0x0018, 0x2042], vr: 'UI', value: t.uid }, { tag: [0x0018, 0x2043], vr: 'FL', value: [t.col, t.row] }];
        if (t.console) item.push({ tag: [0x0018, 0x2044], vr: 'FL', value: t.console });
        if (t.label) item.push({ tag: [0x0018, 0x2045], vr: 'LO', value: t.label });
        return item;
      }),
    });
  }
  return els.filter((e) => !h.omit?.some(([g, el]) => e.tag[0] === g && e.tag[1] === el));
}

/** Native pixel bytes (little endian) of stored values. */
export function nativeBytes(pixels: Int32Array, bitsStored: number): Uint8Array {
  if (bitsStored <= 8) return Uint8Array.from(pixels, (v) => v & 0xff);
  const out = new Uint8Array(pixels.length * 2);
  for (let i = 0; i < pixels.length; i++) {
    out[2 * i] = pixels[i] & 0xff;
    out[2 * i + 1] = (pixels[i] >> 8) & 0xff;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function u16(x: number) { return Uint8Array.of(x & 0xff, (x >> 8) & 0xff); }
function u32(x: number) { return Uint8Array.of(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff); }

/** A native image: the header, then (7FE0,0010) with the pixel bytes. */
export function writeNative(style: ImageStyle, h: ImageHeader, pixels: Int32Array, implicit = false, truncateTo?: number): Uint8Array {
  const head = writeDicom(headerElements(style, h), { implicit });
  let data = nativeBytes(pixels, style.bitsStored);
  if (data.length % 2) data = concat([data, new Uint8Array(1)]);
  const el = implicit
    ? concat([u16(0x7fe0), u16(0x0010), u32(data.length)])
    : concat([u16(0x7fe0), u16(0x0010), Uint8Array.of(0x4f, style.bitsStored <= 8 ? 0x42 : 0x57, 0, 0), u32(data.length)]);
  const out = concat([head, el, data]);
  return truncateTo === undefined ? out : out.slice(0, truncateTo);
}

/** An encapsulated image: explicit VR header with the given transfer syntax, one frame in the given fragments. */
export function writeEncapsulated(style: ImageStyle, h: ImageHeader, syntax: string, fragments: Uint8Array[]): Uint8Array {
  const head = writeDicom(headerElements(style, h), { transferSyntax: syntax });
  const parts: Uint8Array[] = [head, u16(0x7fe0), u16(0x0010), Uint8Array.of(0x4f, 0x42, 0, 0), u32(0xffffffff)];
  parts.push(u16(0xfffe), u16(0xe000), u32(0)); // empty basic offset table
  for (let f of fragments) {
    if (f.length % 2) f = concat([f, new Uint8Array(1)]);
    parts.push(u16(0xfffe), u16(0xe000), u32(f.length), f);
  }
  parts.push(u16(0xfffe), u16(0xe0dd), u32(0));
  return concat(parts);
}
