/**
 * `stereotax qa` (spec qa.md section 5): analyse a phantom session, store it, write
 * its report; `qa history`, `qa status`, `qa unit add` over the stored history.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineError, StereotaxError, makeIssue } from '../core/errors.js';
import { Checker, parseJson } from '../core/validate.js';
import { loadEngine } from '../engine/engine.js';
import { analyzeSession, qaText } from '../qa/analysis.js';
import { mergeConsole, parseConsoleFile } from '../qa/console-import.js';
import { renderSvg, trendSpec } from '../qa/figures.js';
import { unitHistory, unitStatus, checkStatusOptions, optionPaths, type HistoryReport, type StatusReport } from '../qa/history.js';
import { checkPhantoms, type Phantom } from '../qa/phantoms.js';
import { reportContent, reportHtml } from '../qa/report.js';
import { loadPdfParts, renderPdf } from '../qa/pdf.js';
import { parseSession, checkUnitId, utcToday } from '../qa/session.js';
import { checkDate } from '../plan/dates.js';
import { QAStore, sessionId } from '../qa/store.js';
import { writeAtomic } from '../qa/store.js';
import { escapeControls } from '../core/text.js';
import { EXIT, errorElement, readInput, type ExitCode, type Io } from './io.js';
import type { ArgvCommand } from './command.js';
import { qaImages } from './qa-images.js';

const USAGE = `Usage:
  stereotax qa FILE|- [--db D] [--report out.html] [--pdf out.pdf] [--console FILE.csv|json] [--phantoms FILE] [--text]
  stereotax qa history --db D --unit ID [--plots DIR] [--text]
  stereotax qa status --db D --as-of YYYY-MM-DD [--window-months 6] [--details] [--text]
  stereotax qa unit add --db D --id ID [--name NAME] [--site SITE]
  stereotax qa service add --db D --unit ID --date YYYY-MM-DD --text TEXT
D: an SQLite file (created on first use) or postgres://user@host:port/db
`;

function invalid(path: string, expected: string, received: unknown, message?: string): StereotaxError {
  const issue = makeIssue('invalid_value', [], expected, received, message);
  return new StereotaxError([{ ...issue, path, message: message ?? `${path}: expected ${expected}, received ${issue.received}` }]);
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(argv: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    throw invalid('argv', 'options as in the usage', argv.join(' '), `${(err as Error).message}\n${USAGE}`);
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new StereotaxError([{ ...makeIssue('missing_field', [], `--${name}`, undefined), path: `--${name}`, message: `--${name} is required\n${USAGE}` }]);
  return v;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(what, 'a readable file', path, `${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function userPhantoms(path: string | undefined): Promise<Phantom[]> {
  if (!path) return [];
  const c = new Checker();
  const list = checkPhantoms(c, parseJson(await readText(path, '--phantoms'), path), ['phantoms']);
  c.done();
  return list ?? [];
}

async function withStore<T>(db: string, write: boolean, fn: (s: QAStore) => Promise<T>): Promise<T> {
  const store = await QAStore.open(db, { write, create: write });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function analyse(argv: string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' }, report: { type: 'string' }, pdf: { type: 'string' }, text: { type: 'boolean' },
    console: { type: 'string' }, phantoms: { type: 'string' }, kernel: { type: 'string' },
  });
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw invalid('argv', 'one FILE or -', positionals[1], `unexpected argument ${JSON.stringify(positionals[1])}\n${USAGE}`);
  const kernel = (values.kernel as string | undefined) ?? 'auto';
  if (kernel !== 'auto' && kernel !== 'simd' && kernel !== 'scalar') throw invalid('--kernel', 'auto, simd or scalar', kernel);
  let request = await readInput(io, positionals[0]);
  if (Array.isArray(request)) throw invalid('request', 'one session (an object)', request, 'qa: give one session per run (an object, not an array): each session is stored and reported on its own');
  if (values.console) {
    const path = values.console as string;
    request = mergeConsole(request, parseConsoleFile(await readText(path, '--console'), path), path);
  }
  const session = parseSession(request, { phantoms: await userPhantoms(values.phantoms as string | undefined) });
  const db = values.db as string | undefined;
  // The PDF's packages are loaded first: one missing stops the run before anything is stored.
  if (values.pdf) await loadPdfParts();
  // The store is opened (and checked: missing directory, read-only, corrupt, duplicate)
  // before anything is computed or written.
  const store = db ? await QAStore.open(db, { write: true, create: true }) : undefined;
  try {
    if (store) await store.assertNotStored(session.request);
    const engine = await loadEngine({ kernel });
    const result = analyzeSession(engine, session);
    if (store) await store.addSession(session, result);
    if (values.report || values.pdf) {
      const history = store ? await store.sessions(session.unit.id) : undefined;
      const service = store ? await store.services(session.unit.id) : undefined;
      const content = await reportContent(result, { phantom: session.phantom, history, service, sessionId: sessionId(session.request) });
      if (values.report) await writeAtomic(values.report as string, new TextEncoder().encode(reportHtml(content)));
      if (values.pdf) {
        const pdf = await renderPdf(content);
        if (pdf.substituted.length) io.stderr(`stereotax qa: warning: the PDF's font has no glyph for ${pdf.substituted.join(', ')}; printed as U+FFFD (the finding pdf_character_substituted in the PDF says so)\n`);
        await writeAtomic(values.pdf as string, pdf.bytes);
      }
    }
    io.stdout(values.text ? qaText(result) : JSON.stringify(result, null, 2) + '\n');
    return result.passed ? EXIT.ok : EXIT.unsafe;
  } finally {
    await store?.close();
  }
}

export function historyText(h: HistoryReport): string {
  const lines = [`Unit ${h.unit.id}${h.unit.name ? ` (${h.unit.name})` : ''}${h.unit.site ? `, ${h.unit.site}` : ''}: ${h.sessions.length} session${h.sessions.length === 1 ? '' : 's'}`];
  lines.push('  date        result  max |localization error| x / y / z (mm)   tester');
  // Sessions and service actions in date order: a repair shows between the failure and its re-test.
  const rows: { date: string; order: number; line: string }[] = [];
  h.sessions.forEach((s, i) => {
    const m = s.maxLocalizationError;
    rows.push({ date: s.date, order: 2 * i, line: `  ${s.date}  ${(s.passed ? 'pass' : 'FAIL').padEnd(6)}  ${(m ? `${m.x.toFixed(2)} / ${m.y.toFixed(2)} / ${m.z.toFixed(2)}` : '(no needle check)').padEnd(36)}  ${s.tester ?? ''} (${s.kind})` });
  });
  h.service.forEach((e, i) => rows.push({ date: e.date, order: 2 * h.sessions.length + i, line: `  ${e.date}  SERVICE ${e.text}` }));
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order));
  lines.push(...rows.map((r) => r.line));
  for (const d of h.drift) lines.push(`  DRIFT   ${d.message}`);
  return lines.join('\n') + '\n';
}

async function history(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parse(argv, { db: { type: 'string' }, unit: { type: 'string' }, plots: { type: 'string' }, text: { type: 'boolean' } });
  const db = required(values, 'db');
  const unitId = required(values, 'unit');
  const h = await withStore(db, false, async (s) => unitHistory(await s.units(), await s.sessions(unitId), unitId, await s.services(unitId)));
  if (values.plots) {
    const dir = values.plots as string;
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${unitId.replace(/[^A-Za-z0-9._-]/g, '_')}-localization-trend.svg`);
    await writeFile(file, await renderSvg(trendSpec(unitId, h.sessions.map((x) => ({ ...x, unitId })))));
    if (!values.text) io.stderr(`qa history: wrote ${file}\n`);
  }
  io.stdout(values.text ? historyText(h) : JSON.stringify(h, null, 2) + '\n');
  return EXIT.ok;
}

export function statusText(s: StatusReport): string {
  const lines = [`Status as of ${s.asOf} (window ${s.windowMonths} months)`, '  unit            status        last session  last passed   name, site'];
  for (const u of s.units) {
    lines.push(`  ${u.id.padEnd(15)} ${u.status.padEnd(13)} ${(u.lastSession ?? '-').padEnd(12)}  ${(u.lastPassed ?? '-').padEnd(12)}  ${[u.name, u.site].filter(Boolean).join(', ')}`);
  }
  lines.push('', "  physicist's annual survey (physicist sessions only; due 14 months after the last passing one)", '  unit            status          last survey   due');
  for (const p of s.physicistSurvey) lines.push(`  ${p.id.padEnd(15)} ${p.status.padEnd(15)} ${(p.lastSurvey ?? '-').padEnd(12)}  ${p.due ?? '-'}`);
  for (const d of s.drift) lines.push(`  DRIFT   ${d.message}`);
  return lines.join('\n') + '\n';
}

async function status(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parse(argv, { db: { type: 'string' }, 'as-of': { type: 'string' }, 'window-months': { type: 'string' }, text: { type: 'boolean' }, details: { type: 'boolean' } });
  const db = required(values, 'db');
  const opts = checkStatusOptions(values['as-of'], values['window-months']);
  const report = await withStore(db, false, async (s) => unitStatus(await s.units(), await s.sessions(), opts.asOf, opts.windowMonths));
  // The JSON keeps the spec's shape { asOf, windowMonths, units }; --details adds the survey and drift
  // lists, and every warning is on stderr too, so a script reading stdout is not surprised.
  if (!values.text) {
    for (const d of report.drift) io.stderr(`stereotax qa status: warning: ${d.message}\n`);
    for (const p of report.physicistSurvey.filter((x) => x.status !== 'current')) {
      io.stderr(`stereotax qa status: warning: unit ${p.id}: physicist's annual survey ${p.status.replace('_', ' ')}${p.due ? ` (was due ${p.due})` : ''}\n`);
    }
  }
  const { physicistSurvey, drift, ...spec } = report;
  io.stdout(values.text ? statusText(report) : JSON.stringify(values.details ? { ...spec, physicistSurvey, drift } : spec, null, 2) + '\n');
  return report.units.every((u) => u.status === 'current') ? EXIT.ok : EXIT.unsafe;
}

async function unitAdd(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parse(argv, { db: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, site: { type: 'string' } });
  const db = required(values, 'db');
  const c = new Checker();
  const id = checkUnitId(c, required(values, 'id'), ['--id']);
  const name = values.name === undefined ? null : c.string(values.name, ['--name']);
  const site = values.site === undefined ? null : c.string(values.site, ['--site']);
  optionPaths(c);
  c.done();
  const added = await withStore(db, true, (s) => s.addUnit({ id: id!, name: name ?? null, site: site ?? null }));
  const unit = await withStore(db, false, async (s) => (await s.units()).find((u) => u.id === id));
  io.stdout(JSON.stringify({ unit, added }, null, 2) + '\n');
  return EXIT.ok;
}

async function serviceAdd(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parse(argv, { db: { type: 'string' }, unit: { type: 'string' }, date: { type: 'string' }, text: { type: 'string' } });
  const db = required(values, 'db');
  const c = new Checker();
  const unitId = checkUnitId(c, required(values, 'unit'), ['--unit']);
  const date = required(values, 'date');
  if (checkDate(c, date, ['--date']) !== undefined && date > utcToday()) {
    c.add('out_of_range', ['--date'], `a date on or before today (${utcToday()}, UTC)`, date);
  }
  const text = c.string(required(values, 'text'), ['--text'], 2000);
  if (typeof text === 'string' && text.trim() === '') c.add('invalid_value', ['--text'], 'what was done (not empty)', text);
  optionPaths(c);
  c.done();
  const entry = await withStore(db, true, (s) => s.addService({ unitId: unitId!, date, text: text!.trim() }));
  io.stdout(JSON.stringify({ service: entry }, null, 2) + '\n');
  return EXIT.ok;
}

export const qa: ArgvCommand = {
  summary: 'phantom QA: localization accuracy of a unit, its report, history and accreditation status',
  usage: USAGE,
  async runArgv(argv, io) {
    try {
      return await run(argv, io);
    } catch (err) {
      // A store or a missing optional package (exit 1) prints its error element like invalid input does,
      // so a program reads the stable code (database_busy, optional_dependency_missing, ...).
      if (!(err instanceof EngineError)) throw err;
      const { element, exit } = errorElement(err);
      io.stderr(`stereotax qa: ${escapeControls(element.error.message)}\n`);
      io.stdout(JSON.stringify(element, null, 2) + '\n');
      return exit;
    }
  },
};

/** The subcommands; anything else is a session file to analyse. */
async function run(argv: string[], io: Io): Promise<ExitCode> {
  const [sub, next] = argv;
  if (sub === 'images') return qaImages(argv.slice(1), io);
  if (sub === 'history') return history(argv.slice(1), io);
  if (sub === 'status') return status(argv.slice(1), io);
  if (sub === 'service') {
    if (next === 'add') return serviceAdd(argv.slice(2), io);
    throw invalid('argv', '"service add"', next ?? '', `qa service: expected "add"\n${USAGE}`);
  }
  if (sub === 'unit') {
    if (next === 'add') return unitAdd(argv.slice(2), io);
    throw invalid('argv', '"unit add"', next ?? '', `qa unit: expected "add"\n${USAGE}`);
  }
  return analyse(argv, io);
}
