// Runs vitest, then prints the closing count on a line of its own ("N passed, N failed"),
// which CI reads; vitest's own summary is not in that form.
//
// With no arguments (`npm test`) the documentation site's test (test/docs/: TypeDoc and a
// VitePress build, about 20 s of CPU) runs after everything else, on its own, so its builds do
// not compete with the suites that bound their own run time; the counts are added up.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-results.json';
const bin = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function vitest(args) {
  rmSync(report, { force: true });
  const run = spawnSync(bin, ['vitest', 'run', ...args], { stdio: 'inherit' });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.numFailedTestSuites ?? 0);
    skipped = r.numPendingTests + r.numTodoTests;
  }
  const code = run.status ?? 1;
  if (code !== 0 && failed === 0) failed = 1; // a suite that failed to load counts too
  return { code, passed, failed, skipped };
}

const args = process.argv.slice(2);
// The full run starts with the traceability check (static, well under a second): an untested
// requirement or hazard, or a test naming an unknown id, fails `npm test` (docs/safety/).
const traced = args.length ? 0 : (spawnSync(process.execPath, ['scripts/trace.mjs', '--check'], { stdio: 'inherit' }).status ?? 1);
const runs = args.length ? [vitest(args)] : [vitest(['--exclude', 'test/docs/**']), vitest(['test/docs/'])];
const sum = (k) => runs.reduce((s, r) => s + r[k], 0);
const passed = sum('passed');
const failed = sum('failed') + (traced === 0 ? 0 : 1);
const skipped = sum('skipped');
const code = runs.find((r) => r.code !== 0)?.code ?? (traced === 0 ? 0 : 1);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
