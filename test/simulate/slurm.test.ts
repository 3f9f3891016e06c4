// The example job scripts (examples/slurm/) on a real single-node Slurm cluster on loopback:
// an array of shards and the dependent merge, submitted as a user would, give exactly the
// summary of one direct run; a failing array cancels its merge instead of leaving it pending.
// Skipped, saying why, only where the daemons cannot run (no Slurm or munge, not root).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSlurm, type Cluster } from './slurm-cluster.js';

const ROOT = resolve(__dirname, '../..');
const SUBMIT = join(ROOT, 'examples/slurm/submit.sh');

const SCENARIO = {
  id: 'slurm-example', seed: 20261207, trials: 150000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] } },
  sweep: { 'marking.sigma': [0.05, 0.2] },
};

/** The summary without what legitimately differs between runs (timing, workers, kernel, shard count). */
function stable(result: any): any {
  const strip = (s: any) => {
    const { elapsedSeconds, trialsPerSecond, workers, kernel, shards, ...rest } = s.manifest;
    void elapsedSeconds; void trialsPerSecond; void workers; void kernel; void shards;
    return { ...s, manifest: rest };
  };
  return 'sweep' in result ? { sweep: result.sweep.map((p: any) => ({ params: p.params, summary: strip(p.summary) })) } : strip(result);
}

let cluster: Cluster | undefined;
let skip = '';
const work = mkdtempSync(join(tmpdir(), 'stereotax-slurm-jobs-'));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/cli.cjs'))) {
    skip = 'dist/cli.cjs is not built (npm run build)';
  } else {
    const c = await startSlurm();
    if ('skip' in c) skip = c.skip;
    else cluster = c;
  }
  if (skip) console.warn(`slurm tests skipped: ${skip}`);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}, 30_000);

function logsOf(out: string): string {
  const dir = join(out, 'logs');
  return existsSync(dir) ? readdirSync(dir).map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n') : '';
}

describe('examples/slurm on a single-node cluster', () => {
  test('an array of 4 shards and the dependent merge give the direct run to the bit', async (ctx) => {
    if (!cluster) return ctx.skip(skip);
    writeFileSync(join(work, 'scenario.json'), JSON.stringify(SCENARIO));
    // Submitted from a directory outside the checkout: the scripts find the CLI from their own place.
    const ids = cluster.run(SUBMIT, ['scenario.json', 'run', '4'], { cwd: work }).trim().split(' ');
    expect(ids).toHaveLength(2);
    // The direct run, as a user runs it: the built CLI on the whole scenario.
    const direct = promisify(execFile)('node', [join(ROOT, 'dist/cli.cjs'), 'simulate', join(work, 'scenario.json'), '--workers', '1'], { maxBuffer: 1 << 26 });
    const drained = await cluster.drained(45_000);
    const out = join(work, 'run');
    expect(drained, `jobs still queued\n${cluster.logs()}`).toBe(true);
    expect(existsSync(join(out, 'summary.json')), `no summary\n${logsOf(out)}\n${cluster.logs()}`).toBe(true);
    expect(readdirSync(join(out, 'parts')).sort()).toEqual(['part-1.json', 'part-2.json', 'part-3.json', 'part-4.json']);
    const merged = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(merged.sweep[0].summary.manifest.shards).toBe(4);
    expect(stable(merged)).toEqual(stable(JSON.parse((await direct).stdout)));
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readdirSync(join(out, 'figures')).some((f) => f.endsWith('.svg'))).toBe(true);
  }, 60_000);

  test('a failing shard cancels the merge (no job left pending, no summary)', async (ctx) => {
    if (!cluster) return ctx.skip(skip);
    writeFileSync(join(work, 'bad.json'), JSON.stringify({ ...SCENARIO, marking: { sigma: -1 } }));
    cluster.run(SUBMIT, ['bad.json', 'bad', '2'], { cwd: work });
    expect(await cluster.drained(30_000), `jobs still queued\n${cluster.logs()}`).toBe(true);
    expect(existsSync(join(work, 'bad', 'summary.json'))).toBe(false);
    expect(logsOf(join(work, 'bad'))).toContain('marking.sigma');
  }, 45_000);
});
