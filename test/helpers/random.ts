// The tests' one seeded random source: mulberry32 (32-bit state, uniform doubles in [0, 1)),
// so a seed gives the same cases on every run and machine. Not for statistics: the simulation's
// references keep their own xoshiro128** (test/simulate/reference-mc.ts,
// test/reference/simulate-reference.ts), independent of the kernel's Philox by design.

/** Uniforms in [0, 1) from a 32-bit seed; the same seed, the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded source with the draws tests use: a uniform, an integer in [0, n), one of a list. */
export function seeded(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}
export type Seeded = ReturnType<typeof seeded>;
