/**
 * Exact distances to the shapes of specimen margins (mm). Signed distances are
 * positive outside the shape and negative inside; `insideDepth` callers negate.
 */

export type V3 = [number, number, number];

/** Robust sqrt(a^2 + b^2 (+ c^2)) without overflow or underflow. */
function robustLength(a: number, b: number, c = 0): number {
  const m = Math.max(Math.abs(a), Math.abs(b), Math.abs(c));
  if (m === 0) return 0;
  const x = a / m, y = b / m, z = c / m;
  return m * Math.sqrt(x * x + y * y + z * z);
}

const MAX_BISECTIONS = 2100; // enough to exhaust f64 between any two brackets

/** Root s of (r0 z0/(s+r0))^2 + (z1/(s+1))^2 = 1 by bisection (Eberly 2013). */
function rootEllipse(r0: number, z0: number, z1: number, g: number): number {
  const n0 = r0 * z0;
  let s0 = z1 - 1;
  let s1 = g < 0 ? 0 : robustLength(n0, z1) - 1;
  let s = 0;
  for (let i = 0; i < MAX_BISECTIONS; i++) {
    s = (s0 + s1) / 2;
    if (s === s0 || s === s1) break;
    const a = n0 / (s + r0), b = z1 / (s + 1);
    const gg = a * a + b * b - 1;
    if (gg > 0) s0 = s;
    else if (gg < 0) s1 = s;
    else break;
  }
  return s;
}

/** Root s of (r0 z0/(s+r0))^2 + (r1 z1/(s+r1))^2 + (z2/(s+1))^2 = 1 by bisection. */
function rootEllipsoid(r0: number, r1: number, z0: number, z1: number, z2: number, g: number): number {
  const n0 = r0 * z0, n1 = r1 * z1;
  let s0 = z2 - 1;
  let s1 = g < 0 ? 0 : robustLength(n0, n1, z2) - 1;
  let s = 0;
  for (let i = 0; i < MAX_BISECTIONS; i++) {
    s = (s0 + s1) / 2;
    if (s === s0 || s === s1) break;
    const a = n0 / (s + r0), b = n1 / (s + r1), c = z2 / (s + 1);
    const gg = a * a + b * b + c * c - 1;
    if (gg > 0) s0 = s;
    else if (gg < 0) s1 = s;
    else break;
  }
  return s;
}

/** Nearest point on the ellipse (e0 >= e1 > 0) to (y0, y1), both >= 0. Returns [x0, x1]. */
function nearestOnEllipse(e0: number, e1: number, y0: number, y1: number): [number, number] {
  if (y1 > 0) {
    if (y0 > 0) {
      const z0 = y0 / e0, z1 = y1 / e1;
      const g = z0 * z0 + z1 * z1 - 1;
      if (g === 0) return [y0, y1];
      const r0 = (e0 / e1) * (e0 / e1);
      const s = rootEllipse(r0, z0, z1, g);
      return [(r0 * y0) / (s + r0), y1 / (s + 1)];
    }
    return [0, e1];
  }
  const numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    return [e0 * xde0, e1 * Math.sqrt(Math.max(0, 1 - xde0 * xde0))];
  }
  return [e0, 0];
}

/** Nearest point on the ellipsoid (e0 >= e1 >= e2 > 0) to y (all >= 0), in the first octant. */
function nearestOnSortedEllipsoid(e: V3, y: V3): V3 {
  const [e0, e1, e2] = e;
  const [y0, y1, y2] = y;
  if (y2 > 0) {
    if (y1 > 0) {
      if (y0 > 0) {
        const z0 = y0 / e0, z1 = y1 / e1, z2 = y2 / e2;
        const g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
        if (g === 0) return [y0, y1, y2];
        const r0 = (e0 / e2) * (e0 / e2), r1 = (e1 / e2) * (e1 / e2);
        const s = rootEllipsoid(r0, r1, z0, z1, z2, g);
        return [(r0 * y0) / (s + r0), (r1 * y1) / (s + r1), y2 / (s + 1)];
      }
      const [x1, x2] = nearestOnEllipse(e1, e2, y1, y2);
      return [0, x1, x2];
    }
    if (y0 > 0) {
      const [x0, x2] = nearestOnEllipse(e0, e2, y0, y2);
      return [x0, 0, x2];
    }
    return [0, 0, e2];
  }
  const denom0 = e0 * e0 - e2 * e2, denom1 = e1 * e1 - e2 * e2;
  const numer0 = e0 * y0, numer1 = e1 * y1;
  if (numer0 < denom0 && numer1 < denom1) {
    const xde0 = numer0 / denom0, xde1 = numer1 / denom1;
    const discr = 1 - xde0 * xde0 - xde1 * xde1;
    if (discr > 0) return [e0 * xde0, e1 * xde1, e2 * Math.sqrt(discr)];
  }
  const [x0, x1] = nearestOnEllipse(e0, e1, y0, y1);
  return [x0, x1, 0];
}

/**
 * The nearest point on an axis-aligned ellipsoid's surface to p, and the signed
 * distance (positive outside). Exact to rounding for points inside, outside, on an
 * axis and at the centre (Eberly, "Distance from a point to an ellipse, an ellipsoid,
 * or a hyperellipsoid", 2013: bisection on the one-variable root equation).
 */
export function ellipsoidNearest(center: V3, semiAxes: V3, p: V3): { point: V3; signed: number } {
  const order = [0, 1, 2].sort((i, j) => semiAxes[j] - semiAxes[i]);
  const e = order.map((i) => semiAxes[i]) as V3;
  const d = order.map((i) => p[i] - center[i]) as V3;
  const y = d.map(Math.abs) as V3;
  const x = nearestOnSortedEllipsoid(e, y);
  const point: V3 = [0, 0, 0];
  order.forEach((axis, k) => (point[axis] = center[axis] + Math.sign(d[k] || 1) * x[k]));
  const dist = robustLength(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
  const inside = (y[0] / e[0]) ** 2 + (y[1] / e[1]) ** 2 + (y[2] / e[2]) ** 2 < 1;
  return { point, signed: inside ? -dist : dist };
}

export function ellipsoidSignedDistance(center: V3, semiAxes: V3, p: V3): number {
  return ellipsoidNearest(center, semiAxes, p).signed;
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
