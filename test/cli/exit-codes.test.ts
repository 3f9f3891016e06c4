// Exit status that never hides a safety finding (docs/embedding.md, "Exit status"):
// 3 whenever a computed element carries an error finding, whatever else failed; then
// 1 (engine, I/O), 2 (invalid input), 0. Standard output that fails (a full disk, a
// reader that closes the pipe) and a process stopped by a signal never exit 0, and
// nothing prints a stack trace. The process tests run the built bin (dist/cli.cjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { EXIT, runRequests, worst, type ExitCode, type Io } from '../../src/cli/io.js';
import { runCli } from '../helpers/fake-io.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.cjs');
const geometry = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const views = [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }];
const safe = { geometry, thickness: 45, views };
/** The target (z about 17.6) is above a 10 mm breast: target_outside_breast, an error finding. */
const unsafe = { geometry, thickness: 10, views };
const invalid = { geometry, thickness: -1, views };
const STACK = /\n\s+at .+:\d+:\d+/;

describe('precedence', () => {
  it('worst(): 3 over 1 over 2 over 0, for every pair, in either order', () => {
    const order: ExitCode[] = [0, 2, 1, 3];
    for (const a of order) for (const b of order) {
      const expected = order[Math.max(order.indexOf(a), order.indexOf(b))];
      expect(worst(a, b)).toBe(expected);
      expect(worst(b, a)).toBe(expected);
    }
  });

  it('an array with an error finding beside invalid elements exits 3, in any position', async () => {
    for (const batch of [[unsafe, invalid], [invalid, unsafe], [invalid, safe, unsafe, invalid]]) {
      const r = await runCli(['target', '-'], JSON.stringify(batch));
      expect(r.code).toBe(3);
      const out = JSON.parse(r.out);
      expect(out.filter((e: { error?: unknown }) => e.error)).toHaveLength(batch.filter((b) => b === invalid).length);
    }
    expect((await runCli(['target', '-'], JSON.stringify([safe, invalid]))).code).toBe(2);
    expect((await runCli(['target', '-'], JSON.stringify([safe, unsafe]))).code).toBe(3);
    expect((await runCli(['target', '-'], JSON.stringify([safe, safe]))).code).toBe(0);
  });

  it('an engine failure beside an error finding exits 3; beside invalid input, 1', async () => {
    const io: Io = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', stderrIsTTY: false };
    const run = (kinds: string[]) => runRequests<{ findings: { severity: string }[] }>(kinds, {
      io, label: 'test', asText: false, findings: (r) => r.findings as never,
      compute: (k) => {
        if (k === 'engine') throw new EngineError('engine_capacity', 'full');
        return { findings: k === 'unsafe' ? [{ severity: 'error' }] : [{ severity: 'warning' }] };
      },
    });
    expect(await run(['engine', 'unsafe'])).toBe(EXIT.unsafe);
    expect(await run(['unsafe', 'engine'])).toBe(EXIT.unsafe);
    expect(await run(['engine', 'ok'])).toBe(EXIT.internal);
    expect(await run(['ok', 'ok'])).toBe(EXIT.ok);
  });
});

function bin(args: string[], opts: { input?: string; stdout?: number | 'pipe' } = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, input: opts.input, encoding: 'utf8', stdio: ['pipe', opts.stdout ?? 'pipe', 'pipe'] });
}

const haveDevFull = existsSync('/dev/full') && statSync('/dev/full').isCharacterDevice();

describe.skipIf(!haveDevFull)('standard output on a full disk (/dev/full)', () => {
  const full = () => openSync('/dev/full', 'w');

  it('a result that cannot be written: exit 1, one line naming ENOSPC, no stack trace', () => {
    const fd = full();
    const r = bin(['target', '-'], { input: JSON.stringify(safe), stdout: fd });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write to standard output: ENOSPC/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('an error finding that cannot be written still exits 3', () => {
    const r = bin(['target', '-'], { input: JSON.stringify([unsafe, safe]), stdout: full() });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/ENOSPC/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--text, demo, --version and an invalid request: never 0, never a stack trace', () => {
    for (const [args, input, code] of [[['target', '-', '--text'], JSON.stringify(safe), 1], [['demo'], '', 1], [['--version'], '', 1], [['target', '-'], JSON.stringify(invalid), 1]] as const) {
      const r = bin([...args], { input, stdout: full() });
      expect(r.status, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(/ENOSPC/);
      expect(r.stderr).not.toMatch(STACK);
    }
  });
});

/** Runs the bin on a large batch, reads `keep` bytes of its output, then closes the pipe. */
function cutShort(batch: unknown[], keep: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stereotax-exit-'));
  const file = join(dir, 'batch.json');
  writeFileSync(file, JSON.stringify(batch));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'target', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let got = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= keep) child.stdout.destroy();
    });
    child.on('close', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stderr });
    });
  });
}

describe('a reader that stops early (EPIPE), and a signal', () => {
  const many = (n: number, first = safe) => [first, ...Array.from({ length: n }, () => safe)];

  it('a batch cut short by its reader exits 1 with one line, not 0', async () => {
    const r = await cutShort(many(6000), 1000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EPIPE.*the output is incomplete \(\d+ of 6001 results computed\)/);
    expect(r.stderr).not.toMatch(STACK);
  }, 60_000);

  it('cut short after an error finding was computed: exit 3', async () => {
    const r = await cutShort(many(6000, unsafe), 1000);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(STACK);
  }, 60_000);

  it('stopped by SIGTERM: exit 143 and a line saying the output is incomplete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-exit-'));
    const file = join(dir, 'batch.json');
    writeFileSync(file, JSON.stringify(many(200_000)));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'target', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', () => {
        if (!sent) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/stopped by SIGTERM; the output is incomplete/);
  }, 120_000);
});

describe('files that cannot be written', () => {
  it('simulate --out into a directory it may not write: exit 1, the path and the code, no stack trace', () => {
    const scenario = join(root, 'scenarios', 'biopsy-hit.json');
    let dir: string;
    let cleanup = () => {};
    if (process.getuid?.() === 0) {
      dir = '/sys'; // root ignores permission bits: sysfs refuses new files even to root
    } else {
      dir = mkdtempSync(join(tmpdir(), 'stereotax-ro-'));
      mkdirSync(join(dir, 'ro'), { mode: 0o500 });
      dir = join(dir, 'ro');
      cleanup = () => rmSync(join(dir, '..'), { recursive: true, force: true });
    }
    const out = join(dir, 'summary.json');
    const r = bin(['simulate', scenario, '--trials', '200', '--workers', '0', '--out', out]);
    cleanup();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EACCES|EPERM|EROFS/);
    expect(r.stderr).toContain(dir);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/internal error/);
  }, 60_000);
});
