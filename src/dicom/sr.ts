/**
 * The second opinion written back as one DICOM Comprehensive SR instance (spec dicom.md
 * section 4), a Part 10 file in Explicit VR Little Endian written with dcmjs. Bytes out,
 * no file system: runs in Node and in browsers.
 *
 * Content tree (PS3.3 C.17.3, relationships all CONTAINS):
 *   CONTAINER (126000, DCM, "Imaging Measurement Report")
 *     CONTAINER (T1, 99STEREOTAX, "Biopsy target")   one per target, in the order of the result
 *       TEXT "Target UID", TEXT "Target label" (when the files give one)
 *       NUM "Target x|y|z", "Depth from skin", "Ray gap", "Console difference x|y|z" (console stored), in UCUM mm
 *       TEXT "Finding" per finding ("code: message"); a target that could not be computed has its error here
 */
import { version as PACKAGE_VERSION } from '../../package.json';
import { StereotaxError, type Issue } from '../core/errors.js';
import { isAscii } from './charset.js';
import { memorySource, parseDicomFile, type DataSet, type Element } from './parse.js';
import { fileIssue, type ImageIdentity, type StereoImage } from './read.js';
import type { DicomElement } from './stereo-set.js';
import type { Keyword } from './tags.js';

/**
 * The part of dcmjs the writer uses. Passed in, not imported: dcmjs is an optional peer, imported
 * by sr-dcmjs.ts in Node and handed in with useDcmjs by a page (the browser build never names it).
 */
export interface DcmjsModule {
  data: {
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(ds: unknown): unknown };
  };
}

export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** The private coding scheme of the concepts DICOM has no code for (spec section 4). */
export const SCHEME = '99STEREOTAX';

type Code = { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string };
const code = (value: string, scheme: string, meaning: string): Code => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });

/** Concept names: the root from DICOM's own codes, the rest in 99STEREOTAX (values ours, meanings the spec's). */
export const SR_CONCEPTS = {
  report: code('126000', 'DCM', 'Imaging Measurement Report'),
  target: code('T1', SCHEME, 'Biopsy target'),
  targetUid: code('T2', SCHEME, 'Target UID'),
  targetLabel: code('T3', SCHEME, 'Target label'),
  targetX: code('T4', SCHEME, 'Target x'),
  targetY: code('T5', SCHEME, 'Target y'),
  targetZ: code('T6', SCHEME, 'Target z'),
  depthFromSkin: code('T7', SCHEME, 'Depth from skin'),
  rayGap: code('T8', SCHEME, 'Ray gap'),
  consoleDifferenceX: code('T9', SCHEME, 'Console difference x'),
  consoleDifferenceY: code('T10', SCHEME, 'Console difference y'),
  consoleDifferenceZ: code('T11', SCHEME, 'Console difference z'),
  finding: code('T12', SCHEME, 'Finding'),
} as const;

const MM = code('mm', 'UCUM', 'mm');

export interface SrOptions {
  /** SoftwareVersions (0018,1020): default the stereotax version. */
  softwareVersion?: string;
  /** Content, series and instance creation date and time (local time, as DICOM dates are); default now. */
  now?: Date;
  /** A new UID (default: a UUID-derived 2.25 UID, PS3.5 B.2). */
  newUid?: () => string;
}

/** A UID under 2.25 from a random UUID (PS3.5 B.2): unique without a registered root. */
export function uuidUid(): string {
  const hex = globalThis.crypto.randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/** A decimal string (DS) of at most 16 characters, to 1e-6 mm; never -0, never NaN (results are finite). */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  for (let digits = 6; digits >= 0; digits--) {
    const s = String(Number(x.toFixed(digits)) + 0);
    if (s.length <= 16 && !/e/.test(s)) return s;
  }
  return x.toPrecision(10);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dicomDate = (d: Date) => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
const dicomTime = (d: Date) => `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;

type Item = Record<string, unknown>;

const text = (concept: Code, value: string): Item => ({ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: [concept], TextValue: value });
const num = (concept: Code, value: number): Item => ({
  RelationshipType: 'CONTAINS', ValueType: 'NUM', ConceptNameCodeSequence: [concept],
  MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [MM], NumericValue: decimalString(value) }],
});

/** The largest ray gap: two views have one, three or more the gap of every pair. */
function rayGapOf(e: Exclude<DicomElement, { error: unknown }>): number | undefined {
  if (e.rayGap !== undefined) return e.rayGap;
  const gaps = (e.pairwiseRayGaps ?? []).map((p) => p.gap);
  return gaps.length ? Math.max(...gaps) : undefined;
}

function targetContainer(e: DicomElement): Item {
  const items: Item[] = [text(SR_CONCEPTS.targetUid, e.dicom.targetUid)];
  if (e.dicom.label) items.push(text(SR_CONCEPTS.targetLabel, e.dicom.label));
  if ('error' in e) {
    items.push(text(SR_CONCEPTS.finding, `${e.error.code}: ${e.error.message}`));
  } else {
    items.push(num(SR_CONCEPTS.targetX, e.target.x), num(SR_CONCEPTS.targetY, e.target.y), num(SR_CONCEPTS.targetZ, e.target.z),
      num(SR_CONCEPTS.depthFromSkin, e.depthFromSkin));
    const gap = rayGapOf(e);
    if (gap !== undefined) items.push(num(SR_CONCEPTS.rayGap, gap));
    const d = e.dicom.consoleDifference;
    if (d) items.push(num(SR_CONCEPTS.consoleDifferenceX, d.x), num(SR_CONCEPTS.consoleDifferenceY, d.y), num(SR_CONCEPTS.consoleDifferenceZ, d.z));
    for (const f of e.findings) items.push(text(SR_CONCEPTS.finding, `${f.code}: ${f.message}`));
  }
  return { RelationshipType: 'CONTAINS', ValueType: 'CONTAINER', ContinuityOfContent: 'SEPARATE', ConceptNameCodeSequence: [SR_CONCEPTS.target], ContentSequence: items };
}

const REQUIRED: [keyof ImageIdentity, Keyword, string][] = [
  ['sopClassUid', 'SOPClassUID', 'to reference the image in the evidence'],
  ['sopInstanceUid', 'SOPInstanceUID', 'to reference the image in the evidence'],
];

/**
 * What the report needs from the images: every SOP Class and Instance UID (the report
 * references every image), and one patient: files of two PatientIDs are refused, never
 * merged into one report. Study and series UIDs are used where present (docs/dicom.md).
 */
function checkIdentities(images: readonly StereoImage[]): void {
  const issues: Issue[] = [];
  for (const img of images) {
    for (const [key, kw, why] of REQUIRED) {
      if (!img.identity[key]) issues.push(fileIssue('missing_field', img, kw, `a ${kw} ${why}`, 'nothing', `missing: the Structured Report needs it ${why}`));
    }
  }
  const first = images.find((img) => img.identity.patientId !== undefined);
  for (const img of images) {
    const id = img.identity.patientId;
    if (first && id !== undefined && id !== first.identity.patientId) {
      issues.push(fileIssue('invalid_value', img, 'PatientID', `${first.identity.patientId} as in ${first.name}`, JSON.stringify(id),
        `${JSON.stringify(id)} differs from ${first.name}'s ${JSON.stringify(first.identity.patientId)}: the files are not of one patient; no report is written`));
    }
  }
  if (issues.length) throw new StereotaxError(issues);
}

/**
 * CurrentRequestedProcedureEvidenceSequence: every image once, grouped by study, then
 * series, in the order given. An image without a study is in the report's study; one
 * without a series in one series UID made for them (PS3.3 requires both in a reference).
 */
function evidence(images: readonly StereoImage[], reportStudy: string, newUid: () => string): Item[] {
  const studies = new Map<string, Map<string, Map<string, string>>>();
  let madeSeries: string | undefined;
  for (const { identity: id } of images) {
    const study = id.studyInstanceUid ?? reportStudy;
    let series = studies.get(study);
    if (!series) studies.set(study, (series = new Map()));
    const seriesUid = id.seriesInstanceUid ?? (madeSeries ??= newUid());
    let sops = series.get(seriesUid);
    if (!sops) series.set(seriesUid, (sops = new Map()));
    sops.set(id.sopInstanceUid!, id.sopClassUid!);
  }
  return [...studies].map(([study, series]) => ({
    StudyInstanceUID: study,
    ReferencedSeriesSequence: [...series].map(([uid, sops]) => ({
      SeriesInstanceUID: uid,
      ReferencedSOPSequence: [...sops].map(([instance, cls]) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: instance })),
    })),
  }));
}

/**
 * The second opinion of a stereo set as a Comprehensive SR Part 10 file. `images` are
 * the set's headers (readStereoSet), `elements` the result (dicomTargetsWith). Throws
 * StereotaxError when an image lacks its SOP Class or Instance UID or the images are of two patients.
 */
export function secondOpinionSRWith(dcmjs: DcmjsModule, images: readonly StereoImage[], elements: readonly DicomElement[], options: SrOptions = {}): Uint8Array {
  if (!images.length) throw new StereotaxError([{ code: 'too_few_items', path: 'files', expected: 'the images of the stereo set', received: '0', message: 'files: the report needs the images it is about' }]);
  checkIdentities(images);
  const now = options.now ?? new Date();
  const softwareVersion = options.softwareVersion ?? PACKAGE_VERSION;
  const newUid = options.newUid ?? uuidUid;
  const id = images[0].identity;
  const sopInstanceUid = newUid();
  const seriesInstanceUid = newUid();
  // The images' study (the first file's, else any file's); a new one only when none has a study.
  const studyInstanceUid = id.studyInstanceUid ?? images.find((i) => i.identity.studyInstanceUid)?.identity.studyInstanceUid ?? newUid();
  const ds: Item = {
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    // Patient module (type 2 attributes present, empty where the images have none).
    PatientName: id.patientName ?? '',
    PatientID: id.patientId ?? '',
    PatientBirthDate: id.patientBirthDate ?? '',
    PatientSex: id.patientSex ?? '',
    // General Study module: the images' study.
    StudyInstanceUID: studyInstanceUid,
    StudyDate: id.studyDate ?? '',
    StudyTime: id.studyTime ?? '',
    ReferringPhysicianName: id.referringPhysicianName ?? '',
    StudyID: id.studyId ?? '',
    AccessionNumber: id.accessionNumber ?? '',
    // SR Document Series module: a new series.
    Modality: 'SR',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: '901',
    SeriesDate: dicomDate(now),
    SeriesTime: dicomTime(now),
    SeriesDescription: 'stereotax second opinion',
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment module.
    Manufacturer: 'stereotax',
    SoftwareVersions: softwareVersion,
    // SR Document General module.
    InstanceNumber: '1',
    ContentDate: dicomDate(now),
    ContentTime: dicomTime(now),
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence(images, studyInstanceUid, newUid),
    CodingSchemeIdentificationSequence: [{
      CodingSchemeDesignator: SCHEME, CodingSchemeName: 'stereotax second opinion concepts', CodingSchemeResponsibleOrganization: 'stereotax',
    }],
    // SR Document Content module: the root container.
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [SR_CONCEPTS.report],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: elements.map(targetContainer),
  };
  // dcmjs encodes every string as UTF-8: ISO_IR 192 when some text is not ASCII (then re-encoded as
  // Latin-1, ISO_IR 100, when every character has a Latin-1 byte: readers such as dcmtk's VR checker
  // handle it, and it is what most consoles write).
  const ascii = isAscii(JSON.stringify(ds));
  if (!ascii) ds.SpecificCharacterSet = 'ISO_IR 192';
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: COMPREHENSIVE_SR,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: STEREOTAX_IMPLEMENTATION_UID,
    ImplementationVersionName: `STEREOTAX_${softwareVersion}`.slice(0, 16),
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  const bytes = new Uint8Array(dict.write());
  return ascii ? bytes : (asLatin1(bytes) ?? bytes);
}

/** The text VRs Specific Character Set applies to (PS3.5 6.1.2.3). */
const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);
const LONG_LENGTH = new Set(['UC', 'UT']);

/**
 * The file re-encoded from UTF-8 to Latin-1 (ISO_IR 100), or undefined when some
 * character has no Latin-1 byte. dcmjs writes every sequence and item with undefined
 * length, so only each changed element's own length field changes.
 */
function asLatin1(bytes: Uint8Array): Uint8Array | undefined {
  const edits: { at: number; end: number; header: number; long: boolean; value: Uint8Array }[] = [];
  let charset: Element | undefined;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const visit = (ds: DataSet) => {
    for (const el of Object.values(ds.elements)) {
      if (el.tag === 'x00080005') charset = el;
      for (const item of el.items ?? []) visit(item);
      if (!el.vr || !TEXT_VRS.has(el.vr) || !el.value || isAscii(latin1Text(el.value))) continue;
      const text = utf8.decode(el.value).replace(/ +$/, '');
      if ([...text].some((c) => c.charCodeAt(0) > 0xff)) throw new RangeError('not Latin-1');
      const value = Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
      const padded = value.length % 2 ? Uint8Array.from([...value, 0x20]) : value;
      if (el.undefinedLength) throw new RangeError('an undefined-length text');
      edits.push({ at: el.offset - (LONG_LENGTH.has(el.vr) ? 4 : 2), end: el.offset + el.length, header: el.offset, long: LONG_LENGTH.has(el.vr), value: padded });
    }
  };
  try {
    const parsed = parseDicomFile(memorySource(bytes));
    visit(parsed.dataSet);
  } catch {
    return undefined; // keep UTF-8 (ISO_IR 192): always correct
  }
  if (!charset?.value) return undefined;
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const e of edits.sort((a, b) => a.at - b.at)) {
    parts.push(bytes.subarray(from, e.at));
    const len = new Uint8Array(e.long ? 4 : 2);
    if (e.long) new DataView(len.buffer).setUint32(0, e.value.length, true);
    else new DataView(len.buffer).setUint16(0, e.value.length, true);
    parts.push(len, e.value);
    from = e.end;
  }
  parts.push(bytes.subarray(from));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  // "ISO_IR 192" and "ISO_IR 100" have the same length: the value is rewritten in place (offsets before any edit are unchanged).
  const shift = edits.filter((e) => e.at < charset!.offset).reduce((n, e) => n + e.value.length - (e.end - e.header), 0);
  out.set(new TextEncoder().encode('ISO_IR 100'), charset.offset + shift);
  return out;
}

function latin1Text(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Implementation Class UID (0002,0012): fixed for stereotax, derived once from a UUID (PS3.5 B.2). */
export const STEREOTAX_IMPLEMENTATION_UID = '2.25.207128516357138719829547542094342613201';
