/**
 * A plain-JS Monte Carlo for the simulation tests, sharing no code with src/ or assembly/:
 * its own generator (xoshiro128**), normals by Box-Muller, truncation by redrawing.
 */
export function rng(seed: number): () => number {
  // xoshiro128** seeded by splitmix32: a generator of its own, unlike the kernel's Philox.
  let z = seed >>> 0;
  const split = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return (r + 0.5) / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function normalSource(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export function truncated(n: () => number, mean: number, sd: number, lo: number, hi: number): number {
  for (;;) {
    const x = mean + sd * n();
    if (x >= lo && x <= hi) return x;
  }
}

/** |a - b| within k combined standard errors of two proportions over n1 and n2 trials. */
export function proportionsAgree(a: number, n1: number, b: number, n2: number, k = 5): boolean {
  const p = (a * n1 + b * n2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return Math.abs(a - b) <= k * Math.max(se, 1e-9);
}

export const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };

/**
 * Targeting errors of the least-squares point of the views' rays, per axis mean and SD, for
 * breasts 30-60 mm and lesions x -20..20, y 10..50, zFraction 0.2..0.8 (uniform); marks
 * projected on the true detector (SID + sidError, its coordinates shifted by detectorShift),
 * read as if on the believed one.
 */
export function triangulationReference(o: { angles: number[]; bias: [number, number][]; sigma: [number, number][]; seed: number; trials: number; sidError?: number; detectorShift?: [number, number] }) {
  const { angles, bias, sigma, seed } = o, N = o.trials;
  const shift = o.detectorShift ?? [0, 0];
  const dzTrue = G.sourceToSupport - G.sourceToDetector - (o.sidError ?? 0);
  const R = G.sourceToSupport - G.rotationAxisHeight, dz = G.sourceToSupport - G.sourceToDetector;
  const S = angles.map((a) => [R * Math.sin((a * Math.PI) / 180), 0, G.rotationAxisHeight + R * Math.cos((a * Math.PI) / 180)]);
  const u01 = rng(seed), n = normalSource(u01);
  const sum = [0, 0, 0], sq = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const T = 30 + 30 * u01();
    const P = [-20 + 40 * u01(), 10 + 40 * u01(), (0.2 + 0.6 * u01()) * T];
    // Normal equations of the point nearest every ray: sum (I - d d^T) X = sum (I - d d^T) S.
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], b = [0, 0, 0];
    S.forEach((s, k) => {
      const t = (dzTrue - s[2]) / (P[2] - s[2]);
      const mark = [s[0] + t * (P[0] - s[0]) + shift[0] + bias[k][0] + sigma[k][0] * n(), t * P[1] + shift[1] + bias[k][1] + sigma[k][1] * n(), dz];
      const d = mark.map((m, j) => m - s[j]);
      const len = Math.hypot(...d);
      const e = d.map((x) => x / len);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        const m = (r === c ? 1 : 0) - e[r] * e[c];
        A[r][c] += m;
        b[r] += m * s[c];
      }
    });
    const det = (M: number[][]) => M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
    const D = det(A);
    for (let j = 0; j < 3; j++) {
      const Mj = A.map((row, r) => row.map((v, c) => (c === j ? b[r] : v)));
      const e = det(Mj) / D - P[j];
      sum[j] += e;
      sq[j] += e * e;
    }
  }
  return [0, 1, 2].map((j) => ({ mean: sum[j] / N, sd: Math.sqrt(sq[j] / N - (sum[j] / N) ** 2) }));
}

