// Mitigations of a failing needle plan (src/plan/mitigations.ts): every mitigation's kind, shift,
// side and words, worked out by hand from the spec's formulas (comments give the arithmetic).
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { plan, planWith, type PlanResult } from '../../src/plan/plan.js';
import type { Mitigation } from '../../src/plan/mitigations.js';

const engine = await loadEngine();

const codes = (r: PlanResult) => r.findings.map((f) => f.code);
const kinds = (m: Mitigation[] | undefined) => (m ?? []).map((x) => x.kind);

// gun-14g-22: aperture 18 (half 9), tip 4, throw 22, 14G outer diameter 2.11.
// vacuum-9g-20: aperture 20 (half 10), tip 7; vacuum-9g-petite-12: aperture 12 (half 6), tip 5; 9G OD 3.76.
const GUN = '14G spring-loaded gun, 22 mm throw (typical example)';
const vertical = (z: number, needle: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  planWith(engine, { thickness: 40, target: [5, 30, z], ...top, needle: { device: 'gun-14g-22', ...needle } });

describe('mitigations', () => {
  it('pull back: the stroke margin fixed by the shift, the lesion still covered', () => {
    // z 12: margin 12 - 13 = -1. Lesion radius 2 leaves 9 - 2 = 7 mm of slack; shift 1 mm up.
    const r = vertical(12, {}, { lesionRadius: 2 });
    expect(codes(r)).toContain('negative_stroke_margin');
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'pull_back', approach: 'vertical', deviceId: 'gun-14g-22', shift: 1, lesionCoverage: 6 });
    expect(m).toMatchObject({ block: { aimZ: 13, strokeMargin: 0 } });
    expect(m.message).toBe('pull back the aperture 1.00 mm along the needle: it still covers the lesion (radius 2.0 mm) with 6.00 mm to spare.');
    // Also the petite probe (12 - 6 - 5 = 1 >= 0) and the lateral approach; no "not feasible".
    expect(kinds(r.mitigations)).toEqual(['pull_back', 'device', 'approach']);
    expect(r.mitigations![1]).toMatchObject({ kind: 'device', deviceId: 'vacuum-9g-petite-12' });
  });

  it('advance: the aperture pushed back inside the skin, the lesion still covered', () => {
    // vacuum-9g-20 at z 36 in 45 mm: proximal edge 46, skin clearance -1. Slack 10 - 2 = 8; advance 1 mm.
    const r = planWith(engine, { thickness: 45, target: [5, 30, 36], lesionRadius: 2, needle: { device: 'vacuum-9g-20' } });
    expect(codes(r)).toEqual(['aperture_outside_breast']);
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'advance', approach: 'vertical', deviceId: 'vacuum-9g-20', shift: 1, lesionCoverage: 7, block: { aimZ: 35, skinClearance: 0 } });
    expect(m.message).toBe('advance the aperture 1.00 mm along the needle: it still covers the lesion (radius 2.0 mm) with 7.00 mm to spare.');
  });

  describe('the lateral approach offered for a failing vertical plan', () => {
    // 15 mm thick: vertical contraindicated for every device; laterally the 14G needle
    // (radius 1.055) clears support and paddle by 7.5 - 1.055 at z 7.5.
    const thin = (x: number, lateral?: Record<string, unknown>) =>
      planWith(engine, { thickness: 15, target: [x, 30, 7.5], needle: { device: 'gun-14g-22', ...(lateral ? { lateral } : {}) } });
    const both = ['aperture against the entry skin (nearSkinX not given)', 'fired tip against the far skin (farSkinX not given)'];

    for (const [x, side] of [[5, '+x'], [0, '+x'], [-5, '-x']] as const) {
      it(`target at x = ${x}: from ${side}, with the planned device, saying what was not checked`, () => {
        const r = thin(x);
        expect(codes(r)).toContain('thin_breast_vertical');
        expect(r.mitigations).toHaveLength(1);
        expect(r.mitigations![0]).toMatchObject({ kind: 'approach', approach: 'lateral', deviceId: 'gun-14g-22', side, unchecked: both });
        expect(r.mitigations![0]).toMatchObject({ block: { approach: 'lateral', side } });
        expect(r.mitigations![0].message).toBe(`the lateral approach from ${side} with ${GUN} passes; not checked: ${both.join('; ')}.`);
      });
    }

    it('a lateral setup given with the vertical plan is the one checked: its side and skins', () => {
      const near = thin(5, { side: '-x', nearSkinX: -40 });
      expect(near.mitigations![0]).toMatchObject({ kind: 'approach', side: '-x', unchecked: [both[1]] });
      expect(near.mitigations![0].message).toBe(`the lateral approach from -x with ${GUN} passes; not checked: ${both[1]}.`);
      const far = thin(5, { side: '+x', farSkinX: -60 });
      expect(far.mitigations![0]).toMatchObject({ kind: 'approach', side: '+x', unchecked: [both[0]] });
      const full = thin(5, { side: '+x', nearSkinX: 40, farSkinX: -40 });
      expect(full.mitigations![0]).toMatchObject({ kind: 'approach', side: '+x', unchecked: [] });
      expect(full.mitigations![0].message).toBe(`the lateral approach from +x with ${GUN} passes.`);
    });

    it('when the planned device fails laterally, the first catalog device that passes is offered', () => {
      // vacuum-9g-20 from +x at x 0: fired tip at -17, past the far skin at -14 (margin -3).
      // The petite probe: tip at -6 - 5 = -11 (margin 3), proximal edge 6 inside the skin at 12.
      const r = planWith(engine, { thickness: 15, target: [0, 30, 7.5],
        needle: { device: 'vacuum-9g-20', lateral: { side: '+x', nearSkinX: 12, farSkinX: -14 } } });
      expect(kinds(r.mitigations)).toEqual(['approach']);
      expect(r.mitigations![0]).toMatchObject({ approach: 'lateral', deviceId: 'vacuum-9g-petite-12', side: '+x', unchecked: [] });
    });
  });

  it('the vertical approach offered for a failing lateral plan: no side, nothing unchecked', () => {
    // From +x at x 0 the gun's proximal edge is at 9, outside the skin at 5 (clearance -4); every
    // catalog device's edge (10, 6, 9.5) is too. Vertically at z 20 in 40 mm: margin 7, clearance 11.
    const r = planWith(engine, { thickness: 40, target: [0, 30, 20], needle: { approach: 'lateral', device: 'gun-14g-22', lateral: { side: '+x', nearSkinX: 5 } } });
    expect(codes(r)).toContain('aperture_outside_breast');
    expect(r.mitigations).toHaveLength(1);
    const m = r.mitigations![0];
    expect(m).toMatchObject({ kind: 'approach', approach: 'vertical', deviceId: 'gun-14g-22', unchecked: [], block: { approach: 'vertical', strokeMargin: 7 } });
    expect(m).not.toHaveProperty('side');
    expect(m.message).toBe(`the vertical approach with ${GUN} passes.`);
  });

  describe('not feasible', () => {
    // 19 mm thick (vertical contraindicated), z 14: margin 14 - 13 = 1 (a warning), proximal edge
    // 23 above the skin at 19 (an error). minClearance 50 rules out every lateral needle.
    const stuck = (top: Record<string, unknown> = {}) =>
      planWith(engine, { thickness: 19, target: [0, 30, 14], ...top, needle: { device: 'gun-14g-22', minClearance: 50 } });
    const MESSAGE = 'no aperture shift, catalog device or approach passes the checks: the plan is not feasible as given; consider another guidance method or a device from your own catalog.';

    it('gives the error findings only (not warnings) as reasons, and says a lesion radius is needed', () => {
      const r = stuck();
      expect(codes(r)).toEqual(['thin_breast_vertical', 'low_stroke_margin', 'aperture_outside_breast']);
      expect(r.mitigations).toEqual([{ kind: 'not_feasible', message: MESSAGE, reasons: [
        expect.stringMatching(/^thin_breast_vertical: /), expect.stringMatching(/^aperture_outside_breast: /),
        'no lesionRadius given: an aperture shift could not be evaluated'] }]);
    });

    it('with a lesion radius the shift was evaluated (advancing 4 mm breaks the margin), so it is not listed as missing', () => {
      const r = stuck({ lesionRadius: 2 });
      expect(r.mitigations).toEqual([{ kind: 'not_feasible', message: MESSAGE, reasons: [
        expect.stringMatching(/^thin_breast_vertical: /), expect.stringMatching(/^aperture_outside_breast: /)] }]);
    });
  });

  it('a plan without errors gets no mitigations', () => {
    expect(vertical(20).mitigations).toEqual([]);
  });
});
