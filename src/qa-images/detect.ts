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
 *    (one pass of outlier rejection) is the local background; the centre is the
 *    background-subtracted centroid over a disc that holds the whole bead (radius: the
 *    expected one + 1 pixel), moved with the estimate four times, then held fixed for the
 *    last two passes (so the estimate does not jitter with the disc's edge pixels). Its second moments must match a disc of the bead's
 *    expected size (rejects corners, blobs of the wrong size, elongated marks).
 * Coordinates follow LocalizingCursorPosition: (0, 0) is the top-left corner of the
 * top-left pixel; pixel (c, r) has its centre at (c + 0.5, r + 0.5).
 */

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

/** Median of a sample (modified in place). */
function median(a: Float64Array): number {
  a.sort();
  const n = a.length;
  return n ? (n % 2 ? a[(n - 1) >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2])) : 0;
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
  const src = img.data, W = img.width, inv = 1 / (b * b);
  const row = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    row.fill(0);
    for (let dy = 0; dy < b; dy++) {
      let i = (y * b + dy) * W;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let dx = 0; dx < b; dx++) s += src[i++];
        row[x] += s;
      }
    }
    for (let x = 0; x < w; x++) out[y * w + x] = row[x] * inv;
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
  // Robust threshold from a sample of the response.
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
  for (let y = m + 1; y + m + 1 < h; y++) {
    for (let x = m + 1; x + m + 1 < w; x++) {
      const i = y * w + x;
      const r = R[i];
      if (!(r > threshold)) continue;
      // A plateau keeps its first pixel in scan order.
      if (r < R[i - 1] || r < R[i + 1] || r < R[i - w] || r < R[i + w] || r < R[i - w - 1] || r < R[i - w + 1] || r < R[i + w - 1] || r < R[i + w + 1]) continue;
      if (r === R[i - 1] || r === R[i - w] || r === R[i - w - 1] || r === R[i - w + 1]) continue;
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

/** Refines one candidate on the full image; undefined when it is not a bead. */
export function refine(img: Brightness, x0: number, y0: number, rp: number, sigma: number): Detection | undefined {
  const { width: w, height: h, data } = img;
  const rs = rp + 1;
  const r1 = rs + 1, r2 = rs + 1 + Math.max(3, 0.75 * rp);
  let cx = x0, cy = y0;
  for (let iter = 0; iter < MAX_ITER; iter++) {
    const xa = Math.floor(cx - r2), xb = Math.ceil(cx + r2), ya = Math.floor(cy - r2), yb = Math.ceil(cy + r2);
    if (xa < 0 || ya < 0 || xb >= w || yb >= h) return undefined;
    const xs: number[] = [], ys: number[] = [], vs: number[] = [];
    for (let y = ya; y <= yb; y++) {
      const dy = y + 0.5 - cy;
      for (let x = xa; x <= xb; x++) {
        const dx = x + 0.5 - cx;
        const q = dx * dx + dy * dy;
        if (q >= r1 * r1 && q <= r2 * r2) { xs.push(dx); ys.push(dy); vs.push(data[y * w + x]); }
      }
    }
    const keep = new Uint8Array(xs.length).fill(1);
    let plane = planeFit(xs, ys, vs, keep);
    if (!plane) return undefined;
    // One pass of outlier rejection: an edge or another object crossing the annulus.
    const res = vs.map((v, k) => Math.abs(v - (plane![0] + plane![1] * xs[k] + plane![2] * ys[k])));
    const sorted = Float64Array.from(res).sort();
    const spread = Math.max(3 * 1.4826 * sorted[Math.floor(sorted.length / 2)], 3 * sigma, 1e-12);
    let dropped = 0;
    for (let k = 0; k < res.length; k++) if (res[k] > spread) { keep[k] = 0; dropped++; }
    if (dropped) {
      if (dropped > 0.5 * res.length) return undefined;
      plane = planeFit(xs, ys, vs, keep);
      if (!plane) return undefined;
    }
    let S = 0, Sx = 0, Sy = 0, Sxx = 0, Syy = 0, Sxy = 0, N = 0;
    for (let y = ya; y <= yb; y++) {
      const dy = y + 0.5 - cy;
      for (let x = xa; x <= xb; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy > rs * rs) continue;
        const s = data[y * w + x] - (plane[0] + plane[1] * dx + plane[2] * dy);
        S += s; Sx += s * dx; Sy += s * dy; Sxx += s * dx * dx; Syy += s * dy * dy; Sxy += s * dx * dy; N++;
      }
    }
    if (!(S > 0)) return undefined;
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
  for (const c of list) {
    const x = (c.x + 0.5) * bin, y = (c.y + 0.5) * bin;
    if (detections.some((d) => Math.hypot(d.col - x, d.row - y) < 1.5 * rp)) continue;
    const d = refine(img, x, y, rp, sigma);
    if (!d) continue;
    if (detections.some((o) => Math.hypot(o.col - d.col, o.row - d.row) < 1.5 * rp)) continue;
    detections.push(d);
  }
  return { detections, stats: { bin, noiseSigma: sigma, threshold, candidates: list.length } };
}
