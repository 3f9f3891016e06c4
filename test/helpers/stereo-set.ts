/**
 * Synthetic stereo sets: a unit, points in the breast, their projections written as
 * DICOM files (test/helpers/dicom-writer.ts) and the targets expected from an
 * independent computation (test/reference/independent.ts) of the marks as stored.
 */
import { refProject, refTriangulate, type P3, type RefGeometry } from '../reference/independent.js';
import { stereoDataset, writeDicom, type El, type SyntheticIdentity, type SyntheticView } from './dicom-writer.js';

export interface SetPoint {
  uid: string;
  p: P3;
  label?: string;
  /** The console's stored position = p + this offset (mm). */
  consoleOffset?: P3;
  /** Indices of the views that mark it (default: all). */
  on?: number[];
}

export interface SetSpec {
  geometry: RefGeometry;
  thickness: number;
  /** Frame angles (degrees, + with the source on the +x side). */
  angles: number[];
  angleSign: 1 | -1;
  origin: { col: number; row: number };
  colAxis: '+x' | '-x';
  rowAxis: '+y' | '-y';
  /** [between rows, between columns] */
  spacing: [number, number];
  points: SetPoint[];
  implicit?: boolean;
  undefinedLength?: boolean;
  deflate?: (bytes: Uint8Array) => Uint8Array;
  /** Leave Media Storage SOP Instance UID out of every file's meta header. */
  noMetaInstance?: boolean;
  /** Patient and study of every view (default: one patient, one study); series and instance UIDs are per view. */
  identity?: SyntheticIdentity;
  /** Per view: header changes (a field set to undefined is left out of the file). */
  edit?: (view: SyntheticView, k: number) => SyntheticView;
}

export interface Expected {
  uid: string;
  target: P3;
  files: string[];
  console: P3 | null;
}

export function makeSet(s: SetSpec) {
  const sc = s.colAxis === '+x' ? 1 : -1;
  const sr = s.rowAxis === '+y' ? 1 : -1;
  const [spRow, spCol] = s.spacing;
  const names = s.angles.map((a, k) => `view${k}_${a}.dcm`);
  const stored: { col: number; row: number }[][] = s.angles.map(() => []);
  const views: SyntheticView[] = s.angles.map((angle, k) => {
    const targets = s.points.filter((pt) => !pt.on || pt.on.includes(k)).map((pt) => {
      const { u, v } = refProject(s.geometry, angle, pt.p);
      const col = Math.fround(s.origin.col + (sc * u) / spCol);
      const row = Math.fround(s.origin.row + (sr * v) / spRow);
      stored[k].push({ col, row });
      return {
        uid: pt.uid, col, row, label: pt.label,
        console: pt.consoleOffset ? (pt.p.map((x, i) => x + pt.consoleOffset![i]) as [number, number, number]) : undefined,
      };
    });
    const view: SyntheticView = {
      sourceToDetector: s.geometry.sourceToDetector, sourceToSupport: s.geometry.sourceToSupport,
      angle: s.angleSign * angle, thickness: s.thickness, imagerPixelSpacing: s.spacing,
      role: angle === 0 ? 'STEREO_SCOUT' : angle > 0 ? 'STEREO_PLUS' : 'STEREO_MINUS', targets,
      // The scout in a series of its own, the stereo views in another, as consoles store them.
      identity: { ...DEFAULT_IDENTITY, seriesInstanceUid: angle === 0 ? '2.25.5550' : '2.25.5551', sopInstanceUid: `2.25.666${k}`, ...s.identity },
    };
    return s.edit ? s.edit(view, k) : view;
  });
  const files = views.map((v, k) => ({ name: names[k], bytes: writeDicom(stereoDataset(v), { implicit: s.implicit, undefinedLength: s.undefinedLength, deflate: s.deflate, noMetaInstance: s.noMetaInstance }) }));
  const profile = {
    id: 'synthetic', rotationAxisHeight: s.geometry.rotationAxisHeight, angleSign: s.angleSign,
    detector: { origin: s.origin, colAxis: s.colAxis, rowAxis: s.rowAxis },
  };
  const expected: Expected[] = s.points.filter((pt) => (pt.on ?? s.angles).length >= 2).map((pt) => {
    const ks = s.angles.map((_, k) => k).filter((k) => !pt.on || pt.on.includes(k));
    const marks = ks.map((k) => {
      const m = stored[k][s.points.filter((q) => !q.on || q.on.includes(k)).indexOf(pt)];
      return { angle: s.angles[k], u: sc * (m.col - s.origin.col) * spCol, v: sr * (m.row - s.origin.row) * spRow };
    });
    const console = pt.consoleOffset ? (pt.p.map((x, i) => Math.fround(x + pt.consoleOffset![i])) as P3) : null;
    return { uid: pt.uid, target: refTriangulate(s.geometry, marks), files: ks.map((k) => names[k]), console };
  });
  return { files, profile, expected, names };
}

export const DEFAULT_IDENTITY: SyntheticIdentity = {
  patientId: 'PID-0042', patientName: 'Doe^Jane', patientBirthDate: '19700101', patientSex: 'F',
  studyInstanceUid: '2.25.4440', studyDate: '20261207', studyTime: '091500', studyId: 'S1', accessionNumber: 'ACC-7', referringPhysicianName: 'Who^Dr',
};

export const UNIT: RefGeometry = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };

export function baseSpec(over: Partial<SetSpec> = {}): SetSpec {
  return {
    geometry: UNIT, thickness: 45, angles: [15, -15], angleSign: 1,
    origin: { col: 1024, row: 0 }, colAxis: '+x', rowAxis: '+y', spacing: [0.1, 0.1],
    points: [
      { uid: '2.25.1001', p: [4, 30, 20], label: 'A', consoleOffset: [0.01, -0.02, 0.03] },
      { uid: '2.25.1002', p: [-12.5, 41.25, 8], label: 'B' },
      { uid: '2.25.1003', p: [20, 12, 33.3], consoleOffset: [0, 0, 0] },
    ],
    ...over,
  };
}

// Enhanced multi-frame files (Breast Projection X-Ray): the views of a set as frames.
const BREAST_PROJECTION_FOR_PROCESSING = '1.2.840.10008.5.1.4.1.1.13.1.5';
const dsList = (xs: number[]) => xs.map((x) => String(+x.toPrecision(12))).join('\\');

/** The synthetic views makeSet writes (one per angle), captured through its edit hook. */
export function viewsOf(spec: SetSpec): SyntheticView[] {
  const out: SyntheticView[] = [];
  makeSet({ ...spec, edit: (v, k) => ((out[k] = v), v) });
  return out;
}

export interface MultiOptions {
  /** Marks in each frame's functional group (default) or at the top level with Referenced Frame Number. */
  marks?: 'perFrame' | 'topLevel';
  /** Distances in each frame's group instead of the shared one. */
  perFrameGeometry?: boolean;
  /** Leave the angle out of this frame (1-based). */
  noAngleOn?: number;
  /** Top-level items' frame numbers replaced by this (an invalid one). */
  frameNumber?: string;
  implicit?: boolean;
}

const targetItems = (v: SyntheticView, frame?: number | string): El[][] => (v.targets ?? []).map((t) => {
  const item: El[] = [{ tag: [0x0018, 0x2042], vr: 'UI', value: t.uid }, { tag: [0x0018, 0x2043], vr: 'FL', value: [t.col, t.row] }];
  if (t.console) item.push({ tag: [0x0018, 0x2044], vr: 'FL', value: t.console });
  if (t.label) item.push({ tag: [0x0018, 0x2045], vr: 'LO', value: t.label });
  if (frame !== undefined) item.push({ tag: [0x0008, 0x1160], vr: 'IS', value: String(frame) });
  return item;
});

/** One Breast Projection X-Ray file whose frames are the given views. */
export function multiFrame(views: SyntheticView[], o: MultiOptions = {}): Uint8Array {
  const v0 = views[0];
  const geometry = (v: SyntheticView): El => ({ tag: [0x0018, 0x9476], vr: 'SQ', value: [[
    { tag: [0x0018, 0x1110], vr: 'DS', value: dsList([v.sourceToDetector!]) },
    { tag: [0x0018, 0x1111], vr: 'DS', value: dsList([v.sourceToSupport!]) },
    { tag: [0x0018, 0x1130], vr: 'DS', value: '1.03' },
  ]] });
  const shared: El[] = [{ tag: [0x0028, 0x9110], vr: 'SQ', value: [[{ tag: [0x0028, 0x0030], vr: 'DS', value: dsList(v0.imagerPixelSpacing!) }]] }];
  if (!o.perFrameGeometry) shared.push(geometry(v0));
  const perFrame = views.map((v, k) => {
    const item: El[] = [{ tag: [0x0020, 0x9111], vr: 'SQ', value: [[{ tag: [0x0020, 0x9157], vr: 'UL', value: [k + 1] }]] }];
    if (o.noAngleOn !== k + 1) item.push({ tag: [0x0018, 0x9405], vr: 'SQ', value: [[{ tag: [0x0018, 0x1510], vr: 'DS', value: dsList([v.angle!]) }]] });
    if (o.perFrameGeometry) item.push(geometry(v));
    if ((o.marks ?? 'perFrame') === 'perFrame' && v.targets?.length) item.push({ tag: [0x0018, 0x2041], vr: 'SQ', value: targetItems(v) });
    return item;
  });
  const top: El[] = [
    { tag: [0x0008, 0x0008], vr: 'CS', value: 'ORIGINAL\\PRIMARY\\STEREO' },
    { tag: [0x0008, 0x0016], vr: 'UI', value: BREAST_PROJECTION_FOR_PROCESSING },
    { tag: [0x0008, 0x0018], vr: 'UI', value: '2.25.8880' },
    { tag: [0x0018, 0x11a0], vr: 'DS', value: dsList([v0.thickness!]) },
    { tag: [0x0020, 0x000d], vr: 'UI', value: '2.25.4440' },
    { tag: [0x0020, 0x000e], vr: 'UI', value: '2.25.5552' },
    { tag: [0x0028, 0x0008], vr: 'IS', value: String(views.length) },
    { tag: [0x5200, 0x9229], vr: 'SQ', value: [shared] },
    { tag: [0x5200, 0x9230], vr: 'SQ', value: perFrame },
    { tag: [0x7fe0, 0x0010], vr: 'OW', value: new Uint8Array(views.length * 32).fill(5) },
  ];
  if (o.marks === 'topLevel') top.push({ tag: [0x0018, 0x2041], vr: 'SQ', value: views.flatMap((v, k) => targetItems(v, o.frameNumber ?? k + 1)) });
  return writeDicom(top, { implicit: o.implicit, sopClass: BREAST_PROJECTION_FOR_PROCESSING });
}

