// Traceability for the safety case (IEC 62304 5.1.1 c, 5.2.6, 7.3.3; ISO 14971 7.2): reads the
// requirements and hazards in docs/safety/ and the [ID] tags in test titles, writes the
// matrix, and exits non-zero when the case has a gap. Static: no test is run, so it takes a
// fraction of a second and can sit at the front of `npm test`.
//
//   node scripts/trace.mjs [--root DIR] [--check] [--out FILE] [--json]
//
// --check   verify only, write nothing (what `npm test` runs)
// --out     where the matrix goes (default docs/safety/traceability.md, relative to the root)
// --json    print the model as JSON on stdout (for the release check and the tests)
// --results FILE   also read vitest's JSON report (.vitest-results.json) of a run: then every
//           implemented requirement needs a test that ran and passed, not only one that exists
//           (a skipped, failed or absent test does not count); the release check uses it
//
// Fails (exit 1) when:
// - a requirement that is not `pending` has no test;
// - a hazard has no test (tagged with the hazard itself or with one of its requirements that
//   has a test), names no control, names a control file or function that does not exist, or
//   names a requirement that is not in requirements.md;
// - a test title names an id that is neither a requirement nor a hazard;
// - requirements.md or hazards.md is malformed (duplicate id, unknown status, no source).
// Pending requirements (implementation on another branch, not merged yet) are listed apart
// and never fail the trace.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ID = /^[A-Z]{2,4}-\d{3}$/;
export const STATUSES = ['implemented', 'pending'];

/** Rows `| ID | status | requirement | source |` of requirements.md. */
export function parseRequirements(text) {
  const reqs = [];
  const problems = [];
  for (const [i, line] of text.split('\n').entries()) {
    const m = /^\|\s*([A-Z]{2,4}-\d{3})\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const cells = m[2].split(/(?<!\\)\|/).map((c) => c.trim());
    const [status, statement, source] = cells;
    const where = `requirements.md:${i + 1}`;
    if (cells.length !== 3) problems.push(`${where}: ${m[1]} has ${cells.length + 1} cells, expected 4 (id | status | requirement | source)`);
    if (!STATUSES.includes(status)) problems.push(`${where}: ${m[1]} has status "${status}", expected one of ${STATUSES.join(', ')}`);
    if (!statement) problems.push(`${where}: ${m[1]} states nothing`);
    if (!source) problems.push(`${where}: ${m[1]} names no source`);
    if (reqs.some((r) => r.id === m[1])) problems.push(`${where}: ${m[1]} is defined twice`);
    reqs.push({ id: m[1], status, statement, source, line: i + 1 });
  }
  return { reqs, problems };
}

/**
 * Sections `## HAZ-001 title` of hazards.md, each with bullet lines
 * `- Severity: S4 ...`, `- Controls: \`file#function\`, ...` and `- Requirements: TGT-001, ...`.
 */
export function parseHazards(text) {
  const hazards = [];
  const problems = [];
  let h = null;
  for (const [i, line] of text.split('\n').entries()) {
    const head = /^##\s+(HAZ-\d{3})\s+(.*)$/.exec(line);
    if (head) {
      if (hazards.some((x) => x.id === head[1])) problems.push(`hazards.md:${i + 1}: ${head[1]} is defined twice`);
      h = { id: head[1], title: head[2].trim(), line: i + 1, severity: '', causes: '', controls: [], requirements: [], anomalies: [] };
      hazards.push(h);
      continue;
    }
    if (/^#{1,6}\s/.test(line)) { h = null; continue; }
    if (!h) continue;
    const field = /^-\s+\*{0,2}(Severity|Controls|Requirements|Causes|Known anomalies)\*{0,2}:\s*(.*)$/.exec(line);
    if (!field) continue;
    const [, name, value] = field;
    if (name === 'Severity') h.severity = value.trim();
    if (name === 'Causes') h.causes = value.trim();
    if (name === 'Controls') h.controls.push(...[...value.matchAll(/`([^`#]+)#([^`]+)`/g)].map((m) => ({ file: m[1].trim(), fn: m[2].trim() })));
    if (name === 'Requirements') h.requirements.push(...value.split(/[,\s]+/).filter((s) => ID.test(s)));
    if (name === 'Known anomalies') h.anomalies.push(...value.split(/[,\s]+/).filter((s) => ID.test(s)));
  }
  for (const x of hazards) if (!/^S[1-5]\b/.test(x.severity)) problems.push(`hazards.md:${x.line}: ${x.id} has no severity S1-S5`);
  return { hazards, problems };
}

/**
 * Blanks comments (keeping strings and line numbers), so a commented-out test is not counted, and
 * marks where string literals lie, so `it(` written inside a string (a fixture) is not a test.
 */
function blankComments(src) {
  let out = '';
  const inString = new Uint8Array(src.length);
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') { out += ' '; i++; }
    } else if (c === '/' && src[i + 1] === '*') {
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) { out += src[i] === '\n' ? '\n' : ' '; i++; }
      out += '  '; i += 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(src, i);
      inString.fill(1, i + 1, end);
      out += src.slice(i, end); i = end;
    } else if (c === '/' && REGEX_AFTER.has(lastSignificant(out))) {
      const end = regexEnd(src, i);
      inString.fill(1, i, end);
      out += ' '.repeat(end - i); i = end; // a regex is no code and no title: blanked, quotes and all
    } else { out += c; i++; }
  }
  return { text: out, inString };
}

/** A `/` after one of these (or at the start) opens a regular expression literal, not a division. */
const REGEX_AFTER = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

/** Index just past the regular expression literal starting at i (a quote inside it is no string). */
function regexEnd(src, i) {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && src[j] !== '\n') {
    if (src[j] === '\\') { j += 2; continue; }
    if (src[j] === '[') inClass = true;
    else if (src[j] === ']') inClass = false;
    else if (src[j] === '/' && !inClass) { j++; while (/[a-z]/.test(src[j] ?? '')) j++; return j; }
    j++;
  }
  return j;
}

const lastSignificant = (text) => { const m = /\S(?=\s*$)/.exec(text.slice(-200)); return m ? m[0] : ''; };

/** Index just past the string literal starting at i (template literals with nested ${}). */
function stringEnd(src, i) {
  const q = src[i];
  let j = i + 1;
  while (j < src.length) {
    if (src[j] === '\\') { j += 2; continue; }
    if (src[j] === q) return j + 1;
    if (q === '`' && src[j] === '$' && src[j + 1] === '{') {
      let depth = 1; j += 2;
      while (j < src.length && depth > 0) {
        if (src[j] === '"' || src[j] === "'" || src[j] === '`') { j = stringEnd(src, j); continue; }
        if (src[j] === '{') depth++;
        if (src[j] === '}') depth--;
        j++;
      }
      continue;
    }
    if (q !== '`' && src[j] === '\n') return j; // unterminated: stop at the line's end
    j++;
  }
  return j;
}

/** Index just past the balanced (...) group starting at i. */
function groupEnd(src, i) {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j];
    if (c === '"' || c === "'" || c === '`') { j = stringEnd(src, j); continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') { depth--; if (depth === 0) return j + 1; }
    j++;
  }
  return j;
}

/** Every describe/it/test title given as a literal in a test source, with its [ID] tags. */
export function parseTestTitles(src, file) {
  const { text, inString } = blankComments(src);
  const titles = [];
  const call = /(?<![\w$.])(describe|it|test|suite)\b/g;
  let m;
  while ((m = call.exec(text))) {
    if (inString[m.index]) continue;
    let j = m.index + m[0].length;
    // modifiers: .each(...), .skipIf(...), .only, .concurrent, ...
    for (;;) {
      while (/\s/.test(text[j])) j++;
      const mod = /^\.\s*([A-Za-z]+)/.exec(text.slice(j, j + 40));
      if (!mod) break;
      j += mod[0].length;
      while (/\s/.test(text[j])) j++;
      if (text[j] === '(' && ['each', 'skipIf', 'runIf', 'for'].includes(mod[1])) j = groupEnd(text, j);
    }
    if (text[j] !== '(') continue;
    const open = j;
    j++;
    while (/\s/.test(text[j])) j++;
    const q = text[j];
    if (q !== '"' && q !== "'" && q !== '`') continue;
    const end = stringEnd(text, j);
    const title = text.slice(j + 1, end - 1).replace(/\\(['"`\\])/g, '$1'); // as the runner shows it
    const line = text.slice(0, m.index).split('\n').length;
    titles.push({ file, line, kind: m[1], title, ids: tagsOf(title), start: m.index, end: groupEnd(text, open) });
    call.lastIndex = end;
  }
  // The describes each title sits in, outermost first (for the matrix: "describe > it").
  for (const t of titles) {
    t.within = titles.filter((d) => (d.kind === 'describe' || d.kind === 'suite') && d.start < t.start && d.end >= t.end).map((d) => untagged(d.title));
  }
  return titles;
}

const untagged = (title) => title.replace(/\s*\[[A-Z0-9, -]+\]\s*/g, ' ').trim();

/** `[TGT-001]`, `[TGT-001, HAZ-002]`: a bracket whose every member looks like an id. */
export function tagsOf(title) {
  const ids = [];
  for (const b of title.matchAll(/\[([^\]]*)\]/g)) {
    const parts = b[1].split(',').map((s) => s.trim());
    if (parts.length && parts.every((p) => ID.test(p))) ids.push(...parts);
  }
  return ids;
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(test\.)?[cm]?[tj]s$/.test(name)) out.push(p);
  }
  return out;
}

/** Does `file` declare `name` (a function, class, const, or Class.method)? */
export function declares(source, name) {
  const esc = (s) => s.replace(/[$]/g, '\\$');
  return name.split('.').every((part) => new RegExp(
    `(function\\*?\\s+${esc(part)}\\b|class\\s+${esc(part)}\\b|(const|let|var)\\s+${esc(part)}\\b|^\\s*(export\\s+)?(public\\s+|private\\s+|protected\\s+|static\\s+|async\\s+|get\\s+|set\\s+)*${esc(part)}\\s*[(<])`, 'm',
  ).test(source));
}

/** A title as a pattern: `${...}` and printf-style %s/%d (test.each) match anything. */
function titlePattern(title) {
  const parts = title.split(/\$\{[^}]*\}|%[sdifjoO#%]/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/**
 * How each tagged title fared in a vitest JSON report: `passed` when a test it names (an it/test
 * with that title, or any test inside a describe with that title) passed, else `failed`,
 * `skipped` or `not run`.
 */
export function outcomes(root, tests, report) {
  const byFile = new Map();
  for (const f of report.testResults ?? []) {
    const rel = relative(root, f.name).split('\\').join('/');
    byFile.set(rel, f.assertionResults ?? []);
  }
  for (const t of tests) {
    if (!t.ids.length) continue;
    const pattern = titlePattern(t.title);
    const within = (t.within ?? []).map(titlePattern);
    const hits = (byFile.get(t.file) ?? []).filter((a) => {
      if (t.kind === 'describe' || t.kind === 'suite') return a.ancestorTitles.some((x) => pattern.test(x));
      return pattern.test(a.title) && within.every((w) => a.ancestorTitles.some((x) => w.test(untagged(x)) || w.test(x)));
    });
    const st = hits.map((a) => a.status);
    t.outcome = st.includes('passed') ? 'passed' : st.includes('failed') ? 'failed' : st.length ? 'skipped' : 'not run';
  }
}

export function trace(root, resultsPath) {
  const problems = [];
  const safety = join(root, 'docs', 'safety');
  const reqPath = join(safety, 'requirements.md');
  const hazPath = join(safety, 'hazards.md');
  if (!existsSync(reqPath)) problems.push('docs/safety/requirements.md is missing');
  if (!existsSync(hazPath)) problems.push('docs/safety/hazards.md is missing');
  const { reqs, problems: rp } = parseRequirements(existsSync(reqPath) ? readFileSync(reqPath, 'utf8') : '');
  const { hazards, problems: hp } = parseHazards(existsSync(hazPath) ? readFileSync(hazPath, 'utf8') : '');
  problems.push(...rp, ...hp);

  const tests = walk(join(root, 'test'))
    .filter((p) => /\.[cm]?[tj]s$/.test(p))
    .flatMap((p) => parseTestTitles(readFileSync(p, 'utf8'), relative(root, p).split('\\').join('/')));
  const known = new Map([...reqs.map((r) => [r.id, 'requirement']), ...hazards.map((h) => [h.id, 'hazard'])]);
  const testsOf = new Map([...known.keys()].map((id) => [id, []]));
  for (const t of tests) {
    for (const id of t.ids) {
      if (!known.has(id)) problems.push(`${t.file}:${t.line}: the title names ${id}, which is neither a requirement nor a hazard ("${t.title}")`);
      else testsOf.get(id).push(t);
    }
  }

  if (resultsPath) outcomes(root, tests, JSON.parse(readFileSync(resultsPath, 'utf8')));
  for (const r of reqs) {
    r.tests = testsOf.get(r.id) ?? [];
    if (r.status !== 'pending' && r.tests.length === 0) problems.push(`${r.id} (requirements.md:${r.line}) has no test: tag a test title with [${r.id}] or mark it pending`);
    else if (resultsPath && r.status !== 'pending' && !r.tests.some((t) => t.outcome === 'passed')) {
      problems.push(`${r.id} has no test that passed in ${relative(root, resultsPath)}: ${r.tests.map((t) => `${t.file}:${t.line} ${t.outcome}`).join(', ')}`);
    }
  }
  const reqById = new Map(reqs.map((r) => [r.id, r]));
  const kaPath = join(safety, 'known-anomalies.md');
  const anomalies = new Set(existsSync(kaPath) ? [...readFileSync(kaPath, 'utf8').matchAll(/^\|\s*(KA-\d{3})\s*\|/gm)].map((m) => m[1]) : []);
  const sources = new Map();
  for (const h of hazards) {
    if (h.controls.length === 0) problems.push(`${h.id} (hazards.md:${h.line}) names no control (\`file#function\`)`);
    for (const c of h.controls) {
      const p = join(root, c.file);
      if (!existsSync(p)) { problems.push(`${h.id}: control file ${c.file} does not exist`); c.ok = false; continue; }
      if (!sources.has(p)) sources.set(p, readFileSync(p, 'utf8'));
      c.ok = declares(sources.get(p), c.fn);
      if (!c.ok) problems.push(`${h.id}: ${c.file} declares no ${c.fn}`);
    }
    if (h.requirements.length === 0) problems.push(`${h.id} (hazards.md:${h.line}) names no requirement`);
    for (const id of h.requirements) if (!reqById.has(id)) problems.push(`${h.id}: requirement ${id} is not in requirements.md`);
    for (const id of h.anomalies) if (!anomalies.has(id)) problems.push(`${h.id}: known anomaly ${id} is not in known-anomalies.md`);
    const direct = testsOf.get(h.id) ?? [];
    const viaReqs = h.requirements.filter((id) => reqById.has(id)).flatMap((id) => reqById.get(id).tests);
    h.tests = [...new Set([...direct, ...viaReqs])];
    h.directTests = direct;
    if (h.tests.length === 0) problems.push(`${h.id} (hazards.md:${h.line}) has no test: none of its requirements is tested and no test names it`);
  }
  return { reqs, hazards, tests, problems };
}

const cellText = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const testRef = (t) => `\`${t.file}\` ${t.kind}: ${cellText([...t.within, untagged(t.title)].join(' > '))}`;

export function matrix(model) {
  const { reqs, hazards, tests, problems } = model;
  const pending = reqs.filter((r) => r.status === 'pending');
  const tagged = tests.filter((t) => t.ids.length);
  const L = [];
  L.push('# Traceability matrix (generated)', '');
  L.push('Written by `npm run trace` (`scripts/trace.mjs`) from `docs/safety/requirements.md`, `docs/safety/hazards.md`');
  L.push('and the `[ID]` tags in the titles of `test/**/*.ts`. Do not edit by hand; regenerate it. `npm test` checks');
  L.push('the links (`trace --check`); the release check also checks that this file is current.', '');
  L.push(`- requirements: ${reqs.length} (${reqs.length - pending.length} implemented, ${pending.length} pending)`);
  L.push(`- hazards: ${hazards.length}`);
  L.push(`- test titles scanned: ${tests.length}, of which ${tagged.length} carry ids`);
  L.push(`- problems: ${problems.length}`, '');
  if (problems.length) { L.push('## Problems', ''); for (const p of problems) L.push(`- ${p}`); L.push(''); }
  L.push('## Requirement -> tests', '', '| requirement | status | tests | verified by |', '|---|---|---:|---|');
  for (const r of reqs) L.push(`| ${r.id} | ${r.status} | ${r.tests.length} | ${r.tests.map(testRef).join('<br>') || (r.status === 'pending' ? '(pending: implementation not merged)' : '**none**')} |`);
  L.push('', '## Hazard -> controls -> tests', '', '| hazard | severity | controls | requirements | tests |', '|---|---|---|---|---:|');
  for (const h of hazards) L.push(`| ${h.id} ${cellText(h.title)} | ${cellText(h.severity.split(/[:(]/)[0].trim())} | ${h.controls.map((c) => `\`${c.file}#${c.fn}\``).join('<br>')} | ${h.requirements.join(', ')} | ${h.tests.length} |`);
  const reqById = new Map(reqs.map((r) => [r.id, r]));
  for (const h of hazards) {
    L.push('', `### ${h.id} ${h.title}`, '', `- severity: ${h.severity}`, `- controls: ${h.controls.map((c) => `\`${c.file}#${c.fn}\``).join(', ')}`);
    if (h.anomalies.length) L.push(`- open anomalies: ${h.anomalies.join(', ')} (known-anomalies.md)`);
    if (h.directTests.length) L.push(`- tests naming ${h.id}: ${h.directTests.map(testRef).join('; ')}`);
    for (const id of h.requirements) {
      const r = reqById.get(id);
      if (!r) { L.push(`- ${id}: **not a requirement**`); continue; }
      L.push(`- ${id} (${r.status}): ${r.tests.map(testRef).join('; ') || (r.status === 'pending' ? '(pending)' : '**no test**')}`);
    }
  }
  L.push('', '## Pending requirements (not failing the trace)', '');
  if (!pending.length) L.push('None.');
  for (const r of pending) L.push(`- ${r.id}: ${r.statement} (${r.source})${r.tests.length ? ` — already has ${r.tests.length} test(s): ready to flip` : ''}`);
  L.push('');
  return L.join('\n');
}

function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const root = resolve(arg('--root') ?? process.cwd());
  const model = trace(root, arg('--results') && resolve(arg('--results')));
  const text = matrix(model);
  if (argv.includes('--json')) {
    const slim = {
      problems: model.problems,
      requirements: model.reqs.map((r) => ({ id: r.id, status: r.status, tests: r.tests.length })),
      hazards: model.hazards.map((h) => ({ id: h.id, tests: h.tests.length })),
      pending: model.reqs.filter((r) => r.status === 'pending').map((r) => r.id),
      matrix: text,
    };
    process.stdout.write(JSON.stringify(slim, null, 2) + '\n');
  } else {
    const pending = model.reqs.filter((r) => r.status === 'pending').map((r) => r.id);
    const implemented = model.reqs.length - pending.length;
    const untested = model.reqs.filter((r) => r.status !== 'pending' && r.tests.length === 0).length;
    console.log(`trace: ${model.reqs.length} requirements (${implemented} implemented, ${untested} of them without a test; ${pending.length} pending), ${model.hazards.length} hazards, ${model.tests.filter((t) => t.ids.length).length} tagged test titles`);
    if (pending.length) console.log(`trace: pending (not failing): ${pending.join(' ')}`);
  }
  if (!argv.includes('--check')) {
    const out = resolve(root, arg('--out') ?? 'docs/safety/traceability.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    if (!argv.includes('--json')) console.log(`trace: wrote ${relative(process.cwd(), out) || out}`);
  }
  for (const p of model.problems) console.error(`trace: ${p}`);
  if (model.problems.length) {
    console.error(`trace: FAILED with ${model.problems.length} problem(s)`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) process.exit(main(process.argv.slice(2)));
