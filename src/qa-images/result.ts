/**
 * `qaFromImages` (qa-images.md): decode the views, find every bead, pair the views,
 * label and register the phantom, run the QA session of qa.md on what was found and,
 * with `calibrate`, estimate the unit's miscalibration. Files are bytes: Node and
 * browsers alike (the codecs come from a provider: codecs-node.ts in Node).
 */
import { StereotaxError, type Issue } from '../core/errors.js';
import { hasError, mm, type Finding } from '../core/findings.js';
import { Checker, type Plain } from '../core/validate.js';
import { loadEngine, type Engine, type LoadOptions } from '../engine/engine.js';
import { parseUnitProfile, prefixIssue, type UnitProfile } from '../dicom/profile.js';
import type { DicomFile, StereoImage } from '../dicom/read.js';
import { readStereoSet } from '../dicom/stereo-set.js';
import { SET_AGREEMENT } from '../dicom/stereo-set.js';
import { analyzeSession, type QAResult } from '../qa/analysis.js';
import { checkLimits, parseSession, type QASessionInput } from '../qa/session.js';
import { computeTargeting, parseTargetingRequest, pixelToDetector, type TargetingInput } from '../targeting/targeting.js';
import { calibrate, type Calibration } from './calibrate.js';
import { correspond, type Assignment } from './correspond.js';
import { decodeImage, type Codecs, type ImageFile } from './decode.js';
import { detectBeads, type Detection } from './detect.js';
import { dist3, rigidFit, type V3 } from './linalg.js';
import { checkBeadPhantom, type BeadPhantom } from './phantom.js';
import type { SourceModel } from './projection.js';

export interface QAImagesOptions {
  /** The unit profile of dicom.md section 2. */
  unit: unknown;
  /** A bead phantom (qa-images.md section 1) or the id of a shipped one. */
  phantom: unknown;
  calibrate?: boolean;
  /** What the images do not carry: unit id/name/site, date, tester, kind, tolerances, notes. */
  session?: unknown;
  /** Codecs for JPEG-LS, JPEG 2000 and JPEG baseline (Node: nodeCodecs()). */
  codecs?: Codecs;
  /** The time stamped in qa.meta.analysedAt. */
  analysedAt?: Date;
}

export interface ImageMark { file: string; col: number; row: number; u: number; v: number }
export interface XYZ { x: number; y: number; z: number }

export interface ImageBead {
  target: string | null;
  marks: ImageMark[];
  position: XYZ;
  truth: XYZ | null;
  residual: XYZ | null;
}

export interface QAImagesResult {
  views: { file: string; angle: number; rows: number; columns: number; transferSyntax: string; detections: number }[];
  beads: ImageBead[];
  registration: { rotation: number[][]; translation: number[]; rms: number } | null;
  calibration: Calibration | null;
  qa: QAResult | null;
  findings: Finding[];
}

/** The result and the session built for it (the CLI stores and reports the session). */
export interface QAImagesAnalysis {
  result: QAImagesResult;
  session: QASessionInput | null;
}

/** The unit id a session gets when nothing names the unit (reported, never stored). */
export const UNIDENTIFIED_UNIT = 'unidentified';

const SESSION_FIELDS = ['unit', 'date', 'tester', 'kind', 'tolerance', 'action', 'calculationTolerance', 'notes', 'maxRayGap'];

function asFiles(files: readonly (Uint8Array | DicomFile)[]): DicomFile[] {
  return files.map((f, i) => (f instanceof Uint8Array ? { name: `file ${i + 1}`, bytes: f } : f));
}

function fileIssue(img: { name: string; index: number }, keyword: string, tag: string, code: Issue['code'], expected: string, received: string, detail: string): Issue {
  return { code, path: `files[${img.index}].${keyword}`, expected, received, message: `${img.name}: ${tag} ${keyword} ${detail}` };
}

/** The headers of dicom.md every view needs, one geometry, at least two distinct angles. */
function checkViews(images: readonly StereoImage[], profile: UnitProfile): void {
  const issues: Issue[] = [];
  const missing = (img: StereoImage, kw: string, tag: string, what: string) => issues.push(fileIssue(img, kw, tag, 'missing_field', what, 'nothing', `missing: the stereo set needs ${what}`));
  for (const img of images) {
    if (img.angle === undefined) missing(img, 'PositionerPrimaryAngle', '(0018,1510)', 'the view angle');
    if (img.thickness === undefined) missing(img, 'BodyPartThickness', '(0018,11A0)', 'the compressed thickness');
    if (img.sourceToDetector === undefined && profile.sourceToDetector === undefined) missing(img, 'DistanceSourceToDetector', '(0018,1110)', 'the source-to-detector distance (or sourceToDetector in the unit profile)');
    if (img.sourceToSupport === undefined && profile.sourceToSupport === undefined) missing(img, 'DistanceSourceToPatient', '(0018,1111)', 'the source-to-support distance (or sourceToSupport in the unit profile)');
    if (!img.pixelSpacing && !profile.pixelSpacing) missing(img, 'ImagerPixelSpacing', '(0018,1164)', 'the detector pixel spacing (ImagerPixelSpacing, else PixelSpacing (0028,0030), or pixelSpacing in the unit profile)');
  }
  const fields = [['sourceToDetector', 'DistanceSourceToDetector', '(0018,1110)'], ['sourceToSupport', 'DistanceSourceToPatient', '(0018,1111)'], ['thickness', 'BodyPartThickness', '(0018,11A0)']] as const;
  for (const [field, kw, tag] of fields) {
    if (field !== 'thickness' && profile[field] !== undefined) continue;
    const ref = images.find((i) => i[field] !== undefined);
    for (const img of images) {
      const x = img[field];
      if (ref && x !== undefined && Math.abs(x - ref[field]!) > SET_AGREEMENT) {
        issues.push(fileIssue(img, kw, tag, 'invalid_value', `${ref[field]} mm as in ${ref.name}`, `${x}`, `${x} mm differs from ${ref.name}'s ${ref[field]} mm: the files are not one exposure set`));
      }
    }
  }
  if (issues.length) throw new StereotaxError(issues);
  const angles = images.map((i) => profile.angleSign * i.angle!);
  const distinct = new Set(angles);
  if (distinct.size < 2) {
    throw new StereotaxError([{ code: 'too_few_items', path: 'files', expected: 'views at two or more distinct angles', received: `${images.length} file(s) at ${[...distinct].join(', ')} degrees`,
      message: `${images.map((i) => i.name).join(', ')}: (0018,1510) PositionerPrimaryAngle: fewer than two distinct angles (${[...distinct].join(', ')} degrees): a stereo set needs two or more` }]);
  }
  images.forEach((img, k) => {
    const twin = images.slice(0, k).find((o) => o.angle === img.angle);
    if (twin) throw new StereotaxError([fileIssue(img, 'PositionerPrimaryAngle', '(0018,1510)', 'duplicate_value', `an angle different from ${twin.name}'s`, `${img.angle}`, `${img.angle} degrees, the same as ${twin.name}: every view of a set needs its own angle`)]);
  });
}

function checkSessionExtras(value: unknown): Plain {
  if (value === undefined) return {};
  const c = new Checker();
  const o = c.object(value, ['session'], SESSION_FIELDS);
  // The unit's fields are checked with the session (qa.md); here only its shape, so it can be merged.
  const unit = o?.unit === undefined ? {} : c.object(o.unit, ['session', 'unit'], ['id', 'name', 'site']);
  c.done();
  // Every value checked now, before anything is computed, by the session's own validation
  // on a probe session carrying them (its phantom and measurement are placeholders).
  try {
    parseSession({
      ...o, unit: { id: 'probe', ...unit }, date: o!.date ?? '2000-01-01',
      phantom: { id: 'probe', targets: [{ label: 'p', position: [0, 0, 0] }] }, placement: { origin: [0, 0, 0] }, measurements: [{ target: 'p', console: [0, 0, 0] }],
    });
  } catch (err) {
    if (!(err instanceof StereotaxError)) throw err;
    throw new StereotaxError(err.issues.map((i) => prefixIssue(i, 'session')));
  }
  return o!;
}

function daDate(s: string | undefined): string | undefined {
  const m = s && /^(\d{4})(\d{2})(\d{2})$/.exec(s.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

const xyz = (p: V3): XYZ => ({ x: p[0], y: p[1], z: p[2] });
const arr = (p: XYZ): V3 => [p.x, p.y, p.z];

/** Validates everything, decodes, detects, labels, registers, runs the session (and the calibration). */
export async function analyseImages(files: readonly (Uint8Array | DicomFile)[], options: QAImagesOptions, load: LoadOptions = {}): Promise<QAImagesAnalysis> {
  // 1. Every input checked before anything is computed.
  if (!options || typeof options !== 'object') throw new StereotaxError([{ code: 'invalid_type', path: 'options', expected: 'an object { unit, phantom, ... }', received: typeof options, message: 'options: expected { unit, phantom, calibrate?, session? }' }]);
  const profile = parseUnitProfile(options.unit);
  const c = new Checker();
  const phantom = checkBeadPhantom(c, options.phantom, ['phantom']);
  if (options.calibrate !== undefined && typeof options.calibrate !== 'boolean') c.add('invalid_type', ['calibrate'], 'true or false', options.calibrate);
  c.done();
  const extras = checkSessionExtras(options.session);
  if (!Array.isArray(files) || files.length < 2) {
    throw new StereotaxError([{ code: 'too_few_items', path: 'files', expected: 'the views of one exposure set (two or more files)', received: `${Array.isArray(files) ? files.length : typeof files}`,
      message: `files: a stereo set needs at least two files (views at distinct angles), received ${Array.isArray(files) ? files.length : 'none'}` }]);
  }
  const list = asFiles(files);
  const headers = readStereoSet(list);
  checkViews(headers, profile);
  const decoded: ImageFile[] = [];
  const issues: Issue[] = [];
  for (const [k, f] of list.entries()) {
    try {
      decoded.push(await decodeImage(f, k, options.codecs));
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length) throw new StereotaxError(issues);
  const engine = await loadEngine(load);
  return analyseDecoded(engine, headers, decoded, profile, phantom!, extras, options);
}

export async function qaFromImages(files: readonly (Uint8Array | DicomFile)[], options: QAImagesOptions, load: LoadOptions = {}): Promise<QAImagesResult> {
  return (await analyseImages(files, options, load)).result;
}

interface ViewInfo {
  header: StereoImage;
  image: ImageFile;
  angle: number;
  spacing: { col: number; row: number };
  detections: Detection[];
  uv: { u: number; v: number }[];
}

/** The analysis after decoding (synchronous): what the bench times. */
export function analyseDecoded(engine: Engine, headers: readonly StereoImage[], decoded: readonly ImageFile[], profile: UnitProfile, phantom: BeadPhantom,
  extras: Plain, options: Pick<QAImagesOptions, 'calibrate' | 'analysedAt'>): QAImagesAnalysis {
  const first = headers[0];
  const geometry = {
    sourceToDetector: profile.sourceToDetector ?? first.sourceToDetector!,
    sourceToSupport: profile.sourceToSupport ?? first.sourceToSupport!,
    rotationAxisHeight: profile.rotationAxisHeight,
  };
  const thickness = first.thickness!;
  const model: SourceModel = { sourceToSupport: geometry.sourceToSupport, rotationAxisHeight: geometry.rotationAxisHeight, detectorZ: -(geometry.sourceToDetector - geometry.sourceToSupport) };
  const findings: Finding[] = [];

  // 2. Detection in every view.
  const views: ViewInfo[] = headers.map((h, k) => {
    const spacing = profile.pixelSpacing ?? { col: h.pixelSpacing!.col, row: h.pixelSpacing!.row };
    const zMid = Math.min(Math.max(thickness / 2, 0), geometry.sourceToSupport / 2);
    const magnification = geometry.sourceToDetector / (geometry.sourceToSupport - zMid);
    const beadRadius = (phantom.beads.diameter / 2) * magnification / Math.min(spacing.col, spacing.row);
    const { detections } = detectBeads(decoded[k].image, { beadRadius });
    const cal = { pixelSpacing: spacing, ...profile.detector };
    const uv = detections.map((d) => pixelToDetector(cal, d.col, d.row));
    return { header: h, image: decoded[k], angle: profile.angleSign * h.angle! + 0, spacing, detections, uv }; // + 0: no -0
  });

  // 3. Pairing, labelling, registration hypotheses.
  const targets = phantom.targets.map((t) => t.position as V3);
  const cr = correspond(views.map((v) => ({ angle: v.angle, marks: v.uv })), model, targets);
  const viewsOut = views.map((v) => ({ file: v.header.name, angle: v.angle, rows: v.image.rows, columns: v.image.columns, transferSyntax: v.image.transferSyntax, detections: v.detections.length }));
  const best: Assignment | undefined = cr.best;

  const markOf = (k: number, d: number): ImageMark => ({ file: views[k].header.name, col: views[k].detections[d].col, row: views[k].detections[d].row, u: views[k].uv[d].u, v: views[k].uv[d].v });
  const triangulate = (row: number[]) => {
    const vs = row.map((d, k) => (d >= 0 ? { angle: views[k].angle, u: views[k].uv[d].u, v: views[k].uv[d].v } : undefined)).filter((x): x is { angle: number; u: number; v: number } => !!x);
    const req: Record<string, unknown> = { geometry, thickness, views: vs };
    if (profile.maxRayGap !== undefined) req.maxRayGap = profile.maxRayGap;
    return computeTargeting(engine, parseTargetingRequest(req) as TargetingInput);
  };

  const unexplained = (used: Set<string>) => {
    const out: Finding[] = [];
    views.forEach((v, k) => v.detections.forEach((d, i) => {
      if (used.has(`${k}:${i}`)) return;
      out.push({ code: 'bead_unexplained', severity: 'warning', path: `views[${k}]`,
        message: `${v.header.name}: a bead-like detection at column ${d.col.toFixed(2)}, row ${d.row.toFixed(2)} that no phantom target explains (another object, a foreign body, or a bead of another phantom)` });
    }));
    if (out.length > 50) return [...out.slice(0, 50), { code: 'bead_unexplained', severity: 'warning' as const, message: `and ${out.length - 50} more unexplained detections` }];
    return out;
  };

  if (!best) {
    for (const t of phantom.targets) {
      findings.push({ code: 'bead_missing', severity: 'error', path: `phantom.targets[${phantom.targets.indexOf(t)}]`,
        message: `target ${t.label}: not found: no set of detections in ${views.map((v) => v.header.name).join(' and ')} matches the phantom's geometry (${views.map((v) => `${v.detections.length} detections in ${v.header.name}`).join(', ')})` });
    }
    findings.push(...unexplained(new Set()));
    return { result: { views: viewsOut, beads: [], registration: null, calibration: null, qa: null, findings }, session: null };
  }

  const used = new Set<string>();
  best.marks.forEach((row) => row.forEach((d, k) => { if (d >= 0) used.add(`${k}:${d}`); }));
  const found = best.marks.map((row, t) => ({ t, row, count: row.filter((d) => d >= 0).length })).filter((x) => x.count >= 2);
  for (const [t, row] of best.marks.entries()) {
    const n = row.filter((d) => d >= 0).length;
    if (n >= 2) continue;
    const seen = row.map((d, k) => (d >= 0 ? views[k].header.name : null)).filter(Boolean);
    findings.push({ code: 'bead_missing', severity: 'error', path: `phantom.targets[${t}]`,
      message: `target ${phantom.targets[t].label}: found in ${n} view${n === 1 ? '' : 's'}${n ? ` (${seen.join(', ')})` : ''} of ${views.map((v) => v.header.name).join(', ')}: a bead needs two views to be triangulated` });
  }

  const triangulated = found.map((f) => ({ ...f, result: triangulate(f.row) }));
  const positions = triangulated.map((f) => [f.result.target.x, f.result.target.y, f.result.target.z] as V3);

  if (cr.rival) {
    findings.unshift({ code: 'ambiguous_registration', severity: 'error', path: 'registration',
      message: `two assignments of the detected beads to the phantom's targets fit within twice the best residual (rms ${mm(cr.best!.rms, 3)} and ${mm(cr.rival.rms, 3)}): the phantom looks the same turned; no labels are given. Use a phantom without symmetry or mark one bead.` });
    const beads: ImageBead[] = triangulated.map((f, i) => ({ target: null, marks: f.row.map((d, k) => (d >= 0 ? markOf(k, d) : null)).filter((m): m is ImageMark => !!m), position: xyz(positions[i]), truth: null, residual: null }));
    findings.push(...unexplained(used));
    return { result: { views: viewsOut, beads, registration: null, calibration: null, qa: null, findings }, session: null };
  }

  // 4. Registration over every bead triangulated.
  const lc = new Checker();
  const limits = checkLimits(lc, extras);
  lc.done();
  const tolerance = limits!.tolerance;
  let registration: QAImagesResult['registration'] = null;
  let truths: V3[] = [];
  if (triangulated.length >= 3) {
    const rigid = rigidFit(triangulated.map((f) => targets[f.t]), positions);
    truths = triangulated.map((f) => {
      const p = targets[f.t], R = rigid.rotation;
      return [0, 1, 2].map((i) => R[i][0] * p[0] + R[i][1] * p[1] + R[i][2] * p[2] + rigid.translation[i]) as V3;
    });
    const rms = Math.sqrt(truths.reduce((s, q, i) => s + dist3(positions[i], q) ** 2, 0) / truths.length);
    registration = { rotation: rigid.rotation.map((r) => [...r]), translation: [...rigid.translation], rms };
  } else {
    findings.push({ code: 'bead_missing', severity: 'error', path: 'registration', message: `only ${triangulated.length} beads were found in two views: a rigid registration needs three` });
  }

  const beads: ImageBead[] = triangulated.map((f, i) => {
    const truth = truths[i];
    const residual = truth ? { x: positions[i][0] - truth[0], y: positions[i][1] - truth[1], z: positions[i][2] - truth[2] } : null;
    return { target: phantom.targets[f.t].label, marks: f.row.map((d, k) => (d >= 0 ? markOf(k, d) : null)).filter((m): m is ImageMark => !!m), position: xyz(positions[i]), truth: truth ? xyz(truth) : null, residual };
  });
  findings.push(...residualFindings(beads, tolerance));
  findings.push(...unexplained(used));

  // 5. The QA session of qa.md on what was found.
  let qa: QAResult | null = null;
  let session: QASessionInput | null = null;
  if (registration) {
    const consoleOf = (row: number[]): V3 | undefined => {
      for (const [k, d] of row.entries()) {
        if (d < 0) continue;
        const cal = { pixelSpacing: views[k].spacing, ...profile.detector };
        for (const item of views[k].header.targets ?? []) {
          if (!item.console) continue;
          const p = pixelToDetector(cal, item.col, item.row);
          if (Math.hypot(p.u - views[k].uv[d].u, p.v - views[k].uv[d].v) <= 1) return arr(item.console);
        }
      }
      return undefined;
    };
    const unitExtra = (extras.unit ?? {}) as Plain;
    // A header's station or serial number, made a valid unit id (qa.md: letters, digits, ' ', '.', '_', '-').
    const fromHeader = (x: string | undefined) => x?.replace(/[^A-Za-z0-9._ -]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || undefined;
    let unitId = (unitExtra.id as string | undefined) ?? profile.id ?? fromHeader(decoded[0].deviceSerialNumber) ?? fromHeader(decoded[0].stationName);
    if (unitId === undefined) {
      unitId = UNIDENTIFIED_UNIT;
      findings.push({ code: 'unit_unidentified', severity: 'warning', path: 'profile.id',
        message: `no unit id in the unit profile, --session or the files (DeviceSerialNumber, StationName): the session is reported for "${UNIDENTIFIED_UNIT}" and cannot be stored; give id in the unit profile` });
    }
    let date = (extras.date as string | undefined) ?? daDate(decoded.find((d) => d.studyDate)?.studyDate) ?? daDate(decoded.find((d) => d.acquisitionDate)?.acquisitionDate);
    if (date === undefined) {
      date = (options.analysedAt ?? new Date()).toISOString().slice(0, 10);
      findings.push({ code: 'date_assumed', severity: 'warning', path: 'files[0].StudyDate',
        message: `${decoded[0].name}: (0008,0020) StudyDate missing (and no AcquisitionDate): the session is dated ${date}, the day of the analysis, and cannot be stored; give date in --session` });
    }
    const request: Record<string, unknown> = {
      unit: { ...unitExtra, id: unitId, geometry },
      date,
      phantom: { id: phantom.id, name: phantom.name, source: phantom.source, targets: triangulated.map((f, i) => ({ label: phantom.targets[f.t].label, position: truths[i] })) },
      placement: { origin: [0, 0, 0] },
      thickness,
      measurements: triangulated.map((f, i) => {
        const m: Record<string, unknown> = { target: phantom.targets[f.t].label, targetMarks: beads[i].marks.map((mk, j) => ({ angle: views[f.row.map((d, k) => (d >= 0 ? k : -1)).filter((k) => k >= 0)[j]].angle, u: mk.u, v: mk.v })) };
        const cons = consoleOf(f.row);
        if (cons) m.console = cons;
        return m;
      }),
    };
    for (const k of ['tester', 'kind', 'tolerance', 'action', 'calculationTolerance', 'notes', 'maxRayGap'] as const) if (extras[k] !== undefined) request[k] = extras[k];
    if (request.maxRayGap === undefined && profile.maxRayGap !== undefined) request.maxRayGap = profile.maxRayGap;
    try {
      session = parseSession(request);
    } catch (err) {
      if (!(err instanceof StereotaxError)) throw err;
      throw new StereotaxError(err.issues.map((i) => prefixIssue(i, 'session')));
    }
    qa = analyzeSession(engine, session, { analysedAt: options.analysedAt });
  }

  // 6. Calibration.
  let calibration: Calibration | null = null;
  if (options.calibrate) {
    if (!registration) {
      findings.push({ code: 'calibration_underdetermined', severity: 'error', path: 'calibration', message: 'no registration: the calibration needs at least 6 beads found in two or more views, not all in one plane' });
    } else {
      const marks = triangulated.flatMap((f, b) => f.row.map((d, k) => (d >= 0 ? { view: k, bead: b, u: views[k].uv[d].u, v: views[k].uv[d].v } : null)).filter((m): m is NonNullable<typeof m> => !!m));
      const out = calibrate({ model, angles: views.map((v) => v.angle), beads: truths, phantomPositions: triangulated.map((f) => targets[f.t]), marks });
      if (out.ok) {
        calibration = out.calibration;
        if (out.degenerate) {
          findings.push({ code: 'calibration_degenerate', severity: 'warning', path: 'calibration',
            message: `the views (${views.map((v) => v.angle).join(', ')} degrees) leave one combination of the angle offsets, source distance and rotation-axis height undetermined (with a symmetric pair, every axis height has angles and a radius that put both sources where they are): the estimates are the member nearest the believed geometry and their sigmas are large; the scenario still reproduces the sources. Add a view at another angle (a scout) to separate them.` });
        }
      }
      else findings.push({ code: 'calibration_underdetermined', severity: 'error', path: 'calibration', message: `the calibration is not determined: ${out.reason}` });
    }
  }

  return { result: { views: viewsOut, beads, registration, calibration, qa, findings }, session };
}

/** registration_residual: a bead's residual above the session's tolerance on an axis (exactly at it passes). */
export function residualFindings(beads: readonly ImageBead[], tolerance: { x: number; y: number; z: number }): Finding[] {
  const out: Finding[] = [];
  beads.forEach((b, i) => {
    if (!b.residual) return;
    for (const a of ['x', 'y', 'z'] as const) {
      const r = b.residual[a];
      if (Math.abs(r) > tolerance[a]) {
        out.push({ code: 'registration_residual', severity: 'error', path: `beads[${i}].residual.${a}`, value: Math.abs(r), limit: tolerance[a],
          message: `target ${b.target}: the triangulated bead lies ${mm(r, 2)} in ${a} from the registered phantom (tolerance ${mm(tolerance[a], 2)}): the unit's geometry does not reproduce the phantom` });
      }
    }
  });
  return out;
}

/** Exit status of the contract: 3 when any error finding (ours or the session's). */
export function imagesPassed(r: QAImagesResult): boolean {
  return !hasError(r.findings) && (r.qa?.passed ?? false);
}
