/**
 * QA figures as Vega-Lite specifications, rendered headless to SVG with vega
 * (no browser, no canvas): the errors per target and axis against the tolerance
 * band, and a unit's localization trend over its sessions.
 */
import type { QAResult } from './analysis.js';
import { CHECK_NAMES } from './analysis.js';
import type { StoredSession } from './history.js';
import { AXES, type Axis } from './session.js';

type Spec = Record<string, unknown>;

const CHECK_COLOURS: Record<string, string> = {
  localization: '#1f5fa8', consoleVsTruth: '#b85c00', targetVsTruth: '#6a3d9a', calculation: '#2b8a3e',
};

/** Plain ASCII minus (PDF standard fonts lack U+2212) and a readable sans-serif. */
const CONFIG = {
  locale: { number: { decimal: '.', thousands: ',', grouping: [3], currency: ['', ''], minus: '-' } },
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#888' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' },
  title: { fontSize: 13, anchor: 'start' },
  background: 'white',
};

/** Errors per target for one axis, the tolerance band shaded, action levels dashed. */
export function errorsSpec(r: QAResult): Spec {
  const rows = r.measurements.flatMap((m) => CHECK_NAMES.filter((n) => n !== 'calculation' && m.checks[n]).flatMap((n) => AXES.map((a) => ({
    target: m.target, check: n, axis: a, error: m.checks[n]!.error[a], pass: m.checks[n]!.pass[a] ? 'pass' : 'fail',
  }))));
  const targets = r.measurements.map((m) => m.target).filter((t, i, all) => all.indexOf(t) === i);
  const checks = CHECK_NAMES.filter((n) => n !== 'calculation' && rows.some((x) => x.check === n));
  const panel = (a: Axis): Spec => {
    const tol = r.limits.tolerance[a];
    const act = r.limits.action?.[a];
    const own = rows.filter((x) => x.axis === a);
    const extent = Math.max(tol * 1.5, ...own.map((x) => Math.abs(x.error) * 1.1));
    const layers: Spec[] = [
      { mark: { type: 'rect', color: '#2b8a3e', opacity: 0.13 }, encoding: { y: { datum: -tol }, y2: { datum: tol } } },
      { mark: { type: 'rule', color: '#2b8a3e', strokeWidth: 1.5 }, data: { values: [{ v: -tol }, { v: tol }] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
      { mark: { type: 'rule', color: '#444', strokeWidth: 1 }, data: { values: [{ v: 0 }] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
    ];
    if (act !== undefined) {
      layers.push({ mark: { type: 'rule', color: '#c08a00', strokeDash: [5, 3], strokeWidth: 1.2 }, data: { values: [{ v: -act }, { v: act }] }, encoding: { y: { field: 'v', type: 'quantitative' } } });
    }
    layers.push({
      data: { values: own },
      mark: { type: 'point', filled: true, size: 70, opacity: 0.95 },
      encoding: {
        x: { field: 'target', type: 'nominal', sort: targets, title: 'target', axis: { labelAngle: 0 } },
        y: { field: 'error', type: 'quantitative' },
        xOffset: { field: 'check', type: 'nominal', sort: checks },
        color: { field: 'check', type: 'nominal', scale: { domain: checks, range: checks.map((c) => CHECK_COLOURS[c]) }, title: 'check' },
        shape: { field: 'pass', type: 'nominal', scale: { domain: ['pass', 'fail'], range: ['circle', 'cross'] }, title: 'this axis' },
      },
    });
    return {
      width: Math.max(120, 34 * targets.length * Math.max(1, checks.length) / 1.5), height: 190,
      title: `${a}: tolerance ±${tol}${act !== undefined ? `, action ±${act}` : ''}`,
      encoding: { y: { type: 'quantitative', scale: { domain: [-extent, extent], nice: false }, title: `${a} error (mm)` } },
      layer: layers,
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Error per target and axis (mm); green band: tolerance; dashed: action level',
    data: { values: [{}] },
    spacing: 24,
    hconcat: AXES.map(panel),
    resolve: { scale: { color: 'shared', shape: 'shared' } },
    config: CONFIG,
  };
}

/** A unit's per-axis max localization error per session, oldest first, with the tolerance band. */
export function trendSpec(unitId: string, sessions: readonly StoredSession[]): Spec {
  const withLoc = sessions.filter((s) => s.maxLocalizationError);
  const tol = withLoc[withLoc.length - 1]?.tolerance ?? sessions[sessions.length - 1]?.tolerance ?? { x: 1, y: 1, z: 1 };
  const rows = withLoc.flatMap((s) => AXES.map((a) => ({ date: s.date, axis: a, error: s.maxLocalizationError![a], session: s.passed ? 'passed' : 'failed' })));
  const panel = (a: Axis): Spec => {
    const own = rows.filter((x) => x.axis === a);
    const top = Math.max(tol[a] * 1.5, ...own.map((x) => x.error * 1.1));
    return {
      width: 200, height: 170,
      title: `${a}: max |error|, tolerance ${tol[a]}`,
      encoding: { y: { type: 'quantitative', scale: { domain: [0, top], nice: false }, title: 'mm' } },
      layer: [
        { mark: { type: 'rect', color: '#2b8a3e', opacity: 0.13 }, encoding: { y: { datum: 0 }, y2: { datum: tol[a] } } },
        { mark: { type: 'rule', color: '#2b8a3e', strokeWidth: 1.5 }, data: { values: [{ v: tol[a] }] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
        {
          data: { values: own },
          mark: { type: 'line', point: { filled: true, size: 55 }, color: '#1f5fa8' },
          encoding: { x: { field: 'date', type: 'temporal', title: 'session date', axis: { format: '%Y-%m-%d', labelAngle: -30 } }, y: { field: 'error', type: 'quantitative' } },
        },
        {
          data: { values: own.filter((x) => x.session === 'failed') },
          mark: { type: 'point', shape: 'cross', size: 110, color: '#c92a2a', filled: true },
          encoding: { x: { field: 'date', type: 'temporal' }, y: { field: 'error', type: 'quantitative' } },
        },
      ],
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Unit ${unitId}: localization trend (last ${withLoc.length} session${withLoc.length === 1 ? '' : 's'} with a needle check; red cross: failed session)`,
    data: { values: [{}] },
    spacing: 24,
    hconcat: AXES.map(panel),
    config: CONFIG,
  };
}

let svgCount = 0;

/** Compiles a Vega-Lite spec and renders it to standalone SVG; ids are made unique so several figures can share a page. */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const prefix = `f${++svgCount}-`;
    return svg.replace(/id="([^"]+)"/g, `id="${prefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`);
  } finally {
    view.finalize();
  }
}
