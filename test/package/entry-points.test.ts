// The built package as users get it: ESM and CJS entry points, and the bin as a real
// process (stdin, files, exit codes). `npm test` builds dist/ first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

const root = join(import.meta.dirname, '..', '..');
const request = {
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: 45,
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }],
};

function node(args: string[], input?: string) {
  return spawnSync(process.execPath, args, { cwd: root, input, encoding: 'utf8' });
}

describe('[API-019] package entry points', () => {
  it('CommonJS require() loads the wasm and targets', () => {
    const r = node(['-e', `require('./dist/index.cjs').target(${JSON.stringify(request)}).then(r => console.log(JSON.stringify(r.target)))`]);
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.z).toBeGreaterThan(17);
    expect(t.z).toBeLessThan(18);
  });

  it('ESM import loads the wasm and targets, with the same numbers as CJS', () => {
    const esm = node(['--input-type=module', '-e', `import { target } from './dist/index.js'; const r = await target(${JSON.stringify(request)}); console.log(JSON.stringify(r.target));`]);
    const cjs = node(['-e', `require('./dist/index.cjs').target(${JSON.stringify(request)}).then(r => console.log(JSON.stringify(r.target)))`]);
    expect(esm.status, esm.stderr).toBe(0);
    expect(esm.stdout).toBe(cjs.stdout);
  });

  it('package.json points at files that exist, and the bin is named stereotax', () => {
    expect(pkg.name).toBe('stereotax');
    expect(Object.keys(pkg.bin)).toEqual(['stereotax']);
    const r = node(['-e', `for (const f of ${JSON.stringify([pkg.main, pkg.module, pkg.types, pkg.bin.stereotax])}) require('fs').accessSync(f)`]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('the stereotax bin as a process', () => {
  const cli = pkg.bin.stereotax;

  it('[TGT-019] reads stdin with "-" and exits 0', () => {
    const r = node([cli, 'target', '-'], JSON.stringify(request));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).target.z).toBeCloseTo(17.5625, 3);
  });

  it('reads a file and an array; an error finding beside an invalid element exits 3 (a safety finding is never hidden)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-'));
    const file = join(dir, 'batch.json');
    writeFileSync(file, JSON.stringify([request, { ...request, thickness: -1 }, { ...request, thickness: 10 }]));
    const r = node([cli, 'target', file]);
    expect(r.status).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0].target).toBeDefined();
    expect(out[1].error.path).toBe('thickness');
    expect(out[2].findings.map((f: { code: string }) => f.code)).toContain('target_outside_breast');
    expect(r.stderr).toContain('thickness');
    expect(r.stderr).toContain('-1');
  });

  it('exits 3 when computed with an error finding, and still prints the result', () => {
    const r = node([cli, 'target', '-'], JSON.stringify({ ...request, thickness: 10 }));
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout).target).toBeDefined();
  });

  it('[API-012] malformed JSON: exit 2, a message, no stack trace', () => {
    const r = node([cli, 'target', '-'], '{"geometry": ');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).not.toMatch(/\bat .*\.(c?js|ts):\d+/);
  });

  it('npm start equivalent: demo prints a readable summary', () => {
    const r = node([cli, 'demo']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/target\s+x/);
    expect(r.stdout).toMatch(/stroke margin/);
  });

  it('--version prints the package version', () => {
    const r = node([cli, '--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
