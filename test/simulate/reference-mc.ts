/**
 * A plain-JS Monte Carlo for the simulation tests, sharing no code with src/ or assembly/:
 * its own generator (mulberry32), normals by Box-Muller, truncation by redrawing.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
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
