/**
 * `--format csv`: one row per sweep point (one row without a sweep), the swept
 * parameters first, then every figure of the summary as a column named by its
 * path (`targetingError.z.sd`, `hit.ci95.low`); the manifest stays in the JSON.
 */
import type { SimulationResult } from './run.js';
import type { Summary } from './summary.js';

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && prefix.endsWith('.quantiles')) {
    // Requested quantiles: one column each (`...r.quantiles.q0.975`), its interval beside it.
    for (const q of value as { q: number; value: unknown; ci95: unknown }[]) {
      out.set(`${prefix}.q${q.q}`, q.value);
      flatten(q.ci95, `${prefix}.q${q.q}.ci95`, out);
    }
  } else if (Array.isArray(value) && /(^|\.)ci95(\.|$)/.test(prefix) && value.length === 2) {
    out.set(`${prefix}.low`, value[0]);
    out.set(`${prefix}.high`, value[1]);
  } else if (value === null && /(^|\.)ci95(\.|$)/.test(prefix)) {
    out.set(`${prefix}.low`, null);
    out.set(`${prefix}.high`, null);
  } else {
    out.set(prefix, value);
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(result: SimulationResult): string {
  if ('sensitivity' in result) {
    // One row per (output, parameter): the indices and their intervals.
    const head = ['output', 'parameter', 'firstOrder', 'firstOrder.ci95.low', 'firstOrder.ci95.high', 'total', 'total.ci95.low', 'total.ci95.high', 'output.mean', 'output.variance'];
    const lines = result.sensitivity.outputs.flatMap((o) => o.indices.map((x) =>
      [o.output, x.parameter, x.firstOrder, x.firstOrderCi95?.[0], x.firstOrderCi95?.[1], x.total, x.totalCi95?.[0], x.totalCi95?.[1], o.mean, o.variance].map(cell).join(',')));
    return [head.map(cell).join(','), ...lines].join('\n') + '\n';
  }
  const rows = 'sweep' in result ? result.sweep
    : 'replicates' in result
      // One row per replicate, then the between-replicate mean and SD rows.
      ? [...result.replicates.runs.map((r) => ({ params: { replicate: r.replicate, seed: r.seed } as Record<string, unknown>, summary: r.summary })),
        { params: { replicate: 'mean' }, summary: { ...(result.replicates.between.mean as object), manifest: null } as unknown as Summary },
        { params: { replicate: 'sd' }, summary: { ...(result.replicates.between.sd as object), manifest: null } as unknown as Summary }]
      : [{ params: {}, summary: result as Summary }];
  const flat = rows.map(({ params, summary }) => {
    const m = new Map<string, unknown>();
    for (const [k, v] of Object.entries(params)) m.set(k, v);
    const { manifest, ...figures } = summary;
    void manifest;
    flatten(figures, '', m);
    return m;
  });
  const columns: string[] = [];
  for (const m of flat) for (const k of m.keys()) if (!columns.includes(k)) columns.push(k);
  return [columns.map(cell).join(','), ...flat.map((m) => columns.map((k) => cell(m.get(k))).join(','))].join('\n') + '\n';
}
