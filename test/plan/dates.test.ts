// Calendar dates of a localization plan (placement and surgery): the request checks at their
// limits, with exact issue codes, paths and wording.
import { describe, expect, it } from 'vitest';
import { S, at, issuesOf, localizationPlan, seedAt } from './helpers.js';

describe('calendar dates', () => {
  it('an impossible date is invalid_value, described as a YYYY-MM-DD calendar date', () => {
    // 30 February does not exist: the round trip through the calendar changes it.
    const issues = issuesOf(() => localizationPlan({ placementDate: '2026-02-30', devices: [seedAt()] }));
    expect(at(issues, 'localization.placementDate')).toMatchObject([{ code: 'invalid_value', expected: 'a calendar date as YYYY-MM-DD' }]);
  });

  it('a date that is not a string is reported once, as the wrong type', () => {
    const issues = issuesOf(() => localizationPlan({ placementDate: 20261120, devices: [seedAt()] }));
    expect(at(issues, 'localization.placementDate')).toMatchObject([{ code: 'invalid_type' }]);
    expect(at(issues, 'localization.placementDate')).toHaveLength(1);
  });

  it('the result echoes the dates as YYYY-MM-DD and counts whole days, across a leap day', () => {
    const r = localizationPlan({ devices: [seedAt()] });
    expect(r.localization).toMatchObject({ placementDate: '2026-11-20', surgeryDate: '2026-11-23', daysToSurgery: 3 });
    // 2028 is a leap year: 28 Feb -> 1 Mar is 2 days.
    const leap = localizationPlan({ placementDate: '2028-02-28', surgeryDate: '2028-03-01', devices: [seedAt()] });
    expect(leap.localization).toMatchObject({ placementDate: '2028-02-28', surgeryDate: '2028-03-01', daysToSurgery: 2 });
  });

  it('an impossible surgery date is reported at surgeryDate', () => {
    // November has 30 days.
    const issues = issuesOf(() => localizationPlan({ surgeryDate: '2026-11-31', devices: [seedAt()] }));
    expect(at(issues, 'localization.surgeryDate')).toMatchObject([{ code: 'invalid_value' }]);
  });

  it('surgery on the placement day is accepted; the day before is refused with both dates named', () => {
    expect(() => localizationPlan({ placementDate: S, surgeryDate: S, devices: [seedAt()] })).not.toThrow();
    const issues = issuesOf(() => localizationPlan({ placementDate: '2026-11-24', surgeryDate: S, devices: [seedAt()] }));
    const [i] = at(issues, 'localization.surgeryDate');
    expect(i).toMatchObject({ code: 'invalid_value', expected: 'a date on or after placementDate (2026-11-24)' });
    expect(i.message).toContain('surgery 2026-11-23 is before placement 2026-11-24');
  });
});
