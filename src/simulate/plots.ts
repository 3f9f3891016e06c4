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

/** What a figure needs from one run (or sweep point): small, kept after the accumulator is gone. */
export interface FigureData {
  label: string;
  errors: { group: string; axis: string; error: number; error2: number; fraction: number }[];
  hit: { radius: number; probability: number }[] | null;
  radius: number | null;
}

const GROUPS = ['targeting', 'classic', 'placement'];
const AXES = ['x', 'y', 'z', 'r'];
const DISPLAY_BINS = 60;

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

/** Re-bins one histogram into DISPLAY_BINS bars over the central 99.9 % (signed axes) or [0, q99.9] (r). */
function rebin(hist: Float64Array, offset: number, signed: boolean, n: number): { error: number; error2: number; fraction: number }[] {
  const lim = Math.max(quantileAbs(hist, offset, 0.999), 10 * BIN_WIDTH);
  const lo = signed ? -lim : 0;
  const width = (lim - lo) / DISPLAY_BINS;
  const bars = new Float64Array(DISPLAY_BINS);
  for (let i = 0; i < HIST_LEN; i++) {
    const c = hist[offset + i];
    if (c === 0) continue;
    const centre = (i - HIST_ZERO + 0.5) * BIN_WIDTH;
    const k = Math.floor((centre - lo) / width);
    if (k >= 0 && k < DISPLAY_BINS) bars[k] += c;
  }
  return Array.from(bars, (c, k) => ({ error: Number((lo + k * width).toPrecision(6)), error2: Number((lo + (k + 1) * width).toPrecision(6)), fraction: c / n }));
}

export function figureData(label: string, s: Scenario, acc: Accumulator): FigureData {
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
  return { label, errors, hit, radius };
}

type VlSpec = Record<string, unknown>;

export function histogramSpec(d: FigureData, group: string): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${group} error${d.label ? ` (${d.label})` : ''}`, subtitle: 'fraction of trials per bar; x, y, z signed, r = 3-D distance (mm)' },
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

export function hitSpec(points: FigureData[]): VlSpec {
  const values = points.flatMap((p) => (p.hit ?? []).map((h) => ({ ...h, point: p.label || 'scenario' })));
  // The scenario radius as a dashed rule when every point shares one.
  const radii = [...new Set(points.map((p) => p.radius))];
  const rules = radii.length === 1 && radii[0] !== null ? [{ radius: radii[0] }] : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Hit probability against lesion radius', subtitle: `P(lesion centre within radius + sampling radius of the aperture)${rules.length ? '; dashed: the scenario radius' : ''}` },
    width: 480, height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'radius', type: 'quantitative', title: 'lesion radius (mm)' },
          y: { field: 'probability', type: 'quantitative', title: 'hit probability', scale: { domain: [0, 1] } },
          color: { field: 'point', type: 'nominal', title: null, legend: points.length > 1 ? { labelLimit: 400, orient: 'bottom-right' } : null },
        },
      },
      ...(rules.length === 1 ? [{ data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'radius', type: 'quantitative' } } }] : []),
    ],
  };
}

/** Sweep curves: the first numeric swept parameter along x, the other parameters as colours. */
export function sweepSpec(sweep: { params: Record<string, unknown>; summary: Summary }[]): VlSpec | null {
  if (sweep.length < 2) return null;
  const keys = Object.keys(sweep[0].params);
  const xKey = keys.find((k) => sweep.every((p) => typeof p.params[k] === 'number')) ?? keys[0];
  const numeric = sweep.every((p) => typeof p.params[xKey] === 'number');
  const others = keys.filter((k) => k !== xKey);
  const rows: Record<string, unknown>[] = [];
  for (const { params, summary } of sweep) {
    const series = others.map((k) => `${k} = ${JSON.stringify(params[k])}`).join(', ') || 'scenario';
    const x = numeric ? params[xKey] : JSON.stringify(params[xKey]);
    const add = (metric: string, value: number | null | undefined, lo?: number, hi?: number) => {
      if (value !== null && value !== undefined) rows.push({ x, series, metric, value, lo: lo ?? value, hi: hi ?? value });
    };
    add('targeting error z, sd (mm)', summary.targetingError.z.sd);
    add('targeting error r, p95 (mm)', summary.targetingError.r.p95);
    if (summary.hit?.probability !== undefined && summary.hit.probability !== null) add('hit probability', summary.hit.probability, summary.hit.ci95![0], summary.hit.ci95![1]);
    if (summary.refused) add('refused probability', summary.refused.probability);
  }
  const xEnc = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: xKey };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Sweep', subtitle: `every point: the same seed; bars: Wilson 95 % intervals` },
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 220, height: 180,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: null }, color: { field: 'series', type: 'nominal', title: null, legend: others.length ? { labelLimit: 400 } : null } } },
        { mark: { type: 'errorbar' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
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
export async function figures(points: FigureData[], sweep: { params: Record<string, unknown>; summary: Summary }[] | null): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
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
