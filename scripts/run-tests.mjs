// Runs vitest, then prints the closing count on a line of its own ("N passed, N failed"),
// which CI reads; vitest's own summary is not in that form.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-results.json';
rmSync(report, { force: true });
// The full run starts with the traceability check (static, well under a second): an untested
// requirement or hazard, or a test naming an unknown id, fails `npm test` (docs/safety/).
const files = process.argv.slice(2);
const traced = files.length ? 0 : (spawnSync(process.execPath, ['scripts/trace.mjs', '--check'], { stdio: 'inherit' }).status ?? 1);
const bin = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = spawnSync(bin, ['vitest', 'run', ...files], { stdio: 'inherit' });
let passed = 0;
let failed = traced === 0 ? 0 : 1;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
  skipped = r.numPendingTests + r.numTodoTests;
}
const code = (run.status ?? 1) || (traced === 0 ? 0 : 1);
if (code !== 0 && failed === 0) failed = 1; // a suite that failed to load counts too
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
