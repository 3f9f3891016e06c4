/**
 * Rigorous lower bounds on the distance from a point to an ellipsoid (or sphere) patch,
 * so that ballMargins runs the full patch search (patchDistanceFrom) only for the
 * centres that could still lower a margin.
 *
 * Why it holds: on a patch, surface point q(alpha, beta) has coordinates
 *   q_axis = c_axis + A_axis^2 sign / D,  q_j = c_j + A_j^2 alpha / D,  q_k = c_k + A_k^2 beta / D,
 * with D = sqrt(A_axis^2 + A_j^2 alpha^2 + A_k^2 beta^2) (patchPoint). Over a rectangle of
 * (alpha, beta) that does not straddle alpha = 0 or beta = 0, each coordinate is monotone
 * in alpha for every beta and in beta for every alpha (q_j / alpha and D depend on |alpha|
 * and |beta| only, and alpha / sqrt(K + A_j^2 alpha^2) increases with alpha), so the
 * rectangle's piece of surface lies in the axis-aligned box of its four corner points.
 * The distance from p to the piece is at least the distance from p to that box. Cells are
 * a quadtree over the even coordinates of evenPatchMap (a monotone change of variable
 * that maps 0 to 0 and ±1 to themselves, so its cells are such rectangles and tile the
 * square), which keeps cells of a long specimen's patch of similar surface size.
 *
 * Corner points carry rounding (a few ulps of coordinates up to 1,500 mm): every box and
 * slab is widened by 1e-13 (1 + |centre| + largest semi-axis) mm, hundreds of ulps, so a
 * centre is skipped only when no point of the patch as computed can come within the bound.
 * The least over centres is then the same number whether or not the skipped centres were
 * searched (test/margins/bounded-time.test.ts compares, to 1e-12 relative).
 */
import type { V3 } from './distance.js';
import { directionAxis, evenPatchMap, type Direction } from './patches.js';
import { ellipsoidAxes, type SpecimenShape } from './shapes.js';

/** Levels stored: 2 x 2 cells (one per quadrant) up to 2^STORED per side. */
const STORED = 5;
/** Levels refined on demand below the stored ones, for a centre a stored leaf cannot decide. */
const EXTRA = 4;
/**
 * Cells split on demand per query at most (each split: nine corner points, four cells), after
 * which the full search decides. Split cells are kept (see PatchBoxes.split), so the centres
 * along a border, which need the same cells near their common nearest points, pay once.
 */
const REFINE_BUDGET = 2;
/** Cells visited per query at most (kept ones included): bounds the work of one query, whatever the tree holds. */
const VISIT_BUDGET = 128;
/** Split groups (of four cells) kept per patch at most: 32,768 groups, 11.5 MB of cells, then no more splits. */
const MAX_GROUPS = 1 << 15;

/** Work done (for the bounded-work test and the benchmark): queries, cells refined on demand, full searches. */
export const pruneWork = { bounds: 0, refined: 0, searches: 0 };

/**
 * Per cell, CELL numbers: the box (lo x, y, z, hi x, y, z), a unit normal m and the slab
 * [lo, hi] of m . (q - c) that holds the cell's surface. The slab is the second bound: with
 * n = (sign, alpha, beta) on (axis, j, k) and v = A n (per component), m . (q - c) =
 * |n|^-1 <v_m, v> / |v| for m = n_m / |n_m|, largest (|v_m| / |n_m|) where v = v_m and
 * least where the angle from v_m is largest; v is affine in (alpha, beta), so the cell
 * maps to a parallelogram, and cos(angle) (quasi-concave where positive: its upper level
 * sets are cones) is least at a corner. The box bounds the distance to first order in
 * the cell's size, the slab (thickness |v_m| (1 - cos)) to second order along the normal.
 */
const CELL = 11;
interface Level { side: number; cells: Float64Array }

export class PatchBoxes {
  private readonly levels: (Level | undefined)[] = [];
  private readonly pad: number;
  private readonly c: V3;
  private readonly A: V3;
  private readonly axis: 0 | 1 | 2;
  private readonly sign: number;
  private readonly j: number;
  private readonly k: number;
  private readonly even: ReturnType<typeof evenPatchMap>;
  private budget = 0;
  private visits = 0;
  /** Scratch: the 3 x 3 corner records of a cell being split. */
  private readonly corners = new Float64Array(9 * CORNER);
  /**
   * The cells split below the stored leaves, kept: group g (four cells, the quarters of
   * the cell split, in QUARTERS order) has its records at CELL (4 g + q) of `kept` and the
   * group its quarter q was split into at `keptKids[4 g + q]` (-1: not split yet). A
   * stored leaf's group is `leafKids[leaf]`. Grown by doubling up to MAX_GROUPS.
   */
  private kept = new Float64Array(CELL * 4 * 64);
  private keptKids = new Int32Array(4 * 64).fill(-1);
  private groups = 0;
  private leafKids?: Int32Array;
  /** The surface points of level SAMPLE_LEVEL's corners (x, y, z each), for sampleDistance. */
  private sample?: Float64Array;

  constructor(s: Exclude<SpecimenShape, { shape: 'box' }>, d: Direction) {
    this.A = [...ellipsoidAxes(s)!];
    const { axis, sign, others } = directionAxis(d);
    this.axis = axis;
    this.sign = sign;
    [this.j, this.k] = others;
    this.even = evenPatchMap(s, d);
    this.c = [...s.center];
    this.pad = 1e-13 * (1 + Math.max(...this.c.map(Math.abs)) + Math.max(...this.A));
  }

  /** Level l (2^l cells per side), built on first use: a request that needs only the coarse levels pays for them alone. */
  private level(l: number): Level {
    const have = this.levels[l - 1];
    if (have) return have;
    const n = 2 ** l;
    const grid = new Float64Array(CORNER * (n + 1) * (n + 1));
    for (let a = 0; a <= n; a++) for (let b = 0; b <= n; b++) this.corner(-1 + (2 * a) / n, -1 + (2 * b) / n, grid, CORNER * (a * (n + 1) + b));
    if (l === SAMPLE_LEVEL) {
      this.sample = new Float64Array(3 * (n + 1) * (n + 1));
      for (let i = 0; i < (n + 1) * (n + 1); i++) for (let c = 0; c < 3; c++) this.sample[3 * i + c] = grid[CORNER * i + 2 + c];
    }
    const cells = new Float64Array(CELL * n * n);
    const at = (a: number, b: number) => CORNER * (a * (n + 1) + b);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) this.cellOf(cells, CELL * (a * n + b), grid, at(a, b), at(a + 1, b), at(a, b + 1), at(a + 1, b + 1));
    return (this.levels[l - 1] = { side: n, cells });
  }

  /** The corner record at even coordinates (u, v): alpha, beta, the surface point, v = A n and |v|. */
  private corner(u: number, v: number, out: Float64Array, o: number): void {
    const alpha = this.even.toPatch(u, 0), beta = this.even.toPatch(v, 1);
    const n = this.normal(alpha, beta);
    const A = this.A;
    const v0 = A[0] * n[0], v1 = A[1] * n[1], v2 = A[2] * n[2];
    const len = Math.sqrt(v0 * v0 + v1 * v1 + v2 * v2);
    const t = 1 / len;
    out[o] = alpha;
    out[o + 1] = beta;
    for (let i = 0; i < 3; i++) out[o + 2 + i] = this.c[i] + A[i] * A[i] * n[i] * t;
    out[o + 5] = v0;
    out[o + 6] = v1;
    out[o + 7] = v2;
    out[o + 8] = len;
  }

  private normal(alpha: number, beta: number): V3 {
    const n: V3 = [0, 0, 0];
    n[this.axis] = this.sign;
    n[this.j] = alpha;
    n[this.k] = beta;
    return n;
  }

  /** A cell's record (see CELL) from its four corner records. */
  private cellOf(out: Float64Array, o: number, rec: Float64Array, i0: number, i1: number, i2: number, i3: number): void {
    const pad = this.pad, A = this.A;
    for (let c = 0; c < 3; c++) {
      const a = rec[i0 + 2 + c], b = rec[i1 + 2 + c], e = rec[i2 + 2 + c], f = rec[i3 + 2 + c];
      out[o + c] = Math.min(a, b, e, f) - pad;
      out[o + 3 + c] = Math.max(a, b, e, f) + pad;
    }
    const nm = this.normal((rec[i0] + rec[i3]) / 2, (rec[i0 + 1] + rec[i3 + 1]) / 2);
    const m0 = A[0] * nm[0], m1 = A[1] * nm[1], m2 = A[2] * nm[2];
    const lenN = Math.sqrt(nm[0] * nm[0] + nm[1] * nm[1] + nm[2] * nm[2]), lenV = Math.sqrt(m0 * m0 + m1 * m1 + m2 * m2);
    let cos = 1;
    for (const i of [i0, i1, i2, i3]) cos = Math.min(cos, (m0 * rec[i + 5] + m1 * rec[i + 6] + m2 * rec[i + 7]) / (lenV * rec[i + 8]));
    for (let i = 0; i < 3; i++) out[o + 6 + i] = nm[i] / lenN;
    if (cos > 0) {
      // The relative rounding of cos and of the lengths (a few ulps) times |v_m| is far inside pad.
      out[o + 9] = (lenV * cos) / lenN - pad;
      out[o + 10] = lenV / lenN + pad;
    } else {
      out[o + 9] = -Infinity;
      out[o + 10] = Infinity;
    }
  }

  /** The squared lower bound of one cell's distance from p (the larger of the box's and the slab's). */
  private bound2(cells: Float64Array, o: number, p: V3): number {
    const p0 = p[0], p1 = p[1], p2 = p[2];
    const g0 = Math.max(cells[o] - p0, 0, p0 - cells[o + 3]);
    const g1 = Math.max(cells[o + 1] - p1, 0, p1 - cells[o + 4]);
    const g2 = Math.max(cells[o + 2] - p2, 0, p2 - cells[o + 5]);
    const box = g0 * g0 + g1 * g1 + g2 * g2;
    const h = cells[o + 6] * (p0 - this.c[0]) + cells[o + 7] * (p1 - this.c[1]) + cells[o + 8] * (p2 - this.c[2]);
    const slab = Math.max(cells[o + 9] - h, 0, h - cells[o + 10]);
    return Math.max(box, slab * slab);
  }

  /** The distance from p to the nearest of the 17 x 17 corner points of level 4: an estimate (from above) of its distance to the patch, for ordering. */
  sampleDistance(p: V3): number {
    this.level(SAMPLE_LEVEL);
    const g = this.sample!;
    const p0 = p[0], p1 = p[1], p2 = p[2];
    let least = Infinity;
    for (let o = 0; o < g.length; o += 3) {
      const dx = p0 - g[o], dy = p1 - g[o + 1], dz = p2 - g[o + 2];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 < least) least = d2;
    }
    return Math.sqrt(least);
  }

  /** A lower bound on the distance from p to the patch from the stored cells of a level (1: 2 x 2, 3: 8 x 8). */
  coarse(p: V3, level = 3): number {
    const { side, cells } = this.level(level);
    let least = Infinity;
    for (let i = 0; i < side * side; i++) least = Math.min(least, this.bound2(cells, CELL * i, p));
    return Math.sqrt(least);
  }

  /**
   * Whether the distance from p to the patch is surely at least `threshold`: true only when
   * every cell's bound is at least that (refining the cells that are not, down to the
   * stored leaves and then up to EXTRA levels by splitting, at most REFINE_BUDGET new splits
   * and VISIT_BUDGET cells visited); false means "not proved".
   */
  atLeast(p: V3, threshold: number): boolean {
    pruneWork.bounds++;
    if (threshold <= 0) return true;
    if (!Number.isFinite(threshold)) return false;
    this.budget = REFINE_BUDGET;
    this.visits = VISIT_BUDGET;
    // The bounds' own rounding in p - c (coordinates up to 2,000 mm apart): a few ulps of it.
    const slack = 1e-15 * (Math.abs(p[0] - this.c[0]) + Math.abs(p[1] - this.c[1]) + Math.abs(p[2] - this.c[2]));
    const t = threshold + slack;
    const t2 = t * t;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) if (!this.cellAtLeast(1, a, b, p, t2)) return false;
    return true;
  }

  /** Cell (a, b) of level `level` (2^level per side) and what lies in it. */
  private cellAtLeast(level: number, a: number, b: number, p: V3, t2: number): boolean {
    const { side, cells } = this.level(level);
    if (this.bound2(cells, CELL * (a * side + b), p) >= t2) return true;
    if (level === STORED) {
      const leafKids = (this.leafKids ??= new Int32Array(side * side).fill(-1));
      const leaf = a * side + b;
      // The same even coordinates as the stored grid's, so that the split cells tile this one.
      const u0 = -1 + (2 * a) / side, u1 = -1 + (2 * (a + 1)) / side, v0 = -1 + (2 * b) / side, v1 = -1 + (2 * (b + 1)) / side;
      if (leafKids[leaf] < 0) {
        const g = this.split(u0, u1, v0, v1);
        if (g < 0) return false;
        leafKids[leaf] = g;
      }
      return this.groupAtLeast(leafKids[leaf], u0, u1, v0, v1, EXTRA, p, t2);
    }
    // The four children, nearest first: a failure (the common answer near p) is found sooner.
    const kids: [number, number, number][] = [];
    const { side: s2, cells: c2 } = this.level(level + 1);
    for (const [da, db] of QUARTERS) {
      const ca = 2 * a + da, cb = 2 * b + db;
      kids.push([this.bound2(c2, CELL * (ca * s2 + cb), p), ca, cb]);
    }
    kids.sort((x, y) => x[0] - y[0]);
    for (const [g, ca, cb] of kids) if (g < t2 && !this.cellAtLeast(level + 1, ca, cb, p, t2)) return false;
    return true;
  }

  /**
   * The four quarters (group g) of the cell [u0, u1] x [v0, v1] (even coordinates), `depth`
   * levels of splitting left: each quarter's bound, and below those that do not decide,
   * their own quarters (split now when not kept yet).
   */
  private groupAtLeast(g: number, u0: number, u1: number, v0: number, v1: number, depth: number, p: V3, t2: number): boolean {
    const um = (u0 + u1) / 2, vm = (v0 + v1) / 2;
    for (let q = 0; q < 4; q++) {
      if (--this.visits < 0) return false;
      if (this.bound2(this.kept, CELL * (4 * g + q), p) >= t2) continue;
      if (depth <= 1) return false;
      const [i, k] = QUARTERS[q];
      const a0 = i ? um : u0, a1 = i ? u1 : um, b0 = k ? vm : v0, b1 = k ? v1 : vm;
      let kid = this.keptKids[4 * g + q];
      if (kid < 0) {
        kid = this.split(a0, a1, b0, b1);
        if (kid < 0) return false;
        this.keptKids[4 * g + q] = kid;
      }
      if (!this.groupAtLeast(kid, a0, a1, b0, b1, depth - 1, p, t2)) return false;
    }
    return true;
  }

  /** Splits the cell [u0, u1] x [v0, v1] (even coordinates) in four, its corners computed now: the new group, or -1 when the budget or the store is spent. */
  private split(u0: number, u1: number, v0: number, v1: number): number {
    if (this.budget <= 0 || this.groups >= MAX_GROUPS) return -1;
    this.budget--;
    pruneWork.refined++;
    const g = this.groups++;
    if (4 * (g + 1) > this.keptKids.length) {
      const kept = new Float64Array(2 * this.kept.length);
      kept.set(this.kept);
      this.kept = kept;
      const kids = new Int32Array(2 * this.keptKids.length).fill(-1);
      kids.set(this.keptKids);
      this.keptKids = kids;
    }
    const us = [u0, (u0 + u1) / 2, u1], vs = [v0, (v0 + v1) / 2, v1];
    const rec = this.corners;
    for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) this.corner(us[i], vs[k], rec, CORNER * (3 * i + k));
    const at = (i: number, k: number) => CORNER * (3 * i + k);
    for (let q = 0; q < 4; q++) {
      const [i, k] = QUARTERS[q];
      this.cellOf(this.kept, CELL * (4 * g + q), rec, at(i, k), at(i + 1, k), at(i, k + 1), at(i + 1, k + 1));
    }
    return g;
  }
}

/** The level whose corner points sampleDistance measures: 289 points. */
const SAMPLE_LEVEL = 4;
/** Numbers per corner record: alpha, beta, x, y, z, v = A n (3) and |v|. */
const CORNER = 9;
const QUARTERS: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];

export interface PatchCandidate { p: V3; signed: number; home: Direction }

/**
 * The least of exact(c) - radius over the centres c not at home in patch d, and `start`.
 * A centre's distance to the patch is at least its distance to the surface and at least the
 * patch's quadrant boxes' bound, and those two leave few centres in most requests; the rest
 * are taken in the order of the 8 x 8 cells' bound, the scan stops once it cannot beat the
 * least so far, and a centre is skipped when the quadtree proves it too far. With no least yet (no centre at home in d),
 * the centre of smallest bound is searched first, so that the order is made only among the
 * centres that can still win. The same number as searching every centre (see the top of
 * this file).
 */
export function leastOverPatch<C extends PatchCandidate>(s: Exclude<SpecimenShape, { shape: 'box' }>, d: Direction, centres: readonly C[], radius: number, start: number, exact: (c: C) => number): number {
  let out = start;
  const others = centres.filter((c) => c.home !== d && Math.abs(c.signed) - radius < out);
  if (!others.length) return out;
  const boxes = new PatchBoxes(s, d);
  const bound = new Float64Array(others.length);
  let first = 0;
  for (let i = 0; i < others.length; i++) {
    bound[i] = Math.max(Math.abs(others[i].signed), boxes.coarse(others[i].p, 1));
    if (bound[i] < bound[first]) first = i;
  }
  const search = (c: C) => {
    pruneWork.searches++;
    const v = exact(c) - radius;
    if (v < out) out = v;
  };
  const searchedFirst = !Number.isFinite(out);
  if (searchedFirst) search(others[first]);
  // Those the quadrants leave are ordered by the 8 x 8 cells' bound: a better order (the least
  // found sooner, more centres skipped) at a cost paid only for them.
  const order: number[] = [];
  for (let i = 0; i < others.length; i++) {
    if (bound[i] - radius < out && !(searchedFirst && i === first)) {
      bound[i] = Math.max(bound[i], boxes.coarse(others[i].p));
      order.push(i);
    }
  }
  order.sort((x, y) => bound[x] - bound[y]);
  // Near-ties (hundreds of centres within a few micrometres of one another, along a border)
  // are proved too far only against a least close to the final one: the centre nearest to
  // a sample of the patch's points is searched first, whatever its lower bound.
  let lead = -1, leadNear = Infinity;
  for (const i of order) {
    if (bound[i] - radius >= out) break;
    const near = boxes.sampleDistance(others[i].p);
    if (near < leadNear) { leadNear = near; lead = i; }
  }
  if (lead >= 0) search(others[lead]);
  for (const i of order) {
    if (bound[i] - radius >= out) break;
    if (i === lead) continue;
    const c = others[i];
    if (boxes.atLeast(c.p, out + radius)) continue;
    search(c);
  }
  return out;
}
