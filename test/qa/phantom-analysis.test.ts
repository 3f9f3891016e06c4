/**
 * Phantom QA analysis (spec qa.md sections 1-3): sessions generated from known truth
 * (phantom points projected with the unit's geometry by an independent projector,
 * known errors added), every number and every pass/fail checked; boundaries exactly
 * at, just inside and just outside each limit; bad sessions of every kind.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { StereotaxError } from '../../src/core/errors.js';
import { PhantomQA, NotAnalysedError, analyzeSession, makeCheck, qaSession, type QAResult } from '../../src/qa/analysis.js';
import { parseSession } from '../../src/qa/session.js';
import { shippedPhantoms } from '../../src/qa/phantoms.js';
import { CUBE5, UNIT_GEOMETRY, add, marks, session, type P3 } from './helpers/truth.js';
import { refusal } from '../helpers/refusal.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const analyse = (req: unknown, options = {}): QAResult => analyzeSession(engine, parseSession(req), options);
const AX = ['x', 'y', 'z'] as const;
const vec = (p: P3) => ({ x: p[0], y: p[1], z: p[2] });

function expectVec(actual: { x: number; y: number; z: number }, expected: P3, digits = 9) {
  AX.forEach((a, k) => expect(actual[a]).toBeCloseTo(expected[k], digits));
}

/** Independent summary: max |e|, mean e, rms e. */
function stats(values: number[]) {
  return {
    maxAbs: Math.max(...values.map((v) => Math.abs(v))),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    rms: Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length),
  };
}

describe('[QA-001] shipped phantoms', () => {
  test('every shipped phantom is labelled typical with a source, unique ids and labels', () => {
    const list = shippedPhantoms();
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(new Set(list.map((p) => p.id)).size).toBe(list.length);
    for (const p of list) {
      expect(p.typical).toBe(true);
      expect(p.source.length).toBeGreaterThan(20);
      expect(new Set(p.targets.map((t) => t.label)).size).toBe(p.targets.length);
    }
    const cube = list.find((p) => p.id === 'cube-5')!;
    expect(cube.targets.map((t) => [t.label, t.position])).toEqual(Object.entries(CUBE5));
  });
});

describe('sessions from known truth', () => {
  const origin: P3 = [-5, 20, 0];
  const errs = {
    A: { console: [0.02, -0.03, 0.05] as P3, needle: [0.3, -0.2, 0.7] as P3 },
    B: { console: [0, 0, 0.15] as P3, needle: [0.1, 0.2, -1.2] as P3 },
    C: { target: [0.2, 0, 0.4] as P3, needle: [0, 0, 0.3] as P3 },
    D: { console: [-0.05, 0.04, 0.02] as P3, target: [0.6, -0.3, 1.1] as P3 },
  };
  let r: QAResult;
  beforeAll(() => {
    r = analyse(session(origin, errs, { action: 0.5 }));
  });

  test('[QA-003] points: truth = origin + position, target and needle triangulated back, console as given', () => {
    for (const [i, [label, e]] of Object.entries(errs).entries()) {
      const m = r.measurements[i];
      expect(m.target).toBe(label);
      const truth = add(origin, CUBE5[label]);
      const tgt = add(truth, (e as { target?: P3 }).target ?? [0, 0, 0]);
      expectVec(m.points.truth!, truth, 12);
      expectVec(m.points.target!, tgt);
      if ('needle' in e) expectVec(m.points.needle!, add(tgt, e.needle));
      else expect(m.points.needle).toBeUndefined();
      if ('console' in e) expectVec(m.points.console!, add(tgt, e.console), 12);
      else expect(m.points.console).toBeUndefined();
    }
  });

  test('[QA-004] every check: error, abs, limit, per-axis pass and passed', () => {
    const [A, B, C, D] = r.measurements;
    expectVec(A.checks.calculation!.error, errs.A.console);
    expectVec(A.checks.localization!.error, errs.A.needle);
    expectVec(A.checks.consoleVsTruth!.error, errs.A.console);
    expectVec(A.checks.targetVsTruth!.error, [0, 0, 0]);
    expect(A.localizationReference).toBe('target');
    expect(Object.keys(A.checks)).toEqual(['calculation', 'localization', 'consoleVsTruth', 'targetVsTruth']);
    // B: calculation z 0.15 > 0.1, localization z 1.2 > 1.
    expect(B.checks.calculation!.pass).toEqual({ x: true, y: true, z: false });
    expect(B.checks.calculation!.passed).toBe(false);
    expect(B.checks.localization!.pass).toEqual({ x: true, y: true, z: false });
    expectVec(B.checks.localization!.abs, [0.1, 0.2, 1.2]);
    expect(B.checks.localization!.limit).toEqual({ x: 1, y: 1, z: 1 });
    expect(B.checks.calculation!.limit).toEqual({ x: 0.1, y: 0.1, z: 0.1 });
    // C: no console, so no calculation or consoleVsTruth.
    expect(Object.keys(C.checks)).toEqual(['localization', 'targetVsTruth']);
    expectVec(C.checks.targetVsTruth!.error, [0.2, 0, 0.4]);
    expect(C.checks.targetVsTruth!.passed).toBe(true);
    // D: the target is 1.1 mm off in z: targetVsTruth fails in z, consoleVsTruth = console error + target error.
    expectVec(D.checks.targetVsTruth!.error, [0.6, -0.3, 1.1]);
    expect(D.checks.targetVsTruth!.pass).toEqual({ x: true, y: true, z: false });
    expectVec(D.checks.consoleVsTruth!.error, [0.55, -0.26, 1.12]);
    expect(D.checks.consoleVsTruth!.pass).toEqual({ x: true, y: true, z: false });
    expect(D.checks.localization).toBeUndefined();
  });

  test('[QA-007, QA-006] findings: one error per failing axis with path, value and limit; action_level warnings', () => {
    const errors = r.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.path]);
    expect(errors).toEqual([
      ['calculation_out_of_tolerance', 'measurements[1].checks.calculation.abs.z'],
      ['localization_out_of_tolerance', 'measurements[1].checks.localization.abs.z'],
      ['truth_out_of_tolerance', 'measurements[3].checks.consoleVsTruth.abs.z'],
      ['truth_out_of_tolerance', 'measurements[3].checks.targetVsTruth.abs.z'],
    ]);
    const loc = r.findings.find((f) => f.code === 'localization_out_of_tolerance')!;
    expect(loc.value).toBeCloseTo(1.2, 9);
    expect(loc.limit).toBe(1);
    expect(loc.message).toContain('target B');
    const warnings = r.findings.filter((f) => f.severity === 'warning').map((f) => f.path);
    // A: localization z 0.7 > 0.5; D: consoleVsTruth x 0.55 and targetVsTruth x 0.6 > 0.5.
    expect(warnings).toEqual([
      'measurements[0].checks.localization.abs.z',
      'measurements[3].checks.consoleVsTruth.abs.x',
      'measurements[3].checks.targetVsTruth.abs.x',
    ]);
    expect(r.passed).toBe(false);
  });

  test('[QA-010] summary: maxAbs, mean and rms per check and axis over the measurements that have the check', () => {
    const loc = [errs.A.needle, errs.B.needle, errs.C.needle];
    AX.forEach((a, k) => {
      const s = stats(loc.map((e) => e[k]));
      expect(r.summary.localization![a].maxAbs).toBeCloseTo(s.maxAbs, 9);
      expect(r.summary.localization![a].mean).toBeCloseTo(s.mean, 9);
      expect(r.summary.localization![a].rms).toBeCloseTo(s.rms, 9);
    });
    expect(r.summary.localization!.count).toBe(3);
    expect(r.summary.calculation!.count).toBe(3);
    expect(r.summary.targetVsTruth!.count).toBe(4);
    const tvt = [[0, 0, 0], [0, 0, 0], errs.C.target, errs.D.target];
    expect(r.summary.targetVsTruth!.z.rms).toBeCloseTo(stats(tvt.map((e) => e[2])).rms, 9);
  });

  test('[QA-016] result fields in the spec, meta with version and time', () => {
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['unit', 'date', 'phantom', 'measurements', 'summary', 'passed', 'findings', 'meta']));
    expect(r.unit).toMatchObject({ id: 'room-2', name: 'prone table, room 2', site: 'main campus', geometry: UNIT_GEOMETRY });
    expect(r.phantom).toBe('cube-5');
    expect(r.date).toBe('2026-11-20');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(r.meta.stereotaxVersion).toBe(pkg.version);
    expect(Number.isNaN(Date.parse(r.meta.analysedAt))).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity|null,"y"/);
  });

  test('[QA-009] a clean session passes with no finding', () => {
    const clean = analyse(session(origin, { A: { console: [0.01, 0, -0.01], needle: [0.2, 0.1, -0.3] }, E: { needle: [0, 0, 0.4] } }));
    expect(clean.passed).toBe(true);
    expect(clean.findings).toEqual([]);
  });

  test('without targetMarks, localization compares the needle with the truth', () => {
    const req = session(origin, { A: { needle: [0.3, 0, -0.4] } });
    const m = req.measurements[0] as Record<string, unknown>;
    delete m.targetMarks;
    const res = analyse(req);
    expect(res.measurements[0].localizationReference).toBe('truth');
    expectVec(res.measurements[0].checks.localization!.error, [0.3, 0, -0.4]);
    expect(Object.keys(res.measurements[0].checks)).toEqual(['localization']);
  });

  test('[QA-007] marks that do not meet fail the session with the targeting finding, path named', () => {
    const req = session(origin, { A: { needle: [0, 0, 0] } });
    const tm = (req.measurements[0] as { targetMarks: { v: number }[] }).targetMarks;
    tm[0].v += 3;
    const res = analyse(req);
    const f = res.findings.find((x) => x.code === 'rays_disagree')!;
    expect(f.severity).toBe('error');
    expect(f.path).toBe('measurements[0].targetMarks.rayGap');
    expect(res.passed).toBe(false);
  });

  test('per-axis limits', () => {
    const res = analyse(session(origin, { A: { needle: [0.8, 0.8, 1.4] } }, { tolerance: { x: 0.5, y: 1, z: 1.5 } }));
    expect(res.measurements[0].checks.localization!.pass).toEqual({ x: false, y: true, z: true });
  });
});

describe('properties', () => {
  const mm = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map((i) => i / 1000);
  const p3 = (lo: number, hi: number) => fc.tuple(mm(lo, hi), mm(lo, hi), mm(lo, hi)) as fc.Arbitrary<P3>;

  test('[QA-009, QA-005] any placement and errors: each axis passes exactly when |known error| <= limit; passed iff no error finding', () => {
    fc.assert(fc.property(p3(-20, 20).map(([x, y, z]) => [x, y + 20, Math.abs(z) / 4] as P3), p3(-2, 2), p3(-0.2, 0.2), p3(-1, 1), mm(0.3, 1.5),
      (origin, needle, consoleErr, targetErr, tol) => {
        const near = [...needle, ...consoleErr, ...AX.map((_, k) => consoleErr[k] + targetErr[k]), ...targetErr]
          .some((e) => Math.abs(Math.abs(e) - tol) < 1e-6 || Math.abs(Math.abs(e) - 0.1) < 1e-6);
        fc.pre(!near);
        const res = analyse(session(origin, { B: { console: consoleErr, target: targetErr, needle } }, { tolerance: tol }));
        const c = res.measurements[0].checks;
        AX.forEach((a, k) => {
          expect(c.localization!.pass[a]).toBe(Math.abs(needle[k]) <= tol);
          expect(c.calculation!.pass[a]).toBe(Math.abs(consoleErr[k]) <= 0.1);
          expect(c.targetVsTruth!.pass[a]).toBe(Math.abs(targetErr[k]) <= tol);
          expect(c.consoleVsTruth!.error[a]).toBeCloseTo(consoleErr[k] + targetErr[k], 8);
        });
        expect(res.passed).toBe(!res.findings.some((f) => f.severity === 'error'));
        expect(res.passed).toBe(Object.values(c).every((ch) => ch!.passed));
      }), { numRuns: 60, seed: 20261120 });
  });

  test('every number in the result is finite', () => {
    fc.assert(fc.property(p3(-30, 30).map(([x, y, z]) => [x, y + 30, Math.abs(z) / 3] as P3), p3(-3, 3), (origin, needle) => {
      const res = analyse(session(origin, { A: { console: needle, needle }, E: { needle } }));
      const walk = (v: unknown): void => {
        if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(res);
    }), { numRuns: 40, seed: 7 });
  });
});

describe('[QA-005] boundaries: exactly at the limit passes, just outside fails', () => {
  // Console points only (no marks): the errors are exact decimal arithmetic on integers.
  const consoleOnly = (err: P3, extra: Record<string, unknown> = {}) => ({
    unit: { id: 'room-2' }, date: '2026-11-20', phantom: 'cube-5', placement: { origin: [-5, 20, 0] },
    measurements: [{ target: 'A', console: add([-5, 20, 10], err) }], minTargets: 1, ...extra,
  });
  test.each([
    [[1, -1, 1] as P3, true],
    [[0.999, -0.999, 0.999] as P3, true],
    [[1.001, 0, 0] as P3, false],
    [[0, -1.001, 0] as P3, false],
    [[0, 0, 1.001] as P3, false],
  ])('tolerance 1, console error %j: passed %s', (err, pass) => {
    const r = analyse(consoleOnly(err));
    expect(r.passed).toBe(pass);
    expect(r.findings.filter((f) => f.code === 'truth_out_of_tolerance').length).toBe(pass ? 0 : 1);
  });

  test('[QA-006] action level: exactly at it no warning, just above a warning, above tolerance an error only', () => {
    const codes = (err: P3) => analyse(consoleOnly(err, { action: 0.5 })).findings.map((f) => f.code);
    expect(codes([0.5, -0.5, 0.5])).toEqual([]);
    expect(codes([0.501, 0, 0])).toEqual(['action_level']);
    expect(codes([0, -0.501, 0])).toEqual(['action_level']);
    expect(codes([1, 0, 0])).toEqual(['action_level']);
    expect(codes([1.001, 0, 0])).toEqual(['truth_out_of_tolerance']);
  });

  test('per-axis tolerance object at its limits', () => {
    const r = analyse(consoleOnly([0.25, -2, 0.75], { tolerance: { x: 0.25, y: 2, z: 0.5 } }));
    expect(r.measurements[0].checks.consoleVsTruth!.pass).toEqual({ x: true, y: true, z: false });
  });

  test('makeCheck: at the limit (to the 1e-9 mm of src/core/limits.ts) passes, 0.001 mm over fails', () => {
    const c = makeCheck({ x: 0.1, y: -0.1 - 1e-12, z: 0.101 }, { x: 0, y: 0, z: 0 }, { x: 0.1, y: 0.1, z: 0.1 });
    expect(c.pass).toEqual({ x: true, y: true, z: false });
    expect(c.passed).toBe(false);
    expect(makeCheck({ x: 0, y: 0, z: 0 }, { x: 0, y: 0, z: 0 }, { x: 0.1, y: 0.1, z: 0.1 }).passed).toBe(true);
  });

  test('calculation tolerance just inside and just outside, through the triangulation', () => {
    const r = analyse(session([-5, 20, 0], { A: { console: [0.0999, -0.0999, 0.0999] }, B: { console: [0.1001, 0, -0.1001] } }));
    expect(r.measurements[0].checks.calculation!.passed).toBe(true);
    expect(r.measurements[1].checks.calculation!.pass).toEqual({ x: false, y: true, z: false });
    expect(r.findings.filter((f) => f.code === 'calculation_out_of_tolerance').map((f) => f.path)).toEqual([
      'measurements[1].checks.calculation.abs.x', 'measurements[1].checks.calculation.abs.z']);
  });
});

describe('[QA-021] PhantomQA (pylinac style)', () => {
  const req = session([0, 30, 0], { A: { console: [0, 0, 0.02], needle: [0.2, 0.1, 0.6] } }, { action: 0.5 });

  test('reading results before analyze() is an error', () => {
    const qa = new PhantomQA(req);
    expect(qa.analysed).toBe(false);
    expect(() => qa.results()).toThrow(NotAnalysedError);
    expect(() => qa.resultsData()).toThrow(NotAnalysedError);
    expect(() => qa.passed).toThrow(NotAnalysedError);
  });

  test('analyze() then results as text and as typed data with version, date and warnings', async () => {
    const qa = await new PhantomQA(req).analyze({ analysedAt: new Date('2026-11-21T08:00:00Z') });
    const data = qa.resultsData();
    expect(data.meta).toEqual({ stereotaxVersion: JSON.parse(readFileSync('package.json', 'utf8')).version, analysedAt: '2026-11-21T08:00:00.000Z' });
    expect(data.date).toBe('2026-11-20');
    expect(data.warnings).toHaveLength(1);
    expect(data.warnings[0]).toContain('action level');
    expect(qa.passed).toBe(true);
    const text = qa.results();
    expect(text).toContain('PASSED');
    expect(text).toContain('room-2');
    expect(text).toContain('localization');
    data.measurements[0].target = 'changed';
    expect(qa.resultsData().measurements[0].target).toBe('A');
  });

  test('analyze(options) overrides the limits, validated', async () => {
    const qa = new PhantomQA(req);
    expect(qa.analyzeWith(engine, { tolerance: 0.5, action: null }).passed).toBe(false);
    expect(qa.analyzeWith(engine, { tolerance: 0.7 }).passed).toBe(true);
    expect(qa.analyzeWith(engine, { tolerance: 1, action: null }).resultsData().warnings).toEqual([]);
    expect(() => qa.analyzeWith(engine, { tolerance: 0.4 })).toThrow(/action/);
    expect(() => qa.analyzeWith(engine, { tolerance: -1 })).toThrow(StereotaxError);
  });

  test('[QA-001] a user phantom replaces the shipped one by id', async () => {
    const mine = { id: 'cube-5', name: 'our cube', source: 'measured 2026-10', targets: [{ label: 'A', position: [1, 2, 12] }] };
    const shipped = await qaSession({ ...req, measurements: [{ target: 'A', console: [1, 32, 12] }] });
    expect(shipped.measurements[0].checks.consoleVsTruth!.passed).toBe(false);
    const own = await qaSession({ ...req, measurements: [{ target: 'A', console: [1, 32, 12] }] }, { phantoms: [mine as never] });
    expectVec(own.measurements[0].checks.consoleVsTruth!.error, [0, 0, 0], 12);
    const inline = await qaSession({ ...req, phantom: mine, measurements: [{ target: 'A', console: [1, 32, 12] }] });
    expect(inline.passed).toBe(true);
    expect(inline.phantom).toBe('cube-5');
  });
});

describe('[QA-002, QA-008] bad sessions: refused before anything is computed, the field named', () => {
  const good = () => session([-5, 20, 0], { A: { console: [0, 0, 0], needle: [0, 0, 0] } }) as Record<string, unknown>;
  const m0 = (s: Record<string, unknown>) => (s.measurements as Record<string, unknown>[])[0];
  const cases: [string, (s: Record<string, unknown>) => void, string, string][] = [
    ['not an object', (s) => Object.keys(s).forEach((k) => delete s[k]), 'unit', 'missing_field'],
    ['unknown field', (s) => (s.colour = 'red'), 'colour', 'unknown_field'],
    ['missing unit', (s) => delete s.unit, 'unit', 'missing_field'],
    ['unit without id', (s) => delete (s.unit as Record<string, unknown>).id, 'unit.id', 'missing_field'],
    ['bad date', (s) => (s.date = '2026-02-30'), 'date', 'invalid_value'],
    ['date not ISO', (s) => (s.date = '20/11/2026'), 'date', 'invalid_value'],
    ['bad kind', (s) => (s.kind = 'radiologist'), 'kind', 'invalid_value'],
    ['unknown phantom', (s) => (s.phantom = 'nope'), 'phantom', 'unknown_reference'],
    ['inline phantom, duplicate labels', (s) => (s.phantom = { id: 'p', targets: [{ label: 'A', position: [0, 0, 1] }, { label: 'A', position: [0, 0, 2] }] }), 'phantom.targets[1].label', 'duplicate_value'],
    ['inline phantom, short position', (s) => (s.phantom = { id: 'p', targets: [{ label: 'A', position: [0, 0] }] }), 'phantom.targets[0].position', 'too_few_items'],
    ['label the phantom lacks', (s) => (m0(s).target = 'Z'), 'measurements[0].target', 'unknown_reference'],
    ['no measurements', (s) => (s.measurements = []), 'measurements', 'too_few_items'],
    ['measurement with nothing', (s) => (s.measurements = [{ target: 'A' }]), 'measurements[0]', 'missing_field'],
    ['console of two numbers', (s) => (m0(s).console = [1, 2]), 'measurements[0].console', 'too_few_items'],
    ['console not finite', (s) => (m0(s).console = [1, 2, 'x']), 'measurements[0].console[2]', 'invalid_unit'],
    ['mark angle out of range', (s) => ((m0(s).targetMarks as Record<string, unknown>[])[1].angle = 95), 'measurements[0].targetMarks[1].angle', 'out_of_range'],
    ['one needle mark', (s) => (m0(s).needleMarks = [(m0(s).needleMarks as unknown[])[0]]), 'measurements[0].needleMarks', 'too_few_items'],
    ['pixel marks without detector', (s) => (m0(s).targetMarks = [{ angle: 15, col: 1, row: 2 }, { angle: -15, col: 3, row: 2 }]), 'detector', 'missing_field'],
    ['marks without geometry', (s) => delete (s.unit as Record<string, unknown>).geometry, 'unit.geometry', 'missing_field'],
    ['bad geometry', (s) => ((s.unit as { geometry: Record<string, unknown> }).geometry.sourceToSupport = 700), 'unit.geometry.sourceToSupport', 'invalid_geometry'],
    ['negative tolerance', (s) => (s.tolerance = -1), 'tolerance', 'out_of_range'],
    ['tolerance missing an axis', (s) => (s.tolerance = { x: 1, y: 1 }), 'tolerance.z', 'missing_field'],
    ['action not below tolerance', (s) => { s.tolerance = 1; s.action = 1; }, 'action', 'out_of_range'],
    ['action per axis above tolerance', (s) => { s.action = { x: 0.5, y: 1.2, z: 0.5 }; }, 'action.y', 'out_of_range'],
    ['calculation tolerance zero', (s) => (s.calculationTolerance = 0), 'calculationTolerance', 'out_of_range'],
    ['placement without origin', (s) => (s.placement = {}), 'placement.origin', 'missing_field'],
    ['no truth and no target marks', (s) => { delete s.placement; delete m0(s).targetMarks; }, 'measurements[0]', 'missing_field'],
    ['prototype key', (s) => Object.defineProperty(s, '__proto__', { value: 1, enumerable: true }), '__proto__', 'forbidden_key'],
  ];
  test.each(cases)('%s', (_name, mutate, path, code) => {
    const s = good();
    mutate(s);
    const issues = refusal(() => parseSession(s)).issues;
    const hit = issues.find((i) => i.path === path);
    expect(hit, `issues: ${JSON.stringify(issues.map((i) => [i.path, i.code]))}`).toBeDefined();
    expect(hit!.code).toBe(code);
    expect(hit!.message).toContain(path === '' ? '' : path.split('[')[0]);
  });

  test('a phantom without thickness: the triangulation assumes one and says so (info)', () => {
    const s = session([0, 30, 0], { A: { needle: [0, 0, 0] } }) as Record<string, unknown>;
    s.phantom = { id: 'thin', targets: [{ label: 'A', position: [0, 0, 10] }] };
    const r = analyse(s);
    expect(r.findings.map((f) => [f.code, f.severity, f.value])).toEqual([['phantom_thickness_assumed', 'info', 30]]);
    expect(r.passed).toBe(true);
  });

  test('marks given in pixels with a detector calibration', () => {
    const truth: P3 = [-5, 20, 10];
    const mk = marks(UNIT_GEOMETRY, truth).map((m) => ({ angle: m.angle, col: m.u / 0.1 + 1000, row: m.v / 0.1 }));
    const r = analyse({
      unit: { id: 'u', geometry: UNIT_GEOMETRY }, date: '2026-11-20', phantom: 'cube-5', placement: { origin: [-5, 20, 0] },
      detector: { pixelSpacing: 0.1, origin: { col: 1000, row: 0 } },
      measurements: [{ target: 'A', targetMarks: mk }], minTargets: 1,
    });
    expectVec(r.measurements[0].points.target!, truth, 8);
    expect(vec(truth)).toEqual(r.measurements[0].points.truth);
  });
});
