/**
 * The physician's report of an image-guided localization: structured JSON, readable
 * text and HTML, with a completeness check against ACR section VI (report.json: the
 * image-label items VI.A and the report items VI.B, each with the record fields that
 * satisfy it). Missing is reported as missing; nothing is filled in.
 */
import { findingsText, type Finding } from '../core/findings.js';
import { codeFor, type Coded } from './common.js';
import { embeddedFindings, parseProcedureRecord, type EmbeddedResult, type ProcedureRecord, type RecordLesion } from './record.js';
import acr from './report.json' with { type: 'json' };

export interface AcrItem {
  section: string;
  item: number;
  id: string;
  key: string;
  requirement: string;
  satisfiedBy: string[][];
  lesionsWhere?: { guidance?: string[]; procedure?: string[] };
  source: string;
}

export const ACR_IMAGE_LABEL_ITEMS: readonly AcrItem[] = acr.imageLabels;
export const ACR_REPORT_ITEMS: readonly AcrItem[] = acr.report;
export const ACR_DOCUMENTATION_SOURCE = acr.source;

export interface MissingItem {
  id: string;
  requirement: string;
  /** The record fields that would satisfy it (the closest alternative). */
  missingFields: string[];
  /** What each way of satisfying it lacks (the first listed way comes first). */
  alternatives: string[][];
  source: string;
}

export interface Completeness {
  complete: boolean;
  checked: string[];
  missing: MissingItem[];
  notApplicable: string[];
}

export interface ReportLesion extends RecordLesion {
  locationText: string | null;
  codes: { laterality: Coded | null; location: Coded | null; depth: Coded | null; procedure: Coded[] };
}

export interface ReportSection {
  heading: string;
  lines: string[];
}

export interface ProcedureReport {
  id?: string;
  title: string;
  patient: { givenName: string | null; familyName: string | null; id: string | null; birthDate: string | null };
  facility: { name: string | null; location: string | null };
  examDate: string | null;
  technologist: string | null;
  physician: string | null;
  lesions: ReportLesion[];
  timeOut: boolean | null;
  sections: ReportSection[];
  results: EmbeddedResult[];
  completeness: Completeness;
  findings: Finding[];
}

const NOT_RECORDED = 'not recorded';
const XRAY = new Set(['mammographic', 'stereotactic', 'tomosynthesis']);

function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim().length > 0;
  return true;
}

/** The value at a record path such as `patient.id` or `location.clock` (no `lesions[]`). */
function at(obj: unknown, path: string): unknown {
  let v = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function applies(item: AcrItem, lesion: RecordLesion): boolean {
  const w = item.lesionsWhere;
  if (!w) return true;
  if (w.guidance && !(lesion.guidance && w.guidance.includes(lesion.guidance))) return false;
  if (w.procedure && !w.procedure.includes(lesion.procedure)) return false;
  return true;
}

/** The fields of one alternative that the record lacks (lesion fields expanded per lesion). */
function missingOf(rec: ProcedureRecord, fields: string[], lesions: number[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.startsWith('lesions[].')) {
      const sub = f.slice('lesions[].'.length);
      for (const i of lesions) if (!present(at(rec.lesions[i], sub))) out.push(`lesions[${i}].${sub}`);
    } else if (!present(at(rec, f))) out.push(f);
  }
  return out;
}

export function checkCompleteness(rec: ProcedureRecord): Completeness {
  const checked: string[] = [], missing: MissingItem[] = [], notApplicable: string[] = [];
  for (const item of [...ACR_IMAGE_LABEL_ITEMS, ...ACR_REPORT_ITEMS]) {
    const lesions = rec.lesions.map((l, i) => (applies(item, l) ? i : -1)).filter((i) => i >= 0);
    if (item.lesionsWhere && !lesions.length) {
      notApplicable.push(item.id);
      continue;
    }
    checked.push(item.id);
    const gaps = item.satisfiedBy.map((alt) => missingOf(rec, alt, lesions));
    if (gaps.some((g) => g.length === 0)) continue;
    // Name the alternative the record went furthest with (the first listed on a tie).
    const total = item.satisfiedBy.map((alt) => alt.reduce((n, f) => n + (f.startsWith('lesions[].') ? lesions.length : 1), 0));
    let pick = 0;
    gaps.forEach((g, k) => { if (total[k] - g.length > total[pick] - gaps[pick].length) pick = k; });
    missing.push({ id: item.id, requirement: item.requirement, missingFields: gaps[pick], alternatives: gaps, source: item.source });
  }
  return { complete: missing.length === 0, checked, missing, notApplicable };
}

function locationText(l: RecordLesion): string | null {
  const loc = l.location;
  if (!loc) return null;
  const parts: string[] = [];
  if (loc.clock !== undefined) parts.push(`${loc.clock} o'clock`);
  if (loc.region) parts.push(loc.region === 'axillary-tail' ? 'axillary tail' : loc.region);
  if (loc.distanceCm !== undefined) parts.push(`${loc.distanceCm} cm from the nipple`);
  if (loc.depthThird) parts.push(`${loc.depthThird} third`);
  if (loc.text) parts.push(loc.text);
  return parts.length ? parts.join(', ') : null;
}

function procedureCodes(l: RecordLesion): Coded[] {
  const codes: (Coded | null)[] = [];
  if (l.procedure === 'localization') {
    const wire = /wire/i.test(l.device ?? '');
    codes.push(codeFor(wire && l.guidance && XRAY.has(l.guidance) ? 'procedure.wire-localization-xray' : 'procedure.localization'));
  } else {
    codes.push(codeFor('procedure.core-biopsy'));
    if (l.guidance === 'mri') codes.push(codeFor('procedure.mri-guided-biopsy'));
  }
  if (l.guidance === 'ultrasound') codes.push(codeFor('guidance.ultrasound'));
  if (l.guidance === 'mammographic') codes.push(codeFor('guidance.mammography'));
  return codes.filter((c): c is Coded => !!c);
}

function reportLesion(l: RecordLesion): ReportLesion {
  const loc = l.location;
  const location = loc?.clock !== undefined ? codeFor(`clock.${loc.clock}`) : loc?.region ? codeFor(`region.${loc.region}`) : null;
  return {
    ...l,
    locationText: locationText(l),
    codes: {
      // CID 6023 names breasts: an axillary lesion gets no breast-side code.
      laterality: l.laterality && l.site === 'breast' ? codeFor(`laterality.${l.laterality}`) : null,
      location: l.site === 'breast' ? location : null,
      depth: loc?.depthThird ? codeFor(`depth.${loc.depthThird}`) : null,
      procedure: procedureCodes(l),
    },
  };
}

const or = (v: string | undefined | null): string => (present(v) ? (v as string) : NOT_RECORDED);

function lesionSentence(l: ReportLesion): string {
  const side = l.laterality ? `${l.laterality} ${l.site}` : `${l.site}, side ${NOT_RECORDED}`;
  const guidance = l.guidance ? `${l.guidance}-guided` : `guidance ${NOT_RECORDED},`;
  const what = l.procedure === 'localization' ? `${guidance} localization${l.device ? ` with ${l.deviceCount && l.deviceCount > 1 ? `${l.deviceCount} x ` : ''}${l.device}` : `, device ${NOT_RECORDED}`}` : `${guidance} biopsy`;
  return `Lesion ${l.label} (${side}): ${what}.`;
}

function sections(rec: ProcedureRecord, lesions: ReportLesion[]): ReportSection[] {
  const s: ReportSection[] = [];
  s.push({ heading: 'Procedure', lines: lesions.map(lesionSentence) });
  s.push({
    heading: 'Lesions',
    lines: lesions.map((l) => `${l.label}: ${or(l.description)}; location ${l.locationText ?? NOT_RECORDED}; approach ${or(l.approach)}${l.views ? `; views ${l.views.join(', ')}` : ''}${l.transducerOrientation ? `; transducer ${l.transducerOrientation}` : ''}.`),
  });
  const a = rec.anaesthesia;
  const anaesthesia = !a ? NOT_RECORDED : a.none ? 'none given' : `${or(a.agent)}, ${a.volumeMl !== undefined ? `${a.volumeMl} ml` : `volume ${NOT_RECORDED}`}`;
  const incision = !rec.incision ? NOT_RECORDED : rec.incision.made ? `made${rec.incision.lengthMm !== undefined ? ` (${rec.incision.lengthMm} mm)` : ''}` : 'none';
  const timeOut = rec.timeOut === undefined ? NOT_RECORDED : rec.timeOut ? 'performed' : 'NOT performed';
  s.push({ heading: 'Technique', lines: [`Safety time-out: ${timeOut}.`, `Local anaesthesia: ${anaesthesia}.`, `Skin incision: ${incision}.`] });
  const m = rec.postProcedureMammogram;
  const mammo = !m ? `${NOT_RECORDED}.` : !m.done ? 'not obtained.'
    : `obtained${m.views ? ` (${m.views.join(', ')})` : ''}; devices seen: ${m.deviceCount ?? NOT_RECORDED}; placement ${m.accurate === undefined ? `accuracy ${NOT_RECORDED}` : m.accurate ? 'accurate' : 'NOT accurate'}; relation to the target: ${or(m.relation)}.`;
  s.push({ heading: 'Post-procedure mammogram', lines: [`Post-procedure mammogram: ${mammo}`] });
  const comp = rec.complications;
  s.push({
    heading: 'Complications',
    lines: !comp ? [`Complications: ${NOT_RECORDED}.`] : !comp.length ? ['No complications.'] : comp.map((x) => `${x.description}${x.treatment ? `; treated with ${x.treatment}` : '; treatment not recorded'}.`),
  });
  const sp = rec.specimenImaging;
  const spec = !sp ? `${NOT_RECORDED}.` : sp.separateReport ? 'given in a separate report.' : sp.done === undefined ? `${NOT_RECORDED}.` : !sp.done ? 'not done.'
    : `done; target removed: ${sp.targetRemoved === undefined ? NOT_RECORDED : sp.targetRemoved ? 'yes' : 'NO'}; device removed: ${sp.deviceRemoved === undefined ? NOT_RECORDED : sp.deviceRemoved ? 'yes' : 'NO'}.`;
  s.push({ heading: 'Specimen imaging', lines: [`Specimen imaging: ${spec}`] });
  for (const r of rec.results) {
    const nums = Object.entries(r.numbers).map(([k, v]) => `${k} ${typeof v === 'number' ? `${Number(v.toFixed(2))}${/margin|depth|gap|^[xyz]$/i.test(k) ? ' mm' : ''}` : v}`);
    s.push({ heading: r.kind === 'targeting' ? 'Targeting' : r.kind === 'plan' ? 'Plan' : 'Specimen margins', lines: [nums.join('; ') + (nums.length ? '.' : ''), ...r.findings.map((f) => `${f.severity}: ${f.code}: ${f.message}`)].filter((x) => x) });
  }
  return s;
}

function findingsOf(rec: ProcedureRecord, completeness: Completeness): Finding[] {
  const f: Finding[] = completeness.missing.map((m) => ({
    code: 'acr_item_missing', severity: 'error' as const, path: m.missingFields[0],
    message: `ACR ${m.id} missing: ${m.alternatives.map((a) => a.join(' and ')).join(', or ')}. (${m.requirement}.)`,
  }));
  if (rec.timeOut === false) {
    f.push({ code: 'time_out_not_performed', severity: 'error', path: 'timeOut', message: 'The record says no safety time-out was performed (Universal Protocol).' });
  }
  const m = rec.postProcedureMammogram;
  const localizations = rec.lesions.filter((l) => l.procedure === 'localization');
  if (m && m.done && m.accurate === false) {
    f.push({ code: 'device_placement_inaccurate', severity: 'error', path: 'postProcedureMammogram.accurate', message: 'The post-procedure mammogram shows a device that is not where it should be: tell the surgeon.' });
  }
  const expected = localizations.reduce((n, l) => n + (l.deviceCount ?? 1), 0);
  if (m && m.done && m.deviceCount !== undefined && localizations.length && m.deviceCount !== expected) {
    f.push({ code: 'device_count_mismatch', severity: 'error', path: 'postProcedureMammogram.deviceCount', value: m.deviceCount, limit: expected,
      message: `The post-procedure mammogram shows ${m.deviceCount} device(s); the lesions record ${expected}.` });
  }
  if (m && !m.done && localizations.length) {
    f.push({ code: 'no_post_procedure_mammogram', severity: 'warning', path: 'postProcedureMammogram.done', message: 'No post-procedure mammogram: the placement is documented by other means only.' });
  }
  const sp = rec.specimenImaging;
  if (sp?.targetRemoved === false) f.push({ code: 'specimen_target_not_removed', severity: 'error', path: 'specimenImaging.targetRemoved', message: 'Specimen imaging does not show the target: tell the surgeon while the patient is in theatre.' });
  if (sp?.deviceRemoved === false) f.push({ code: 'specimen_device_not_removed', severity: 'error', path: 'specimenImaging.deviceRemoved', message: 'Specimen imaging does not show the localization device: it may still be in the breast.' });
  if (rec.complications?.length) f.push({ code: 'complications_recorded', severity: 'info', path: 'complications', message: `${rec.complications.length} complication(s) recorded.` });
  return [...f, ...embeddedFindings(rec)];
}

export function buildReport(rec: ProcedureRecord): ProcedureReport {
  const lesions = rec.lesions.map(reportLesion);
  const completeness = checkCompleteness(rec);
  const p = rec.patient ?? {};
  return {
    ...(rec.id !== undefined ? { id: rec.id } : {}),
    title: lesions.every((l) => l.procedure === 'biopsy') ? 'Image-guided breast biopsy' : 'Image-guided preoperative localization',
    patient: { givenName: p.givenName ?? null, familyName: p.familyName ?? null, id: p.id ?? null, birthDate: p.birthDate ?? null },
    facility: { name: rec.facility?.name ?? null, location: rec.facility?.location ?? null },
    examDate: rec.examDate ?? null,
    technologist: rec.technologist ?? null,
    physician: rec.physician ?? null,
    lesions,
    timeOut: rec.timeOut ?? null,
    sections: sections(rec, lesions),
    results: rec.results,
    completeness,
    findings: findingsOf(rec, completeness),
  };
}

export function procedureReport(record: unknown): ProcedureReport {
  return buildReport(parseProcedureRecord(record));
}

function header(r: ProcedureReport): string[] {
  const name = r.patient.familyName || r.patient.givenName ? `${r.patient.familyName ?? NOT_RECORDED}, ${r.patient.givenName ?? NOT_RECORDED}` : NOT_RECORDED;
  return [
    `Patient: ${name}; ID ${r.patient.id ?? NOT_RECORDED}; born ${r.patient.birthDate ?? NOT_RECORDED}`,
    `Facility: ${r.facility.name ?? NOT_RECORDED}, ${r.facility.location ?? NOT_RECORDED}`,
    `Date: ${r.examDate ?? NOT_RECORDED}; technologist ${r.technologist ?? NOT_RECORDED}; physician ${r.physician ?? NOT_RECORDED}`,
  ];
}

function codesLine(l: ReportLesion): string {
  const all = [l.codes.laterality, l.codes.location, l.codes.depth, ...l.codes.procedure].filter((c): c is Coded => !!c);
  return `${l.label}: ${all.map((c) => `${c.scheme} ${c.code} ${c.meaning}`).join('; ') || 'none listed'}`;
}

export function reportText(r: ProcedureReport): string {
  let s = `${r.title.toUpperCase()}${r.id ? ` (${r.id})` : ''}\n`;
  for (const line of header(r)) s += `  ${line}\n`;
  for (const sec of r.sections) {
    s += `\n${sec.heading}\n`;
    for (const line of sec.lines) s += `  ${line}\n`;
  }
  s += `\nCodes (DICOM context groups)\n${r.lesions.map((l) => `  ${codesLine(l)}\n`).join('')}`;
  s += `\nACR section VI: ${r.completeness.complete ? 'documentation complete' : `${r.completeness.missing.length} item(s) missing`} (${r.completeness.checked.length} checked${r.completeness.notApplicable.length ? `, ${r.completeness.notApplicable.join(', ')} not applicable` : ''})\n`;
  for (const m of r.completeness.missing) s += `  MISSING ${m.id}: ${m.requirement} [${m.missingFields.join(', ')}]\n`;
  return s + '\n' + findingsText(r.findings);
}

/** Escaped text with "not recorded" and "NOT ..." marked for the eye. */
const mark = (s: string): string => esc(s).replace(/not recorded/g, '<span class="missing-value">not recorded</span>').replace(/\b(NOT|NO)\b/g, '<strong class="missing-value">$1</strong>');
const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** A self-contained HTML page (no scripts, no external resources). */
export function reportHtml(r: ProcedureReport): string {
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('\n');
  const codes = r.lesions.flatMap((l) => [l.codes.laterality, l.codes.location, l.codes.depth, ...l.codes.procedure]
    .filter((c): c is Coded => !!c).map((c) => [l.label, c.scheme, c.code, c.meaning, c.cid]));
  const missing = r.completeness.missing;
  const sev = (f: Finding) => `<li class="${f.severity}"><b>${esc(f.severity.toUpperCase())}</b> <code>${esc(f.code)}</code> ${esc(f.message)}</li>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:14px;color:#1d2330;max-width:860px;margin:24px auto;padding:0 20px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;border-bottom:1px solid #c8ccd4;padding-bottom:3px;margin-top:22px}
.meta{color:#444;line-height:1.5}.missing-value{color:#a33}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #d5d8de;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f2f5}
.status{padding:8px 10px;border-radius:4px;margin-top:8px}.ok{background:#e5f4e8;border:1px solid #7bbf8a}.bad{background:#fbe9e9;border:1px solid #d98080}
li.error{color:#8a1c1c}li.warning{color:#7a5200}li.info{color:#2c4a7a}code{font-size:12px}
</style></head><body>
<h1>${esc(r.title)}</h1>
<div class="meta">${header(r).map(mark).join('<br>')}</div>
${r.sections.map((sec) => `<h2>${esc(sec.heading)}</h2>\n${sec.lines.map((l) => `<p>${mark(l)}</p>`).join('\n')}`).join('\n')}
<h2>Codes</h2>
<table><tr><th>lesion</th><th>scheme</th><th>code</th><th>meaning</th><th>listed in</th></tr>
${rows(codes)}</table>
<h2>ACR section VI documentation</h2>
<div class="status ${missing.length ? 'bad' : 'ok'}">${missing.length ? `${missing.length} item(s) missing of ${r.completeness.checked.length} checked` : `Documentation complete: all ${r.completeness.checked.length} applicable items present`}</div>
${missing.length ? `<table><tr><th>item</th><th>requirement</th><th>missing fields</th></tr>\n${rows(missing.map((m) => [m.id, m.requirement, m.alternatives.map((a) => a.join(', ')).join(' or ')]))}</table>` : ''}
<h2>Findings</h2>
${r.findings.length ? `<ul>${r.findings.map(sev).join('\n')}</ul>` : '<p>None.</p>'}
<p class="meta" style="font-size:11px">Items per ${esc(ACR_DOCUMENTATION_SOURCE)}. Codes only where a DICOM context group lists them.</p>
</body></html>
`;
}
