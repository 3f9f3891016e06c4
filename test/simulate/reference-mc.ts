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
