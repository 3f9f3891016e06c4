// Localization planning: the request checks at their limits (exact issue codes, paths and
// wording), I-125 seed assays, bracketing spacing, the clinical findings' severities, paths
// and messages, and what checkLocalization hands on.
import { describe, expect, it } from 'vitest';
import { Checker } from '../../src/core/validate.js';
import { shippedCatalog, type Catalog, type LocalizationDevice } from '../../src/devices/catalog.js';
import { checkLocalization } from '../../src/plan/localization.js';
import { planWith, type PlanResult } from '../../src/plan/plan.js';
import { P, S, at, codes, engine, issuesOf, localizationPlan, seedAt } from './helpers.js';

const find = (r: PlanResult, code: string) => r.findings.filter((f) => f.code === code);


describe('localization request checks', () => {
  it('a localization block that is not an object is refused as the wrong type', () => {
    const issues = issuesOf(() => planWith(engine, { thickness: 50, localization: 'tomorrow' }));
    expect(issues).toMatchObject([{ code: 'invalid_type', path: 'localization' }]);
  });

  it('the dates and the devices are required fields', () => {
    const issues = issuesOf(() => planWith(engine, { thickness: 50, localization: {} }));
    for (const p of ['placementDate', 'surgeryDate', 'devices']) {
      expect(at(issues, `localization.${p}`), p).toMatchObject([{ code: 'missing_field' }]);
    }
  });

  it('minSpacing: 0 and 300 mm accepted, -0.001 and 300.001 refused at localization.minSpacing', () => {
    const two = (minSpacing: number) => localizationPlan({ minSpacing, devices: [seedAt(10), seedAt(30)] });
    expect(two(300).localization!.spacing[0].minSpacing).toBe(300);
    expect(two(0).localization!.spacing[0].minSpacing).toBe(0);
    // (an invalid minSpacing also leaves the devices' own, missing, minimums to be asked for)
    expect(at(issuesOf(() => two(300.001)), 'localization.minSpacing')).toMatchObject([{ code: 'out_of_range', received: '300.001' }]);
    expect(at(issuesOf(() => two(-0.001)), 'localization.minSpacing')).toMatchObject([{ code: 'out_of_range', received: '-0.001' }]);
  });

  it('a device entry that is not an object is refused as the wrong type', () => {
    expect(issuesOf(() => localizationPlan({ devices: [42] }))).toMatchObject([{ code: 'invalid_type', path: 'localization.devices[0]' }]);
  });

  it('each device needs its device id and position', () => {
    const issues = issuesOf(() => localizationPlan({ devices: [{}] }));
    expect(at(issues, 'localization.devices[0].device')).toMatchObject([{ code: 'missing_field' }]);
    expect(at(issues, 'localization.devices[0].position')).toMatchObject([{ code: 'missing_field' }]);
  });

  it('a device id that is not a string is one invalid_type issue (not also an unknown reference)', () => {
    const issues = issuesOf(() => localizationPlan({ devices: [{ device: 7, position: [0, 30, 20] }] }));
    expect(at(issues, 'localization.devices[0].device')).toMatchObject([{ code: 'invalid_type' }]);
    expect(at(issues, 'localization.devices[0].device')).toHaveLength(1);
  });

  it('an unknown device id is an unknown_reference listing the catalog ids', () => {
    const issues = issuesOf(() => localizationPlan({ devices: [{ device: 'tag-x', position: [0, 30, 20] }] }));
    const list = at(issues, 'localization.devices[0].device');
    expect(list).toMatchObject([{ code: 'unknown_reference', received: '"tag-x"' }]);
    // the shipped catalog's localization ids, comma separated, in catalog order
    expect(list[0].expected).toMatch(/^a localization device id in the catalog \(.*\)$/);
    expect(list[0].expected).toContain('hook-wire, i125-seed, radar-reflector, magnetic-seed, rfid-tag');
    // a known id is accepted
    expect(() => localizationPlan({ devices: [seedAt()] })).not.toThrow();
  });

  it('without a thickness: only the thickness is asked for; z is then checked against +-1000 mm, not the skin', () => {
    const noThickness = (z: number) => planWith(engine, { localization: { placementDate: P, surgeryDate: S, devices: [{ device: 'magnetic-seed', position: [0, 30, z] }] } });
    expect(issuesOf(() => noThickness(-5))).toMatchObject([
      { code: 'missing_field', path: 'thickness', expected: 'the compressed thickness (mm), for depths from the skin' },
    ]);
    const far = issuesOf(() => noThickness(1000.001));
    expect(at(far, 'localization.devices[0].position[2]')).toMatchObject([{ code: 'out_of_range' }]);
  });

  it('a device without a label is named by its index; a label that is not a string is refused', () => {
    const r = localizationPlan({ minSpacing: 10, devices: [seedAt(10), seedAt(30)] });
    expect(r.localization!.devices.map((d) => d.label)).toEqual(['0', '1']);
    expect(r.localization!.spacing[0].devices).toEqual(['0', '1']);
    const issues = issuesOf(() => localizationPlan({ devices: [{ ...seedAt(), label: 5 }] }));
    expect(issues).toMatchObject([{ code: 'invalid_type', path: 'localization.devices[0].label' }]);
  });
});

describe('I-125 seed assay checks', () => {
  const seed = (assay: unknown) => localizationPlan({ devices: [{ device: 'i125-seed', position: [0, 30, 20], ...(assay === undefined ? {} : { assay }) }] });

  it('an assay that is not an object, or lacks its fields, is refused at the assay', () => {
    expect(issuesOf(() => seed('x'))).toMatchObject([{ code: 'invalid_type', path: 'localization.devices[0].assay' }]);
    const issues = issuesOf(() => seed({}));
    expect(at(issues, 'localization.devices[0].assay.activityMBq')).toMatchObject([{ code: 'missing_field' }]);
    expect(at(issues, 'localization.devices[0].assay.date')).toMatchObject([{ code: 'missing_field' }]);
  });

  it('activity: above 0 up to 10 000 MBq inclusive', () => {
    expect(() => seed({ activityMBq: 1e4, date: P })).not.toThrow();
    expect(() => seed({ activityMBq: 0.001, date: P })).not.toThrow();
    expect(issuesOf(() => seed({ activityMBq: 0, date: P }))).toMatchObject([{ code: 'out_of_range', path: 'localization.devices[0].assay.activityMBq' }]);
    expect(issuesOf(() => seed({ activityMBq: 10000.001, date: P }))).toMatchObject([{ code: 'out_of_range', path: 'localization.devices[0].assay.activityMBq' }]);
  });

  it('the assay date must be a calendar date on or before placement', () => {
    expect(issuesOf(() => seed({ activityMBq: 4, date: 'soon' }))).toMatchObject([{ code: 'invalid_value', path: 'localization.devices[0].assay.date' }]);
    // assayed on the placement day: accepted, and decayed over the 3 days to surgery (half-life 59.4 d)
    const same = seed({ activityMBq: 4, date: P });
    expect(same.localization!.devices[0].activityOnSurgeryDayMBq).toBeCloseTo(4 * 2 ** (-3 / 59.4), 12);
    const issues = issuesOf(() => seed({ activityMBq: 4, date: '2026-11-21' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'invalid_value', path: 'localization.devices[0].assay.date', expected: 'a date on or before placementDate (2026-11-20)' });
    expect(issues[0].message).toContain('the assay 2026-11-21 is after placement 2026-11-20');
  });

  it('a seed without an assay asks for { activityMBq, date }', () => {
    expect(issuesOf(() => seed(undefined))).toMatchObject([
      { code: 'missing_field', path: 'localization.devices[0].assay', expected: 'the seed assay: { activityMBq, date }' },
    ]);
  });

  it('decay is computed for I-125 seeds only, even when another kind of device carries a half-life and an assay', () => {
    const catalog = { localizationDevices: [{ id: 'hl-seed', kind: 'magnetic-seed', detectionDepthLimit: 40, minSpacing: 10, repositionable: false, halfLifeDays: 10 }] };
    const without = localizationPlan({ devices: [{ device: 'hl-seed', position: [0, 30, 20] }] }, { catalog });
    expect(without.localization!.devices[0].activityOnSurgeryDayMBq).toBeUndefined();
    const withAssay = localizationPlan({ devices: [{ device: 'hl-seed', position: [0, 30, 20], assay: { activityMBq: 4, date: P } }] }, { catalog });
    expect(withAssay.localization!.devices[0].activityOnSurgeryDayMBq).toBeUndefined();
    expect(codes(withAssay)).not.toContain('seed_assay_out_of_range');
  });
});

describe('bracketing devices: spacing', () => {
  it('two devices without a catalog minimum spacing: each is asked for one, naming localization.minSpacing', () => {
    const issues = issuesOf(() => localizationPlan({ devices: [seedAt(10), seedAt(30)] }));
    for (const i of [0, 1]) {
      const [x] = at(issues, `localization.devices[${i}].device`);
      expect(x).toMatchObject({ code: 'missing_field', expected: 'a catalog entry for magnetic-seed with minSpacing (set by its maker), or localization.minSpacing' });
      expect(x.message).toBe(`localization.devices[${i}].device: magnetic-seed has no minimum spacing in the catalog (each maker sets one): load a catalog entry with it, or give localization.minSpacing`);
    }
  });

  it('the distance is the 3-D separation (x difference, not sum), and too close is an error at the second device', () => {
    // x = -10 and x = +10, same y and z: 20 mm apart; minimum 25 mm -> too close by 5 mm.
    const r = localizationPlan({ minSpacing: 25, devices: [{ ...seedAt(), position: [-10, 30, 20], label: 'A' }, { ...seedAt(), position: [10, 30, 20], label: 'B' }] });
    expect(r.localization!.spacing).toEqual([{ devices: ['A', 'B'], distance: 20, minSpacing: 25 }]);
    expect(find(r, 'devices_too_close')).toEqual([{
      code: 'devices_too_close', severity: 'error', path: 'localization.devices[1].position', value: 20, limit: 25,
      message: 'A and B would be 20.0 mm apart, under the 25.0 mm minimum spacing: the probe may not tell them apart.',
    }]);
    // exactly at the minimum is allowed
    expect(codes(localizationPlan({ minSpacing: 20, devices: [{ ...seedAt(), position: [-10, 30, 20] }, { ...seedAt(), position: [10, 30, 20] }] }))).not.toContain('devices_too_close');
  });
});

describe('localization findings', () => {
  it('a device at mid-thickness is equally deep from both skins; it is reported as the paddle side', () => {
    // thickness 50, z 25: 25 mm from the support (z = 0) and 25 mm from the paddle (z = 50)
    expect(localizationPlan({ devices: [seedAt(25)] }).localization!.devices[0]).toMatchObject({ depthFromNearerSkin: 25, nearerSkin: 'paddle' });
    expect(localizationPlan({ devices: [seedAt(24.9)] }).localization!.devices[0]).toMatchObject({ nearerSkin: 'support' });
  });

  it('a hook wire placed the day before surgery: "1 day"; two days before: "2 days"', () => {
    const wire = (placed: string) => find(localizationPlan({ placementDate: placed, devices: [{ device: 'hook-wire', position: [0, 30, 20], label: 'W' }] }), 'wire_not_same_day');
    expect(wire('2026-11-22')).toMatchObject([{ severity: 'error', value: 1, limit: 0,
      message: 'W (hook-wire) must be placed on the day of surgery; placement is 1 day before.' }]);
    expect(wire('2026-11-21')[0].message).toBe('W (hook-wire) must be placed on the day of surgery; placement is 2 days before.');
  });

  it('a hook wire on the day of surgery raises nothing (it is repositionable)', () => {
    expect(localizationPlan({ placementDate: S, devices: [{ device: 'hook-wire', position: [0, 30, 20] }] }).findings).toEqual([]);
  });

  it('an RFID tag: 30 days of dwell allowed, 31 is an error on the placement date', () => {
    const tag = (placed: string) => find(localizationPlan({ placementDate: placed, surgeryDate: '2026-12-31', devices: [{ device: 'rfid-tag', position: [0, 30, 20], label: 'T' }] }), 'dwell_too_long');
    expect(tag('2026-12-01')).toEqual([]); // 30 days
    expect(tag('2026-11-30')).toEqual([{ // 31 days
      code: 'dwell_too_long', severity: 'error', path: 'localization.placementDate', value: 31, limit: 30,
      message: 'T (rfid-tag) may stay at most 30 days before surgery; this plan has 31.',
    }]);
  });

  it('an I-125 seed under MRI guidance is an error at the device', () => {
    const r = localizationPlan({ guidance: 'mri', devices: [{ device: 'i125-seed', position: [0, 30, 20], label: 'S', assay: { activityMBq: 4, date: P } }] });
    expect(find(r, 'device_not_mri_compatible')).toEqual([{
      code: 'device_not_mri_compatible', severity: 'error', path: 'localization.devices[0].device',
      message: 'S (i125-seed) is not placed under MRI guidance.',
    }]);
  });

  it('a device that cannot be repositioned is an info finding at the device', () => {
    const r = localizationPlan({ devices: [{ ...seedAt(), label: 'M' }] });
    expect(r.findings).toEqual([{
      code: 'device_not_repositionable', severity: 'info', path: 'localization.devices[0].device',
      message: 'M (magnetic-seed) cannot be repositioned once placed: confirm the position before deploying.',
    }]);
  });
});

describe('checkLocalization (the parser) hands on only complete, valid input', () => {
  const catalog = shippedCatalog();
  const parse = (v: Record<string, unknown>, cat: Catalog = catalog, thickness: number | undefined = 50) => {
    const c = new Checker();
    const out = checkLocalization(c, { placementDate: P, surgeryDate: S, devices: [seedAt()], ...v }, ['localization'], cat, thickness);
    return { c, out };
  };

  it('valid input comes back with the dates as day numbers', () => {
    const { c, out } = parse({});
    expect(c.issues).toEqual([]);
    // 2026-11-20 is 20 777 days after 1970-01-01 (Date.UTC month index 10 = November)
    expect(out).toMatchObject({ guidance: 'stereotactic', placementDay: 20_777, surgeryDay: 20_780 });
    expect(out!.devices).toHaveLength(1);
  });

  it('an unknown guidance, or an invalid placement or surgery date: nothing is returned', () => {
    expect(parse({ guidance: 'x-ray' }).out).toBeUndefined();
    expect(parse({ placementDate: '2026-02-30' }).out).toBeUndefined();
    expect(parse({ surgeryDate: '2026-11-31' }).out).toBeUndefined();
  });

  it('a device with an invalid coordinate or label is not handed on', () => {
    expect(parse({ devices: [{ device: 'magnetic-seed', position: [0, 30, 'deep'] }] }).out!.devices).toEqual([]);
    expect(parse({ devices: [{ device: 'magnetic-seed', position: [0, 30, 20], label: 5 }] }).out!.devices).toEqual([]);
  });

  it('a seed whose assay activity or date is invalid carries no assay', () => {
    const badActivity = parse({ devices: [{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 0, date: P } }] });
    expect(badActivity.out!.devices[0].assay).toBeUndefined();
    const badDate = parse({ devices: [{ device: 'i125-seed', position: [0, 30, 20], assay: { activityMBq: 4, date: 'soon' } }] });
    expect(badDate.out!.devices[0].assay).toBeUndefined();
  });

  it('a probe-detected device lacking a detection limit (an unchecked catalog) is refused at localization.devices', () => {
    const tag: LocalizationDevice = { ...catalog.localizationDevices.find((d) => d.id === 'rfid-tag')!, id: 'tag2', detectionDepthLimit: null };
    const { c } = parse({ devices: [{ device: 'tag2', position: [0, 30, 20] }] }, { biopsyDevices: [], localizationDevices: [tag] });
    expect(c.issues).toMatchObject([{ code: 'missing_field', path: 'localization.devices', expected: 'a detection depth limit for tag2' }]);
  });
});
