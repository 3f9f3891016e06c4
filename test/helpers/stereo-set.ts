/**
 * Synthetic stereo sets: a unit, points in the breast, their projections written as
 * DICOM files (test/helpers/dicom-writer.ts) and the targets expected from an
 * independent computation (test/reference/independent.ts) of the marks as stored.
 */
import { refProject, refTriangulate, type P3, type RefGeometry } from '../reference/independent.js';
import { stereoDataset, writeDicom, type SyntheticIdentity, type SyntheticView } from './dicom-writer.js';

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
