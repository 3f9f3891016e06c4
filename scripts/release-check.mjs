// The automatable half of docs/safety/release-checklist.md: runs every `auto` step the checklist
// names, reports each, then prints the `manual` items as what remains for a person. The checklist is
// the one list of items; a step it names that this script does not know fails the check.
//
//   node scripts/release-check.mjs [--skip-tests] [--bench] [--mutation] [--mutation-report FILE] [--only STEP,...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** Checklist items: `- [ ] **R-01** (auto: trace) text` or `(manual)`. */
export function parseChecklist(text) {
  const items = [];
  for (const line of text.split('\n')) {
    const m = /^- \[[ x]\] \*\*(R-\d+)\*\* \((?:auto: ([\w-]+)|(manual))\) (.*)$/.exec(line);
    if (m) items.push({ id: m[1], step: m[2] ?? null, manual: Boolean(m[3]), text: m[4] });
  }
  return items;
}

/** Mutation floors per group (the last measured scores, README "Testing"; only ever raised). */
export const MUTATION_GROUPS = [
  { name: 'plan', mutate: 'src/plan/**/*.ts', tests: undefined, floor: 95 },
  { name: 'needle + uncertainty', mutate: 'src/needle/*.ts,src/targeting/uncertainty.ts', tests: 'targeting', floor: 97 },
  { name: 'validate + targeting', mutate: 'src/core/validate.ts,src/targeting/request.ts,src/targeting/fast-path.ts,src/targeting/compute.ts,src/targeting/findings.ts', tests: 'targeting', floor: 93 },
  { name: 'margins', mutate: 'src/margins/margins.ts,src/margins/request.ts,src/margins/compute.ts,src/margins/named-margins.ts,src/margins/findings.ts', tests: 'margins', floor: 86 },
];

/** Stryker's mutation score from its JSON report: (killed + timed out) / (those + survived + no coverage). */
export function mutationScore(report) {
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const file of Object.values(report.files ?? {})) for (const m of file.mutants ?? []) if (m.status in count) count[m.status]++;
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  const files = Object.keys(report.files ?? {}).map((f) => (f.startsWith(ROOT + '/') ? f.slice(ROOT.length + 1) : f).replace(/\\/g, '/'));
  return { ...count, valid, score: valid ? (100 * detected) / valid : null, files };
}

/** Bench bars as recorded: met ones pass; a missed one is left to a person with the load it was read at. */
export function benchBars(results) {
  const load = results.machine?.loadavg?.[0];
  return (results.bars ?? []).map((b) => ({ ...b, load, verdict: b.met ? 'met' : 'missed' }));
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const STEPS = {
  trace() {
    if (run(process.execPath, ['scripts/trace.mjs', '--check']) !== 0) return { ok: false, detail: 'trace found gaps (above)' };
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-release-'));
    try {
      const out = join(dir, 'traceability.md');
      spawnSync(process.execPath, ['scripts/trace.mjs', '--out', out], { cwd: ROOT });
      const committed = join(ROOT, 'docs', 'safety', 'traceability.md');
      const same = existsSync(committed) && readFileSync(committed, 'utf8') === readFileSync(out, 'utf8');
      return same ? { ok: true, detail: 'links complete; traceability.md current' } : { ok: false, detail: 'docs/safety/traceability.md is not current: run npm run trace and commit it' };
    } finally { rmSync(dir, { recursive: true, force: true }); }
  },
  soup() {
    return run(process.execPath, ['scripts/soup.mjs', '--check']) === 0 ? { ok: true, detail: 'soup.md current and complete' } : { ok: false, detail: 'see above' };
  },
  tests(o) {
    if (o.skipTests) return { skipped: true, detail: '--skip-tests' };
    if (run(npm, ['test']) !== 0) return { ok: false, detail: 'npm test failed' };
    // Every implemented requirement must have a test that ran and passed in this run, not only one that exists.
    const ran = run(process.execPath, ['scripts/trace.mjs', '--check', '--results', '.vitest-results.json']);
    return ran === 0 ? { ok: true, detail: 'npm test passed; every implemented requirement has a passing test in this run' } : { ok: false, detail: 'npm test passed, but a requirement has no test that passed in it (skipped or not run; above)' };
  },
  fuzz() {
    const seed = 1 + Math.floor(Math.random() * 2 ** 31);
    const marginsSeed = 1 + Math.floor(Math.random() * 2 ** 31);
    console.log(`release-check: fuzz seeds STEREOTAX_FUZZ_SEED=${seed} MARGINS_FUZZ_SEED=${marginsSeed}`);
    // The margins fuzz is one test over all its requests: give it the time 10,000 of them take.
    const code = run(npx, ['vitest', 'run', 'test/cli/fuzz.test.ts', 'test/margins/fuzz.test.ts', '--testTimeout', '1800000'], {
      STEREOTAX_FUZZ_SEED: String(seed), STEREOTAX_FUZZ_MS: '30000', MARGINS_FUZZ_SEED: String(marginsSeed), MARGINS_FUZZ_COUNT: '10000',
    });
    return { ok: code === 0, detail: `seeds ${seed} / ${marginsSeed}, 30 s per command, 10,000 margins requests` };
  },
  mutation(o) {
    if (o.mutationReport) {
      const s = mutationScore(JSON.parse(readFileSync(resolve(o.mutationReport), 'utf8')));
      const group = MUTATION_GROUPS.find((g) => s.files.length && s.files.every((f) => g.mutate.split(',').some((p) => f.startsWith(p.replace(/\*.*$/, '')))));
      if (!group) return { ok: false, detail: `the report's files (${s.files.join(', ')}) are not one safety group` };
      return { ok: s.score !== null && s.score >= group.floor, detail: `${group.name}: ${s.score?.toFixed(2)} % (floor ${group.floor} %; ${s.Killed} killed, ${s.Timeout} timed out, ${s.Survived} survived, ${s.NoCoverage} not covered)` };
    }
    if (!o.mutation) return { skipped: true, detail: 'opt-in: --mutation (about an hour) or --mutation-report FILE' };
    const lines = [];
    let ok = true;
    for (const g of MUTATION_GROUPS) {
      const code = run(npx, ['stryker', 'run', '--mutate', g.mutate], g.tests ? { STRYKER_TESTS: g.tests } : {});
      const report = join(ROOT, 'reports', 'mutation', 'mutation.json');
      if (code !== 0 || !existsSync(report)) { ok = false; lines.push(`${g.name}: stryker failed`); continue; }
      const s = mutationScore(JSON.parse(readFileSync(report, 'utf8')));
      if (s.score === null || s.score < g.floor) ok = false;
      lines.push(`${g.name} ${s.score?.toFixed(2)} % (floor ${g.floor})`);
    }
    return { ok, detail: lines.join('; ') };
  },
  bench(o) {
    if (o.bench && run(npm, ['run', 'bench']) !== 0) return { ok: false, detail: 'npm run bench failed' };
    const path = join(ROOT, 'bench', 'results.json');
    if (!existsSync(path)) return { ok: false, detail: 'no bench/results.json' };
    const results = JSON.parse(readFileSync(path, 'utf8'));
    const bars = benchBars(results);
    const missed = bars.filter((b) => b.verdict === 'missed');
    for (const b of bars) console.log(`release-check: bench ${b.verdict.padEnd(6)} ${b.name}: ${b.median.toFixed(3)} (${b.min.toFixed(3)}-${b.max.toFixed(3)}), target ${b.target}`);
    const when = `${o.bench ? 'measured now' : `recorded ${results.date}`}, load ${bars[0]?.load ?? '?'} (now ${loadavg()[0].toFixed(2)})`;
    return missed.length
      ? { attention: true, detail: `${missed.length} of ${bars.length} bars missed (${missed.map((b) => b.name).join('; ')}), ${when}: re-measure idle (R-07)` }
      : { ok: true, detail: `all ${bars.length} bars met, ${when}` };
  },
};

export const STEP_NAMES = Object.keys(STEPS);

function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const o = { skipTests: argv.includes('--skip-tests'), bench: argv.includes('--bench'), mutation: argv.includes('--mutation'), mutationReport: arg('--mutation-report') };
  const only = arg('--only')?.split(',');
  const items = parseChecklist(readFileSync(join(ROOT, 'docs', 'safety', 'release-checklist.md'), 'utf8'));
  const report = [];
  let failed = false;
  for (const item of items.filter((i) => !i.manual)) {
    const step = STEPS[item.step];
    if (only && step && !only.includes(item.step)) { report.push([item.id, 'skipped', `${item.step}: not in --only`]); continue; }
    if (!step) { failed = true; report.push([item.id, 'FAIL', `the checklist names step "${item.step}", which release-check.mjs does not know`]); continue; }
    console.log(`\nrelease-check: ${item.id} ${item.step}`);
    const r = step(o);
    const verdict = r.skipped ? 'skipped' : r.attention ? 'ATTENTION' : r.ok ? 'pass' : 'FAIL';
    if (verdict === 'FAIL') failed = true;
    report.push([item.id, verdict, `${item.step}: ${r.detail}`]);
  }
  console.log('\nrelease-check: automated items');
  for (const [id, verdict, detail] of report) console.log(`  ${id} ${verdict.padEnd(9)} ${detail}`);
  console.log('\nrelease-check: remaining for a person (docs/safety/release-checklist.md)');
  for (const item of items.filter((i) => i.manual)) console.log(`  ${item.id} ${item.text}`);
  for (const [id, verdict] of report) if (verdict === 'skipped' || verdict === 'ATTENTION') console.log(`  ${id} (${verdict === 'skipped' ? 'not run here' : 'needs a person'}): see above`);
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) process.exit(main(process.argv.slice(2)));
