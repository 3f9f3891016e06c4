// The plan's text report (planText): every line of the summary.
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { planWith, type PlanResult } from '../../src/plan/plan.js';
import { planText } from '../../src/plan/report.js';

const engine = await loadEngine();
const P = '2026-11-20', S = '2026-11-23';
const seedAt = (z = 20) => ({ device: 'magnetic-seed', position: [0, 30, z] });

/** A plan with only a localization block (thickness 50 mm unless `top` overrides). */
const plan = (loc: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  planWith(engine, { thickness: 50, ...top, localization: { placementDate: P, surgeryDate: S, ...loc } });

describe('planText', () => {
  const text = (r: Record<string, unknown>) => planText({ findings: [], ...r } as unknown as PlanResult);

  it('an empty result: the header without an id, and no findings', () => {
    expect(text({})).toBe('stereotax plan (mm)\n  findings      none\n');
  });

  it('the id and target, to 0.1 mm', () => {
    expect(text({ id: 'P-1', target: { x: 5, y: 30.04, z: 12.26 } }))
      .toBe('stereotax plan P-1 (mm)\n  target        x 5.0   y 30.0   z 12.3\n  findings      none\n');
  });

  it('a vertical needle: stroke margin and skin clearance', () => {
    expect(text({ needle: { approach: 'vertical', device: { name: 'Gun 14G' }, strokeMargin: 2, skinClearance: 3.5 } }))
      .toBe('stereotax plan (mm)\n  needle        vertical, Gun 14G: stroke margin 2.0, skin clearance 3.5\n  findings      none\n');
  });

  it('a lateral needle: clearances, with stroke margin and skin clearance only when known', () => {
    const n = { approach: 'lateral', side: '+x', device: { name: 'Gun' }, supportClearance: 4, paddleClearance: 5 };
    expect(text({ needle: { ...n, strokeMargin: 6, skinClearance: 7 } })).toBe('stereotax plan (mm)\n'
      + '  needle        lateral from +x, Gun: support clearance 4.0, paddle clearance 5.0, stroke margin 6.0, skin clearance 7.0\n  findings      none\n');
    expect(text({ needle: n })).toBe('stereotax plan (mm)\n  needle        lateral from +x, Gun: support clearance 4.0, paddle clearance 5.0\n  findings      none\n');
  });

  it('mitigations, one line each', () => {
    expect(text({ mitigations: [{ kind: 'advance', message: 'advance 5 mm' }] }))
      .toBe('stereotax plan (mm)\n  mitigation    advance: advance 5 mm\n  findings      none\n');
  });

  it('localization: each device (limit and surgery-day activity when known), then each pair', () => {
    const localization = {
      devices: [
        { label: 'A', deviceId: 'i125-seed', depthFromNearerSkin: 20, nearerSkin: 'support', detectionDepthLimit: null, activityOnSurgeryDayMBq: 3.5 },
        { label: 'B', deviceId: 'magnetic-seed', depthFromNearerSkin: 30, nearerSkin: 'paddle', detectionDepthLimit: 40 },
      ],
      spacing: [{ devices: ['A', 'B'], distance: 24, minSpacing: 25 }],
    };
    expect(text({ localization })).toBe('stereotax plan (mm)\n'
      + '  device        A (i125-seed): 20.0 from the support-side skin, 3.50 MBq on the day of surgery\n'
      + '  device        B (magnetic-seed): 30.0 from the paddle-side skin (limit 40.0)\n'
      + '  spacing       A - B: 24.0 (minimum 25.0)\n'
      + '  findings      none\n');
  });

  it('post-placement: FAILED or SUCCESS, the 3-D distance and each plane against the criterion', () => {
    const pp = { success: false, distance: 12.5, planes: [{ plane: 'xy', distance: 3 }, { plane: 'xz', distance: 11 }], criterion: 10 };
    expect(text({ postPlacement: pp }))
      .toBe('stereotax plan (mm)\n  placement     FAILED: device 12.5 from the target in 3-D; xy 3.0, xz 11.0 (criterion 10.0)\n  findings      none\n');
    expect(text({ postPlacement: { ...pp, success: true, distance: 2, planes: [{ plane: 'CC', distance: 1 }] } }))
      .toBe('stereotax plan (mm)\n  placement     SUCCESS: device 2.0 from the target in 3-D; CC 1.0 (criterion 10.0)\n  findings      none\n');
  });

  it('a real plan renders its localization device line', () => {
    const r = plan({ devices: [{ ...seedAt(12), label: 'M' }] });
    const t = planText(r);
    expect(t).toContain('  device        M (magnetic-seed): 12.0 from the support-side skin (limit 40.0)\n');
    expect(t).toContain('INFO    device_not_repositionable: M (magnetic-seed) cannot be repositioned');
  });
});
