/**
 * A small DICOM Part 10 writer for synthetic stereo sets, written from PS3.5/PS3.10
 * (preamble, "DICM", an explicit-VR file meta group, then the data set in Explicit or
 * Implicit VR Little Endian). Independent of src/ and of dicom-parser.
 */

export type Vr = 'CS' | 'DA' | 'DS' | 'FL' | 'IS' | 'LO' | 'OB' | 'OW' | 'PN' | 'SH' | 'SQ' | 'TM' | 'UI' | 'UL' | 'US' | 'UN';
export interface El {
  tag: [number, number];
  vr: Vr;
  /** Strings joined with "\" (CS, DS, LO, UI), numbers (FL, US, UL), bytes (OB, OW), items (SQ). */
  value: string | number[] | Uint8Array | El[][];
  /** Encapsulated (undefined length): the value is these fragments as items, then a sequence delimiter. */
  fragments?: Uint8Array[];
}

export interface WriteOptions {
  implicit?: boolean;
  /** Sequences and items with undefined length and delimiters (else explicit lengths). */
  undefinedLength?: boolean;
  transferSyntax?: string;
  /** Deflated Explicit VR Little Endian: the data set raw-deflated (PS3.5 A.5) with the given function. */
  deflate?: (bytes: Uint8Array) => Uint8Array;
  /** Media Storage SOP Class UID (default Digital Mammography X-Ray Image Storage - For Presentation). */
  sopClass?: string;
  /** Leave Media Storage SOP Instance UID (0002,0003) out of the meta header. */
  noMetaInstance?: boolean;
}

const LONG_VR = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'OF']);

class Bytes {
  private parts: number[] = [];
  u8(...b: number[]) { this.parts.push(...b); }
  u16(x: number) { this.u8(x & 0xff, (x >> 8) & 0xff); }
  u32(x: number) { this.u8(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff); }
  bytes(b: Uint8Array | number[]) { for (const x of b) this.parts.push(x); }
  get length() { return this.parts.length; }
  done() { return Uint8Array.from(this.parts); }
}

function valueBytes(e: El, opts: WriteOptions): Uint8Array {
  if (e.vr === 'SQ') throw new Error('SQ handled separately');
  if (e.value instanceof Uint8Array) return e.value.length % 2 ? Uint8Array.from([...e.value, 0]) : e.value;
  if (typeof e.value === 'string') {
    const pad = e.vr === 'UI' ? 0 : 0x20;
    const b = [...new TextEncoder().encode(e.value)];
    if (b.length % 2) b.push(pad);
    return Uint8Array.from(b);
  }
  const nums = e.value as number[];
  const out = new Bytes();
  const dv = new DataView(new ArrayBuffer(4));
  for (const x of nums) {
    if (e.vr === 'FL') {
      dv.setFloat32(0, x, true);
      out.u8(dv.getUint8(0), dv.getUint8(1), dv.getUint8(2), dv.getUint8(3));
    } else if (e.vr === 'US') out.u16(x);
    else out.u32(x);
  }
  void opts;
  return out.done();
}

function writeElements(out: Bytes, els: El[], opts: WriteOptions) {
  const sorted = [...els].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1]);
  for (const e of sorted) writeElement(out, e, opts);
}

function header(out: Bytes, e: El, length: number, opts: WriteOptions) {
  out.u16(e.tag[0]);
  out.u16(e.tag[1]);
  if (opts.implicit) out.u32(length);
  else if (LONG_VR.has(e.vr)) {
    out.u8(e.vr.charCodeAt(0), e.vr.charCodeAt(1), 0, 0);
    out.u32(length);
  } else {
    out.u8(e.vr.charCodeAt(0), e.vr.charCodeAt(1));
    out.u16(length);
  }
}

function writeElement(out: Bytes, e: El, opts: WriteOptions) {
  if (e.fragments) {
    header(out, e, 0xffffffff, opts);
    for (const f of e.fragments) {
      out.u16(0xfffe); out.u16(0xe000); out.u32(f.length);
      out.bytes(f);
    }
    out.u16(0xfffe); out.u16(0xe0dd); out.u32(0);
    return;
  }
  if (e.vr !== 'SQ') {
    const v = valueBytes(e, opts);
    header(out, e, v.length, opts);
    out.bytes(v);
    return;
  }
  const items = (e.value as El[][]).map((item) => {
    const b = new Bytes();
    writeElements(b, item, opts);
    return b.done();
  });
  const U = 0xffffffff;
  if (opts.undefinedLength) {
    header(out, e, U, opts);
    for (const it of items) {
      out.u16(0xfffe); out.u16(0xe000); out.u32(U);
      out.bytes(it);
      out.u16(0xfffe); out.u16(0xe00d); out.u32(0);
    }
    out.u16(0xfffe); out.u16(0xe0dd); out.u32(0);
  } else {
    header(out, e, items.reduce((s, it) => s + 8 + it.length, 0), opts);
    for (const it of items) {
      out.u16(0xfffe); out.u16(0xe000); out.u32(it.length);
      out.bytes(it);
    }
  }
}

export const IMPLICIT = '1.2.840.10008.1.2';
export const EXPLICIT = '1.2.840.10008.1.2.1';
export const DEFLATED = '1.2.840.10008.1.2.1.99';
const MAMMO_SOP = '1.2.840.10008.5.1.4.1.1.1.2';

export function writeDicom(dataset: El[], opts: WriteOptions = {}): Uint8Array {
  const syntax = opts.transferSyntax ?? (opts.deflate ? DEFLATED : opts.implicit ? IMPLICIT : EXPLICIT);
  const meta = new Bytes();
  writeElements(meta, [
    { tag: [0x0002, 0x0001], vr: 'OB', value: Uint8Array.from([0, 1]) },
    { tag: [0x0002, 0x0002], vr: 'UI', value: opts.sopClass ?? MAMMO_SOP },
    ...(opts.noMetaInstance ? [] : [{ tag: [0x0002, 0x0003], vr: 'UI', value: (dataset.find((e) => e.tag[0] === 0x0008 && e.tag[1] === 0x0018)?.value as string | undefined) ?? '2.25.1234567' } as El]),
    { tag: [0x0002, 0x0010], vr: 'UI', value: syntax },
    { tag: [0x0002, 0x0012], vr: 'UI', value: '2.25.99' },
  ], {});
  const metaBytes = meta.done();
  const out = new Bytes();
  out.bytes(new Array(128).fill(0));
  out.u8(0x44, 0x49, 0x43, 0x4d);
  writeElement(out, { tag: [0x0002, 0x0000], vr: 'UL', value: [metaBytes.length] }, {});
  out.bytes(metaBytes);
  if (opts.deflate) {
    const body = new Bytes();
    writeElements(body, dataset, { ...opts, implicit: false });
    out.bytes(opts.deflate(body.done()));
  } else writeElements(out, dataset, opts);
  return out.done();
}

export interface SyntheticTarget {
  uid: string;
  col: number;
  row: number;
  label?: string;
  console?: [number, number, number];
}

export interface SyntheticView {
  sourceToDetector?: number;
  sourceToSupport?: number;
  angle?: number;
  thickness?: number;
  /** [between rows, between columns] */
  imagerPixelSpacing?: [number, number];
  pixelSpacing?: [number, number];
  role?: string;
  targets?: SyntheticTarget[];
  pixelBytes?: number;
  /** Patient, study, series and instance attributes (written when given). */
  identity?: SyntheticIdentity;
}

export interface SyntheticIdentity {
  sopInstanceUid?: string;
  seriesInstanceUid?: string;
  studyInstanceUid?: string;
  patientId?: string;
  /** Written as UTF-8 with Specific Character Set ISO_IR 192 when not ASCII. */
  patientName?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
}

const IDENTITY_TAGS: [keyof SyntheticIdentity, [number, number], Vr][] = [
  ['sopInstanceUid', [0x0008, 0x0018], 'UI'],
  ['studyDate', [0x0008, 0x0020], 'DA'],
  ['studyTime', [0x0008, 0x0030], 'TM'],
  ['accessionNumber', [0x0008, 0x0050], 'SH'],
  ['referringPhysicianName', [0x0008, 0x0090], 'PN'],
  ['patientName', [0x0010, 0x0010], 'PN'],
  ['patientId', [0x0010, 0x0020], 'LO'],
  ['patientBirthDate', [0x0010, 0x0030], 'DA'],
  ['patientSex', [0x0010, 0x0040], 'CS'],
  ['studyInstanceUid', [0x0020, 0x000d], 'UI'],
  ['seriesInstanceUid', [0x0020, 0x000e], 'UI'],
  ['studyId', [0x0020, 0x0010], 'SH'],
];

const num = (x: number) => {
  // DS: at most 16 characters.
  let s = String(x);
  if (s.length > 16) s = x.toPrecision(12).replace(/\.?0+$/, '');
  return s;
};

/** The data set of one stereotactic image, with a small pixel data element at the end. */
export function stereoDataset(v: SyntheticView): El[] {
  const els: El[] = [
    { tag: [0x0008, 0x0008], vr: 'CS', value: `ORIGINAL\\PRIMARY\\${v.role ?? 'STEREO_PLUS'}` },
    { tag: [0x0008, 0x0016], vr: 'UI', value: MAMMO_SOP },
    { tag: [0x0028, 0x0010], vr: 'US', value: [4] },
    { tag: [0x0028, 0x0011], vr: 'US', value: [4] },
    { tag: [0x7fe0, 0x0010], vr: 'OW', value: new Uint8Array(v.pixelBytes ?? 32).fill(7) },
  ];
  if (v.identity) {
    for (const [key, tag, vr] of IDENTITY_TAGS) {
      const value = v.identity[key];
      if (value !== undefined) els.push({ tag, vr, value });
    }
    if (!/^[\x00-\x7f]*$/.test(Object.values(v.identity).join(''))) els.push({ tag: [0x0008, 0x0005], vr: 'CS', value: 'ISO_IR 192' });
  }
  if (v.sourceToDetector !== undefined) els.push({ tag: [0x0018, 0x1110], vr: 'DS', value: num(v.sourceToDetector) });
  if (v.sourceToSupport !== undefined) els.push({ tag: [0x0018, 0x1111], vr: 'DS', value: num(v.sourceToSupport) });
  if (v.angle !== undefined) els.push({ tag: [0x0018, 0x1510], vr: 'DS', value: num(v.angle) });
  if (v.thickness !== undefined) els.push({ tag: [0x0018, 0x11a0], vr: 'DS', value: num(v.thickness) });
  if (v.imagerPixelSpacing) els.push({ tag: [0x0018, 0x1164], vr: 'DS', value: v.imagerPixelSpacing.map(num).join('\\') });
  if (v.pixelSpacing) els.push({ tag: [0x0028, 0x0030], vr: 'DS', value: v.pixelSpacing.map(num).join('\\') });
  if (v.targets) {
    els.push({
      tag: [0x0018, 0x2041], vr: 'SQ',
      value: v.targets.map((t) => {
        const item: El[] = [
          { tag: [0x0018, 0x2042], vr: 'UI', value: t.uid },
          { tag: [0x0018, 0x2043], vr: 'FL', value: [t.col, t.row] },
        ];
        if (t.console) item.push({ tag: [0x0018, 0x2044], vr: 'FL', value: t.console });
        if (t.label) item.push({ tag: [0x0018, 0x2045], vr: 'LO', value: t.label });
        return item;
      }),
    });
  }
  return els;
}

/** A DICOMDIR (PS3.10 8) with one IMAGE record per file ID, under PATIENT/STUDY/SERIES records. */
export function dicomDir(ids: string[][]): Uint8Array {
  const record = (type: string, extra: El[] = []): El[] => [
    { tag: [0x0004, 0x1400], vr: 'UL', value: [0] }, { tag: [0x0004, 0x1410], vr: 'US', value: [0xffff] },
    { tag: [0x0004, 0x1420], vr: 'UL', value: [0] }, { tag: [0x0004, 0x1430], vr: 'CS', value: type }, ...extra,
  ];
  const records = [record('PATIENT'), record('STUDY'), record('SERIES'),
    ...ids.map((id) => record('IMAGE', [{ tag: [0x0004, 0x1500], vr: 'CS', value: id.join('\\') }]))];
  return writeDicom([
    { tag: [0x0004, 0x1130], vr: 'CS', value: 'STEREOTAX' },
    { tag: [0x0004, 0x1220], vr: 'SQ', value: records },
  ], { sopClass: '1.2.840.10008.1.3.10' });
}

