// The kernel's summary against an independent Monte Carlo (test/reference/simulate-reference.ts)
// on scenarios fast-check generates: every statistic of spec section 4 within 5 standard
// errors of the difference between two independent estimates.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { simulate } from '../../src/simulate/run.js';
import type { Summary, Stats, RStats, Proportion } from '../../src/simulate/summary.js';
import { referenceMonteCarlo, type RefScenario } from '../reference/simulate-reference.js';

const KERNEL_TRIALS = 131072;
const REF_TRIALS = 60000;
const mm = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map((i) => i / 1000);

const scenarioArb: fc.Arbitrary<RefScenario> = fc.record({
  gap: mm(15, 30),
  sid: mm(600, 720),
  pivot: fc.oneof(fc.constant('detector' as const), mm(0, 40)),
  angles: fc.oneof(
    mm(10, 20).map((a) => [a, -a]),
    mm(10, 20).map((a) => [0, a]),
    mm(8, 15).map((a) => [-a, 0, a]),
  ),
  misAngle: mm(-0.5, 0.5),
  misSts: mm(-3, 3),
  thickness: fc.tuple(mm(25, 40), mm(0, 25)),
  markSigma: mm(0, 0.3),
  needle: fc.option(fc.record({
    aperture: mm(8, 22), tip: mm(0, 7), dev: mm(0, 1.5), dis: mm(0, 2), radius: mm(0.5, 4), sampling: mm(0, 2),
    minStroke: mm(-3, 3), readBias: mm(-2, 2), readSigma: mm(0, 2),
  }), { nil: undefined }),
}).map((r) => {
  const sts = r.sid - r.gap;
  const s: RefScenario = {
    trials: KERNEL_TRIALS,
    unit: {
      geometry: { sourceToDetector: r.sid, sourceToSupport: sts, rotationAxisHeight: r.pivot === 'detector' ? -r.gap : r.pivot },
      angles: r.angles,
      miscalibration: { angle: r.angles.map((_, k) => (k === 0 ? r.misAngle : { uniform: [-0.2, 0.2] as [number, number] })), sourceToSupport: { normal: [r.misSts, 1] } },
    },
    breast: { thickness: { uniform: [r.thickness[0], r.thickness[0] + r.thickness[1]] } },
    lesion: { x: { uniform: [-20, 20] }, y: { normal: [30, 8] }, zFraction: { uniform: [0.15, 0.85] } },
    marking: { sigma: r.markSigma },
  };
  if (r.needle) {
    const n = r.needle;
    s.lesion.radius = { uniform: [n.radius, n.radius + 1] };
    s.breast.thicknessReadout = { bias: n.readBias, sigma: n.readSigma };
    s.needle = { device: { throw: 0, apertureLength: n.aperture, tipLength: n.tip }, deviation: { sigma: [n.dev, n.dev, n.dev / 2] }, samplingRadius: n.sampling, minStrokeMargin: n.minStroke };
    s.tissue = { displacement: { sigma: [n.dis, n.dis / 2, n.dis] } };
  }
  return s;
});

function moments(values: number[]): { mean: number; sd: number; m4: number; rms: number; e4: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  let v = 0, m4 = 0, e2 = 0, e4 = 0;
  for (const x of values) {
    v += (x - mean) ** 2; m4 += (x - mean) ** 4; e2 += x * x; e4 += x ** 4;
  }
  return { mean, sd: Math.sqrt(v / n), m4: m4 / n, rms: Math.sqrt(e2 / n), e4: e4 / n };
}

function ecdf(sorted: number[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

const Z = 5;
const both = (n1: number, n2: number) => Math.sqrt(1 / n1 + 1 / n2);

function checkSample(label: string, values: number[], n1: number, got: Stats | RStats, signed: boolean, failures: string[]): void {
  const n2 = values.length;
  const m = moments(values);
  const f = both(n1, n2);
  const close = (name: string, a: number | null, b: number, se: number) => {
    if (a === null || !(Math.abs(a - b) <= Z * se + 1e-9)) failures.push(`${label}.${name}: kernel ${a}, reference ${b}, tolerance ${Z * se}`);
  };
  close('mean', got.mean, m.mean, m.sd * f);
  close('sd', got.sd, m.sd, (Math.sqrt(Math.max(m.m4 - m.sd ** 4, 0)) / (2 * m.sd || 1)) * f);
  if (signed) close('rms', (got as Stats).rms, m.rms, (Math.sqrt(Math.max(m.e4 - m.rms ** 4, 0)) / (2 * m.rms || 1)) * f);
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
    const v = got[name];
    const tol = Z * Math.sqrt(q * (1 - q)) * f;
    // The kernel reports the upper edge of a 0.001 mm bin: at least q at or below it, less than q below the bin.
    if (v === null || ecdf(abs, v) < q - tol || ecdf(abs, v - 0.001 - 1e-12) > q + tol) {
      failures.push(`${label}.${name}: kernel ${v}, reference CDF there ${v === null ? '-' : ecdf(abs, v)} (q ${q}, tolerance ${tol})`);
    }
  }
  if (!signed) {
    const max = (got as RStats).max;
    if (max === null || ecdf(abs, max) < 0.999 || max > abs[abs.length - 1] * 2 + 0.5) failures.push(`${label}.max: kernel ${max}, reference max ${abs[abs.length - 1]}`);
  }
}

function checkGroup(label: string, rows: number[][], n1: number, got: Summary['targetingError'] | undefined, failures: string[]): void {
  if (!got) {
    failures.push(`${label}: missing`);
    return;
  }
  checkSample(`${label}.x`, rows.map((r) => r[0]), n1, got.x, true, failures);
  checkSample(`${label}.y`, rows.map((r) => r[1]), n1, got.y, true, failures);
  checkSample(`${label}.z`, rows.map((r) => r[2]), n1, got.z, true, failures);
  checkSample(`${label}.r`, rows.map((r) => Math.hypot(r[0], r[1], r[2])), n1, got.r, false, failures);
}

function checkProportion(label: string, got: Proportion | undefined, count: number, of: number, failures: string[]): void {
  if (!got || got.of === 0 || of === 0) {
    if (got?.of !== 0 || of !== 0) failures.push(`${label}: kernel of ${got?.of}, reference of ${of}`);
    return;
  }
  const p1 = got.probability!, p2 = count / of;
  const pooled = (got.count + count) / (got.of + of);
  const se = Math.sqrt(pooled * (1 - pooled)) * both(got.of, of);
  if (!(Math.abs(p1 - p2) <= Z * se + 1e-12)) failures.push(`${label}: kernel ${p1}, reference ${p2}, tolerance ${Z * se}`);
  if (!(got.ci95![0] <= p1 && p1 <= got.ci95![1])) failures.push(`${label}: ${p1} outside its interval ${got.ci95}`);
}

describe('[SIM-003, SIM-005, SIM-010] kernel against an independent Monte Carlo', () => {
  test('every statistic of spec section 4 within 5 standard errors, on generated scenarios', async () => {
    let seed = 1;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const summary = (await simulate({ ...s, seed: seed++ }, { workers: 0 })) as Summary;
        const ref = referenceMonteCarlo({ ...s, trials: REF_TRIALS }, seed * 7919);
        const failures: string[] = [];
        checkGroup('targetingError', ref.targeting, summary.trials, summary.targetingError, failures);
        if (ref.classic) checkGroup('classicError', ref.classic, summary.trials, summary.classicError, failures);
        else if (summary.classicError) failures.push('classicError without a symmetric pair');
        if (s.needle) {
          checkProportion('refused', summary.refused, ref.refused, REF_TRIALS, failures);
          const placed = REF_TRIALS - ref.refused;
          if (summary.placementError && placed > 100 && summary.refused!.of - summary.refused!.count > 100) {
            checkGroup('placementError', ref.placement, summary.refused!.of - summary.refused!.count, summary.placementError, failures);
          }
          checkProportion('hit', summary.hit, ref.hit, placed, failures);
          checkProportion('strokeFailure', summary.strokeFailure, ref.stroke, placed, failures);
        } else if (summary.placementError || summary.hit || summary.refused) failures.push('needle statistics without a needle');
        expect(failures).toEqual([]);
      }),
      { numRuns: 5, endOnFailure: true },
    );
  });
});
