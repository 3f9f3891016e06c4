/**
 * A stereo set (spec dicom.md): the files' headers and the unit profile become one
 * targeting request per Target UID marked on two or more files; each is computed by
 * the targeting engine and set beside the console's stored Calculated Target Position.
 */
import { StereotaxError, formatPath, type Issue } from '../core/errors.js';
import { mm, type Finding } from '../core/findings.js';
import { loadEngine, type Engine, type LoadOptions } from '../engine/engine.js';
import type { Vec3 } from '../targeting/geometry.js';
import { computeTargeting, parseTargetingRequest, pixelToDetector, MIN_ANGLE_SEPARATION, type TargetingResult } from '../targeting/targeting.js';
import { parseUnitProfile, prefixIssue, type UnitProfile } from './profile.js';
import { fileIssue, readStereoViews, type DicomFile, type DicomTargetMark, type StereoImage } from './read.js';
import type { Keyword } from './tags.js';

/** Files of one set must agree on distances and thickness to within this (mm). */
export const SET_AGREEMENT = 0.01;

export interface DicomBlock {
  targetUid: string;
  label: string | null;
  /** The files that marked the target, as given, in the order of the views. */
  files: string[];
  /** The console's Calculated Target Position (first file that stores one), or null. */
  console: Vec3 | null;
  /** console - target, or null. */
  consoleDifference: Vec3 | null;
}

export type DicomTargetResult = TargetingResult & { dicom: DicomBlock };

export interface DicomErrorElement {
  error: { code: string; message: string; path: string; expected: string; received: string };
  dicom: Pick<DicomBlock, 'targetUid' | 'label' | 'files'>;
}

export type DicomElement = DicomTargetResult | DicomErrorElement;

/** One target's request, before computing. */
export interface DicomTargetRequest {
  dicom: Pick<DicomBlock, 'targetUid' | 'label' | 'files' | 'console'>;
  /** A targeting request (targeting.md section 4) in detector millimetres. */
  request: Record<string, unknown>;
}

/** Reads every file; throws one StereotaxError with the issues of all of them. */
export function readStereoSet(files: readonly DicomFile[]): StereoImage[] {
  const issues: Issue[] = [];
  const images: StereoImage[] = [];
  files.forEach((f, i) => {
    try {
      images.push(...readStereoViews(f, i));
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      issues.push(...err.issues);
    }
  });
  if (issues.length) throw new StereotaxError(issues);
  return images;
}

type SetField = 'sourceToDetector' | 'sourceToSupport' | 'thickness';
const SET_FIELDS: [SetField, Keyword][] = [
  ['sourceToDetector', 'DistanceSourceToDetector'],
  ['sourceToSupport', 'DistanceSourceToPatient'],
  ['thickness', 'BodyPartThickness'],
];

/** Required tags present (unless the profile overrides them), one geometry, distinct angles. */
function checkSet(images: readonly StereoImage[], profile: UnitProfile): void {
  const issues: Issue[] = [];
  const missing = (img: StereoImage, kw: Keyword, what: string) =>
    issues.push(fileIssue('missing_field', img, kw, what, 'nothing', `missing: the stereo set needs ${what}`));
  for (const img of images) {
    if (img.angle === undefined) missing(img, 'PositionerPrimaryAngle', 'the view angle');
    if (img.thickness === undefined) missing(img, 'BodyPartThickness', 'the compressed thickness');
    if (img.sourceToDetector === undefined && profile.sourceToDetector === undefined) missing(img, 'DistanceSourceToDetector', 'the source-to-detector distance (or sourceToDetector in the unit profile)');
    if (img.sourceToSupport === undefined && profile.sourceToSupport === undefined) missing(img, 'DistanceSourceToPatient', 'the source-to-support distance (or sourceToSupport in the unit profile)');
    if (!img.pixelSpacing && !profile.pixelSpacing) missing(img, 'ImagerPixelSpacing', 'the detector pixel spacing (ImagerPixelSpacing, else PixelSpacing (0028,0030), or pixelSpacing in the unit profile)');
  }
  for (const [field, kw] of SET_FIELDS) {
    if (field !== 'thickness' && profile[field as 'sourceToDetector' | 'sourceToSupport'] !== undefined) continue;
    const ref = images.find((img) => img[field] !== undefined);
    for (const img of images) {
      const x = img[field];
      if (ref && x !== undefined && Math.abs(x - ref[field]!) > SET_AGREEMENT) {
        issues.push(fileIssue('invalid_value', img, kw, `${ref[field]} mm as in ${ref.name} (within ${SET_AGREEMENT} mm)`, `${x}`,
          `${x} mm differs from ${ref.name}'s ${ref[field]} mm by more than ${SET_AGREEMENT} mm: the files are not one stereo set`));
      }
    }
  }
  images.forEach((img, k) => {
    const twin = images.slice(0, k).find((o) => o.angle !== undefined && img.angle !== undefined && Math.abs(o.angle - img.angle) < MIN_ANGLE_SEPARATION);
    if (twin) {
      issues.push(fileIssue('duplicate_value', img, 'PositionerPrimaryAngle', `an angle different from ${twin.name}'s`, `${img.angle}`,
        `${img.angle} degrees, the same as ${twin.name}: the views of a stereo set need distinct angles`));
    }
  });
  if (!issues.length && !images.some((img) => img.targets?.length)) {
    issues.push({ code: 'missing_field', path: 'files', expected: 'a Biopsy Target Sequence in at least two files', received: 'nothing',
      message: `${images.map((i) => i.name).join(', ')}: (0018,2041) BiopsyTargetSequence missing or empty in every file: no target is marked` });
  }
  if (issues.length) throw new StereotaxError(issues);
}

interface Group { uid: string; marks: { img: StereoImage; mark: DicomTargetMark }[] }

function groupByUid(images: readonly StereoImage[]): Group[] {
  const groups = new Map<string, Group>();
  for (const img of images) {
    for (const mark of img.targets ?? []) {
      let g = groups.get(mark.uid);
      if (!g) groups.set(mark.uid, (g = { uid: mark.uid, marks: [] }));
      g.marks.push({ img, mark });
    }
  }
  return [...groups.values()];
}

function errorElement(issue: Issue, dicom: DicomErrorElement['dicom']): DicomErrorElement {
  const { code, message, path, expected, received } = issue;
  return { error: { code, message, path, expected, received }, dicom };
}

/**
 * The targeting request of every Target UID, in order of first appearance; a UID that
 * cannot make a request (marked on one file only, twice on one file) is an error
 * element in its place. Throws StereotaxError when the set itself is invalid.
 */
export function buildStereoRequests(images: readonly StereoImage[], profile: UnitProfile): (DicomTargetRequest | DicomErrorElement)[] {
  checkSet(images, profile);
  const first = images[0];
  const geometry = {
    sourceToDetector: profile.sourceToDetector ?? first.sourceToDetector!,
    sourceToSupport: profile.sourceToSupport ?? first.sourceToSupport!,
    rotationAxisHeight: profile.rotationAxisHeight,
  };
  return groupByUid(images).map(({ uid, marks }) => {
    const label = marks.find((m) => m.mark.label !== undefined)?.mark.label ?? null;
    const files = marks.map((m) => m.img.name);
    const at = (m: (typeof marks)[number]) => ['files', m.img.index, 'BiopsyTargetSequence', m.mark.item, 'TargetUID'];
    const dup = marks.find((m, k) => marks.slice(0, k).some((o) => o.img === m.img));
    if (dup) {
      return errorElement({ code: 'duplicate_value', path: formatPath(at(dup)), expected: 'one mark per file for each Target UID', received: uid,
        message: `${dup.img.name}: (0018,2042) TargetUID ${uid} is marked twice in the Biopsy Target Sequence (items ${marks.filter((m) => m.img === dup.img).map((m) => m.mark.item + 1).join(' and ')})` }, { targetUid: uid, label, files });
    }
    if (marks.length < 2) {
      return errorElement({ code: 'too_few_items', path: formatPath(at(marks[0])), expected: 'the target marked on at least two views', received: `one view (${files[0]})`,
        message: `${files[0]}: (0018,2042) TargetUID ${uid}${label ? ` (${label})` : ''} is marked on this file only: a target needs marks on at least two views` }, { targetUid: uid, label, files });
    }
    const views = marks.map(({ img, mark }) => {
      const cal = { pixelSpacing: profile.pixelSpacing ?? img.pixelSpacing!, ...profile.detector };
      return { angle: profile.angleSign * img.angle!, ...pixelToDetector(cal, mark.col, mark.row) };
    });
    const request: Record<string, unknown> = { geometry, thickness: first.thickness!, views };
    for (const k of ['imageSigma', 'maxRayGap', 'needle'] as const) if (profile[k] !== undefined) request[k] = profile[k];
    const console = marks.find((m) => m.mark.console)?.mark.console ?? null;
    return { dicom: { targetUid: uid, label, files, console }, request };
  });
}

function consoleFindings(d: DicomBlock, tolerance: number): Finding[] {
  if (!d.consoleDifference) return [];
  const diff = d.consoleDifference;
  const axis = (['x', 'y', 'z'] as const).reduce((a, b) => (Math.abs(diff[b]) > Math.abs(diff[a]) ? b : a));
  if (!(Math.abs(diff[axis]) > tolerance)) return [];
  return [{
    code: 'console_disagrees',
    severity: 'error',
    message: `the console's Calculated Target Position differs from the exact solution from the same marks by ${mm(diff[axis], 3)} in ${axis} (tolerance ${mm(tolerance, 3)}): check the unit's calibration and the unit profile before firing.`,
    path: `dicom.consoleDifference.${axis}`,
    value: diff[axis],
    limit: tolerance,
  }];
}

/** Computes one built request; an invalid one becomes an error element naming the target and its files. */
function computeOne(engine: Engine, t: DicomTargetRequest, tolerance: number): DicomElement {
  let result: TargetingResult;
  try {
    result = computeTargeting(engine, parseTargetingRequest(t.request));
  } catch (err) {
    if (!(err instanceof StereotaxError)) throw err;
    const issue = prefixIssue(err.issues[0], `targets[${JSON.stringify(t.dicom.targetUid)}]`);
    issue.message = `Target UID ${t.dicom.targetUid} (files ${t.dicom.files.join(', ')}): ${err.issues[0].message}`;
    return errorElement(issue, { targetUid: t.dicom.targetUid, label: t.dicom.label, files: t.dicom.files });
  }
  const c = t.dicom.console;
  const dicom: DicomBlock = {
    ...t.dicom,
    consoleDifference: c ? { x: c.x - result.target.x, y: c.y - result.target.y, z: c.z - result.target.z } : null,
  };
  const { findings, ...rest } = result;
  return { ...rest, dicom, findings: [...findings, ...consoleFindings(dicom, tolerance)] };
}

function asFiles(files: readonly (Uint8Array | DicomFile)[]): DicomFile[] {
  return files.map((f, i) => (f instanceof Uint8Array ? { name: `file ${i + 1}`, bytes: f } : f));
}

/**
 * Every target of a stereo set with an engine already loaded (synchronous). `files`
 * are the files' bytes (named "file 1", "file 2", ... in messages) or `{ name, bytes }`.
 * Throws StereotaxError for an invalid profile or set; per-target problems are error elements.
 */
export function dicomTargetsWith(engine: Engine, files: readonly (Uint8Array | DicomFile)[], profile: unknown): DicomElement[] {
  return dicomSecondOpinionWith(engine, files, profile).elements;
}

/** A stereo set's headers and its targets: what the Structured Report (secondOpinionSR) is written from. */
export interface SecondOpinion {
  images: StereoImage[];
  elements: DicomElement[];
}

/** As dicomTargetsWith, also returning the images' headers (for secondOpinionSR). */
export function dicomSecondOpinionWith(engine: Engine, files: readonly (Uint8Array | DicomFile)[], profile: unknown): SecondOpinion {
  parseUnitProfile(profile);
  // One file may hold the whole set (the frames of a multi-frame image): the views are counted once read.
  if (!files.length) atLeastTwo(0, []);
  return secondOpinionOfImages(engine, readStereoSet(asFiles(files)), profile);
}

function atLeastTwo(n: number, names: readonly string[]): void {
  if (n >= 2) return;
  throw new StereotaxError([{ code: 'too_few_items', path: 'files', expected: 'at least two files (the views of a stereo set)', received: `${n}`,
    message: `${names.length ? `${names.join(', ')}: ` : 'files: '}a stereo set needs at least two files (or two frames of a multi-frame image), received ${n}` }]);
}

/** As dicomSecondOpinionWith, from headers already read (readStereoSet, or a group of groupStereoSets). */
export function secondOpinionOfImages(engine: Engine, images: readonly StereoImage[], profile: unknown): SecondOpinion {
  const p = parseUnitProfile(profile);
  atLeastTwo(images.length, images.map((i) => i.name));
  const built = buildStereoRequests(images, p);
  return { images: [...images], elements: built.map((t) => ('error' in t ? t : computeOne(engine, t, p.consoleTolerance))) };
}

/** Every target of a stereo set (loads the engine on first use). Works in browsers: bytes in, no file system. */
export async function dicomTargets(files: readonly (Uint8Array | DicomFile)[], profile: unknown, options: LoadOptions = {}): Promise<DicomElement[]> {
  parseUnitProfile(profile); // invalid input is reported before the engine loads
  return dicomTargetsWith(await loadEngine(options), files, profile);
}
