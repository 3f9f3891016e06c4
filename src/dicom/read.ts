/**
 * Reads the headers of one stereotactic image (spec dicom.md section 1) with the
 * header reader of parse.ts, stopping before Pixel Data: the pixels are never read.
 * Explicit, Implicit and Deflated Explicit VR Little Endian headers (and encapsulated
 * transfer syntaxes, whose headers are explicit VR little endian). No Node APIs.
 */
import { StereotaxError, formatPath, type Issue, type IssueCode } from '../core/errors.js';
import { toVec3, type Tuple3 } from '../core/vec3.js';
import { textDecoder } from './charset.js';
import { DataSet, DicomFormatError, memorySource, parseDicomFile, type ByteSource } from './parse.js';
import { TAGS, UNSUPPORTED_TRANSFER_SYNTAXES, keywordOf, tagName, tagNumber, type Keyword } from './tags.js';

/**
 * One file of a set: the name messages use (the path given on the command line) and
 * its bytes, or a source of its bytes read on demand (only the header is read).
 */
export type DicomFile = { name: string; bytes: Uint8Array } | { name: string; source: ByteSource };

export interface DicomTargetMark {
  /** Target UID (0018,2042): pairs the marks of one target across the views. */
  uid: string;
  /** Target Label (0018,2045), when given. */
  label?: string;
  /** Localizing Cursor Position (0018,2043): column, row; 0\0 the top-left corner of the top-left pixel. */
  col: number;
  row: number;
  /** Calculated Target Position (0018,2044) stored by the console, mm in the frame, when given. */
  console?: { x: number; y: number; z: number };
  /** The item's index in the Biopsy Target Sequence. */
  item: number;
  /** Referenced Frame Number (0008,1160) of the item, in a multi-frame image: the frame (view) it marks. */
  frame?: number;
}

/**
 * Who and what the image is (patient, study, series, instance): copied into the second
 * opinion's Structured Report (dicom.md section 4). Text decoded by Specific Character Set.
 */
export interface ImageIdentity {
  sopClassUid?: string;
  sopInstanceUid?: string;
  seriesInstanceUid?: string;
  studyInstanceUid?: string;
  patientId?: string;
  patientName?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
}

/** What one image says; a field is absent when its tag is. */
export interface StereoImage {
  name: string;
  /** Position in the list of files given. */
  index: number;
  transferSyntax: string;
  /** Image Type (0008,0008) value 3, e.g. STEREO_PLUS. */
  role?: string;
  sourceToDetector?: number;
  sourceToSupport?: number;
  /** Positioner Primary Angle (0018,1510), degrees, as stored (the unit profile's angleSign turns it into the frame's). */
  angle?: number;
  thickness?: number;
  /** Detector pixel spacing: Imager Pixel Spacing (0018,1164), else Pixel Spacing (0028,0030). */
  pixelSpacing?: { col: number; row: number; from: 'ImagerPixelSpacing' | 'PixelSpacing' };
  /** Absent when the file has no Biopsy Target Sequence. */
  targets?: DicomTargetMark[];
  identity: ImageIdentity;
  /** The frame (1, 2, ...) of a multi-frame image this view is. */
  frame?: number;
}

/** An issue about one file: the path is `files[i]` (and the keyword), the message names the file and the tag. */
export function fileIssue(code: IssueCode, file: { name: string; index: number }, keyword: Keyword | undefined, expected: string, received: string, detail: string): Issue {
  const path = formatPath(keyword ? ['files', file.index, keyword] : ['files', file.index]);
  const tag = keyword ? ` ${tagName(keyword)}` : '';
  return { code, path, expected, received, message: `${file.name}:${tag} ${detail}` };
}

export function fail(code: IssueCode, file: { name: string; index: number }, keyword: Keyword | undefined, expected: string, received: string, detail: string): never {
  throw new StereotaxError([fileIssue(code, file, keyword, expected, received, detail)]);
}

function sourceOf(f: DicomFile, file: { name: string; index: number }): ByteSource {
  if ('source' in f && f.source && typeof f.source.read === 'function' && Number.isSafeInteger(f.source.size)) return f.source;
  const bytes = (f as { bytes?: unknown }).bytes;
  if (!(bytes instanceof Uint8Array)) fail('invalid_type', file, undefined, 'the bytes of a DICOM file (Uint8Array)', typeof bytes, 'expected the file\'s bytes as a Uint8Array');
  return memorySource(bytes);
}

/** Parses one file's headers up to Pixel Data; throws StereotaxError naming the file (and the tag). */
export function parseHeaders(f: DicomFile, index: number): DataSet {
  const file = { name: f.name, index };
  const src = sourceOf(f, file);
  let parsed;
  try {
    parsed = parseDicomFile(src);
  } catch (err) {
    if (!(err instanceof DicomFormatError)) throw err;
    const kw = err.tag ? keywordOf(err.tag) : undefined;
    const detail = kw && err.message.startsWith(tagNumber(err.tag!)) ? err.message.slice(tagNumber(err.tag!).length + 1) : err.message;
    fail(err.kind === 'too_large' ? 'input_too_large' : 'invalid_value', file, kw, 'a complete, well-formed DICOM Part 10 file', `${src.size} bytes`, detail);
  }
  const syntax = parsed.transferSyntax;
  if (!syntax) fail('missing_field', file, 'TransferSyntaxUID', 'a transfer syntax', 'nothing', 'missing: the file meta information must name the transfer syntax');
  if (UNSUPPORTED_TRANSFER_SYNTAXES[syntax]) {
    fail('invalid_value', file, 'TransferSyntaxUID', 'Explicit or Implicit VR Little Endian', syntax,
      `${UNSUPPORTED_TRANSFER_SYNTAXES[syntax]} (${syntax}) is not read; convert the file to Explicit or Implicit VR Little Endian`);
  }
  return parsed.dataSet;
}

const DECIMAL_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal string value (DS): strictly numeric, else invalid input naming the tag. */
export function decimal(ds: DataSet, keyword: Keyword, file: { name: string; index: number }, index = 0, where = ''): number | undefined {
  const el = ds.elements[TAGS[keyword]];
  if (!el || el.length === 0) return undefined;
  if (!el.value) fail('invalid_value', file, keyword, 'a decimal number', `${el.length} bytes`, `${where}is ${el.length} bytes long, not a decimal string`);
  const text = ds.string(TAGS[keyword])?.split('\\')[index]?.trim();
  // A decimal string (PS3.5 6.2): digits, an optional point and exponent; never hex, never "Infinity".
  const x = text !== undefined && DECIMAL_STRING.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(x)) {
    fail('invalid_value', file, keyword, 'a decimal number', JSON.stringify(text ?? ''), `${where}value ${index + 1} is not a number: ${JSON.stringify(text ?? '')}`);
  }
  return x;
}

/** FL values (32-bit floats): `count` of them, else invalid input. */
function floats(ds: DataSet, keyword: Keyword, file: { name: string; index: number }, count: number, where: string): number[] | undefined {
  const el = ds.elements[TAGS[keyword]];
  if (!el) return undefined;
  if (!el.value || el.value.length < 4 * count) {
    fail('invalid_value', file, keyword, `${count} FL values (${4 * count} bytes)`, `${el.length} bytes`, `${where}has ${el.length} bytes, expected ${count} 32-bit floats`);
  }
  const out = Array.from({ length: count }, (_, k) => ds.float(TAGS[keyword], k)!);
  if (!out.every(Number.isFinite)) fail('not_finite', file, keyword, 'finite numbers', out.join('\\'), `${where}is not finite: ${out.join('\\')}`);
  return out;
}

function readTargets(ds: DataSet, file: { name: string; index: number }, decode: (b: Uint8Array) => string): DicomTargetMark[] | undefined {
  const seq = ds.elements[TAGS.BiopsyTargetSequence];
  if (!seq) return undefined;
  return (seq.items ?? []).map((it, k) => {
    const where = `item ${k + 1} of the Biopsy Target Sequence: `;
    const uid = it?.string(TAGS.TargetUID)?.replace(/\0+$/, '').trim();
    if (!it || !uid) fail('missing_field', file, 'TargetUID', 'a Target UID in every Biopsy Target Sequence item', 'nothing', `missing in ${where.slice(0, -2)}`);
    const cursor = floats(it, 'LocalizingCursorPosition', file, 2, where);
    if (!cursor) fail('missing_field', file, 'LocalizingCursorPosition', 'the mark (column\\row) of every target', 'nothing', `missing in ${where.slice(0, -2)} (Target UID ${uid})`);
    const mark: DicomTargetMark = { uid, col: cursor[0], row: cursor[1], item: k };
    const frame = decimal(it, 'ReferencedFrameNumber', file, 0, where);
    if (frame !== undefined) {
      if (!Number.isInteger(frame) || frame < 1) fail('invalid_value', file, 'ReferencedFrameNumber', 'a frame number (1, 2, ...)', String(frame), `${where}${frame} is not a frame number`);
      mark.frame = frame;
    }
    const raw = it.elements[TAGS.TargetLabel]?.value;
    const label = raw && decode(raw).replace(/[\0 ]+$/, '').trim();
    if (label) mark.label = label;
    const c = floats(it, 'CalculatedTargetPosition', file, 3, where);
    if (c) mark.console = toVec3(c as Tuple3);
    return mark;
  });
}

const IDENTITY: [keyof ImageIdentity, Keyword, Keyword?][] = [
  ['sopClassUid', 'SOPClassUID', 'MediaStorageSOPClassUID'],
  ['sopInstanceUid', 'SOPInstanceUID', 'MediaStorageSOPInstanceUID'],
  ['seriesInstanceUid', 'SeriesInstanceUID'],
  ['studyInstanceUid', 'StudyInstanceUID'],
  ['patientId', 'PatientID'],
  ['patientName', 'PatientName'],
  ['patientBirthDate', 'PatientBirthDate'],
  ['patientSex', 'PatientSex'],
  ['studyDate', 'StudyDate'],
  ['studyTime', 'StudyTime'],
  ['studyId', 'StudyID'],
  ['accessionNumber', 'AccessionNumber'],
  ['referringPhysicianName', 'ReferringPhysicianName'],
];

/** The identity attributes present (UIDs without their padding; text without trailing spaces); the meta header stands in for the SOP UIDs. */
function readIdentity(ds: DataSet): ImageIdentity {
  const decode = textDecoder(ds.string(TAGS.SpecificCharacterSet));
  const out: ImageIdentity = {};
  for (const [key, kw, fallback] of IDENTITY) {
    for (const k of fallback ? [kw, fallback] : [kw]) {
      const el = ds.elements[TAGS[k]];
      if (!el?.value?.length) continue;
      const text = decode(el.value).replace(/[\0 ]+$/, '').replace(/^ +/, '');
      if (text) {
        out[key] = text;
        break;
      }
    }
  }
  return out;
}

/** Reads one file's headers (never its pixels) as one view; throws StereotaxError naming the file and the tag. */
export function readStereoImage(f: DicomFile, index = 0): StereoImage {
  return readView(parseHeaders(f, index), f, index);
}

/** A functional group's item (PS3.3 C.7.6.16): the frame's own first, then the shared one. */
export function functionalGroup(frame: DataSet | undefined, shared: DataSet | undefined, sequence: Keyword): DataSet | undefined {
  return frame?.item(TAGS[sequence]) ?? shared?.item(TAGS[sequence]);
}

/**
 * Every view a file holds: one for an image of one frame; one per frame for an enhanced
 * multi-frame image (Breast Projection X-Ray, Enhanced DX/MG, a tomosynthesis projection
 * set) whose functional groups carry a Positioner Position Sequence (0018,9405).
 * A frame's angle comes from its Positioner Position, its distances from its X-Ray
 * Geometry (0018,9476), its pixel spacing from Imager Pixel Spacing or its Pixel Measures,
 * each the frame's own group first, then the shared group, then the top-level attribute.
 * Its marks are the Biopsy Target Sequence items in its per-frame group, or top-level
 * items whose Referenced Frame Number (0008,1160) names it. Views are named "FILE frame N".
 */
export function readStereoViews(f: DicomFile, index = 0): StereoImage[] {
  const ds = parseHeaders(f, index);
  const base = readView(ds, f, index);
  const perFrame = ds.elements[TAGS.PerFrameFunctionalGroupsSequence]?.items ?? [];
  const shared = ds.item(TAGS.SharedFunctionalGroupsSequence);
  const positioned = perFrame.some((fr) => functionalGroup(fr, shared, 'PositionerPositionSequence'));
  if (!perFrame.length || !positioned) return [base];
  const file = { name: f.name, index };
  const loose = (base.targets ?? []).filter((t) => t.frame === undefined);
  if (loose.length) {
    fail('missing_field', file, 'ReferencedFrameNumber', 'the frame each Biopsy Target Sequence item marks', 'nothing',
      `missing in item ${loose[0].item + 1} of the Biopsy Target Sequence (Target UID ${loose[0].uid}): the file holds ${perFrame.length} frames, each a view`);
  }
  const beyond = (base.targets ?? []).find((t) => t.frame! > perFrame.length);
  if (beyond) {
    fail('invalid_value', file, 'ReferencedFrameNumber', `a frame from 1 to ${perFrame.length}`, String(beyond.frame),
      `item ${beyond.item + 1} of the Biopsy Target Sequence names frame ${beyond.frame}, the file holds ${perFrame.length}`);
  }
  return perFrame.map((fr, k) => {
    const where = `frame ${k + 1}: `;
    const view: StereoImage = { ...base, name: `${f.name} frame ${k + 1}`, frame: k + 1 };
    delete view.targets;
    const angle = decimal(functionalGroup(fr, shared, 'PositionerPositionSequence') ?? new DataSet(), 'PositionerPrimaryAngle', file, 0, where);
    if (angle !== undefined) view.angle = angle;
    const geometry = functionalGroup(fr, shared, 'XRayGeometrySequence');
    if (geometry) {
      const sid = decimal(geometry, 'DistanceSourceToDetector', file, 0, where);
      const ssd = decimal(geometry, 'DistanceSourceToPatient', file, 0, where);
      if (sid !== undefined) view.sourceToDetector = sid;
      if (ssd !== undefined) view.sourceToSupport = ssd;
    }
    const measures = functionalGroup(fr, shared, 'PixelMeasuresSequence');
    if (base.pixelSpacing?.from !== 'ImagerPixelSpacing' && measures?.elements[TAGS.PixelSpacing]) {
      view.pixelSpacing = { row: decimal(measures, 'PixelSpacing', file, 0, where)!, col: decimal(measures, 'PixelSpacing', file, 1, where)!, from: 'PixelSpacing' };
    }
    const own = readTargets(fr, file, textDecoder(ds.string(TAGS.SpecificCharacterSet)));
    const marks = [...(own ?? []), ...(base.targets ?? []).filter((t) => t.frame === k + 1)];
    if (own || marks.length) view.targets = marks;
    return view;
  });
}

function readView(ds: DataSet, f: DicomFile, index: number): StereoImage {
  const file = { name: f.name, index };
  const img: StereoImage = { name: f.name, index, transferSyntax: ds.string(TAGS.TransferSyntaxUID)!.replace(/\0+$/, ''), identity: readIdentity(ds) };
  const role = ds.string(TAGS.ImageType, 2)?.trim();
  if (role) img.role = role;
  const set = <K extends 'sourceToDetector' | 'sourceToSupport' | 'angle' | 'thickness'>(key: K, kw: Keyword) => {
    const x = decimal(ds, kw, file);
    if (x !== undefined) img[key] = x;
  };
  set('sourceToDetector', 'DistanceSourceToDetector');
  set('sourceToSupport', 'DistanceSourceToPatient');
  set('angle', 'PositionerPrimaryAngle');
  set('thickness', 'BodyPartThickness');
  for (const kw of ['ImagerPixelSpacing', 'PixelSpacing'] as const) {
    const row = decimal(ds, kw, file, 0);
    if (row === undefined) continue;
    // A missing second value reads as "" and fails as not a number, naming the tag.
    const col = decimal(ds, kw, file, 1)!;
    img.pixelSpacing = { col, row, from: kw };
    break;
  }
  const targets = readTargets(ds, file, textDecoder(ds.string(TAGS.SpecificCharacterSet)));
  if (targets) img.targets = targets;
  return img;
}
