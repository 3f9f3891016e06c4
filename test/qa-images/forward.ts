/**
 * An independent forward model of a stereotactic phantom exposure (shares no code with
 * src/): spherical beads of a strongly attenuating material seen from a point source
 * onto the stationary detector, each pixel supersampled (ss x ss rays through the
 * pixel), a background with a gradient, an optional step edge, Gaussian noise, written
 * as stored values in MONOCHROME1 or MONOCHROME2. The truth it returns is where the ray
 * from the (true) source through each bead centre meets the detector.
 */
import { mulberry32 } from '../helpers/random.js';

export type P3 = [number, number, number];

export interface Unit {
  sourceToDetector: number;
  sourceToSupport: number;
  rotationAxisHeight: number;
}

export interface Profile {
  id?: string;
  rotationAxisHeight: number;
  angleSign: 1 | -1;
  detector: { origin: { col: number; row: number }; colAxis: '+x' | '-x'; rowAxis: '+y' | '-y' };
  pixelSpacing?: { col: number; row: number };
}

export interface Pose {
  /** Turn about z (degrees), then a tilt of `tilt` degrees about the horizontal axis at `tiltAxis` degrees from x. */
  turn: number;
  tilt: number;
  tiltAxis: number;
  translation: P3;
}

export interface Miscalibration {
  angle: number[];
  sourceToSupport: number;
  rotationAxisHeight: number;
}

export interface ImageStyle {
  columns: number;
  rows: number;
  /** [between rows, between columns] mm. */
  spacing: [number, number];
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  bitsStored: number;
  signed?: boolean;
  background: number;
  /** Stored-value change per pixel along columns and rows. */
  gradient: [number, number];
  /** Peak bead contrast in stored values (a bead fully attenuating gives this). */
  contrast: number;
  /** Attenuation of the bead material, 1/mm (high: the bead saturates). */
  mu: number;
  noise: number;
  /** A straight step edge through (edgeCol, rows/2), turned edgeAngle degrees from the column direction: the side of larger col is raised by edgeStep (partial pixels by their covered fraction). */
  edgeCol?: number;
  edgeStep?: number;
  edgeAngle?: number;
  supersample: number;
  rescale?: { slope: number; intercept: number };
}

const RAD = Math.PI / 180;

export function gauss(r: () => number): number {
  const u = Math.max(r(), 1e-12), v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Rotation matrix of a pose: tilt(axis) * turn(z). */
export function poseMatrix(p: Pose): number[][] {
  const c = Math.cos(p.turn * RAD), s = Math.sin(p.turn * RAD);
  const Rz = [[c, -s, 0], [s, c, 0], [0, 0, 1]];
  const ax = [Math.cos(p.tiltAxis * RAD), Math.sin(p.tiltAxis * RAD), 0];
  const t = p.tilt * RAD, ct = Math.cos(t), st = Math.sin(t), C = 1 - ct;
  const [x, y, z] = ax;
  const Rt = [
    [ct + x * x * C, x * y * C - z * st, x * z * C + y * st],
    [y * x * C + z * st, ct + y * y * C, y * z * C - x * st],
    [z * x * C - y * st, z * y * C + x * st, ct + z * z * C],
  ];
  return Rt.map((row) => [0, 1, 2].map((j) => row[0] * Rz[0][j] + row[1] * Rz[1][j] + row[2] * Rz[2][j]));
}

export function placeTargets(positions: P3[], pose: Pose): P3[] {
  const R = poseMatrix(pose);
  return positions.map((p) => [0, 1, 2].map((i) => R[i][0] * p[0] + R[i][1] * p[1] + R[i][2] * p[2] + pose.translation[i]) as P3);
}

export function sourceAt(unit: Unit, mis: { sourceToSupport: number; rotationAxisHeight: number }, angle: number): P3 {
  const h = unit.rotationAxisHeight + mis.rotationAxisHeight;
  const R = unit.sourceToSupport + mis.sourceToSupport - h;
  return [R * Math.sin(angle * RAD), 0, h + R * Math.cos(angle * RAD)];
}

/** Detector (u, v) -> (col, row) through the profile (inverse of dicom.md section 2). */
export function toPixel(profile: Profile, spacing: [number, number], u: number, v: number): [number, number] {
  const sc = profile.pixelSpacing?.col ?? spacing[1], sr = profile.pixelSpacing?.row ?? spacing[0];
  const col = profile.detector.origin.col + (profile.detector.colAxis === '+x' ? 1 : -1) * (u / sc);
  const row = profile.detector.origin.row + (profile.detector.rowAxis === '+y' ? 1 : -1) * (v / sr);
  return [col, row];
}

export function toDetector(profile: Profile, spacing: [number, number], col: number, row: number): [number, number] {
  const sc = profile.pixelSpacing?.col ?? spacing[1], sr = profile.pixelSpacing?.row ?? spacing[0];
  return [(profile.detector.colAxis === '+x' ? 1 : -1) * (col - profile.detector.origin.col) * sc, (profile.detector.rowAxis === '+y' ? 1 : -1) * (row - profile.detector.origin.row) * sr];
}

export interface RenderedView {
  /** Frame angle (the unit's belief), the DICOM angle is angleSign times it. */
  angle: number;
  pixels: Int32Array;
  /** Truth marks in the order of the beads: col, row (LocalizingCursorPosition) and u, v mm. */
  marks: { col: number; row: number; u: number; v: number; visible: boolean }[];
}

export function renderView(unit: Unit, mis: Miscalibration, k: number, angle: number, profile: Profile, style: ImageStyle,
  centres: P3[], diameter: number, seed: number): RenderedView {
  const { columns: W, rows: H } = style;
  const S = sourceAt(unit, mis, angle + (mis.angle[k] ?? 0));
  const zd = -(unit.sourceToDetector - unit.sourceToSupport);
  const sign = style.photometric === 'MONOCHROME2' ? 1 : -1;
  const img = new Float64Array(W * H);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      let v = style.background + style.gradient[0] * (c - W / 2) + style.gradient[1] * (r - H / 2);
      img[r * W + c] = v;
    }
  }
  if (style.edgeCol !== undefined) {
    const a = ((style.edgeAngle ?? 0) * Math.PI) / 180;
    const nx = Math.cos(a), ny = -Math.sin(a); // normal of the edge line
    const c0 = nx * style.edgeCol + ny * (H / 2);
    const ess = 8;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const d = nx * (c + 0.5) + ny * (r + 0.5) - c0;
        if (d > 1) { img[r * W + c] += style.edgeStep ?? 0; continue; }
        if (d < -1) continue;
        let n = 0;
        for (let i = 0; i < ess; i++) for (let j = 0; j < ess; j++) if (nx * (c + (j + 0.5) / ess) + ny * (r + (i + 0.5) / ess) > c0) n++;
        img[r * W + c] += ((style.edgeStep ?? 0) * n) / (ess * ess);
      }
    }
  }
  const rad = diameter / 2;
  const ss = style.supersample;
  const marks: RenderedView['marks'] = [];
  for (const C of centres) {
    const t = (zd - S[2]) / (C[2] - S[2]);
    const u = S[0] + t * (C[0] - S[0]), v = S[1] + t * (C[1] - S[1]);
    const [col, row] = toPixel(profile, style.spacing, u, v);
    const mag = (S[2] - zd) / (S[2] - C[2]);
    const rpx = (rad * mag * 1.05) / Math.min(style.spacing[0], style.spacing[1]) + 2;
    const visible = col - rpx > 0 && row - rpx > 0 && col + rpx < W && row + rpx < H;
    marks.push({ col, row, u, v, visible });
    for (let pr = Math.floor(row - rpx); pr <= Math.ceil(row + rpx); pr++) {
      if (pr < 0 || pr >= H) continue;
      for (let pc = Math.floor(col - rpx); pc <= Math.ceil(col + rpx); pc++) {
        if (pc < 0 || pc >= W) continue;
        let acc = 0;
        for (let a = 0; a < ss; a++) {
          for (let b = 0; b < ss; b++) {
            const [du, dv] = toDetector(profile, style.spacing, pc + (b + 0.5) / ss, pr + (a + 0.5) / ss);
            const d = [du - S[0], dv - S[1], zd - S[2]];
            const n = Math.hypot(d[0], d[1], d[2]);
            const w = [C[0] - S[0], C[1] - S[1], C[2] - S[2]];
            const along = (w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / n;
            const q = w[0] * w[0] + w[1] * w[1] + w[2] * w[2] - along * along;
            if (q < rad * rad) acc += 1 - Math.exp(-style.mu * 2 * Math.sqrt(rad * rad - q));
          }
        }
        img[pr * W + pc] += sign * style.contrast * acc / (ss * ss);
      }
    }
  }
  const r = mulberry32(seed);
  const pixels = new Int32Array(W * H);
  const lo = style.signed ? -(2 ** (style.bitsStored - 1)) : 0, hi = style.signed ? 2 ** (style.bitsStored - 1) - 1 : 2 ** style.bitsStored - 1;
  const slope = style.rescale?.slope ?? 1, icpt = style.rescale?.intercept ?? 0;
  for (let i = 0; i < W * H; i++) {
    // img is in output (rescaled) units; stored = (value - intercept) / slope.
    const val = (img[i] + (style.noise ? style.noise * gauss(r) : 0) - icpt) / slope;
    pixels[i] = Math.max(lo, Math.min(hi, Math.round(val)));
  }
  return { angle, pixels, marks };
}
