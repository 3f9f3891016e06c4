/**
 * One rule for every clinical limit (src/core/limits.ts): a value equal to its limit,
 * to 1e-9 mm, meets it; 0.001 mm past it does not. Each limit is exercised on both
 * sides through the public computation that applies it, with inputs typed as a user
 * types them (so the arithmetic leaves its rounding in the value), e.g. the 1.00 mm
 * QA tolerance against |-15.42 - (-16.42)| = 1.0000000000000018.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { LIMIT_SLACK_MM, belowMin, exceedsMax, meetsMin, withinMax } from '../../src/core/limits.js';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { analyzeSession, makeCheck } from '../../src/qa/analysis.js';
import { parseSession } from '../../src/qa/session.js';
import { computeTargeting, parseTargetingRequest } from '../../src/targeting/targeting.js';
import { marginsWith } from '../../src/margins/margins.js';
import { planWith } from '../../src/plan/plan.js';
import { runCli } from '../helpers/fake-io.js';
import { UNIT_GEOMETRY, marks } from './helpers/truth.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

describe('the rule itself', () => {
  test('[QA-024] at the limit and within 1e-9 mm passes; past it fails; NaN never passes', () => {
    expect(LIMIT_SLACK_MM).toBe(1e-9);
    expect(withinMax(1, 1)).toBe(true);
    expect(withinMax(1 + LIMIT_SLACK_MM, 1)).toBe(true);
    expect(withinMax(1 + 2e-9, 1)).toBe(false);
    expect(withinMax(1.001, 1)).toBe(false);
    expect(withinMax(0.999, 1)).toBe(true);
    expect(exceedsMax(1.0000000000000018, 1)).toBe(false);
    expect(meetsMin(1, 1)).toBe(true);
    expect(meetsMin(1 - LIMIT_SLACK_MM, 1)).toBe(true);
    expect(meetsMin(1 - 2e-9, 1)).toBe(false);
    expect(belowMin(0.999, 1)).toBe(true);
    expect(belowMin(1.001, 1)).toBe(false);
    expect([withinMax(NaN, 1), meetsMin(NaN, 1), exceedsMax(NaN, 1), belowMin(NaN, 1)]).toEqual([false, false, true, true]);
    expect(withinMax(Infinity, 1e300)).toBe(false);
  });
});

/** A console-only session on cube-5 target A (position [0, 0, 10]): consoleVsTruth = console - (origin + position). */
function consoleSession(origin: [number, number, number], console: [number, number, number], extra: Record<string, unknown> = {}) {
  return {
    unit: { id: 'room-2' }, date: '2026-11-20', tester: 'A. Physicist', phantom: 'cube-5', placement: { origin },
    measurements: [{ target: 'A', console }], minTargets: 1, ...extra,
  };
}

describe('QA checks', () => {
  test('[QA-024] |-15.42 - (-16.42)| = 1.0000000000000018 against a 1.00 mm tolerance passes; 1.001 mm fails', async () => {
    expect(Math.abs(-15.42 - -16.42)).toBe(1.0000000000000018);
    const at = analyzeSession(engine, parseSession(consoleSession([-16.42, 20, 0], [-15.42, 20, 10], { tolerance: 1.0 })));
    expect(at.measurements[0].checks.consoleVsTruth!.abs.x).toBe(1.0000000000000018);
    expect(at.measurements[0].checks.consoleVsTruth!.pass.x).toBe(true);
    expect(at.passed).toBe(true);
    expect(codes(at)).toEqual([]);
    const over = analyzeSession(engine, parseSession(consoleSession([-16.42, 20, 0], [-15.419, 20, 10], { tolerance: 1.0 })));
    expect(over.passed).toBe(false);
    expect(over.findings[0]).toMatchObject({ code: 'truth_out_of_tolerance', path: 'measurements[0].checks.consoleVsTruth.abs.x', limit: 1 });
    // The same through the CLI: exit 0 at the limit, 3 just past it.
    expect((await runCli(['qa', '-'], JSON.stringify(consoleSession([-16.42, 20, 0], [-15.42, 20, 10])))).code).toBe(0);
    expect((await runCli(['qa', '-'], JSON.stringify(consoleSession([-16.42, 20, 0], [-15.419, 20, 10])))).code).toBe(3);
  });

  test('per axis, both signs: y and z at the limit pass, 0.001 over fails', () => {
    const r = analyzeSession(engine, parseSession(consoleSession([3.3, 20.7, 0.3], [2.3, 21.7, 11.3])));
    expect(r.measurements[0].checks.consoleVsTruth!.pass).toEqual({ x: true, y: true, z: true });
    const o = analyzeSession(engine, parseSession(consoleSession([3.3, 20.7, 0.3], [2.299, 21.701, 11.301])));
    expect(o.measurements[0].checks.consoleVsTruth!.pass).toEqual({ x: false, y: false, z: false });
  });

  test('action level 0.5: |-15.92 - (-16.42)| = 0.5000000000000018 gives no warning; 0.501 does', () => {
    const at = analyzeSession(engine, parseSession(consoleSession([-16.42, 20, 0], [-15.92, 20, 10], { action: 0.5 })));
    expect(at.measurements[0].checks.consoleVsTruth!.abs.x).toBe(0.5000000000000018);
    expect(codes(at)).toEqual([]);
    const over = analyzeSession(engine, parseSession(consoleSession([-16.42, 20, 0], [-15.919, 20, 10], { action: 0.5 })));
    expect(codes(over)).toEqual(['action_level']);
    expect(over.passed).toBe(true);
  });

  test('calculation tolerance (makeCheck): at 0.1 with rounding passes, 0.101 fails', () => {
    const at = makeCheck({ x: 0.3, y: 20.3, z: 10.3 }, { x: 0.2, y: 20.2, z: 10.2 }, { x: 0.1, y: 0.1, z: 0.1 });
    expect(at.abs.x).not.toBe(0.1); // rounding left in the value
    expect(at.passed).toBe(true);
    const over = makeCheck({ x: 0.301, y: 20.3, z: 10.3 }, { x: 0.2, y: 20.2, z: 10.2 }, { x: 0.1, y: 0.1, z: 0.1 });
    expect(over.pass).toEqual({ x: false, y: true, z: true });
  });
});

describe('needle margins and clearances', () => {
  const vertical = (z: number, tipLength: number, extra: Record<string, unknown> = {}) => planWith(engine, {
    thickness: 50, target: { x: 5, y: 30, z }, needle: { device: { gauge: 14, throw: 10, apertureLength: 20, tipLength }, ...extra },
  });

  test('[QA-024] stroke margin 12.7 - 10 - 1.6 = 1.0999999999999992 meets a 1.1 mm minimum; 0.001 under is an error', () => {
    const at = vertical(12.7, 1.6, { minStrokeMargin: 1.1, warnStrokeMargin: 1.1 });
    expect(at.needle!.strokeMargin).toBe(1.0999999999999992);
    expect(codes(at)).not.toContain('negative_stroke_margin');
    expect(codes(at)).not.toContain('low_stroke_margin');
    expect(codes(vertical(12.7, 1.601, { minStrokeMargin: 1.1, warnStrokeMargin: 1.1 }))).toContain('negative_stroke_margin');
  });

  test('stroke margin 10.1 - 10 - 0.1 = -3.6e-16 meets the default 0 mm minimum; -0.001 does not', () => {
    const at = vertical(10.1, 0.1, { warnStrokeMargin: 0 });
    expect(at.needle!.strokeMargin).toBeLessThan(0);
    expect(codes(at)).not.toContain('negative_stroke_margin');
    expect(codes(vertical(10.1, 0.101, { warnStrokeMargin: 0 }))).toContain('negative_stroke_margin');
  });

  test('warning level: at warnStrokeMargin no warning, 0.001 under a low_stroke_margin warning', () => {
    expect(codes(vertical(16.7, 1.6, { warnStrokeMargin: 5.1 }))).not.toContain('low_stroke_margin');
    expect(codes(vertical(16.7, 1.601, { warnStrokeMargin: 5.1 }))).toContain('low_stroke_margin');
  });

  const lateral = (z: number, thickness = 50, minClearance = 2) => planWith(engine, {
    thickness, target: [5, 30, z],
    needle: { approach: 'lateral', device: { gauge: 14, throw: 10, apertureLength: 20, tipLength: 1.6, outerDiameter: 0.6 }, minClearance, lateral: { side: '+x' } },
  });

  test('lateral: support clearance 2.3 - 0.3 = 1.9999999999999998 meets 2 mm; 0.001 under hits the support', () => {
    expect((lateral(2.3).needle as { supportClearance?: number }).supportClearance).toBe(1.9999999999999998);
    expect(codes(lateral(2.3))).not.toContain('needle_hits_support');
    expect(codes(lateral(2.299))).toContain('needle_hits_support');
  });

  test('lateral: paddle clearance at 2 mm passes, 0.001 under hits the paddle', () => {
    expect(codes(lateral(47.7))).not.toContain('needle_hits_paddle');
    expect(codes(lateral(47.701))).toContain('needle_hits_paddle');
  });

  test('vertical approach: thickness at minVerticalThickness passes, 0.001 under is contraindicated', () => {
    const thin = (thickness: number) => planWith(engine, { thickness, target: { x: 5, y: 30, z: thickness / 2 }, needle: { device: 'gun-14g-22' } });
    // The minimum the finding names (the device's limit), then both sides of it.
    const min = thin(10).findings.find((f) => f.code === 'thin_breast_vertical')!.limit!;
    expect(codes(thin(min))).not.toContain('thin_breast_vertical');
    expect(codes(thin(min - 0.001))).toContain('thin_breast_vertical');
  });
});

describe('targeting findings', () => {
  const req = (p: [number, number, number], extra: Record<string, unknown> = {}, thickness = 45) =>
    ({ geometry: UNIT_GEOMETRY, thickness, views: marks(UNIT_GEOMETRY, p), ...extra });

  test('[QA-024] rays_disagree: a gap equal to maxRayGap passes, maxRayGap 0.001 under it is an error', () => {
    const views = marks(UNIT_GEOMETRY, [5, 30, 20]);
    views[1] = { ...views[1], v: views[1].v + 0.7 };
    const base = { geometry: UNIT_GEOMETRY, thickness: 45, views };
    const gap = computeTargeting(engine, parseTargetingRequest({ ...base, maxRayGap: 50 })).rayGap!;
    expect(gap).toBeGreaterThan(0.3);
    expect(codes(computeTargeting(engine, parseTargetingRequest({ ...base, maxRayGap: gap })))).not.toContain('rays_disagree');
    expect(codes(computeTargeting(engine, parseTargetingRequest({ ...base, maxRayGap: gap - 0.001 })))).toContain('rays_disagree');
  });

  test('target_outside_breast: a target on the skin (z = thickness) or on the support (z = 0) is inside; 0.001 beyond is outside', () => {
    for (const [z, inside] of [[45, true], [45.001, false], [0, true], [-0.001, false]] as const) {
      const r = computeTargeting(engine, parseTargetingRequest(req([5, 30, z])));
      expect(codes(r).includes('target_outside_breast'), `z ${z}`).toBe(!inside);
    }
  });
});

describe('specimen margins', () => {
  const at = (cx: number, x: number, r: number) => marginsWith(engine, {
    specimen: { shape: 'box', center: [cx, 0, 0], size: [60, 40, 30] }, lesion: { shape: 'sphere', center: [x, 0, 0], radius: r }, histology: 'dcis',
  });

  test('[QA-024] DCIS 2 mm: a margin of 1.9999999999999982 (typed to be 2) is clear; 0.001 under is close', () => {
    const r = at(0.2, 20.1, 8.1);
    expect(r.closestMargin).not.toBe(2);
    expect(Math.abs(r.closestMargin - 2)).toBeLessThan(1e-12);
    expect(r.status).toBe('clear');
    expect(codes(r)).not.toContain('margin_close');
    const close = at(0.2, 20.101, 8.1);
    expect(close.status).toBe('close');
    expect(codes(close)).toContain('margin_close');
  });

  test('ink on tumour: a margin of 0 is involved, 0.001 mm is not', () => {
    expect(at(0, 20, 10).status).toBe('involved');
    const clear = marginsWith(engine, { specimen: { shape: 'box', center: [0, 0, 0], size: [60, 40, 30] }, lesion: { shape: 'sphere', center: [19.999, 0, 0], radius: 10 }, histology: 'invasive' });
    expect(clear.status).toBe('clear');
    expect(codes(clear)).not.toContain('margin_involved');
  });
});

describe('localization plan', () => {
  const depth = (z: number) => planWith(engine, { thickness: 100, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 30, z] }] } });
  test('detection depth: at the 40 mm limit passes, 40.001 fails', () => {
    expect(codes(depth(40))).not.toContain('device_beyond_detection_limit');
    expect(codes(depth(40.001))).toContain('device_beyond_detection_limit');
  });

  const ortho = (dx: number, criterion: number) => planWith(engine, { postPlacement: { criterion, orthogonal: { views: [
    { projection: 'z', label: 'CC', target: [10.3, 40], device: [10.3 + dx, 40] },
    { projection: 'x', label: 'ML', target: [40, 20], device: [40, 20] },
  ] } } });
  test('post-placement criterion: a distance at the criterion succeeds, 0.001 over fails', () => {
    expect(ortho(4.3, 4.3).postPlacement!.success).toBe(true);
    expect(ortho(4.301, 4.3).postPlacement!.success).toBe(false);
  });
});
