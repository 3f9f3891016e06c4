// Lets `npm start` and `npm test` work straight after cloning: installs from the lock
// when node_modules is missing or older than the lock.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('stereotax: installing dependencies from the lock (npm ci)...');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// better-sqlite3 (the QA history's SQLite driver, an optional peer and a dev dependency)
// is native: its install script builds it. package.json "allowScripts" approves that
// script for npm 11, which skips unapproved ones; should it still have been skipped
// (an older lock, --ignore-scripts), build it now rather than fail the store's tests.
if (existsSync('node_modules/better-sqlite3/package.json')) {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { stdio: 'pipe' });
  if (probe.status !== 0) {
    console.error('stereotax: better-sqlite3 has no native binding; building it (npm rebuild better-sqlite3, about 2 minutes)...');
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
