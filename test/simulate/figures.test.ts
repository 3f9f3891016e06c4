// Figures fit to print: histogram bars a whole number of 0.001 mm bins (no comb), at most 8
// series a panel (further panels beyond), series and x values in numeric order, intervals
// named in the subtitle only where drawn. (Rendered to PNG and looked at while writing.)
import { describe, expect, test } from 'vitest';
import { HISTOGRAMS, HIST_LEN, HIST_ZERO } from '../../src/simulate/kernel.js';
import { MAX_SERIES, compareParams, hitSpec, rebin, sweepSpec } from '../../src/simulate/plots.js';
import { simulate, type SweepResult } from '../../src/simulate/run.js';

describe('histogram bars', () => {
  test('each bar a whole number of 0.001 mm bins, all the same width, edges on the grid; a flat histogram stays flat', () => {
    const hist = new Float64Array(HISTOGRAMS * HIST_LEN);
    // Flat over [-0.737, 0.737) mm: 1474 bins of 10 trials.
    for (let b = -737; b < 737; b++) hist[HIST_ZERO + b] = 10;
    const bars = rebin(hist, 0, true, 14740);
    const widths = bars.map((b) => Math.round((b.error2 - b.error) * 1000));
    expect(new Set(widths).size).toBe(1);
    expect(bars.length).toBeLessThanOrEqual(62);
    for (const b of bars) expect(Math.abs(b.error * 1000 - Math.round(b.error * 1000))).toBeLessThan(1e-6);
    // Inside the flat part every bar holds the same count (a comb would alternate).
    const inner = bars.filter((b) => b.error >= -0.7 && b.error2 <= 0.7).map((b) => b.fraction);
    expect(Math.max(...inner)).toBe(Math.min(...inner));
    expect(bars.reduce((a, b) => a + b.fraction, 0)).toBeCloseTo(1, 12);
  });
});

describe('sweep figures', async () => {
  const biases = [-10, -5, 0, 10, 5, -2, 2, 1, -1, 3];
  const sweep = (await simulate({
    seed: 2, trials: 4096,
    unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
    breast: { thickness: { uniform: [30, 60] } },
    lesion: { x: 0, y: 30, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
    marking: { sigma: 0.1 },
    needle: { device: 'vacuum-9g-20' },
    sweep: { 'marking.sigma': [0.2, 0.05], 'breast.thicknessReadout.bias': biases },
  }, { workers: 0 })) as SweepResult;

  test('series in numeric order, at most 8 a panel, in panels of 8 and 2', () => {
    const spec = sweepSpec(sweep.sweep) as any;
    const rows = spec.data.values as { series: string; panel: string; x: number }[];
    const order = spec.spec.layer[0].encoding.color.sort;
    expect(order).toEqual([...biases].sort((a, b) => a - b).map(String));
    const panels = new Map<string, Set<string>>();
    for (const r of rows) (panels.get(r.panel) ?? panels.set(r.panel, new Set()).get(r.panel)!).add(r.series);
    expect([...panels.values()].map((s) => s.size)).toEqual([8, 2]);
    for (const s of panels.values()) expect(s.size).toBeLessThanOrEqual(MAX_SERIES);
    expect(spec.facet.row).toBeDefined();
  });

  test('the subtitle names the intervals drawn, and only those', () => {
    const spec = sweepSpec(sweep.sweep) as any;
    expect(spec.title.subtitle).toContain('hit probability');
    expect(spec.title.subtitle).not.toContain('p95');
    const drawn = new Set((spec.data.values as { metric: string; interval: boolean }[]).filter((r) => r.interval).map((r) => r.metric));
    for (const m of drawn) expect(spec.title.subtitle).toContain(m);
  });

  test('hit curves: points in numeric order of their parameters, 8 colours a panel', () => {
    const pts = sweep.sweep.map((p, i) => ({ label: `point ${i}`, params: p.params, errors: [], hit: [{ radius: 1, probability: 0.5 }], radius: 2.5 }));
    const spec = hitSpec(pts) as any;
    const sorted = [...pts].sort((a, b) => compareParams(a.params, b.params)).map((p) => p.label);
    expect(spec.spec.layer[0].encoding.color.sort).toEqual(sorted);
    expect(new Set(spec.data.values.map((v: any) => v.panel)).size).toBe(Math.ceil(pts.length / MAX_SERIES));
    expect(compareParams({ a: -10 }, { a: 5 })).toBeLessThan(0);
    expect(compareParams({ a: [0, 15] }, { a: [0, 5] })).toBeGreaterThan(0);
  });
});
