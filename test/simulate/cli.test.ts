// stereotax simulate through the CLI: bad scenarios and flags exit 2 naming the field;
// csv, --out, --plots, shards and merge; a 1e10-trial run stops on an AbortSignal or
// Ctrl-C and leaves nothing half-written.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { simulate } from '../../src/simulate/run.js';
import { runCli } from '../helpers/fake-io.js';

const GOOD = {
  id: 'cli', seed: 3, trials: 20000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
  needle: { device: 'vacuum-9g-20', deviation: { sigma: [0.6, 0.6, 0.6] } },
};

type Edit = (s: any) => void;
const BAD: [string, Edit, string][] = [
  ['unknown field', (s) => { s.colour = 'red'; }, 'colour'],
  ['negative marking sigma', (s) => { s.marking.sigma = -0.1; }, 'marking.sigma'],
  ['negative deviation sigma', (s) => { s.needle.deviation.sigma[2] = -1; }, 'needle.deviation.sigma[2]'],
  ['deviation with two sigmas', (s) => { s.needle.deviation.sigma = [1, 1]; }, 'needle.deviation.sigma'],
  ['zFraction above 1', (s) => { s.lesion.zFraction = 1.2; }, 'lesion.zFraction'],
  ['zFraction uniform leaving [0, 1]', (s) => { s.lesion.zFraction = { uniform: [0.5, 1.01] }; }, 'lesion.zFraction.uniform[1]'],
  ['zFraction normal truncated past 1', (s) => { s.lesion.zFraction = { normal: [0.5, 0.1], within: [0.5, 1.2] }; }, 'lesion.zFraction.within[1]'],
  ['normal with an unknown key', (s) => { s.lesion.x = { normal: [0, 1], clip: [0, 1] }; }, 'lesion.x.clip'],
  ['truncation bounds reversed', (s) => { s.lesion.x = { normal: [0, 1], within: [1, -1] }; }, 'lesion.x.within[1]'],
  ['uniform reversed', (s) => { s.lesion.x = { uniform: [5, -5] }; }, 'lesion.x.uniform[1]'],
  ['unknown distribution', (s) => { s.lesion.x = { triangular: [0, 1, 2] }; }, 'lesion.x'],
  ['one angle', (s) => { s.unit.angles = [15]; }, 'unit.angles'],
  ['two equal angles', (s) => { s.unit.angles = [15, 15]; }, 'unit.angles[1]'],
  ['trials 0', (s) => { s.trials = 0; }, 'trials'],
  ['trials above 1e10', (s) => { s.trials = 1e10 + 1; }, 'trials'],
  ['trials not whole', (s) => { s.trials = 10.5; }, 'trials'],
  ['negative seed', (s) => { s.seed = -1; }, 'seed'],
  ['unknown device', (s) => { s.needle.device = 'no-such-probe'; }, 'needle.device'],
  ['support farther than detector', (s) => { s.unit.geometry.sourceToSupport = 700; }, 'unit.geometry.sourceToSupport'],
  ['one miscalibration angle for two views', (s) => { s.unit.miscalibration = { angle: [0.5] }; }, 'unit.miscalibration.angle'],
  ['thickness truncation keeping under 1 %', (s) => { s.breast.thickness = { normal: [40, 5], within: [70, 200] }; }, 'breast.thickness.within'],
  ['thickness normal whose range keeps under 1 %', (s) => { s.breast.thickness = { normal: [-30, 10] }; }, 'breast.thickness.normal[0]'],
  ['missing lesion', (s) => { delete s.lesion; }, 'lesion'],
  ['thickness as a bad unit', (s) => { s.breast.thickness = '4 kg'; }, 'breast.thickness'],
  ['sweep of seed', (s) => { s.sweep = { seed: [1, 2] }; }, 'sweep.seed'],
  ['sweep point invalid', (s) => { s.sweep = { 'marking.sigma': [0.1, -1] }; }, 'marking.sigma'],
];

async function cli(argv: string[], scenario: unknown) {
  return runCli(['simulate', ...argv, '-'], JSON.stringify(scenario));
}

describe('[SIM-002] bad scenarios exit 2 with the field named', () => {
  test.each(BAD)('%s', async (_, edit, path) => {
    const s = structuredClone(GOOD);
    edit(s);
    const r = await cli([], s);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.path).toBe(path);
    expect(r.err).toContain(path);
  });
  test.each([
    [['--trials', '0'], '--trials'], [['--trials', '1e11'], '--trials'], [['--workers', 'two'], '--workers'],
    [['--shard', '4/3'], '--shard'], [['--shard', '0/3'], '--shard'], [['--format', 'xml'], '--format'], [['--kernel', 'gpu'], '--kernel'],
  ])('flag %j', async (argv, path) => {
    const r = await cli(argv, GOOD);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.path).toBe(path);
  });
  test('invalid JSON and unreadable parts', async () => {
    const r = await runCli(['simulate', '-'], '{ "trials": ');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.code).toBe('invalid_json');
    const m = await runCli(['simulate', 'merge', '/no/such/part.json']);
    expect(m.code).toBe(2);
  });
  test('[SIM-009, SIM-012] a good scenario exits 0 with the summary', async () => {
    const r = await cli(['--workers', '0'], GOOD);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.id).toBe('cli');
    expect(s.trials).toBe(20000);
    expect(Object.keys(s)).toEqual(['id', 'seed', 'trials', 'targetingError', 'classicError', 'placementError', 'refused', 'hit', 'strokeFailure', 'manifest']);
    expect(s.manifest).toMatchObject({ generator: 'philox4x32-10', seed: 3, trials: 20000, workers: 0 });
  });
});

describe('[SIM-012] outputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stereotax-sim-'));
  test('csv: one row per sweep point, parameters first', async () => {
    const r = await cli(['--workers', '0', '--format', 'csv'], { ...GOOD, sweep: { 'marking.sigma': [0.05, 0.1, 0.2] } });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0].split(',');
    expect(header[0]).toBe('marking.sigma');
    expect(header).toContain('targetingError.z.sd');
    expect(header).toContain('hit.ci95.low');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0.05', '0.1', '0.2']);
    const sd = header.indexOf('targetingError.z.sd');
    const sds = lines.slice(1).map((l) => Number(l.split(',')[sd]));
    expect(sds[0]).toBeLessThan(sds[1]);
    expect(sds[1]).toBeLessThan(sds[2]);
  });
  test('shards to files with --out, merged by the CLI into the whole run; figures with --plots', async () => {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ ...GOOD, trials: 140000 }));
    for (const k of [1, 2, 3]) {
      const r = await runCli(['simulate', file, '--workers', '0', '--shard', `${k}/3`, '--out', join(dir, `part-${k}.json`)]);
      expect(r.code).toBe(0);
      expect(r.out).toBe('');
    }
    const plots = join(dir, 'plots');
    const merged = await runCli(['simulate', 'merge', ...[1, 2, 3].map((k) => join(dir, `part-${k}.json`)), '--plots', plots]);
    expect(merged.code).toBe(0);
    const whole = await runCli(['simulate', file, '--workers', '0']);
    const strip = (t: string) => {
      const s = JSON.parse(t);
      return { ...s, manifest: { ...s.manifest, workers: 0, elapsedSeconds: 0, trialsPerSecond: 0, shards: 0, kernel: '' } };
    };
    expect(strip(merged.out)).toEqual(strip(whole.out));
    const figures = readdirSync(plots).sort();
    expect(figures).toEqual(['classic-error.svg', 'hit-vs-radius.svg', 'placement-error.svg', 'targeting-error.svg']);
    for (const f of figures) expect(readFileSync(join(plots, f), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('[SIM-014] stopping a 1e10-trial run', () => {
  const huge = { ...GOOD, trials: 1e10 };
  test.each([0, 1])('an AbortSignal stops it (%d workers)', async (workers) => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    const err = await simulate(huge, { workers, signal: ac.signal }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(10000);
  });
  test('Ctrl-C on the CLI exits 1 and leaves no output file, whole or partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-sigint-'));
    const file = join(dir, 'huge.json');
    writeFileSync(file, JSON.stringify(huge));
    const out = join(dir, 'summary.json');
    const child = spawn(process.execPath, ['dist/cli.cjs', 'simulate', file, '--workers', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Time for the CLI to start on a loaded machine; the run itself never ends on its own.
    setTimeout(() => child.kill('SIGINT'), 6000);
    const guard = setTimeout(() => child.kill('SIGKILL'), 50000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(guard);
    expect(code).toBe(1);
    expect(stderr).toMatch(/stopped|aborted/);
    expect(readdirSync(dir)).toEqual(['huge.json']);
    expect(existsSync(out)).toBe(false);
  });
});
