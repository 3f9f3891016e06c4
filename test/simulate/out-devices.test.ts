// `simulate --out` onto something that is not a regular file: written in place, never
// replaced by a rename (a run with --out /dev/full once replaced the device with a file).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.cjs');
const scenario = join(root, 'scenarios', 'biopsy-hit.json');
const STACK = /\n\s+at .+:\d+:\d+/;

describe('simulate --out onto a device', () => {
  it('/dev/full: exit 1 with one line naming ENOSPC, no stack trace, and /dev/full is still a character device', () => {
    const r = spawnSync(process.execPath, [cli, 'simulate', scenario, '--trials', '2000', '--out', '/dev/full'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ENOSPC/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('/dev/stdout into a shell pipe (a FIFO): the summary goes down the pipe, exit 0', () => {
    const q = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `${q(process.execPath)} ${q(cli)} simulate ${q(scenario)} --trials 2000 --out /dev/stdout | cat`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).sweep.length).toBeGreaterThan(0);
  });

  it('a regular file is still written whole, by a rename, with no partial file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-out-'));
    const out = join(dir, 'summary.json');
    const r = spawnSync(process.execPath, [cli, 'simulate', scenario, '--trials', '2000', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).sweep.length).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });
});
