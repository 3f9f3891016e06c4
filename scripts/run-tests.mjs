// Runs vitest, then prints the closing count on a line of its own ("N passed, N failed"),
// which CI reads; vitest's own summary is not in that form.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-results.json';
rmSync(report, { force: true });
const bin = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = spawnSync(bin, ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
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
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
