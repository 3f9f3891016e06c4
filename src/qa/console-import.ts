/**
 * The console's Calculated Target Positions imported from a file: CSV (one row per
 * target: label, x, y, z; an optional header row naming those columns) or JSON
 * (`[{ label, x, y, z }]`, `[{ target, console: [x, y, z] }]` or `{ LABEL: [x, y, z] }`),
 * merged into a session's measurements by target label.
 */
import { StereotaxError, makeIssue, type Issue } from '../core/errors.js';
import { Checker, describeRange, parseJson, type Plain } from '../core/validate.js';
import { POSITION_RANGE as POSITION } from './schema.js';
import { checkPoint } from './session.js';
import type { Vec3 } from '../targeting/geometry.js';
import { toTuple3, toVec3, type Tuple3 } from '../core/vec3.js';

export interface ConsoleRow {
  label: string;
  console: Vec3;
}

const HEADER_NAMES: Record<string, 'label' | 'x' | 'y' | 'z'> = {
  label: 'label', target: 'label', name: 'label', x: 'x', y: 'y', z: 'z',
};

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === ';' || ch === '\t') { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Parses the CSV text; `source` names the file in messages. Paths are `console.csv[LINE].x` (1-based lines). */
export function parseConsoleCsv(text: string, source = 'console.csv'): ConsoleRow[] {
  const issues: Issue[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let order: ('label' | 'x' | 'y' | 'z')[] = ['label', 'x', 'y', 'z'];
  const rows: ConsoleRow[] = [];
  const seen = new Map<string, number>();
  let first = true;
  lines.forEach((raw, k) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = splitCsvLine(line);
    const lineNo = k + 1;
    if (first) {
      first = false;
      const names = cells.map((c) => HEADER_NAMES[c.toLowerCase().replace(/^console[ _]?/, '').replace(/\s*\(mm\)$/, '')]);
      if (cells.length >= 2 && Number.isNaN(Number(cells[1]))) {
        if (cells.length !== 4 || names.some((n) => !n) || new Set(names).size !== 4) {
          issues.push(makeIssue('invalid_value', [source, lineNo], 'a header naming label, x, y and z', line));
        } else order = names as typeof order;
        return;
      }
    }
    if (cells.length !== 4) {
      issues.push(makeIssue(cells.length < 4 ? 'too_few_items' : 'too_many_items', [source, lineNo], '4 columns: label, x, y, z', `${cells.length} columns`));
      return;
    }
    const rec: Partial<Record<'label' | 'x' | 'y' | 'z', string>> = {};
    order.forEach((name, i) => (rec[name] = cells[i]));
    const label = rec.label ?? '';
    if (!label) issues.push(makeIssue('missing_field', [source, lineNo, 'label'], 'a target label', ''));
    const xyz: number[] = [];
    for (const a of ['x', 'y', 'z'] as const) {
      const s = rec[a] ?? '';
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) issues.push(makeIssue(s === '' ? 'missing_field' : 'not_finite', [source, lineNo, a], 'a finite number in mm', s));
      else if (v < POSITION.min! || v > POSITION.max!) issues.push(makeIssue('out_of_range', [source, lineNo, a], describeRange(POSITION, 'mm'), v));
      xyz.push(v);
    }
    if (label && seen.has(label)) issues.push(makeIssue('duplicate_value', [source, lineNo, 'label'], `a label not already given (line ${seen.get(label)})`, label));
    if (label) seen.set(label, lineNo);
    rows.push({ label, console: toVec3(xyz as Tuple3) });
  });
  if (!issues.length && !rows.length) issues.push(makeIssue('too_few_items', [source], 'at least one row: label, x, y, z', 'no rows'));
  if (issues.length) throw new StereotaxError(issues);
  return rows;
}

/** JSON forms: `[{ label, x, y, z }]`, `[{ target, console }]`, or `{ LABEL: [x, y, z] }`. */
export function parseConsoleJson(value: unknown, source = 'console.json'): ConsoleRow[] {
  const c = new Checker();
  const rows: ConsoleRow[] = [];
  const seen = new Set<string>();
  const push = (label: string | undefined, p: Vec3 | undefined, path: (string | number)[]) => {
    if (label === undefined || !p) return;
    if (seen.has(label)) c.add('duplicate_value', [...path], 'a label given once', label);
    seen.add(label);
    rows.push({ label, console: p });
  };
  if (Array.isArray(value)) {
    c.array(value, [source], 1, 500)?.forEach((item, i) => {
      const isPair = item !== null && typeof item === 'object' && 'console' in (item as Plain);
      const o = c.object(item, [source, i], isPair ? ['target', 'label', 'console'] : ['label', 'target', 'x', 'y', 'z'], isPair ? ['console'] : ['x', 'y', 'z']);
      if (!o) return;
      const lab = o.label ?? o.target;
      const label = lab === undefined ? c.add('missing_field', [source, i, 'label'], 'a target label', undefined) : c.string(lab, [source, i, 'label'], 64);
      push(label, isPair ? checkPoint(c, o.console, [source, i, 'console']) : checkPoint(c, { x: o.x, y: o.y, z: o.z }, [source, i]), [source, i, 'label']);
    });
  } else {
    const o = c.object(value, [source], Object.keys((value ?? {}) as object).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)));
    if (o) for (const [k, v] of Object.entries(o)) push(k, checkPoint(c, v, [source, k]), [source, k]);
    if (o && !rows.length) c.add('too_few_items', [source], 'at least one target', value);
  }
  c.done();
  return rows;
}

/** Parses a console file by its content (JSON when it starts with `[` or `{`, else CSV). */
export function parseConsoleFile(text: string, source: string): ConsoleRow[] {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  return t.startsWith('[') || t.startsWith('{') ? parseConsoleJson(parseJson(text, source), source) : parseConsoleCsv(text, source);
}

/**
 * Returns the session request with each row's console point set on the measurement
 * with that target (added when the session has none); a measurement that already
 * has a console point is a conflict (exit 2), never silently overwritten.
 */
export function mergeConsole(request: unknown, rows: readonly ConsoleRow[], source: string): unknown {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) return request;
  const req = { ...(request as Plain) };
  const list = Array.isArray(req.measurements) ? req.measurements.map((m) => (m && typeof m === 'object' ? { ...(m as Plain) } : m)) : [];
  const issues: Issue[] = [];
  for (const row of rows) {
    const at = list.findIndex((m) => m && typeof m === 'object' && (m as Plain).target === row.label);
    const point = toTuple3(row.console);
    if (at < 0) list.push({ target: row.label, console: point });
    else if ((list[at] as Plain).console !== undefined) {
      issues.push(makeIssue('duplicate_value', ['measurements', at, 'console'], `a console point given once (it is also in ${source})`, (list[at] as Plain).console));
    } else (list[at] as Plain).console = point;
  }
  if (issues.length) throw new StereotaxError(issues);
  req.measurements = list;
  return req;
}
