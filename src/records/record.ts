/**
 * The procedure record that the report and the coding read: who, where, when, each
 * lesion (side, guidance, location, approach, device), the technique, the checks
 * after placement, and optionally results of `target`, `plan` and `margins`.
 * Everything but the lesions is optional: what is missing is reported as missing,
 * never filled in (no patient identifier is ever made up).
 */
import { Checker, type Path, type Plain } from '../core/validate.js';
import type { Finding, Severity } from '../core/findings.js';
import { checkDate, isoDate } from '../plan/dates.js';
import { LATERALITIES, optionalText, type Laterality } from './common.js';
import conventions from './ultrasound.json' with { type: 'json' };

export const GUIDANCES = ['mammographic', 'stereotactic', 'tomosynthesis', 'ultrasound', 'mri'] as const;
export type RecordGuidance = (typeof GUIDANCES)[number];
export const PROCEDURES = ['localization', 'biopsy'] as const;
export type RecordProcedure = (typeof PROCEDURES)[number];
export const REGIONS = ['subareolar', 'central', 'axillary-tail'] as const;

export interface LesionLocation {
  clock?: number;
  distanceCm?: number;
  depthThird?: 'anterior' | 'middle' | 'posterior';
  region?: (typeof REGIONS)[number];
  text?: string;
}

export interface RecordLesion {
  label: string;
  site: 'breast' | 'axilla';
  laterality?: Laterality;
  procedure: RecordProcedure;
  guidance?: RecordGuidance;
  description?: string;
  location?: LesionLocation;
  approach?: string;
  device?: string;
  deviceCount?: number;
  views?: string[];
  transducerOrientation?: string;
}

/** The parts of another command's result the report shows (other fields are ignored). */
export interface EmbeddedResult {
  kind: 'targeting' | 'plan' | 'margins';
  numbers: Record<string, number | string>;
  findings: { code: string; severity: Severity; message: string }[];
}

export interface ProcedureRecord {
  id?: string;
  patient?: { givenName?: string; familyName?: string; id?: string; birthDate?: string };
  facility?: { name?: string; location?: string };
  examDate?: string;
  technologist?: string;
  physician?: string;
  timeOut?: boolean;
  anaesthesia?: { none?: true; agent?: string; volumeMl?: number };
  incision?: { made: boolean; lengthMm?: number };
  lesions: RecordLesion[];
  postProcedureMammogram?: { done: boolean; views?: string[]; accurate?: boolean; deviceCount?: number; relation?: string };
  complications?: { description: string; treatment?: string }[];
  specimenImaging?: { done?: boolean; separateReport?: boolean; targetRemoved?: boolean; deviceRemoved?: boolean };
  results: EmbeddedResult[];
}

const RECORD_FIELDS = ['id', 'patient', 'facility', 'examDate', 'technologist', 'physician', 'timeOut', 'anaesthesia', 'incision', 'lesions',
  'postProcedureMammogram', 'complications', 'specimenImaging', 'targeting', 'plan', 'margins'];
const LESION_FIELDS = ['label', 'site', 'laterality', 'procedure', 'guidance', 'description', 'location', 'approach', 'device', 'deviceCount', 'views', 'transducerOrientation'];

function strings(c: Checker, v: unknown, path: Path): string[] | undefined {
  const a = c.array(v, path, 1, 20);
  const out = a?.map((s, i) => c.string(s, [...path, i], 40));
  return out && out.every((s) => s !== undefined) ? (out as string[]) : undefined;
}

function checkLocation(c: Checker, v: unknown, path: Path): LesionLocation | undefined {
  const o = c.object(v, path, ['clock', 'distanceCm', 'depthThird', 'region', 'text']);
  if (!o) return undefined;
  const out: LesionLocation = {};
  if (o.clock !== undefined) out.clock = c.integer(o.clock, [...path, 'clock'], { min: 1, max: 12 });
  if (o.distanceCm !== undefined) out.distanceCm = c.number(o.distanceCm, [...path, 'distanceCm'], { min: 0, max: 30 }, 'cm');
  if (o.depthThird !== undefined) out.depthThird = c.oneOf(o.depthThird, [...path, 'depthThird'], ['anterior', 'middle', 'posterior'] as const);
  if (o.region !== undefined) out.region = c.oneOf(o.region, [...path, 'region'], REGIONS);
  if (o.clock !== undefined && o.region !== undefined) c.add('invalid_value', [...path, 'region'], 'a clock hour or a region, not both', o.region);
  const text = optionalText(c, o, 'text', path);
  if (text !== undefined) out.text = text;
  return out;
}

function checkLesion(c: Checker, v: unknown, path: Path, i: number): RecordLesion | undefined {
  const o = c.object(v, path, LESION_FIELDS);
  if (!o) return undefined;
  const at = (k: string): Path => [...path, k];
  const lesion: RecordLesion = {
    label: o.label === undefined ? String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '') : c.string(o.label, at('label'), 40) ?? '',
    site: o.site === undefined ? 'breast' : c.oneOf(o.site, at('site'), ['breast', 'axilla'] as const) ?? 'breast',
    procedure: o.procedure === undefined ? 'localization' : c.oneOf(o.procedure, at('procedure'), PROCEDURES) ?? 'localization',
  };
  if (o.laterality !== undefined) lesion.laterality = c.oneOf(o.laterality, at('laterality'), LATERALITIES);
  if (o.guidance !== undefined) lesion.guidance = c.oneOf(o.guidance, at('guidance'), GUIDANCES);
  for (const k of ['description', 'approach', 'device'] as const) {
    const s = optionalText(c, o, k, path);
    if (s !== undefined) lesion[k] = s;
  }
  if (o.location !== undefined) lesion.location = checkLocation(c, o.location, at('location'));
  if (o.deviceCount !== undefined) lesion.deviceCount = c.integer(o.deviceCount, at('deviceCount'), { min: 1, max: 20 });
  if (o.views !== undefined) lesion.views = strings(c, o.views, at('views'));
  if (o.transducerOrientation !== undefined) lesion.transducerOrientation = c.oneOf(o.transducerOrientation, at('transducerOrientation'), conventions.transducerOrientations);
  return lesion;
}

const get = (o: Plain, ...keys: string[]): unknown => {
  let v: unknown = o;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Plain)[k];
  }
  return v;
};

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/**
 * Another command's result: an object whose findings are `{ code, severity, message }`
 * and whose named numbers are finite. Other fields are the other command's business.
 */
function checkEmbedded(c: Checker, v: unknown, kind: EmbeddedResult['kind'], numbers: Record<string, string[]>, strings: Record<string, string[]> = {}): EmbeddedResult | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return c.add('invalid_type', [kind], `the JSON result of stereotax ${kind === 'targeting' ? 'target' : kind}`, v);
  const o = v as Plain;
  const picked: Record<string, number | string> = {};
  for (const [name, keys] of Object.entries(numbers)) {
    const x = get(o, ...keys);
    const n = x === undefined ? undefined : c.number(x, [kind, ...keys]);
    if (n !== undefined) picked[name] = n;
  }
  for (const [name, keys] of Object.entries(strings)) {
    const x = get(o, ...keys);
    const t = x === undefined ? undefined : c.string(x, [kind, ...keys], 80);
    if (t !== undefined) picked[name] = t;
  }
  const findings: EmbeddedResult['findings'] = [];
  c.array(o.findings, [kind, 'findings'], 0, 1000)?.forEach((f, i) => {
    const p: Path = [kind, 'findings', i];
    if (f === null || typeof f !== 'object') return c.add('invalid_type', p, 'a finding { code, severity, message }', f);
    const g = f as Plain;
    const code = c.string(g.code, [...p, 'code'], 80);
    const severity = c.oneOf(g.severity, [...p, 'severity'], SEVERITIES);
    const message = c.string(g.message, [...p, 'message'], 2000);
    if (code !== undefined && severity && message !== undefined) findings.push({ code, severity, message });
  });
  return { kind, numbers: picked, findings };
}

export function parseProcedureRecord(value: unknown): ProcedureRecord {
  const c = new Checker();
  const o = c.object(value, [], RECORD_FIELDS, ['lesions']);
  c.done();
  const r = o as Plain;
  const rec: ProcedureRecord = { lesions: [], results: [] };
  if (r.id !== undefined) rec.id = c.string(r.id, ['id'], 120);
  if (r.patient !== undefined) {
    const p = c.object(r.patient, ['patient'], ['givenName', 'familyName', 'id', 'birthDate']);
    if (p) {
      rec.patient = {};
      for (const k of ['givenName', 'familyName', 'id'] as const) {
        const s = optionalText(c, p, k, ['patient'], 120);
        if (s !== undefined) rec.patient[k] = s;
      }
      if (p.birthDate !== undefined) {
        const d = checkDate(c, p.birthDate, ['patient', 'birthDate']);
        if (d !== undefined) rec.patient.birthDate = isoDate(d);
      }
    }
  }
  if (r.facility !== undefined) {
    const f = c.object(r.facility, ['facility'], ['name', 'location']);
    if (f) {
      rec.facility = {};
      for (const k of ['name', 'location'] as const) {
        const s = optionalText(c, f, k, ['facility'], 200);
        if (s !== undefined) rec.facility[k] = s;
      }
    }
  }
  if (r.examDate !== undefined) {
    const d = checkDate(c, r.examDate, ['examDate']);
    if (d !== undefined) rec.examDate = isoDate(d);
  }
  for (const k of ['technologist', 'physician'] as const) {
    const s = optionalText(c, r, k, [], 120);
    if (s !== undefined) rec[k] = s;
  }
  if (r.timeOut !== undefined) rec.timeOut = c.boolean(r.timeOut, ['timeOut']);
  if (r.anaesthesia !== undefined) {
    const a = c.object(r.anaesthesia, ['anaesthesia'], ['none', 'agent', 'volumeMl']);
    if (a) {
      if (a.none !== undefined) {
        if (a.none !== true) c.add('invalid_value', ['anaesthesia', 'none'], 'true (no local anaesthesia was given)', a.none);
        if (a.agent !== undefined || a.volumeMl !== undefined) c.add('invalid_value', ['anaesthesia', 'none'], 'either none: true or agent and volumeMl', a.none);
        rec.anaesthesia = { none: true };
      } else {
        rec.anaesthesia = {};
        const agent = optionalText(c, a, 'agent', ['anaesthesia'], 120);
        if (agent !== undefined) rec.anaesthesia.agent = agent;
        if (a.volumeMl !== undefined) rec.anaesthesia.volumeMl = c.number(a.volumeMl, ['anaesthesia', 'volumeMl'], { above: 0, max: 100 }, 'ml');
      }
    }
  }
  if (r.incision !== undefined) {
    const i = c.object(r.incision, ['incision'], ['made', 'lengthMm'], ['made']);
    const made = i && c.boolean(i.made, ['incision', 'made']);
    if (made !== undefined) {
      rec.incision = { made };
      if (i!.lengthMm !== undefined) {
        if (!made) c.add('invalid_value', ['incision', 'lengthMm'], 'no length when no incision was made', i!.lengthMm);
        else rec.incision.lengthMm = c.length(i!.lengthMm, ['incision', 'lengthMm'], { above: 0, max: 100 });
      }
    }
  }
  c.array(r.lesions, ['lesions'], 1, 20)?.forEach((l, i) => {
    const lesion = checkLesion(c, l, ['lesions', i], i);
    if (lesion) rec.lesions.push(lesion);
  });
  const labels = new Set<string>();
  rec.lesions.forEach((l, i) => {
    if (labels.has(l.label)) c.add('duplicate_value', ['lesions', i, 'label'], 'a label used once', l.label);
    labels.add(l.label);
  });
  if (r.postProcedureMammogram !== undefined) {
    const path = ['postProcedureMammogram'];
    const m = c.object(r.postProcedureMammogram, path, ['done', 'views', 'accurate', 'deviceCount', 'relation'], ['done']);
    const done = m && c.boolean(m.done, [...path, 'done']);
    if (m && done !== undefined) {
      rec.postProcedureMammogram = { done };
      if (!done) for (const k of ['views', 'accurate', 'deviceCount', 'relation']) if (m[k] !== undefined) c.add('invalid_value', [...path, k], 'nothing else when done is false', m[k]);
      if (m.views !== undefined) rec.postProcedureMammogram.views = strings(c, m.views, [...path, 'views']);
      if (m.accurate !== undefined) rec.postProcedureMammogram.accurate = c.boolean(m.accurate, [...path, 'accurate']);
      if (m.deviceCount !== undefined) rec.postProcedureMammogram.deviceCount = c.integer(m.deviceCount, [...path, 'deviceCount'], { min: 0, max: 20 });
      const rel = optionalText(c, m, 'relation', path);
      if (rel !== undefined) rec.postProcedureMammogram.relation = rel;
    }
  }
  if (r.complications !== undefined) {
    rec.complications = [];
    c.array(r.complications, ['complications'], 0, 20)?.forEach((x, i) => {
      const p = ['complications', i];
      const o2 = c.object(x, p, ['description', 'treatment'], ['description']);
      const description = o2 && c.string(o2.description, [...p, 'description'], 400);
      const treatment = o2 && optionalText(c, o2, 'treatment', p);
      if (description !== undefined) rec.complications!.push({ description, ...(treatment !== undefined ? { treatment } : {}) });
    });
  }
  if (r.specimenImaging !== undefined) {
    const s = c.object(r.specimenImaging, ['specimenImaging'], ['done', 'separateReport', 'targetRemoved', 'deviceRemoved']);
    if (s) {
      rec.specimenImaging = {};
      for (const k of ['done', 'separateReport', 'targetRemoved', 'deviceRemoved'] as const) {
        if (s[k] !== undefined) rec.specimenImaging[k] = c.boolean(s[k], ['specimenImaging', k]);
      }
    }
  }
  if (r.targeting !== undefined) {
    const e = checkEmbedded(c, r.targeting, 'targeting', {
      x: ['target', 'x'], y: ['target', 'y'], z: ['target', 'z'], depthFromSkin: ['depthFromSkin'], rayGap: ['rayGap'], strokeMargin: ['needle', 'strokeMargin'],
    });
    if (e) rec.results.push(e);
  }
  if (r.plan !== undefined) {
    const e = checkEmbedded(c, r.plan, 'plan', { strokeMargin: ['needle', 'strokeMargin'] }, { approach: ['needle', 'approach'] });
    if (e) rec.results.push(e);
  }
  if (r.margins !== undefined) {
    const e = checkEmbedded(c, r.margins, 'margins', { closestMargin: ['closestMargin'] }, { closestName: ['closestName'], status: ['status'] });
    if (e) rec.results.push(e);
  }
  c.done();
  return rec;
}

/** Findings of the embedded results, with their origin in the path. */
export function embeddedFindings(rec: ProcedureRecord): Finding[] {
  return rec.results.flatMap((r) => r.findings.map((f, i) => ({ ...f, path: `${r.kind}.findings[${i}]`, message: `${r.kind}: ${f.message}` })));
}
