/**
 * Central projection of the stereotactic unit (targeting.md section 2): a point seen
 * from the focal spot S(angle) onto the stationary detector plane, and the
 * least-squares intersection of back-projected rays. The detector plane is given on
 * its own so that the calibration can move the source (sourceToSupport and
 * rotationAxisHeight offsets) while the detector stays where it is (simulation.md section 2).
 */
import type { V3 } from './linalg.js';

export interface SourceModel {
  /** The focal spot's distance above the support at 0 degrees. */
  sourceToSupport: number;
  rotationAxisHeight: number;
  /** z of the detector's image plane (-(sourceToDetector - sourceToSupport) of the believed geometry). */
  detectorZ: number;
}

const RAD = Math.PI / 180;

export function source(m: SourceModel, angle: number): V3 {
  const r = m.sourceToSupport - m.rotationAxisHeight;
  const a = angle * RAD;
  return [r * Math.sin(a), 0, m.rotationAxisHeight + r * Math.cos(a)];
}

/** Where the ray from the source through P meets the detector plane: [u, v] (NaN when P is not between source and detector's side). */
export function project(m: SourceModel, angle: number, P: V3): [number, number] {
  const S = source(m, angle);
  const t = (m.detectorZ - S[2]) / (P[2] - S[2]);
  return [S[0] + t * (P[0] - S[0]), S[1] + t * (P[1] - S[1])];
}

export interface Ray {
  origin: V3;
  /** Unit direction. */
  dir: V3;
}

export function rayOf(m: SourceModel, angle: number, u: number, v: number): Ray {
  const S = source(m, angle);
  const d: V3 = [u - S[0], v - S[1], m.detectorZ - S[2]];
  const n = Math.hypot(d[0], d[1], d[2]);
  return { origin: S, dir: [d[0] / n, d[1] / n, d[2] / n] };
}

/** The point minimising the summed squared perpendicular distances to the rays; undefined for (near) parallel rays. */
export function intersectRays(rays: readonly Ray[]): V3 | undefined {
  const A = [0, 0, 0, 0, 0, 0]; // xx xy xz yy yz zz of sum (I - d d^T)
  const b = [0, 0, 0];
  for (const { origin: o, dir: d } of rays) {
    const m = [1 - d[0] * d[0], -d[0] * d[1], -d[0] * d[2], 1 - d[1] * d[1], -d[1] * d[2], 1 - d[2] * d[2]];
    for (let k = 0; k < 6; k++) A[k] += m[k];
    b[0] += m[0] * o[0] + m[1] * o[1] + m[2] * o[2];
    b[1] += m[1] * o[0] + m[3] * o[1] + m[4] * o[2];
    b[2] += m[2] * o[0] + m[4] * o[1] + m[5] * o[2];
  }
  const [a, bb, c, d, e, f] = A;
  const det = a * (d * f - e * e) - bb * (bb * f - c * e) + c * (bb * e - c * d);
  if (!(Math.abs(det) > 1e-12)) return undefined;
  const i00 = d * f - e * e, i01 = c * e - bb * f, i02 = bb * e - c * d;
  const i11 = a * f - c * c, i12 = bb * c - a * e, i22 = a * d - bb * bb;
  return [
    (i00 * b[0] + i01 * b[1] + i02 * b[2]) / det,
    (i01 * b[0] + i11 * b[1] + i12 * b[2]) / det,
    (i02 * b[0] + i12 * b[1] + i22 * b[2]) / det,
  ];
}

/** Shortest distance between two rays' lines (the targeting result's rayGap for two views). */
export function rayGap(a: Ray, b: Ray): number {
  const n: V3 = [a.dir[1] * b.dir[2] - a.dir[2] * b.dir[1], a.dir[2] * b.dir[0] - a.dir[0] * b.dir[2], a.dir[0] * b.dir[1] - a.dir[1] * b.dir[0]];
  const len = Math.hypot(n[0], n[1], n[2]);
  const w: V3 = [b.origin[0] - a.origin[0], b.origin[1] - a.origin[1], b.origin[2] - a.origin[2]];
  if (len < 1e-12) {
    const t = w[0] * a.dir[0] + w[1] * a.dir[1] + w[2] * a.dir[2];
    return Math.hypot(w[0] - t * a.dir[0], w[1] - t * a.dir[1], w[2] - t * a.dir[2]);
  }
  return Math.abs(w[0] * n[0] + w[1] * n[1] + w[2] * n[2]) / len;
}
