/**
 * Bead detection in one view, with sub-pixel centres.
 *
 * Method (documented in docs/qa-images.md):
 * 1. The image is binned so that the bead's expected radius is 2.5 to 5 binned pixels.
 * 2. A box-mean map M (separable sliding sums) gives, at every pixel, the contrast of a
 *    bead-sized box against the two pairs of equal boxes beside it, left/right and
 *    above/below: R = min(M - (M_left + M_right)/2, M - (M_above + M_below)/2). A linear
 *    background gradient cancels exactly in each pair; along a straight edge one pair
 *    has no contrast, so edges and lines do not respond; a compact bright blob does.
 * 3. Local maxima of R above a robust threshold (median + 7 MAD-sigmas of R) are candidates.
 * 4. Each candidate is refined on the full-resolution image: a plane fitted to an annulus
 *    (one pass of outlier rejection) is the local background, or, when a straight step
 *    edge crosses the window, a plane plus that step (its direction and offset searched); the centre is the
 *    background-subtracted centroid over a disc that holds the whole bead (radius: the
 *    expected one + 1 pixel), moved with the estimate four times, then held fixed for the
 *    last two passes (so the estimate does not jitter with the disc's edge pixels). Its second moments must match a disc of the bead's
 *    expected size (rejects corners, blobs of the wrong size, elongated marks).
 * Coordinates follow LocalizingCursorPosition: (0, 0) is the top-left corner of the
 * top-left pixel; pixel (c, r) has its centre at (c + 0.5, r + 0.5).
 */

import { spdSolve } from './linalg.js';

export interface Brightness {
  width: number;
  height: number;
  /** Displayed brightness (Photometric Interpretation and rescale applied): a bead is brighter. */
  data: Float32Array;
}

export interface Detection {
  col: number;
  row: number;
  /** Background-subtracted signal summed over the bead (brightness units x pixels). */
  signal: number;
  /** signal / (noise sigma x sqrt(pixels summed)). */
  snr: number;
  /** rms radius of the signal, pixels. */
  radius: number;
}

export interface DetectOptions {
  /** Expected radius of a bead's projection, in pixels. */
  beadRadius: number;
  /** Candidates examined at most (the strongest first). */
  maxCandidates?: number;
}

export interface DetectStats {
  bin: number;
  noiseSigma: number;
  threshold: number;
  candidates: number;
}

/** The k-th smallest value (0-based) by quickselect; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median of a sample (reorders it). */
function median(a: Float64Array): number {
  const n = a.length;
  if (!n) return 0;
  const hi = select(a, n >> 1);
  if (n % 2) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lo) lo = a[i];
  return 0.5 * (lo + hi);
}

/** Noise sigma from the median absolute horizontal difference (robust to gradients and edges). */
export function noiseSigma(img: Brightness, maxSamples = 200_000): number {
  const { width: w, height: h, data } = img;
  const total = (w - 1) * h;
  if (total <= 0) return 0;
  const stride = Math.max(1, Math.floor(total / maxSamples));
  const n = Math.floor(total / stride);
  const s = new Float64Array(n);
  for (let k = 0, idx = 0; k < n; k++, idx += stride) {
    const y = Math.floor(idx / (w - 1));
    const x = idx - y * (w - 1);
    const i = y * w + x;
    s[k] = data[i + 1] - data[i];
  }
  const med = median(s.slice());
  for (let k = 0; k < n; k++) s[k] = Math.abs(s[k] - med);
  return (1.4826 * median(s)) / Math.SQRT2;
}

function binImage(img: Brightness, b: number): Brightness {
  if (b === 1) return img;
  const w = Math.floor(img.width / b), h = Math.floor(img.height / b);
  const out = new Float32Array(w * h);
  const src = img.data, W = img.width, inv = 1 / (b * b), span = w * b;
  const row = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    row.fill(0);
    for (let dy = 0; dy < b; dy++) {
      // One pass along the source row; the binned column advances every b pixels.
      const base = (y * b + dy) * W;
      for (let x = 0, xo = 0, c = 0; x < span; x++) {
        row[xo] += src[base + x];
        if (++c === b) { c = 0; xo++; }
      }
    }
    const o = y * w;
    for (let x = 0; x < w; x++) out[o + x] = row[x] * inv;
  }
  return { width: w, height: h, data: out };
}

/** Box means of side 2a+1 (separable sliding sums); border pixels without a full box get NaN. */
function boxMeans(img: Brightness, a: number, tmp: Float32Array, out: Float32Array): void {
  const { width: w, height: h, data } = img;
  const side = 2 * a + 1;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let s = 0;
    for (let x = 0; x < side && x < w; x++) s += data[o + x];
    for (let x = 0; x < w; x++) tmp[o + x] = NaN;
    for (let x = a; x + a < w; x++) {
      tmp[o + x] = s;
      if (x + a + 1 < w) s += data[o + x + a + 1] - data[o + x - a];
    }
  }
  const inv = 1 / (side * side);
  const col = new Float64Array(w);
  out.fill(NaN);
  col.fill(0);
  for (let y = 0; y < side && y < h; y++) for (let x = 0; x < w; x++) col[x] += tmp[y * w + x];
  for (let y = a; y + a < h; y++) {
    const o = y * w;
    for (let x = a; x + a < w; x++) out[o + x] = col[x] * inv;
    if (y + a + 1 < h) {
      const add = (y + a + 1) * w, rem = (y - a) * w;
      for (let x = a; x + a < w; x++) col[x] += tmp[add + x] - tmp[rem + x];
    }
  }
}

interface Candidate { x: number; y: number; r: number }

/** Finds the candidates on the (binned) image. */
function candidates(img: Brightness, rb: number, maxCandidates: number): { list: Candidate[]; threshold: number } {
  const { width: w, height: h } = img;
  const a = Math.max(1, Math.round(0.75 * rb));
  const d = Math.ceil(rb + a + 1.5);
  const n = w * h;
  const M = new Float32Array(n);
  const R = new Float32Array(n);
  boxMeans(img, a, R, M);
  R.fill(-Infinity);
  const m = a + d;
  let max = -Infinity;
  for (let y = m; y + m < h; y++) {
    for (let x = m; x + m < w; x++) {
      const i = y * w + x;
      const c = M[i];
      const rx = c - 0.5 * (M[i - d] + M[i + d]);
      const ry = c - 0.5 * (M[i - d * w] + M[i + d * w]);
      const r = rx < ry ? rx : ry;
      R[i] = r;
      if (r > max) max = r;
    }
  }
  // Within m of the border a side box falls outside the image: the opposite one stands in for
  // it (a one-sided contrast), so a bead near the border is still a candidate.
  const lo = a, hiX = w - a, hiY = h - a;
  const side = (i: number, x: number, y: number, dx: number, dy: number) => {
    const xx = x + dx, yy = y + dy;
    return xx >= lo && xx < hiX && yy >= lo && yy < hiY ? M[i + dx + dy * w] : M[i - dx - dy * w];
  };
  for (let y = lo; y < hiY; y++) {
    for (let x = lo; x < hiX; x++) {
      if (y >= m && y + m < h && x >= m && x + m < w) { x = w - m - 1; continue; }
      const i = y * w + x;
      const c = M[i];
      const rx = c - 0.5 * (side(i, x, y, -d, 0) + side(i, x, y, d, 0));
      const ry = c - 0.5 * (side(i, x, y, 0, -d) + side(i, x, y, 0, d));
      R[i] = rx < ry ? rx : ry;
    }
  }
  // Robust threshold from a sample of the response (inside the border band).
  const innerW = w - 2 * m, innerH = h - 2 * m;
  if (innerW <= 2 || innerH <= 2) return { list: [], threshold: Infinity };
  const total = innerW * innerH;
  const stride = Math.max(1, Math.floor(total / 200_000));
  const ns = Math.floor(total / stride);
  const s = new Float64Array(ns);
  for (let k = 0, idx = 0; k < ns; k++, idx += stride) {
    const y = m + Math.floor(idx / innerW);
    const x = m + (idx % innerW);
    s[k] = R[y * w + x];
  }
  const med = median(s.slice());
  for (let k = 0; k < ns; k++) s[k] = Math.abs(s[k] - med);
  const sigma = 1.4826 * median(s);
  const threshold = med + Math.max(7 * sigma, 0.01 * (max - med), 1e-9);
  const list: Candidate[] = [];
  for (let y = lo + 1; y + 1 < hiY; y++) {
    for (let x = lo + 1; x + 1 < hiX; x++) {
      const i = y * w + x;
      const r = R[i];
      if (!(r > threshold)) continue;
      // A plateau keeps its first pixel in scan order.
      if (r < R[i - 1] || r < R[i + 1] || r < R[i - w] || r < R[i + w] || r < R[i - w - 1] || r < R[i - w + 1] || r < R[i + w - 1] || r < R[i + w + 1]) continue;
      if (r === R[i - 1] || r === R[i - w] || r === R[i - w - 1] || r === R[i - w + 1]) continue;
      // Brighter than each of the four boxes around it, not only than each pair's mean:
      // beside an oblique edge the pairs' means fall below the box, but one side is brighter.
      const c = M[i];
      if (!(c > side(i, x, y, -d, 0) && c > side(i, x, y, d, 0) && c > side(i, x, y, 0, -d) && c > side(i, x, y, 0, d))) continue;
      list.push({ x, y, r });
    }
  }
  list.sort((p, q) => q.r - p.r);
  if (list.length > maxCandidates) list.length = maxCandidates;
  return { list, threshold };
}

/** Plane fit z = c0 + c1 dx + c2 dy by least squares over the given pixels; undefined when degenerate. */
function planeFit(xs: number[], ys: number[], vs: number[], keep: Uint8Array): [number, number, number] | undefined {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, sv = 0, sxv = 0, syv = 0;
  for (let k = 0; k < xs.length; k++) {
    if (!keep[k]) continue;
    const x = xs[k], y = ys[k], v = vs[k];
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y; sv += v; sxv += x * v; syv += y * v;
  }
  if (n < 6) return undefined;
  // Solve [[n,sx,sy],[sx,sxx,sxy],[sy,sxy,syy]] c = [sv,sxv,syv].
  const A = [[n, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]];
  const b = [sv, sxv, syv];
  const det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) - A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) + A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  if (!(Math.abs(det) > 1e-12)) return undefined;
  const solve = (col: number) => {
    const m = A.map((r) => r.slice());
    for (let i = 0; i < 3; i++) m[i][col] = b[i];
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) / det;
  };
  return [solve(0), solve(1), solve(2)];
}

const MAX_ITER = 6;

/** A straight step edge in image coordinates: the side where nx*x + ny*y > c is raised. */
interface EdgeLine { nx: number; ny: number; c: number }

/** Fraction of a pixel (centre at distance t past the line) on the raised side: linear across one pixel. */
function cover(t: number): number {
  return t <= -0.5 ? 0 : t >= 0.5 ? 1 : t + 0.5;
}

/** Least squares of v = c0 + c1 dx + c2 dy + c3 cover(edge) over the pixels; with the sum of squared residuals. */
function stepFit(xs: number[], ys: number[], vs: number[], cx: number, cy: number, e: EdgeLine): { coef: number[]; ssr: number } | undefined {
  const A = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  const b = [0, 0, 0, 0];
  const f = [1, 0, 0, 0];
  for (let k = 0; k < xs.length; k++) {
    f[1] = xs[k]; f[2] = ys[k]; f[3] = cover(e.nx * (xs[k] + cx) + e.ny * (ys[k] + cy) - e.c);
    for (let i = 0; i < 4; i++) {
      b[i] += f[i] * vs[k];
      for (let j = 0; j <= i; j++) A[i][j] += f[i] * f[j];
    }
  }
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) A[i][j] = A[j][i];
  const coef = spdSolve(A, b);
  if (!coef) return undefined;
  let ssr = 0;
  for (let k = 0; k < xs.length; k++) {
    const r = vs[k] - (coef[0] + coef[1] * xs[k] + coef[2] * ys[k] + coef[3] * cover(e.nx * (xs[k] + cx) + e.ny * (ys[k] + cy) - e.c));
    ssr += r * r;
  }
  return { coef, ssr };
}

/**
 * The step edge crossing the annulus that best explains it: its normal from the
 * residuals' first moment (it points to the raised side), its offset searched along
 * that normal, then both refined on finer grids.
 */
function findEdge(xs: number[], ys: number[], vs: number[], cx: number, cy: number, r2: number): { edge: EdgeLine; ssr: number } | undefined {
  const mean = vs.reduce((a, v) => a + v, 0) / vs.length;
  let mxs = 0, mys = 0;
  for (let k = 0; k < xs.length; k++) { mxs += (vs[k] - mean) * xs[k]; mys += (vs[k] - mean) * ys[k]; }
  const theta0 = Math.atan2(mys, mxs);
  let best: { edge: EdgeLine; ssr: number; theta: number; rho: number } | undefined;
  const tryLine = (theta: number, rho: number) => {
    const nx = Math.cos(theta), ny = Math.sin(theta);
    const edge = { nx, ny, c: nx * cx + ny * cy + rho };
    const fit = stepFit(xs, ys, vs, cx, cy, edge);
    if (fit && (!best || fit.ssr < best.ssr)) best = { edge, ssr: fit.ssr, theta, rho };
  };
  const DEG = Math.PI / 180;
  for (const dt of [-20, -10, 0, 10, 20]) for (let rho = -r2; rho <= r2; rho += 1) tryLine(theta0 + dt * DEG, rho);
  if (!best) return undefined;
  const first = best as { theta: number; rho: number };
  const [t1, p1] = [first.theta, first.rho];
  for (let dt = -6; dt <= 6; dt += 1.5) for (let dr = -1; dr <= 1; dr += 0.25) tryLine(t1 + dt * DEG, p1 + dr);
  const second = best as { theta: number; rho: number };
  const [t2, p2] = [second.theta, second.rho];
  for (let dt = -1.5; dt <= 1.5; dt += 0.5) for (let dr = -0.25; dr <= 0.25; dr += 0.05) tryLine(t2 + dt * DEG, p2 + dr);
  return best;
}

/** Refines one candidate on the full image; undefined when it is not a bead. */
export function refine(img: Brightness, x0: number, y0: number, rp: number, sigma: number, others: readonly { col: number; row: number }[] = []): Detection | undefined {
  // Pixels of beads already found (within their radius + 1 pixel) are left out of the
  // background and of the sums: a close neighbour neither pulls the centre nor the plane.
  const near = others.filter((o) => Math.hypot(o.col - x0, o.row - y0) < 4 * rp + 8);
  const ro2 = (rp + 1) * (rp + 1);
  const masked = (x: number, y: number) => near.some((o) => (x - o.col) ** 2 + (y - o.row) ** 2 <= ro2);
  const { width: w, height: h, data } = img;
  const rs = rp + 1;
  const r1 = rs + 1, r2 = rs + 1 + Math.max(3, 0.75 * rp);
  let cx = x0, cy = y0;
  let edge: EdgeLine | undefined;
  for (let iter = 0; iter < MAX_ITER; iter++) {
    // The bead's disc must lie in the image; the annulus may be cut by the border.
    if (cx - rs < 0 || cy - rs < 0 || cx + rs > w || cy + rs > h) return undefined;
    const xa = Math.max(0, Math.floor(cx - r2)), xb = Math.min(w - 1, Math.ceil(cx + r2)), ya = Math.max(0, Math.floor(cy - r2)), yb = Math.min(h - 1, Math.ceil(cy + r2));
    const xs: number[] = [], ys: number[] = [], vs: number[] = [];
    for (let y = ya; y <= yb; y++) {
      const dy = y + 0.5 - cy;
      for (let x = xa; x <= xb; x++) {
        const dx = x + 0.5 - cx;
        const q = dx * dx + dy * dy;
        if (q >= r1 * r1 && q <= r2 * r2 && !(near.length && masked(x + 0.5, y + 0.5))) { xs.push(dx); ys.push(dy); vs.push(data[y * w + x]); }
      }
    }
    if (xs.length < 0.4 * Math.PI * (r2 * r2 - r1 * r1)) return undefined;
    const keep = new Uint8Array(xs.length).fill(1);
    let plane = planeFit(xs, ys, vs, keep);
    if (!plane) return undefined;
    let step = 0;
    if (edge) {
      const fit = stepFit(xs, ys, vs, cx, cy, edge);
      if (!fit) return undefined;
      plane = [fit.coef[0], fit.coef[1], fit.coef[2]];
      step = fit.coef[3];
    } else {
      // One pass of outlier rejection: another object crossing the annulus.
      const res = vs.map((v, k) => Math.abs(v - (plane![0] + plane![1] * xs[k] + plane![2] * ys[k])));
      const sorted = Float64Array.from(res).sort();
      const spread = Math.max(3 * 1.4826 * sorted[Math.floor(sorted.length / 2)], 3 * sigma, 1e-12);
      let dropped = 0;
      for (let k = 0; k < res.length; k++) if (res[k] > spread) { keep[k] = 0; dropped++; }
      // Many outliers, or residuals far above the noise: a straight edge through the window?
      // Fitted as a plane plus a step, kept when it explains the annulus far better.
      const planeSsr = vs.reduce((a, v, k) => a + (v - (plane![0] + plane![1] * xs[k] + plane![2] * ys[k])) ** 2, 0);
      if (iter === 0 && (dropped > 0.1 * res.length || planeSsr > 9 * sigma * sigma * res.length)) {
        const found = findEdge(xs, ys, vs, cx, cy, r2);
        const fit = found && stepFit(xs, ys, vs, cx, cy, found.edge);
        if (found && fit && found.ssr < 0.25 * planeSsr && Math.abs(fit.coef[3]) > 6 * sigma) {
          edge = found.edge;
          plane = [fit.coef[0], fit.coef[1], fit.coef[2]];
          step = fit.coef[3];
          dropped = 0;
        }
      }
      if (dropped) {
        if (dropped > 0.5 * res.length) return undefined;
        plane = planeFit(xs, ys, vs, keep);
        if (!plane) return undefined;
      }
    }
    let S = 0, Sx = 0, Sy = 0, Sxx = 0, Syy = 0, Sxy = 0, N = 0;
    for (let y = ya; y <= yb; y++) {
      const dy = y + 0.5 - cy;
      for (let x = xa; x <= xb; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy > rs * rs || (near.length && masked(x + 0.5, y + 0.5))) continue;
        const s = data[y * w + x] - (plane[0] + plane[1] * dx + plane[2] * dy) - (edge ? step * cover(edge.nx * (x + 0.5) + edge.ny * (y + 0.5) - edge.c) : 0);
        S += s; Sx += s * dx; Sy += s * dy; Sxx += s * dx * dx; Syy += s * dy * dy; Sxy += s * dx * dy; N++;
      }
    }
    if (!(S > 0)) return undefined;
    // The background model must explain the annulus down to the noise: a corner of a
    // bright region, or a blob on a cluttered background, leaves structure there.
    let rss = 0, nk = 0;
    for (let k = 0; k < xs.length; k++) {
      if (!keep[k] && !edge) continue;
      const model = plane[0] + plane[1] * xs[k] + plane[2] * ys[k] + (edge ? step * cover(edge.nx * (xs[k] + cx) + edge.ny * (ys[k] + cy) - edge.c) : 0);
      rss += (vs[k] - model) ** 2; nk++;
    }
    if (!(Math.sqrt(rss / Math.max(nk, 1)) <= Math.max(2 * sigma, 0.02 * (S / N)))) return undefined;
    const mx = Sx / S, my = Sy / S;
    const vxx = Sxx / S - mx * mx, vyy = Syy / S - my * my, vxy = Sxy / S - mx * my;
    const tr = vxx + vyy, det = vxx * vyy - vxy * vxy;
    const disc = Math.sqrt(Math.max(0, tr * tr / 4 - det));
    const l1 = tr / 2 + disc, l2 = tr / 2 - disc;
    const next = { col: cx + mx, row: cy + my, signal: S, snr: sigma > 0 ? S / (sigma * Math.sqrt(N)) : Infinity, radius: Math.sqrt(Math.max(0, tr)) };
    if (Math.hypot(next.col - x0, next.row - y0) > 2 * rp + 2) return undefined;
    // The window moves with the estimate for the first iterations, then stays: the last
    // centroid is over a fixed set of pixels (a moving disc edge makes the estimate jitter
    // by pixels entering and leaving it). It must still be centred on the bead.
    if (iter === MAX_ITER - 1) {
      if (!(Math.hypot(mx, my) < 0.5)) return undefined;
      // A disc of radius r has rms radius r/sqrt(2); a projected sphere's path length, r sqrt(0.4).
      if (!(next.radius >= 0.3 * rp && next.radius <= 1.0 * rp + 0.5)) return undefined;
      if (!(l2 > 0 && l1 / l2 <= 3)) return undefined;
      if (!(next.snr >= 5)) return undefined;
      return next;
    }
    if (iter < MAX_ITER - 2) { cx = next.col; cy = next.row; }
  }
  return undefined;
}

/** Every bead-like detection in one view, strongest first. */
export function detectBeads(img: Brightness, options: DetectOptions): { detections: Detection[]; stats: DetectStats } {
  const rp = options.beadRadius;
  const bin = Math.max(1, Math.floor(rp / 2.5));
  const binned = binImage(img, bin);
  const { list, threshold } = candidates(binned, rp / bin, options.maxCandidates ?? 2000);
  const sigma = noiseSigma(img);
  const detections: Detection[] = [];
  // Strongest first; a candidate that fails next to a bead found later (its neighbour's
  // pixels in its window) is tried once more with every bead found masked out.
  let pending = list;
  for (let pass = 0; pass < 2 && pending.length; pass++) {
    const failed: Candidate[] = [];
    for (const c of pending) {
      const x = (c.x + 0.5) * bin, y = (c.y + 0.5) * bin;
      if (detections.some((d) => Math.hypot(d.col - x, d.row - y) < 1.5 * rp)) continue;
      const d = refine(img, x, y, rp, sigma, detections);
      if (!d) { failed.push(c); continue; }
      if (detections.some((o) => Math.hypot(o.col - d.col, o.row - d.row) < 1.5 * rp)) continue;
      detections.push(d);
    }
    pending = failed;
  }
  detections.sort((a, b) => b.signal - a.signal);
  return { detections, stats: { bin, noiseSigma: sigma, threshold, candidates: list.length } };
}
