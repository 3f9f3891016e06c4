/**
 * Independent references for specimen margins, sharing no code with src/: the
 * point-to-ellipsoid distance by the Lagrange condition solved with bisection on
 * F(t) = sum (a_i p_i / (a_i^2 + t))^2 - 1 (generic points), or by dense search with
 * zooming refinement (any point); patch distances by dense search with zooming.
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
  return Math.min(zoomMin(d, [0, -Math.PI], [Math.PI, Math.PI]), zoomMin(alt, [0, -Math.PI], [Math.PI, Math.PI]));
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
  return zoomMin(f, [-1, -1], [1, 1]);
}

export const REF_DIRS = DIRS;

/**
 * Named margins of a box lesion in a box specimen by the README's definition, by brute
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
