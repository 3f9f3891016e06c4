/**
 * The specimen surface in six patches, one per frame direction: the part whose
 * outward normal points most nearly along that direction. A box's patch is its
 * face; an ellipsoid's is the set of surface points whose normal n has n[i] = ±1
 * and |n[j]|, |n[k]| <= 1, so both are squares in (alpha, beta) in [-1, 1]^2.
 */
import { hypot3, type V3 } from './distance.js';
import { ellipsoidAxes, type SpecimenShape } from './shapes.js';

export const DIRECTIONS = ['+x', '-x', '+y', '-y', '+z', '-z'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export function directionAxis(d: Direction): { axis: 0 | 1 | 2; sign: 1 | -1; others: [number, number] } {
  const axis = ({ x: 0, y: 1, z: 2 } as const)[d[1] as 'x' | 'y' | 'z'];
  const others = [0, 1, 2].filter((i) => i !== axis) as [number, number];
  return { axis, sign: d[0] === '+' ? 1 : -1, others };
}

/** The surface point of the patch for direction d at (alpha, beta) in [-1, 1]^2. */
export function patchPoint(s: SpecimenShape, d: Direction, alpha: number, beta: number, out: V3 = [0, 0, 0]): V3 {
  const { axis, sign, others } = directionAxis(d);
  const [j, k] = others;
  if (s.shape === 'box') {
    out[axis] = s.center[axis] + (sign * s.size[axis]) / 2;
    out[j] = s.center[j] + (alpha * s.size[j]) / 2;
    out[k] = s.center[k] + (beta * s.size[k]) / 2;
    return out;
  }
  const A = ellipsoidAxes(s)!;
  const n: V3 = [0, 0, 0];
  n[axis] = sign;
  n[j] = alpha;
  n[k] = beta;
  const t = 1 / Math.sqrt((A[0] * n[0]) ** 2 + (A[1] * n[1]) ** 2 + (A[2] * n[2]) ** 2);
  for (let i = 0; i < 3; i++) out[i] = s.center[i] + A[i] * A[i] * n[i] * t;
  return out;
}

/**
 * (alpha, beta) -> |p - patchPoint(s, d, alpha, beta)|, the objective of every search in
 * patchDistanceFrom, with patchPoint's arithmetic operation for operation (so the same bits)
 * but the direction's axis, the semi-axes and the centre looked up once: the generic
 * patchPoint allocated and resolved them on each of the searches' 10^3-10^4 calls.
 */
export function patchDistanceFunction(s: SpecimenShape, d: Direction, p: V3): (alpha: number, beta: number) => number {
  const { axis, sign } = directionAxis(d);
  const p0 = p[0], p1 = p[1], p2 = p[2];
  const c0 = s.center[0], c1 = s.center[1], c2 = s.center[2];
  if (s.shape === 'box') {
    const q: V3 = [0, 0, 0];
    return (a, b) => {
      patchPoint(s, d, a, b, q);
      return hypot3(p0 - q[0], p1 - q[1], p2 - q[2]);
    };
  }
  const A = ellipsoidAxes(s)!;
  const A0 = A[0], A1 = A[1], A2 = A[2];
  // n = (sign, alpha, beta) placed on (axis, others[0], others[1]), as patchPoint places it.
  const at = (n0: number, n1: number, n2: number) => {
    const t = 1 / Math.sqrt((A0 * n0) ** 2 + (A1 * n1) ** 2 + (A2 * n2) ** 2);
    return hypot3(p0 - (c0 + A0 * A0 * n0 * t), p1 - (c1 + A1 * A1 * n1 * t), p2 - (c2 + A2 * A2 * n2 * t));
  };
  if (axis === 0) return (a, b) => at(sign, a, b);
  if (axis === 1) return (a, b) => at(a, sign, b);
  return (a, b) => at(a, b, sign);
}

/** Which patch a surface point belongs to: the largest component of its outward normal. */
export function patchOf(s: SpecimenShape, p: V3): Direction {
  const n: number[] = [0, 1, 2].map((i) => {
    if (s.shape === 'box') return (p[i] - s.center[i]) / (s.size[i] / 2);
    const A = ellipsoidAxes(s)!;
    return (p[i] - s.center[i]) / (A[i] * A[i]);
  });
  let i = 0;
  for (let k = 1; k < 3; k++) if (Math.abs(n[k]) > Math.abs(n[i])) i = k;
  return `${n[i] >= 0 ? '+' : '-'}${'xyz'[i]}` as Direction;
}

/**
 * The (alpha, beta) of a specimen surface point q in the patch of direction d: the
 * inverse of patchPoint, clamped to the square (q on a border may round just past it).
 */
export function patchCoordinates(s: SpecimenShape, d: Direction, q: V3): [number, number] {
  const { axis, others } = directionAxis(d);
  const clamp = (x: number) => Math.min(1, Math.max(-1, x));
  if (s.shape === 'box') return [clamp((2 * (q[others[0]] - s.center[others[0]])) / s.size[others[0]]), clamp((2 * (q[others[1]] - s.center[others[1]])) / s.size[others[1]])];
  const A = ellipsoidAxes(s)!;
  // The outward normal, unnormalised: (q - c) / A^2; its axis component is the largest in the patch.
  const g = (i: number) => (q[i] - s.center[i]) / (A[i] * A[i]);
  const m = Math.abs(g(axis));
  return m > 0 ? [clamp(g(others[0]) / m), clamp(g(others[1]) / m)] : [0, 0];
}

/**
 * A change of variable of the square onto itself, per coordinate, that spreads a
 * lattice evenly over an ellipsoid patch. In (alpha, beta) (the normal's components)
 * a patch across a long axis is crowded near 0: with semi-axes [2, 54, 4.6] nine
 * tenths of the -z patch's length in y lie within |beta| < 0.1, so a 25 x 25 lattice
 * puts two or three points across it. Along the axis pair (axis, j), with
 * kappa = A_j / A_axis, the surface coordinate on the line beta = 0 is proportional to
 * w = kappa alpha / sqrt(1 + kappa^2 alpha^2); u = w / m with m = w(1) is even in it,
 * and alpha = u m / (kappa sqrt(1 - u^2 m^2)). Both ends map to themselves exactly, so
 * the square's border stays the patch's border. A box's faces are linear already.
 */
export interface EvenPatchMap {
  /** alpha (or beta) of an even coordinate in [-1, 1]. */
  toPatch(u: number, which: 0 | 1): number;
  /** The even coordinate of an alpha (or beta) in [-1, 1]. */
  fromPatch(alpha: number, which: 0 | 1): number;
}

export function evenPatchMap(s: SpecimenShape, d: Direction): EvenPatchMap {
  if (s.shape === 'box') return { toPatch: (u) => u, fromPatch: (a) => a };
  const A = ellipsoidAxes(s)!;
  const { axis, others } = directionAxis(d);
  const kappa = [A[others[0]] / A[axis], A[others[1]] / A[axis]];
  const m = kappa.map((k) => k / Math.sqrt(1 + k * k));
  return {
    toPatch(u, which) {
      if (u >= 1) return 1;
      if (u <= -1) return -1;
      const w = u * m[which];
      return Math.min(1, Math.max(-1, w / (kappa[which] * Math.sqrt(1 - w * w))));
    },
    fromPatch(alpha, which) {
      if (alpha >= 1) return 1;
      if (alpha <= -1) return -1;
      const k = kappa[which];
      return Math.min(1, Math.max(-1, (k * alpha) / Math.sqrt(1 + k * k * alpha * alpha) / m[which]));
    },
  };
}

export interface SquareMinimum {
  value: number;
  alpha: number;
  beta: number;
}

const GRID = 24;
const STARTS = 3;
/** Moves of one compass search at most: bounds the run time for any shape. */
export const MAX_MOVES = 2000;
const COMPASS: [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];
/** The same moves tried in the opposite order: between two maxima either side of a start, the other one is taken. */
const MIRRORED: [number, number][] = COMPASS.map(([a, b]) => [-a, -b]);

/** The 25 x 25 lattice over [-1, 1]^2 that every search starts from (corners and centre included). */
export function squareLattice(f: (alpha: number, beta: number) => number): SquareMinimum[] {
  const lattice: SquareMinimum[] = [];
  for (let a = 0; a <= GRID; a++) {
    for (let b = 0; b <= GRID; b++) {
      const alpha = -1 + (2 * a) / GRID, beta = -1 + (2 * b) / GRID;
      lattice.push({ value: f(alpha, beta), alpha, beta });
    }
  }
  return lattice;
}

/**
 * Compass search from a start: try the eight neighbours at the current step and move
 * to the first lower one; after two moves in a row the step doubles (up to the lattice
 * spacing), so a long shallow valley is followed in a few moves; when no neighbour is
 * lower the step halves, down to 1e-13. At most MAX_MOVES moves and about 45 + 2 x
 * MAX_MOVES step changes: a bounded number of calls of f, whatever f is. `mirrored`
 * tries the moves in the opposite order; `maxMoves` lowers the bound; `minStep` stops the
 * halving sooner (for a search another method finishes).
 */
export function compassDescent(f: (alpha: number, beta: number) => number, start: SquareMinimum, mirrored = false, maxMoves = MAX_MOVES, minStep = 1e-13): SquareMinimum {
  return patternDescent(f, start, mirrored ? MIRRORED : COMPASS, maxMoves, minStep);
}

/** A move along alpha only, either way: edgeDescent's. */
const ALONG: [number, number][] = [[1, 0], [-1, 0]];

/** The walk of compassDescent and edgeDescent over the given moves (first lower one taken). */
function patternDescent(f: (alpha: number, beta: number) => number, start: SquareMinimum, moves: [number, number][], maxMoves: number, minStep: number): SquareMinimum {
  let { value, alpha, beta } = start;
  let step = 2 / GRID;
  let streak = 0, total = 0;
  while (step > minStep) {
    let moved = false;
    if (total < maxMoves) {
      for (const [da, db] of moves) {
        const a = Math.min(1, Math.max(-1, alpha + da * step));
        const b = Math.min(1, Math.max(-1, beta + db * step));
        const v = f(a, b);
        if (v < value) {
          value = v;
          alpha = a;
          beta = b;
          moved = true;
          total++;
          break;
        }
      }
    }
    if (!moved) {
      step /= 2;
      streak = 0;
    } else if (++streak >= 2) {
      step = Math.min(2 * step, 2 / GRID);
      streak = 0;
    }
  }
  return { value, alpha, beta };
}

/**
 * Minimum of f over [-1, 1]^2: a 25 x 25 lattice finds the basins, then a compass
 * search from the three best lattice points halves its step down to 1e-13 and
 * newtonPolish finishes it; a search along each edge covers minima on the border (see
 * patchDistanceFrom). Exact candidates (known critical points) may be passed in and win
 * when lower. The number of calls of f is bounded, whatever f is: 625, then at most
 * 3 x ((45 + 3 x MAX_MOVES) x 8 + 40 x 20) and 4 x (45 + 3 x EDGE_MOVES) x 2.
 */
export function minimizeOverSquare(f: (alpha: number, beta: number) => number, candidates: [number, number][] = []): SquareMinimum {
  const lattice = squareLattice(f);
  let best = edgeMinimum(f, (i) => lattice[i].value);
  for (const [alpha, beta] of candidates) lattice.push({ value: f(alpha, beta), alpha, beta });
  lattice.sort((p, q) => p.value - q.value);
  if (lattice[0].value < best.value) best = lattice[0];
  for (const start of lattice.slice(0, STARTS)) {
    const m = newtonPolish(f, compassDescent(f, start));
    if (m.value < best.value) best = m;
  }
  return polishToRest(f, best);
}

/**
 * Polishes the best minimum again while a round of newtonPolish still lowers it (at most
 * POLISH_ROUNDS rounds): from a start far along a flat, curved valley one round's 40 steps
 * can end short of the bottom (a point near the long axis of [31.338, 5, 5.007] read
 * 6.5e-8 mm too far from -z after one round, 1.8e-12 after two). Only the best start gets
 * the extra rounds, so the cost stays that of one start.
 */
export function polishToRest(f: (alpha: number, beta: number) => number, m: SquareMinimum): SquareMinimum {
  let best = m;
  for (let round = 0; round < POLISH_ROUNDS; round++) {
    const next = newtonPolish(f, best);
    if (!(next.value < best.value)) break;
    best = next;
  }
  return best;
}

/** The most extra newtonPolish rounds polishToRest gives the best minimum. */
export const POLISH_ROUNDS = 6;

/** A patch's 25 x 25 lattice of surface points, computed once and reused for many distance queries. */
export interface PatchLattice { alpha: Float64Array; beta: Float64Array; xyz: Float64Array }

export function patchLattice(s: SpecimenShape, d: Direction): PatchLattice {
  const n = (GRID + 1) * (GRID + 1);
  const lat: PatchLattice = { alpha: new Float64Array(n), beta: new Float64Array(n), xyz: new Float64Array(3 * n) };
  const q: V3 = [0, 0, 0];
  let i = 0;
  squareLattice((a, b) => {
    patchPoint(s, d, a, b, q);
    lat.alpha[i] = a;
    lat.beta[i] = b;
    lat.xyz.set(q, 3 * i++);
    return 0;
  });
  return lat;
}

/**
 * Moves of each compass search in patchDistanceFrom at most, and it stops halving at a
 * step of 1e-7: enough to reach the basin, which newtonPolish then finishes (a minimum
 * on the border is the edge searches'). With the full search, 2,000 points near a patch
 * border took 0.8 s, most of it in the compass searches.
 */
export const PATCH_MOVES = 150;

/** Moves of a search along one edge of the square at most. */
export const EDGE_MOVES = 400;

/**
 * Minimum of g over [-1, 1] from t (where g is value): moves of one step either way,
 * the step doubling after two moves in a row (up to the lattice spacing) and halving
 * when neither side is lower, down to 1e-13; at most EDGE_MOVES moves.
 */
export function edgeDescent(g: (t: number) => number, t: number, value: number): { t: number; value: number } {
  const m = patternDescent((a) => g(a), { value, alpha: t, beta: 0 }, ALONG, EDGE_MOVES, 1e-13);
  return { t: m.alpha, value: m.value };
}

/**
 * The least of f along the square's four edges: from each edge's lowest lattice point
 * (lattice index a (GRID + 1) + b holds alpha number a and beta number b; `at(i)` its
 * value), an edgeDescent.
 */
export function edgeMinimum(f: (alpha: number, beta: number) => number, at: (i: number) => number): SquareMinimum {
  let best: SquareMinimum = { value: Infinity, alpha: 0, beta: 0 };
  const coord = (k: number) => -1 + (2 * k) / GRID;
  for (const fixed of [0, GRID]) {
    let alongBeta = 0, alongAlpha = 0;
    for (let t = 1; t <= GRID; t++) {
      if (at(fixed * (GRID + 1) + t) < at(fixed * (GRID + 1) + alongBeta)) alongBeta = t;
      if (at(t * (GRID + 1) + fixed) < at(alongAlpha * (GRID + 1) + fixed)) alongAlpha = t;
    }
    const side = coord(fixed);
    const e1 = edgeDescent((b) => f(side, b), coord(alongBeta), at(fixed * (GRID + 1) + alongBeta));
    if (e1.value < best.value) best = { value: e1.value, alpha: side, beta: e1.t };
    const e2 = edgeDescent((a) => f(a, side), coord(alongAlpha), at(alongAlpha * (GRID + 1) + fixed));
    if (e2.value < best.value) best = { value: e2.value, alpha: e2.t, beta: side };
  }
  return best;
}

/**
 * Damped Newton steps (Levenberg-Marquardt) from the end of a compass search, on
 * differences of f (step 1e-4): the compass search crawls along the floor of a narrow
 * valley slanted or curved against both coordinates, which near-equal semi-axes make
 * long and flat, and can spend all its moves there; the damped step follows the floor.
 * The damping starts at what makes the local quadratic model convex and grows tenfold
 * while a step does not lower f; a step is taken only when it does. At most 40 steps,
 * points on the square only, none from within 2e-4 of its border. Returns the better of
 * the start and the last point.
 */
export function newtonPolish(f: (alpha: number, beta: number) => number, m: SquareMinimum): SquareMinimum {
  const h = 1e-4;
  let { value, alpha, beta } = m;
  for (let it = 0; it < 40; it++) {
    if (Math.abs(alpha) > 1 - 2 * h || Math.abs(beta) > 1 - 2 * h) break;
    const fa = f(alpha + h, beta), fb = f(alpha - h, beta), fc = f(alpha, beta + h), fd = f(alpha, beta - h);
    const fab = f(alpha + h, beta + h), fAb = f(alpha - h, beta - h), faB = f(alpha + h, beta - h), fAB = f(alpha - h, beta + h);
    const ga = (fa - fb) / (2 * h), gb = (fc - fd) / (2 * h);
    const haa = (fa - 2 * value + fb) / (h * h), hbb = (fc - 2 * value + fd) / (h * h);
    const hab = (fab + fAb - faB - fAB) / (4 * h * h);
    // The smaller eigenvalue of the Hessian: damping below -it leaves the model non-convex.
    const lowest = (haa + hbb) / 2 - Math.hypot((haa - hbb) / 2, hab);
    const scale = Math.abs(haa) + Math.abs(hbb) + 1e-300;
    let damping = lowest > 1e-9 * scale ? 0 : 1e-6 * scale - lowest;
    let moved = false;
    for (let tries = 0; tries < 12 && Number.isFinite(damping); tries++) {
      const A = haa + damping, B = hbb + damping, det = A * B - hab * hab;
      const da = -(B * ga - hab * gb) / det, db = -(A * gb - hab * ga) / det;
      const a = Math.min(1, Math.max(-1, alpha + da)), b = Math.min(1, Math.max(-1, beta + db));
      const v = f(a, b);
      if (v < value) {
        value = v;
        alpha = a;
        beta = b;
        moved = true;
        break;
      }
      damping = damping === 0 ? 1e-6 * scale : 10 * damping;
    }
    if (!moved) break;
  }
  return { value, alpha, beta };
}

/**
 * The distance from p to the patch: the cached lattice finds the basins, compass
 * searches from its three best points refine (then newtonPolish), and a search along each edge of the
 * square from its best lattice point covers minima on the patch's border. Those need it:
 * the distance over a patch that does not hold p's nearest surface point is often least
 * on the border, at the end of a valley slanted to both coordinates that the compass
 * search only crawls along (a point 2 mm off the long axis of a specimen with semi-axes
 * [14.373, 5, 5.007] spent all its moves so and read 1.9e-6 mm too far from +y).
 */
export function patchDistanceFrom(s: SpecimenShape, d: Direction, lat: PatchLattice, p: V3): number {
  const best: number[] = [];
  const sq = new Float64Array(lat.alpha.length);
  for (let i = 0; i < sq.length; i++) {
    const dx = p[0] - lat.xyz[3 * i], dy = p[1] - lat.xyz[3 * i + 1], dz = p[2] - lat.xyz[3 * i + 2];
    sq[i] = dx * dx + dy * dy + dz * dz;
    // Keep the indices of the STARTS smallest, in order.
    let k = best.length;
    while (k > 0 && sq[best[k - 1]] > sq[i]) k--;
    if (k < STARTS) {
      best.splice(k, 0, i);
      if (best.length > STARTS) best.pop();
    }
  }
  const f = patchDistanceFunction(s, d, p);
  let out = edgeMinimum(f, (i) => Math.sqrt(sq[i]));
  for (const i of best) {
    const m = newtonPolish(f, compassDescent(f, { value: Math.sqrt(sq[i]), alpha: lat.alpha[i], beta: lat.beta[i] }, false, PATCH_MOVES, 1e-7));
    if (m.value < out.value) out = m;
  }
  return polishToRest(f, out).value;
}
