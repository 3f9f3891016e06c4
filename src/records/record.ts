/**
 * The procedure record that the report and the coding read: who, where, when, each
 * lesion (side, guidance, location, approach, device), the technique, the checks
 * after placement, and optionally results of `target`, `plan` and `margins`.
 * Everything but the lesions is optional: what is missing is reported as missing,
 * never filled in (no patient identifier is ever made up).
 */
import { Checker, type Path, type Plain } from '../core/validate.js';
import type { Finding, Severity } from '../core/findings.js';
import { isoDate } from '../plan/dates.js';
import type { Laterality } from './common.js';
import { field, fields, items, requestObject, snapshot } from './fields.js';
import {
  EMBEDDED_LIMITS, GUIDANCES, LesionLocation as LesionLocationSchema, PROCEDURES, ProcedureRecord as ProcedureRecordSchema, RecordLesion as RecordLesionSchema, REGIONS, SEVERITIES,
} from './schema.js';

export { GUIDANCES, PROCEDURES, REGIONS };
export type RecordGuidance = (typeof GUIDANCES)[number];
export type RecordProcedure = (typeof PROCEDURES)[number];

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

const L = RecordLesionSchema;

function checkLocation(c: Checker, v: unknown, path: Path): LesionLocation | undefined {
  const S = LesionLocationSchema;
  const o = snapshot(c, S, v, path);
  if (!o) return undefined;
  const out: LesionLocation = fields(c, S, o, path, ['clock', 'distanceCm', 'depthThird', 'region']);
  if (o.clock !== undefined && o.region !== undefined) c.add('invalid_value', [...path, 'region'], 'a clock hour or a region, not both', o.region);
  const text = field(c, S, o, 'text', path);
  if (text !== undefined) out.text = text;
  return out;
}

function checkLesion(c: Checker, v: unknown, path: Path, i: number): RecordLesion | undefined {
  const o = snapshot(c, L, v, path);
  if (!o) return undefined;
  const lesion: RecordLesion = {
    label: o.label === undefined ? String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '') : field(c, L, o, 'label', path) ?? '',
    site: field(c, L, o, 'site', path) ?? 'breast',
    procedure: field(c, L, o, 'procedure', path) ?? 'localization',
  };
  Object.assign(lesion, fields(c, L, o, path, ['laterality', 'guidance', 'description', 'approach', 'device']));
  if (o.location !== undefined) lesion.location = checkLocation(c, o.location, [...path, 'location']);
  Object.assign(lesion, fields(c, L, o, path, ['deviceCount', 'views', 'transducerOrientation']));
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

/**
 * Another command's result: an object whose findings are `{ code, severity, message }`
 * and whose named numbers are finite. Other fields are the other command's business
 * (schema.ts's Embedded* publish it so; the limits are its EMBEDDED_LIMITS).
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
    const t = x === undefined ? undefined : c.string(x, [kind, ...keys], EMBEDDED_LIMITS.text);
    if (t !== undefined) picked[name] = t;
  }
  const findings: EmbeddedResult['findings'] = [];
  c.array(o.findings, [kind, 'findings'], 0, EMBEDDED_LIMITS.findings)?.forEach((f, i) => {
    const p: Path = [kind, 'findings', i];
    if (f === null || typeof f !== 'object') return c.add('invalid_type', p, 'a finding { code, severity, message }', f);
    const g = f as Plain;
    const code = c.string(g.code, [...p, 'code'], EMBEDDED_LIMITS.code);
    const severity = c.oneOf(g.severity, [...p, 'severity'], SEVERITIES);
    const message = c.string(g.message, [...p, 'message'], EMBEDDED_LIMITS.message);
    if (code !== undefined && severity && message !== undefined) findings.push({ code, severity, message });
  });
  return { kind, numbers: picked, findings };
}

/** A procedure record checked against its definition (schema.ts), with the rules between its fields. */
export function parseProcedureRecord(value: unknown): ProcedureRecord {
  const S = ProcedureRecordSchema;
  const c = new Checker();
  const r = requestObject(c, S, value);
  const rec: ProcedureRecord = { lesions: [], results: [] };
  const { id, patient, facility, examDate, technologist, physician, timeOut } = fields(c, S, r, [], ['id', 'patient', 'facility', 'examDate', 'technologist', 'physician', 'timeOut']);
  if (id !== undefined) rec.id = id;
  if (patient) {
    const { birthDate, ...names } = patient;
    rec.patient = { ...names, ...(birthDate !== undefined ? { birthDate: isoDate(birthDate) } : {}) };
  }
  if (facility) rec.facility = { ...facility };
  if (examDate !== undefined) rec.examDate = isoDate(examDate);
  if (technologist !== undefined) rec.technologist = technologist;
  if (physician !== undefined) rec.physician = physician;
  if (timeOut !== undefined) rec.timeOut = timeOut;
  if (r.anaesthesia !== undefined) {
    const A = S.properties.anaesthesia;
    const a = snapshot(c, A, r.anaesthesia, ['anaesthesia']);
    if (a) {
      if (a.none !== undefined) {
        if (a.none !== true) c.add('invalid_value', ['anaesthesia', 'none'], 'true (no local anaesthesia was given)', a.none);
        if (a.agent !== undefined || a.volumeMl !== undefined) c.add('invalid_value', ['anaesthesia', 'none'], 'either none: true or agent and volumeMl', a.none);
        rec.anaesthesia = { none: true };
      } else rec.anaesthesia = fields(c, A, a, ['anaesthesia'], ['agent', 'volumeMl']);
    }
  }
  if (r.incision !== undefined) {
    const I = S.properties.incision;
    const i = snapshot(c, I, r.incision, ['incision']);
    const made = i && field(c, I, i, 'made', ['incision']);
    if (made !== undefined) {
      rec.incision = { made };
      if (i!.lengthMm !== undefined) {
        if (!made) c.add('invalid_value', ['incision', 'lengthMm'], 'no length when no incision was made', i!.lengthMm);
        else rec.incision.lengthMm = field(c, I, i!, 'lengthMm', ['incision']);
      }
    }
  }
  items(c, S.properties.lesions, r.lesions, ['lesions'], (l, path, i) => {
    const lesion = checkLesion(c, l, path, i);
    if (lesion) rec.lesions.push(lesion);
  });
  const labels = new Set<string>();
  rec.lesions.forEach((l, i) => {
    if (labels.has(l.label)) c.add('duplicate_value', ['lesions', i, 'label'], 'a label used once', l.label);
    labels.add(l.label);
  });
  if (r.postProcedureMammogram !== undefined) {
    const M = S.properties.postProcedureMammogram;
    const path = ['postProcedureMammogram'];
    const m = snapshot(c, M, r.postProcedureMammogram, path);
    const done = m && field(c, M, m, 'done', path);
    if (m && done !== undefined) {
      if (!done) for (const k of ['views', 'accurate', 'deviceCount', 'relation']) if (m[k] !== undefined) c.add('invalid_value', [...path, k], 'nothing else when done is false', m[k]);
      rec.postProcedureMammogram = { done, ...fields(c, M, m, path, ['views', 'accurate', 'deviceCount', 'relation']) };
    }
  }
  const { complications, specimenImaging } = fields(c, S, r, [], ['complications', 'specimenImaging']);
  if (complications) rec.complications = complications.map((x) => ({ ...x }));
  if (specimenImaging) rec.specimenImaging = { ...specimenImaging };
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
