// The simulation's random numbers: Philox4x32-10 against the published known-answer
// vectors (Random123 kat_vectors), uniforms and the polar normal transform checked for
// moments and with Kolmogorov-Smirnov statistics; SIMD and scalar builds agree.
import { describe, expect, test } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { simExports } from '../../src/simulate/kernel.js';

async function block(engine: Engine, c: number[], k: number[]): Promise<string> {
  const w = simExports(engine);
  const p = engine.reserveF64(2);
  w.philoxBlock(c[0], c[1], c[2], c[3], k[0], k[1], p);
  return Array.from(new Uint32Array(w.memory.buffer, p, 4), (x) => x.toString(16).padStart(8, '0')).join(' ');
}

function draws(engine: Engine, kind: 'normals' | 'uniforms', seed: number, trial: number, n: number): Float64Array {
  const w = simExports(engine);
  const p = engine.reserveF64(n);
  w[kind](seed, 0, trial, n, p);
  return new Float64Array(w.memory.buffer, p, n).slice();
}

/** Standard normal CDF from erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7: far below the KS tolerance). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

function ks(sample: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const F = cdf(s[i]);
    d = Math.max(d, (i + 1) / s.length - F, F - i / s.length);
  }
  return d;
}

describe.each(['scalar', 'simd'] as const)('[SIM-006] Philox4x32-10 known answers (%s build)', (kernel) => {
  test('counter 0, key 0', async () => {
    expect(await block(await loadEngine({ kernel }), [0, 0, 0, 0], [0, 0])).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  });
  test('counter and key all ones', async () => {
    expect(await block(await loadEngine({ kernel }), [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
  });
  test('pi digits counter and key', async () => {
    expect(await block(await loadEngine({ kernel }), [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe('deviates', () => {
  const N = 100_000;
  // KS critical value at alpha = 0.001: 1.95 / sqrt(n).
  const critical = 1.95 / Math.sqrt(N);

  test('uniforms lie in (0, 1), mean 1/2, variance 1/12, KS', async () => {
    const u = draws(await loadEngine({ kernel: 'scalar' }), 'uniforms', 7, 3, N);
    let mean = 0;
    for (const x of u) {
      expect(x > 0 && x < 1).toBe(true);
      mean += x / N;
    }
    let v = 0;
    for (const x of u) v += ((x - mean) ** 2) / N;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / N));
    expect(ks(u, (x) => x)).toBeLessThan(critical);
  });

  test('normals: mean 0, variance 1, skewness 0, kurtosis 3, KS against the normal CDF', async () => {
    const z = draws(await loadEngine({ kernel: 'scalar' }), 'normals', 11, 5, N);
    let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (const x of z) {
      m1 += x / N; m2 += (x * x) / N; m3 += (x ** 3) / N; m4 += (x ** 4) / N;
    }
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / N));
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
    expect(ks(z, normalCdf)).toBeLessThan(critical);
  });

  test('a biased transform fails the same KS check (the test can fail)', async () => {
    const z = draws(await loadEngine({ kernel: 'scalar' }), 'normals', 11, 5, N).map((x) => x * 1.02);
    expect(ks(z, normalCdf)).toBeGreaterThan(critical);
  });

  test('a trial\'s draws depend only on seed and trial index; SIMD and scalar builds agree bit for bit', async () => {
    const [s, v] = await Promise.all([loadEngine({ kernel: 'scalar' }), loadEngine({ kernel: 'simd' })]);
    const a = draws(s, 'normals', 99, 123456789012, 64);
    expect(Array.from(draws(v, 'normals', 99, 123456789012, 64))).toEqual(Array.from(a));
    expect(Array.from(draws(s, 'normals', 99, 123456789012, 64))).toEqual(Array.from(a));
    expect(draws(s, 'normals', 99, 123456789013, 1)[0]).not.toBe(a[0]);
    expect(draws(s, 'normals', 98, 123456789012, 1)[0]).not.toBe(a[0]);
  });
});
