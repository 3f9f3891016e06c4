// Spec section 6: JSON in, JSON out; arrays in order with errors in place; exit status.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fake-io.js';
import { refProject } from '../reference/independent.js';

const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const req = (z: number, extra: Record<string, unknown> = {}) => ({
  geometry: g,
  thickness: 45,
  views: [15, -15].map((angle) => ({ angle, ...refProject(g, angle, [4, 30, z]) })),
  ...extra,
});

describe('stereotax target', () => {
  it('[TGT-019, TGT-021] one request: exit 0, the result as JSON', async () => {
    const r = await runCli(['target', '-'], JSON.stringify(req(20)));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.target.z).toBeCloseTo(20, 9);
    expect(out.findings).toEqual([]);
    expect(r.err).toBe('');
  });

  it('[TGT-021, TGT-018] an error finding: exit 3 and the result is still printed', async () => {
    const r = await runCli(['target', '-'], JSON.stringify(req(5, { needle: { device: { throw: 22, apertureLength: 18, tipLength: 4 } } })));
    expect(r.code).toBe(3);
    const out = JSON.parse(r.out);
    expect(out.needle.strokeMargin).toBeCloseTo(-8, 9);
    expect(out.findings.map((f: { code: string }) => f.code)).toContain('negative_stroke_margin');
  });

  it('a warning only: exit 0', async () => {
    const r = await runCli(['target', '-'], JSON.stringify(req(19, { needle: { device: { throw: 0, apertureLength: 20, tipLength: 7 } } })));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).findings[0].code).toBe('low_stroke_margin');
  });

  it('[TGT-020] an array: results in order, an error element in place, exit 3 when an element carries an error finding, even beside an invalid one', async () => {
    const batch = [req(20), { ...req(20), thickness: 'thick' }, req(50), req(10, { id: 'last' })];
    const r = await runCli(['target', '-'], JSON.stringify(batch));
    expect(r.code).toBe(3);
    const out = JSON.parse(r.out);
    expect(out).toHaveLength(4);
    expect(out[0].target.z).toBeCloseTo(20, 9);
    expect(out[1].error).toMatchObject({ code: 'invalid_unit', path: 'thickness' });
    expect(out[1].error.message).toContain('thickness');
    expect(out[2].findings.map((f: { code: string }) => f.code)).toContain('target_outside_breast');
    expect(out[3].id).toBe('last');
    expect(r.err).toContain('[1]');
    expect(r.err).toContain('"thick"');
  });

  it('an array with error findings but no invalid element: exit 3; all fine: exit 0; empty: exit 0', async () => {
    expect((await runCli(['target', '-'], JSON.stringify([req(20), req(50)]))).code).toBe(3);
    expect((await runCli(['target', '-'], JSON.stringify([req(20), req(30)]))).code).toBe(0);
    const empty = await runCli(['target', '-'], '[]');
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.out)).toEqual([]);
  });

  it('--text prints a readable summary', async () => {
    const r = await runCli(['target', '-', '--text'], JSON.stringify(req(20, { imageSigma: 0.1 })));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/target\s+x 4\.00\s+y 30\.00\s+z 20\.00/);
    expect(r.out).toContain('uncertainty');
  });

  it('[API-013] --kernel scalar gives the same numbers as simd', async () => {
    const a = await runCli(['target', '-', '--kernel', 'scalar'], JSON.stringify(req(20)));
    const b = await runCli(['target', '-', '--kernel', 'simd'], JSON.stringify(req(20)));
    expect(a.out).toBe(b.out);
  });
});

describe('other commands', () => {
  it('demo: a summary by default, JSON with --json', async () => {
    const t = await runCli(['demo']);
    expect(t.code).toBe(0);
    expect(t.out).toContain('stroke margin');
    const j = await runCli(['demo', '--json']);
    expect(JSON.parse(j.out).target.z).toBeGreaterThan(0);
  });

  it('--help lists the commands and exit codes; no command is a usage error', async () => {
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('target');
    expect(h.out).toContain('Exit status');
    expect((await runCli([])).code).toBe(2);
  });

  it('--version', async () => {
    expect((await runCli(['--version'])).out.trim()).toBe('test');
  });
});
