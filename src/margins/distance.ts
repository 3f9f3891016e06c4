/**
 * Exact distances to the shapes of specimen margins (mm). Signed distances are
 * positive outside the shape and negative inside; `insideDepth` callers negate.
 */

import type { Tuple3 } from '../core/vec3.js';

/** The margins code's point: the one tuple type (core/vec3.ts). */
export type V3 = Tuple3;

/** Robust sqrt(a^2 + b^2 (+ c^2)) without overflow or underflow. */
function robustLength(a: number, b: number, c = 0): number {
  const m = Math.max(Math.abs(a), Math.abs(b), Math.abs(c));
  if (m === 0) return 0;
  const x = a / m, y = b / m, z = c / m;
  return m * Math.sqrt(x * x + y * y + z * z);
}

/**
 * Math.hypot(x, y, z) to the bit, as V8 computes it (scale by the largest magnitude, Kahan
 * sum of the squares in argument order, sqrt, scale back), without the builtin's call
 * overhead: about 100 ns a call here against about 20, in searches that make 10^3 calls per
 * point (test/margins/bounded-time.test.ts checks the bits against Math.hypot).
 */
export function hypot3(x: number, y: number, z: number): number {
  const a = Math.abs(x), b = Math.abs(y), c = Math.abs(z);
  let max = a > b ? a : b;
  if (c > max) max = c;
  if (max === 0) return 0;
  if (!(max < Infinity)) return Math.hypot(x, y, z);
  let n = a / max;
  let sum = n * n, compensation = 0;
  n = b / max;
  let summand = n * n - compensation, preliminary = sum + summand;
  compensation = (preliminary - sum) - summand;
  sum = preliminary;
  n = c / max;
  summand = n * n - compensation;
  preliminary = sum + summand;
  sum = preliminary;
  return Math.sqrt(sum) * max;
}

const MAX_BISECTIONS = 2100; // enough to exhaust f64 between any two brackets

/** (a/b)^2 - 1 for a >= b > 0, without cancellation when a is close to b. */
function ratioSquaredMinusOne(a: number, b: number): number {
  return ((a - b) / b) * ((a + b) / b);
}

/**
 * Root t > 0 of (n0 / (t + d0))^2 + (n1 / (t + d1))^2 + (zLast / t)^2 = 1 by bisection,
 * where t = s + 1 in Eberly's notation (n1 = 0 for an ellipse). Working in t rather
 * than s keeps full relative precision when the point lies very close to the plane of
 * the shortest axis (t then tends to 0; s = t - 1 would round to -1). The root lies in
 * [zLast, 1] inside and in [zLast, |(n0, n1, zLast)|] outside.
 */
function rootT(n0: number, d0: number, n1: number, d1: number, zLast: number, g: number): number {
  let t0 = zLast;
  let t1 = g < 0 ? 1 : robustLength(n0, n1, zLast);
  let t = t0;
  for (let i = 0; i < MAX_BISECTIONS; i++) {
    t = (t0 + t1) / 2;
    if (t === t0 || t === t1) break;
    const a = n0 / (t + d0), b = n1 / (t + d1), c = zLast / t;
    const sum = a * a + b * b + c * c - 1;
    if (sum > 0) t0 = t;
    else if (sum < 0) t1 = t;
    else break;
  }
  return t;
}

/**
 * Below this fraction of its semi-axis a coordinate is taken as lying on the symmetry
 * plane: the distance changes by at most the coordinate itself (under 5e-16 mm for any
 * accepted shape), and the root equation never sees a denormal or underflowing term.
 */
const ON_PLANE = 2 ** -60;

/** Scratch output of the solvers below (sorted frame), so that no call allocates. */
const X = new Float64Array(3);

/** Nearest point on the ellipse (e0 >= e1 > 0) to (y0, y1), both >= 0, written to X[i0], X[i1]. */
function nearestOnEllipse(e0: number, e1: number, y0: number, y1: number, i0: number, i1: number): void {
  if (y1 > 0) {
    if (y0 > 0) {
      const z0 = y0 / e0, z1 = y1 / e1;
      const g = z0 * z0 + z1 * z1 - 1;
      if (g === 0) {
        X[i0] = y0;
        X[i1] = y1;
        return;
      }
      const r0 = (e0 / e1) * (e0 / e1), d0 = ratioSquaredMinusOne(e0, e1);
      const t = rootT(r0 * z0, d0, 0, 0, z1, g);
      X[i0] = (r0 * y0) / (t + d0);
      X[i1] = y1 / t;
      return;
    }
    X[i0] = 0;
    X[i1] = e1;
    return;
  }
  const numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    X[i0] = e0 * xde0;
    X[i1] = e1 * Math.sqrt(Math.max(0, 1 - xde0 * xde0));
    return;
  }
  X[i0] = e0;
  X[i1] = 0;
}

/** Nearest point on the ellipsoid (e0 >= e1 >= e2 > 0) to y (all >= 0), in the first octant, written to X. */
function nearestOnSortedEllipsoid(e0: number, e1: number, e2: number, y0: number, y1: number, y2: number): void {
  if (y2 > 0) {
    if (y1 > 0) {
      if (y0 > 0) {
        const z0 = y0 / e0, z1 = y1 / e1, z2 = y2 / e2;
        const g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
        if (g === 0) {
          X[0] = y0; X[1] = y1; X[2] = y2;
          return;
        }
        const r0 = (e0 / e2) * (e0 / e2), r1 = (e1 / e2) * (e1 / e2);
        const d0 = ratioSquaredMinusOne(e0, e2), d1 = ratioSquaredMinusOne(e1, e2);
        const t = rootT(r0 * z0, d0, r1 * z1, d1, z2, g);
        X[0] = (r0 * y0) / (t + d0);
        X[1] = (r1 * y1) / (t + d1);
        X[2] = y2 / t;
        return;
      }
      X[0] = 0;
      nearestOnEllipse(e1, e2, y1, y2, 1, 2);
      return;
    }
    X[1] = 0;
    if (y0 > 0) nearestOnEllipse(e0, e2, y0, y2, 0, 2);
    else { X[0] = 0; X[2] = e2; }
    return;
  }
  const denom0 = e0 * e0 - e2 * e2, denom1 = e1 * e1 - e2 * e2;
  const numer0 = e0 * y0, numer1 = e1 * y1;
  if (numer0 < denom0 && numer1 < denom1) {
    const xde0 = numer0 / denom0, xde1 = numer1 / denom1;
    const discr = 1 - xde0 * xde0 - xde1 * xde1;
    if (discr > 0) {
      X[0] = e0 * xde0; X[1] = e1 * xde1; X[2] = e2 * Math.sqrt(discr);
      return;
    }
  }
  X[2] = 0;
  nearestOnEllipse(e0, e1, y0, y1, 0, 1);
}

/**
 * Signed distance (positive outside) from p to an axis-aligned ellipsoid's surface;
 * with `point`, the nearest surface point is written to it. Exact to rounding for points
 * inside, outside, on an axis, at the centre and arbitrarily close to a symmetry plane
 * (Eberly, "Distance from a point to an ellipse, an ellipsoid, or a hyperellipsoid",
 * 2013: bisection on the one-variable root equation, here in t = s + 1 so that no
 * precision is lost near a plane).
 */
function ellipsoidSigned(center: V3, A: V3, p: V3, point?: V3): number {
  // Axis indices by decreasing semi-axis (stable for equal axes).
  let i0 = 0, i1 = 1, i2 = 2, k: number;
  if (A[i1] > A[i0]) { k = i0; i0 = i1; i1 = k; }
  if (A[i2] > A[i1]) { k = i1; i1 = i2; i2 = k; }
  if (A[i1] > A[i0]) { k = i0; i0 = i1; i1 = k; }
  const e0 = A[i0], e1 = A[i1], e2 = A[i2];
  const d0 = p[i0] - center[i0], d1 = p[i1] - center[i1], d2 = p[i2] - center[i2];
  const y0 = Math.abs(d0) <= e0 * ON_PLANE ? 0 : Math.abs(d0);
  const y1 = Math.abs(d1) <= e1 * ON_PLANE ? 0 : Math.abs(d1);
  const y2 = Math.abs(d2) <= e2 * ON_PLANE ? 0 : Math.abs(d2);
  nearestOnSortedEllipsoid(e0, e1, e2, y0, y1, y2);
  const x0 = X[0], x1 = X[1], x2 = X[2];
  if (point) {
    point[i0] = center[i0] + (d0 < 0 ? -x0 : x0);
    point[i1] = center[i1] + (d1 < 0 ? -x1 : x1);
    point[i2] = center[i2] + (d2 < 0 ? -x2 : x2);
  }
  const dist = robustLength(x0 - y0, x1 - y1, x2 - y2);
  const q0 = y0 / e0, q1 = y1 / e1, q2 = y2 / e2;
  return q0 * q0 + q1 * q1 + q2 * q2 < 1 ? -dist : dist;
}

/** The nearest point on an axis-aligned ellipsoid's surface to p, and the signed distance (positive outside). */
export function ellipsoidNearest(center: V3, semiAxes: V3, p: V3): { point: V3; signed: number } {
  const point: V3 = [0, 0, 0];
  const signed = ellipsoidSigned(center, semiAxes, p, point);
  return { point, signed };
}

export function ellipsoidSignedDistance(center: V3, semiAxes: V3, p: V3): number {
  return ellipsoidSigned(center, semiAxes, p);
}

/** Signed distance from p to an axis-aligned box (half sizes h), positive outside. */
export function boxSignedDistance(center: V3, half: V3, p: V3): number {
  const qx = Math.abs(p[0] - center[0]) - half[0];
  const qy = Math.abs(p[1] - center[1]) - half[1];
  const qz = Math.abs(p[2] - center[2]) - half[2];
  const outside = robustLength(Math.max(qx, 0), Math.max(qy, 0), Math.max(qz, 0));
  return outside + Math.min(Math.max(qx, qy, qz), 0);
}

export function sphereSignedDistance(center: V3, radius: number, p: V3): number {
  return robustLength(p[0] - center[0], p[1] - center[1], p[2] - center[2]) - radius;
}
