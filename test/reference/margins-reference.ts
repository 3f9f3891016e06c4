/**
 * Independent references for specimen margins, sharing no code with src/: the
 * point-to-ellipsoid distance by the Lagrange condition solved with bisection on
 * F(t) = sum (a_i p_i / (a_i^2 + t))^2 - 1 (generic points), or by dense search with
 * zooming refinement (any point), and the exact critical points of that distance;
 * patch distances by dense search with zooming, 1-D searches along the patch's border
 * and the critical points on the patch.
 */
import { add, dotMultiply, norm, subtract } from 'mathjs';

export type R3 = [number, number, number];

/**
 * Zooming grid search over [lo, hi]^2: an n x n lattice, then an 11 x 11 window
 * re-centred on the best point. The window shrinks when the centre stops moving and
 * doubles when the best point sits on the window's edge: a fixed window crawling along
 * a long, nearly flat valley used to run out of iterations before reaching the
 * minimum (fast-check seed -1487377317: semi-axes [5, 5, 15.966], a lesion near the
 * centre), so the search stalled above it.
 */
export function zoomMin(f: (a: number, b: number) => number, lo: [number, number], hi: [number, number], n = 61): number {
  let best = Infinity, ba = 0, bb = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const a = lo[0] + ((hi[0] - lo[0]) * i) / (n - 1), b = lo[1] + ((hi[1] - lo[1]) * j) / (n - 1);
    const v = f(a, b);
    if (v < best) { best = v; ba = a; bb = b; }
  }
  const span = [(hi[0] - lo[0]) / (n - 1), (hi[1] - lo[1]) / (n - 1)];
  let wa = span[0], wb = span[1];
  for (let it = 0; it < 4000 && (wa > 1e-14 || wb > 1e-14); it++) {
    const ca = ba, cb = bb;
    let edge = false;
    for (let i = -5; i <= 5; i++) for (let j = -5; j <= 5; j++) {
      const a = Math.min(hi[0], Math.max(lo[0], ca + (i * wa) / 5)), b = Math.min(hi[1], Math.max(lo[1], cb + (j * wb) / 5));
      const v = f(a, b);
      if (v < best) { best = v; ba = a; bb = b; edge = Math.abs(i) === 5 || Math.abs(j) === 5; }
    }
    if (ba === ca && bb === cb) { wa /= 2.5; wb /= 2.5; }
    else if (edge) { wa = Math.min(2 * wa, 10 * span[0]); wb = Math.min(2 * wb, 10 * span[1]); }
  }
  return best;
}

/** Zooming search over [lo, hi]: n samples, then a 21-sample window around the best, halving when the best stays put. */
export function zoomMin1(f: (t: number) => number, lo: number, hi: number, n = 2001): number {
  let best = Infinity, bt = lo;
  for (let i = 0; i < n; i++) {
    const t = lo + ((hi - lo) * i) / (n - 1), v = f(t);
    if (v < best) { best = v; bt = t; }
  }
  let w = (hi - lo) / (n - 1);
  for (let it = 0; it < 400 && w > 1e-15; it++) {
    const c = bt;
    for (let i = -10; i <= 10; i++) {
      const t = Math.min(hi, Math.max(lo, c + (i * w) / 10)), v = f(t);
      if (v < best) { best = v; bt = t; }
    }
    if (bt === c) w /= 2;
  }
  return best;
}

/**
 * Every critical point of the distance from p to the ellipsoid's surface (the points
 * where p - x is normal to the surface): x_i = a_i^2 q_i / (a_i^2 + t) for each root t of
 * F(t) = sum (a_i q_i / (a_i^2 + t))^2 - 1 (q = p - centre). F is convex between its
 * poles -a_i^2, so each gap holds at most two roots: a golden-section search finds F's
 * least value there and bisection the roots either side of it; beyond the outer poles F
 * is monotone, one root each. Where q_i is exactly 0, t = -a_i^2 adds the points with
 * x_j = a_j^2 q_j / (a_j^2 - a_i^2) (j != i) and x_i = +-a_i sqrt(1 - sum (x_j / a_j)^2).
 * (Two equal semi-axes with both those q zero make a circle of critical points, which is
 * left to the searches.)
 */
export function refEllipsoidCriticalPoints(center: R3, axes: R3, p: R3): R3[] {
  const q = [0, 1, 2].map((i) => p[i] - center[i]);
  const F = (t: number) => axes.reduce((s, a, i) => s + ((a * q[i]) / (a * a + t)) ** 2, 0) - 1;
  const at = (t: number): R3 => [0, 1, 2].map((i) => (axes[i] * axes[i] * q[i]) / (axes[i] * axes[i] + t)) as R3;
  const out: R3[] = [];
  const root = (lo: number, hi: number, rising: boolean) => {
    // F(lo) and F(hi) straddle 0: rising means F(lo) < 0 < F(hi).
    for (let n = 0; n < 400; n++) {
      const mid = (lo + hi) / 2;
      if (mid === lo || mid === hi) break;
      if ((F(mid) < 0) === rising) lo = mid; else hi = mid;
    }
    const t = (lo + hi) / 2;
    // A pole whose q_i is 0 is no pole: the bracket then held no root. Keep surface points only.
    const x = at(t);
    if (x.every(Number.isFinite) && Math.abs(x.reduce((s, v, i) => s + (v / axes[i]) ** 2, 0) - 1) < 1e-9) out.push(x);
  };
  const poles = [...new Set(axes.map((a) => -a * a))].sort((x, y) => x - y);
  // Below the lowest pole: F rises from -1 to +inf; above the highest it falls from +inf to -1.
  let lo = poles[0] - 1;
  while (F(lo) > 0) lo = poles[0] - 2 * (poles[0] - lo);
  root(lo, poles[0], true);
  let hi = poles[poles.length - 1] + 1;
  while (F(hi) > 0) hi = poles[poles.length - 1] + 2 * (hi - poles[poles.length - 1]);
  root(poles[poles.length - 1], hi, false);
  for (let g = 0; g + 1 < poles.length; g++) {
    let a = poles[g], b = poles[g + 1];
    const phi = (Math.sqrt(5) - 1) / 2;
    let c = b - phi * (b - a), d = a + phi * (b - a);
    for (let n = 0; n < 300 && c < d; n++) {
      if (F(c) < F(d)) { b = d; d = c; c = b - phi * (b - a); } else { a = c; c = d; d = a + phi * (b - a); }
    }
    const tm = (a + b) / 2;
    if (F(tm) < 0) {
      root(poles[g], tm, false);
      root(tm, poles[g + 1], true);
    }
  }
  for (let i = 0; i < 3; i++) {
    if (q[i] !== 0) continue;
    const ai2 = axes[i] * axes[i];
    const x = [0, 0, 0];
    let rem = 1, ok = true;
    for (let j = 0; j < 3; j++) {
      if (j === i) continue;
      const aj2 = axes[j] * axes[j];
      if (aj2 === ai2) { if (q[j] !== 0) ok = false; x[j] = 0; continue; }
      x[j] = (aj2 * q[j]) / (aj2 - ai2);
      rem -= (x[j] / axes[j]) ** 2;
    }
    if (!ok || rem < 0) continue;
    for (const sign of [1, -1]) {
      const y = [...x];
      y[i] = sign * axes[i] * Math.sqrt(rem);
      out.push(y as R3);
    }
  }
  return out.map((x) => [x[0] + center[0], x[1] + center[1], x[2] + center[2]] as R3);
}

const dist3 = (a: R3, b: R3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Distance from p to the ellipsoid surface by dense search over (theta, phi). */
export function refEllipsoidDistanceDense(center: R3, axes: R3, p: R3): number {
  const d = (th: number, ph: number) => {
    const s = add(center, dotMultiply(axes, [Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)])) as number[];
    return norm(subtract(p, s) as number[]) as number;
  };
  // Two charts (poles on z, then on x) so no minimum hides at a chart's pole.
  const alt = (th: number, ph: number) => {
    const s = add(center, dotMultiply(axes, [Math.cos(th), Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph)])) as number[];
    return norm(subtract(p, s) as number[]) as number;
  };
  const critical = refEllipsoidCriticalPoints(center, axes, p).map((x) => dist3(p, x));
  return Math.min(zoomMin(d, [0, -Math.PI], [Math.PI, Math.PI]), zoomMin(alt, [0, -Math.PI], [Math.PI, Math.PI]), ...critical);
}

/** Distance for a point with every coordinate off the axes planes: the Lagrange root by bisection. */
export function refEllipsoidDistanceRoot(center: R3, axes: R3, p: R3): number {
  const q = subtract(p, center) as number[];
  const amin = Math.min(...axes);
  const F = (t: number) => axes.reduce((s, a, i) => s + ((a * q[i]) / (a * a + t)) ** 2, 0) - 1;
  // F falls from +inf to -1 on (-amin^2, inf): one root, the nearest point.
  let lo = -amin * amin, hi = 1;
  while (F(hi) > 0) hi *= 2;
  for (let i = 0; i < 3000; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (F(mid) > 0) lo = mid; else hi = mid;
  }
  const t = (lo + hi) / 2;
  const x = axes.map((a, i) => (a * a * q[i]) / (a * a + t));
  return norm(subtract(q, x) as number[]) as number;
}

export function refInsideEllipsoid(center: R3, axes: R3, p: R3): boolean {
  return axes.reduce((s, a, i) => s + ((p[i] - center[i]) / a) ** 2, 0) < 1;
}

const DIRS = ['+x', '-x', '+y', '-y', '+z', '-z'] as const;

/** Distance from p to the surface patch of an ellipsoid whose normal is most nearly along dir. */
export function refEllipsoidPatchDistance(center: R3, axes: R3, dir: (typeof DIRS)[number], p: R3): number {
  const axis = 'xyz'.indexOf(dir[1]);
  const sign = dir[0] === '+' ? 1 : -1;
  const [j, k] = [0, 1, 2].filter((i) => i !== axis);
  const n = [0, 0, 0];
  const f = (a: number, b: number) => {
    // surface point with normal n: x_i = a_i^2 n_i / sqrt(sum a_i^2 n_i^2)
    n[axis] = sign; n[j] = a; n[k] = b;
    const t = Math.sqrt((axes[0] * n[0]) ** 2 + (axes[1] * n[1]) ** 2 + (axes[2] * n[2]) ** 2);
    const dx = p[0] - center[0] - (axes[0] * axes[0] * n[0]) / t;
    const dy = p[1] - center[1] - (axes[1] * axes[1] * n[1]) / t;
    const dz = p[2] - center[2] - (axes[2] * axes[2] * n[2]) / t;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  };
  // The least over the patch is at a critical point inside it or on its border: the
  // exact critical points that lie on the patch (outward normal, x_i / a_i^2, largest
  // along dir, ties counting for both), and 1-D searches along the four edges of the
  // square, besides the 2-D zooming search.
  let best = zoomMin(f, [-1, -1], [1, 1]);
  for (const e of [-1, 1]) {
    best = Math.min(best, zoomMin1((t) => f(e, t), -1, 1), zoomMin1((t) => f(t, e), -1, 1));
  }
  for (const x of refEllipsoidCriticalPoints(center, axes, p)) {
    const n = [0, 1, 2].map((i) => (x[i] - center[i]) / (axes[i] * axes[i]));
    if (sign * n[axis] > 0 && Math.abs(n[axis]) >= Math.abs(n[j]) && Math.abs(n[axis]) >= Math.abs(n[k])) best = Math.min(best, dist3(p, x));
  }
  return best;
}

export const REF_DIRS = DIRS;

/**
 * Named margins of a box lesion in a box specimen by the definition in docs/guide/margins.md, by brute
 * force over a grid of lesion points (corners and the specimen's face coordinates
 * included, where the extremes of these distances lie): for each face, minus the largest distance
 * beyond the specimen of a lesion point whose nearest specimen point is on that face
 * (a point beyond an edge counts for the face of the first axis in x, y, z order);
 * when there is none, the smallest distance from a lesion point to the face rectangle.
 */
export function refBoxInBoxMargins(spec: { center: R3; size: R3 }, les: { center: R3; size: R3 }, n = 11): Record<(typeof DIRS)[number], number> {
  const lo = spec.center.map((c, i) => c - spec.size[i] / 2), hi = spec.center.map((c, i) => c + spec.size[i] / 2);
  const reach: Record<string, number> = {}, near: Record<string, number> = {};
  for (const d of DIRS) { reach[d] = 0; near[d] = Infinity; }
  // Per axis: the grid, plus the specimen's face coordinates where they fall inside the lesion.
  const values = [0, 1, 2].map((a) => {
    const l0 = les.center[a] - les.size[a] / 2, l1 = les.center[a] + les.size[a] / 2;
    const v = Array.from({ length: n }, (_, t) => l0 + ((l1 - l0) * t) / (n - 1));
    for (const f of [lo[a], hi[a]]) if (f > l0 && f < l1) v.push(f);
    return v;
  });
  for (const x of values[0]) for (const y of values[1]) for (const z of values[2]) {
    const p = [x, y, z];
    const q = p.map((x, a) => Math.min(hi[a], Math.max(lo[a], x)));
    const out = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    if (out > 0) {
      // The nearest point's face; on an edge or corner, the first axis in x, y, z order.
      const a = [0, 1, 2].find((t) => p[t] >= hi[t] || p[t] <= lo[t])!;
      const d = `${p[a] >= hi[a] ? '+' : '-'}${'xyz'[a]}`;
      reach[d] = Math.max(reach[d], out);
    }
    for (const d of DIRS) {
      const a = 'xyz'.indexOf(d[1]);
      const face = d[0] === '+' ? hi[a] : lo[a];
      let s = (p[a] - face) ** 2;
      for (const b of [0, 1, 2]) if (b !== a) s += Math.max(lo[b] - p[b], 0, p[b] - hi[b]) ** 2;
      near[d] = Math.min(near[d], Math.sqrt(s));
    }
  }
  const res = {} as Record<(typeof DIRS)[number], number>;
  for (const d of DIRS) res[d] = reach[d] > 0 ? -reach[d] : near[d];
  return res;
}

/**
 * For p outside an ellipsoid: its distance and the patch of its nearest surface point.
 * The nearest point is x_i = a_i^2 q_i / (a_i^2 + t) for the one t > 0 with
 * sum (a_i q_i / (a_i^2 + t))^2 = 1 (q = p - centre), found by bisection; the outward
 * normal there is along q_i / (a_i^2 + t), and the patch is its largest component
 * (the first axis on a tie). Undefined when p is not outside.
 */
export function refOutsideNearest(center: R3, axes: R3, p: R3): { dist: number; dir: (typeof DIRS)[number] } | undefined {
  const q = [p[0] - center[0], p[1] - center[1], p[2] - center[2]];
  const F = (t: number) => ((axes[0] * q[0]) / (axes[0] ** 2 + t)) ** 2 + ((axes[1] * q[1]) / (axes[1] ** 2 + t)) ** 2 + ((axes[2] * q[2]) / (axes[2] ** 2 + t)) ** 2 - 1;
  if (!(F(0) > 0)) return undefined;
  let lo = 0, hi = Math.max(...axes) * Math.hypot(q[0], q[1], q[2]);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (F(mid) > 0) lo = mid; else hi = mid;
  }
  const t = (lo + hi) / 2;
  const g = q.map((x, i) => x / (axes[i] ** 2 + t));
  const dist = Math.hypot(...q.map((x, i) => x - axes[i] ** 2 * g[i]));
  let k = 0;
  for (let i = 1; i < 3; i++) if (Math.abs(g[i]) > Math.abs(g[k])) k = i;
  return { dist, dir: `${g[k] >= 0 ? '+' : '-'}${'xyz'[k]}` as (typeof DIRS)[number] };
}

/** A solid lesion for the reach reference: an ellipsoid by its semi-axes or a box by its size. */
export type RefSolid = { center: R3; semiAxes: R3 } | { center: R3; size: R3 };

/**
 * The far end (> 0) of the chord of a solid along the ray x + t e, t >= 0, returned
 * negated; where the ray reaches nothing beyond x, a score >= 0 of how far it passes.
 */
function chordEndScore(les: RefSolid, x: number[], e: number[]): number {
  if ('size' in les) {
    let enter = 0, exit = Infinity, outside = 0;
    for (let i = 0; i < 3; i++) {
      const lo = les.center[i] - les.size[i] / 2, hi = les.center[i] + les.size[i] / 2;
      if (e[i] === 0) { outside += Math.max(0, lo - x[i], x[i] - hi); continue; }
      const ta = (lo - x[i]) / e[i], tb = (hi - x[i]) / e[i];
      enter = Math.max(enter, Math.min(ta, tb));
      exit = Math.min(exit, Math.max(ta, tb));
    }
    if (outside === 0 && exit >= enter && exit > 0) return -exit;
    return outside + Math.max(0, enter - exit);
  }
  const b = les.semiAxes;
  let A = 0, B = 0, C = -1;
  for (let i = 0; i < 3; i++) {
    const w = (x[i] - les.center[i]) / b[i], z = e[i] / b[i];
    A += z * z; B += w * z; C += w * w;
  }
  // Where the ray stays outside the lesion (t >= 0), score how far it passes (its least
  // level minus one, >= 0), so the zoom finds a hit region however small it is.
  const tClosest = Math.max(0, -B / A);
  const miss = A * tClosest * tClosest + 2 * B * tClosest + C;
  if (miss >= 0) return miss;
  return -Math.max(0, (-B + Math.sqrt(B * B - A * C)) / A);
}

/**
 * How far a solid lesion (ellipsoid or box) reaches beyond the patch dir of an
 * ellipsoid specimen: the largest distance outside of a lesion point whose nearest
 * specimen point lies in that patch (0 when none). Two searches, each of which can only
 * fall short, so the larger is taken:
 * - over the lesion's surface (the farthest point is on it), zooming in two charts for
 *   an ellipsoid (poles on z, then on x), face by face for a box; points counting for
 *   another patch score nothing. When the answer's nearest specimen point is on the
 *   patch's border this stalls short of it (the zoom window shrinks against a curved
 *   border);
 * - over the patch's normals: a point outside lies on the outward normal of its
 *   nearest surface point, so the reach is the largest far end, beyond the surface, of
 *   the lesion's chord along a normal of the patch (the patch square in the normal's
 *   two free components, its border the square's). A normal that misses the lesion
 *   scores how far it passes, not 0, so a hit region a few micrometres wide is found.
 */
export function refEllipsoidReach(spec: { center: R3; semiAxes: R3 }, les: RefSolid, dir: (typeof DIRS)[number]): number {
  const score = (p: R3) => {
    const out = refOutsideNearest(spec.center, spec.semiAxes, p);
    return out && out.dir === dir ? -out.dist : 0;
  };
  let overSurface = 0;
  if ('size' in les) {
    for (let axis = 0; axis < 3; axis++) for (const side of [-1, 1]) {
      const [j, k] = [0, 1, 2].filter((i) => i !== axis);
      const face = (a: number, b: number) => {
        const p = [...les.center] as R3;
        p[axis] += (side * les.size[axis]) / 2; p[j] += (a * les.size[j]) / 2; p[k] += (b * les.size[k]) / 2;
        return score(p);
      };
      overSurface = Math.min(overSurface, zoomMin(face, [-1, -1], [1, 1]));
    }
  } else {
    const at = (u: R3): R3 => [les.center[0] + les.semiAxes[0] * u[0], les.center[1] + les.semiAxes[1] * u[1], les.center[2] + les.semiAxes[2] * u[2]];
    const zChart = (th: number, ph: number) => score(at([Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)]));
    const xChart = (th: number, ph: number) => score(at([Math.cos(th), Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph)]));
    overSurface = Math.min(0, zoomMin(zChart, [0, -Math.PI], [Math.PI, Math.PI]), zoomMin(xChart, [0, -Math.PI], [Math.PI, Math.PI]));
  }

  const axis = 'xyz'.indexOf(dir[1]);
  const [j, k] = [0, 1, 2].filter((i) => i !== axis);
  const a = spec.semiAxes;
  const alongNormal = (u: number, v: number) => {
    const n = [0, 0, 0];
    n[axis] = dir[0] === '+' ? 1 : -1; n[j] = u; n[k] = v;
    const len = Math.hypot(n[0], n[1], n[2]);
    const s = Math.hypot(a[0] * n[0], a[1] * n[1], a[2] * n[2]);
    // The surface point with outward normal n, and the unit normal.
    const x = [0, 1, 2].map((i) => spec.center[i] + (a[i] * a[i] * n[i]) / s);
    return chordEndScore(les, x, n.map((c) => c / len));
  };
  // The farthest normal often lies on the patch's border (the lesion reaches past the
  // neighbouring patch's side): the square's four edges are searched on their own too.
  const overNormals = Math.min(
    zoomMin(alongNormal, [-1, -1], [1, 1], 121),
    ...[-1, 1].flatMap((e) => [zoomMin1((t) => alongNormal(e, t), -1, 1), zoomMin1((t) => alongNormal(t, e), -1, 1)]),
  );
  return -Math.min(overSurface, overNormals);
}
