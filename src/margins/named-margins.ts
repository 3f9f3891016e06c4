/**
 * The six named margins of a lesion in a specimen, by the one definition at the top of
 * margins.ts: exact per centre for balls (sphere, calcification points), searched over the
 * patches' square parameter domains for solids (box, ellipsoid), with the reach beyond a patch
 * searched over the lesion's surface and over the patch's outward normals. Also the signed
 * distances of markers, through the wasm ellipsoid batch with every answer checked.
 */
import type { Engine } from '../engine/engine.js';
import { ellipsoidNearest, type V3 } from './distance.js';
import { EllipsoidDistanceBatch } from './ellipsoid-batch.js';
import {
  DIRECTIONS, compassDescent, directionAxis, evenPatchMap, minimizeOverSquare, patchCoordinates, patchDistanceFrom, patchLattice, patchOf, patchPoint, squareLattice,
  type Direction, type PatchLattice, type SquareMinimum,
} from './patches.js';
import { ellipsoidAxes, lesionSignedDistance, solidSignedDistance, type LesionShape, type SpecimenShape } from './shapes.js';
import { leastOverPatch } from './patch-prune.js';
import { patchDistanceByFeet } from './patch-feet.js';

/** Exact distance from p to the face rectangle of a box specimen. */
function boxFaceDistance(s: Extract<SpecimenShape, { shape: 'box' }>, d: Direction, p: V3): number {
  const { axis, sign } = directionAxis(d);
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const h = s.size[i] / 2;
    const q = i === axis ? s.center[i] + sign * h : Math.min(s.center[i] + h, Math.max(s.center[i] - h, p[i]));
    sum += (p[i] - q) ** 2;
  }
  return Math.sqrt(sum);
}

/** Distance from p to the patch of direction d. */
function patchDistance(s: SpecimenShape, d: Direction, p: V3, nearest: V3, lattice: () => PatchLattice): number {
  if (s.shape === 'box') return boxFaceDistance(s, d, p);
  if (patchOf(s, nearest) === d) return Math.hypot(p[0] - nearest[0], p[1] - nearest[1], p[2] - nearest[2]);
  return patchDistanceByFeet(s, d, lattice(), p);
}

interface Centre { p: V3; signed: number; nearest: V3 }

/**
 * Whether a signed distance and nearest point from the wasm kernel are consistent: all
 * finite, the point on the ellipsoid to 1e-9, its distance from p equal to |signed| and
 * the sign that of p's side (1e-9 mm). Any other answer is recomputed in TypeScript.
 */
export function kernelAnswerHolds(center: V3, axes: V3, p: V3, signed: number, nearest: V3): boolean {
  if (!Number.isFinite(signed) || !nearest.every(Number.isFinite)) return false;
  let on = 0, side = 0;
  for (let i = 0; i < 3; i++) {
    on += ((nearest[i] - center[i]) / axes[i]) ** 2;
    side += ((p[i] - center[i]) / axes[i]) ** 2;
  }
  if (!(Math.abs(on - 1) <= 1e-9)) return false;
  const gap = Math.hypot(p[0] - nearest[0], p[1] - nearest[1], p[2] - nearest[2]);
  if (!(Math.abs(gap - Math.abs(signed)) <= 1e-9)) return false;
  return gap <= 1e-9 || (signed < 0) === (side < 1);
}

/** Signed distance to the specimen surface (positive outside) and the nearest surface point, for many points. */
export function specimenDistances(engine: Engine, s: SpecimenShape, points: V3[]): Centre[] {
  const A = ellipsoidAxes(s);
  if (s.shape === 'box') {
    return points.map((p) => {
      const signed = solidSignedDistance(s, p);
      // The nearest face point: clamp into the box, then push the coordinate with the least slack to its face.
      const h = s.size.map((x) => x / 2);
      const q = p.map((x, i) => Math.min(s.center[i] + h[i], Math.max(s.center[i] - h[i], x))) as V3;
      if (signed < 0) {
        let best = 0, slack = Infinity;
        for (let i = 0; i < 3; i++) {
          const sl = h[i] - Math.abs(p[i] - s.center[i]);
          if (sl < slack) { slack = sl; best = i; }
        }
        q[best] = s.center[best] + Math.sign(p[best] - s.center[best] || 1) * h[best];
      }
      return { p, signed, nearest: q };
    });
  }
  if (!points.length) return [];
  const batch = new EllipsoidDistanceBatch(engine, { capacity: points.length, center: s.center, semiAxes: A! });
  try {
    const x = batch.x, y = batch.y, z = batch.z;
    points.forEach((p, i) => { x[i] = p[0]; y[i] = p[1]; z[i] = p[2]; });
    batch.run();
    const sd = batch.signed, nx = batch.nearestX, ny = batch.nearestY, nz = batch.nearestZ;
    return points.map((p, i) => {
      const nearest: V3 = [nx[i], ny[i], nz[i]];
      if (kernelAnswerHolds(s.center, A!, p, sd[i], nearest)) return { p, signed: sd[i], nearest };
      // The kernel's answer does not hold (for example a point within 1e-8 of a symmetry
      // plane, where a root equation in s loses precision): the TypeScript path decides.
      const own = ellipsoidNearest(s.center, A!, p);
      return { p, signed: own.signed, nearest: own.point };
    });
  } finally {
    batch.dispose();
  }
}

/** An axis-aligned box holding the patch of direction d (for an ellipsoid, its exact extents). */
export function patchBounds(s: SpecimenShape, d: Direction): { lo: V3; hi: V3 } {
  const { axis, sign, others } = directionAxis(d);
  const lo = [0, 0, 0] as V3, hi = [0, 0, 0] as V3;
  if (s.shape === 'box') {
    for (let i = 0; i < 3; i++) {
      lo[i] = s.center[i] - s.size[i] / 2;
      hi[i] = s.center[i] + s.size[i] / 2;
    }
    if (sign > 0) lo[axis] = hi[axis];
    else hi[axis] = lo[axis];
    return { lo, hi };
  }
  const A = ellipsoidAxes(s)!;
  const near = (A[axis] * A[axis]) / Math.hypot(A[0], A[1], A[2]);
  lo[axis] = s.center[axis] + (sign > 0 ? near : -A[axis]);
  hi[axis] = s.center[axis] + (sign > 0 ? A[axis] : -near);
  for (const j of others) {
    const w = (A[j] * A[j]) / Math.hypot(A[axis], A[j]);
    lo[j] = s.center[j] - w;
    hi[j] = s.center[j] + w;
  }
  return { lo, hi };
}

function boxGap(b: { lo: V3; hi: V3 }, p: V3): number {
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const g = Math.max(b.lo[i] - p[i], 0, p[i] - b.hi[i]);
    sum += g * g;
  }
  return Math.sqrt(sum);
}

/** Named margins of a lesion made of balls (sphere, or points with a radius): exact per centre. */
export function ballMargins(engine: Engine, s: SpecimenShape, centres: V3[], radius: number): Record<Direction, number> {
  const info = specimenDistances(engine, s, centres).map((c) => ({ ...c, home: patchOf(s, c.nearest) }));
  const out = {} as Record<Direction, number>;
  for (const d of DIRECTIONS) out[d] = Infinity;
  // A centre outside the specimen reaches through the patch of its nearest surface point.
  for (const c of info) {
    // Inside, -signed is the depth below the surface; outside, it is minus the distance beyond it.
    const own = -c.signed - radius;
    if (own < out[c.home]) out[c.home] = own;
  }
  // Other patches: a centre is never closer to a patch than to the surface or to the
  // patch's bounding box, so scan centres by their surface distance, skip those the box
  // rules out, and stop once the surface bound cannot win.
  const byDistance = [...info].sort((a, b) => Math.abs(a.signed) - Math.abs(b.signed));
  for (const d of DIRECTIONS) {
    const bounds = patchBounds(s, d);
    let lat: PatchLattice | undefined;
    const lattice = () => (lat ??= patchLattice(s, d));
    if (s.shape !== 'box') {
      out[d] = leastOverPatch(s, d, byDistance, radius, out[d], (c) => patchDistance(s, d, c.p, c.nearest, lattice));
      continue;
    }
    for (const c of byDistance) {
      if (Math.abs(c.signed) - radius >= out[d]) break;
      if (c.home === d || boxGap(bounds, c.p) - radius >= out[d]) continue;
      const v = patchDistance(s, d, c.p, c.nearest, lattice) - radius;
      if (v < out[d]) out[d] = v;
    }
  }
  return out;
}

type SolidLesion = Extract<LesionShape, { shape: 'box' | 'ellipsoid' }>;

/** The unit outward normal of the specimen at patchPoint(s, d, alpha, beta). */
function patchNormal(s: SpecimenShape, d: Direction, alpha: number, beta: number): V3 {
  const { axis, sign, others } = directionAxis(d);
  const n: V3 = [0, 0, 0];
  n[axis] = sign;
  if (s.shape === 'box') return n;
  n[others[0]] = alpha;
  n[others[1]] = beta;
  const len = Math.hypot(n[0], n[1], n[2]);
  return [n[0] / len, n[1] / len, n[2] / len];
}

/** The ray q + t n in an ellipsoid lesion's scaled frame: |u + t v|^2 - 1 = A t^2 + 2 B t + C. */
function scaledRay(l: Extract<SolidLesion, { shape: 'ellipsoid' }>, q: V3, n: V3): [number, number, number] {
  let A = 0, B = 0, C = -1;
  for (let i = 0; i < 3; i++) {
    const u = (q[i] - l.center[i]) / l.semiAxes[i], v = n[i] / l.semiAxes[i];
    A += v * v;
    B += u * v;
    C += u * u;
  }
  return [A, B, C];
}

/** How far beyond q the lesion reaches along the unit direction n: the far end of the ray's chord, 0 when the ray misses. */
export function rayReach(l: SolidLesion, q: V3, n: V3): number {
  if (l.shape === 'box') {
    let lo = -Infinity, hi = Infinity;
    for (let i = 0; i < 3; i++) {
      const a = l.center[i] - l.size[i] / 2, b = l.center[i] + l.size[i] / 2;
      if (n[i] === 0) {
        if (q[i] < a || q[i] > b) return 0;
        continue;
      }
      const t1 = (a - q[i]) / n[i], t2 = (b - q[i]) / n[i];
      lo = Math.max(lo, Math.min(t1, t2));
      hi = Math.min(hi, Math.max(t1, t2));
    }
    return lo <= hi && hi > 0 ? hi : 0;
  }
  const [A, B, C] = scaledRay(l, q, n);
  const disc = B * B - A * C;
  if (disc < 0) return 0;
  const root = Math.sqrt(disc);
  const far = B > 0 ? -C / (B + root) : (root - B) / A;
  return far > 0 ? far : 0;
}

/**
 * How far a ray from q along the unit direction n passes the lesion when it reaches
 * nothing beyond q (> 0 where it misses): a slope for the search to follow toward the
 * normals that do reach, where the reach itself is a flat 0. For an ellipsoid, the
 * least level |u + t v|^2 - 1 over t >= 0 in the lesion's scaled frame; for a box, the
 * distance to the box of the ray's point nearest the box's centre (slab intervals
 * measured in t blow up when the ray runs nearly along a face, and mislead the search).
 */
export function rayMiss(l: SolidLesion, q: V3, n: V3): number {
  if (l.shape === 'box') {
    const t = Math.max(0, (l.center[0] - q[0]) * n[0] + (l.center[1] - q[1]) * n[1] + (l.center[2] - q[2]) * n[2]);
    let sum = 0;
    for (let i = 0; i < 3; i++) {
      const g = Math.max(Math.abs(q[i] + t * n[i] - l.center[i]) - l.size[i] / 2, 0);
      sum += g * g;
    }
    return Math.sqrt(sum);
  }
  const [A, B, C] = scaledRay(l, q, n);
  const t = Math.max(0, -B / A);
  return Math.max(0, A * t * t + 2 * B * t + C);
}

/** The ray search's objective: minus the reach where the ray reaches beyond q, else how far it misses. */
export function rayScore(l: SolidLesion, q: V3, n: V3): number {
  const r = rayReach(l, q, n);
  return r > 0 ? -r : rayMiss(l, q, n);
}

/** Where a lesion surface point lies beyond the specimen: its distance outside, the nearest specimen point and the patch it counts for. */
function beyond(s: SpecimenShape, p: V3): { dist: number; nearest: V3; patch: Direction } | undefined {
  if (s.shape === 'box') {
    const dist = solidSignedDistance(s, p);
    if (!(dist > 0)) return undefined;
    const q = p.map((x, i) => Math.min(s.center[i] + s.size[i] / 2, Math.max(s.center[i] - s.size[i] / 2, x))) as V3;
    return { dist, nearest: q, patch: patchOf(s, q) };
  }
  const near = ellipsoidNearest(s.center, ellipsoidAxes(s)!, p);
  return near.signed > 0 ? { dist: near.signed, nearest: near.point, patch: patchOf(s, near.point) } : undefined;
}

/** Starts of the search over a patch's normals taken from its lattice. */
const LATTICE_STARTS = 3;
/** Moves of each compass search over the normals at most (its function is cheap, but the starts are many). */
const RAY_MOVES = 600;

/**
 * Per patch, the largest distance from the specimen of a lesion point beyond it (0 when
 * none), searched two ways, each giving a real lesion point beyond the patch:
 * - over the lesion's six surface patches (the farthest point lies on the lesion's
 *   surface): one lattice for all, then a bounded compass search per specimen patch
 *   from its best lattice points. This finds where the lesion lies beyond, but a
 *   farthest point whose nearest specimen point sits on the border of two patches is a
 *   ridge along a curve, which a compass search in the lesion's coordinates follows
 *   poorly;
 * - over the specimen patch's own square: every point beyond a convex specimen lies on
 *   the outward normal of its nearest surface point, so the reach is the largest far
 *   end of the lesion's chord on the normal rays of the patch. The border of the patch
 *   is now the border of the square, which the compass search clamps to. Its starts are
 *   a lattice of the square and the nearest specimen points of the first search.
 * For an ellipsoid specimen the second is the definition itself; a box specimen's
 * points beyond an edge or corner lie off its faces' normals and rely on the first.
 */
function reachBeyond(s: SpecimenShape, l: SolidLesion, deepest: Record<Direction, SquareMinimum>): Record<Direction, number> {
  const out = {} as Record<Direction, number>;
  const starts = {} as Record<Direction, { e: Direction; m: SquareMinimum }[]>;
  for (const d of DIRECTIONS) { out[d] = 0; starts[d] = []; }
  const q: V3 = [0, 0, 0];
  for (const e of DIRECTIONS) {
    squareLattice((a, b) => {
      const hit = beyond(s, patchPoint(l, e, a, b, q));
      if (hit) starts[hit.patch].push({ e, m: { value: -hit.dist, alpha: a, beta: b } });
      return 0;
    });
  }
  for (const d of DIRECTIONS) {
    const best = starts[d].sort((x, y) => x.m.value - y.m.value).slice(0, 2);
    const onPatch: [number, number][] = [];
    for (const { e, m } of best) {
      const f = (a: number, b: number) => {
        const hit = beyond(s, patchPoint(l, e, a, b, q));
        return hit && hit.patch === d ? -hit.dist : 0;
      };
      const found = compassDescent(f, m);
      const r = -found.value;
      if (r > out[d]) out[d] = r;
      for (const at of [m, found]) {
        const hit = beyond(s, patchPoint(l, e, at.alpha, at.beta, q));
        if (hit && hit.patch === d) onPatch.push(patchCoordinates(s, d, hit.nearest));
      }
    }
    // Searched in even coordinates (evenPatchMap): a lesion across a long specimen's patch
    // would otherwise fall between the lattice's points.
    const even = evenPatchMap(s, d);
    const ray = (u: number, v: number) => {
      const a = even.toPatch(u, 0), b = even.toPatch(v, 1);
      return rayScore(l, patchPoint(s, d, a, b, q), patchNormal(s, d, a, b));
    };
    // The lattice's three best, every mapped start and the patch point deepest in the
    // lesion (a reach confined to a sliver the lattices straddle): mapped starts sit near
    // one local maximum, and ranked together they could crowd out the lattice's basins.
    const rayStarts = squareLattice(ray).sort((x, y) => x.value - y.value).slice(0, LATTICE_STARTS);
    onPatch.push([deepest[d].alpha, deepest[d].beta]);
    for (const [alpha, beta] of onPatch) {
      const u = even.fromPatch(alpha, 0), v = even.fromPatch(beta, 1);
      rayStarts.push({ value: ray(u, v), alpha: u, beta: v });
    }
    // The lattice's starts and the start that led highest are searched again with the
    // moves in the opposite order: a thin lesion across the patch gives two maxima a
    // fraction of a lattice spacing either side of a start, and one order of moves takes
    // whichever its first move points at.
    let lead = rayStarts[0], low = Infinity;
    for (const start of rayStarts) {
      const m = compassDescent(ray, start, false, RAY_MOVES);
      if (m.value < low) { low = m.value; lead = start; }
    }
    for (const start of new Set([...rayStarts.slice(0, LATTICE_STARTS), lead])) low = Math.min(low, compassDescent(ray, start, true, RAY_MOVES).value);
    if (-low > out[d]) out[d] = -low;
  }
  return out;
}

/** Named margins of a solid lesion (box, ellipsoid), per the definition at the top of margins.ts. */
export function solidMargins(s: SpecimenShape, l: SolidLesion): Record<Direction, number> {
  const q: V3 = [0, 0, 0];
  // Per patch, the smallest lesion distance over it: negative where the patch runs through the lesion.
  const deepest = {} as Record<Direction, SquareMinimum>;
  for (const d of DIRECTIONS) deepest[d] = minimizeOverSquare((a, b) => lesionSignedDistance(l, patchPoint(s, d, a, b, q)));
  const reach = reachBeyond(s, l, deepest);
  const out = {} as Record<Direction, number>;
  for (const d of DIRECTIONS) out[d] = reach[d] > 0 ? -reach[d] : deepest[d].value;
  return out;
}
