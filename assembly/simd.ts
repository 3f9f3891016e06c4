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
      const m00 = sub(one, mul(mul(wx, wx), inv));
      const m01 = f64x2.neg(mul(mul(wx, wy), inv));
      const m02 = f64x2.neg(mul(mul(wx, wz), inv));
      const m11 = sub(one, mul(mul(wy, wy), inv));
      const m12 = f64x2.neg(mul(mul(wy, wz), inv));
      const m22 = sub(one, mul(mul(wz, wz), inv));
      a00 = add(a00, m00); a01 = add(a01, m01); a02 = add(a02, m02);
      a11 = add(a11, m11); a12 = add(a12, m12); a22 = add(a22, m22);
      b0 = add(b0, add(mul(m00, Sx), mul(m02, Sz)));
      b1 = add(b1, add(mul(m01, Sx), mul(m12, Sz)));
      b2 = add(b2, add(mul(m02, Sx), mul(m22, Sz)));
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
        const rx = sub(x, Sx), ry = y, rz = sub(z, Sz);
        const cx = sub(mul(ry, wz), mul(rz, wy));
        const cy = sub(mul(rz, wx), mul(rx, wz));
        const cz = sub(mul(rx, wy), mul(ry, wx));
        const ww = add(add(mul(wx, wx), mul(wy, wy)), mul(wz, wz));
        v128.store(at(outDist, k, n, i), f64x2.sqrt(div(add(add(mul(cx, cx), mul(cy, cy)), mul(cz, cz)), ww)));
      }
    }
    if (outGap != 0 && views == 2) {
      const s0x = load<f64>(sx), s0z = load<f64>(sz);
      const s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8);
      const ax = sub(v128.load(at(u, 0, n, i)), splat(s0x));
      const ay = v128.load(at(v, 0, n, i));
      const az = splat(dz - s0z);
      const bx = sub(v128.load(at(u, 1, n, i)), splat(s1x));
      const by = v128.load(at(v, 1, n, i));
      const bz = splat(dz - s1z);
      const nx = sub(mul(ay, bz), mul(az, by));
      const ny = sub(mul(az, bx), mul(ax, bz));
      const nz = sub(mul(ax, by), mul(ay, bx));
      const nn = f64x2.sqrt(add(add(mul(nx, nx), mul(ny, ny)), mul(nz, nz)));
      const dot = add(mul(splat(s1x - s0x), nx), mul(splat(s1z - s0z), nz));
      v128.store(outGap + o, div(f64x2.abs(dot), nn));
    }
  }
  if (i < n) {
    singular += triangulateRange(i, n, n, views, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
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
