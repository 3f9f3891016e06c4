// Distances from many points (calcifications, markers) to one ellipsoid's surface,
// over structure-of-arrays columns. Eberly's method (bisection on the one-variable
// root equation, on-axis and centre cases exact), with two changes that keep every
// valid input finite:
//
// - The root is bracketed in u = s + 1 rather than s. With r_k = (e_k / e2)^2 and
//   m_k = r_k - 1, z_k = y_k / e_k, the equation reads
//     F(u) = (r0 z0 / (u + m0))^2 + (r1 z1 / (u + m1))^2 + (z2 / u)^2 - 1 = 0,
//   bracketed by [z2, 1] inside the ellipsoid and [z2, |(r0 z0, r1 z1, z2)|] outside,
//   and the nearest point is (r0 y0 / (u + m0), r1 y1 / (u + m1), y2 / u). In s the
//   root of a point 1e-17 off the z = 0 plane lies within 1e-18 of -1, which a double
//   cannot hold (s + 1 became 0 or 1.1e-16: NaN or a wrong point); u holds it.
// - A point is on a symmetry plane when its scaled coordinate z_k = y_k / e_k is 0
//   (not y_k): a coordinate so small that z_k underflows takes the plane's branch,
//   where the formulas never divide by it.
//
// The host passes the axes sorted e0 >= e1 >= e2 and the coordinate columns in the
// same order, so the kernel works in the sorted frame and needs no sorting. The SIMD
// build (margins-simd.ts) runs the bisection of two points in the two lanes of f64x2
// with the same operations in the same order: its results are bit-identical.

export const MAX_BISECTIONS: i32 = 2100;

@inline export function len3(a: f64, b: f64, c: f64): f64 {
  const m = Math.max(Math.abs(a), Math.max(Math.abs(b), Math.abs(c)));
  if (m == 0) return 0;
  const x = a / m, y = b / m, z = c / m;
  return m * Math.sqrt(x * x + y * y + z * z);
}

// Nearest point on an ellipse (e0 >= e1) to (y0, y1) >= 0, written to the globals.
let ex0: f64 = 0, ex1: f64 = 0;
function nearestEllipse(e0: f64, e1: f64, y0: f64, y1: f64): void {
  const z0 = y0 / e0, z1 = y1 / e1;
  if (z1 > 0) {
    if (z0 > 0) {
      let g = z0 * z0 + z1 * z1 - 1;
      if (g == 0) { ex0 = y0; ex1 = y1; return; }
      const r0 = (e0 / e1) * (e0 / e1), m0 = r0 - 1;
      const n0 = r0 * z0;
      let lo = z1;
      let hi = g < 0 ? 1.0 : len3(n0, z1, 0);
      let u = 0.0;
      for (let i = 0; i < MAX_BISECTIONS; i++) {
        u = (lo + hi) * 0.5;
        if (u == lo || u == hi) break;
        const a = n0 / (u + m0), b = z1 / u;
        g = a * a + b * b - 1;
        if (g > 0) lo = u; else if (g < 0) hi = u; else break;
      }
      ex0 = (r0 * y0) / (u + m0);
      ex1 = y1 / u;
      return;
    }
    ex0 = 0; ex1 = e1;
    return;
  }
  const numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    ex0 = e0 * xde0;
    ex1 = e1 * Math.sqrt(Math.max(0, 1 - xde0 * xde0));
    return;
  }
  ex0 = e0; ex1 = 0;
}

/** The u-bisection of the general case (every z_k > 0, g != 0); returns u. */
@inline export function rootEllipsoid(n0: f64, n1: f64, z2: f64, m0: f64, m1: f64, g: f64): f64 {
  let lo = z2;
  let hi = g < 0 ? 1.0 : len3(n0, n1, z2);
  let u = 0.0;
  for (let k = 0; k < MAX_BISECTIONS; k++) {
    u = (lo + hi) * 0.5;
    if (u == lo || u == hi) break;
    const a = n0 / (u + m0), b = n1 / (u + m1), c = z2 / u;
    const gg = a * a + b * b + c * c - 1;
    if (gg > 0) lo = u; else if (gg < 0) hi = u; else break;
  }
  return u;
}

/** Points [from, to): see ellipsoidDistances. */
export function ellipsoidRange(
  from: i32, to: i32, e0: f64, e1: f64, e2: f64, c0: f64, c1: f64, c2: f64,
  px: usize, py: usize, pz: usize,
  outSigned: usize, outX: usize, outY: usize, outZ: usize,
): void {
  const r0 = (e0 / e2) * (e0 / e2), r1 = (e1 / e2) * (e1 / e2);
  const m0 = r0 - 1, m1 = r1 - 1;
  const denom0 = e0 * e0 - e2 * e2, denom1 = e1 * e1 - e2 * e2;
  for (let i = from; i < to; i++) {
    const o = <usize>i << 3;
    const d0 = load<f64>(px + o) - c0, d1 = load<f64>(py + o) - c1, d2 = load<f64>(pz + o) - c2;
    const y0 = Math.abs(d0), y1 = Math.abs(d1), y2 = Math.abs(d2);
    const z0 = y0 / e0, z1 = y1 / e1, z2 = y2 / e2;
    let x0 = 0.0, x1 = 0.0, x2 = 0.0;
    if (z2 > 0) {
      if (z1 > 0) {
        if (z0 > 0) {
          const g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
          if (g == 0) {
            x0 = y0; x1 = y1; x2 = y2;
          } else {
            const u = rootEllipsoid(r0 * z0, r1 * z1, z2, m0, m1, g);
            x0 = (r0 * y0) / (u + m0);
            x1 = (r1 * y1) / (u + m1);
            x2 = y2 / u;
          }
        } else {
          nearestEllipse(e1, e2, y1, y2);
          x0 = 0; x1 = ex0; x2 = ex1;
        }
      } else if (z0 > 0) {
        nearestEllipse(e0, e2, y0, y2);
        x0 = ex0; x1 = 0; x2 = ex1;
      } else {
        x0 = 0; x1 = 0; x2 = e2;
      }
    } else {
      let done = false;
      const numer0 = e0 * y0, numer1 = e1 * y1;
      if (numer0 < denom0 && numer1 < denom1) {
        const xde0 = numer0 / denom0, xde1 = numer1 / denom1;
        const discr = 1 - xde0 * xde0 - xde1 * xde1;
        if (discr > 0) {
          x0 = e0 * xde0; x1 = e1 * xde1; x2 = e2 * Math.sqrt(discr);
          done = true;
        }
      }
      if (!done) {
        nearestEllipse(e0, e1, y0, y1);
        x0 = ex0; x1 = ex1; x2 = 0;
      }
    }
    const dist = len3(x0 - y0, x1 - y1, x2 - y2);
    const inside = z0 * z0 + z1 * z1 + z2 * z2 < 1;
    store<f64>(outSigned + o, inside ? -dist : dist);
    store<f64>(outX + o, c0 + (d0 < 0 ? -x0 : x0));
    store<f64>(outY + o, c1 + (d1 < 0 ? -x1 : x1));
    store<f64>(outZ + o, c2 + (d2 < 0 ? -x2 : x2));
  }
}

/**
 * For each point i < n: the signed distance to the ellipsoid surface (positive
 * outside) and the nearest surface point, in the sorted frame (e0 >= e1 >= e2 > 0,
 * centre c0, c1, c2 on the same axes); outputs use the same frame.
 */
export function ellipsoidDistances(
  n: i32, e0: f64, e1: f64, e2: f64, c0: f64, c1: f64, c2: f64,
  px: usize, py: usize, pz: usize,
  outSigned: usize, outX: usize, outY: usize, outZ: usize,
): void {
  ellipsoidRange(0, n, e0, e1, e2, c0, c1, c2, px, py, pz, outSigned, outX, outY, outZ);
}
