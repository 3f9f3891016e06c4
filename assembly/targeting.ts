// Stereo triangulation kernels over structure-of-arrays columns.
//
// Every batch shares one unit geometry and one set of views: the view table holds
// each source position (x, z; sources sit in the y = 0 plane) and the detector
// plane's z. Per-view columns are laid out view after view: view k's column starts
// at base + k * n * 8. Marks are detector points (u, v) in mm.

// Below this, A (a sum of ray projectors, det = 2 sin^2 of the ray angle for two
// views) is treated as singular: the rays are parallel to within ~5e-5 degrees.
export const SINGULAR_DET: f64 = 1e-12;

@inline export function at(base: usize, k: i32, n: i32, i: i32): usize {
  return base + ((<usize>k * <usize>n + <usize>i) << 3);
}

/**
 * Least-squares triangulation of cases [from, to) for any number of views: the point
 * minimising the summed squared perpendicular distances to every view's ray, by the
 * closed-form 3x3 solve. Writes x, y, z and each view's ray distance (outDist = 0
 * skips them). Singular cases get NaN; returns how many there were. Two views take
 * triangulatePairRange instead; outGap is unused here (see rayGap for pairs).
 */
export function triangulateRange(
  from: i32, to: i32, n: i32, views: i32,
  sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  // Normal equations with p = w / |w|^2 and q = (w . S) / |w|^2:
  //   A = sum (I - w p^T),  b = sum (S - w q).
  // The SIMD build performs these same operations in the same order.
  let singular = 0;
  for (let i = from; i < to; i++) {
    let a00 = 0.0, a01 = 0.0, a02 = 0.0, a11 = 0.0, a12 = 0.0, a22 = 0.0;
    let b0 = 0.0, b1 = 0.0, b2 = 0.0;
    for (let k = 0; k < views; k++) {
      const Sx = load<f64>(sx + (<usize>k << 3));
      const Sz = load<f64>(sz + (<usize>k << 3));
      const wx = load<f64>(at(u, k, n, i)) - Sx;
      const wy = load<f64>(at(v, k, n, i));
      const wz = dz - Sz;
      const inv = 1.0 / (wx * wx + wy * wy + wz * wz);
      const px = wx * inv, py = wy * inv, pz = wz * inv;
      const q = (wx * Sx + wz * Sz) * inv;
      a00 += 1.0 - wx * px; a01 -= wx * py; a02 -= wx * pz;
      a11 += 1.0 - wy * py; a12 -= wy * pz; a22 += 1.0 - wz * pz;
      b0 += Sx - wx * q; b1 -= wy * q; b2 += Sz - wz * q;
    }
    const c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
    const c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
    const det = a00 * c00 + a01 * c01 + a02 * c02;
    let x = NaN, y = NaN, z = NaN;
    if (det > SINGULAR_DET) {
      const r = 1.0 / det;
      x = (c00 * b0 + c01 * b1 + c02 * b2) * r;
      y = (c01 * b0 + c11 * b1 + c12 * b2) * r;
      z = (c02 * b0 + c12 * b1 + c22 * b2) * r;
    } else {
      singular++;
    }
    store<f64>(outX + (<usize>i << 3), x);
    store<f64>(outY + (<usize>i << 3), y);
    store<f64>(outZ + (<usize>i << 3), z);
    if (outDist != 0) {
      for (let k = 0; k < views; k++) {
        const Sx = load<f64>(sx + (<usize>k << 3));
        const Sz = load<f64>(sz + (<usize>k << 3));
        const wx = load<f64>(at(u, k, n, i)) - Sx;
        const wy = load<f64>(at(v, k, n, i));
        const wz = dz - Sz;
        const inv = 1.0 / (wx * wx + wy * wy + wz * wz);
        // |r x w| / |w| rather than |r|^2 - (r.w)^2/|w|^2, which loses ~6 digits
        // to cancellation when the point lies on the ray.
        const rx = x - Sx, ry = y, rz = z - Sz;
        const cx = ry * wz - rz * wy, cy = rz * wx - rx * wz, cz = rx * wy - ry * wx;
        store<f64>(at(outDist, k, n, i), Math.sqrt((cx * cx + cy * cy + cz * cz) * inv));
      }
    }
  }
  return singular;
}

/** |r x w| / |w| for r = X - S, with inv = 1 / |w|^2 (triangulateRange's ray distance). */
@inline export function rayDistance(x: f64, y: f64, z: f64, Sx: f64, Sz: f64, wx: f64, wy: f64, wz: f64, inv: f64): f64 {
  const rx = x - Sx, ry = y, rz = z - Sz;
  const cx = ry * wz - rz * wy, cy = rz * wx - rx * wz, cz = rx * wy - ry * wx;
  return Math.sqrt((cx * cx + cy * cy + cz * cz) * inv);
}

/**
 * 3 views, unrolled, the normal equations of triangulateRange arranged for fewer
 * operations (a fifth fewer to assemble them; the results agree with the general path
 * to a few units in the last place, not to the bit):
 * - each view's projector terms from the squares |w|^2 already needs, scaled by
 *   g = 1 / |w|^2 (w_x^2 g rather than w_x (w_x g));
 * - the diagonal as 3 - sum of w w^T g, the off-diagonal and b_y sums kept with the
 *   opposite sign (n01 = -a01 and so on), the signs folded into the cofactors, which
 *   is exact;
 * - b_x and b_z as (the sum of the sources) - sum w q.
 * The per-view constants (source, w_z, w_z^2, w_z S_z) are computed once per batch.
 * The SIMD build runs these operations in the same order (bit-identical results).
 */
export function triangulate3Range(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize,
): i32 {
  const stride = <usize>n << 3;
  const S0x = load<f64>(sx + 0), S0z = load<f64>(sz + 0);
  const W0z = dz - S0z, W0zz = W0z * W0z, W0zS = W0z * S0z;
  const S1x = load<f64>(sx + 8), S1z = load<f64>(sz + 8);
  const W1z = dz - S1z, W1zz = W1z * W1z, W1zS = W1z * S1z;
  const S2x = load<f64>(sx + 16), S2z = load<f64>(sz + 16);
  const W2z = dz - S2z, W2zz = W2z * W2z, W2zS = W2z * S2z;
  const SX = (S0x + S1x) + S2x, SZ = (S0z + S1z) + S2z;
  const u1 = u + stride, v1 = v + stride, d1 = outDist + stride;
  const u2 = u1 + stride, v2 = v1 + stride, d2 = d1 + stride;
  let singular = 0;
  for (let i = from; i < to; i++) {
    const o = <usize>i << 3;
    const w0x = load<f64>(u + o) - S0x, w0y = load<f64>(v + o);
    const w1x = load<f64>(u1 + o) - S1x, w1y = load<f64>(v1 + o);
    const w2x = load<f64>(u2 + o) - S2x, w2y = load<f64>(v2 + o);
    const xx0 = w0x * w0x, yy0 = w0y * w0y, g0 = 1.0 / ((xx0 + yy0) + W0zz);
    const xx1 = w1x * w1x, yy1 = w1y * w1y, g1 = 1.0 / ((xx1 + yy1) + W1zz);
    const xx2 = w2x * w2x, yy2 = w2y * w2y, g2 = 1.0 / ((xx2 + yy2) + W2zz);
    const p0z = W0z * g0, q0 = (w0x * S0x + W0zS) * g0;
    const p1z = W1z * g1, q1 = (w1x * S1x + W1zS) * g1;
    const p2z = W2z * g2, q2 = (w2x * S2x + W2zS) * g2;
    const a00 = 3.0 - ((xx0 * g0 + xx1 * g1) + xx2 * g2);
    const a11 = 3.0 - ((yy0 * g0 + yy1 * g1) + yy2 * g2);
    const a22 = 3.0 - ((W0z * p0z + W1z * p1z) + W2z * p2z);
    const n01 = ((w0x * w0y) * g0 + (w1x * w1y) * g1) + (w2x * w2y) * g2;
    const n02 = (w0x * p0z + w1x * p1z) + w2x * p2z;
    const n12 = (w0y * p0z + w1y * p1z) + w2y * p2z;
    const b0 = SX - ((w0x * q0 + w1x * q1) + w2x * q2);
    const nb1 = (w0y * q0 + w1y * q1) + w2y * q2;
    const b2 = SZ - ((W0z * q0 + W1z * q1) + W2z * q2);
    const c00 = a11 * a22 - n12 * n12, c01 = n02 * n12 + n01 * a22, c02 = n01 * n12 + n02 * a11;
    const c11 = a00 * a22 - n02 * n02, c12 = n01 * n02 + a00 * n12, c22 = a00 * a11 - n01 * n01;
    const det = a00 * c00 - (n01 * c01 + n02 * c02);
    let x = NaN, y = NaN, z = NaN;
    if (det > SINGULAR_DET) {
      const r = 1.0 / det;
      x = ((c00 * b0 - c01 * nb1) + c02 * b2) * r;
      y = ((c01 * b0 - c11 * nb1) + c12 * b2) * r;
      z = ((c02 * b0 - c12 * nb1) + c22 * b2) * r;
    } else {
      singular++;
    }
    store<f64>(outX + o, x);
    store<f64>(outY + o, y);
    store<f64>(outZ + o, z);
    if (outDist != 0) {
      store<f64>(outDist + o, rayDistance(x, y, z, S0x, S0z, w0x, w0y, W0z, g0));
      store<f64>(d1 + o, rayDistance(x, y, z, S1x, S1z, w1x, w1y, W1z, g1));
      store<f64>(d2 + o, rayDistance(x, y, z, S2x, S2z, w2x, w2y, W2z, g2));
    }
  }
  return singular;
}

/**
 * 4 views, unrolled: triangulateRange's operations in the same order with the
 * per-view constants (source, w_z, w_z^2, w_z S_z) computed once per batch, and each
 * view's w and 1/|w|^2 kept for the ray distances.
 */
export function triangulate4Range(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize,
): i32 {
  const stride = <usize>n << 3;
  const S0x = load<f64>(sx + 0), S0z = load<f64>(sz + 0);
  const W0z = dz - S0z, W0zz = W0z * W0z, W0zS = W0z * S0z;
  const S1x = load<f64>(sx + 8), S1z = load<f64>(sz + 8);
  const W1z = dz - S1z, W1zz = W1z * W1z, W1zS = W1z * S1z;
  const S2x = load<f64>(sx + 16), S2z = load<f64>(sz + 16);
  const W2z = dz - S2z, W2zz = W2z * W2z, W2zS = W2z * S2z;
  const S3x = load<f64>(sx + 24), S3z = load<f64>(sz + 24);
  const W3z = dz - S3z, W3zz = W3z * W3z, W3zS = W3z * S3z;
  const u1 = u + stride, v1 = v + stride, d1 = outDist + stride;
  const u2 = u1 + stride, v2 = v1 + stride, d2 = d1 + stride;
  const u3 = u2 + stride, v3 = v2 + stride, d3 = d2 + stride;
  let singular = 0;
  for (let i = from; i < to; i++) {
    const o = <usize>i << 3;
    const w0x = load<f64>(u + o) - S0x, w0y = load<f64>(v + o);
    const i0 = 1.0 / (w0x * w0x + w0y * w0y + W0zz);
    const p0x = w0x * i0, p0y = w0y * i0, p0z = W0z * i0;
    const q0 = (w0x * S0x + W0zS) * i0;
    const w1x = load<f64>(u1 + o) - S1x, w1y = load<f64>(v1 + o);
    const i1 = 1.0 / (w1x * w1x + w1y * w1y + W1zz);
    const p1x = w1x * i1, p1y = w1y * i1, p1z = W1z * i1;
    const q1 = (w1x * S1x + W1zS) * i1;
    const w2x = load<f64>(u2 + o) - S2x, w2y = load<f64>(v2 + o);
    const i2 = 1.0 / (w2x * w2x + w2y * w2y + W2zz);
    const p2x = w2x * i2, p2y = w2y * i2, p2z = W2z * i2;
    const q2 = (w2x * S2x + W2zS) * i2;
    const w3x = load<f64>(u3 + o) - S3x, w3y = load<f64>(v3 + o);
    const i3 = 1.0 / (w3x * w3x + w3y * w3y + W3zz);
    const p3x = w3x * i3, p3y = w3y * i3, p3z = W3z * i3;
    const q3 = (w3x * S3x + W3zS) * i3;
    const a00 = (((0.0 + (1.0 - w0x * p0x)) + (1.0 - w1x * p1x)) + (1.0 - w2x * p2x)) + (1.0 - w3x * p3x);
    const a01 = (((0.0 - w0x * p0y) - w1x * p1y) - w2x * p2y) - w3x * p3y;
    const a02 = (((0.0 - w0x * p0z) - w1x * p1z) - w2x * p2z) - w3x * p3z;
    const a11 = (((0.0 + (1.0 - w0y * p0y)) + (1.0 - w1y * p1y)) + (1.0 - w2y * p2y)) + (1.0 - w3y * p3y);
    const a12 = (((0.0 - w0y * p0z) - w1y * p1z) - w2y * p2z) - w3y * p3z;
    const a22 = (((0.0 + (1.0 - W0z * p0z)) + (1.0 - W1z * p1z)) + (1.0 - W2z * p2z)) + (1.0 - W3z * p3z);
    const b0 = (((0.0 + (S0x - w0x * q0)) + (S1x - w1x * q1)) + (S2x - w2x * q2)) + (S3x - w3x * q3);
    const b1 = (((0.0 - w0y * q0) - w1y * q1) - w2y * q2) - w3y * q3;
    const b2 = (((0.0 + (S0z - W0z * q0)) + (S1z - W1z * q1)) + (S2z - W2z * q2)) + (S3z - W3z * q3);
    const c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
    const c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
    const det = a00 * c00 + a01 * c01 + a02 * c02;
    let x = NaN, y = NaN, z = NaN;
    if (det > SINGULAR_DET) {
      const r = 1.0 / det;
      x = (c00 * b0 + c01 * b1 + c02 * b2) * r;
      y = (c01 * b0 + c11 * b1 + c12 * b2) * r;
      z = (c02 * b0 + c12 * b1 + c22 * b2) * r;
    } else {
      singular++;
    }
    store<f64>(outX + o, x);
    store<f64>(outY + o, y);
    store<f64>(outZ + o, z);
    if (outDist != 0) {
      store<f64>(outDist + o, rayDistance(x, y, z, S0x, S0z, w0x, w0y, W0z, i0));
      store<f64>(d1 + o, rayDistance(x, y, z, S1x, S1z, w1x, w1y, W1z, i1));
      store<f64>(d2 + o, rayDistance(x, y, z, S2x, S2z, w2x, w2y, W2z, i2));
      store<f64>(d3 + o, rayDistance(x, y, z, S3x, S3z, w3x, w3y, W3z, i3));
    }
  }
  return singular;
}


// For two rays the least-squares point (minimum summed squared distance) is the
// midpoint of their common perpendicular: the same point as the 3x3 normal
// equations give, for a third of the arithmetic, one division and one root.
// With D = S1 - S0 and n = w0 x w1, the feet of the perpendicular are
//   P = S0 + s w0,  s = ((D x w1) . n) / |n|^2,   Q = S1 + t w1,  t = ((D x w0) . n) / |n|^2,
// the gap is |D . n| / |n| and each ray lies gap / 2 from the target. The midpoint
// (P + Q) / 2 is formed as (S0 + S1) / 2 + ((s/2) w0 + (t/2) w1), halving r once
// instead of each coordinate.
// Both rays are parallel (no point) when sin^2 of their angle, |n|^2 / (|w0|^2 |w1|^2),
// is below SINGULAR_DET / 2: the same limit as det(A) = 2 sin^2 in the general path.
// |w0|^2 |w1|^2 is taken as |n|^2 + (w0 . w1)^2 (Lagrange's identity; both terms
// positive, so no digits are lost), for fewer operations than the two norms.
// The SIMD build runs these operations in the same order (bit-identical results).

/** The usual stereo pair, cases [from, to). */
export function triangulatePairRange(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  const s0x = load<f64>(sx), s0z = load<f64>(sz), s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8);
  const w0z = dz - s0z, w1z = dz - s1z;
  const w01 = w0z * w1z;
  const Dx = s1x - s0x, Dz = s1z - s0z;
  const K0 = Dx * w0z, K1 = Dx * w1z;
  const limit = 0.5 * SINGULAR_DET;
  const hx = 0.5 * s0x + 0.5 * s1x, hz = 0.5 * s0z + 0.5 * s1z;
  const u1 = u + (<usize>n << 3), v1 = v + (<usize>n << 3), d1 = outDist + (<usize>n << 3);
  let singular = 0;
  for (let i = from; i < to; i++) {
    const o = <usize>i << 3;
    const w0x = load<f64>(u + o) - s0x, w0y = load<f64>(v + o);
    const w1x = load<f64>(u1 + o) - s1x, w1y = load<f64>(v1 + o);
    const nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const nn = nx * nx + ny * ny + nz * nz;
    const d = w0x * w1x + w0y * w1y + w01;
    const r = 1.0 / nn;
    const rh = r * 0.5;
    // s/2 and t/2. With D = (Dx, 0, Dz), (D x w1) . n = w1y (Dx nz - Dz nx) + (Dz w1x - Dx w1z) ny,
    // and likewise for w0: the bracket m is common to both.
    const m = Dx * nz - Dz * nx;
    const s = (w1y * m + (Dz * w1x - K1) * ny) * rh;
    const t = (w0y * m + (Dz * w0x - K0) * ny) * rh;
    let x = NaN, y = NaN, z = NaN, gap = NaN;
    if (nn > limit * (nn + d * d)) {
      x = hx + (s * w0x + t * w1x);
      y = s * w0y + t * w1y;
      z = hz + (s * w0z + t * w1z);
      gap = Math.abs(Dx * nx + Dz * nz) * Math.sqrt(r);
    } else {
      singular++;
    }
    store<f64>(outX + o, x);
    store<f64>(outY + o, y);
    store<f64>(outZ + o, z);
    if (outDist != 0) {
      const half = 0.5 * gap;
      store<f64>(outDist + o, half);
      store<f64>(d1 + o, half);
    }
    if (outGap != 0) store<f64>(outGap + o, gap);
  }
  return singular;
}

/** Shortest distance between the rays of views j and k for every case. */
export function rayGap(
  n: i32, j: i32, k: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize, out: usize,
): void {
  const Sjx = load<f64>(sx + (<usize>j << 3)), Sjz = load<f64>(sz + (<usize>j << 3));
  const Skx = load<f64>(sx + (<usize>k << 3)), Skz = load<f64>(sz + (<usize>k << 3));
  for (let i = 0; i < n; i++) {
    const ax = load<f64>(at(u, j, n, i)) - Sjx, ay = load<f64>(at(v, j, n, i)), az = dz - Sjz;
    const bx = load<f64>(at(u, k, n, i)) - Skx, by = load<f64>(at(v, k, n, i)), bz = dz - Skz;
    const nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
    const nn = Math.sqrt(nx * nx + ny * ny + nz * nz);
    store<f64>(out + (<usize>i << 3), Math.abs((Skx - Sjx) * nx + (Skz - Sjz) * nz) / nn);
  }
}

/** Central projection of points [from, to) through the source (Sx, 0, Sz) onto z = dz. */
export function projectRange(
  from: i32, to: i32, Sx: f64, Sz: f64, dz: f64,
  px: usize, py: usize, pz: usize, outU: usize, outV: usize,
): void {
  for (let i = from; i < to; i++) {
    const o = <usize>i << 3;
    const t = (dz - Sz) / (load<f64>(pz + o) - Sz);
    store<f64>(outU + o, Sx + t * (load<f64>(px + o) - Sx));
    store<f64>(outV + o, t * load<f64>(py + o));
  }
}

/**
 * Jacobian of the triangulated point with respect to every mark, by implicit
 * differentiation of the normal equations A X = b:
 *   dX/dm = A^-1 (dd (d.r) + d (dd.r)),  d = w/|w|,  dd = (I - d d^T) dw/dm / |w|,  r = X - S.
 * out is a block of 3 * 2V columns: row (x, y, z) times mark (u0, v0, u1, v1, ...),
 * column index row * 2V + 2k (+1 for v). Needs the triangulated point in px, py, pz.
 * When cov != 0 also writes sigma^2 J J^T as six columns xx, xy, xz, yy, yz, zz.
 */
export function jacobian(
  n: i32, views: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  px: usize, py: usize, pz: usize, out: usize, cov: usize, sigma: f64,
): void {
  const marks = views * 2;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const X = load<f64>(px + o), Y = load<f64>(py + o), Z = load<f64>(pz + o);
    let a00 = 0.0, a01 = 0.0, a02 = 0.0, a11 = 0.0, a12 = 0.0, a22 = 0.0;
    for (let k = 0; k < views; k++) {
      const Sx = load<f64>(sx + (<usize>k << 3)), Sz = load<f64>(sz + (<usize>k << 3));
      const wx = load<f64>(at(u, k, n, i)) - Sx, wy = load<f64>(at(v, k, n, i)), wz = dz - Sz;
      const inv = 1.0 / (wx * wx + wy * wy + wz * wz);
      a00 += 1.0 - wx * wx * inv; a01 -= wx * wy * inv; a02 -= wx * wz * inv;
      a11 += 1.0 - wy * wy * inv; a12 -= wy * wz * inv; a22 += 1.0 - wz * wz * inv;
    }
    const c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
    const c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
    const r = 1.0 / (a00 * c00 + a01 * c01 + a02 * c02);
    let sxx = 0.0, sxy = 0.0, sxz = 0.0, syy = 0.0, syz = 0.0, szz = 0.0;
    for (let k = 0; k < views; k++) {
      const Sx = load<f64>(sx + (<usize>k << 3)), Sz = load<f64>(sz + (<usize>k << 3));
      const wx = load<f64>(at(u, k, n, i)) - Sx, wy = load<f64>(at(v, k, n, i)), wz = dz - Sz;
      const len = Math.sqrt(wx * wx + wy * wy + wz * wz);
      const dx = wx / len, dy = wy / len, dzz = wz / len;
      const rx = X - Sx, ry = Y, rz = Z - Sz;
      const dr = dx * rx + dy * ry + dzz * rz;
      for (let m = 0; m < 2; m++) {
        // dw/du = e_x, dw/dv = e_y; dd = (e - d (d.e)) / |w|
        const de = m == 0 ? dx : dy;
        const ddx = ((m == 0 ? 1.0 : 0.0) - dx * de) / len;
        const ddy = ((m == 1 ? 1.0 : 0.0) - dy * de) / len;
        const ddz = (-dzz * de) / len;
        const ddr = ddx * rx + ddy * ry + ddz * rz;
        const gx = ddx * dr + dx * ddr, gy = ddy * dr + dy * ddr, gz = ddz * dr + dzz * ddr;
        const jx = (c00 * gx + c01 * gy + c02 * gz) * r;
        const jy = (c01 * gx + c11 * gy + c12 * gz) * r;
        const jz = (c02 * gx + c12 * gy + c22 * gz) * r;
        const mark = k * 2 + m;
        if (out != 0) {
          store<f64>(at(out, mark, n, i), jx);
          store<f64>(at(out, marks + mark, n, i), jy);
          store<f64>(at(out, 2 * marks + mark, n, i), jz);
        }
        sxx += jx * jx; sxy += jx * jy; sxz += jx * jz; syy += jy * jy; syz += jy * jz; szz += jz * jz;
      }
    }
    if (cov != 0) {
      const s2 = sigma * sigma;
      store<f64>(at(cov, 0, n, i), sxx * s2);
      store<f64>(at(cov, 1, n, i), sxy * s2);
      store<f64>(at(cov, 2, n, i), sxz * s2);
      store<f64>(at(cov, 3, n, i), syy * s2);
      store<f64>(at(cov, 4, n, i), syz * s2);
      store<f64>(at(cov, 5, n, i), szz * s2);
    }
  }
}

/**
 * The textbook parallel-beam estimate for a symmetric pair +a/-a (legacy consoles):
 * x, y the mean of the two marks, z = (u- - u+) / (2 tan a) - detectorGap.
 */
export function classic(
  n: i32, tanA: f64, detectorGap: f64,
  uPlus: usize, vPlus: usize, uMinus: usize, vMinus: usize,
  outX: usize, outY: usize, outZ: usize,
): void {
  const k = 0.5 / tanA;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const up = load<f64>(uPlus + o), um = load<f64>(uMinus + o);
    store<f64>(outX + o, 0.5 * (up + um));
    store<f64>(outY + o, 0.5 * (load<f64>(vPlus + o) + load<f64>(vMinus + o)));
    store<f64>(outZ + o, (um - up) * k - detectorGap);
  }
}
