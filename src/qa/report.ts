/**
 * The QA report a physicist signs: one self-contained HTML file (inline SVG figures,
 * inline CSS, no script, no network), and the same content as a structured document
 * that the PDF writer lays out.
 */
import type { Finding } from '../core/findings.js';
import { CHECK_NAMES, type CheckName, type QAResult } from './analysis.js';
import { errorsSpec, renderSvg, trendSpec } from './figures.js';
import { driftWarnings, type StoredSession } from './history.js';
import type { Phantom } from './phantoms.js';
import { AXES, type PerAxis } from './session.js';
import type { Vec3 } from '../targeting/geometry.js';

export const CHECK_TITLES: Record<CheckName, string> = {
  calculation: 'console - exact triangulation of the same marks (calculation tolerance)',
  localization: 'needle - triangulated target (or - truth without target marks)',
  consoleVsTruth: 'console - phantom truth',
  targetVsTruth: 'triangulated target - phantom truth',
};

/** Which axes failed, for the result column. */
export function resultWord(r: { pass: { x: boolean; y: boolean; z: boolean }; passed: boolean }): string {
  return r.passed ? 'pass' : `FAIL ${AXES.filter((a) => !r.pass[a]).join(', ')}`;
}

/** Limits as one number when the three axes agree. */
export function limitText(l: Vec3): string {
  return l.x === l.y && l.y === l.z ? `±${num(l.x)}` : `±${num(l.x)}/${num(l.y)}/${num(l.z)}`;
}

export interface ReportOptions {
  /** The phantom analysed (its name and source are printed). */
  phantom?: Phantom;
  /** The unit's stored sessions, oldest first: the trend of the last ones is drawn. */
  history?: readonly StoredSession[];
  /** How many of the last sessions the trend shows (default 12). */
  trendSessions?: number;
  /** The stored session's id (sha256 of its request), printed on every page. */
  sessionId?: string;
  /** Service log entries of the unit, shown with the history. */
  service?: readonly { date: string; text: string }[];
}

/** The report's content, shared by the HTML and the PDF. */
export interface ReportContent {
  title: string;
  verdict: 'PASSED' | 'FAILED';
  facts: [string, string][];
  limits: [string, string][];
  /** One row per target and check, with the three axes. */
  rows: { target: string; check: CheckName; error: Vec3; error3d: number; limit: Vec3; roundingAllowance?: Vec3; pass: { x: boolean; y: boolean; z: boolean }; passed: boolean }[];
  summary: { check: CheckName; axis: string; maxAbs: number; mean: number; rms: number; count: number }[];
  findings: Finding[];
  errorsSvg: string;
  trendSvg?: string;
  trendNote?: string;
  footer: string;
  /** The running header of every page: facility, unit, session date, session id. */
  header: string;
  notes: string | null;
  /** True when a check failed or reached the action level: the corrective-action box must be filled. */
  actionNeeded: boolean;
  /** Signature lines: role, and the name when the session gave it. */
  signatures: { role: string; name: string | null }[];
  /** The time zone the report's times are in. */
  timeZone: string;
  /** Service actions logged on the unit (date, text), oldest first. */
  service: { date: string; text: string }[];
  /** Drift warnings from the unit's stored history (history.ts's least-squares rule). */
  drift: string[];
}

/** An instant as the facility's local time, with the zone said. */
export function localTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour') === '24' ? '00' : get('hour')}:${get('minute')} ${get('timeZoneName')} (${timeZone})`;
}

/** The Euclidean length of an error, the 3-D error of a check. */
export function norm3(v: Vec3): number {
  return Math.hypot(v.x, v.y, v.z);
}

export function num(x: number, d = 2): string {
  const v = Number(x.toFixed(d));
  return (Object.is(v, -0) ? 0 : v).toFixed(d);
}

function perAxis(p: PerAxis | null): string {
  if (!p) return 'none';
  return p.x === p.y && p.y === p.z ? `±${num(p.x)} mm (every axis)` : `x ±${num(p.x)}, y ±${num(p.y)}, z ±${num(p.z)} mm`;
}

export async function reportContent(r: QAResult, o: ReportOptions = {}): Promise<ReportContent> {
  const g = r.unit.geometry;
  const tz = r.timeZone ?? 'UTC';
  const facts: [string, string][] = [];
  if (r.facility) {
    facts.push(['Facility', r.facility.name]);
    facts.push(['Accreditation', r.facility.accreditation.length ? r.facility.accreditation.join('; ') : '(not given)']);
  }
  facts.push(
    ['Unit', `${r.unit.id}${r.unit.name ? ` — ${r.unit.name}` : ''}`],
    ['Manufacturer, model, serial', [r.unit.manufacturer, r.unit.model, r.unit.serial ? `serial ${r.unit.serial}` : undefined].filter(Boolean).join(', ') || '(not given)'],
    ['Site', r.unit.site ?? '(not given)'],
  );
  if (o.sessionId) facts.push(['Session id', o.sessionId]);
  facts.push(
    ['Geometry', g ? `source-detector ${g.sourceToDetector} mm, source-support ${g.sourceToSupport} mm, rotation axis at z = ${g.rotationAxisHeight} mm` : '(not given: console points only)'],
    ['Phantom', o.phantom ? `${o.phantom.id} — ${o.phantom.name}${o.phantom.typical ? ' (typical example definition)' : ''}` : r.phantom],
  );
  if (o.phantom) facts.push(['Phantom source', o.phantom.source]);
  facts.push(['Phantom serial', r.phantomSerial ?? '(not given)']);
  facts.push(
    ['Session date', r.date],
    ['Tester', r.tester ?? '(not given)'],
    ['Kind', r.kind === 'physicist' ? 'physicist (annual survey)' : 'technologist (routine)'],
    ['Analysed', `${localTime(r.meta.analysedAt, tz)} with stereotax ${r.meta.stereotaxVersion}`],
  );
  const limits: [string, string][] = [
    ['Tolerance (localization, truth)', perAxis(r.limits.tolerance)],
    ['Action level', perAxis(r.limits.action)],
    ['Calculation tolerance', perAxis(r.limits.calculationTolerance)],
  ];
  const resolution = r.limits.markResolution ?? 0;
  if (resolution > 0) {
    limits.push(['Mark resolution', `${resolution} mm: each target's calculation limit adds the largest error that rounding its marks to ${resolution} mm can cause (through the triangulation's Jacobian); the limit column includes it`]);
  }
  const rows: ReportContent['rows'] = [];
  for (const m of r.measurements) {
    for (const n of CHECK_NAMES) {
      const c = m.checks[n];
      if (!c) continue;
      rows.push({ target: m.target, check: n, error: c.error, error3d: norm3(c.error), limit: c.limit, ...(c.roundingAllowance ? { roundingAllowance: c.roundingAllowance } : {}), pass: c.pass, passed: c.passed });
    }
  }
  const summary: ReportContent['summary'] = [];
  for (const n of CHECK_NAMES) {
    const s = r.summary[n];
    if (!s) continue;
    for (const a of AXES) summary.push({ check: n, axis: a, ...s[a], count: s.count });
  }
  const content: ReportContent = {
    title: 'Stereotactic localization accuracy: phantom QA',
    verdict: r.passed ? 'PASSED' : 'FAILED',
    facts, limits, rows, summary, findings: r.findings,
    errorsSvg: await renderSvg(errorsSpec(r)),
    footer: `stereotax ${r.meta.stereotaxVersion}. Pass: |error| <= limit on every axis (exactly at the limit passes, to 1e-9 mm). 3-D: the length of the error vector, for information. Points are triangulated with the unit's geometry (point source, rotation axis, detector gap). Times in ${tz}.`,
    header: [r.facility?.name, `unit ${r.unit.id}`, `session ${r.date}`, o.sessionId ? `id ${o.sessionId.slice(0, 12)}` : undefined].filter(Boolean).join(' · '),
    notes: r.notes ?? null,
    actionNeeded: r.findings.some((f) => f.severity === 'error' || f.code === 'action_level'),
    signatures: [
      { role: 'Qualified medical physicist', name: r.team?.physicist ?? (r.kind === 'physicist' ? r.tester : null) },
      { role: 'Technologist', name: r.team?.technologist ?? (r.kind === 'technologist' ? r.tester : null) },
      { role: 'Lead interpreting physician', name: r.team?.leadInterpretingPhysician ?? null },
    ],
    timeZone: tz,
    service: (o.service ?? []).map((e) => ({ date: e.date, text: e.text })),
    drift: o.history ? driftWarnings(o.history).map((d) => d.message) : [],
  };
  if (o.history && o.history.length) {
    const last = o.history.slice(-(o.trendSessions ?? 12));
    content.trendSvg = await renderSvg(trendSpec(r.unit.id, last));
    content.trendNote = `Last ${last.length} stored session${last.length === 1 ? '' : 's'} of unit ${r.unit.id} (${last[0].date} to ${last[last.length - 1].date}).`;
  }
  return content;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body { font-family: Helvetica, Arial, sans-serif; color: #111; margin: 24px auto; max-width: 1000px; padding: 0 16px; font-size: 14px; }
h1 { font-size: 21px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
table { border-collapse: collapse; margin: 4px 0; } th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; font-family: Menlo, Consolas, monospace; font-size: 13px; }
table.facts th { width: 210px; } .verdict { display: inline-block; font-size: 20px; font-weight: 700; padding: 6px 18px; border-radius: 4px; margin: 8px 0; }
.PASSED { background: #d3f9d8; color: #1b5e20; border: 2px solid #2b8a3e; } .FAILED { background: #ffe3e3; color: #8a1111; border: 2px solid #c92a2a; }
tr.fail td { background: #fff0f0; } td.fail { color: #c92a2a; font-weight: 700; } td.pass { color: #2b8a3e; }
.finding-error { color: #8a1111; } .finding-warning { color: #8a5a00; } .figure svg { max-width: 100%; height: auto; }
.sign { margin-top: 28px; display: flex; gap: 48px; } .sign div { flex: 1; border-top: 1px solid #333; padding-top: 4px; color: #444; }
.note { color: #555; font-size: 12px; }
.action { border: 1px solid #333; min-height: 90px; padding: 6px; color: #444; } .action.needed { border: 2px solid #c92a2a; }
.signatures { display: flex; gap: 28px; margin-top: 36px; } .sig { flex: 1; color: #444; font-size: 13px; } .sig .line { border-top: 1px solid #333; margin-bottom: 4px; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } .figure, table { break-inside: avoid; } }
`;

/** One self-contained HTML file: no script, no external resource. */
export function reportHtml(c: ReportContent): string {
  const facts = c.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const limits = c.limits.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const rows = c.rows.map((x) => `<tr class="${x.passed ? '' : 'fail'}"><td>${esc(x.target)}</td><td>${x.check}</td>`
    + AXES.map((a) => `<td class="n${x.pass[a] ? '' : ' fail'}">${num(x.error[a])}</td>`).join('')
    + `<td class="n">${num(x.error3d)}</td><td class="n">${limitText(x.limit)}${x.roundingAllowance ? '<br><span class="note">incl. rounding</span>' : ''}</td><td class="${x.passed ? 'pass' : 'fail'}">${resultWord(x)}</td></tr>`).join('\n');
  const legend = `<p class="note">${CHECK_NAMES.filter((n) => c.rows.some((r) => r.check === n)).map((n) => `<b>${n}</b>: ${esc(CHECK_TITLES[n])}`).join('; ')}. An axis passes when |error| &lt;= limit.</p>`;
  const summary = c.summary.map((s) => `<tr><td>${s.check}</td><td>${s.axis}</td><td class="n">${num(s.maxAbs)}</td><td class="n">${num(s.mean)}</td><td class="n">${num(s.rms)}</td><td class="n">${s.count}</td></tr>`).join('\n');
  const findings = c.findings.length
    ? `<ul>${c.findings.map((f) => `<li class="finding-${f.severity}"><b>${f.severity.toUpperCase()}</b> <code>${esc(f.code)}</code>${f.path ? ` <span class="note">(${esc(f.path)})</span>` : ''}: ${esc(f.message)}</li>`).join('')}</ul>`
    : '<p>None.</p>';
  const trend = c.trendSvg ? `<h2>Trend</h2><p class="note">${esc(c.trendNote ?? '')}</p><div class="figure">${c.trendSvg}</div>` : '';
  const drift = c.drift.length ? `<h2>Drift</h2><ul>${c.drift.map((d) => `<li class="finding-warning">${esc(d)}</li>`).join('')}</ul>` : '';
  const service = c.service.length ? `<h2>Service log</h2><table><thead><tr><th>date</th><th>action</th></tr></thead><tbody>${c.service.map((e) => `<tr><td>${esc(e.date)}</td><td>${esc(e.text)}</td></tr>`).join('')}</tbody></table>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.title)} — ${esc(c.facts[0][1])}, ${esc(c.facts.find(([k]) => k === 'Session date')?.[1] ?? '')}</title>
<style>${CSS}</style></head>
<body>
<p class="note">${esc(c.header)}</p>
<h1>${esc(c.title)}</h1>
<div class="verdict ${c.verdict}">${c.verdict}</div>
<h2>Session</h2><table class="facts">${facts}</table>
<h2>Limits</h2><table class="facts">${limits}</table>
<h2>Errors per target and axis (mm)</h2>
<table><thead><tr><th>target</th><th>check</th><th>error x</th><th>error y</th><th>error z</th><th>3-D</th><th>limit</th><th>result</th></tr></thead><tbody>
${rows}
</tbody></table>
${legend}
<div class="figure">${c.errorsSvg}</div>
<h2>Summary (mm)</h2>
<table><thead><tr><th>check</th><th>axis</th><th>max |error|</th><th>mean</th><th>rms</th><th>n</th></tr></thead><tbody>
${summary}
</tbody></table>
<h2>Findings</h2>${findings}
${trend}
${drift}
${service}
<h2>Notes</h2><p class="notes">${c.notes ? esc(c.notes).replace(/\n/g, '<br>') : 'None.'}</p>
<h2>Corrective action</h2><div class="action${c.actionNeeded ? ' needed' : ''}">${c.actionNeeded ? 'Required: a check failed or reached the action level. Describe the action taken and the re-test:' : 'Describe any action taken:'}</div>
<div class="signatures">${c.signatures.map((s) => `<div class="sig"><div class="line"></div>${esc(s.role)}${s.name ? `: ${esc(s.name)}` : ''} — signature, date</div>`).join('')}</div>
<p class="note">${esc(c.footer)}</p>
</body></html>
`;
}

/** The HTML report of an analysed session. */
export async function qaReportHtml(r: QAResult, o: ReportOptions = {}): Promise<string> {
  return reportHtml(await reportContent(r, o));
}
