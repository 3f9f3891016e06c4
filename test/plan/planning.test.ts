// Needle and localization planning: every check at its limit, just inside and just
// outside; properties of mitigations, spacing and decay; bad catalogs and plans.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decayedActivity, loadEngine, planWith, runChecks, shippedCatalog, type Finding, type Mitigation, type PlanResult,
} from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refProject } from '../reference/independent.js';
import { refusedWith } from '../helpers/refusal.js';

const engine = await loadEngine();
const codes = (r: PlanResult) => r.findings.map((f) => f.code);
const mm = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);
// gun-14g-22: aperture 18, tip 4, throw 22, 14G outer diameter 2.11 (radius 1.055)
const vertical = (z: number, extra: Record<string, unknown> = {}, thickness = 40) =>
  planWith(engine, { thickness, target: { x: 5, y: 30, z }, needle: { device: 'gun-14g-22', ...extra } });
const lateral = (z: number, x: number, lat: Record<string, unknown>, thickness = 15, extra: Record<string, unknown> = {}) =>
  planWith(engine, { thickness, target: [x, 30, z], needle: { approach: 'lateral', device: 'gun-14g-22', lateral: lat, ...extra } });

describe('[API-022] vertical approach', () => {
  it('stroke margin: exactly at the minimum passes (with a low-margin warning), just below fails', () => {
    expect(vertical(13).needle!.strokeMargin).toBe(0);
    expect(codes(vertical(13))).toEqual(['low_stroke_margin']);
    expect(codes(vertical(12.99))).toContain('negative_stroke_margin');
    expect(codes(vertical(13.01))).not.toContain('negative_stroke_margin');
    expect(codes(vertical(17))).toEqual([]);
    expect(codes(vertical(16.99))).toEqual(['low_stroke_margin']);
    expect(codes(vertical(15, { minStrokeMargin: 4 }))).toContain('negative_stroke_margin');
  });

  it('skin clearance: exactly 0 passes, just negative is aperture_outside_breast', () => {
    expect(vertical(31).needle!.skinClearance).toBe(0);
    expect(codes(vertical(31))).toEqual([]);
    expect(codes(vertical(31.01))).toContain('aperture_outside_breast');
  });

  it('a compressed thickness under 20 mm contraindicates the vertical approach', () => {
    expect(codes(vertical(13, {}, 19.99))).toContain('thin_breast_vertical');
    expect(codes(vertical(13, {}, 20))).not.toContain('thin_breast_vertical');
    expect(vertical(13, {}, 19).findings.find((f) => f.code === 'thin_breast_vertical')!.severity).toBe('error');
  });
});

describe('[API-023] lateral approach', () => {
  it('the needle clears support and paddle by its outer radius: at the limit passes, past it fails', () => {
    const full = { side: '+x', nearSkinX: 60, farSkinX: -60 };
    // An inline device with a 2 mm outer diameter keeps the limits exact in binary.
    const dev = { device: { gauge: 14, outerDiameter: 2, throw: 22, apertureLength: 18, tipLength: 4 } };
    const r = 1;
    expect(lateral(r, 0, full, 15, dev).needle).toMatchObject({ approach: 'lateral', supportClearance: 0 });
    expect(codes(lateral(r, 0, full, 15, dev))).not.toContain('needle_hits_support');
    expect(codes(lateral(r - 0.01, 0, full, 15, dev))).toContain('needle_hits_support');
    expect(codes(lateral(15 - r, 0, full, 15, dev))).not.toContain('needle_hits_paddle');
    expect(codes(lateral(15 - r + 0.01, 0, full, 15, dev))).toContain('needle_hits_paddle');
    expect(lateral(7, 0, full).needle).toMatchObject({ outerRadius: 2.11 / 2 });
    expect(codes(lateral(7.5, 0, full, 15, { minClearance: 7 }))).toContain('needle_hits_support');
  });

  it('the aperture inside the entry skin: at the skin passes, outside fails', () => {
    // from +x: aperture proximal edge at x + 9
    expect(lateral(7, 0, { side: '+x', nearSkinX: 9, farSkinX: -60 }).needle).toMatchObject({ skinClearance: 0 });
    expect(codes(lateral(7, 0, { side: '+x', nearSkinX: 9, farSkinX: -60 }))).not.toContain('aperture_outside_breast');
    expect(codes(lateral(7, 0, { side: '+x', nearSkinX: 8.99, farSkinX: -60 }))).toContain('aperture_outside_breast');
    expect(codes(lateral(7, 0, { side: '-x', nearSkinX: -8.99, farSkinX: 60 }))).toContain('aperture_outside_breast');
  });

  it('the fired tip against the far skin: exactly at it passes with a warning, past it fails', () => {
    // from +x, post-fire tip at x - 13
    const at = lateral(7, 0, { side: '+x', nearSkinX: 60, farSkinX: -13 });
    expect(at.needle).toMatchObject({ strokeMargin: 0, postfireTipX: -13, prefireTipX: 9 });
    expect(codes(at)).toEqual(['low_stroke_margin']);
    expect(codes(lateral(7, 0, { side: '+x', nearSkinX: 60, farSkinX: -12.99 }))).toContain('lateral_tip_past_far_skin');
    expect(codes(lateral(7, 0, { side: '-x', nearSkinX: -60, farSkinX: 12.99 }))).toContain('lateral_tip_past_far_skin');
  });

  it('without skin positions, says what it could not check', () => {
    const res = lateral(7, 0, { side: '+x' });
    expect(res.findings.find((f) => f.code === 'lateral_skin_not_given')!.severity).toBe('info');
  });
});

describe('[API-024] mitigations', () => {
  it('a pull-back that still covers the lesion is offered with its numbers, re-checked', () => {
    const res = planWith(engine, { thickness: 40, target: [5, 30, 10], lesionRadius: 2, needle: { device: 'gun-14g-22' } });
    const m = res.mitigations!.find((x) => x.kind === 'pull_back') as Extract<Mitigation, { recheck: unknown }>;
    expect(m).toMatchObject({ kind: 'pull_back', shift: 3, lesionCoverage: 4 });
    expect(m.recheck.filter((f) => f.severity === 'error')).toEqual([]);
    // At the coverage limit (shift = aperture/2 - radius) it is still offered; one step past, not.
    const edge = planWith(engine, { thickness: 40, target: [5, 30, 10], lesionRadius: 6, needle: { device: 'gun-14g-22' } });
    expect(edge.mitigations!.find((x) => x.kind === 'pull_back')).toMatchObject({ shift: 3, lesionCoverage: 0 });
    const past = planWith(engine, { thickness: 40, target: [5, 30, 10], lesionRadius: 6.01, needle: { device: 'gun-14g-22' } });
    expect(past.mitigations!.find((x) => x.kind === 'pull_back')).toBeUndefined();
  });

  it('a thin breast gets the lateral approach; an impossible plan says not feasible with reasons', () => {
    const thin = planWith(engine, { thickness: 15, target: [5, 30, 7], needle: { device: 'vacuum-9g-20' } });
    expect(thin.mitigations!.some((m) => m.kind === 'approach' && m.approach === 'lateral')).toBe(true);
    const none = planWith(engine, { thickness: 2, target: [5, 30, 1], needle: { device: 'vacuum-9g-20' } });
    const nf = none.mitigations!.find((m) => m.kind === 'not_feasible')!;
    expect(nf.kind).toBe('not_feasible');
    expect((nf as { reasons: string[] }).reasons.join(' ')).toMatch(/thin_breast_vertical/);
  });

  it('another catalog device (a petite aperture) is offered when it fits', () => {
    // 9G 20 mm aperture: post-fire tip z - 17; petite 12 mm: z - 11
    const res = planWith(engine, { thickness: 40, target: [5, 30, 14], needle: { device: 'vacuum-9g-20' } });
    const d = res.mitigations!.find((m) => m.kind === 'device' && m.deviceId === 'vacuum-9g-petite-12');
    expect(d).toBeDefined();
  });

  it('property: every mitigation offered passes the checks it was offered for', () => {
    const catalog = shippedCatalog().biopsyDevices;
    fc.assert(
      fc.property(mm(8, 80), fc.integer({ min: 1, max: 999 }), mm(-40, 40), fc.constantFrom(...catalog.map((d) => d.id)), fc.constantFrom('vertical', 'lateral'), mm(0, 8),
        (thickness, zf, x, id, approach, radius) => {
          const z = (zf / 1000) * thickness;
          const res = planWith(engine, { thickness, target: [x, 30, z], lesionRadius: radius,
            needle: { approach, device: id, lateral: { side: '+x', nearSkinX: x + 50, farSkinX: x - 45 } } });
          for (const m of res.mitigations ?? []) {
            if (m.kind === 'not_feasible') continue;
            const device = catalog.find((d) => d.id === m.deviceId)!;
            const aim = m.block.approach === 'vertical' ? m.block.aimZ : m.block.aimX;
            const again = runChecks({ target: { x, y: 30, z }, thickness, device, approach: m.approach, limits: { minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0, minVerticalThickness: 20 },
              lateral: { side: '+x', nearSkinX: x + 50, farSkinX: x - 45 } }, aim);
            expect(again.findings.filter((f) => f.severity === 'error')).toEqual([]);
            if (m.kind === 'pull_back' || m.kind === 'advance') expect(m.shift).toBeLessThanOrEqual(device.apertureLength / 2 - radius + 1e-12);
          }
          const failed = res.findings.some((f) => f.severity === 'error');
          expect((res.mitigations ?? []).length > 0).toBe(failed);
        }),
      { numRuns: 300 },
    );
  });
});

describe('[API-025] localization', () => {
  const base = (devices: unknown[], extra: Record<string, unknown> = {}) =>
    planWith(engine, { thickness: 50, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices, ...extra } });

  it('depth from the nearer skin against the detection limit: at the limit passes, past it fails', () => {
    const thick = (z: number, id = 'magnetic-seed') => planWith(engine, { thickness: 100, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: id, position: [0, 30, z] }] } });
    expect(thick(40).localization!.devices[0]).toMatchObject({ depthFromNearerSkin: 40, nearerSkin: 'support', detectionDepthLimit: 40 });
    expect(codes(thick(40))).not.toContain('device_beyond_detection_limit');
    expect(codes(thick(40.01))).toContain('device_beyond_detection_limit');
    expect(thick(70).localization!.devices[0]).toMatchObject({ depthFromNearerSkin: 30, nearerSkin: 'paddle' });
    expect(codes(thick(50, 'radar-reflector'))).not.toContain('device_beyond_detection_limit');
    expect(codes(thick(50, 'rfid-tag-pencil'))).toContain('device_beyond_detection_limit');
  });

  it('spacing between bracketing devices: at the minimum passes, under it fails; symmetric in order', () => {
    const two = (d: number, order = 0) => {
      const a = { device: 'magnetic-seed', position: [0, 30, 20], label: 'anterior' };
      const b = { device: 'magnetic-seed', position: [d, 30, 20], label: 'posterior' };
      return base(order ? [b, a] : [a, b], { minSpacing: 20 });
    };
    expect(two(20).localization!.spacing[0]).toMatchObject({ distance: 20, minSpacing: 20 });
    expect(codes(two(20))).not.toContain('devices_too_close');
    expect(codes(two(19.99))).toContain('devices_too_close');
    expect(codes(two(19.99, 1))).toContain('devices_too_close');
    fc.assert(fc.property(fc.array(fc.tuple(mm(-40, 40), mm(0, 80), mm(0, 50)), { minLength: 2, maxLength: 5 }), mm(0, 40), (pts, min) => {
      const devs = pts.map((p, i) => ({ device: 'magnetic-seed', position: p, label: `d${i}` }));
      const fwd = base(devs, { minSpacing: min });
      const rev = base([...devs].reverse(), { minSpacing: min });
      const count = (r: PlanResult) => r.findings.filter((f) => f.code === 'devices_too_close').length;
      expect(count(fwd)).toBe(count(rev));
      const pairs = (r: PlanResult) => r.localization!.spacing.map((s) => [...s.devices].sort().join('|') + ':' + s.distance.toFixed(9)).sort();
      expect(pairs(fwd)).toEqual(pairs(rev));
    }), { numRuns: 100 });
  });

  it('I-125: activity on the day of surgery from the assay; decay halves every 59.4 days', () => {
    const r = base([{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 4, date: '2026-09-22' } }]);
    const days = 62; // 2026-09-22 to 2026-11-23
    expect(r.localization!.devices[0].activityOnSurgeryDayMBq).toBeCloseTo(4 * 2 ** (-days / 59.4), 12);
    fc.assert(fc.property(mm(0.1, 10), mm(0, 400), (a0, d) => {
      expect(decayedActivity(a0, d + 59.4, 59.4)).toBeCloseTo(decayedActivity(a0, d, 59.4) / 2, 10);
    }));
    expect(codes(base([{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 9, date: '2026-11-01' } }]))).toContain('seed_assay_out_of_range');
  });

  it('a wire is placed on the day of surgery; an RFID tag at most 30 days before', () => {
    expect(codes(base([{ device: 'hook-wire', position: [0, 30, 20] }]))).toContain('wire_not_same_day');
    const same = planWith(engine, { thickness: 50, localization: { placementDate: '2026-11-23', surgeryDate: '2026-11-23', devices: [{ device: 'hook-wire', position: [0, 30, 20] }] } });
    expect(codes(same)).not.toContain('wire_not_same_day');
    const tag = (placed: string) => planWith(engine, { thickness: 50, localization: { placementDate: placed, surgeryDate: '2026-12-31', devices: [{ device: 'rfid-tag', position: [0, 30, 20] }] } });
    expect(codes(tag('2026-12-01'))).not.toContain('dwell_too_long');
    expect(codes(tag('2026-11-30'))).toContain('dwell_too_long');
  });

  it('non-wire devices are flagged as not repositionable; I-125 is refused under MRI', () => {
    const r = base([{ device: 'radar-reflector', position: [0, 30, 20] }]);
    expect(r.findings.find((f) => f.code === 'device_not_repositionable')!.severity).toBe('info');
    const mri = base([{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 4, date: '2026-11-01' } }], { guidance: 'mri' });
    expect(codes(mri)).toContain('device_not_mri_compatible');
  });
});

describe('[API-026] post-placement check', () => {
  const ortho = (dx: number, dz: number, criterion?: number) => planWith(engine, {
    postPlacement: {
      ...(criterion ? { criterion } : {}),
      orthogonal: { views: [
        { projection: 'z', label: 'CC', target: [10, 40], device: [10 + dx, 40] },
        { projection: 'x', label: 'ML', target: [40, 20], device: [40, 20 + dz] },
      ] },
    },
  });

  it('within 10 mm in every plane succeeds; exactly 10 succeeds; just over fails', () => {
    expect(ortho(6, 8).postPlacement).toMatchObject({ success: true, distance: 10 });
    expect(ortho(10, 0).postPlacement!.success).toBe(true);
    expect(codes(ortho(10.01, 0))).toContain('device_far_from_target');
    expect(ortho(10.01, 0).postPlacement!.planes[0]).toMatchObject({ plane: 'CC' });
    expect(ortho(12, 0, 15).postPlacement!.success).toBe(true);
  });

  it('from a stereo pair: both triangulated, distances per plane', () => {
    const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
    const marks = (p: [number, number, number]) => [15, -15].map((angle) => ({ angle, ...refProject(g, angle, p) }));
    const r = planWith(engine, { postPlacement: { stereo: {
      target: { geometry: g, thickness: 45, views: marks([5, 30, 20]) },
      device: { geometry: g, thickness: 45, views: marks([8, 34, 20]) },
    } } });
    expect(r.postPlacement!.distance).toBeCloseTo(5, 9);
    expect(r.postPlacement!.planes.find((p) => p.plane === 'xy')!.distance).toBeCloseTo(5, 9);
    expect(r.postPlacement!.success).toBe(true);
  });
});

describe('[API-027] bad catalogs and plans: exit 2 with the field named', () => {
  const target = { thickness: 40, target: [5, 30, 20] };
  const cases: [string, unknown, string, string][] = [
    ['an unknown device id', { ...target, needle: { device: 'gun-99g' } }, 'unknown_reference', 'needle.device'],
    ['a negative aperture in an inline device', { ...target, needle: { device: { gauge: 14, throw: 22, apertureLength: -18, tipLength: 4 } } }, 'out_of_range', 'needle.device.apertureLength'],
    ['a negative length in a user catalog', { ...target, catalog: { biopsyDevices: [{ id: 'mine', kind: 'vacuum-probe', gauge: 9, throw: -1, apertureLength: 12, tipLength: 5 }] }, needle: { device: 'mine' } }, 'out_of_range', 'catalog.biopsyDevices[0].throw'],
    ['a probe-detected device with no detection limit', { ...target, catalog: { localizationDevices: [{ id: 'tag2', kind: 'rfid-tag', detectionDepthLimit: null, minSpacing: 10, repositionable: false }] }, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'tag2', position: [0, 0, 10] }] } }, 'missing_field', 'catalog.localizationDevices[0].detectionDepthLimit'],
    ['dates in the wrong order', { ...target, localization: { placementDate: '2026-11-24', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 0, 10] }] } }, 'invalid_value', 'localization.surgeryDate'],
    ['an assay after placement', { ...target, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'i125-seed', position: [0, 0, 10], assay: { activityMBq: 4, date: '2026-11-21' } }] } }, 'invalid_value', 'localization.devices[0].assay.date'],
    ['a seed without an assay', { ...target, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'i125-seed', position: [0, 0, 10] }] } }, 'missing_field', 'localization.devices[0].assay'],
    ['not a date', { ...target, localization: { placementDate: '2026-02-30', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 0, 10] }] } }, 'invalid_value', 'localization.placementDate'],
    ['bracketing without a minimum spacing', { ...target, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 0, 10] }, { device: 'magnetic-seed', position: [0, 30, 10] }] } }, 'missing_field', 'localization.devices[0].device'],
    ['a device position outside the breast', { ...target, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 0, 41] }] } }, 'out_of_range', 'localization.devices[0].position[2]'],
    ['a duplicate catalog id', { ...target, catalog: { biopsyDevices: [{ id: 'a', kind: 'vacuum-probe', gauge: 9, throw: 0, apertureLength: 12, tipLength: 5 }, { id: 'a', kind: 'vacuum-probe', gauge: 9, throw: 0, apertureLength: 12, tipLength: 5 }] }, needle: { device: 'a' } }, 'duplicate_value', 'catalog.biopsyDevices[1].id'],
    ['a gauge with no table diameter and none given', { ...target, needle: { device: { gauge: 13, throw: 0, apertureLength: 12, tipLength: 5 } } }, 'missing_field', 'needle.device.outerDiameter'],
    ['no section at all', { ...target }, 'missing_field', 'needle'],
    ['a needle without a thickness', { target: [5, 30, 20], needle: { device: 'gun-14g-22' } }, 'missing_field', 'thickness'],
    ['an unknown approach', { ...target, needle: { approach: 'oblique', device: 'gun-14g-22' } }, 'invalid_value', 'needle.approach'],
    ['a far skin on the wrong side', { ...target, needle: { approach: 'lateral', device: 'gun-14g-22', lateral: { side: '+x', nearSkinX: 50, farSkinX: 60 } } }, 'invalid_value', 'needle.lateral.farSkinX'],
    ['two mammograms along the same axis', { postPlacement: { orthogonal: { views: [{ projection: 'z', target: [0, 0], device: [1, 1] }, { projection: 'z', target: [0, 0], device: [1, 1] }] } } }, 'duplicate_value', 'postPlacement.orthogonal.views[1].projection'],
    ['bad marks in a stereo post-placement', { postPlacement: { stereo: { target: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, thickness: 45, views: [{ angle: 15, u: 0, v: 0 }] }, device: {} } } }, 'too_few_items', 'postPlacement.stereo.target.views'],
  ];
  for (const [name, req, code, path] of cases) {
    it(name, async () => {
      refusedWith(() => planWith(engine, req), code, path);
      const c = await runCli(['plan', '-'], JSON.stringify(req));
      expect(c.code).toBe(2);
      expect(c.err).toContain(path);
    });
  }

  it('a user catalog entry replaces the shipped one with the same id', () => {
    const catalog = { localizationDevices: [{ id: 'magnetic-seed', kind: 'magnetic-seed', detectionDepthLimit: 30, minSpacing: 15, repositionable: false, source: 'our IFU' }] };
    const r = planWith(engine, { thickness: 100, catalog, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: [0, 0, 35] }, { device: 'magnetic-seed', position: [0, 14, 35] }] } });
    expect(r.localization!.devices[0].detectionDepthLimit).toBe(30);
    expect(codes(r)).toContain('device_beyond_detection_limit');
    expect(r.localization!.spacing[0].minSpacing).toBe(15);
    expect(codes(r)).toContain('devices_too_close');
  });

  it('[TGT-022] the plan CLI: exit 0, 3, and arrays', async () => {
    const ok = { thickness: 40, target: [5, 30, 20], needle: { device: 'gun-14g-22' } };
    const bad = { thickness: 40, target: [5, 30, 10], needle: { device: 'gun-14g-22' } };
    expect((await runCli(['plan', '-'], JSON.stringify(ok))).code).toBe(0);
    expect((await runCli(['plan', '-'], JSON.stringify(bad))).code).toBe(3);
    const arr = await runCli(['plan', '-'], JSON.stringify([ok, bad]));
    expect(arr.code).toBe(3);
    expect(JSON.parse(arr.out)).toHaveLength(2);
    const text = await runCli(['plan', '-', '--text'], JSON.stringify(bad));
    expect(text.out).toMatch(/mitigation/);
  });

  it('a target from marks: the plan triangulates first', () => {
    const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
    const views = [15, -15].map((angle) => ({ angle, ...refProject(g, angle, [5, 30, 20]) }));
    const r = planWith(engine, { geometry: g, thickness: 40, views, needle: { device: 'gun-14g-22' } });
    expect(r.target!.z).toBeCloseTo(20, 9);
    expect(r.targeting!.rayGap).toBeLessThan(1e-9);
    expect(r.needle!.strokeMargin).toBeCloseTo(7, 9);
  });
});

describe('localization and mitigations', () => {
  const codes = (f: readonly Finding[]) => f.map((x) => x.code);
  const loc = (devices: unknown[], extra: Record<string, unknown> = {}, catalog?: unknown) =>
    planWith(engine, { thickness: 60, ...(catalog ? { catalog } : {}), localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices, ...extra } });
  it('the default spacing is the larger of the two catalog minimums', () => {
    const catalog = { localizationDevices: [
      { id: 'a', kind: 'magnetic-seed', detectionDepthLimit: 40, minSpacing: 15, repositionable: false },
      { id: 'b', kind: 'magnetic-seed', detectionDepthLimit: 40, minSpacing: 25, repositionable: false },
    ] };
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const r = loc(order.map((id, i) => ({ device: id, position: [i * 24, 30, 20] })), {}, catalog);
      expect(r.localization!.spacing[0]).toMatchObject({ distance: 24, minSpacing: 25 });
      expect(codes(r.findings)).toContain('devices_too_close');
    }
    const apart = loc([{ device: 'a', position: [0, 30, 20] }, { device: 'b', position: [25, 30, 20] }], {}, catalog);
    expect(codes(apart.findings)).not.toContain('devices_too_close');
  });
  it('a seed assay below the range is flagged; at the range ends it is not', () => {
    const seed = (a: number) => codes(loc([{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: a, date: '2026-11-01' } }]).findings);
    expect(seed(1.84)).toContain('seed_assay_out_of_range');
    expect(seed(1.85)).not.toContain('seed_assay_out_of_range');
    expect(seed(5.55)).not.toContain('seed_assay_out_of_range');
    expect(seed(5.56)).toContain('seed_assay_out_of_range');
    const f = loc([{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 1, date: '2026-11-01' } }]).findings.find((x) => x.code === 'seed_assay_out_of_range')!;
    expect(f).toMatchObject({ severity: 'warning', path: 'localization.devices[0].assay.activityMBq', value: 1 });
    expect(f.message).toContain('1.85-5.55 MBq');
  });
  it('MRI guidance: a device the catalog is silent on is a warning, one known not to be is an error', () => {
    const r = loc([{ device: 'magnetic-seed', position: [0, 30, 20] }], { guidance: 'mri' });
    const f = r.findings.find((x) => x.code === 'device_mri_unknown')!;
    expect(f).toMatchObject({ severity: 'warning', path: 'localization.devices[0].device' });
    expect(f.message).toContain('magnetic-seed');
    expect(codes(loc([{ device: 'magnetic-seed', position: [0, 30, 20] }]).findings)).not.toContain('device_mri_unknown');
    expect(codes(loc([{ device: 'hook-wire', position: [0, 30, 20] }], { guidance: 'mri', placementDate: '2026-11-23' }).findings)).not.toContain('device_mri_unknown');
  });
  it('the advance mitigation: an aperture outside the skin moved down by exactly the overshoot, re-checked', () => {
    // vacuum-9g-20: aperture 20, tip 7; target 5 mm under the skin: proximal edge 5 mm outside.
    const r = planWith(engine, { thickness: 45, target: [0, 30, 40], lesionRadius: 2, needle: { device: 'vacuum-9g-20' } });
    expect(codes(r.findings)).toContain('aperture_outside_breast');
    const adv = r.mitigations!.find((m) => m.kind === 'advance')!;
    expect(adv).toMatchObject({ kind: 'advance', approach: 'vertical', deviceId: 'vacuum-9g-20', shift: 5, lesionCoverage: 3 });
    expect((adv as { block: { aimZ: number; skinClearance: number } }).block).toMatchObject({ aimZ: 35, skinClearance: 0 });
    expect(adv.message).toBe('advance the aperture 5.00 mm along the needle: it still covers the lesion (radius 2.0 mm) with 3.00 mm to spare.');
    const tooBig = planWith(engine, { thickness: 45, target: [0, 30, 40], lesionRadius: 6, needle: { device: 'vacuum-9g-20' } });
    expect(tooBig.mitigations!.some((m) => m.kind === 'advance')).toBe(false);
  });
  it('the pull-back mitigation on the lateral approach moves the aperture back toward the entry side', () => {
    for (const [side, far, x] of [['+x', -10, 0], ['-x', 10, 0]] as const) {
      const r = planWith(engine, { thickness: 15, target: [x, 30, 7.5], lesionRadius: 2, needle: { approach: 'lateral', device: 'vacuum-9g-20', lateral: { side, nearSkinX: side === '+x' ? 40 : -40, farSkinX: far } } });
      const pull = r.mitigations!.find((m) => m.kind === 'pull_back') as { shift: number; block: { aimX: number } } | undefined;
      expect(pull, side).toBeDefined();
      expect(pull!.shift).toBeCloseTo(7, 9);
      expect(pull!.block.aimX).toBeCloseTo(side === '+x' ? 7 : -7, 9);
    }
  });
});
