// Sobol sensitivity analysis (Saltelli design, Saltelli 2010 first-order and Jansen total
// estimators). The estimator against the Ishigami function's analytic indices; the whole
// analysis of a scenario against a plain-JS re-implementation (its own Philox4x32-10 in
// BigInt, its own inverse CDF, its own estimators) over the engine's model, to the last
// bits; properties: a parameter with no effect has indices of exactly 0, declaring the
// parameters in another order permutes the report and changes no number.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { simulate } from '../../src/simulate/run.js';
import { designUniforms, sobolEstimate, sobolWithIntervals, designPoints, parseSensitivity, sensitivityResult, type SensitivityResult } from '../../src/simulate/sensitivity.js';
import type { Summary } from '../../src/simulate/summary.js';

import { philox, u53 } from './philox-reference.js';

test('the reference Philox gives the Random123 known answer', () => {
  expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]).map((x) => x.toString(16).padStart(8, '0')).join(' ')).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
});

// ---- Ishigami: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on [-pi, pi] ----
const A = 7, B = 0.1, PI = Math.PI;
const ishigami = (x: number[]) => Math.sin(x[0]) + A * Math.sin(x[1]) ** 2 + B * x[2] ** 4 * Math.sin(x[0]);
// Analytic partial variances (Ishigami and Homma 1990; Sobol' and Levitan 1999).
const V1 = 0.5 * (1 + (B * PI ** 4) / 5) ** 2, V2 = A ** 2 / 8, V13 = B ** 2 * PI ** 8 * (1 / 18 - 1 / 50);
const V = V1 + V2 + V13;
const S = [V1 / V, V2 / V, 0], ST = [(V1 + V13) / V, V2 / V, V13 / V];

describe('the estimator on the Ishigami function', () => {
  test('the analytic indices are the published ones', () => {
    expect(S.map((x) => Number(x.toFixed(4)))).toEqual([0.3139, 0.4424, 0]);
    expect(ST.map((x) => Number(x.toFixed(4)))).toEqual([0.5576, 0.4424, 0.2437]);
  });

  test('first-order and total indices within 0.02 at N = 2^15, inside their bootstrap intervals', async () => {
    const engine = await loadEngine();
    const n = 2 ** 15;
    const { a, b } = designUniforms(engine, 2026, 3, n);
    const x = (u: Float64Array) => Array.from(u, (v) => -PI + 2 * PI * v);
    const fA = a.map((r) => ishigami(x(r))), fB = b.map((r) => ishigami(x(r)));
    const fAB = [0, 1, 2].map((j) => a.map((r, i) => { const m = r.slice(); m[j] = b[i][j]; return ishigami(x(m)); }));
    const e = sobolWithIntervals(engine, 2026, fA, fB, fAB, 200);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(e.firstOrder[j]! - S[j]), `S${j + 1} ${e.firstOrder[j]} vs ${S[j]}`).toBeLessThan(0.02);
      expect(Math.abs(e.total[j]! - ST[j]), `ST${j + 1} ${e.total[j]} vs ${ST[j]}`).toBeLessThan(0.02);
      const [lo, hi] = e.totalCi95[j]!;
      expect(hi - lo).toBeGreaterThan(0);
      expect(hi - lo).toBeLessThan(0.08);
      expect(lo - 0.01).toBeLessThanOrEqual(ST[j]);
      expect(hi + 0.01).toBeGreaterThanOrEqual(ST[j]);
    }
    expect(Math.abs(e.variance - V) / V).toBeLessThan(0.02);
  });
});

// ---- a plain-JS Saltelli/Jansen analysis, for comparison with the engine's ----
function inverseNormal(p: number): number {
  // Bisection on the erfc-based CDF: slow and plain, shares nothing with src/.
  const cdf = (z: number) => 0.5 * erfc(-z / Math.SQRT2);
  let lo = -40, hi = 40;
  for (let i = 0; i < 200; i++) { const m = (lo + hi) / 2; if (cdf(m) < p) lo = m; else hi = m; }
  return (lo + hi) / 2;
}
function erfc(x: number): number {
  // Abramowitz-Stegun 7.1.26 would be too coarse here; continued fraction / series by cases.
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) { // series of erf
    let sum = x, term = x;
    for (let n = 1; n < 200; n++) { term *= (-x * x) / n; sum += term / (2 * n + 1); }
    return 1 - (2 / Math.sqrt(PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(PI) / (x + f);
}

function referenceIndices(fA: number[], fB: number[], fAB: number[][]) {
  const all = [...fA, ...fB];
  const m = all.reduce((s, v) => s + v, 0) / all.length;
  const v = all.reduce((s, y) => s + (y - m) ** 2, 0) / all.length;
  const n = fA.length;
  return fAB.map((col) => {
    let s = 0, t = 0;
    for (let i = 0; i < n; i++) { s += (fB[i] - m) * (col[i] - fA[i]); t += (fA[i] - col[i]) ** 2; }
    return { first: s / n / v, total: t / n / 2 / v };
  });
}

const base = {
  seed: 31, trials: 3000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] } },
  tissue: { displacement: { sigma: [1, 1, 1] } },
};

describe('a scenario against the plain-JS analysis over the engine model', () => {
  // Not to the last bit: the engine's truncated-normal quantile uses a CDF fit good to 1.2e-7,
  // the reference a series; parameter values differ by ~1e-8, indices by ~1e-7.
  test('same design, same runs, same indices (to 1e-5)', async () => {
    const params: Record<string, unknown> = { 'unit.miscalibration.sourceToSupport': [-3, 3], 'marking.sigma': { normal: [0.15, 0.05], within: [0.02, 0.3] }, 'needle.deviation.sigma.2': { normal: [0.6, 0.1] } };
    const n = 12;
    const r = (await simulate({ ...base, sensitivity: { parameters: params, samples: n, output: ['placementError.z.sd', 'targetingError.z.sd'], bootstrap: 0 } }, { workers: 0 })) as SensitivityResult;
    // The design as documented: columns in path order, A and B from counter (row, column, 0, 0x536f626c).
    const paths = Object.keys(params).sort();
    const quantile = (path: string, u: number) => {
      if (path === 'unit.miscalibration.sourceToSupport') return -3 + 6 * u;
      if (path === 'needle.deviation.sigma.2') return 0.6 + 0.1 * inverseNormal(u);
      const c = (z: number) => 0.5 * erfc(-z / Math.SQRT2);
      const lo = c((0.02 - 0.15) / 0.05), hi = c((0.3 - 0.15) / 0.05);
      return 0.15 + 0.05 * inverseNormal(lo + u * (hi - lo));
    };
    const run = async (values: number[]) => {
      const sc = structuredClone(base) as any;
      sc.unit.miscalibration = { sourceToSupport: values[paths.indexOf('unit.miscalibration.sourceToSupport')] };
      sc.marking.sigma = values[paths.indexOf('marking.sigma')];
      sc.needle.deviation.sigma[2] = values[paths.indexOf('needle.deviation.sigma.2')];
      return (await simulate(sc, { workers: 0 })) as Summary;
    };
    const out: Record<string, { fA: number[]; fB: number[]; fAB: number[][] }> = {};
    const get = { 'placementError.z.sd': (s: Summary) => s.placementError!.z.sd!, 'targetingError.z.sd': (s: Summary) => s.targetingError.z.sd! };
    for (const k of Object.keys(get)) out[k] = { fA: [], fB: [], fAB: paths.map(() => []) };
    for (let i = 0; i < n; i++) {
      const a: number[] = [], b: number[] = [];
      paths.forEach((p, j) => {
        const w = philox([i, j, 0, 0x536f626c], [31, 0]);
        a.push(quantile(p, u53(w[0], w[1])));
        b.push(quantile(p, u53(w[2], w[3])));
      });
      const sA = await run(a), sB = await run(b);
      const sAB = [];
      for (let j = 0; j < paths.length; j++) { const m = a.slice(); m[j] = b[j]; sAB.push(await run(m)); }
      for (const [k, f] of Object.entries(get)) {
        out[k].fA.push(f(sA)); out[k].fB.push(f(sB));
        sAB.forEach((s, j) => out[k].fAB[j].push(f(s)));
      }
    }
    for (const o of r.sensitivity.outputs) {
      const ref = referenceIndices(out[o.output].fA, out[o.output].fB, out[o.output].fAB);
      expect(o.indices.map((x) => x.parameter)).toEqual(Object.keys(params));
      for (const idx of o.indices) {
        const j = paths.indexOf(idx.parameter);
        expect(Math.abs(idx.firstOrder! - ref[j].first), `${o.output} S ${idx.parameter}`).toBeLessThan(1e-5);
        expect(Math.abs(idx.total! - ref[j].total), `${o.output} ST ${idx.parameter}`).toBeLessThan(1e-5);
      }
    }
    // The targeting error does not see the needle's deviation: exactly 0, not merely small.
    const t = r.sensitivity.outputs.find((o) => o.output === 'targetingError.z.sd')!;
    const dev = t.indices.find((x) => x.parameter === 'needle.deviation.sigma.2')!;
    expect([dev.firstOrder, dev.total]).toEqual([0, 0]);
    expect(t.indices.find((x) => x.parameter === 'marking.sigma')!.total).toBeGreaterThan(0.5);
    expect(r.sensitivity.evaluations).toBe(n * 5);
  }, 120_000);

  test('the same to the bit with 2 workers, and declaring the parameters in another order permutes the report', async () => {
    const sens = (order: string[]) => {
      const all: Record<string, unknown> = { 'marking.sigma': [0.02, 0.3], 'lesion.radius': [1, 4], 'tissue.displacement.sigma.0': [0, 1.5] };
      return { ...base, sensitivity: { parameters: Object.fromEntries(order.map((k) => [k, all[k]])), samples: 8, output: 'hit.probability', bootstrap: 50 } };
    };
    const one = (await simulate(sens(['marking.sigma', 'lesion.radius', 'tissue.displacement.sigma.0']), { workers: 0 })) as SensitivityResult;
    const two = (await simulate(sens(['marking.sigma', 'lesion.radius', 'tissue.displacement.sigma.0']), { workers: 2 })) as SensitivityResult;
    expect(two.sensitivity.outputs).toEqual(one.sensitivity.outputs);
    const perm = (await simulate(sens(['tissue.displacement.sigma.0', 'marking.sigma', 'lesion.radius']), { workers: 0 })) as SensitivityResult;
    const by = (r: SensitivityResult) => Object.fromEntries(r.sensitivity.outputs[0].indices.map((x) => [x.parameter, x]));
    expect(perm.sensitivity.outputs[0].indices.map((x) => x.parameter)).toEqual(['tissue.displacement.sigma.0', 'marking.sigma', 'lesion.radius']);
    expect(by(perm)).toEqual(by(one));
  }, 120_000);
});

// ---- properties over synthetic models (cheap: the design and estimator without the engine) ----
async function analyse(parameters: Record<string, [number, number]>, f: (p: Record<string, number>) => number, samples: number, bootstrap = 0) {
  const spec = parseSensitivity({ parameters, samples, output: 'targetingError.z.mean', bootstrap });
  const pts = await designPoints(spec, 5);
  const summaries = pts.map((p) => ({ targetingError: { z: { mean: f(p.params) } } }) as unknown as Summary);
  return (await sensitivityResult(spec, 5, 1, summaries, {} as Summary['manifest'])).sensitivity.outputs[0];
}

const coef = fc.integer({ min: -50, max: 50 }).map((i) => i / 10);

describe('properties', () => {
  test('a parameter the output does not read has first-order and total indices of exactly 0, intervals [0, 0]', async () => {
    await fc.assert(fc.asyncProperty(coef, coef, coef, async (c1, c2, c3) => {
      fc.pre(c1 !== 0 || c2 !== 0);
      const o = await analyse({ 'a.x': [0, 1], 'a.unused': [-5, 5], 'a.y': [0, 2] }, (p) => c1 * p['a.x'] + c2 * p['a.y'] ** 2 + c3 * p['a.x'] * p['a.y'], 32, 20);
      const u = o.indices.find((x) => x.parameter === 'a.unused')!;
      expect([u.firstOrder, u.total]).toEqual([0, 0]);
      expect([u.firstOrderCi95, u.totalCi95]).toEqual([[0, 0], [0, 0]]);
    }), { numRuns: 25 });
  });

  test('an additive model: first-order indices sum to 1, each equal to its total, and c_i^2 / sum c^2 for equal ranges', async () => {
    await fc.assert(fc.asyncProperty(coef, coef, coef, async (c1, c2, c3) => {
      fc.pre(Math.abs(c1) + Math.abs(c2) + Math.abs(c3) > 0.5);
      const o = await analyse({ 'p.one': [0, 1], 'p.two': [0, 1], 'p.three': [0, 1] }, (p) => c1 * p['p.one'] + c2 * p['p.two'] + c3 * p['p.three'], 1024);
      const c2s = c1 * c1 + c2 * c2 + c3 * c3;
      const want = { 'p.one': (c1 * c1) / c2s, 'p.two': (c2 * c2) / c2s, 'p.three': (c3 * c3) / c2s } as Record<string, number>;
      const sum = o.indices.reduce((s, x) => s + x.firstOrder!, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(0.12);
      for (const x of o.indices) {
        expect(Math.abs(x.total! - want[x.parameter]), `${x.parameter} total`).toBeLessThan(0.08);
        expect(Math.abs(x.firstOrder! - want[x.parameter]), `${x.parameter} first`).toBeLessThan(0.12);
      }
    }), { numRuns: 15 });
  });

  test('permuting the declared parameters permutes the indices and changes no number', async () => {
    const names = ['q.alpha', 'q.beta', 'q.gamma', 'q.delta'];
    await fc.assert(fc.asyncProperty(fc.shuffledSubarray(names, { minLength: 4, maxLength: 4 }), coef, coef, async (order, c1, c2) => {
      const f = (p: Record<string, number>) => c1 * p['q.alpha'] + c2 * p['q.beta'] * p['q.gamma'] + Math.sin(p['q.delta']);
      const ranges: Record<string, [number, number]> = { 'q.alpha': [0, 1], 'q.beta': [-1, 1], 'q.gamma': [2, 3], 'q.delta': [0, 3] };
      const declared = await analyse(Object.fromEntries(names.map((k) => [k, ranges[k]])), f, 16, 10);
      const shuffled = await analyse(Object.fromEntries(order.map((k) => [k, ranges[k]])), f, 16, 10);
      expect(shuffled.indices.map((x) => x.parameter)).toEqual(order);
      const by = (o: typeof declared) => Object.fromEntries(o.indices.map((x) => [x.parameter, x]));
      expect(by(shuffled)).toEqual(by(declared));
    }), { numRuns: 20 });
  });

  test('a constant output: variance 0 and null indices (never NaN)', async () => {
    const o = await analyse({ 'a.x': [0, 1] }, () => 2.5, 8, 10);
    expect(o.variance).toBe(0);
    expect(o.indices[0]).toMatchObject({ firstOrder: null, total: null, firstOrderCi95: null, totalCi95: null });
  });

  test('sobolEstimate: the first-order estimator is Saltelli 2010 (f_B (f_ABi - f_A)), the total Jansen ((f_A - f_ABi)^2 / 2)', () => {
    // Four rows worked by hand: fA = [1, 2, 3, 4], fB = [2, 0, 4, 2], fAB = [1, 1, 4, 3].
    // Mean of fA, fB = 2.25; V = 13.5 / 8 = 1.6875. Centred b = [-0.25, -2.25, 1.75, -0.25], ab - a = [0, -1, 1, -1].
    // S = mean(b (ab - a)) / V = (0 + 2.25 + 1.75 + 0.25) / 4 / 1.6875; ST = mean((a - ab)^2) / 2V = 3 / 4 / 3.375.
    const e = sobolEstimate([1, 2, 3, 4], [2, 0, 4, 2], [[1, 1, 4, 3]]);
    expect(e.variance).toBeCloseTo(1.6875, 14);
    expect(e.firstOrder[0]).toBeCloseTo(4.25 / 4 / 1.6875, 14);
    expect(e.total[0]).toBeCloseTo(3 / 4 / 3.375, 14);
  });
});
