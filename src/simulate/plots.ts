/**
 * Figures of a run (`stereotax simulate --plots DIR`): Vega-Lite specifications
 * compiled and rendered to SVG headless with vega (no browser, no canvas).
 * Error histograms per axis (from the 0.001 mm histograms, re-binned for display),
 * hit probability against lesion radius (from the distance-to-aperture histogram),
 * and sweep curves.
 */
import { loadOptional } from '../core/optional.js';
import { BIN_WIDTH, HIST_BINS, HIST_LEN, HIST_ZERO, K } from './kernel.js';
import { hitCurve, type Accumulator, type Summary } from './summary.js';
import type { Scenario } from './scenario.js';
import type { SensitivityResult } from './sensitivity.js';

/** What a figure needs from one run (or sweep point): small, kept after the accumulator is gone. */
export interface FigureData {
  label: string;
  /** The sweep point's parameters (orders the series numerically); null without a sweep. */
  params: Record<string, unknown> | null;
  errors: { group: string; axis: string; error: number; error2: number; fraction: number }[];
  hit: { radius: number; probability: number }[] | null;
  radius: number | null;
}

const GROUPS = ['targeting', 'classic', 'placement'];
const AXES = ['x', 'y', 'z', 'r'];
const DISPLAY_BINS = 60;
/** Most series one panel shows (8 colours told apart in print); more go to further panels. */
export const MAX_SERIES = 8;
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#000000'];

/** Orders parameter sets: numbers numerically, arrays element by element, other values as JSON text. */
export function compareParams(a: Record<string, unknown> | null, b: Record<string, unknown> | null, keys?: string[]): number {
  const ks = keys ?? Object.keys(a ?? {});
  const cmp = (x: unknown, y: unknown): number => {
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = cmp(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    const sx = JSON.stringify(x), sy = JSON.stringify(y);
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  };
  for (const k of ks) {
    const c = cmp(a?.[k], b?.[k]);
    if (c !== 0) return c;
  }
  return 0;
}

/** The |e| below which a fraction q of the histogram lies (bin upper edge), 0 for an empty histogram. */
function quantileAbs(hist: Float64Array, offset: number, q: number): number {
  let n = 0;
  for (let i = 0; i < HIST_LEN; i++) n += hist[offset + i];
  if (n === 0) return 0;
  let cum = 0;
  for (let b = 0; b <= HIST_BINS; b++) {
    cum += hist[offset + HIST_ZERO + b] + hist[offset + HIST_ZERO - b - 1];
    if (cum >= q * n) return (b + 1) * BIN_WIDTH;
  }
  return HIST_BINS * BIN_WIDTH;
}

/**
 * Re-bins one histogram into at most DISPLAY_BINS bars over the central 99.9 % (signed axes)
 * or [0, q99.9] (r). Each bar is a whole number of 0.001 mm bins, aligned to 0, so no bar
 * gets one native bin more than its neighbour (which drew a comb).
 */
export function rebin(hist: Float64Array, offset: number, signed: boolean, n: number): { error: number; error2: number; fraction: number }[] {
  const limBins = Math.max(Math.round(quantileAbs(hist, offset, 0.999) / BIN_WIDTH), 10);
  const per = Math.max(1, Math.ceil(((signed ? 2 : 1) * limBins) / DISPLAY_BINS));
  const side = Math.ceil(limBins / per);
  const first = signed ? -side : 0;
  const bars = new Float64Array(signed ? 2 * side : side);
  for (let i = 0; i < HIST_LEN; i++) {
    const c = hist[offset + i];
    if (c === 0) continue;
    const k = Math.floor((i - HIST_ZERO) / per) - first;
    if (k >= 0 && k < bars.length) bars[k] += c;
  }
  const edge = (k: number) => Number((((first + k) * per) * BIN_WIDTH).toFixed(3));
  return Array.from(bars, (c, k) => ({ error: edge(k), error2: edge(k + 1), fraction: c / n }));
}

export function figureData(label: string, s: Scenario, acc: Accumulator, params: Record<string, unknown> | null = null): FigureData {
  const errors: FigureData['errors'] = [];
  const counts = [acc.counters[K.trials], acc.counters[K.classic], acc.counters[K.placed]];
  GROUPS.forEach((group, g) => {
    if (counts[g] === 0) return;
    AXES.forEach((axis, a) => {
      for (const bar of rebin(acc.hist, (g * 4 + a) * HIST_LEN, axis !== 'r', counts[g])) errors.push({ group, axis, ...bar });
    });
  });
  let hit: FigureData['hit'] = null;
  let radius: number | null = null;
  if (s.needle && counts[2] > 0) {
    const top = Math.max(quantileAbs(acc.hist, 12 * HIST_LEN, 0.999) + 0.5, 1);
    const radii = Array.from({ length: 101 }, (_, i) => Number(((top * i) / 100).toFixed(4)));
    hit = hitCurve(acc, radii, s.needle.samplingRadius);
    radius = 'constant' in s.lesion.radius ? s.lesion.radius.constant : null;
  }
  return { label, params, errors, hit, radius };
}

type VlSpec = Record<string, unknown>;

export function histogramSpec(d: FigureData, group: string): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${group} error${d.label ? ` (${d.label})` : ''}`, subtitle: 'fraction of trials per bar (each bar a whole number of 0.001 mm bins); x, y, z signed, r = 3-D distance (mm)' },
    data: { values: d.errors.filter((e) => e.group === group) },
    facet: { column: { field: 'axis', type: 'nominal', sort: AXES, title: null } },
    spec: {
      width: 200, height: 160,
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        x: { field: 'error', type: 'quantitative', title: 'error (mm)', bin: { binned: true }, axis: { tickCount: 5 } },
        x2: { field: 'error2' },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of trials' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

export function hitSpec(input: FigureData[]): VlSpec {
  const points = [...input].sort((a, b) => compareParams(a.params, b.params));
  const labels = points.map((p) => p.label || 'scenario');
  const panels = Math.ceil(points.length / MAX_SERIES);
  const values = points.flatMap((p, i) => (p.hit ?? []).map((h) => ({ ...h, point: labels[i], panel: panelName(i, labels) })));
  // The scenario radius as a dashed rule when every point shares one.
  const radii = [...new Set(points.map((p) => p.radius))];
  const rules = radii.length === 1 && radii[0] !== null ? [{ radius: radii[0] }] : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Hit probability against lesion radius', subtitle: `P(lesion centre within radius + sampling radius of the aperture)${rules.length ? '; dashed: the scenario radius' : ''}` },
    data: { values },
    ...(panels > 1 ? { facet: { row: { field: 'panel', type: 'nominal', title: null, sort: [...new Set(values.map((v) => v.panel))] } }, resolve: { scale: { color: 'independent' } } } : {}),
    ...wrap(panels > 1, {
      width: 480, height: 300,
      layer: [
        {
          mark: { type: 'line' },
          encoding: {
            x: { field: 'radius', type: 'quantitative', title: 'lesion radius (mm)' },
            y: { field: 'probability', type: 'quantitative', title: 'hit probability', scale: { domain: [0, 1] } },
            color: colour('point', labels, points.length > 1),
          },
        },
        ...(rules.length === 1 ? [{ data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'radius', type: 'quantitative' } } }] : []),
      ],
    }),
  };
}

/** A view as the spec of a facet, or inline at the top level. */
function wrap(faceted: boolean, view: VlSpec): VlSpec {
  return faceted ? { spec: view } : view;
}

/** "series 1-8", "series 9-16", ...: the panel of the i-th of the ordered labels. */
function panelName(i: number, labels: string[]): string {
  const p = Math.floor(i / MAX_SERIES);
  return `${p * MAX_SERIES + 1}-${Math.min(labels.length, (p + 1) * MAX_SERIES)} of ${labels.length}`;
}

/** A colour encoding: labels in the given (numeric) order, at most 8 colours, legend below, labels whole. */
function colour(field: string, labels: string[], legend: boolean, title: string | null = null): Record<string, unknown> {
  return {
    field, type: 'nominal', title, sort: labels,
    scale: { range: PALETTE },
    legend: legend ? (title ? { orient: 'right', labelLimit: 0, titleLimit: 0, symbolLimit: 0 } : { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 0, symbolLimit: 0 }) : null,
  };
}

/** Sweep curves: the first numeric swept parameter along x, the other parameters as colours. */
export function sweepSpec(sweep: { params: Record<string, unknown>; summary: Summary }[]): VlSpec | null {
  if (sweep.length < 2) return null;
  const keys = Object.keys(sweep[0].params);
  const xKey = keys.find((k) => sweep.every((p) => typeof p.params[k] === 'number')) ?? keys[0];
  const numeric = sweep.every((p) => typeof p.params[xKey] === 'number');
  const others = keys.filter((k) => k !== xKey);
  const ordered = [...sweep].sort((a, b) => compareParams(a.params, b.params, [...others, xKey]));
  // Legend labels are the values only; the legend's title names the parameters (narrow enough to print).
  const labelOf = (params: Record<string, unknown>) => others.map((k) => JSON.stringify(params[k])).join(', ') || 'scenario';
  const labels = [...new Set(ordered.map((p) => labelOf(p.params)))];
  const xOrder = [...new Set([...sweep].sort((a, b) => compareParams(a.params, b.params, [xKey])).map((p) => JSON.stringify(p.params[xKey])))];
  const rows: Record<string, unknown>[] = [];
  const withInterval = new Set<string>();
  for (const { params, summary } of ordered) {
    const series = labelOf(params);
    const x = numeric ? params[xKey] : JSON.stringify(params[xKey]);
    const panel = panelName(labels.indexOf(series), labels);
    const add = (metric: string, value: number | null | undefined, ci?: [number, number] | null) => {
      if (value === null || value === undefined) return;
      if (ci) withInterval.add(metric);
      rows.push({ x, series, metric, panel, value, lo: ci?.[0] ?? value, hi: ci?.[1] ?? value, interval: !!ci });
    };
    add('targeting error z, sd (mm)', summary.targetingError.z.sd, summary.targetingError.z.ci95?.sd);
    add('targeting error r, p95 (mm)', summary.targetingError.r.p95);
    if (summary.hit?.probability !== undefined && summary.hit.probability !== null) add('hit probability', summary.hit.probability, summary.hit.ci95);
    if (summary.refused) add('refused probability', summary.refused.probability, summary.refused.ci95);
  }
  const xEnc = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: xKey, ...(numeric ? {} : { sort: xOrder }) };
  const panels = Math.ceil(labels.length / MAX_SERIES);
  const metrics = [...new Set(rows.map((r) => r.metric as string))];
  const bars = metrics.filter((m) => withInterval.has(m));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Sweep', subtitle: `every point: the same seed${bars.length ? `; bars: 95 % intervals (${bars.join('; ')})` : ''}` },
    data: { values: rows },
    facet: {
      column: { field: 'metric', type: 'nominal', title: null, sort: metrics },
      ...(panels > 1 ? { row: { field: 'panel', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.panel as string))] } } : {}),
    },
    spec: {
      width: 220, height: 180,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: null }, color: colour('series', labels, others.length > 0, others.join(', ')) } },
        { transform: [{ filter: 'datum.interval' }], mark: { type: 'errorbar' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', sort: labels, scale: { range: PALETTE } } } },
      ],
    },
    resolve: { scale: { y: 'independent', ...(panels > 1 ? { color: 'independent' } : {}) } },
  };
}

/**
 * Sobol indices of a sensitivity analysis: per output a panel, per parameter (in the declared
 * order) a bar of the first-order index beside one of the total index, with their 95 %
 * bootstrap intervals when computed. A total above its first order is the parameter's share
 * through interactions.
 */
export function sensitivitySpec(result: SensitivityResult): VlSpec {
  const s = result.sensitivity;
  const rows = s.outputs.flatMap((o) => o.indices.flatMap((x) => [
    { output: o.output, parameter: x.parameter, index: 'first order', value: x.firstOrder, lo: x.firstOrderCi95?.[0] ?? null, hi: x.firstOrderCi95?.[1] ?? null },
    { output: o.output, parameter: x.parameter, index: 'total', value: x.total, lo: x.totalCi95?.[0] ?? null, hi: x.totalCi95?.[1] ?? null },
  ])).filter((r) => r.value !== null);
  const order = s.outputs[0]?.indices.map((x) => x.parameter) ?? [];
  const withIntervals = rows.some((r) => r.lo !== null);
  // 0 to 1, widened to show an estimate or interval end outside it (estimates are not clipped).
  const ends = rows.flatMap((r) => [r.value as number, r.lo ?? 0, r.hi ?? 0]);
  const domain = [Math.min(0, ...ends), Math.max(1, ...ends)];
  const x = { field: 'parameter', type: 'nominal', sort: order, title: null, axis: { labelAngle: -30, labelLimit: 0 } };
  const kinds = ['first order', 'total'];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Sobol sensitivity indices',
      subtitle: `Saltelli design, N = ${s.samples} (${s.evaluations} runs of ${s.trialsPerRun} trials); first order: Saltelli 2010, total: Jansen${withIntervals ? `; bars: 95 % bootstrap intervals (${s.bootstrap} resamples)` : ''}`,
    },
    data: { values: rows },
    facet: { row: { field: 'output', type: 'nominal', title: null, sort: s.outputs.map((o) => o.output), header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
    spec: {
      width: Math.max(240, 70 * order.length), height: 160,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x, xOffset: { field: 'index', type: 'nominal', sort: kinds },
            y: { field: 'value', type: 'quantitative', title: 'index', scale: { domain, nice: false } },
            color: { field: 'index', type: 'nominal', sort: kinds, title: null, scale: { domain: kinds, range: PALETTE.slice(0, 2) }, legend: { orient: 'top' } },
          },
        },
        ...(withIntervals ? [{
          transform: [{ filter: 'datum.lo !== null' }],
          mark: { type: 'errorbar', ticks: true, color: 'black' },
          encoding: { x, xOffset: { field: 'index', type: 'nominal', sort: kinds }, y: { field: 'lo', type: 'quantitative', title: 'index' }, y2: { field: 'hi' } },
        }] : []),
      ],
    },
    resolve: { scale: { y: 'shared' } },
  };
}

/** Compiles a Vega-Lite spec and renders it to SVG text, headless. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const [vega, vl] = await loadOptional(['vega', 'vega-lite'], 'the simulation plots', () => Promise.all([import('vega'), import('vega-lite')]));
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  view.background('white');
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Every figure of a run, by file name. */
export async function figures(points: FigureData[], sweep: { params: Record<string, unknown>; summary: Summary }[] | null, sensitivity: SensitivityResult | null = null): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // A sensitivity analysis' runs are a design, not results to look at one by one.
  if (sensitivity) return { 'sensitivity.svg': await renderSvg(sensitivitySpec(sensitivity)) };
  const first = points[0];
  if (!sweep && first) {
    for (const g of GROUPS) if (first.errors.some((e) => e.group === g)) out[`${g}-error.svg`] = await renderSvg(histogramSpec(first, g));
  } else {
    for (let i = 0; i < points.length; i++) out[`point-${i + 1}-targeting-error.svg`] = await renderSvg(histogramSpec(points[i], 'targeting'));
  }
  if (points.some((p) => p.hit)) out['hit-vs-radius.svg'] = await renderSvg(hitSpec(points.filter((p) => p.hit)));
  const sw = sweep && sweepSpec(sweep);
  if (sw) out['sweep.svg'] = await renderSvg(sw);
  return out;
}
