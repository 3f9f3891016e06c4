/**
 * Marking error propagated to the target: C = imageSigma^2 J J^T (J from the
 * wasm kernel), its 1-sigma values and the 95 % ellipsoid from C's eigen-decomposition.
 */

/** Chi-square, 3 degrees of freedom, 95 %: the 95 % ellipsoid has semi-axes sqrt(7.8147 * eigenvalue). */
export const CHI2_3DOF_95 = 7.8147;

export type Matrix3 = [[number, number, number], [number, number, number], [number, number, number]];

export interface Uncertainty {
  /** 1-sigma marking error assumed on every detector coordinate (mm). */
  imageSigma: number;
  /** sqrt(diag C), mm. */
  sigma: { x: number; y: number; z: number };
  /** C, mm^2. */
  covariance: Matrix3;
  ellipsoid95: {
    /** Semi-axes, largest first (mm). */
    semiAxes: [number, number, number];
    /** Unit principal axes, matching semiAxes. */
    axes: [[number, number, number], [number, number, number], [number, number, number]];
  };
  /** d target / d mark, rows x, y, z; columns u0, v0, u1, v1, ... (mm per mm). */
  jacobian: number[][];
}

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations:
 * unconditionally stable and exact to rounding for this size. Eigenvalues descending.
 */
export function symmetricEigen3(m: Matrix3): { values: [number, number, number]; vectors: Matrix3 } {
  const a = m.map((r) => [...r]);
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(a[0][1]) + Math.abs(a[0][2]) + Math.abs(a[1][2]);
    const scale = Math.abs(a[0][0]) + Math.abs(a[1][1]) + Math.abs(a[2][2]);
    // Also true for off = 0 (scale >= 0): a diagonal matrix, the zero matrix included, is done.
    if (off <= 1e-22 * scale) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      if (a[p][q] === 0) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p], akq = a[k][q];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k], aqk = a[q][k];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p], vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => a[j][j] - a[i][i]);
  const values = order.map((i) => a[i][i]) as [number, number, number];
  // Columns of v are eigenvectors; return them as rows, sign fixed so the largest component is positive.
  const vectors = order.map((i) => {
    const vec = [v[0][i], v[1][i], v[2][i]];
    const big = vec.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    return big < 0 ? vec.map((x) => -x) : vec;
  }) as Matrix3;
  return { values, vectors };
}

export function ellipsoid95(cov: Matrix3): Uncertainty['ellipsoid95'] {
  const { values, vectors } = symmetricEigen3(cov);
  // Rounding can leave a zero eigenvalue a hair below 0; sqrt of that would be NaN.
  const semi = values.map((l) => Math.sqrt(CHI2_3DOF_95 * Math.max(l, 0))) as [number, number, number];
  return { semiAxes: semi, axes: vectors };
}
