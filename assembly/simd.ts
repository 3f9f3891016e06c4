// f64x2 build: two cases per step, written by hand (Binaryen does not vectorise).
// Same exports and the same arithmetic, in the same order, as the scalar build, so
// the two agree to the last bit; an odd last case falls through to the scalar loop.
export { reserve, release, heapTop } from './memory';
export { rayGap, jacobian, classic } from './targeting';
export { ellipsoidDistances } from './margins';
export { simulate, philoxBlock, normals, uniforms } from './simulate';
import { triangulateRange, triangulatePairRange, projectRange, at, SINGULAR_DET } from './targeting';

export const SIMD: i32 = 1;

@inline function add(a: v128, b: v128): v128 { return f64x2.add(a, b); }
@inline function sub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
@inline function mul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
@inline function div(a: v128, b: v128): v128 { return f64x2.div(a, b); }
@inline function splat(a: f64): v128 { return f64x2.splat(a); }

export function triangulate(
  n: i32, views: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  if (views == 2) return triangulatePair(n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  const one = splat(1.0);
  const zero = splat(0.0);
  const nan = splat(NaN);
  const tiny = splat(SINGULAR_DET);
  let singular = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let a00 = zero, a01 = zero, a02 = zero, a11 = zero, a12 = zero, a22 = zero;
    let b0 = zero, b1 = zero, b2 = zero;
    for (let k = 0; k < views; k++) {
      const sxs = load<f64>(sx + (<usize>k << 3));
      const szs = load<f64>(sz + (<usize>k << 3));
      const Sx = splat(sxs), Sz = splat(szs);
      const wx = sub(v128.load(at(u, k, n, i)), Sx);
      const wy = v128.load(at(v, k, n, i));
      const wz = splat(dz - szs);
      const inv = div(one, add(add(mul(wx, wx), mul(wy, wy)), mul(wz, wz)));
      const px = mul(wx, inv), py = mul(wy, inv), pz = mul(wz, inv);
      const q = mul(add(mul(wx, Sx), mul(wz, Sz)), inv);
      a00 = add(a00, sub(one, mul(wx, px))); a01 = sub(a01, mul(wx, py)); a02 = sub(a02, mul(wx, pz));
      a11 = add(a11, sub(one, mul(wy, py))); a12 = sub(a12, mul(wy, pz)); a22 = add(a22, sub(one, mul(wz, pz)));
      b0 = add(b0, sub(Sx, mul(wx, q))); b1 = sub(b1, mul(wy, q)); b2 = add(b2, sub(Sz, mul(wz, q)));
    }
    const c00 = sub(mul(a11, a22), mul(a12, a12));
    const c01 = sub(mul(a02, a12), mul(a01, a22));
    const c02 = sub(mul(a01, a12), mul(a02, a11));
    const c11 = sub(mul(a00, a22), mul(a02, a02));
    const c12 = sub(mul(a01, a02), mul(a00, a12));
    const c22 = sub(mul(a00, a11), mul(a01, a01));
    const det = add(add(mul(a00, c00), mul(a01, c01)), mul(a02, c02));
    const ok = f64x2.gt(det, tiny);
    const r = div(one, det);
    const x = v128.bitselect(mul(add(add(mul(c00, b0), mul(c01, b1)), mul(c02, b2)), r), nan, ok);
    const y = v128.bitselect(mul(add(add(mul(c01, b0), mul(c11, b1)), mul(c12, b2)), r), nan, ok);
    const z = v128.bitselect(mul(add(add(mul(c02, b0), mul(c12, b1)), mul(c22, b2)), r), nan, ok);
    singular += <i32>(i64x2.extract_lane(ok, 0) == 0) + <i32>(i64x2.extract_lane(ok, 1) == 0);
    const o = <usize>i << 3;
    v128.store(outX + o, x);
    v128.store(outY + o, y);
    v128.store(outZ + o, z);
    if (outDist != 0) {
      for (let k = 0; k < views; k++) {
        const sxs = load<f64>(sx + (<usize>k << 3));
        const szs = load<f64>(sz + (<usize>k << 3));
        const Sx = splat(sxs), Sz = splat(szs);
        const wx = sub(v128.load(at(u, k, n, i)), Sx);
        const wy = v128.load(at(v, k, n, i));
        const wz = splat(dz - szs);
        const inv = div(one, add(add(mul(wx, wx), mul(wy, wy)), mul(wz, wz)));
        v128.store(at(outDist, k, n, i), rayDistance(x, y, z, Sx, Sz, wx, wy, wz, inv));
      }
    }
  }
  if (i < n) {
    singular += triangulateRange(i, n, n, views, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  }
  return singular;
}

/** |r x w| / |w| for r = X - S, both lanes; inv = 1 / |w|^2. */
@inline function rayDistance(x: v128, y: v128, z: v128, Sx: v128, Sz: v128, wx: v128, wy: v128, wz: v128, inv: v128): v128 {
  const rx = sub(x, Sx), ry = y, rz = sub(z, Sz);
  const cx = sub(mul(ry, wz), mul(rz, wy));
  const cy = sub(mul(rz, wx), mul(rx, wz));
  const cz = sub(mul(rx, wy), mul(ry, wx));
  return f64x2.sqrt(mul(add(add(mul(cx, cx), mul(cy, cy)), mul(cz, cz)), inv));
}

/**
 * Two cases of the stereo pair at byte offset o. Returns the "solvable" mask
 * (all ones per lane that has a point), which the caller sums as i64 lanes.
 */
@inline function pairStep(
  o: usize, u: usize, v: usize, u1: usize, v1: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, outGap: usize,
  S0x: v128, S0z: v128, S1x: v128, S1z: v128, W0z: v128, W1z: v128, W0zz: v128, W1zz: v128,
  Dx: v128, Dz: v128, K0: v128, K1: v128, limit: v128, one: v128, half: v128, nan: v128,
): v128 {
  const w0x = sub(v128.load(u + o), S0x), w0y = v128.load(v + o);
  const w1x = sub(v128.load(u1 + o), S1x), w1y = v128.load(v1 + o);
  const nx = sub(mul(w0y, W1z), mul(W0z, w1y));
  const ny = sub(mul(W0z, w1x), mul(w0x, W1z));
  const nz = sub(mul(w0x, w1y), mul(w0y, w1x));
  const nn = add(add(mul(nx, nx), mul(ny, ny)), mul(nz, nz));
  const n0 = add(add(mul(w0x, w0x), mul(w0y, w0y)), W0zz);
  const n1 = add(add(mul(w1x, w1x), mul(w1y, w1y)), W1zz);
  const r = div(one, nn);
  const s = mul(add(add(mul(f64x2.neg(mul(Dz, w1y)), nx), mul(sub(mul(Dz, w1x), K1), ny)), mul(mul(Dx, w1y), nz)), r);
  const t = mul(add(add(mul(f64x2.neg(mul(Dz, w0y)), nx), mul(sub(mul(Dz, w0x), K0), ny)), mul(mul(Dx, w0y), nz)), r);
  const ok = f64x2.gt(nn, mul(limit, mul(n0, n1)));
  const x = v128.bitselect(mul(half, add(add(S0x, mul(s, w0x)), add(S1x, mul(t, w1x)))), nan, ok);
  const y = v128.bitselect(mul(half, add(mul(s, w0y), mul(t, w1y))), nan, ok);
  const z = v128.bitselect(mul(half, add(add(S0z, mul(s, W0z)), add(S1z, mul(t, W1z)))), nan, ok);
  const gap = v128.bitselect(mul(f64x2.abs(add(mul(Dx, nx), mul(Dz, nz))), f64x2.sqrt(r)), nan, ok);
  v128.store(outX + o, x);
  v128.store(outY + o, y);
  v128.store(outZ + o, z);
  if (outDist != 0) {
    const h = mul(half, gap);
    v128.store(outDist + o, h);
    v128.store(d1 + o, h);
  }
  if (outGap != 0) v128.store(outGap + o, gap);
  return ok;
}

/**
 * The stereo pair, two cases per step: the common-perpendicular midpoint of
 * triangulatePairRange, operation for operation, with every per-view constant
 * splatted once per batch.
 */
function triangulatePair(
  n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  const one = splat(1.0);
  const half = splat(0.5);
  const nan = splat(NaN);
  const s0x = load<f64>(sx), s0z = load<f64>(sz), s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8);
  const w0zs = dz - s0z, w1zs = dz - s1z;
  const Dxs = s1x - s0x, Dzs = s1z - s0z;
  const S0x = splat(s0x), S0z = splat(s0z), S1x = splat(s1x), S1z = splat(s1z);
  const W0z = splat(w0zs), W1z = splat(w1zs);
  const W0zz = splat(w0zs * w0zs), W1zz = splat(w1zs * w1zs);
  const Dx = splat(Dxs), Dz = splat(Dzs);
  const K0 = splat(Dxs * w0zs), K1 = splat(Dxs * w1zs);
  const limit = splat(0.5 * SINGULAR_DET);
  const u1 = u + (<usize>n << 3), v1 = v + (<usize>n << 3), d1 = outDist + (<usize>n << 3);
  let i = 0;
  // Each solvable lane adds -1 (all ones) to its i64 counter.
  let solvable = i64x2.splat(0);
  // Four cases per step (two independent f64x2 chains): the division and root
  // latencies of one chain hide behind the arithmetic of the other.
  for (; i + 3 < n; i += 4) {
    solvable = i64x2.add(solvable, pairStep(<usize>i << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S0z, S1x, S1z, W0z, W1z, W0zz, W1zz, Dx, Dz, K0, K1, limit, one, half, nan));
    solvable = i64x2.add(solvable, pairStep(<usize>(i + 2) << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S0z, S1x, S1z, W0z, W1z, W0zz, W1zz, Dx, Dz, K0, K1, limit, one, half, nan));
  }
  for (; i + 1 < n; i += 2) {
    solvable = i64x2.add(solvable, pairStep(<usize>i << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S0z, S1x, S1z, W0z, W1z, W0zz, W1zz, Dx, Dz, K0, K1, limit, one, half, nan));
  }
  let singular = i + <i32>(i64x2.extract_lane(solvable, 0) + i64x2.extract_lane(solvable, 1));
  if (i < n) {
    singular += triangulatePairRange(i, n, n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  }
  return singular;
}

export function project(
  n: i32, Sx: f64, Sz: f64, dz: f64, px: usize, py: usize, pz: usize, outU: usize, outV: usize,
): void {
  const sxv = f64x2.splat(Sx), szv = f64x2.splat(Sz), span = f64x2.splat(dz - Sz);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i << 3;
    const t = div(span, sub(v128.load(pz + o), szv));
    v128.store(outU + o, add(sxv, mul(t, sub(v128.load(px + o), sxv))));
    v128.store(outV + o, mul(t, v128.load(py + o)));
  }
  if (i < n) projectRange(i, n, Sx, Sz, dz, px, py, pz, outU, outV);
}
