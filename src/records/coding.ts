/**
 * CPT coding of a procedure record: localization devices by guidance (19281-19288),
 * image-guided biopsy (19081-19086, 19499 for tomosynthesis alone), first lesion and
 * each additional lesion per guidance, LT/RT. Codes and rules are data (coding.json)
 * with source and year; what has no source is not coded and says so.
 */
import { findingsText, type Finding } from '../core/findings.js';
import { parseProcedureRecord, type ProcedureRecord, type RecordGuidance, type RecordProcedure } from './record.js';
import table from './coding.json' with { type: 'json' };

export interface CptCode {
  code: string;
  kind: RecordProcedure;
  guidance: RecordGuidance;
  lesion: 'first' | 'additional' | 'each';
  addOnTo?: string;
  descriptor: string;
  source: string;
  year: number;
}

export interface CodingRule {
  id: string;
  rule: string;
  source: string;
  year: number;
}

export interface CodedLine {
  code: string;
  modifiers: string[];
  lesion: string;
  addOn: boolean;
  descriptor: string;
  rules: string[];
  source: string;
  year: number;
}

export interface CodingResult {
  id?: string;
  lines: CodedLine[];
  notes: string[];
  rules: CodingRule[];
  warning: string;
  findings: Finding[];
}

export const CPT_CODES: readonly CptCode[] = table.codes as CptCode[];
export const CODING_RULES: readonly CodingRule[] = table.rules;
export const CODING_NOT_SHIPPED = table.notShipped;
export const CODING_WARNING = table.warning;

const rule = (id: string): CodingRule => CODING_RULES.find((r) => r.id === id)!;

export function codeRecord(rec: ProcedureRecord): CodingResult {
  const lines: CodedLine[] = [];
  const notes: string[] = [];
  const findings: Finding[] = [];
  const used = new Set<string>(['laterality-modifier']);
  const seen = new Map<string, string[]>(); // kind/guidance -> lateralities coded so far
  rec.lesions.forEach((l, i) => {
    const path = `lesions[${i}]`;
    if (l.site === 'axilla') {
      findings.push({ code: 'no_sourced_code', severity: 'warning', path: `${path}.site`, message: `Lesion ${l.label} is axillary: no sourced rule says which code applies; not coded.` });
      return;
    }
    if (!l.guidance) {
      findings.push({ code: 'guidance_missing', severity: 'warning', path: `${path}.guidance`, message: `Lesion ${l.label} has no guidance: the code depends on it; not coded.` });
      return;
    }
    const key = `${l.procedure}/${l.guidance}`;
    const before = seen.get(key) ?? [];
    const candidates = CPT_CODES.filter((c) => c.kind === l.procedure && c.guidance === l.guidance);
    if (!candidates.length) {
      findings.push({ code: 'no_sourced_code', severity: 'warning', path: `${path}.guidance`, message: `No sourced code for ${l.procedure} under ${l.guidance} guidance (lesion ${l.label}); not coded.` });
      return;
    }
    const want = candidates.some((c) => c.lesion === 'each') ? 'each' : before.length ? 'additional' : 'first';
    const code = candidates.find((c) => c.lesion === want)!;
    const rules = ['laterality-modifier'];
    if (want !== 'each') rules.unshift('first-then-additional');
    else rules.unshift('tomosynthesis-biopsy-unlisted');
    if (l.procedure === 'biopsy' && want !== 'each') rules.push('biopsy-includes-clip-and-specimen-imaging');
    rules.forEach((r) => used.add(r));
    const modifiers: string[] = [];
    if (l.laterality) modifiers.push(l.laterality === 'left' ? 'LT' : 'RT');
    else findings.push({ code: 'laterality_missing', severity: 'warning', path: `${path}.laterality`, message: `Lesion ${l.label} has no side: the LT/RT modifier is left off.` });
    if (l.laterality && before.length && !before.includes(l.laterality)) {
      findings.push({ code: 'bilateral_same_guidance', severity: 'warning', path: `${path}.laterality`,
        message: `Lesions in both breasts under ${l.guidance} guidance: coded as first and additional lesions with LT/RT; no sourced rule covers this, the coder decides.` });
    }
    seen.set(key, [...before, l.laterality ?? '']);
    lines.push({ code: code.code, modifiers, lesion: l.label, addOn: !!code.addOnTo, descriptor: code.descriptor, rules, source: code.source, year: code.year });
  });
  if (rec.lesions.some((l) => l.procedure === 'biopsy' && l.guidance && l.guidance !== 'tomosynthesis')) {
    notes.push('Clip placement and specimen imaging in the same session are included in the biopsy codes: not coded again.');
  }
  const m = rec.postProcedureMammogram;
  if (m?.done && rec.lesions.some((l) => l.procedure === 'localization')) {
    used.add('post-procedure-mammogram');
    const mammographic = rec.lesions.some((l) => l.procedure === 'localization' && l.guidance === 'mammographic');
    const other = rec.lesions.some((l) => l.procedure === 'localization' && l.guidance && ['stereotactic', 'ultrasound', 'mri'].includes(l.guidance));
    if (mammographic) notes.push('Post-procedure mammogram after mammographically guided localization: not reported separately.');
    if (other) notes.push('Post-procedure mammogram after stereotactic, ultrasound or MRI guidance: may be reported separately (the coder chooses the mammography code).');
  }
  findings.push({ code: 'coder_must_confirm', severity: 'info', message: CODING_WARNING });
  return {
    ...(rec.id !== undefined ? { id: rec.id } : {}),
    lines, notes,
    rules: CODING_RULES.filter((r) => used.has(r.id)).map((r) => rule(r.id)),
    warning: CODING_WARNING,
    findings,
  };
}

export function coding(record: unknown): CodingResult {
  return codeRecord(parseProcedureRecord(record));
}

export function codingText(r: CodingResult): string {
  let s = `stereotax coding${r.id ? ` ${r.id}` : ''}\n  ${r.warning}\n`;
  for (const l of r.lines) s += `  ${(l.addOn ? '+' : ' ') + l.code}${l.modifiers.length ? '-' + l.modifiers.join('-') : ''}`.padEnd(14) + `lesion ${l.lesion}: ${l.descriptor} [${l.source}, ${l.year}]\n`;
  if (!r.lines.length) s += '  (no code)\n';
  for (const n of r.notes) s += `  note: ${n}\n`;
  return s + findingsText(r.findings);
}
