// Worst-case margins requests inside the documented limits (README "Specimen margins",
// src/margins/shapes.ts): coordinates in [-1000, 1000] mm, semi-axes and half-sizes in
// [0.01, 500] mm, at most 100:1 within a shape, at most 2,000 calcifications of radius
// [0, 100] mm, at most 100 markers. Deterministic for a seed; shared by
// bench/margins-adversarial.mjs (the search) and test/margins/bounded-time.test.ts.
//
// Families, each aimed at a part of the computation that can grow:
// - "border": MAX points on (or just under, or just over) the borders between ellipsoid
//   patches, where the nearest surface point is in one patch and the other patch is
//   almost as near, so nothing prunes its search (the reported slowest: 319 x 122 x 5.9);
// - "corner": points crowded round the corners where three patches meet;
// - "shell": points spread over a thin shell under (or over) the whole surface;
// - "cloud": points anywhere in and around the specimen, with a large radius;
// - "far": points far outside, at the limit of the frame;
// - "solid": ellipsoid and box lesions of extreme aspect against extreme specimens.

export const LIMITS = { coord: 1000, halfMin: 0.01, halfMax: 500, aspect: 100, points: 2000, pointRadius: 100, markers: 100 };

/** The Park-Miller minimal standard generator in (0, 1). */
export function rng(seed) {
  let s = (seed >>> 0) % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

/** Three semi-axes in range with the longest at most `aspect` (<= 100) times the shortest. */
export function semiAxes(r, aspect = 1 + r() * 99, longest = 5 + r() * 495) {
  // Rounded to micrometres inward, so the ratio stays within the limit after rounding.
  const hi = Math.floor(Math.min(LIMITS.halfMax, longest) * 1e6) / 1e6;
  let lo = Math.ceil(Math.max(LIMITS.halfMin, hi / aspect) * 1e6) / 1e6;
  // The engine checks longest > 100 x shortest in floating point: stay on its side of it.
  while (hi > LIMITS.aspect * lo) lo = round6(lo + 1e-6);
  const a = [hi, Math.min(hi, Math.max(lo, round6(lo + r() * (hi - lo)))), lo];
  // shuffle the axes
  for (let i = 2; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The ellipsoid surface point whose unnormalised outward normal is n. */
function surfaceAlongNormal(c, A, n) {
  const t = 1 / Math.hypot(A[0] * n[0], A[1] * n[1], A[2] * n[2]);
  return [0, 1, 2].map((i) => c[i] + A[i] * A[i] * n[i] * t);
}

/** c + k (q - c): scaled from the centre (k < 1 under the surface, > 1 over it). */
const scaled = (c, q, k) => q.map((x, i) => c[i] + k * (x - c[i]));

function pointsRequest(specimen, points, radius, extra = {}) {
  return { specimen, lesion: { shape: 'points', points: points.map((p) => p.map(round6)), radius: round6(radius) }, histology: 'dcis', ...extra };
}

/** Points on the border curves of the patches (n[axis] = ±1 and one other component ±1). */
function borderPoints(r, c, A, count, depth) {
  const pts = [];
  for (let i = 0; i < count; i++) {
    const axis = Math.floor(r() * 3), j = (axis + 1 + Math.floor(r() * 2)) % 3, k = 3 - axis - j;
    const n = [0, 0, 0];
    n[axis] = r() < 0.5 ? 1 : -1;
    n[j] = r() < 0.5 ? 1 : -1;
    n[k] = r() * 2 - 1;
    pts.push(scaled(c, surfaceAlongNormal(c, A, n), depth()));
  }
  return pts;
}

/** Points along a single border curve (all the same pair of patches), as the test's slowest case. */
function oneBorderPoints(r, c, A, count, depth) {
  const axis = Math.floor(r() * 3), j = (axis + 1) % 3, k = 3 - axis - j;
  const sa = r() < 0.5 ? 1 : -1, sj = r() < 0.5 ? 1 : -1;
  return Array.from({ length: count }, (_, i) => {
    const n = [0, 0, 0];
    n[axis] = sa;
    n[j] = sj;
    n[k] = -1 + (2 * i) / (count - 1);
    return scaled(c, surfaceAlongNormal(c, A, n), depth());
  });
}

function cornerPoints(r, c, A, count, depth) {
  return Array.from({ length: count }, () => {
    const n = [0, 1, 2].map(() => (r() < 0.5 ? -1 : 1) * (1 - r() * 0.05));
    return scaled(c, surfaceAlongNormal(c, A, n), depth());
  });
}

function shellPoints(r, c, A, count, depth) {
  return Array.from({ length: count }, () => {
    const n = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
    if (n.every((x) => x === 0)) n[0] = 1;
    return scaled(c, surfaceAlongNormal(c, A, n), depth());
  });
}

const clampCoord = (p) => p.map((x) => Math.max(-LIMITS.coord, Math.min(LIMITS.coord, x)));

/** One adversarial request of the given family. */
export function adversarialRequest(family, r) {
  const A = semiAxes(r, r() < 0.5 ? 100 : 1 + r() * 99);
  const reach = Math.max(...A);
  const c = [0, 1, 2].map(() => round6((r() * 2 - 1) * (LIMITS.coord - reach) * (r() < 0.7 ? 0.01 : 1)));
  const specimen = { shape: 'ellipsoid', center: c, semiAxes: A };
  const count = r() < 0.7 ? LIMITS.points : 1 + Math.floor(r() * LIMITS.points);
  // depth: just under, on, or just over the surface
  const spread = [0, 1e-6, 1e-3, 0.02, 0.1][Math.floor(r() * 5)];
  const bias = [1, 0.98, 0.999, 1.001, 1.02][Math.floor(r() * 5)];
  const depth = () => bias * (1 + (r() * 2 - 1) * spread);
  const radius = [0, 0.01, 0.2, 1, 10, 100][Math.floor(r() * 6)] * (r() < 0.5 ? 1 : Math.min(...A) / 10);
  const markers = (n) => ({ markers: Array.from({ length: n }, (_, i) => ({ name: `m${i}`, point: clampCoord(scaled(c, surfaceAlongNormal(c, A, [r() - 0.5, r() - 0.5, r() - 0.5]), 0.9 + r() * 0.2)).map(round6) })) });
  switch (family) {
    case 'border': return pointsRequest(specimen, borderPoints(r, c, A, count, depth).map(clampCoord), radius, r() < 0.3 ? markers(LIMITS.markers) : {});
    case 'one-border': return pointsRequest(specimen, oneBorderPoints(r, c, A, count, depth).map(clampCoord), radius);
    case 'corner': return pointsRequest(specimen, cornerPoints(r, c, A, count, depth).map(clampCoord), radius);
    case 'shell': return pointsRequest(specimen, shellPoints(r, c, A, count, depth).map(clampCoord), radius, markers(LIMITS.markers));
    case 'cloud': return pointsRequest(specimen, Array.from({ length: count }, () => clampCoord(c.map((x, i) => x + (r() * 2.4 - 1.2) * A[i]))), radius);
    case 'far': {
      const far = c.map(() => (r() < 0.5 ? -1 : 1) * LIMITS.coord);
      return pointsRequest(specimen, Array.from({ length: count }, () => far.map((x) => x - Math.sign(x) * r() * 50)), radius);
    }
    case 'box-specimen': {
      const size = semiAxes(r, 1 + r() * 99).map((x) => round6(2 * x));
      const box = { shape: 'box', center: c, size };
      return pointsRequest(box, shellPoints(r, c, size.map((x) => x / 2), count, depth).map(clampCoord), radius, markers(LIMITS.markers));
    }
    case 'solid': {
      const shape = r() < 0.5 ? 'ellipsoid' : 'box';
      const L = semiAxes(r, r() < 0.5 ? 100 : 1 + r() * 99, reach * (0.05 + r() * 2));
      const at = clampCoord(scaled(c, surfaceAlongNormal(c, A, [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]), 0.5 + r())).map(round6);
      const lesion = shape === 'box' ? { shape, center: at, size: L.map((x) => round6(2 * x)) } : { shape, center: at, semiAxes: L };
      const spec = r() < 0.8 ? specimen : { shape: 'box', center: c, size: A.map((x) => round6(2 * x)) };
      return { specimen: spec, lesion, histology: 'dcis', ...markers(LIMITS.markers) };
    }
    default: throw new Error(`unknown family ${family}`);
  }
}

export const FAMILIES = ['border', 'one-border', 'corner', 'shell', 'cloud', 'far', 'box-specimen', 'solid'];

/** The reported slowest (issue 20): 2,000 points just under a border of a 319 x 122 x 5.9 mm ellipsoid. */
export function reportedSlowest() {
  const c = [0, 0, 0], A = [159.5, 61, 2.95];
  const pts = Array.from({ length: 2000 }, (_, i) => {
    const n = [1, -1 + (2 * i) / 1999, 1];
    return scaled(c, surfaceAlongNormal(c, A, n), 0.98);
  });
  return pointsRequest({ shape: 'ellipsoid', center: c, semiAxes: A }, pts, 0.2);
}

/** The test suite's slowest before (test/margins/safety.test.ts): 2,000 points just under the +z border of 30 x 22 x 15. */
export function underPatchBorder() {
  const a = [30, 22, 15];
  const pts = Array.from({ length: 2000 }, (_, i) => {
    const t = (i / 2000) * 2 * Math.PI, n = [Math.cos(t), Math.sin(t), 1];
    const k = Math.hypot(a[0] * n[0], a[1] * n[1], a[2] * n[2]);
    return a.map((x, j) => (0.98 * x * x * n[j]) / k);
  });
  return pointsRequest({ shape: 'ellipsoid', center: [0, 0, 0], semiAxes: a }, pts, 0.2);
}

/** A request perturbed a little (for the hill-climbing part of the search): new seed, same family and shape class. */
export function perturbPoints(req, r) {
  if (req.lesion.shape !== 'points') return req;
  const A = req.specimen.semiAxes ?? req.specimen.size;
  const k = 1 + (r() * 2 - 1) * 0.01;
  const pts = req.lesion.points.map((p) => clampCoord(p.map((x, i) => req.specimen.center[i] + (x - req.specimen.center[i]) * k * (1 + (r() * 2 - 1) * 1e-3))).map(round6));
  const axes = A.map((x) => round6(x * (1 + (r() * 2 - 1) * 0.02)));
  const lo = Math.min(...axes), hi = Math.max(...axes);
  const ok = hi <= LIMITS.aspect * lo && lo >= (req.specimen.size ? 2 : 1) * LIMITS.halfMin && hi <= (req.specimen.size ? 2 : 1) * LIMITS.halfMax;
  const specimen = { ...req.specimen, ...(ok ? (req.specimen.size ? { size: axes } : { semiAxes: axes }) : {}) };
  return { ...req, specimen, lesion: { ...req.lesion, points: pts } };
}
