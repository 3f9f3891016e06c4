/**
 * Input a physicist gets wrong (issue 19): an empty tester, a target measured twice, a
 * session dated in the future (UTC), fewer targets than the phantom has without
 * minTargets: refused (exit 2) with the field named, before anything is stored.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSession, utcToday } from '../../src/qa/session.js';
import { StereotaxError } from '../../src/core/errors.js';
import { runCli } from '../helpers/fake-io.js';
import { session } from './helpers/truth.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stereotax-qa-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all = () => session([-5, 20, 0], { A: { console: [0.01, 0, 0.02] }, B: { console: [0, 0.01, 0] }, C: {}, D: {}, E: { needle: [0.1, 0, 0] } }) as Record<string, unknown>;

async function refused(request: unknown, path: string, code?: string) {
  const db = join(dir, `db-${Math.random().toString(36).slice(2)}.sqlite`);
  const r = await runCli(['qa', '-', '--db', db], JSON.stringify(request));
  expect(r.code).toBe(2);
  const err = JSON.parse(r.out).error;
  expect(err.path).toBe(path);
  if (code) expect(err.code).toBe(code);
  expect(r.err).toContain(path);
  expect(existsSync(db)).toBe(false); // refused before the store is opened
  return err;
}

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('refused, the field named', () => {
  test('a complete session passes the checks (the baseline the others change one thing of)', async () => {
    const r = await runCli(['qa', '-'], JSON.stringify(all()));
    expect(r.code).toBe(0);
  });

  test('[QA-031] an empty or blank tester', async () => {
    await refused({ ...all(), tester: '' }, 'tester', 'invalid_value');
    await refused({ ...all(), tester: '   ' }, 'tester', 'invalid_value');
    // Not given at all stays allowed (the report then says "(not given)").
    const { tester: _t, ...noTester } = all();
    expect((await runCli(['qa', '-'], JSON.stringify(noTester))).code).toBe(0);
  });

  test('[QA-031] a target measured twice names the second measurement', async () => {
    const s = all();
    const m = s.measurements as Record<string, unknown>[];
    m[3] = { ...m[1] };
    const err = await refused(s, 'measurements[3].target', 'duplicate_value');
    expect(err.expected).toContain('measurements[1]');
  });

  test('[QA-031] a session dated after today (UTC) is refused; today is accepted', async () => {
    expect(utcToday(new Date('2026-12-07T23:59:59Z'))).toBe('2026-12-07');
    const err = await refused({ ...all(), date: dayOffset(1) }, 'date', 'out_of_range');
    expect(err.message).toMatch(/on or before today/);
    await refused({ ...all(), date: dayOffset(400) }, 'date');
    expect((await runCli(['qa', '-'], JSON.stringify({ ...all(), date: utcToday() }))).code).toBe(0);
    // The clock is an option of the API: the same session against another "today".
    expect(() => parseSession({ ...all(), date: '2026-11-21' }, { today: '2026-11-20' })).toThrow(StereotaxError);
    expect(parseSession({ ...all(), date: '2026-11-20' }, { today: '2026-11-20' }).date).toBe('2026-11-20');
  });

  test('[QA-031] fewer targets than the phantom has: refused, naming the missing ones, unless minTargets allows it', async () => {
    const s = all();
    const three = { ...s, measurements: (s.measurements as unknown[]).slice(0, 3) };
    const err = await refused(three, 'measurements', 'too_few_items');
    expect(err.expected).toContain('missing D, E');
    expect(err.expected).toContain('minTargets');
    expect((await runCli(['qa', '-'], JSON.stringify({ ...three, minTargets: 3 }))).code).toBe(0);
    const e4 = await refused({ ...three, minTargets: 4 }, 'measurements', 'too_few_items');
    expect(e4.expected).toContain('minTargets = 4');
    await refused({ ...three, minTargets: 6 }, 'minTargets');
    await refused({ ...three, minTargets: 0 }, 'minTargets');
    await refused({ ...three, minTargets: 2.5 }, 'minTargets');
  });
});
