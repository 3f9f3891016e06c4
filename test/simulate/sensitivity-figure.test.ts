// The sensitivity figure: a panel per output, first-order and total bars per parameter in the
// declared order, interval bars (and their subtitle) only when computed; renders to SVG.
// (Rendered to PNG with Chromium and looked at while writing.)
import { describe, expect, test } from 'vitest';
import { renderSvg, sensitivitySpec } from '../../src/simulate/plots.js';
import type { SensitivityResult } from '../../src/simulate/sensitivity.js';

const result = (bootstrap: number): SensitivityResult => ({
  sensitivity: {
    samples: 64, evaluations: 256, bootstrap, design: '', estimators: '', intervals: '', seed: 1, trialsPerRun: 4096, manifest: {} as never,
    outputs: ['hit.probability', 'placementError.r.mean'].map((output) => ({
      output, mean: 0.5, variance: 0.01,
      indices: [['z.last', 0.7, 0.8], ['a.first', -0.02, 0.01], ['m.middle', 0.2, 1.1]].map(([parameter, s, t]) => ({
        parameter: parameter as string, distribution: { uniform: [0, 1] as [number, number] },
        firstOrder: s as number, total: t as number,
        firstOrderCi95: bootstrap ? [(s as number) - 0.1, (s as number) + 0.1] as [number, number] : null,
        totalCi95: bootstrap ? [(t as number) - 0.1, (t as number) + 0.1] as [number, number] : null,
      })),
    })),
  },
});

describe('sensitivity figure', () => {
  test('bars per parameter in declared order, both indices, a panel per output; axis covers estimates outside [0, 1]', () => {
    const spec = sensitivitySpec(result(100)) as any;
    const rows = spec.data.values as { output: string; parameter: string; index: string; value: number }[];
    expect(rows).toHaveLength(2 * 3 * 2);
    expect(spec.spec.layer[0].encoding.x.sort).toEqual(['z.last', 'a.first', 'm.middle']);
    expect(spec.facet.row.sort).toEqual(['hit.probability', 'placementError.r.mean']);
    const domain = spec.spec.layer[0].encoding.y.scale.domain;
    expect(domain[0]).toBeCloseTo(-0.12, 12);
    expect(domain[1]).toBeCloseTo(1.2, 12);
    expect(spec.spec.layer).toHaveLength(2);
    expect(spec.title.subtitle).toContain('95 % bootstrap intervals (100 resamples)');
  });

  test('without intervals: no interval bars, no subtitle about them', () => {
    const spec = sensitivitySpec(result(0)) as any;
    expect(spec.spec.layer).toHaveLength(1);
    expect(spec.title.subtitle).not.toContain('interval');
    expect(spec.spec.layer[0].encoding.y.scale.domain[1]).toBe(1.1);
  });

  test('renders to SVG with every parameter named', async () => {
    const svg = await renderSvg(sensitivitySpec(result(100)));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const p of ['z.last', 'a.first', 'm.middle', 'first order', 'total']) expect(svg).toContain(p);
  });
});
