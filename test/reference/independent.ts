/**
 * An independent implementation of the spec's formulas, written from
 * ../shared/spec/targeting.md with mathjs matrices. It shares no code with src/ or
 * assembly/: the tests compare the engine against it.
 */
import { add, cross, det, dot, eigs, lusolve, matrix, multiply, norm, subtract, transpose, type Matrix } from 'mathjs';

export interface RefGeometry {
  sourceToDetector: number;
  sourceToSupport: number;
  rotationAxisHeight: number;
}
export type P3 = [number, number, number];

const toRad = (deg: number) => (deg * Math.PI) / 180;

export function refSource(g: RefGeometry, angleDeg: number): P3 {
  const R = g.sourceToSupport - g.rotationAxisHeight;
  return [R * Math.sin(toRad(angleDeg)), 0, g.rotationAxisHeight + R * Math.cos(toRad(angleDeg))];
}

export function refDetectorZ(g: RefGeometry): number {
  return -(g.sourceToDetector - g.sourceToSupport);
}

/** Where the ray from the source through `p` meets the detector plane. */
export function refProject(g: RefGeometry, angleDeg: number, p: P3): { u: number; v: number } {
  const s = refSource(g, angleDeg);
  const dir = subtract(p, s) as number[];
  const t = (refDetectorZ(g) - s[2]) / dir[2];
  const hit = add(s, multiply(t, dir)) as number[];
  return { u: hit[0], v: hit[1] };
}

export interface RefMark { angle: number; u: number; v: number }

function ray(g: RefGeometry, m: RefMark): { s: number[]; d: number[] } {
  const s = refSource(g, m.angle);
  const w = subtract([m.u, m.v, refDetectorZ(g)], s) as number[];
  return { s, d: multiply(1 / (norm(w) as number), w) as number[] };
}

/** Least squares over perpendicular distances: sum_k (I - d d^T) (X - S) = 0, by LU. */
export function refTriangulate(g: RefGeometry, marks: RefMark[]): P3 {
  let A: Matrix = matrix([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  let b: Matrix = matrix([[0], [0], [0]]);
  for (const m of marks) {
    const { s, d } = ray(g, m);
    const dm = matrix(d.map((x) => [x]));
    const P = subtract(matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), multiply(dm, transpose(dm))) as Matrix;
    A = add(A, P) as Matrix;
    b = add(b, multiply(P, matrix(s.map((x) => [x])))) as Matrix;
  }
  const x = lusolve(A, b) as Matrix;
  return [x.get([0, 0]), x.get([1, 0]), x.get([2, 0])];
}

export function refRayDistance(g: RefGeometry, m: RefMark, p: P3): number {
  const { s, d } = ray(g, m);
  return norm(cross(subtract(p, s) as number[], d) as number[]) as number;
}

/** Shortest distance between two (infinite) rays. */
export function refRayGap(g: RefGeometry, a: RefMark, b: RefMark): number {
  const r1 = ray(g, a);
  const r2 = ray(g, b);
  const n = cross(r1.d, r2.d) as number[];
  return Math.abs(dot(subtract(r2.s, r1.s) as number[], n)) / (norm(n) as number);
}

/** The textbook parallel-beam estimate for a symmetric pair +a/-a. */
export function refClassic(g: RefGeometry, plus: RefMark, minus: RefMark): P3 {
  const a = toRad(Math.abs(plus.angle));
  return [(plus.u + minus.u) / 2, (plus.v + minus.v) / 2, (minus.u - plus.u) / (2 * Math.tan(a)) - (g.sourceToDetector - g.sourceToSupport)];
}

/** d target / d marks by central differences of the reference triangulation: rows x, y, z; columns u0, v0, u1, v1, ... */
export function refJacobian(g: RefGeometry, marks: RefMark[], h = 1e-5): number[][] {
  const J: number[][] = [[], [], []];
  marks.forEach((_, k) => {
    for (const key of ['u', 'v'] as const) {
      const plus = marks.map((m, j) => (j === k ? { ...m, [key]: m[key] + h } : m));
      const minus = marks.map((m, j) => (j === k ? { ...m, [key]: m[key] - h } : m));
      const p = refTriangulate(g, plus);
      const q = refTriangulate(g, minus);
      for (let r = 0; r < 3; r++) J[r].push((p[r] - q[r]) / (2 * h));
    }
  });
  return J;
}

export function refUncertainty(J: number[][], sigma: number) {
  const Jm = matrix(J);
  const C = multiply(sigma * sigma, multiply(Jm, transpose(Jm))) as Matrix;
  const c = C.toArray() as number[][];
  const { values } = eigs(C);
  const ev = (Array.isArray(values) ? values : (values as Matrix).toArray()) as number[];
  return {
    covariance: c,
    sigma: { x: Math.sqrt(c[0][0]), y: Math.sqrt(c[1][1]), z: Math.sqrt(c[2][2]) },
    semiAxes: ev.map((l) => Math.sqrt(7.8147 * Math.max(l, 0))).sort((p, q) => q - p),
    determinant: det(C) as number,
  };
}

/** Spec section 5, vertical approach. */
export function refVerticalNeedle(z: number, thickness: number, d: { throw: number; apertureLength: number; tipLength: number }) {
  const postfireTipZ = z - d.apertureLength / 2 - d.tipLength;
  return {
    postfireTipZ,
    prefireTipZ: postfireTipZ + d.throw,
    strokeMargin: postfireTipZ,
    apertureProximalZ: z + d.apertureLength / 2,
    skinClearance: thickness - (z + d.apertureLength / 2),
  };
}
