// f64x2 build of ellipsoidDistances: points in pairs, one per lane. When both points
// of a pair are in the general case (every scaled coordinate > 0, not on the
// surface) their bisections run together: each lane keeps its own bracket and stops
// exactly when the scalar loop would (masked bisection), so every lane performs the
// scalar kernel's operations in the same order and the results are bit-identical.
// Two pairs are bisected at once (two independent chains) to hide the latency of
// the divisions. Any other pair goes through the scalar code.
import { ellipsoidRange, MAX_BISECTIONS } from './margins';

@inline function add(a: v128, b: v128): v128 { return f64x2.add(a, b); }
@inline function sub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
@inline function mul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
@inline function div(a: v128, b: v128): v128 { return f64x2.div(a, b); }
@inline function splat(a: f64): v128 { return f64x2.splat(a); }

/** len3 of the scalar build, lane by lane (0 where every component is 0). */
@inline function len3v(a: v128, b: v128, c: v128): v128 {
  const m = f64x2.max(f64x2.abs(a), f64x2.max(f64x2.abs(b), f64x2.abs(c)));
  const x = div(a, m), y = div(b, m), z = div(c, m);
  const r = mul(m, f64x2.sqrt(add(add(mul(x, x), mul(y, y)), mul(z, z))));
  return v128.bitselect(splat(0.0), r, f64x2.eq(m, splat(0.0)));
}

/** Per-pair state of the general case: loads, scaled coordinates, and whether both lanes qualify. */
@inline function general(z0: v128, z1: v128, z2: v128, g: v128): bool {
  const zero = splat(0.0);
  const ok = v128.and(v128.and(f64x2.gt(z0, zero), f64x2.gt(z1, zero)), v128.and(f64x2.gt(z2, zero), f64x2.ne(g, zero)));
  return i64x2.all_true(ok);
}

/** Writes the outputs of a pair from its nearest point x (first octant) and offsets d. */
@inline function finish(
  o: usize, x0: v128, x1: v128, x2: v128, y0: v128, y1: v128, y2: v128, d0: v128, d1: v128, d2: v128,
  z0: v128, z1: v128, z2: v128, C0: v128, C1: v128, C2: v128,
  outSigned: usize, outX: usize, outY: usize, outZ: usize,
): void {
  const zero = splat(0.0);
  const dist = len3v(sub(x0, y0), sub(x1, y1), sub(x2, y2));
  const inside = f64x2.lt(add(add(mul(z0, z0), mul(z1, z1)), mul(z2, z2)), splat(1.0));
  v128.store(outSigned + o, v128.bitselect(f64x2.neg(dist), dist, inside));
  v128.store(outX + o, add(C0, v128.bitselect(f64x2.neg(x0), x0, f64x2.lt(d0, zero))));
  v128.store(outY + o, add(C1, v128.bitselect(f64x2.neg(x1), x1, f64x2.lt(d1, zero))));
  v128.store(outZ + o, add(C2, v128.bitselect(f64x2.neg(x2), x2, f64x2.lt(d2, zero))));
}

export function ellipsoidDistances(
  n: i32, e0: f64, e1: f64, e2: f64, c0: f64, c1: f64, c2: f64,
  px: usize, py: usize, pz: usize,
  outSigned: usize, outX: usize, outY: usize, outZ: usize,
): void {
  const r0s = (e0 / e2) * (e0 / e2), r1s = (e1 / e2) * (e1 / e2);
  const R0 = splat(r0s), R1 = splat(r1s), M0 = splat(r0s - 1), M1 = splat(r1s - 1);
  const E0 = splat(e0), E1 = splat(e1), E2 = splat(e2);
  const C0 = splat(c0), C1 = splat(c1), C2 = splat(c2);
  const one = splat(1.0), half = splat(0.5), zero = splat(0.0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const oa = <usize>i << 3, ob = oa + 16;
    const da0 = sub(v128.load(px + oa), C0), da1 = sub(v128.load(py + oa), C1), da2 = sub(v128.load(pz + oa), C2);
    const db0 = sub(v128.load(px + ob), C0), db1 = sub(v128.load(py + ob), C1), db2 = sub(v128.load(pz + ob), C2);
    const ya0 = f64x2.abs(da0), ya1 = f64x2.abs(da1), ya2 = f64x2.abs(da2);
    const yb0 = f64x2.abs(db0), yb1 = f64x2.abs(db1), yb2 = f64x2.abs(db2);
    const za0 = div(ya0, E0), za1 = div(ya1, E1), za2 = div(ya2, E2);
    const zb0 = div(yb0, E0), zb1 = div(yb1, E1), zb2 = div(yb2, E2);
    const ga = sub(add(add(mul(za0, za0), mul(za1, za1)), mul(za2, za2)), one);
    const gb = sub(add(add(mul(zb0, zb0), mul(zb1, zb1)), mul(zb2, zb2)), one);
    if (!general(za0, za1, za2, ga) || !general(zb0, zb1, zb2, gb)) {
      ellipsoidRange(i, i + 4, e0, e1, e2, c0, c1, c2, px, py, pz, outSigned, outX, outY, outZ);
      continue;
    }
    const na0 = mul(R0, za0), na1 = mul(R1, za1);
    const nb0 = mul(R0, zb0), nb1 = mul(R1, zb1);
    let loa = za2, lob = zb2;
    let hia = v128.bitselect(one, len3v(na0, na1, za2), f64x2.lt(ga, zero));
    let hib = v128.bitselect(one, len3v(nb0, nb1, zb2), f64x2.lt(gb, zero));
    let ua = zero, ub = zero;
    let acta = i64x2.splat(-1), actb = i64x2.splat(-1);
    for (let k = 0; k < MAX_BISECTIONS; k++) {
      const ma = mul(add(loa, hia), half), mb = mul(add(lob, hib), half);
      ua = v128.bitselect(ma, ua, acta);
      ub = v128.bitselect(mb, ub, actb);
      const ca = v128.andnot(acta, v128.or(f64x2.eq(ma, loa), f64x2.eq(ma, hia)));
      const cb = v128.andnot(actb, v128.or(f64x2.eq(mb, lob), f64x2.eq(mb, hib)));
      if (!v128.any_true(v128.or(ca, cb))) break;
      const aa = div(na0, add(ma, M0)), ba = div(na1, add(ma, M1)), qa = div(za2, ma);
      const ab = div(nb0, add(mb, M0)), bb = div(nb1, add(mb, M1)), qb = div(zb2, mb);
      const gga = sub(add(add(mul(aa, aa), mul(ba, ba)), mul(qa, qa)), one);
      const ggb = sub(add(add(mul(ab, ab), mul(bb, bb)), mul(qb, qb)), one);
      const gta = v128.and(ca, f64x2.gt(gga, zero)), lta = v128.and(ca, f64x2.lt(gga, zero));
      const gtb = v128.and(cb, f64x2.gt(ggb, zero)), ltb = v128.and(cb, f64x2.lt(ggb, zero));
      loa = v128.bitselect(ma, loa, gta); hia = v128.bitselect(ma, hia, lta);
      lob = v128.bitselect(mb, lob, gtb); hib = v128.bitselect(mb, hib, ltb);
      acta = v128.or(gta, lta);
      actb = v128.or(gtb, ltb);
    }
    finish(oa, div(mul(R0, ya0), add(ua, M0)), div(mul(R1, ya1), add(ua, M1)), div(ya2, ua), ya0, ya1, ya2, da0, da1, da2,
      za0, za1, za2, C0, C1, C2, outSigned, outX, outY, outZ);
    finish(ob, div(mul(R0, yb0), add(ub, M0)), div(mul(R1, yb1), add(ub, M1)), div(yb2, ub), yb0, yb1, yb2, db0, db1, db2,
      zb0, zb1, zb2, C0, C1, C2, outSigned, outX, outY, outZ);
  }
  if (i < n) ellipsoidRange(i, n, e0, e1, e2, c0, c1, c2, px, py, pz, outSigned, outX, outY, outZ);
}
