/**
 * The distance from a point to an ellipsoid (or sphere) patch from the critical points of
 * the distance, instead of a search of the whole square: about a seventh of the work of
 * patchDistanceFrom for the centres near a patch border that the bounds of patch-prune.ts
 * cannot rule out (issue 20, item 7; docs/margins-bounds.md).
 *
 * Why it is the same number. Over the closed patch, the least distance from p is taken
 * either in the patch's interior or on its border. In the interior, the surface point q
 * is a critical point of |p - q| on the surface: p - q is along the normal at q (a
 * "foot" of p). On the ellipsoid with semi-axes A (a_i = A_i^2) and centre c, with
 * u = p - c, the feet are q_i = c_i + a_i u_i / (a_i + t) for the real roots t of
 *   g(t) = sum_i a_i u_i^2 / (a_i + t)^2 - 1,
 * whose normal (q - c) / a is along u_i / (a_i + t). g has poles at -a_i; above the
 * largest pole it falls from +inf to -1 (one root), below the smallest it rises from -1
 * (one root), and between two poles it is convex with +inf at both ends (none or two),
 * so bisection finds every root: on g' for the least of g between poles, then on g either
 * side of it. Each foot whose normal lies in the patch (its axis component the largest,
 * of the patch's sign) is turned into the patch's (alpha, beta), evaluated with the
 * objective of patchDistanceFrom and finished by its newtonPolish. The border is the
 * edge search of patchDistanceFrom itself (edgeMinimum, the same calls), and the best is
 * finished by polishToRest as there. Every value is the objective at a real patch point,
 * so never below the distance; the true least is among the candidates.
 *
 * Where roots stop being isolated or well separated the full search decides instead
 * (patchDistanceFrom, the same function as before): p within 1e-7 (relative) of a symmetry
 * plane (a pole's weight vanishes and a whole curve of feet can appear), two semi-axes
 * different but within 1e-6 (relative) of each other, or a least of g between two poles
 * within 1e-6 of 0 (two feet about to merge: the foot of a degenerate critical point).
 */
import type { V3 } from './distance.js';
import {
  directionAxis, edgeMinimum, newtonPolish, patchDistanceFrom, patchDistanceFunction, polishToRest,
  type Direction, type PatchLattice, type SquareMinimum,
} from './patches.js';
import { ellipsoidAxes, type SpecimenShape } from './shapes.js';

/** Work counts (tests and the benchmark): searches by feet, those handed to the full search, borders handed to edgeMinimum's search, and calls of the objective by the searches by feet. */
export const feetWork = { feet: 0, fallbacks: 0, edgeSearches: 0, calls: 0 };

/** Bisection steps at most: more than the halvings from a bracket of 10^6 to a relative 1e-15 of it. */
const BISECTIONS = 120;
/** Relative distance of p from a symmetry plane, of two semi-axes, and least of g between poles, under which the full search decides. */
const NEAR_PLANE = 1e-7;
const NEAR_EQUAL = 1e-6;
const NEAR_DOUBLE = 1e-6;

/** g (see the top of this file) for n poles, or its derivative (`slope`). */
function gAt(a: Float64Array, w: Float64Array, n: number, t: number, slope: boolean): number {
  let sum = slope ? 0 : -1;
  for (let i = 0; i < n; i++) {
    const e = a[i] + t;
    sum += slope ? (-2 * w[i]) / (e * e * e) : w[i] / (e * e);
  }
  return sum;
}

/**
 * Bisection of g (or its slope) on (lo, hi), monotone there, for its sign change: `rising`
 * when it goes from negative to positive. Stops at a bracket of 1e-15 of its ends'
 * magnitude (the newtonPolish that follows finishes the foot) or when the bracket closes.
 */
function bisect(a: Float64Array, w: Float64Array, n: number, slope: boolean, lo: number, hi: number, rising: boolean): number {
  for (let i = 0; i < BISECTIONS; i++) {
    const mid = lo + (hi - lo) / 2;
    if (!(mid > lo && mid < hi) || hi - lo <= 1e-15 * (Math.abs(lo) + Math.abs(hi))) break;
    if ((gAt(a, w, n, mid, slope) < 0) === rising) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}

/**
 * The roots t of g (see the top of this file) for n distinct a, ascending (so the poles -a
 * descend: -a[0] is the largest), and weights w (all > 0), or undefined where two feet
 * nearly merge (the caller's full search decides).
 */
export function footRoots(a: Float64Array, w: Float64Array, n: number): number[] | undefined {
  let W = 0;
  for (let i = 0; i < n; i++) W += w[i];
  const reach = Math.sqrt(W);
  // Above the largest pole (-a[0]): g falls from +inf to -1; the root is within sqrt(W) of the pole.
  const roots = [bisect(a, w, n, false, -a[0], -a[0] + reach, false)];
  // Below the smallest pole (-a[n - 1]): g rises from -1 to +inf.
  roots.push(bisect(a, w, n, false, -a[n - 1] - reach, -a[n - 1], true));
  for (let i = 0; i + 1 < n; i++) {
    const lo = -a[i + 1], hi = -a[i];
    const tMin = bisect(a, w, n, true, lo, hi, true);
    const least = gAt(a, w, n, tMin, false);
    if (Math.abs(least) <= NEAR_DOUBLE) return undefined;
    if (least < 0) {
      roots.push(bisect(a, w, n, false, lo, tMin, false));
      roots.push(bisect(a, w, n, false, tMin, hi, true));
    }
  }
  return roots;
}

/**
 * The (alpha, beta) of the feet of p whose normal lies in the patch of direction d, or
 * undefined where the full search must decide (see the top of this file).
 */
export function patchFeet(s: Exclude<SpecimenShape, { shape: 'box' }>, d: Direction, p: V3): [number, number][] | undefined {
  const A = ellipsoidAxes(s)!;
  const u = [p[0] - s.center[0], p[1] - s.center[1], p[2] - s.center[2]];
  const scale = Math.max(Math.abs(u[0]), Math.abs(u[1]), Math.abs(u[2]), ...A);
  if (u.some((x) => Math.abs(x) <= NEAR_PLANE * scale)) return undefined;
  const sq = [A[0] * A[0], A[1] * A[1], A[2] * A[2]];
  // Distinct a (equal semi-axes share a pole, their weights add), ascending.
  const order = [0, 1, 2].sort((i, k) => sq[i] - sq[k]);
  const a = new Float64Array(3), w = new Float64Array(3);
  let n = 0;
  for (const i of order) {
    const wi = sq[i] * u[i] * u[i];
    if (n > 0 && sq[i] === a[n - 1]) { w[n - 1] += wi; continue; }
    if (n > 0 && sq[i] - a[n - 1] <= NEAR_EQUAL * sq[i]) return undefined;
    a[n] = sq[i];
    w[n++] = wi;
  }
  const roots = footRoots(a, w, n);
  if (!roots) return undefined;
  const { axis, sign, others } = directionAxis(d);
  const [j, k] = others;
  const feet: [number, number][] = [];
  for (const t of roots) {
    // The normal at the foot, unnormalised: u_i / (a_i + t).
    const m = [u[0] / (sq[0] + t), u[1] / (sq[1] + t), u[2] / (sq[2] + t)];
    if (!m.every(Number.isFinite) || Math.sign(m[axis]) !== sign) continue;
    const alpha = m[j] / Math.abs(m[axis]), beta = m[k] / Math.abs(m[axis]);
    // Just outside the square by rounding: its border point (the edge search covers the rest).
    if (Math.abs(alpha) > 1 + 1e-9 || Math.abs(beta) > 1 + 1e-9) continue;
    feet.push([Math.min(1, Math.max(-1, alpha)), Math.min(1, Math.max(-1, beta))]);
  }
  return feet;
}

/**
 * The distance from p to the patch of direction d of an ellipsoid or sphere specimen: the
 * edge search of patchDistanceFrom and the feet in the patch, or patchDistanceFrom itself
 * where the feet are not safely isolated (see the top of this file).
 */
export function patchDistanceByFeet(s: Exclude<SpecimenShape, { shape: 'box' }>, d: Direction, lat: PatchLattice, p: V3): number {
  const feet = patchFeet(s, d, p);
  if (!feet) {
    feetWork.fallbacks++;
    return patchDistanceFrom(s, d, lat, p);
  }
  feetWork.feet++;
  const lattice = (i: number) => {
    const dx = p[0] - lat.xyz[3 * i], dy = p[1] - lat.xyz[3 * i + 1], dz = p[2] - lat.xyz[3 * i + 2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  };
  const objective = patchDistanceFunction(s, d, p);
  const f = (alpha: number, beta: number) => {
    feetWork.calls++;
    return objective(alpha, beta);
  };
  let out = borderMinimum(s, d, p, f);
  if (!out) {
    feetWork.edgeSearches++;
    out = edgeMinimum(f, lattice);
  }
  for (const [alpha, beta] of feet) {
    const m = newtonPolish(f, { value: f(alpha, beta), alpha, beta });
    if (m.value < out.value) out = m;
  }
  return polishToRest(f, out).value;
}

/**
 * The least of f over the border of the square from the border's own critical points, or
 * undefined where they are not safely isolated (edgeMinimum's search then decides). The
 * edge of the square where the coordinate of `fixed` (one of the patch's other two axes)
 * is +-1 is the curve where the normal's components on the patch's axis and on `fixed` are
 * equal in size: the points c + A^2 n / |A n| of it lie in the plane through c spanned by
 * w = (a_axis sign, a_fixed side) (on those two axes) and the free axis e. That plane cuts
 * the ellipsoid in an ellipse with semi-axes S along w (1 / S^2 = sum w_i^2 / a_i over w
 * normalised) and A_free along e, so |p - q|^2 = h^2 + |P - Q|^2 with P = ((p - c) . w,
 * p_free - c_free) and h the distance of p from the plane: the least over the edge is at
 * an end (a corner of the square) or at a critical point of the planar distance, a root
 * of the two-pole g of footRoots, on the half of the ellipse along +w and inside the edge.
 */
function borderMinimum(s: Exclude<SpecimenShape, { shape: 'box' }>, d: Direction, p: V3, f: (alpha: number, beta: number) => number): SquareMinimum | undefined {
  const A = ellipsoidAxes(s)!;
  const { axis, sign, others } = directionAxis(d);
  const u = [p[0] - s.center[0], p[1] - s.center[1], p[2] - s.center[2]];
  const sq = [A[0] * A[0], A[1] * A[1], A[2] * A[2]];
  const scale = Math.max(Math.abs(u[0]), Math.abs(u[1]), Math.abs(u[2]), ...A);
  let best: SquareMinimum = { value: Infinity, alpha: 0, beta: 0 };
  const consider = (alpha: number, beta: number) => {
    const v = f(alpha, beta);
    if (v < best.value) best = { value: v, alpha, beta };
  };
  for (const a of [-1, 1]) for (const b of [-1, 1]) consider(a, b);
  const a2 = new Float64Array(2), w2 = new Float64Array(2);
  for (let o = 0; o < 2; o++) {
    const fixed = others[o], free = others[1 - o];
    for (const side of [-1, 1]) {
      // w on (axis, fixed), normalised; the ellipse's semi-axis along it.
      const wa = sq[axis] * sign, wf = sq[fixed] * side, len = Math.hypot(wa, wf);
      const na = wa / len, nf = wf / len;
      const S2 = 1 / ((na * na) / sq[axis] + (nf * nf) / sq[fixed]);
      const Ps = u[axis] * na + u[fixed] * nf, Pz = u[free];
      if (Math.abs(Ps) <= NEAR_PLANE * scale || Math.abs(Pz) <= NEAR_PLANE * scale) return undefined;
      const az = sq[free];
      if (S2 !== az && Math.abs(S2 - az) <= NEAR_EQUAL * Math.max(S2, az)) return undefined;
      let n = 0;
      if (S2 === az) {
        a2[0] = S2;
        w2[0] = S2 * Ps * Ps + az * Pz * Pz;
        n = 1;
      } else {
        const [lo, wl, hi, wh] = S2 < az ? [S2, S2 * Ps * Ps, az, az * Pz * Pz] : [az, az * Pz * Pz, S2, S2 * Ps * Ps];
        a2[0] = lo; w2[0] = wl; a2[1] = hi; w2[1] = wh;
        n = 2;
      }
      const roots = footRoots(a2, w2, n);
      if (!roots) return undefined;
      for (const t of roots) {
        const qs = (S2 * Ps) / (S2 + t), qz = (az * Pz) / (az + t);
        if (!(qs > 0) || !Number.isFinite(qz)) continue;
        // The free coordinate of the square: the normal's free component over its axis component.
        const along = (qz / az) / ((qs * Math.abs(na)) / sq[axis]);
        if (!(Math.abs(along) <= 1)) continue;
        if (fixed === others[0]) consider(side, along);
        else consider(along, side);
      }
    }
  }
  return best;
}
