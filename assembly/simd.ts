// f64x2 build: two cases per step, written by hand (Binaryen does not vectorise).
// Same exports and the same arithmetic, in the same order, as the scalar build, so
// the two agree to the last bit; an odd last case falls through to the scalar loop.
export { heapBase, heapTop, setHeapTop } from './memory';
export { rayGap, jacobian, classic } from './targeting';
export { ellipsoidDistances } from './margins-simd';
export { simulate, philoxBlock, normals, uniforms } from './simulate';
import { triangulateRange, triangulatePairRange, triangulate3Range, triangulate4Range, projectRange, at, SINGULAR_DET } from './targeting';

export const SIMD: i32 = 1;

@inline function add(a: v128, b: v128): v128 { return f64x2.add(a, b); }
@inline function sub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
@inline function mul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
@inline function div(a: v128, b: v128): v128 { return f64x2.div(a, b); }
@inline function splat(a: f64): v128 { return f64x2.splat(a); }

/** Cases [from, to) of columns with stride n: see the scalar build. */
export function triangulate(
  from: i32, to: i32, n: i32, views: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  if (views == 2) return triangulatePair(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  if (views == 3) return triangulate3(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
  if (views == 4) return triangulate4(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
  const one = splat(1.0);
  const zero = splat(0.0);
  const nan = splat(NaN);
  const tiny = splat(SINGULAR_DET);
  let singular = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
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
        v128.store(at(outDist, k, n, i), rayDistance2(x, y, z, Sx, Sz, wx, wy, wz, inv));
      }
    }
  }
  if (i < to) {
    singular += triangulateRange(i, to, n, views, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  }
  return singular;
}

/** |r x w| / |w| for r = X - S, both lanes; inv = 1 / |w|^2. */
@inline function rayDistance2(x: v128, y: v128, z: v128, Sx: v128, Sz: v128, wx: v128, wy: v128, wz: v128, inv: v128): v128 {
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
  S0x: v128, S1x: v128, Hx: v128, Hz: v128, W0z: v128, W1z: v128, W01: v128,
  Dx: v128, Dz: v128, K0: v128, K1: v128, limit: v128, one: v128, half: v128, nan: v128,
  withDist: bool, withGap: bool,
): v128 {
  const w0x = sub(v128.load(u + o), S0x), w0y = v128.load(v + o);
  const w1x = sub(v128.load(u1 + o), S1x), w1y = v128.load(v1 + o);
  const nx = sub(mul(w0y, W1z), mul(W0z, w1y));
  const ny = sub(mul(W0z, w1x), mul(w0x, W1z));
  const nz = sub(mul(w0x, w1y), mul(w0y, w1x));
  const nn = add(add(mul(nx, nx), mul(ny, ny)), mul(nz, nz));
  const d = add(add(mul(w0x, w1x), mul(w0y, w1y)), W01);
  const ok = f64x2.gt(nn, mul(limit, add(nn, mul(d, d))));
  // 1 / |n|^2, NaN where the rays are parallel: every output below inherits the NaN,
  // so one select does the work of four.
  const r = v128.or(v128.and(div(one, nn), ok), v128.andnot(nan, ok));
  const rh = mul(r, half);
  const m = sub(mul(Dx, nz), mul(Dz, nx));
  const s = mul(add(mul(w1y, m), mul(sub(mul(Dz, w1x), K1), ny)), rh);
  const t = mul(add(mul(w0y, m), mul(sub(mul(Dz, w0x), K0), ny)), rh);
  v128.store(outX + o, add(Hx, add(mul(s, w0x), mul(t, w1x))));
  v128.store(outY + o, add(mul(s, w0y), mul(t, w1y)));
  v128.store(outZ + o, add(Hz, add(mul(s, W0z), mul(t, W1z))));
  const gap = mul(f64x2.abs(add(mul(Dx, nx), mul(Dz, nz))), f64x2.sqrt(r));
  if (withDist) {
    const h = mul(half, gap);
    v128.store(outDist + o, h);
    v128.store(d1 + o, h);
  }
  if (withGap) v128.store(outGap + o, gap);
  return ok;
}

/**
 * Four cases: pairStep at o_a and at o_a + 16 (the second pair's loads and stores take
 * it as the instruction's offset, so no second address is computed), pairStep's
 * statements written for both chains (keep the two in step). All loads come before any
 * store: V8 orders the arithmetic itself but never moves a load above a store, so two
 * pairStep calls in a row would keep the second chain waiting on the first's divisions.
 */
@inline function pairStep2(
  o_a: usize, u: usize, v: usize, u1: usize, v1: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, outGap: usize,
  S0x: v128, S1x: v128, Hx: v128, Hz: v128, W0z: v128, W1z: v128, W01: v128,
  Dx: v128, Dz: v128, K0: v128, K1: v128, limit: v128, one: v128, half: v128, nan: v128,
  withDist: bool, withGap: bool,
): v128 {
  const w0x_a = sub(v128.load(u + o_a), S0x), w0y_a = v128.load(v + o_a);
  const w0x_b = sub(v128.load(u + o_a, 16), S0x), w0y_b = v128.load(v + o_a, 16);
  const w1x_a = sub(v128.load(u1 + o_a), S1x), w1y_a = v128.load(v1 + o_a);
  const w1x_b = sub(v128.load(u1 + o_a, 16), S1x), w1y_b = v128.load(v1 + o_a, 16);
  const nx_a = sub(mul(w0y_a, W1z), mul(W0z, w1y_a));
  const nx_b = sub(mul(w0y_b, W1z), mul(W0z, w1y_b));
  const ny_a = sub(mul(W0z, w1x_a), mul(w0x_a, W1z));
  const ny_b = sub(mul(W0z, w1x_b), mul(w0x_b, W1z));
  const nz_a = sub(mul(w0x_a, w1y_a), mul(w0y_a, w1x_a));
  const nz_b = sub(mul(w0x_b, w1y_b), mul(w0y_b, w1x_b));
  const nn_a = add(add(mul(nx_a, nx_a), mul(ny_a, ny_a)), mul(nz_a, nz_a));
  const nn_b = add(add(mul(nx_b, nx_b), mul(ny_b, ny_b)), mul(nz_b, nz_b));
  const d_a = add(add(mul(w0x_a, w1x_a), mul(w0y_a, w1y_a)), W01);
  const d_b = add(add(mul(w0x_b, w1x_b), mul(w0y_b, w1y_b)), W01);
  const ok_a = f64x2.gt(nn_a, mul(limit, add(nn_a, mul(d_a, d_a))));
  const ok_b = f64x2.gt(nn_b, mul(limit, add(nn_b, mul(d_b, d_b))));
  const r_a = v128.or(v128.and(div(one, nn_a), ok_a), v128.andnot(nan, ok_a));
  const r_b = v128.or(v128.and(div(one, nn_b), ok_b), v128.andnot(nan, ok_b));
  const rh_a = mul(r_a, half);
  const rh_b = mul(r_b, half);
  const m_a = sub(mul(Dx, nz_a), mul(Dz, nx_a));
  const s_a = mul(add(mul(w1y_a, m_a), mul(sub(mul(Dz, w1x_a), K1), ny_a)), rh_a);
  const m_b = sub(mul(Dx, nz_b), mul(Dz, nx_b));
  const s_b = mul(add(mul(w1y_b, m_b), mul(sub(mul(Dz, w1x_b), K1), ny_b)), rh_b);
  const t_a = mul(add(mul(w0y_a, m_a), mul(sub(mul(Dz, w0x_a), K0), ny_a)), rh_a);
  const t_b = mul(add(mul(w0y_b, m_b), mul(sub(mul(Dz, w0x_b), K0), ny_b)), rh_b);
  v128.store(outX + o_a, add(Hx, add(mul(s_a, w0x_a), mul(t_a, w1x_a))));
  v128.store(outX + o_a, add(Hx, add(mul(s_b, w0x_b), mul(t_b, w1x_b))), 16);
  v128.store(outY + o_a, add(mul(s_a, v128.load(v + o_a)), mul(t_a, v128.load(v1 + o_a))));
  v128.store(outY + o_a, add(mul(s_b, v128.load(v + o_a, 16)), mul(t_b, v128.load(v1 + o_a, 16))), 16);
  v128.store(outZ + o_a, add(Hz, add(mul(s_a, W0z), mul(t_a, W1z))));
  v128.store(outZ + o_a, add(Hz, add(mul(s_b, W0z), mul(t_b, W1z))), 16);
  const gap_a = mul(f64x2.abs(add(mul(Dx, nx_a), mul(Dz, nz_a))), f64x2.sqrt(r_a));
  const gap_b = mul(f64x2.abs(add(mul(Dx, nx_b), mul(Dz, nz_b))), f64x2.sqrt(r_b));
  if (withDist) {
    const h_a = mul(half, gap_a), h_b = mul(half, gap_b);
    v128.store(outDist + o_a, h_a);
    v128.store(outDist + o_a, h_b, 16);
    v128.store(d1 + o_a, h_a);
    v128.store(d1 + o_a, h_b, 16);
  }
  if (withGap) {
    v128.store(outGap + o_a, gap_a);
    v128.store(outGap + o_a, gap_b, 16);
  }
  return i64x2.add(ok_a, ok_b);
}

/** Type arguments that choose a loop's outputs at compile time: With or Without. */
class With {}
class Without {}

/**
 * The cases [from, to) in steps of eight, four, then two; returns the summed "solvable"
 * masks. One instance per choice of outputs (ray distances, gap), each with the choice as
 * constants: a loop that tests it per step runs measurably slower (V8 does not unswitch
 * loops), and four @inline copies side by side were folded by Binaryen into one loop that
 * tested it.
 */
function pairLoop<Distances, Gap>(
  from: i32, to: i32, u: usize, v: usize, u1: usize, v1: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, outGap: usize,
  S0x: v128, S1x: v128, Hx: v128, Hz: v128, W0z: v128, W1z: v128, W01: v128,
  Dx: v128, Dz: v128, K0: v128, K1: v128, limit: v128, one: v128, half: v128, nan: v128,
): v128 {
  const withDist = idof<Distances>() == idof<With>();
  const withGap = idof<Gap>() == idof<With>();
  let i = from;
  // Each solvable lane adds -1 (all ones) to its i64 counter.
  let solvable = i64x2.splat(0);
  // Four cases per step (two independent f64x2 chains): the division and root
  // latencies of one chain hide behind the arithmetic of the other.
  for (; i + 7 < to; i += 8) {
    solvable = i64x2.add(solvable, pairStep2(<usize>i << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, withDist, withGap));
    solvable = i64x2.add(solvable, pairStep2((<usize>i << 3) + 32, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, withDist, withGap));
  }
  for (; i + 3 < to; i += 4) {
    solvable = i64x2.add(solvable, pairStep2(<usize>i << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, withDist, withGap));
  }
  for (; i + 1 < to; i += 2) {
    solvable = i64x2.add(solvable, pairStep(<usize>i << 3, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, withDist, withGap));
  }
  return solvable;
}

/**
 * The stereo pair, two cases per step: the common-perpendicular midpoint of
 * triangulatePairRange, operation for operation, with every per-view constant
 * splatted once per batch.
 */
function triangulatePair(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  const one = splat(1.0);
  const half = splat(0.5);
  const nan = splat(NaN);
  const s0x = load<f64>(sx), s0z = load<f64>(sz), s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8);
  const w0zs = dz - s0z, w1zs = dz - s1z;
  const Dxs = s1x - s0x, Dzs = s1z - s0z;
  const S0x = splat(s0x), S1x = splat(s1x);
  const Hx = splat(0.5 * s0x + 0.5 * s1x), Hz = splat(0.5 * s0z + 0.5 * s1z);
  const W0z = splat(w0zs), W1z = splat(w1zs);
  const W01 = splat(w0zs * w1zs);
  const Dx = splat(Dxs), Dz = splat(Dzs);
  const K0 = splat(Dxs * w0zs), K1 = splat(Dxs * w1zs);
  const limit = splat(0.5 * SINGULAR_DET);
  const u1 = u + (<usize>n << 3), v1 = v + (<usize>n << 3), d1 = outDist + (<usize>n << 3);
  let solvable: v128;
  if (outDist != 0 && outGap != 0) solvable = pairLoop<With, With>(from, to, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap, S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan);
  else if (outDist != 0) solvable = pairLoop<With, Without>(from, to, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap, S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan);
  else if (outGap != 0) solvable = pairLoop<Without, With>(from, to, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap, S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan);
  else solvable = pairLoop<Without, Without>(from, to, u, v, u1, v1, outX, outY, outZ, outDist, d1, outGap, S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan);
  const i = from + ((to - from) & ~1);
  let singular = (i - from) + <i32>(i64x2.extract_lane(solvable, 0) + i64x2.extract_lane(solvable, 1));
  if (i < to) {
    singular += triangulatePairRange(i, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  }
  return singular;
}

/**
 * Two cases of three views at byte offset o: triangulate3Range's operations in its
 * order. Returns the "solvable" mask. The ray distances take each view's w from its
 * marks loaded again after the stores rather than kept from the start: V8 cannot merge
 * a load with one before a store, and a load is cheaper than the spill and reload that
 * keeping six more vectors alive across the solve costs.
 */
@inline function tri3Step(
  o: usize,
  u: usize, v: usize, u1: usize, v1: usize, u2: usize, v2: usize, outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, d2: usize,
  one: v128, three: v128, nan: v128, tiny: v128, SX: v128, SZ: v128, S0x: v128, S0z: v128, W0z: v128, W0zz: v128, W0zS: v128, S1x: v128, S1z: v128, W1z: v128, W1zz: v128, W1zS: v128, S2x: v128, S2z: v128, W2z: v128, W2zz: v128, W2zS: v128, withDist: bool,
): v128 {
  const w0x = sub(v128.load(u + o), S0x), w0y = v128.load(v + o);
  const w1x = sub(v128.load(u1 + o), S1x), w1y = v128.load(v1 + o);
  const w2x = sub(v128.load(u2 + o), S2x), w2y = v128.load(v2 + o);
  const xx0 = mul(w0x, w0x), yy0 = mul(w0y, w0y), g0 = div(one, add(add(xx0, yy0), W0zz));
  const xx1 = mul(w1x, w1x), yy1 = mul(w1y, w1y), g1 = div(one, add(add(xx1, yy1), W1zz));
  const xx2 = mul(w2x, w2x), yy2 = mul(w2y, w2y), g2 = div(one, add(add(xx2, yy2), W2zz));
  const p0z = mul(W0z, g0), q0 = mul(add(mul(w0x, S0x), W0zS), g0);
  const p1z = mul(W1z, g1), q1 = mul(add(mul(w1x, S1x), W1zS), g1);
  const p2z = mul(W2z, g2), q2 = mul(add(mul(w2x, S2x), W2zS), g2);
  const a00 = sub(three, add(add(mul(xx0, g0), mul(xx1, g1)), mul(xx2, g2)));
  const a11 = sub(three, add(add(mul(yy0, g0), mul(yy1, g1)), mul(yy2, g2)));
  const a22 = sub(three, add(add(mul(W0z, p0z), mul(W1z, p1z)), mul(W2z, p2z)));
  const n01 = add(add(mul(mul(w0x, w0y), g0), mul(mul(w1x, w1y), g1)), mul(mul(w2x, w2y), g2));
  const n02 = add(add(mul(w0x, p0z), mul(w1x, p1z)), mul(w2x, p2z));
  const n12 = add(add(mul(w0y, p0z), mul(w1y, p1z)), mul(w2y, p2z));
  const b0 = sub(SX, add(add(mul(w0x, q0), mul(w1x, q1)), mul(w2x, q2)));
  const nb1 = add(add(mul(w0y, q0), mul(w1y, q1)), mul(w2y, q2));
  const b2 = sub(SZ, add(add(mul(W0z, q0), mul(W1z, q1)), mul(W2z, q2)));
  const c00 = sub(mul(a11, a22), mul(n12, n12)), c01 = add(mul(n02, n12), mul(n01, a22)), c02 = add(mul(n01, n12), mul(n02, a11));
  const c11 = sub(mul(a00, a22), mul(n02, n02)), c12 = add(mul(n01, n02), mul(a00, n12)), c22 = sub(mul(a00, a11), mul(n01, n01));
  const det = sub(mul(a00, c00), add(mul(n01, c01), mul(n02, c02)));
  const ok = f64x2.gt(det, tiny);
  const r = v128.or(v128.and(div(one, det), ok), v128.andnot(nan, ok));
  const x = mul(add(sub(mul(c00, b0), mul(c01, nb1)), mul(c02, b2)), r);
  const y = mul(add(sub(mul(c01, b0), mul(c11, nb1)), mul(c12, b2)), r);
  const z = mul(add(sub(mul(c02, b0), mul(c12, nb1)), mul(c22, b2)), r);
  v128.store(outX + o, x);
  v128.store(outY + o, y);
  v128.store(outZ + o, z);
  if (withDist) {
    v128.store(outDist + o, rayDistance2(x, y, z, S0x, S0z, w0x, w0y, W0z, g0));
    v128.store(d1 + o, rayDistance2(x, y, z, S1x, S1z, w1x, w1y, W1z, g1));
    v128.store(d2 + o, rayDistance2(x, y, z, S2x, S2z, w2x, w2y, W2z, g2));
  }
  return ok;
}

/**
 * Four cases: tri3Step's statements written for two chains, at o_a and o_a + 16 (keep
 * the two in step). Interleaved statement by statement, not as two calls of one solve
 * taking loaded marks: that version, the same operations, ran 5-10 % slower under V8.
 */
@inline function tri3Step2(
  o_a: usize,
  u: usize, v: usize, u1: usize, v1: usize, u2: usize, v2: usize, outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, d2: usize,
  one: v128, three: v128, nan: v128, tiny: v128, SX: v128, SZ: v128, S0x: v128, S0z: v128, W0z: v128, W0zz: v128, W0zS: v128, S1x: v128, S1z: v128, W1z: v128, W1zz: v128, W1zS: v128, S2x: v128, S2z: v128, W2z: v128, W2zz: v128, W2zS: v128, withDist: bool,
): v128 {
  const w0x_a = sub(v128.load(u + o_a), S0x), w0y_a = v128.load(v + o_a);
  const w0x_b = sub(v128.load(u + o_a, 16), S0x), w0y_b = v128.load(v + o_a, 16);
  const w1x_a = sub(v128.load(u1 + o_a), S1x), w1y_a = v128.load(v1 + o_a);
  const w1x_b = sub(v128.load(u1 + o_a, 16), S1x), w1y_b = v128.load(v1 + o_a, 16);
  const w2x_a = sub(v128.load(u2 + o_a), S2x), w2y_a = v128.load(v2 + o_a);
  const w2x_b = sub(v128.load(u2 + o_a, 16), S2x), w2y_b = v128.load(v2 + o_a, 16);
  const xx0_a = mul(w0x_a, w0x_a), yy0_a = mul(w0y_a, w0y_a), g0_a = div(one, add(add(xx0_a, yy0_a), W0zz));
  const xx0_b = mul(w0x_b, w0x_b), yy0_b = mul(w0y_b, w0y_b), g0_b = div(one, add(add(xx0_b, yy0_b), W0zz));
  const xx1_a = mul(w1x_a, w1x_a), yy1_a = mul(w1y_a, w1y_a), g1_a = div(one, add(add(xx1_a, yy1_a), W1zz));
  const xx1_b = mul(w1x_b, w1x_b), yy1_b = mul(w1y_b, w1y_b), g1_b = div(one, add(add(xx1_b, yy1_b), W1zz));
  const xx2_a = mul(w2x_a, w2x_a), yy2_a = mul(w2y_a, w2y_a), g2_a = div(one, add(add(xx2_a, yy2_a), W2zz));
  const xx2_b = mul(w2x_b, w2x_b), yy2_b = mul(w2y_b, w2y_b), g2_b = div(one, add(add(xx2_b, yy2_b), W2zz));
  const p0z_a = mul(W0z, g0_a), q0_a = mul(add(mul(w0x_a, S0x), W0zS), g0_a);
  const p0z_b = mul(W0z, g0_b), q0_b = mul(add(mul(w0x_b, S0x), W0zS), g0_b);
  const p1z_a = mul(W1z, g1_a), q1_a = mul(add(mul(w1x_a, S1x), W1zS), g1_a);
  const p1z_b = mul(W1z, g1_b), q1_b = mul(add(mul(w1x_b, S1x), W1zS), g1_b);
  const p2z_a = mul(W2z, g2_a), q2_a = mul(add(mul(w2x_a, S2x), W2zS), g2_a);
  const p2z_b = mul(W2z, g2_b), q2_b = mul(add(mul(w2x_b, S2x), W2zS), g2_b);
  const a00_a = sub(three, add(add(mul(xx0_a, g0_a), mul(xx1_a, g1_a)), mul(xx2_a, g2_a)));
  const a00_b = sub(three, add(add(mul(xx0_b, g0_b), mul(xx1_b, g1_b)), mul(xx2_b, g2_b)));
  const a11_a = sub(three, add(add(mul(yy0_a, g0_a), mul(yy1_a, g1_a)), mul(yy2_a, g2_a)));
  const a11_b = sub(three, add(add(mul(yy0_b, g0_b), mul(yy1_b, g1_b)), mul(yy2_b, g2_b)));
  const a22_a = sub(three, add(add(mul(W0z, p0z_a), mul(W1z, p1z_a)), mul(W2z, p2z_a)));
  const a22_b = sub(three, add(add(mul(W0z, p0z_b), mul(W1z, p1z_b)), mul(W2z, p2z_b)));
  const n01_a = add(add(mul(mul(w0x_a, w0y_a), g0_a), mul(mul(w1x_a, w1y_a), g1_a)), mul(mul(w2x_a, w2y_a), g2_a));
  const n01_b = add(add(mul(mul(w0x_b, w0y_b), g0_b), mul(mul(w1x_b, w1y_b), g1_b)), mul(mul(w2x_b, w2y_b), g2_b));
  const n02_a = add(add(mul(w0x_a, p0z_a), mul(w1x_a, p1z_a)), mul(w2x_a, p2z_a));
  const n02_b = add(add(mul(w0x_b, p0z_b), mul(w1x_b, p1z_b)), mul(w2x_b, p2z_b));
  const n12_a = add(add(mul(w0y_a, p0z_a), mul(w1y_a, p1z_a)), mul(w2y_a, p2z_a));
  const n12_b = add(add(mul(w0y_b, p0z_b), mul(w1y_b, p1z_b)), mul(w2y_b, p2z_b));
  const b0_a = sub(SX, add(add(mul(w0x_a, q0_a), mul(w1x_a, q1_a)), mul(w2x_a, q2_a)));
  const b0_b = sub(SX, add(add(mul(w0x_b, q0_b), mul(w1x_b, q1_b)), mul(w2x_b, q2_b)));
  const nb1_a = add(add(mul(w0y_a, q0_a), mul(w1y_a, q1_a)), mul(w2y_a, q2_a));
  const nb1_b = add(add(mul(w0y_b, q0_b), mul(w1y_b, q1_b)), mul(w2y_b, q2_b));
  const b2_a = sub(SZ, add(add(mul(W0z, q0_a), mul(W1z, q1_a)), mul(W2z, q2_a)));
  const b2_b = sub(SZ, add(add(mul(W0z, q0_b), mul(W1z, q1_b)), mul(W2z, q2_b)));
  const c00_a = sub(mul(a11_a, a22_a), mul(n12_a, n12_a)), c01_a = add(mul(n02_a, n12_a), mul(n01_a, a22_a)), c02_a = add(mul(n01_a, n12_a), mul(n02_a, a11_a));
  const c00_b = sub(mul(a11_b, a22_b), mul(n12_b, n12_b)), c01_b = add(mul(n02_b, n12_b), mul(n01_b, a22_b)), c02_b = add(mul(n01_b, n12_b), mul(n02_b, a11_b));
  const c11_a = sub(mul(a00_a, a22_a), mul(n02_a, n02_a)), c12_a = add(mul(n01_a, n02_a), mul(a00_a, n12_a)), c22_a = sub(mul(a00_a, a11_a), mul(n01_a, n01_a));
  const c11_b = sub(mul(a00_b, a22_b), mul(n02_b, n02_b)), c12_b = add(mul(n01_b, n02_b), mul(a00_b, n12_b)), c22_b = sub(mul(a00_b, a11_b), mul(n01_b, n01_b));
  const det_a = sub(mul(a00_a, c00_a), add(mul(n01_a, c01_a), mul(n02_a, c02_a)));
  const det_b = sub(mul(a00_b, c00_b), add(mul(n01_b, c01_b), mul(n02_b, c02_b)));
  const ok_a = f64x2.gt(det_a, tiny);
  const ok_b = f64x2.gt(det_b, tiny);
  const r_a = v128.or(v128.and(div(one, det_a), ok_a), v128.andnot(nan, ok_a));
  const r_b = v128.or(v128.and(div(one, det_b), ok_b), v128.andnot(nan, ok_b));
  const x_a = mul(add(sub(mul(c00_a, b0_a), mul(c01_a, nb1_a)), mul(c02_a, b2_a)), r_a);
  const x_b = mul(add(sub(mul(c00_b, b0_b), mul(c01_b, nb1_b)), mul(c02_b, b2_b)), r_b);
  const y_a = mul(add(sub(mul(c01_a, b0_a), mul(c11_a, nb1_a)), mul(c12_a, b2_a)), r_a);
  const y_b = mul(add(sub(mul(c01_b, b0_b), mul(c11_b, nb1_b)), mul(c12_b, b2_b)), r_b);
  const z_a = mul(add(sub(mul(c02_a, b0_a), mul(c12_a, nb1_a)), mul(c22_a, b2_a)), r_a);
  const z_b = mul(add(sub(mul(c02_b, b0_b), mul(c12_b, nb1_b)), mul(c22_b, b2_b)), r_b);
  v128.store(outX + o_a, x_a);
  v128.store(outX + o_a, x_b, 16);
  v128.store(outY + o_a, y_a);
  v128.store(outY + o_a, y_b, 16);
  v128.store(outZ + o_a, z_a);
  v128.store(outZ + o_a, z_b, 16);
  if (withDist) {
    v128.store(outDist + o_a, rayDistance2(x_a, y_a, z_a, S0x, S0z, sub(v128.load(u + o_a), S0x), v128.load(v + o_a), W0z, g0_a));
    v128.store(outDist + o_a, rayDistance2(x_b, y_b, z_b, S0x, S0z, sub(v128.load(u + o_a, 16), S0x), v128.load(v + o_a, 16), W0z, g0_b), 16);
    v128.store(d1 + o_a, rayDistance2(x_a, y_a, z_a, S1x, S1z, sub(v128.load(u1 + o_a), S1x), v128.load(v1 + o_a), W1z, g1_a));
    v128.store(d1 + o_a, rayDistance2(x_b, y_b, z_b, S1x, S1z, sub(v128.load(u1 + o_a, 16), S1x), v128.load(v1 + o_a, 16), W1z, g1_b), 16);
    v128.store(d2 + o_a, rayDistance2(x_a, y_a, z_a, S2x, S2z, sub(v128.load(u2 + o_a), S2x), v128.load(v2 + o_a), W2z, g2_a));
    v128.store(d2 + o_a, rayDistance2(x_b, y_b, z_b, S2x, S2z, sub(v128.load(u2 + o_a, 16), S2x), v128.load(v2 + o_a, 16), W2z, g2_b), 16);
  }
  return i64x2.add(ok_a, ok_b);
}

/**
 * The 3-view loop, one instance with ray distances and one without (see pairLoop): four,
 * then two cases per step. (Eight per step, as the pair does, made the loop's code large
 * enough that its speed hung on where V8 placed it: 0.94-1.09x the C twin from run to run.)
 */
function tri3Loop<Distances>(
  from: i32, to: i32,
  u: usize, v: usize, u1: usize, v1: usize, u2: usize, v2: usize, outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, d2: usize,
  one: v128, three: v128, nan: v128, tiny: v128, SX: v128, SZ: v128, S0x: v128, S0z: v128, W0z: v128, W0zz: v128, W0zS: v128, S1x: v128, S1z: v128, W1z: v128, W1zz: v128, W1zS: v128, S2x: v128, S2z: v128, W2z: v128, W2zz: v128, W2zS: v128,
): v128 {
  const withDist = idof<Distances>() == idof<With>();
  let solvable = i64x2.splat(0);
  let i = from;
  for (; i + 3 < to; i += 4) solvable = i64x2.add(solvable, tri3Step2(<usize>i << 3, u, v, u1, v1, u2, v2, outX, outY, outZ, outDist, d1, d2, one, three, nan, tiny, SX, SZ, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS, withDist));
  for (; i + 1 < to; i += 2) solvable = i64x2.add(solvable, tri3Step(<usize>i << 3, u, v, u1, v1, u2, v2, outX, outY, outZ, outDist, d1, d2, one, three, nan, tiny, SX, SZ, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS, withDist));
  return solvable;
}

/** 3 views, four and two cases per step: triangulate3Range operation for operation. */
function triangulate3(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize,
): i32 {
  const one = splat(1.0), three = splat(3.0), nan = splat(NaN), tiny = splat(SINGULAR_DET);
  const stride = <usize>n << 3;
  const s0x = load<f64>(sx + 0), s0z = load<f64>(sz + 0), w0zs = dz - s0z;
  const S0x = splat(s0x), S0z = splat(s0z), W0z = splat(w0zs), W0zz = splat(w0zs * w0zs), W0zS = splat(w0zs * s0z);
  const s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8), w1zs = dz - s1z;
  const S1x = splat(s1x), S1z = splat(s1z), W1z = splat(w1zs), W1zz = splat(w1zs * w1zs), W1zS = splat(w1zs * s1z);
  const s2x = load<f64>(sx + 16), s2z = load<f64>(sz + 16), w2zs = dz - s2z;
  const S2x = splat(s2x), S2z = splat(s2z), W2z = splat(w2zs), W2zz = splat(w2zs * w2zs), W2zS = splat(w2zs * s2z);
  const SX = splat((s0x + s1x) + s2x), SZ = splat((s0z + s1z) + s2z);
  const u1 = u + stride, v1 = v + stride, d1 = outDist + stride;
  const u2 = u1 + stride, v2 = v1 + stride, d2 = d1 + stride;
  const solvable = outDist != 0 ? tri3Loop<With>(from, to, u, v, u1, v1, u2, v2, outX, outY, outZ, outDist, d1, d2, one, three, nan, tiny, SX, SZ, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS) : tri3Loop<Without>(from, to, u, v, u1, v1, u2, v2, outX, outY, outZ, outDist, d1, d2, one, three, nan, tiny, SX, SZ, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS);
  const i = from + ((to - from) & ~1);
  let singular = (i - from) + <i32>(i64x2.extract_lane(solvable, 0) + i64x2.extract_lane(solvable, 1));
  if (i < to) singular += triangulate3Range(i, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
  return singular;
}

/** The 4-view loop, with or without ray distances (constant after inlining). */
@inline function tri4Loop(
  from: i32, to: i32, u: usize, v: usize, u1: usize, v1: usize, u2: usize, v2: usize, u3: usize, v3: usize, outX: usize, outY: usize, outZ: usize, outDist: usize, d1: usize, d2: usize, d3: usize,
  one: v128, zero: v128, nan: v128, tiny: v128, S0x: v128, S0z: v128, W0z: v128, W0zz: v128, W0zS: v128, S1x: v128, S1z: v128, W1z: v128, W1zz: v128, W1zS: v128, S2x: v128, S2z: v128, W2z: v128, W2zz: v128, W2zS: v128, S3x: v128, S3z: v128, W3z: v128, W3zz: v128, W3zS: v128, withDist: bool,
): v128 {
  let solvable = i64x2.splat(0);
  let i = from;
  for (; i + 1 < to; i += 2) {
    const o = <usize>i << 3;
    const w0x = sub(v128.load(u + o), S0x), w0y = v128.load(v + o);
    const i0 = div(one, add(add(mul(w0x, w0x), mul(w0y, w0y)), W0zz));
    const p0x = mul(w0x, i0), p0y = mul(w0y, i0), p0z = mul(W0z, i0);
    const q0 = mul(add(mul(w0x, S0x), W0zS), i0);
    const w1x = sub(v128.load(u1 + o), S1x), w1y = v128.load(v1 + o);
    const i1 = div(one, add(add(mul(w1x, w1x), mul(w1y, w1y)), W1zz));
    const p1x = mul(w1x, i1), p1y = mul(w1y, i1), p1z = mul(W1z, i1);
    const q1 = mul(add(mul(w1x, S1x), W1zS), i1);
    const w2x = sub(v128.load(u2 + o), S2x), w2y = v128.load(v2 + o);
    const i2 = div(one, add(add(mul(w2x, w2x), mul(w2y, w2y)), W2zz));
    const p2x = mul(w2x, i2), p2y = mul(w2y, i2), p2z = mul(W2z, i2);
    const q2 = mul(add(mul(w2x, S2x), W2zS), i2);
    const w3x = sub(v128.load(u3 + o), S3x), w3y = v128.load(v3 + o);
    const i3 = div(one, add(add(mul(w3x, w3x), mul(w3y, w3y)), W3zz));
    const p3x = mul(w3x, i3), p3y = mul(w3y, i3), p3z = mul(W3z, i3);
    const q3 = mul(add(mul(w3x, S3x), W3zS), i3);
    const a00 = add(add(add(sub(one, mul(w0x, p0x)), sub(one, mul(w1x, p1x))), sub(one, mul(w2x, p2x))), sub(one, mul(w3x, p3x)));
    const a01 = sub(sub(sub(sub(zero, mul(w0x, p0y)), mul(w1x, p1y)), mul(w2x, p2y)), mul(w3x, p3y));
    const a02 = sub(sub(sub(sub(zero, mul(w0x, p0z)), mul(w1x, p1z)), mul(w2x, p2z)), mul(w3x, p3z));
    const a11 = add(add(add(sub(one, mul(w0y, p0y)), sub(one, mul(w1y, p1y))), sub(one, mul(w2y, p2y))), sub(one, mul(w3y, p3y)));
    const a12 = sub(sub(sub(sub(zero, mul(w0y, p0z)), mul(w1y, p1z)), mul(w2y, p2z)), mul(w3y, p3z));
    const a22 = add(add(add(sub(one, mul(W0z, p0z)), sub(one, mul(W1z, p1z))), sub(one, mul(W2z, p2z))), sub(one, mul(W3z, p3z)));
    const b0 = add(add(add(add(zero, sub(S0x, mul(w0x, q0))), sub(S1x, mul(w1x, q1))), sub(S2x, mul(w2x, q2))), sub(S3x, mul(w3x, q3)));
    const b1 = sub(sub(sub(sub(zero, mul(w0y, q0)), mul(w1y, q1)), mul(w2y, q2)), mul(w3y, q3));
    const b2 = add(add(add(add(zero, sub(S0z, mul(W0z, q0))), sub(S1z, mul(W1z, q1))), sub(S2z, mul(W2z, q2))), sub(S3z, mul(W3z, q3)));
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
    solvable = i64x2.add(solvable, ok);
    v128.store(outX + o, x);
    v128.store(outY + o, y);
    v128.store(outZ + o, z);
    if (withDist) {
      v128.store(outDist + o, rayDistance2(x, y, z, S0x, S0z, w0x, w0y, W0z, i0));
      v128.store(d1 + o, rayDistance2(x, y, z, S1x, S1z, w1x, w1y, W1z, i1));
      v128.store(d2 + o, rayDistance2(x, y, z, S2x, S2z, w2x, w2y, W2z, i2));
      v128.store(d3 + o, rayDistance2(x, y, z, S3x, S3z, w3x, w3y, W3z, i3));
    }
  }
  return solvable;
}

/** 4 views, two cases per step: triangulate4Range operation for operation. */
function triangulate4(
  from: i32, to: i32, n: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize,
): i32 {
  const one = splat(1.0), zero = splat(0.0), nan = splat(NaN), tiny = splat(SINGULAR_DET);
  const stride = <usize>n << 3;
  const s0x = load<f64>(sx + 0), s0z = load<f64>(sz + 0), w0zs = dz - s0z;
  const S0x = splat(s0x), S0z = splat(s0z), W0z = splat(w0zs), W0zz = splat(w0zs * w0zs), W0zS = splat(w0zs * s0z);
  const s1x = load<f64>(sx + 8), s1z = load<f64>(sz + 8), w1zs = dz - s1z;
  const S1x = splat(s1x), S1z = splat(s1z), W1z = splat(w1zs), W1zz = splat(w1zs * w1zs), W1zS = splat(w1zs * s1z);
  const s2x = load<f64>(sx + 16), s2z = load<f64>(sz + 16), w2zs = dz - s2z;
  const S2x = splat(s2x), S2z = splat(s2z), W2z = splat(w2zs), W2zz = splat(w2zs * w2zs), W2zS = splat(w2zs * s2z);
  const s3x = load<f64>(sx + 24), s3z = load<f64>(sz + 24), w3zs = dz - s3z;
  const S3x = splat(s3x), S3z = splat(s3z), W3z = splat(w3zs), W3zz = splat(w3zs * w3zs), W3zS = splat(w3zs * s3z);
  const u1 = u + stride, v1 = v + stride, d1 = outDist + stride;
  const u2 = u1 + stride, v2 = v1 + stride, d2 = d1 + stride;
  const u3 = u2 + stride, v3 = v2 + stride, d3 = d2 + stride;
  // One loop with ray distances and one without (V8 does not unswitch loops).
  const solvable = outDist != 0
    ? tri4Loop(from, to, u, v, u1, v1, u2, v2, u3, v3, outX, outY, outZ, outDist, d1, d2, d3, one, zero, nan, tiny, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS, S3x, S3z, W3z, W3zz, W3zS, true)
    : tri4Loop(from, to, u, v, u1, v1, u2, v2, u3, v3, outX, outY, outZ, outDist, d1, d2, d3, one, zero, nan, tiny, S0x, S0z, W0z, W0zz, W0zS, S1x, S1z, W1z, W1zz, W1zS, S2x, S2z, W2z, W2zz, W2zS, S3x, S3z, W3z, W3zz, W3zS, false);
  const i = from + ((to - from) & ~1);
  let singular = (i - from) + <i32>(i64x2.extract_lane(solvable, 0) + i64x2.extract_lane(solvable, 1));
  if (i < to) singular += triangulate4Range(i, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
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
