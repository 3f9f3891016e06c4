// Heavy-tailed and empirical 3-D errors for needle deviation and tissue displacement:
// per-axis Student t (scaled to SD sigma), isotropic lognormal length, isotropic length drawn
// from a list; against a plain-JS Monte Carlo (placement error = deviation - displacement
// when nothing else is noisy).
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { normalSource, proportionsAgree, rng } from './reference-mc.js';

const N = 100_000;
const scenario = (needle: unknown, tissue?: unknown) => ({
  seed: 31, trials: N, quantiles: [0.025, 0.5, 0.975],
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: 60 }, lesion: { x: 0, y: 30, zFraction: 0.5, radius: 2 },
  needle: { device: 'vacuum-9g-20', minStrokeMargin: -50, ...(needle as object) },
  ...(tissue ? { tissue } : {}),
});

/** Reference lengths |e| and the share within 2 mm of the aperture. */
function reference(draw: (u: () => number, n: () => number) => [number, number, number], seed: number) {
  const u = rng(seed), n = normalSource(u);
  const r: number[] = [];
  let hit = 0;
  for (let i = 0; i < N; i++) {
    const e = draw(u, n);
    r.push(Math.hypot(...e));
    const along = Math.max(0, Math.abs(e[2]) - 10);
    if (Math.hypot(e[0], e[1], along) <= 2) hit++;
  }
  r.sort((a, b) => a - b);
  const q = (p: number) => r[Math.ceil(p * N) - 1];
  return { q025: q(0.025), q50: q(0.5), q975: q(0.975), hit: hit / N, mean: r.reduce((a, b) => a + b, 0) / N };
}

function direction(n: () => number): [number, number, number] {
  for (;;) {
    const v = [n(), n(), n()];
    const len = Math.hypot(...v);
    if (len > 0) return v.map((x) => x / len) as [number, number, number];
  }
}

function agree(s: Summary, ref: ReturnType<typeof reference>) {
  const r = s.placementError!.r;
  // Quantiles within a few SEs: the reference's own order-statistic spread, generously.
  for (const [k, key] of [[0, 'q025'], [1, 'q50'], [2, 'q975']] as const) {
    const got = r.quantiles![k].value!;
    expect(Math.abs(got - ref[key]), `${key}: ${got} vs ${ref[key]}`).toBeLessThan(0.03 * ref[key] + 0.01);
  }
  expect(Math.abs(r.mean! - ref.mean)).toBeLessThan(0.02 * ref.mean);
  expect(proportionsAgree(s.hit!.probability!, N, ref.hit, N), `${s.hit!.probability} vs ${ref.hit}`).toBe(true);
}

describe('3-D error models', () => {
  test('isotropic lognormal displacement, median 2.1 mm, SD of log 0.65 (Deurloo 2001: 0.6-7.8)', async () => {
    const s = (await simulate(scenario({}, { displacement: { length: { lognormal: [2.1, 0.65] } } }), { workers: 0 })) as Summary;
    const ref = reference((u, n) => {
      const m = 2.1 * Math.exp(0.65 * n());
      return direction(n).map((x) => -x * m) as [number, number, number];
    }, 41);
    agree(s, ref);
    expect(s.placementError!.r.quantiles![2].value!).toBeGreaterThan(7);
  });

  test('per-axis Student t, 4 degrees of freedom, SD 1 mm a axis', async () => {
    const s = (await simulate(scenario({ deviation: { sigma: [1, 1, 1], studentT: 4 } }), { workers: 0 })) as Summary;
    const t4 = (n: () => number) => {
      const z = n();
      let v = 0;
      for (let i = 0; i < 4; i++) v += n() ** 2;
      return (z / Math.sqrt(v / 4)) * Math.sqrt(2 / 4);
    };
    agree(s, reference((u, n) => [t4(n), t4(n), t4(n)], 42));
    // SD 1 a axis, but heavier tails than a normal: |x| p99 above the normal's 2.576.
    expect(Math.abs(s.placementError!.x.sd! - 1)).toBeLessThan(0.05);
    expect(s.placementError!.x.p99!).toBeGreaterThan(2.8);
  });

  test('isotropic length from a list of values, with a normal needle deviation', async () => {
    const values = [0.5, 1, 1, 2, 4, 8];
    const s = (await simulate(scenario({ deviation: { sigma: [0.5, 0.5, 0.5] } }, { displacement: { length: { values } } }), { workers: 0 })) as Summary;
    agree(s, reference((u, n) => {
      const dev = [0.5 * n(), 0.5 * n(), 0.5 * n()];
      const m = values[Math.floor(u() * values.length)];
      const d = direction(n);
      return dev.map((x, i) => x - m * d[i]) as [number, number, number];
    }, 43));
  });

  test('the comparison can fail: a Gaussian of the same median misses the lognormal tail', async () => {
    const s = (await simulate(scenario({}, { displacement: { length: { lognormal: [2.1, 0.65] } } }), { workers: 0 })) as Summary;
    const gauss = reference((u, n) => [1.3161 * n(), 1.3161 * n(), 1.3161 * n()], 44);
    expect(Math.abs(s.placementError!.r.quantiles![2].value! - gauss.q975)).toBeGreaterThan(2);
  });

  test('validation names the field', () => {
    for (const [needle, path] of [
      [{ deviation: { sigma: [1, 1, 1], studentT: 2 } }, 'needle.deviation.studentT'],
      [{ deviation: { sigma: [1, 1, 1], length: { values: [1] } } }, 'needle.deviation'],
      [{ deviation: { length: { lognormal: [0, 0.5] } } }, 'needle.deviation.length.lognormal[0]'],
      [{ deviation: { length: { values: [] } } }, 'needle.deviation.length.values'],
      [{ deviation: { length: { values: [1, -1] } } }, 'needle.deviation.length.values[1]'],
      [{ deviation: { length: { cauchy: [1] } } }, 'needle.deviation.length.cauchy'],
    ] as const) {
      expect(() => parseScenario(scenario(needle))).toThrow(expect.objectContaining({ path }));
    }
  });
});
