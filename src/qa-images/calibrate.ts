/**
 * The unit's miscalibration from the phantom's marks (qa-images.md section 3.6): the
 * model of simulation.md section 2 (a true source at angle + offset per view, the true
 * sourceToSupport and rotationAxisHeight offset from the believed ones, the detector
 * where it is believed to be), fitted by Levenberg-Marquardt least squares over every
 * mark's reprojection error with the phantom's pose free (rotation about the beads'
 * centroid and translation). 1-sigma uncertainties are the square roots of the
 * diagonal of s^2 (J^T J)^-1 at the solution, s^2 the residual variance per degree of
 * freedom.
 */
import { apply, rotationFromVector, spdInverse, spdSolve, symmetricEigen, type V3 } from './linalg.js';
import { project, type SourceModel } from './projection.js';

export interface CalibrationMark {
  view: number;
  bead: number;
  u: number;
  v: number;
}

export interface Estimate {
  estimate: number;
  sigma: number;
}

export interface Calibration {
  angle: Estimate[];
  sourceToSupport: Estimate;
  rotationAxisHeight: Estimate;
  reprojectionRms: { before: number; after: number };
  scenario: { angle: number[]; sourceToSupport: number; rotationAxisHeight: number };
}

export interface CalibrationProblem {
  model: SourceModel;
  angles: number[];
  /** Registered phantom positions (the starting pose), one per bead. */
  beads: V3[];
  /** The phantom's own positions of the same beads (for the coplanarity test). */
  phantomPositions: V3[];
  marks: CalibrationMark[];
}

export type CalibrationOutcome = { ok: true; calibration: Calibration; degenerate: boolean } | { ok: false; reason: string };

/** Below this smallest eigenvalue of the correlation matrix, one combination of the parameters is not determined by the marks. */
export const DEGENERATE_EIGENVALUE = 1e-8;

/** Below this spread (mm rms) off their best plane, beads count as in one plane. */
export const COPLANAR_SPREAD = 0.5;
export const MIN_CALIBRATION_BEADS = 6;
const PRIOR = 1e-4;

/** Inverse through the eigen-decomposition with eigenvalues held at or above 1e-15 of the largest: a direction the data leave free gets a huge, finite variance. */
function clampedInverse(A: number[][]): number[][] {
  const { values, vectors } = symmetricEigen(A);
  const floor = 1e-15 * Math.max(...values.map(Math.abs), 1e-300);
  const n = A.length;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => values.reduce((s, l, k) => s + (vectors[i][k] * vectors[j][k]) / Math.max(l, floor), 0)));
}

function planeSpread(points: readonly V3[]): number {
  const n = points.length;
  const c = [0, 1, 2].map((k) => points.reduce((s, p) => s + p[k], 0) / n);
  const C = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (const p of points) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) C[i][j] += ((p[i] - c[i]) * (p[j] - c[j])) / n;
  return Math.sqrt(Math.max(0, symmetricEigen(C).values[0]));
}

/** Residuals (u then v of every mark) for a parameter vector [angle offsets..., dSSD, dRAH, w(3), t(3)]. */
function residuals(pb: CalibrationProblem, x: number[], centroid: V3): number[] {
  const K = pb.angles.length;
  const model: SourceModel = { sourceToSupport: pb.model.sourceToSupport + x[K], rotationAxisHeight: pb.model.rotationAxisHeight + x[K + 1], detectorZ: pb.model.detectorZ };
  const R = rotationFromVector([x[K + 2], x[K + 3], x[K + 4]]);
  const moved = pb.beads.map((b) => {
    const r = apply(R, [0, 0, 0], [b[0] - centroid[0], b[1] - centroid[1], b[2] - centroid[2]]);
    return [r[0] + centroid[0] + x[K + 5], r[1] + centroid[1] + x[K + 6], r[2] + centroid[2] + x[K + 7]] as V3;
  });
  const out: number[] = [];
  for (const m of pb.marks) {
    const [u, v] = project(model, pb.angles[m.view] + x[m.view], moved[m.bead]);
    out.push(u - m.u, v - m.v);
  }
  return out;
}

const STEP = (K: number, k: number) => (k < K ? 1e-5 : k < K + 2 ? 1e-4 : k < K + 5 ? 1e-7 : 1e-4);

function jacobian(f: (x: number[]) => number[], x: number[], free: number[], K: number): number[][] {
  const cols = free.map((k) => {
    const h = STEP(K, k);
    const xp = x.slice(), xm = x.slice();
    xp[k] += h; xm[k] -= h;
    const a = f(xp), b = f(xm);
    return a.map((v, i) => (v - b[i]) / (2 * h));
  });
  return cols[0].map((_, i) => cols.map((c) => c[i]));
}

function ssq(r: number[]): number {
  return r.reduce((s, v) => s + v * v, 0);
}

/** Levenberg-Marquardt over the free parameters; returns the solution and J at it. */
function fit(f: (x: number[]) => number[], x0: number[], free: number[], K: number): { x: number[]; J: number[][]; r: number[] } {
  let x = x0.slice();
  let r = f(x);
  let cost = ssq(r);
  let lambda = 1e-3;
  for (let iter = 0; iter < 200; iter++) {
    const J = jacobian(f, x, free, K);
    const p = free.length;
    const JtJ = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, b) => J.reduce((s, row) => s + row[a] * row[b], 0)));
    const Jtr = Array.from({ length: p }, (_, a) => J.reduce((s, row, i) => s + row[a] * r[i], 0));
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const A = JtJ.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) + 1e-15 : v)));
      const step = spdSolve(A, Jtr.map((v) => -v));
      if (!step) { lambda *= 10; continue; }
      const xn = x.slice();
      free.forEach((k, a) => { xn[k] += step[a]; });
      const rn = f(xn);
      const cn = ssq(rn);
      if (Number.isFinite(cn) && cn <= cost) {
        const rel = (cost - cn) / Math.max(cost, 1e-300);
        x = xn; r = rn; cost = cn; lambda = Math.max(lambda / 10, 1e-12); improved = true;
        if (rel < 1e-14) return { x, J: jacobian(f, x, free, K), r };
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { x, J: jacobian(f, x, free, K), r };
}

function rmsPerMark(r: number[]): number {
  return Math.sqrt(ssq(r) / (r.length / 2));
}

export function calibrate(pb: CalibrationProblem): CalibrationOutcome {
  const nBeads = pb.beads.length;
  if (nBeads < MIN_CALIBRATION_BEADS) return { ok: false, reason: `${nBeads} beads were found in two or more views; the calibration needs at least ${MIN_CALIBRATION_BEADS}` };
  const spread = planeSpread(pb.phantomPositions);
  if (spread < COPLANAR_SPREAD) return { ok: false, reason: `the ${nBeads} beads lie in one plane (rms ${spread.toFixed(3)} mm off it, under ${COPLANAR_SPREAD} mm): source distance and pose cannot be told apart` };
  const K = pb.angles.length;
  const P = K + 8;
  const m = pb.marks.length * 2;
  if (m <= P) return { ok: false, reason: `${pb.marks.length} marks give ${m} coordinates for ${P} unknowns` };
  const centroid = [0, 1, 2].map((k) => pb.beads.reduce((s, b) => s + b[k], 0) / nBeads) as V3;
  // A faint pull of every miscalibration parameter toward the believed geometry (rows of
  // weight PRIOR): it changes nothing the marks determine, and with two views, where one
  // combination of the angle offsets, source distance and axis height leaves both sources
  // where they are, it picks the member of that family nearest the belief.
  // Only where the data leave a direction free: the pull is not applied otherwise (it would bias
  // a weakly determined parameter when the marks are nearly exact).
  const f = (x: number[]) => residuals(pb, x, centroid);
  const fPulled = (x: number[]) => {
    const r = residuals(pb, x, centroid);
    for (let k = 0; k < K + 2; k++) r.push(PRIOR * x[k]);
    return r;
  };
  const x0 = new Array<number>(P).fill(0);
  const poseOnly = Array.from({ length: 6 }, (_, k) => K + 2 + k);
  const before = fit(f, x0, poseOnly, K);
  const all = Array.from({ length: P }, (_, k) => k);
  const normal = (J: number[][]) => {
    const JtJ = all.map((a) => all.map((b) => J.reduce((s, row) => s + row[a] * row[b], 0)));
    // As a correlation matrix (scaled by its diagonal): angles, lengths and radians have
    // very different magnitudes, and the tests for singularity should not see them.
    const d = JtJ.map((row, a) => Math.sqrt(row[a]));
    return { d, corr: JtJ.map((row, a) => row.map((v, b) => v / (d[a] * d[b]))) };
  };
  let after = fit(f, before.x, all, K);
  let { d, corr } = normal(after.J);
  const degenerate = !d.every((x) => x > 0) || symmetricEigen(corr).values[0] < DEGENERATE_EIGENVALUE;
  if (degenerate) {
    after = fit(fPulled, before.x, all, K);
    ({ d, corr } = normal(after.J.slice(0, m))); // the marks' rows only: the uncertainties are the data's
  }
  const cinv = d.every((x) => x > 0) ? spdInverse(corr) ?? clampedInverse(corr) : undefined;
  const inv = cinv?.map((row, a) => row.map((v, b) => v / (d[a] * d[b])));
  if (!inv) return { ok: false, reason: 'the marks do not determine the angle offsets, source distance, rotation axis and pose together (singular normal matrix)' };
  const s2 = ssq(after.r.slice(0, m)) / (m - P);
  const sig = (k: number) => Math.sqrt(Math.max(0, s2 * inv[k][k]));
  const est = (k: number): Estimate => ({ estimate: after.x[k], sigma: sig(k) });
  if (!after.x.every(Number.isFinite) || !all.every((k) => Number.isFinite(sig(k)))) return { ok: false, reason: 'the fit did not converge to finite values' };
  const angle = pb.angles.map((_, k) => est(k));
  return {
    ok: true,
    degenerate,
    calibration: {
      angle,
      sourceToSupport: est(K),
      rotationAxisHeight: est(K + 1),
      reprojectionRms: { before: rmsPerMark(before.r.slice(0, m)), after: rmsPerMark(after.r.slice(0, m)) },
      scenario: { angle: angle.map((a) => a.estimate), sourceToSupport: after.x[K], rotationAxisHeight: after.x[K + 1] },
    },
  };
}
