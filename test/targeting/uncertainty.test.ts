// The uncertainty ellipsoid (src/targeting/uncertainty.ts): the eigen-decomposition against
// hand-made covariances of known axes and an independent closed-form (trigonometric) solver
// written here, then through the targeting API.
import { describe, expect, it } from 'vitest';
import { CHI2_3DOF_95, ellipsoid95, loadEngine, symmetricEigen3, targetWith, type Matrix3 } from '../../src/index.js';
import { refProject } from '../reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const stereo = (extra: Record<string, unknown> = {}, target: [number, number, number] = [4, 30, 20]) => ({
  geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, target) })), ...extra,
});

// ---------- uncertainty: independent eigen-decomposition ----------
type V3 = [number, number, number];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3) => Math.sqrt(dot(a, a));
/** Sign convention of the engine: the largest-magnitude component positive. */
const canon = (a: V3): V3 => {
  const big = a.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
  return (big < 0 ? a.map((x) => -x) : [...a]) as V3;
};

/** Closed-form (trigonometric) eigenvalues of a symmetric 3x3, eigenvectors from cross products of (A - l I)'s rows. */
function closedFormEigen(A: Matrix3): { values: V3; vectors: V3[] } {
  const p1 = A[0][1] ** 2 + A[0][2] ** 2 + A[1][2] ** 2;
  const q = (A[0][0] + A[1][1] + A[2][2]) / 3;
  const p = Math.sqrt(((A[0][0] - q) ** 2 + (A[1][1] - q) ** 2 + (A[2][2] - q) ** 2 + 2 * p1) / 6);
  const B = A.map((r, i) => r.map((x, j) => (x - (i === j ? q : 0)) / p));
  const det = B[0][0] * (B[1][1] * B[2][2] - B[1][2] * B[2][1]) - B[0][1] * (B[1][0] * B[2][2] - B[1][2] * B[2][0]) + B[0][2] * (B[1][0] * B[2][1] - B[1][1] * B[2][0]);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const l1 = q + 2 * p * Math.cos(phi);
  const l3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  const values: V3 = [l1, 3 * q - l1 - l3, l3];
  const vectors = values.map((l) => {
    const rows = A.map((row, i) => row.map((x, j) => x - (i === j ? l : 0)) as V3);
    const cands = [cross(rows[0], rows[1]), cross(rows[0], rows[2]), cross(rows[1], rows[2])];
    const best = cands.reduce((a, b) => (norm(b) > norm(a) ? b : a));
    return canon(best.map((x) => x / norm(best)) as V3);
  });
  return { values, vectors };
}

/** Rotation matrix from z-y-x angles (rad); its columns are the principal axes. */
function rotation(a: number, b: number, c: number): number[][] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  const Rz = [[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]];
  const Ry = [[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]];
  const Rx = [[1, 0, 0], [0, cc, -sc], [0, sc, cc]];
  const mul = (X: number[][], Y: number[][]) => X.map((r) => [0, 1, 2].map((j) => r[0] * Y[0][j] + r[1] * Y[1][j] + r[2] * Y[2][j]));
  return mul(mul(Rz, Ry), Rx);
}
/** R diag(l) R^T: principal variances l along R's columns. */
function covarianceWithAxes(R: number[][], l: V3): Matrix3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => l[0] * R[i][0] * R[j][0] + l[1] * R[i][1] * R[j][1] + l[2] * R[i][2] * R[j][2])) as Matrix3;
}
const column = (R: number[][], k: number): V3 => [R[0][k], R[1][k], R[2][k]];
const scaled = (m: Matrix3, s: number) => m.map((r) => r.map((x) => x * s)) as Matrix3;

function expectAxes(got: number[][], want: V3[], tol: number) {
  for (let k = 0; k < 3; k++) {
    expect(Math.abs(norm(got[k] as V3) - 1)).toBeLessThan(tol);
    const w = canon(want[k]);
    for (let i = 0; i < 3; i++) expect(got[k][i], `axis ${k}[${i}]`).toBeCloseTo(w[i], -Math.log10(tol));
  }
}

describe('uncertainty: the 95 % ellipsoid of covariances with known axes', () => {
  const R = rotation(0.4, -0.7, 1.1);
  const l: V3 = [0.09, 0.04, 0.01]; // 1-sigma 0.3, 0.2, 0.1 mm along the principal axes
  const C = covarianceWithAxes(R, l);

  it('a rotated covariance: eigenvalues and the rotated (not the coordinate) axes', () => {
    const { values, vectors } = symmetricEigen3(C);
    for (let k = 0; k < 3; k++) expect(values[k]).toBeCloseTo(l[k], 14);
    expectAxes(vectors, [0, 1, 2].map((k) => column(R, k)), 1e-12);
    // not the unit axes: every principal axis has at least two sizeable components
    for (const v of vectors) expect(v.filter((x) => Math.abs(x) > 0.1).length).toBeGreaterThanOrEqual(2);
  });
  it('ellipsoid95: semi-axes sqrt(7.8147 l), largest first, with matching axes', () => {
    const e = ellipsoid95(C);
    expect(CHI2_3DOF_95).toBe(7.8147);
    for (let k = 0; k < 3; k++) expect(e.semiAxes[k]).toBeCloseTo(Math.sqrt(7.8147 * l[k]), 13);
    expect(e.semiAxes[0]).toBeCloseTo(0.8386, 4);
    expectAxes(e.axes, [0, 1, 2].map((k) => column(R, k)), 1e-12);
  });
  it('agrees with the closed-form solver on a general covariance', () => {
    const M: Matrix3 = [[0.052, -0.013, 0.021], [-0.013, 0.031, 0.007], [0.021, 0.007, 0.118]];
    const ref = closedFormEigen(M);
    const { values, vectors } = symmetricEigen3(M);
    for (let k = 0; k < 3; k++) expect(values[k]).toBeCloseTo(ref.values[k], 14);
    expectAxes(vectors, ref.vectors, 1e-10);
  });
  it('equal x and y variances with x uncorrelated but y-z correlated: finite, correct axes', () => {
    // a[0][1] is 0 while a[0][0] = a[1][1]: the x-y pair needs no rotation (and must not produce 0/0).
    const M: Matrix3 = [[0.09, 0, 0], [0, 0.09, 0.04], [0, 0.04, 0.25]];
    const r = Math.sqrt(0.08 * 0.08 + 0.04 * 0.04);
    const hi = 0.17 + r, lo = 0.17 - r;
    const { values, vectors } = symmetricEigen3(M);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values[0]).toBeCloseTo(hi, 15);
    expect(values[1]).toBeCloseTo(0.09, 15);
    expect(values[2]).toBeCloseTo(lo, 15);
    const axis = (lam: number): V3 => {
      const vy = 0.04, vz = lam - 0.09; // (0.09 - lam) vy + 0.04 vz = 0
      const n = Math.hypot(vy, vz);
      return [0, vy / n, vz / n];
    };
    expectAxes(vectors, [axis(hi), [1, 0, 0], axis(lo)], 1e-12);
    const e = ellipsoid95(M);
    expect(e.semiAxes[1]).toBeCloseTo(Math.sqrt(7.8147 * 0.09), 14);
  });
  it('the ellipsoid scales with the marking error: sqrt(s) on the semi-axes, the same axes, for tiny and large s', () => {
    for (const s of [1e-12, 1e-6, 1e6]) {
      const e = ellipsoid95(scaled(C, s));
      for (let k = 0; k < 3; k++) expect(e.semiAxes[k] / Math.sqrt(s)).toBeCloseTo(Math.sqrt(7.8147 * l[k]), 10);
      expectAxes(e.axes, [0, 1, 2].map((k) => column(R, k)), 1e-9);
    }
  });
  it('a corrupt (NaN) covariance ends and gives no finite-looking ellipsoid', () => {
    const M: Matrix3 = [[0.09, NaN, 0], [NaN, 0.04, 0], [0, 0, 0.01]];
    const e = ellipsoid95(M);
    expect(e.semiAxes.some((x) => Number.isNaN(x))).toBe(true);
  });
});

describe('uncertainty through the targeting API', () => {
  it('covariance = imageSigma^2 J J^T, sigma = sqrt(diag C), ellipsoid from an independent decomposition', () => {
    const s = 0.2;
    const u = targetWith(engine, stereo({ imageSigma: s })).uncertainty!;
    const J = u.jacobian;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const c = s * s * J[i].reduce((acc, x, m) => acc + x * J[j][m], 0);
        expect(u.covariance[i][j]).toBeCloseTo(c, 14);
      }
    }
    expect(u.sigma.x).toBeCloseTo(Math.sqrt(u.covariance[0][0]), 15);
    expect(u.sigma.y).toBeCloseTo(Math.sqrt(u.covariance[1][1]), 15);
    expect(u.sigma.z).toBeCloseTo(Math.sqrt(u.covariance[2][2]), 15);
    // stereo: depth is the least certain direction; x and z are correlated, so the long axis is tilted
    expect(u.sigma.z).toBeGreaterThan(u.sigma.x);
    const ref = closedFormEigen(u.covariance);
    for (let k = 0; k < 3; k++) expect(u.ellipsoid95.semiAxes[k]).toBeCloseTo(Math.sqrt(7.8147 * Math.max(ref.values[k], 0)), 9);
    // the well-determined axes (distinct eigenvalues) match the independent ones
    expect(Math.abs(dot(u.ellipsoid95.axes[0] as V3, ref.vectors[0]))).toBeCloseTo(1, 9);
    expect(u.ellipsoid95.semiAxes[0]).toBeGreaterThanOrEqual(u.ellipsoid95.semiAxes[1]);
    expect(u.ellipsoid95.semiAxes[1]).toBeGreaterThanOrEqual(u.ellipsoid95.semiAxes[2]);
  });
  it('a tiny marking error gives the same ellipsoid shrunk in proportion (1 nm vs 0.2 mm)', () => {
    const big = targetWith(engine, stereo({ imageSigma: 0.2 })).uncertainty!;
    const tiny = targetWith(engine, stereo({ imageSigma: 1e-6 })).uncertainty!;
    for (let k = 0; k < 3; k++) {
      expect(tiny.ellipsoid95.semiAxes[k] / 1e-6).toBeCloseTo(big.ellipsoid95.semiAxes[k] / 0.2, 6);
    }
    expect(Math.abs(dot(tiny.ellipsoid95.axes[0] as V3, big.ellipsoid95.axes[0] as V3))).toBeCloseTo(1, 9);
  });
});
