/**
 * markResolution (issue 19): marks read to r mm move the exact triangulation by up to
 * sum_j |J_ij| r/2 per axis; the calculation check allows that on top of its
 * tolerance. Checked against an independent reference (test/reference/independent.ts,
 * mathjs least squares, no src code): the largest deviation over every corner of the
 * rounding box, found by triangulating all 16 corners.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { analyzeSession, qaText, roundingAllowance } from '../../src/qa/analysis.js';
import { parseSession } from '../../src/qa/session.js';
import { refTriangulate, type RefMark } from '../reference/independent.js';
import { CUBE5, UNIT_GEOMETRY, add, project, type P3 } from './helpers/truth.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const round = (x: number, r: number) => Math.round(x / r) * r;

/** The reference: the exact target of the rounded marks moved to every corner of the rounding box; max |deviation| per axis. */
function cornerWorstCase(marks: RefMark[], r: number): P3 {
  const centre = refTriangulate(UNIT_GEOMETRY, marks);
  const worst: P3 = [0, 0, 0];
  const n = marks.length * 2;
  for (let bits = 0; bits < 1 << n; bits++) {
    const moved = marks.map((m, k) => ({
      ...m,
      u: m.u + ((bits >> (2 * k)) & 1 ? r / 2 : -r / 2),
      v: m.v + ((bits >> (2 * k + 1)) & 1 ? r / 2 : -r / 2),
    }));
    const p = refTriangulate(UNIT_GEOMETRY, moved);
    for (let i = 0; i < 3; i++) worst[i] = Math.max(worst[i], Math.abs(p[i] - centre[i]));
  }
  return worst;
}

/** A perfect unit: its console gives the exact target of the unrounded marks; the physicist writes the marks rounded to r. */
function perfectSession(origin: P3, r: number, consoleOffset: P3 = [0, 0, 0], angles = [15, -15]) {
  return {
    unit: { id: 'room-2', geometry: UNIT_GEOMETRY }, date: '2026-11-20', tester: 'A. Physicist', phantom: 'cube-5', placement: { origin },
    calculationTolerance: 0.1, ...(r > 0 ? { markResolution: r } : {}),
    measurements: Object.entries(CUBE5).map(([label, pos]) => {
      const truth = add(origin, pos);
      return {
        target: label,
        console: add(truth, consoleOffset),
        targetMarks: angles.map((a) => {
          const m = project(UNIT_GEOMETRY, a, truth);
          return { angle: a, u: round(m.u, r || 1e-9), v: round(m.v, r || 1e-9) };
        }),
      };
    }),
  };
}

describe('the rounding allowance', () => {
  test('[QA-025] equals the worst case over the rounding box corners of an independent triangulation (16 corners, 2 views)', () => {
    for (const [p, r] of [[[0, 30, 20], 0.1], [[-12.3, 41.7, 8.2], 0.1], [[25, -10, 35], 0.05], [[3, 3, 3], 0.5]] as [P3, number][]) {
      const marks = [15, -15].map((a) => project(UNIT_GEOMETRY, a, p));
      const input = parseSession({ ...perfectSession([0, 0, 0], 0), measurements: [{ target: 'A', targetMarks: marks, console: p }], minTargets: 1 }).measurements[0].targetMarks!;
      const got = roundingAllowance(engine, input, r);
      const want = cornerWorstCase(marks, r);
      // First order against exact corners: they differ by the second-order term only,
      // 1.5e-5 mm of 0.12 at r = 0.1, 3.5e-4 mm of 0.25 at r = 0.5 (it grows with r^2).
      for (const [i, k] of (['x', 'y', 'z'] as const).entries()) expect(Math.abs(got[k] - want[i]), k).toBeLessThan(1e-3 * want[i] + 2e-3 * r * r);
      // At +/-15 degrees rounding to 0.1 mm moves z by about 0.12 mm, x and y by about 0.05.
      if (r === 0.1) {
        expect(got.z).toBeGreaterThan(0.1);
        expect(got.z).toBeLessThan(0.2);
      }
    }
  });

  test('property: for any target and resolution, the allowance bounds the error of any rounding inside the box', () => {
    const coord = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);
    fc.assert(fc.property(coord(-30, 30), coord(-20, 60), coord(2, 40), fc.integer({ min: 1, max: 50 }).map((i) => i / 100),
      fc.array(coord(-0.5, 0.5), { minLength: 4, maxLength: 4 }), (x, y, z, r, frac) => {
        const marks = [15, -15].map((a) => project(UNIT_GEOMETRY, a, [x, y, z]));
        const input = parseSession({ ...perfectSession([0, 0, 0], 0), measurements: [{ target: 'A', targetMarks: marks, console: [x, y, z] }], minTargets: 1 }).measurements[0].targetMarks!;
        const a = roundingAllowance(engine, input, r);
        const moved = marks.map((m, k) => ({ ...m, u: m.u + frac[2 * k] * r, v: m.v + frac[2 * k + 1] * r }));
        const p0 = refTriangulate(UNIT_GEOMETRY, marks);
        const p1 = refTriangulate(UNIT_GEOMETRY, moved);
        return Math.abs(p1[0] - p0[0]) <= a.x + 1e-7 && Math.abs(p1[1] - p0[1]) <= a.y + 1e-7 && Math.abs(p1[2] - p0[2]) <= a.z + 1e-7;
      }), { numRuns: 60 });
  });
});

describe('the calculation check with markResolution', () => {
  test('[QA-025] a perfect unit whose marks were read to 0.1 mm: fails without markResolution, passes with it', () => {
    // Placements chosen so that rounding pushes some target past 0.1 mm.
    let failedWithout = 0;
    for (const origin of [[-5, 20, 0], [3.37, 27.71, 1.23], [-8.04, 33.35, 4.46], [6.66, 18.88, 2.02]] as P3[]) {
      const without = analyzeSession(engine, parseSession(perfectSession(origin, 0.1).measurements ? { ...perfectSession(origin, 0.1), markResolution: undefined } : {}));
      if (!without.passed) failedWithout++;
      const withIt = analyzeSession(engine, parseSession(perfectSession(origin, 0.1)));
      expect(withIt.passed, `origin ${origin}`).toBe(true);
      expect(withIt.limits.markResolution).toBe(0.1);
      for (const m of withIt.measurements) {
        const c = m.checks.calculation!;
        expect(c.roundingAllowance!.z).toBeGreaterThan(0);
        expect(c.limit.z).toBeCloseTo(0.1 + c.roundingAllowance!.z, 12);
      }
    }
    expect(failedWithout).toBeGreaterThan(0);
  });

  test('a console 0.3 mm off still fails, on any axis', () => {
    for (const off of [[0.3, 0, 0], [0, 0.3, 0], [0, 0, 0.3], [0, 0, -0.3]] as P3[]) {
      const r = analyzeSession(engine, parseSession(perfectSession([-5, 20, 0], 0.1, off)));
      expect(r.passed, `offset ${off}`).toBe(false);
      const f = r.findings.find((x) => x.code === 'calculation_out_of_tolerance')!;
      expect(f.message).toMatch(/calculation tolerance 0\.10 mm plus 0\.\d{3} mm that reading the marks to 0\.1 mm can cause/);
    }
  });

  test('markResolution 0 (the default) leaves the limit the tolerance; bad values are refused with the field named', () => {
    const r = analyzeSession(engine, parseSession(perfectSession([-5, 20, 0], 0)));
    expect(r.limits.markResolution).toBe(0);
    expect(r.measurements[0].checks.calculation!.limit).toEqual({ x: 0.1, y: 0.1, z: 0.1 });
    expect(r.measurements[0].checks.calculation!.roundingAllowance).toBeUndefined();
    for (const bad of [-0.1, 3, '0.1 deg', 'fine', null, Number.NaN]) {
      expect(() => parseSession({ ...perfectSession([-5, 20, 0], 0), markResolution: bad }), String(bad)).toThrow(/markResolution/);
    }
  });

  test('[QA-025] the text output says the limit allows rounding', () => {
    const r = analyzeSession(engine, parseSession(perfectSession([-5, 20, 0], 0.1)));
    expect(qaText(r)).toContain('marks read to 0.1 mm');
  });
});
