// f64x2 build: two cases per step, written by hand (Binaryen does not vectorise).
// Same exports and the same arithmetic, in the same order, as the scalar build, so
// the two agree to the last bit; an odd last case falls through to the scalar loop.
export { reserve, release, heapTop } from './memory';
export { rayGap, jacobian, classic } from './targeting';
import { triangulateRange, projectRange, at, SINGULAR_DET } from './targeting';

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
 * The usual stereo pair, unrolled: both views' rays stay in registers from the
 * normal equations through the ray distances and the gap, and every per-view
 * constant is splatted once per batch instead of once per case.
 */
function triangulatePair(
  n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  const one = splat(1.0);
  const nan = splat(NaN);
  const tiny = splat(SINGULAR_DET);
  const s0x = load<f64>(sx), s0z = load<f64>(sz), s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8);
  const S0x = splat(s0x), S0z = splat(s0z), S1x = splat(s1x), S1z = splat(s1z);
  const W0z = splat(dz - s0z), W1z = splat(dz - s1z);
  const W0zz = mul(W0z, W0z), W1zz = mul(W1z, W1z);
  const dSx = splat(s1x - s0x), dSz = splat(s1z - s0z);
  const u1 = u + (<usize>n << 3), v1 = v + (<usize>n << 3);
  const d1 = outDist + (<usize>n << 3);
  let singular = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i << 3;
    const w0x = sub(v128.load(u + o), S0x), w0y = v128.load(v + o);
    const w1x = sub(v128.load(u1 + o), S1x), w1y = v128.load(v1 + o);
    const inv0 = div(one, add(add(mul(w0x, w0x), mul(w0y, w0y)), W0zz));
    const inv1 = div(one, add(add(mul(w1x, w1x), mul(w1y, w1y)), W1zz));
    const p0x = mul(w0x, inv0), p0y = mul(w0y, inv0), p0z = mul(W0z, inv0);
    const p1x = mul(w1x, inv1), p1y = mul(w1y, inv1), p1z = mul(W1z, inv1);
    const q0 = mul(add(mul(w0x, S0x), mul(W0z, S0z)), inv0);
    const q1 = mul(add(mul(w1x, S1x), mul(W1z, S1z)), inv1);
    const a00 = add(sub(one, mul(w0x, p0x)), sub(one, mul(w1x, p1x)));
    const a01 = sub(f64x2.neg(mul(w0x, p0y)), mul(w1x, p1y));
    const a02 = sub(f64x2.neg(mul(w0x, p0z)), mul(w1x, p1z));
    const a11 = add(sub(one, mul(w0y, p0y)), sub(one, mul(w1y, p1y)));
    const a12 = sub(f64x2.neg(mul(w0y, p0z)), mul(w1y, p1z));
    const a22 = add(sub(one, mul(W0z, p0z)), sub(one, mul(W1z, p1z)));
    const b0 = add(sub(S0x, mul(w0x, q0)), sub(S1x, mul(w1x, q1)));
    const b1 = sub(f64x2.neg(mul(w0y, q0)), mul(w1y, q1));
    const b2 = add(sub(S0z, mul(W0z, q0)), sub(S1z, mul(W1z, q1)));
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
    v128.store(outX + o, x);
    v128.store(outY + o, y);
    v128.store(outZ + o, z);
    if (outDist != 0) {
      v128.store(outDist + o, rayDistance(x, y, z, S0x, S0z, w0x, w0y, W0z, inv0));
      v128.store(d1 + o, rayDistance(x, y, z, S1x, S1z, w1x, w1y, W1z, inv1));
    }
    if (outGap != 0) {
      const nx = sub(mul(w0y, W1z), mul(W0z, w1y));
      const ny = sub(mul(W0z, w1x), mul(w0x, W1z));
      const nz = sub(mul(w0x, w1y), mul(w0y, w1x));
      const nn = f64x2.sqrt(add(add(mul(nx, nx), mul(ny, ny)), mul(nz, nz)));
      v128.store(outGap + o, div(f64x2.abs(add(mul(dSx, nx), mul(dSz, nz))), nn));
    }
  }
  if (i < n) {
    singular += triangulateRange(i, n, n, 2, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
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
