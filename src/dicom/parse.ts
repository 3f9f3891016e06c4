/**
 * A DICOM Part 10 header reader (PS3.10 7.1, PS3.5 7): the file meta group, then the
 * data set in Explicit or Implicit VR Little Endian (or Deflated Explicit VR Little
 * Endian, inflated here), element by element up to Pixel Data, which is skipped, never
 * read. Bytes come from a ByteSource: a Uint8Array, or a reader of byte ranges (the
 * CLI's file handle), so a 1 GiB file costs the size of its header.
 *
 * Every malformed input ends in a DicomFormatError (truncated, or malformed with the
 * tag and offset); nothing else is thrown. Nesting is bounded, every length is checked
 * against the bytes that hold it, and the work is linear in the header's size.
 * No Node APIs: runs in browsers.
 */
import { Inflate } from 'fflate';

/** Where a file's bytes come from. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Bytes [offset, offset + length), fewer only past the end. The view may be reused by
   * the next call: the reader copies what it keeps.
   */
  read(offset: number, length: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

export interface Element {
  /** The key "x" + group + element, 8 lower-case hex digits (the form dicom-parser made familiar). */
  tag: string;
  /** As written (explicit VR); from the dictionary of sequences for implicit VR, else undefined. */
  vr?: string;
  /** Offset of the value in the (inflated) data. */
  offset: number;
  /** Value length in bytes; for an undefined length, the bytes up to the delimiter. */
  length: number;
  undefinedLength: boolean;
  /** The value's bytes, kept when at most MAX_KEPT_VALUE long. */
  value?: Uint8Array;
  /** A sequence's items. */
  items?: DataSet[];
}

/** Values longer than this (an icon image, a private blob) are skipped, not read. */
export const MAX_KEPT_VALUE = 1 << 16;
/** Sequences nested deeper than this are refused (PS3.3 never nests near this deep). */
export const MAX_NESTING = 24;
/** A deflated data set is inflated up to this many bytes. */
export const MAX_INFLATED = 256 * 1024 * 1024;

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

export class DataSet {
  readonly elements: Record<string, Element> = {};

  /** The value as text (Latin-1 bytes), without the padding (trailing NULs and spaces, leading spaces); value `index` when given. */
  string(tag: string, index?: number): string | undefined {
    const v = this.elements[tag]?.value;
    if (!v) return undefined;
    const text = latin1(v);
    if (index === undefined) return text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
    const part = text.split('\\')[index];
    return part === undefined ? undefined : part.replace(/[\0 ]+$/, '').replace(/^ +/, '');
  }

  /** FL value `index` (32-bit float, little endian), undefined past the end. */
  float(tag: string, index = 0): number | undefined {
    const v = this.elements[tag]?.value;
    if (!v || v.length < 4 * (index + 1)) return undefined;
    return new DataView(v.buffer, v.byteOffset, v.length).getFloat32(4 * index, true);
  }

  /** US value `index` (16-bit unsigned, little endian). */
  uint16(tag: string, index = 0): number | undefined {
    const v = this.elements[tag]?.value;
    if (!v || v.length < 2 * (index + 1)) return undefined;
    return new DataView(v.buffer, v.byteOffset, v.length).getUint16(2 * index, true);
  }

  /** UL value `index` (32-bit unsigned, little endian). */
  uint32(tag: string, index = 0): number | undefined {
    const v = this.elements[tag]?.value;
    if (!v || v.length < 4 * (index + 1)) return undefined;
    return new DataView(v.buffer, v.byteOffset, v.length).getUint32(4 * index, true);
  }

  /** The first item of a sequence. */
  item(tag: string, index = 0): DataSet | undefined {
    return this.elements[tag]?.items?.[index];
  }
}

/** Why a file could not be read: truncated (the file ends inside something) or malformed. */
export class DicomFormatError extends Error {
  constructor(readonly kind: 'truncated' | 'malformed' | 'too_large', message: string, readonly tag?: string) {
    super(message);
    this.name = 'DicomFormatError';
  }
}

/** The result of reading a file's header. */
export interface ParsedFile {
  meta: DataSet;
  /** The data set up to (not including) Pixel Data; the meta elements are in it too. */
  dataSet: DataSet;
  transferSyntax: string;
  /** Whether Pixel Data was found (its header checked, its bytes skipped). */
  pixelData?: { offset: number; length: number; undefinedLength: boolean };
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

const UNDEFINED = 0xffffffff;
/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VRS = new Set([...LONG_VRS, 'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
/**
 * Sequences of the attributes read (implicit VR carries no VR: a defined-length
 * sequence is known by its tag; an undefined length is always a sequence).
 */
export const SEQUENCE_TAGS = new Set([
  'x00082112', 'x00081115', 'x00081199', 'x00040000',
  'x00182041', 'x52009229', 'x52009230', 'x00209113', 'x00209116', 'x00289110', 'x00209111', 'x00209071', 'x00189462', 'x00189463',
  'x00189507', 'x00189530', 'x00189456', 'x00189455', 'x00189472', 'x00400555', 'x00041220', 'x0040a730', 'x0040a043', 'x00209222',
  'x00089124', 'x00089215', 'x00189405', 'x00189476',
]);
const PIXEL_DATA = new Set(['x7fe00010', 'x7fe00008', 'x7fe00009']);

export function tagKey(group: number, element: number): string {
  return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
}
/** "x00181110" -> "(0018,1110)" */
export function tagText(key: string): string {
  const h = key.slice(1).toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

class Cursor {
  constructor(readonly src: ByteSource) {}
  get size() { return this.src.size; }
  private view(offset: number, n: number): DataView {
    const b = this.src.read(offset, n);
    if (b.length < n) throw new DicomFormatError('truncated', `truncated: ${n} bytes needed at offset ${offset}, the file ends at ${this.size}`);
    return new DataView(b.buffer, b.byteOffset, n);
  }
  u16(offset: number) { return this.view(offset, 2).getUint16(0, true); }
  u32(offset: number) { return this.view(offset, 4).getUint32(0, true); }
  chars(offset: number, n: number) { return latin1(this.src.read(offset, n)); }
  copy(offset: number, n: number) { return this.src.read(offset, n).slice(); }
}

interface Header { key: string; vr?: string; length: number; valueOffset: number }

/** An element header at `pos`; `limit` is where the enclosing item (or the file) ends. */
function readHeader(c: Cursor, pos: number, limit: number, explicit: boolean): Header {
  if (pos + 8 > limit) {
    throw limit === c.size
      ? new DicomFormatError('truncated', `truncated: an element header cut at offset ${pos}, the file ends at ${c.size}`)
      : new DicomFormatError('malformed', `malformed: an element header at offset ${pos} crosses the end of its item (offset ${limit})`);
  }
  const key = tagKey(c.u16(pos), c.u16(pos + 2));
  if (!explicit) return { key, vr: SEQUENCE_TAGS.has(key) ? 'SQ' : undefined, length: c.u32(pos + 4), valueOffset: pos + 8 };
  const vr = c.chars(pos + 4, 2);
  if (!VRS.has(vr)) {
    throw new DicomFormatError('malformed', `malformed: ${tagText(key)} at offset ${pos} has no valid value representation (${JSON.stringify(vr)})`, key);
  }
  if (!LONG_VRS.has(vr)) return { key, vr, length: c.u16(pos + 6), valueOffset: pos + 8 };
  if (pos + 12 > limit) {
    throw new DicomFormatError(limit === c.size ? 'truncated' : 'malformed', `${limit === c.size ? 'truncated' : 'malformed'}: ${tagText(key)} header cut at offset ${pos}`, key);
  }
  return { key, vr, length: c.u32(pos + 8), valueOffset: pos + 12 };
}

function overrun(c: Cursor, h: Header, limit: number): DicomFormatError {
  const what = `${tagText(h.key)} declares ${h.length} bytes from offset ${h.valueOffset}`;
  return limit === c.size
    ? new DicomFormatError('truncated', `${tagText(h.key)} truncated: the element declares ${h.length} bytes from offset ${h.valueOffset}, the file ends at ${c.size}`, h.key)
    : new DicomFormatError('malformed', `malformed: ${what}, past the end of its item (offset ${limit})`, h.key);
}

/** Skips encapsulated fragments (items of defined length) up to the sequence delimiter; returns the offset after it. */
function skipFragments(c: Cursor, pos: number, owner: string): number {
  for (;;) {
    if (pos + 8 > c.size) throw new DicomFormatError('truncated', `${tagText(owner)} truncated: the encapsulated fragments end without a sequence delimiter (the file ends at ${c.size})`, owner);
    const g = c.u16(pos);
    const e = c.u16(pos + 2);
    const len = c.u32(pos + 4);
    if (g === 0xfffe && e === 0xe0dd) return pos + 8;
    if (g !== 0xfffe || e !== 0xe000 || len === UNDEFINED) {
      throw new DicomFormatError('malformed', `malformed: ${tagText(owner)} expected a fragment item (FFFE,E000) of defined length at offset ${pos}, found ${tagText(tagKey(g, e))}`, owner);
    }
    if (pos + 8 + len > c.size) throw new DicomFormatError('truncated', `${tagText(owner)} truncated: a fragment declares ${len} bytes from offset ${pos + 8}, the file ends at ${c.size}`, owner);
    pos += 8 + len;
  }
}

/** A sequence's items from `pos` to `end` (defined length) or to its delimiter; returns the items and the offset after. */
function readItems(c: Cursor, pos: number, end: number | undefined, explicit: boolean, depth: number, owner: string): { items: DataSet[]; pos: number } {
  if (depth > MAX_NESTING) throw new DicomFormatError('malformed', `malformed: ${tagText(owner)} nests sequences more than ${MAX_NESTING} deep`, owner);
  const items: DataSet[] = [];
  const limit = end ?? c.size;
  for (;;) {
    if (end !== undefined && pos === end) return { items, pos };
    if (end !== undefined && pos > end) throw new DicomFormatError('malformed', `malformed: an item of ${tagText(owner)} runs past the end of the sequence (offset ${end})`, owner);
    if (pos + 8 > limit) {
      throw end === undefined || end === c.size
        ? new DicomFormatError('truncated', `${tagText(owner)} truncated: the sequence ends without ${end === undefined ? 'its delimiter' : 'its last item'} (the file ends at ${c.size})`, owner)
        : new DicomFormatError('malformed', `malformed: ${tagText(owner)} has ${end - pos} stray bytes at its end (offset ${pos})`, owner);
    }
    const g = c.u16(pos);
    const e = c.u16(pos + 2);
    const len = c.u32(pos + 4);
    if (g === 0xfffe && e === 0xe0dd && end === undefined) return { items, pos: pos + 8 };
    if (g !== 0xfffe || e !== 0xe000) {
      throw new DicomFormatError('malformed', `malformed: ${tagText(owner)} expected an item (FFFE,E000) at offset ${pos}, found ${tagText(tagKey(g, e))}`, owner);
    }
    pos += 8;
    if (len === UNDEFINED) {
      const r = readElements(c, pos, c.size, explicit, depth, false, true);
      items.push(r.ds);
      pos = r.pos;
    } else {
      if (pos + len > limit) throw overrun(c, { key: owner, length: len, valueOffset: pos }, limit);
      items.push(readElements(c, pos, pos + len, explicit, depth, false, false).ds);
      pos += len;
    }
  }
}

/**
 * Elements from `pos` to `limit`; in an undefined-length item, up to its delimiter.
 * At the top level, stops at Pixel Data (its header and length checked, its bytes skipped).
 */
function readElements(c: Cursor, pos: number, limit: number, explicit: boolean, depth: number, top: boolean, toDelimiter: boolean,
  onPixelData?: (p: NonNullable<ParsedFile['pixelData']>) => void): { ds: DataSet; pos: number } {
  const ds = new DataSet();
  for (;;) {
    if (pos === limit) {
      if (toDelimiter) throw new DicomFormatError('truncated', `truncated: an item ends without its delimiter (the file ends at ${c.size})`);
      return { ds, pos };
    }
    if (toDelimiter && pos + 8 <= limit && c.u16(pos) === 0xfffe && c.u16(pos + 2) === 0xe00d) return { ds, pos: pos + 8 };
    const h = readHeader(c, pos, limit, explicit);
    if (h.key.startsWith('xfffe')) throw new DicomFormatError('malformed', `malformed: an unexpected ${tagText(h.key)} at offset ${pos}`, h.key);
    const el: Element = { tag: h.key, vr: h.vr, offset: h.valueOffset, length: h.length, undefinedLength: h.length === UNDEFINED };
    if (top && PIXEL_DATA.has(h.key)) {
      const end = el.undefinedLength ? skipFragments(c, h.valueOffset, h.key) : h.valueOffset + h.length;
      if (end > c.size) throw overrun(c, h, c.size);
      onPixelData?.({ offset: h.valueOffset, length: el.undefinedLength ? end - h.valueOffset - 8 : h.length, undefinedLength: el.undefinedLength });
      return { ds, pos: end };
    }
    if (el.undefinedLength) {
      if (explicit && h.vr !== 'SQ' && h.vr !== 'UN' && h.vr !== 'OB' && h.vr !== 'OW') {
        throw new DicomFormatError('malformed', `malformed: ${tagText(h.key)} has an undefined length, which VR ${h.vr} cannot have`, h.key);
      }
      let next: number;
      if (!explicit || h.vr === 'SQ' || h.vr === 'UN') {
        // An undefined-length UN is a sequence in implicit VR (PS3.5 6.2.2).
        const r = readItems(c, h.valueOffset, undefined, explicit && h.vr === 'SQ', depth + 1, h.key);
        el.items = r.items;
        next = r.pos;
        el.length = next - h.valueOffset - 8;
      } else {
        next = skipFragments(c, h.valueOffset, h.key);
        el.length = next - h.valueOffset - 8;
      }
      pos = next;
    } else {
      if (h.valueOffset + h.length > limit) throw overrun(c, h, limit);
      if (h.vr === 'SQ') el.items = readItems(c, h.valueOffset, h.valueOffset + h.length, explicit, depth + 1, h.key).items;
      else if (h.length <= MAX_KEPT_VALUE) el.value = c.copy(h.valueOffset, h.length);
      pos = h.valueOffset + h.length;
    }
    ds.elements[h.key] = el;
  }
}

/** Inflates a deflated data set (PS3.5 A.5: raw deflate), at most MAX_INFLATED bytes. */
function inflate(c: Cursor, from: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > MAX_INFLATED) throw new DicomFormatError('too_large', `the deflated data set inflates past ${MAX_INFLATED / 1024 / 1024} MiB`);
    chunks.push(chunk);
    if (final) ended = true;
  });
  const STEP = 1 << 20;
  try {
    for (let pos = from; pos < c.size && !ended; pos += STEP) inflater.push(c.copy(pos, Math.min(STEP, c.size - pos)), pos + STEP >= c.size);
    if (!ended) inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof DicomFormatError) throw err;
    throw new DicomFormatError('malformed', `malformed: the deflated data set does not inflate (${String((err as { message?: unknown })?.message ?? err)})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.length;
  }
  return out;
}

/**
 * Reads a Part 10 file's meta group and its data set up to Pixel Data. Throws
 * DicomFormatError (never anything else) for a file that is not DICOM, truncated,
 * or malformed, and for Explicit VR Big Endian (retired: PS3.5 A.3).
 */
export function parseDicomFile(src: ByteSource): ParsedFile {
  const c = new Cursor(src);
  if (c.size < 132 || c.chars(128, 4) !== 'DICM') {
    throw new DicomFormatError('malformed', `not a DICOM file: no "DICM" prefix at byte 128 (${c.size} bytes)`);
  }
  const meta = new DataSet();
  let pos = 132;
  while (pos + 2 <= c.size && c.u16(pos) === 0x0002) {
    const h = readHeader(c, pos, c.size, true);
    if (h.length === UNDEFINED || h.valueOffset + h.length > c.size) {
      throw new DicomFormatError('truncated', `truncated or malformed file meta information: ${tagText(h.key)} declares ${h.length} bytes from offset ${h.valueOffset}, the file ends at ${c.size}`, h.key);
    }
    meta.elements[h.key] = { tag: h.key, vr: h.vr, offset: h.valueOffset, length: h.length, undefinedLength: false, value: h.length <= MAX_KEPT_VALUE ? c.copy(h.valueOffset, h.length) : undefined };
    pos = h.valueOffset + h.length;
  }
  if (pos === 132) throw new DicomFormatError('truncated', `truncated or malformed: no file meta information after "DICM" (${c.size} bytes)`);
  const transferSyntax = meta.string('x00020010')?.replace(/\0+$/, '') ?? '';
  let data = c;
  let start = pos;
  if (transferSyntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    data = new Cursor(memorySource(inflate(c, pos)));
    start = 0;
  }
  if (!transferSyntax || transferSyntax === EXPLICIT_VR_BIG_ENDIAN) return { meta, dataSet: meta, transferSyntax };
  let pixelData: ParsedFile['pixelData'];
  const { ds } = readElements(data, start, data.size, transferSyntax !== IMPLICIT_VR_LITTLE_ENDIAN, 0, true, false, (p) => (pixelData = p));
  for (const [k, el] of Object.entries(meta.elements)) ds.elements[k] = el;
  const out: ParsedFile = { meta, dataSet: ds, transferSyntax };
  if (pixelData) out.pixelData = pixelData;
  return out;
}
