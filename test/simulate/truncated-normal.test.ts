// Normals on bounded quantities (thickness, zFraction, radius) truncated to their range,
// and { "normal": [m, sd], "within": [a, b] } anywhere: the refusals and hits they drive,
// against a plain-JS Monte Carlo (test/simulate/reference-mc.ts).
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import { normalSource, proportionsAgree, rng, truncated } from './reference-mc.js';

const N = 100_000;
const base = {
  seed: 9, trials: N,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  lesion: { x: 0, y: 30, zFraction: 0.4, radius: 2 },
  needle: { device: 'vacuum-9g-20' },
};

// vacuum-9g-20: aperture 20 mm, tip 7 mm. With no noise the estimate is the truth, so a trial
// is refused when 0.4 T - 10 - 7 < 0 or 0.4 T + 10 > T: when T < 42.5 mm.
function refusedReference(draw: (n: () => number) => number): number {
  const n = normalSource(rng(77));
  let refused = 0;
  for (let i = 0; i < N; i++) {
    const T = draw(n);
    if (0.4 * T - 17 < 0 || 0.4 * T + 10 > T) refused++;
  }
  return refused / N;
}

describe('thickness', () => {
  test('{ normal: [45, 8] } is accepted, truncated to (0, 200] mm', () => {
    const s = parseScenario({ ...base, breast: { thickness: { normal: [45, 8] } } });
    expect(s.breast.thickness).toEqual({ normal: [45, 8], within: [0, 200] });
  });

  test.each([
    ['normal [45, 8]', { normal: [45, 8] }, (n: () => number) => truncated(n, 45, 8, 0, 200)],
    ['normal [45, 8] within [40, 50]', { normal: [45, 8], within: [40, 50] }, (n: () => number) => truncated(n, 45, 8, 40, 50)],
    ['normal [30, 40] (a third of the mass below 0, redrawn)', { normal: [30, 40] }, (n: () => number) => truncated(n, 30, 40, 0, 200)],
  ])('%s: refusals as the reference', async (_, thickness, draw) => {
    const s = (await simulate({ ...base, breast: { thickness } }, { workers: 0 })) as Summary;
    const ref = refusedReference(draw);
    expect(ref).toBeGreaterThan(0.05);
    expect(proportionsAgree(s.refused!.probability!, N, ref, N), `${s.refused!.probability} vs ${ref}`).toBe(true);
  });

  test('the comparison can fail: an untruncated reference differs for normal [30, 40]', async () => {
    const s = (await simulate({ ...base, breast: { thickness: { normal: [30, 40] } } }, { workers: 0 })) as Summary;
    const untruncated = refusedReference((n) => 30 + 40 * n());
    expect(proportionsAgree(s.refused!.probability!, N, untruncated, N)).toBe(false);
  });
});

describe('lesion radius { normal: [2, 1.5] } (truncated to [0, 50])', () => {
  test('hit probability as the reference (placement error = deviation, N(0, 1) a axis)', async () => {
    const s = (await simulate({
      ...base, breast: { thickness: 60 }, lesion: { ...base.lesion, zFraction: 0.5, radius: { normal: [2, 1.5] } },
      needle: { device: 'vacuum-9g-20', deviation: { sigma: [1, 1, 1] } },
    }, { workers: 0 })) as Summary;
    expect(s.refused!.count).toBe(0);
    const n = normalSource(rng(78));
    let hit = 0;
    for (let i = 0; i < N; i++) {
      const R = truncated(n, 2, 1.5, 0, 50);
      const ex = n(), ey = n(), ez = n();
      const along = Math.max(0, Math.abs(ez) - 10);
      if (Math.hypot(ex, ey, along) <= R) hit++;
    }
    expect(proportionsAgree(s.hit!.probability!, N, hit / N, N), `${s.hit!.probability} vs ${hit / N}`).toBe(true);
  });
});

describe('validation', () => {
  test('sd 0 inside the bounds is a constant; the bounds of a unbounded quantity are optional', () => {
    expect(parseScenario({ ...base, breast: { thickness: { normal: [45, 0], within: [40, 50] } } }).breast.thickness).toEqual({ constant: 45 });
    expect(parseScenario({ ...base, breast: { thickness: 45 }, lesion: { ...base.lesion, x: { normal: [0, 3] } } }).lesion.x).toEqual({ normal: [0, 3] });
  });
  test.each([
    [{ normal: [45, 0], within: [50, 60] }, 'breast.thickness.normal[0]'],
    [{ normal: [45, 8], within: [90, 200] }, 'breast.thickness.within'],
    [{ normal: [45, 8], within: [40] }, 'breast.thickness.within'],
    [{ normal: [45, 8], within: [40, 250] }, 'breast.thickness.within[1]'],
    [{ uniform: [40, 50], within: [40, 50] }, 'breast.thickness.within'],
  ])('%j refused at %s', (thickness, path) => {
    expect(() => parseScenario({ ...base, breast: { thickness } })).toThrow(expect.objectContaining({ path }));
  });
});
