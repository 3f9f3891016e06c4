/**
 * Small dense linear algebra for the image QA: 3-vectors as [x, y, z], rigid
 * registration (Horn's unit-quaternion solution of the least-squares problem, with a
 * Jacobi eigen-solver for its 4 x 4 matrix), rotation vectors, and a symmetric
 * positive-definite solve/inverse for the Gauss-Newton steps and covariances.
 * Sizes here are tiny (at most a few hundred points, about twenty parameters).
 */
export type V3 = [number, number, number];
export type M3 = [V3, V3, V3];

export function sub3(a: V3, b: V3): V3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
export function norm3(a: V3): number {
  return Math.hypot(a[0], a[1], a[2]);
}
export function dist3(a: V3, b: V3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
export function apply(R: M3, t: V3, p: V3): V3 {
  return [
    R[0][0] * p[0] + R[0][1] * p[1] + R[0][2] * p[2] + t[0],
    R[1][0] * p[0] + R[1][1] * p[1] + R[1][2] * p[2] + t[1],
    R[2][0] * p[0] + R[2][1] * p[1] + R[2][2] * p[2] + t[2],
  ];
}
export function matMul3(A: M3, B: M3): M3 {
  const out = [[0, 0, 0], [0, 0, 0], [0, 0, 0]] as M3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i][j] = A[i][0] * B[0][j] + A[i][1] * B[1][j] + A[i][2] * B[2][j];
  return out;
}

/** Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations: values ascending, vectors as columns. */
export function symmetricEigen(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i][i] - a[j][j]);
  return { values: order.map((i) => a[i][i]), vectors: v.map((row) => order.map((i) => row[i])) };
}

export interface Rigid {
  rotation: M3;
  translation: V3;
}

/**
 * The rotation and translation (no scale) minimising sum |R p_i + t - q_i|^2 (Horn 1987,
 * closed form with unit quaternions): always a proper rotation, never a reflection.
 */
export function rigidFit(P: readonly V3[], Q: readonly V3[]): Rigid {
  const n = P.length;
  const cp: V3 = [0, 0, 0], cq: V3 = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) { cp[k] += P[i][k] / n; cq[k] += Q[i][k] / n; }
  const S = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < n; i++) {
    const a = sub3(P[i], cp), b = sub3(Q[i], cq);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[r][c] += a[r] * b[c];
  }
  const [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = S;
  const N = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  const { vectors } = symmetricEigen(N);
  const [w, x, y, z] = [vectors[0][3], vectors[1][3], vectors[2][3], vectors[3][3]];
  const R: M3 = [
    [w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z],
  ];
  const rc = apply(R, [0, 0, 0], cp);
  return { rotation: R, translation: [cq[0] - rc[0], cq[1] - rc[1], cq[2] - rc[2]] };
}

/** Rodrigues: the rotation by |w| radians about w. */
export function rotationFromVector(w: V3): M3 {
  const th = norm3(w);
  if (th < 1e-14) return [[1, -w[2], w[1]], [w[2], 1, -w[0]], [-w[1], w[0], 1]];
  const [x, y, z] = [w[0] / th, w[1] / th, w[2] / th];
  const c = Math.cos(th), s = Math.sin(th), C = 1 - c;
  return [
    [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
    [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
    [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
  ];
}

/** Tilt of a rotation: the angle (degrees) between the rotated z axis and z. */
export function tiltDeg(R: M3): number {
  return (Math.acos(Math.max(-1, Math.min(1, R[2][2]))) * 180) / Math.PI;
}

/** Inverse of a symmetric positive-definite matrix by Cholesky; undefined when it is not (numerically) positive definite. */
export function spdInverse(A: number[][]): number[][] | undefined {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const scale = Math.max(...A.map((r, i) => Math.abs(r[i])), 1e-300);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 1e-13 * scale)) return undefined;
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  const inv = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
      y[i] = s / L[i][i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < n; k++) s -= L[k][i] * inv[k][c];
      inv[i][c] = s / L[i][i];
    }
  }
  return inv;
}

/** Solves the symmetric positive-definite system A x = b (undefined when A is not positive definite). */
export function spdSolve(A: number[][], b: number[]): number[] | undefined {
  const inv = spdInverse(A);
  return inv?.map((row) => row.reduce((s, v, k) => s + v * b[k], 0));
}
