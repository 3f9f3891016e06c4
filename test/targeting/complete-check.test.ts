// The complete (slow) path of targeting (src/targeting/request.ts, compute.ts, findings.ts; written
// where a mutation run showed tests missing): checkGeometry, the detector calibration and pixel marks
// (checkDetector, pixelToDetector), checkTargetingRequest called directly (the public
// entry points take the fast path for common valid requests, so the complete check of
// valid input is rarely reached through them), the single-request batch cache, the
// result fields of computeTargeting and the targeting findings. Issues are compared by
// code, path, expected and received, exactly; numbers against the independent
// reference (test/reference/independent.ts) or against the spec's formula written here.
//
// Judged equivalent (no input can tell them from the original):
// - checkDetector `if (s !== undefined) spacing = ...` -> `if (true)`; the array and
//   object forms' `if (col !== undefined && row !== undefined)` -> true / `||` / either
//   operand true; `!spacing || ocol === undefined || orow === undefined` with the ocol
//   or orow test -> false: each only differs when a spacing or origin value is
//   undefined, which always comes with an issue already recorded (c.array, c.object,
//   c.length, c.number or missing_field), so checkTargetingRequest throws the same
//   issues at its first c.done(); the half-built calibration only yields NaN marks,
//   which add no issue (NaN > 1000 is false) and are never returned.
// - checkTargetingRequest `req.geometry === undefined ? undefined : checkGeometry(...)`,
//   the same for thickness and `req.views ... c.array(...)`, each test -> false: with the
//   field absent the check receives undefined at a path already reported missing_field,
//   so Checker.add drops its invalid_type, and it returns undefined as the original does.
// - `const rawAngles: unknown[] = []` -> ["Stryker was here"]: rawAngles[k] is read only
//   after c.done() passed, when every view was an object and wrote rawAngles[k].
// - `hasPixels = item !== null && typeof item === 'object' && (...)`: the operands
//   `item !== null` / `typeof item === 'object'` -> true, and `item !== null || typeof
//   item === 'object'`: for a non-object `'col' in item` throws a TypeError, which the
//   surrounding catch turns into hasPixels = false, as the original gives.
// - `else if (detector && col !== undefined && row !== undefined)` with the col or row
//   test -> true, and `if (angle !== undefined && u !== undefined && v !== undefined)`
//   (-> true, `||` in either place, each operand -> true), `views.push({ angle: NaN, ... })`
//   -> `{}`: an undefined angle, col, row, u or v always comes with an issue, so the
//   views (NaN or not) are dropped by c.done() before they are read.
// - `const s: Vec3 = { x: 0, y: 0, z: 0 }` -> `{}`: sourcePosition writes x, y and z
//   before anything reads them.
// - scratchBatch: `if (!found)` -> true, `found = []` -> ["Stryker was here"], `if (!s)`
//   -> true, `u: [] / v: [] / d: []` -> ["Stryker was here"], the unchanged-geometry test
//   -> false, `if (!unchanged)` -> true, `s.x.length === 0 ? memory.buffer : s.buffer`
//   -> memory.buffer, `if (s.buffer !== buffer)` -> true: a fresh or reconfigured batch,
//   or rebuilt column views, on every call compute the same numbers (only slower; the
//   placeholder element at index 0 is overwritten or never read, V >= 2). The
//   `||` mutant of the unchanged test is NOT equivalent and is killed below.
// - computeTargeting `for (let j = 0; j < V; j++)` -> `j <= V` (pairwise gaps): at
//   j = V the inner loop (k = V + 1 < V) does nothing.
// - `Math.abs(a0 + a1) <= SYMMETRY_TOLERANCE` -> `<`: needs a sum of exactly 1e-9 as a
//   double, whose last bit is 2^-82, so both angles must be about 1e-9 degrees: such a
//   pair has parallel rays and throws degenerate_input before the classic estimate.
// - `const plus = a0 > 0 ? 0 : 1` -> `a0 >= 0`: differs only for a0 = 0 in a symmetric
//   pair, i.e. angles 0 and +-0 (or within 1e-9 of it): parallel rays, degenerate_input.
// - targetingFindings `r.rayGap !== undefined && ...` with the first operand -> true:
//   without a rayGap, `undefined > maxRayGap` is false anyway.
// - `if (w.angle < lo)` -> `<=` and `if (w.angle > hi)` -> `>=`: they only reassign an
//   equal angle; the one observable case (all angles +-0, spread -0 vs 0) has parallel
//   rays and throws degenerate_input.
import { describe, expect, it } from 'vitest';
import { refusal, refusalIssues } from '../helpers/refusal.js';
import { Checker, loadEngine } from '../../src/index.js';
import {
  checkGeometry, checkTargetingRequest, computeTargeting, pixelToDetector, targetWith,
  type DetectorCalibration, type TargetingInput, type TargetingResult,
} from '../../src/targeting/targeting.js';
import {
  refClassic, refJacobian, refProject, refRayDistance, refRayGap, refSource, refTriangulate, refUncertainty, refVerticalNeedle,
  type P3, type RefGeometry, type RefMark,
} from '../reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const P: P3 = [4, 30, 20];
const LENGTH = 'a number in mm or a string with a length unit such as "4.5 cm"';

type Iss = { code: string; path: string; expected: string; received: string };
const brief = ({ code, path, expected, received }: Iss): Iss => ({ code, path, expected, received });

/** Runs one checker on a fresh Checker: what it returns and every issue it recorded. */
function check<T>(fn: (c: Checker) => T): { out: T; issues: Iss[] } {
  const c = new Checker();
  const out = fn(c);
  return { out, issues: c.issues.map(brief) };
}
const geo = (v: unknown, path: (string | number)[] = ['geometry']) => check((c) => checkGeometry(c, v, path));
/** Every issue the complete check refuses a request with. */
const issuesOf = (request: unknown): Iss[] => refusalIssues(() => checkTargetingRequest(request));
const mark = (angle: number, p: P3 = P, g: RefGeometry = G): RefMark => ({ angle, ...refProject(g, angle, p) });
const mmRequest = (extra: Record<string, unknown> = {}) => ({ geometry: G, thickness: 45, views: [mark(15), mark(-15)], ...extra });
const input = (views: RefMark[], extra: Partial<TargetingInput> = {}, g: RefGeometry = G): TargetingInput =>
  ({ geometry: { ...g }, thickness: 45, views, maxRayGap: 1, ...extra });
const codes = (r: TargetingResult) => r.findings.map((f) => f.code);

describe('[TGT-002] checkGeometry', () => {
  it('a valid geometry comes back as the three numbers, units converted, no issue', () => {
    expect(geo({ sourceToDetector: '66 cm', sourceToSupport: 640, rotationAxisHeight: -20 })).toStrictEqual({ out: G, issues: [] });
  });
  it('the support may be exactly as far as the detector; the rotation axis just below the source', () => {
    const g = { sourceToDetector: 660, sourceToSupport: 660, rotationAxisHeight: 659.99 };
    expect(geo(g)).toStrictEqual({ out: g, issues: [] });
  });
  it('a support farther than the detector is invalid_geometry at sourceToSupport, and no geometry', () => {
    expect(geo({ sourceToDetector: 660, sourceToSupport: 660.01, rotationAxisHeight: -20 })).toStrictEqual({
      out: undefined,
      issues: [{ code: 'invalid_geometry', path: 'geometry.sourceToSupport',
        expected: 'at most sourceToDetector (660 mm): the support cannot be farther from the source than the detector', received: '660.01' }],
    });
    // The raw value is what was received; the path follows the caller's.
    expect(geo({ sourceToDetector: 660, sourceToSupport: '70 cm', rotationAxisHeight: -20 }, ['unit', 'geometry'])).toStrictEqual({
      out: undefined,
      issues: [{ code: 'invalid_geometry', path: 'unit.geometry.sourceToSupport',
        expected: 'at most sourceToDetector (660 mm): the support cannot be farther from the source than the detector', received: '"70 cm"' }],
    });
  });
  it('a rotation axis at the source height (or above) is invalid_geometry at rotationAxisHeight, and no geometry', () => {
    expect(geo({ sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: 640 })).toStrictEqual({
      out: undefined,
      issues: [{ code: 'invalid_geometry', path: 'geometry.rotationAxisHeight', expected: 'below the source (< sourceToSupport, 640 mm)', received: '640' }],
    });
    expect(geo({ sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: 650 }).out).toBeUndefined();
  });
  it('both cross-field faults are reported, in order', () => {
    expect(geo({ sourceToDetector: 660, sourceToSupport: 700, rotationAxisHeight: 700 })).toStrictEqual({
      out: undefined,
      issues: [
        { code: 'invalid_geometry', path: 'geometry.sourceToSupport', expected: 'at most sourceToDetector (660 mm): the support cannot be farther from the source than the detector', received: '700' },
        { code: 'invalid_geometry', path: 'geometry.rotationAxisHeight', expected: 'below the source (< sourceToSupport, 700 mm)', received: '700' },
      ],
    });
  });
  it('any one invalid length alone gives no geometry (never one with a hole in it)', () => {
    const bad: [string, unknown, Iss][] = [
      ['sourceToDetector', 99.9, { code: 'out_of_range', path: 'geometry.sourceToDetector', expected: '>= 100 and <= 2000 mm', received: '99.9' }],
      ['sourceToSupport', 49, { code: 'out_of_range', path: 'geometry.sourceToSupport', expected: '>= 50 and <= 2000 mm', received: '49' }],
      ['rotationAxisHeight', -2001, { code: 'out_of_range', path: 'geometry.rotationAxisHeight', expected: '>= -2000 and <= 2000 mm', received: '-2001' }],
      ['rotationAxisHeight', 'abc', { code: 'invalid_unit', path: 'geometry.rotationAxisHeight', expected: LENGTH, received: '"abc"' }],
    ];
    for (const [field, value, issue] of bad) {
      expect(geo({ ...G, [field]: value }), `${field}=${String(value)}`).toStrictEqual({ out: undefined, issues: [issue] });
    }
  });
});

describe('[TGT-003] pixelToDetector: the spec formula u = +-(col - origin.col) * spacing.col, v = +-(row - origin.row) * spacing.row', () => {
  const base = { pixelSpacing: { col: 0.1, row: 0.25 }, origin: { col: 1024, row: 10 } };
  for (const colAxis of ['+x', '-x'] as const) {
    for (const rowAxis of ['+y', '-y'] as const) {
      it(`colAxis ${colAxis}, rowAxis ${rowAxis}`, () => {
        const cal: DetectorCalibration = { ...base, colAxis, rowAxis };
        const du = (1100 - 1024) * 0.1, dv = (70 - 10) * 0.25;
        expect(pixelToDetector(cal, 1100, 70)).toStrictEqual({ u: colAxis === '+x' ? du : -du, v: rowAxis === '+y' ? dv : -dv });
      });
    }
  }
});

describe('checkTargetingRequest with pixel marks: the calibration in every accepted form', () => {
  const views = [{ angle: 15, col: 1000, row: 300, label: 'plus' }, { angle: -15, col: 1100, row: 302 }];
  const pix = (detector: unknown, v: unknown[] = views, extra: Record<string, unknown> = {}) => ({ geometry: G, thickness: 45, detector, views: v, ...extra });
  /** The marks the spec's formula gives for `views` (origin col 1024, row 0). */
  const expected = (sc: number, sr: number, su = 1, sv = 1) => [
    { angle: 15, u: su * ((1000 - 1024) * sc), v: sv * ((300 - 0) * sr) },
    { angle: -15, u: su * ((1100 - 1024) * sc), v: sv * ((302 - 0) * sr) },
  ];
  const result = (v: ReturnType<typeof expected>) => ({ geometry: G, thickness: 45, views: v, maxRayGap: 1 });

  it('one number, or a string with a unit, is the spacing of both columns and rows', () => {
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: { col: 1024, row: 0 } }))).toStrictEqual(result(expected(0.1, 0.1)));
    expect(checkTargetingRequest(pix({ pixelSpacing: '0.1 mm', origin: { col: 1024, row: 0 } }))).toStrictEqual(result(expected(0.1, 0.1)));
  });
  it('an array is DICOM Pixel Spacing: [between rows, between columns]', () => {
    expect(checkTargetingRequest(pix({ pixelSpacing: [0.2, 0.1], origin: { col: 1024, row: 0 } }))).toStrictEqual(result(expected(0.1, 0.2)));
  });
  it('an object names col and row', () => {
    expect(checkTargetingRequest(pix({ pixelSpacing: { col: 0.1, row: 0.2 }, origin: { col: 1024, row: 0 } }))).toStrictEqual(result(expected(0.1, 0.2)));
    expect(checkTargetingRequest(pix({ pixelSpacing: { row: 0.3, col: 0.15 }, origin: [1024, 0] }))).toStrictEqual(result(expected(0.15, 0.3)));
  });
  it('the origin as [col, row] equals the origin as { col, row }', () => {
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0] }))).toStrictEqual(result(expected(0.1, 0.1)));
  });
  it('colAxis "-x" and rowAxis "-y" turn the axes; "+x"/"+y" given explicitly equal the defaults', () => {
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0], colAxis: '-x', rowAxis: '-y' }))).toStrictEqual(result(expected(0.1, 0.1, -1, -1)));
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0], colAxis: '-x' }))).toStrictEqual(result(expected(0.1, 0.1, -1, 1)));
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0], rowAxis: '-y' }))).toStrictEqual(result(expected(0.1, 0.1, 1, -1)));
    expect(checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0], colAxis: '+x', rowAxis: '+y' }))).toStrictEqual(result(expected(0.1, 0.1)));
  });
  it('id, imageSigma, maxRayGap and needle are handed on with pixel marks', () => {
    const needle = { approach: 'vertical', device: { throw: 0, apertureLength: 20, tipLength: 7 } };
    const r = checkTargetingRequest(pix({ pixelSpacing: 0.1, origin: [1024, 0] }, views, { id: 'p1', imageSigma: 0.1, maxRayGap: 2, needle }));
    expect(r).toStrictEqual({
      geometry: G, thickness: 45, views: expected(0.1, 0.1), maxRayGap: 2, id: 'p1', imageSigma: 0.1,
      needle: { approach: 'vertical', device: { throw: 0, apertureLength: 20, tipLength: 7 }, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 },
    });
  });
  it('a mark exactly 1000 mm from the origin is accepted; 1000.5 mm (either sign, either axis) is out_of_range at col or row', () => {
    const cal = { pixelSpacing: 1, origin: [0, 0] };
    const ok = checkTargetingRequest(pix(cal, [{ angle: 15, col: 1000, row: -1000 }, { angle: -15, col: -1000, row: 1000 }]));
    expect(ok.views).toStrictEqual([{ angle: 15, u: 1000, v: -1000 }, { angle: -15, u: -1000, v: 1000 }]);
    expect(issuesOf(pix(cal, [{ angle: 15, col: 1000.5, row: 0 }, { angle: -15, col: 0, row: -1000.5 }]))).toEqual([
      { code: 'out_of_range', path: 'views[0].col', expected: 'a pixel within 1000 mm of the origin', received: '1000.5' },
      { code: 'out_of_range', path: 'views[1].row', expected: 'a pixel within 1000 mm of the origin', received: '-1000.5' },
    ]);
    // Turned axes: the distance in mm counts, whatever the pixel's sign.
    expect(issuesOf(pix({ ...cal, colAxis: '-x', rowAxis: '-y' }, [{ angle: 15, col: -1000.5, row: 1000.5 }, { angle: -15, col: 0, row: 0 }]))).toEqual([
      { code: 'out_of_range', path: 'views[0].col', expected: 'a pixel within 1000 mm of the origin', received: '-1000.5' },
      { code: 'out_of_range', path: 'views[0].row', expected: 'a pixel within 1000 mm of the origin', received: '1000.5' },
    ]);
  });
});

describe('checkTargetingRequest: every detector and pixel-mark issue, exactly', () => {
  const twoViews = [{ angle: 15, col: 1000, row: 300 }, { angle: -15, col: 1100, row: 302 }];
  const pix = (detector: unknown, views: unknown[] = twoViews) => ({ geometry: G, thickness: 45, detector, views });
  const CAL = { pixelSpacing: 0.1, origin: { col: 1024, row: 0 } };
  const cases: [string, unknown, Iss[]][] = [
    ['a detector that is not an object', pix(5), [{ code: 'invalid_type', path: 'detector', expected: 'an object', received: '5' }]],
    ['a detector without pixelSpacing and origin', pix({}), [
      { code: 'missing_field', path: 'detector.pixelSpacing', expected: 'a value', received: 'nothing' },
      { code: 'missing_field', path: 'detector.origin', expected: 'a value', received: 'nothing' },
    ]],
    ['an unknown detector field', pix({ ...CAL, flip: true }), [
      { code: 'unknown_field', path: 'detector.flip', expected: 'one of pixelSpacing, origin, colAxis, rowAxis', received: '"flip"' },
    ]],
    ['a spacing array of one', pix({ ...CAL, pixelSpacing: [0.1] }), [
      { code: 'too_few_items', path: 'detector.pixelSpacing', expected: 'at least 2 items', received: 'an array of 1' },
    ]],
    ['a zero column spacing in the array', pix({ ...CAL, pixelSpacing: [0.1, 0] }), [
      { code: 'out_of_range', path: 'detector.pixelSpacing[1]', expected: '> 0 and <= 10 mm', received: '0' },
    ]],
    ['a spacing object without row', pix({ ...CAL, pixelSpacing: { col: 0.1 } }), [
      { code: 'missing_field', path: 'detector.pixelSpacing.row', expected: 'a value', received: 'nothing' },
    ]],
    ['a spacing object without col', pix({ ...CAL, pixelSpacing: { row: 0.1 } }), [
      { code: 'missing_field', path: 'detector.pixelSpacing.col', expected: 'a value', received: 'nothing' },
    ]],
    ['a spacing object with an unknown key', pix({ ...CAL, pixelSpacing: { col: 0.1, row: 0.1, z: 1 } }), [
      { code: 'unknown_field', path: 'detector.pixelSpacing.z', expected: 'one of col, row', received: '"z"' },
    ]],
    ['a zero col spacing', pix({ ...CAL, pixelSpacing: { col: 0, row: 0.1 } }), [
      { code: 'out_of_range', path: 'detector.pixelSpacing.col', expected: '> 0 and <= 10 mm', received: '0' },
    ]],
    ['a row spacing over 10 mm', pix({ ...CAL, pixelSpacing: { col: 0.1, row: 10.5 } }), [
      { code: 'out_of_range', path: 'detector.pixelSpacing.row', expected: '> 0 and <= 10 mm', received: '10.5' },
    ]],
    ['a null spacing', pix({ ...CAL, pixelSpacing: null }), [
      { code: 'invalid_type', path: 'detector.pixelSpacing', expected: 'an object', received: 'null' },
    ]],
    ['an origin array of one', pix({ ...CAL, origin: [1] }), [
      { code: 'too_few_items', path: 'detector.origin', expected: 'at least 2 items', received: 'an array of 1' },
    ]],
    ['an origin array with a string column', pix({ ...CAL, origin: ['a', 0] }), [
      { code: 'invalid_type', path: 'detector.origin[0]', expected: 'a number', received: '"a"' },
    ]],
    ['an origin array with a row past 1e6', pix({ ...CAL, origin: [0, 1e6 + 1] }), [
      { code: 'out_of_range', path: 'detector.origin[1]', expected: '>= -1000000 and <= 1000000', received: '1000001' },
    ]],
    ['an origin array with a column below -1e6', pix({ ...CAL, origin: [-1e6 - 1, 0] }), [
      { code: 'out_of_range', path: 'detector.origin[0]', expected: '>= -1000000 and <= 1000000', received: '-1000001' },
    ]],
    ['an origin object without row', pix({ ...CAL, origin: { col: 0 } }), [
      { code: 'missing_field', path: 'detector.origin.row', expected: 'a value', received: 'nothing' },
    ]],
    ['an origin object with a string col', pix({ ...CAL, origin: { col: 'a', row: 0 } }), [
      { code: 'invalid_type', path: 'detector.origin.col', expected: 'a number', received: '"a"' },
    ]],
    ['an origin object with a row past 1e6', pix({ ...CAL, origin: { col: 0, row: -1e6 - 1 } }), [
      { code: 'out_of_range', path: 'detector.origin.row', expected: '>= -1000000 and <= 1000000', received: '-1000001' },
    ]],
    ['an origin object with a col past 1e6', pix({ ...CAL, origin: { col: 1e6 + 1, row: 0 } }), [
      { code: 'out_of_range', path: 'detector.origin.col', expected: '>= -1000000 and <= 1000000', received: '1000001' },
    ]],
    ['an unknown colAxis', pix({ ...CAL, colAxis: 'x' }), [
      { code: 'invalid_value', path: 'detector.colAxis', expected: 'one of "+x", "-x"', received: '"x"' },
    ]],
    ['a rowAxis that is not a string', pix({ ...CAL, rowAxis: 5 }), [
      { code: 'invalid_type', path: 'detector.rowAxis', expected: 'one of "+y", "-y"', received: '5' },
    ]],
    ['a pixel mark with col and no row', pix(CAL, [{ angle: 15, col: 1000 }, twoViews[1]]), [
      { code: 'missing_field', path: 'views[0].row', expected: 'a value', received: 'nothing' },
    ]],
    ['a pixel mark with row and no col', pix(CAL, [twoViews[0], { angle: -15, row: 5 }]), [
      { code: 'missing_field', path: 'views[1].col', expected: 'a value', received: 'nothing' },
    ]],
    ['a pixel mark with u as well', pix(CAL, [{ ...twoViews[0], u: 1 }, twoViews[1]]), [
      { code: 'unknown_field', path: 'views[0].u', expected: 'one of angle, col, row, label', received: '"u"' },
      { code: 'invalid_value', path: 'views[0]', expected: 'either u and v (mm) or col and row (pixels), not both', received: 'an object' },
    ]],
    ['a pixel mark with v as well', pix(CAL, [twoViews[0], { ...twoViews[1], v: 1 }]), [
      { code: 'unknown_field', path: 'views[1].v', expected: 'one of angle, col, row, label', received: '"v"' },
      { code: 'invalid_value', path: 'views[1]', expected: 'either u and v (mm) or col and row (pixels), not both', received: 'an object' },
    ]],
    ['a pixel mark with a label that is not a string', pix(CAL, [{ ...twoViews[0], label: 5 }, twoViews[1]]), [
      { code: 'invalid_type', path: 'views[0].label', expected: 'a string', received: '5' },
    ]],
    ['a string col', pix(CAL, [{ ...twoViews[0], col: 'a' }, twoViews[1]]), [
      { code: 'invalid_type', path: 'views[0].col', expected: 'a number', received: '"a"' },
    ]],
    ['a string row', pix(CAL, [twoViews[0], { ...twoViews[1], row: '5' }]), [
      { code: 'invalid_type', path: 'views[1].row', expected: 'a number', received: '"5"' },
    ]],
    // A pixel past 1e6 is refused as a pixel, before it is converted (1e6 + 1 pixels of 0.1 mm is 1e5 mm).
    ['a col past 1e6 pixels', pix(CAL, [{ ...twoViews[0], col: -1e6 - 1 }, twoViews[1]]), [
      { code: 'out_of_range', path: 'views[0].col', expected: '>= -1000000 and <= 1000000', received: '-1000001' },
    ]],
    ['a row past 1e6 pixels', pix(CAL, [twoViews[0], { ...twoViews[1], row: 1e6 + 1 }]), [
      { code: 'out_of_range', path: 'views[1].row', expected: '>= -1000000 and <= 1000000', received: '1000001' },
    ]],
    ['pixel marks without a detector (one issue, however many pixel marks)', { geometry: G, thickness: 45, views: twoViews }, [
      { code: 'missing_field', path: 'detector', expected: 'a detector calibration (pixelSpacing, origin) for pixel marks', received: 'nothing' },
    ]],
  ];
  for (const [name, request, issues] of cases) {
    it(name, () => expect(issuesOf(request)).toEqual(issues));
  }
});

describe('checkTargetingRequest: marks in mm and the request as a whole', () => {
  it('a valid mm request comes back whole (the complete path, called directly)', () => {
    const req = mmRequest({ id: 'a', imageSigma: 0.2 });
    expect(checkTargetingRequest(req)).toStrictEqual({ geometry: G, thickness: 45, views: req.views, maxRayGap: 1, id: 'a', imageSigma: 0.2 });
  });
  it('a mark whose has-trap throws (a proxy) is read as a mark in mm, not as pixels', () => {
    const m = mark(15);
    const proxy = new Proxy({ ...m }, { has() { throw new Error('no has'); } });
    expect(checkTargetingRequest({ geometry: G, thickness: 45, views: [proxy, mark(-15)] }).views).toStrictEqual([m, mark(-15)]);
  });
  it('a mm mark without v is missing_field at v; a bad v is refused at v', () => {
    expect(issuesOf({ geometry: G, thickness: 45, views: [{ angle: 15, u: 1 }, mark(-15)] })).toEqual([
      { code: 'missing_field', path: 'views[0].v', expected: 'a value', received: 'nothing' },
    ]);
    expect(issuesOf({ geometry: G, thickness: 45, views: [mark(15), { ...mark(-15), v: 'x' }] })).toEqual([
      { code: 'invalid_unit', path: 'views[1].v', expected: LENGTH, received: '"x"' },
    ]);
    expect(issuesOf({ geometry: G, thickness: 45, views: [mark(15), { ...mark(-15), v: 1000.5 }] })).toEqual([
      { code: 'out_of_range', path: 'views[1].v', expected: '>= -1000 and <= 1000 mm', received: '1000.5' },
    ]);
  });
  it('an id that is not a string is refused at id', () => {
    expect(issuesOf(mmRequest({ id: 5 }))).toEqual([{ code: 'invalid_type', path: 'id', expected: 'a string', received: '5' }]);
  });
  it('an unknown field does not stop the check: the other fields are checked too', () => {
    expect(issuesOf(mmRequest({ foo: 1, thickness: 0 }))).toEqual([
      { code: 'unknown_field', path: 'foo', expected: 'one of id, geometry, thickness, views, detector, imageSigma, maxRayGap, needle', received: '"foo"' },
      { code: 'out_of_range', path: 'thickness', expected: '> 0 and <= 300 mm', received: '0' },
    ]);
  });
  it('a thickness equal to sourceToSupport is invalid_geometry, and so is every source at or below the skin', () => {
    const g = { sourceToDetector: 660, sourceToSupport: 200, rotationAxisHeight: -20 };
    const views = [{ angle: 0, u: 0, v: 0 }, { angle: 60, u: 0, v: 0 }];
    // Source z = rotationAxisHeight + R cos(angle): 200 at 0 degrees (exactly the thickness), 90 at 60.
    const z60 = -20 + 220 * Math.cos((60 * Math.PI) / 180);
    expect(issuesOf({ geometry: g, thickness: 200, views })).toEqual([
      { code: 'invalid_geometry', path: 'thickness', expected: 'less than sourceToSupport (200 mm)', received: '200' },
      { code: 'invalid_geometry', path: 'views[0].angle', expected: 'an angle that keeps the source above the compressed breast (source z 200.0 mm <= thickness 200 mm)', received: '0' },
      { code: 'invalid_geometry', path: 'views[1].angle', expected: `an angle that keeps the source above the compressed breast (source z ${z60.toFixed(1)} mm <= thickness 200 mm)`, received: '60' },
    ]);
    // Just below: the 0-degree source is above the skin, the thickness is valid.
    expect(issuesOf({ geometry: g, thickness: 199.99, views })).toEqual([
      { code: 'invalid_geometry', path: 'views[1].angle', expected: `an angle that keeps the source above the compressed breast (source z ${z60.toFixed(1)} mm <= thickness 199.99 mm)`, received: '60' },
    ]);
  });
  it('angles exactly MIN_ANGLE_SEPARATION (1e-6 deg) apart are different views; closer is a duplicate', () => {
    const views = [{ angle: 0, u: 1, v: 2 }, { angle: 1e-6, u: 1, v: 2 }];
    expect(checkTargetingRequest({ geometry: G, thickness: 45, views }).views).toStrictEqual(views);
    expect(issuesOf({ geometry: G, thickness: 45, views: [{ angle: 0, u: 1, v: 2 }, { angle: 5e-7, u: 1, v: 2 }] })).toEqual([
      { code: 'duplicate_value', path: 'views[1].angle', expected: 'an angle different from views[0].angle (0 deg)', received: '5e-7' },
    ]);
  });
});

describe('computeTargeting: the result fields', () => {
  it('a pixel request (complete path) through targetWith: marks, target, depth, gap, distances, classic, uncertainty, needle, id', () => {
    const cal = { pixelSpacing: [0.1, 0.1], origin: { col: 1024, row: 0 } };
    const toPixel = (m: RefMark) => ({ angle: m.angle, col: 1024 + m.u / 0.1, row: m.v / 0.1 });
    const DEV = { throw: 0, apertureLength: 20, tipLength: 7 };
    const HIGH: P3 = [4, 30, 25]; // post-fire tip at 8 mm: no needle finding
    const request = {
      id: 'px', geometry: G, thickness: 45, detector: cal, views: [mark(15, HIGH), mark(-15, HIGH)].map(toPixel), imageSigma: 0.1,
      needle: { approach: 'vertical', device: DEV },
    };
    const r = targetWith(engine, request);
    const marks = request.views.map((w) => ({ angle: w.angle, u: (w.col - 1024) * 0.1, v: (w.row - 0) * 0.1 }));
    expect(r.id).toBe('px');
    expect(r.marks).toStrictEqual(marks);
    const ref = refTriangulate(G, marks);
    expect(r.target.x).toBeCloseTo(ref[0], 9);
    expect(r.target.y).toBeCloseTo(ref[1], 9);
    expect(r.target.z).toBeCloseTo(ref[2], 9);
    expect(r.target.z).toBeCloseTo(HIGH[2], 6);
    expect(r.depthFromSkin).toBe(45 - r.target.z);
    expect(r.rayGap).toBeCloseTo(refRayGap(G, marks[0], marks[1]), 9);
    expect(r.rayDistances).toStrictEqual([r.rayGap! / 2, r.rayGap! / 2]);
    expect(r).not.toHaveProperty('pairwiseRayGaps');
    const cl = refClassic(G, marks[0], marks[1]);
    expect(r.classic!.x).toBeCloseTo(cl[0], 9);
    expect(r.classic!.y).toBeCloseTo(cl[1], 9);
    expect(r.classic!.z).toBeCloseTo(cl[2], 9);
    const u = refUncertainty(refJacobian(G, marks), 0.1);
    expect(r.uncertainty!.imageSigma).toBe(0.1);
    expect(r.uncertainty!.sigma.x).toBeCloseTo(u.sigma.x, 6);
    expect(r.uncertainty!.sigma.y).toBeCloseTo(u.sigma.y, 6);
    expect(r.uncertainty!.sigma.z).toBeCloseTo(u.sigma.z, 6);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(r.uncertainty!.covariance[i][j]).toBeCloseTo(u.covariance[i][j], 7);
    r.uncertainty!.ellipsoid95.semiAxes.forEach((s, i) => expect(s).toBeCloseTo(u.semiAxes[i], 5));
    const J = refJacobian(G, marks);
    expect(r.uncertainty!.jacobian.map((row) => row.length)).toEqual([4, 4, 4]);
    r.uncertainty!.jacobian.forEach((row, i) => row.forEach((x, m) => expect(x).toBeCloseTo(J[i][m], 5)));
    const n = refVerticalNeedle(r.target.z, 45, DEV);
    expect(r.needle).toMatchObject({ approach: 'vertical', device: DEV });
    const needle = r.needle as unknown as Record<string, number>;
    for (const key of ['postfireTipZ', 'prefireTipZ', 'strokeMargin', 'apertureProximalZ', 'skinClearance'] as const) {
      expect(needle[key], key).toBeCloseTo(n[key], 9);
    }
    expect(r.findings).toEqual([]);
  });

  it('the classic estimate takes the +a view as plus, whichever order the pair comes in; an asymmetric pair has none', () => {
    for (const angles of [[15, -15], [-15, 15], [-20, 20]]) {
      const views = angles.map((a) => mark(a, [-6, 12, 25]));
      const r = computeTargeting(engine, input(views));
      const plus = views.find((v) => v.angle > 0)!, minus = views.find((v) => v.angle < 0)!;
      const cl = refClassic(G, plus, minus);
      expect(r.classic!.x, String(angles)).toBeCloseTo(cl[0], 9);
      expect(r.classic!.y, String(angles)).toBeCloseTo(cl[1], 9);
      expect(r.classic!.z, String(angles)).toBeCloseTo(cl[2], 9);
    }
    expect(computeTargeting(engine, input([mark(15), mark(-14)]))).not.toHaveProperty('classic');
    // Within SYMMETRY_TOLERANCE (1e-9 deg) of a symmetric pair: classic; 2e-9 off: none.
    expect(computeTargeting(engine, input([mark(15), mark(-15 + 1e-10)]))).toHaveProperty('classic');
    expect(computeTargeting(engine, input([mark(15), mark(-15 + 2e-9)]))).not.toHaveProperty('classic');
  });

  it('three views: pairwise gaps of every pair, a distance per view, no rayGap and no classic', () => {
    const views = [mark(0), mark(15), mark(-15)];
    views[1] = { ...views[1], v: views[1].v + 0.4 };
    views[2] = { ...views[2], u: views[2].u - 0.3 };
    const r = computeTargeting(engine, input(views, { maxRayGap: 10 }));
    expect(r).not.toHaveProperty('rayGap');
    expect(r).not.toHaveProperty('classic');
    expect(r.pairwiseRayGaps!.map((p) => p.views)).toEqual([[0, 1], [0, 2], [1, 2]]);
    for (const p of r.pairwiseRayGaps!) expect(p.gap).toBeCloseTo(refRayGap(G, views[p.views[0]], views[p.views[1]]), 9);
    const ref = refTriangulate(G, views);
    expect(r.target.x).toBeCloseTo(ref[0], 9);
    expect(r.target.y).toBeCloseTo(ref[1], 9);
    expect(r.target.z).toBeCloseTo(ref[2], 9);
    expect(r.rayDistances).toHaveLength(3);
    r.rayDistances.forEach((d, k) => expect(d).toBeCloseTo(refRayDistance(G, views[k], ref), 9));
    expect(r.marks).toStrictEqual(views);
    expect(r.findings).toEqual([]);
  });

  it('parallel rays are refused as degenerate_input, with its words', () => {
    const s = refSource(G, 10);
    const e = refusal(() => computeTargeting(engine, input([{ angle: 10, u: s[0], v: 0 }, { angle: -10, u: -s[0], v: 0 }])));
    expect(e.issues.map(brief)).toEqual([{ code: 'degenerate_input', path: 'views', expected: 'marks whose rays cross', received: '"parallel rays"' }]);
    expect(e.message).toBe('views: the back-projected rays are parallel, so they do not locate a point; check the marks and angles');
  });

  it('the single-request batch follows every change of geometry field and angle (each result checked)', () => {
    const p: P3 = [3, 25, 18];
    const steps: [RefGeometry, number[]][] = [
      [G, [15, -15]],
      [{ sourceToDetector: 700, sourceToSupport: 640, rotationAxisHeight: -20 }, [15, -15]],
      [{ sourceToDetector: 700, sourceToSupport: 600, rotationAxisHeight: -20 }, [15, -15]],
      [{ sourceToDetector: 700, sourceToSupport: 600, rotationAxisHeight: 0 }, [15, -15]],
      [{ sourceToDetector: 700, sourceToSupport: 600, rotationAxisHeight: 0 }, [15, -10]],
      [{ sourceToDetector: 700, sourceToSupport: 600, rotationAxisHeight: 0 }, [12, -10]],
      [G, [15, -15]],
      [G, [0, 15, -15]],
      [{ sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: 0 }, [0, 15, -15]],
      [{ sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: 0 }, [0, 15, -12]],
      [G, [0, 15, -12]],
    ];
    for (const [g, angles] of steps) {
      const r = computeTargeting(engine, input(angles.map((a) => mark(a, p, g)), {}, g));
      const what = `${JSON.stringify(g)} ${angles}`;
      expect(r.target.x, what).toBeCloseTo(p[0], 6);
      expect(r.target.y, what).toBeCloseTo(p[1], 6);
      expect(r.target.z, what).toBeCloseTo(p[2], 6);
    }
  });
});

describe('[TGT-010, TGT-011, TGT-012] targetingFindings: codes, messages, paths, values and limits', () => {
  it('a target below the support: target_outside_breast with the "below" words and limit 0', () => {
    const r = computeTargeting(engine, input([mark(15, [4, 30, -5]), mark(-15, [4, 30, -5])]));
    const z = r.target.z;
    expect(z).toBeCloseTo(-5, 6);
    expect(r.findings).toEqual([{
      code: 'target_outside_breast', severity: 'error',
      message: 'target z -5.0 mm is below the breast support (z = 0): the marks do not describe a point in the breast. Re-mark the lesion on both views.',
      path: 'target.z', value: z, limit: 0,
    }]);
    expect(r.depthFromSkin).toBe(45 - z);
  });
  it('a target above the skin: target_outside_breast with the "above" words and limit thickness', () => {
    const r = computeTargeting(engine, input([mark(15, [4, 30, 50]), mark(-15, [4, 30, 50])]));
    expect(r.findings).toEqual([{
      code: 'target_outside_breast', severity: 'error',
      message: 'target z 50.0 mm is above the skin under the paddle (thickness 45.0 mm): re-mark the lesion, and check the thickness read-out.',
      path: 'target.z', value: r.target.z, limit: 45,
    }]);
  });
  it('a target exactly at the skin (z = thickness) is inside', () => {
    const views = [mark(15), mark(-15)];
    const z = computeTargeting(engine, input(views)).target.z;
    const r = computeTargeting(engine, input(views, { thickness: z }));
    expect(r.target.z).toBe(z);
    expect(r.depthFromSkin).toBe(0);
    expect(r.findings).toEqual([]);
  });
  // Marks of (4, 30, 0) at +-15 degrees for which the engine's z is exactly 0 (its
  // neighbours within dozens of ulps of u give 0 as well): the boundary of "z < 0".
  const ON_SUPPORT = [
    { angle: 15, u: -1.402998732529532, v: 30.971642539056386 },
    { angle: -15, u: 9.662103409611234, v: 30.971642539056386 },
  ];
  it('a target exactly on the support (z = 0) is inside', () => {
    const r = computeTargeting(engine, input(ON_SUPPORT));
    expect(r.target.z).toBe(0);
    expect(r.target.x).toBeCloseTo(4, 9);
    expect(r.depthFromSkin).toBe(45);
    expect(r.findings).toEqual([]);
  });
  it('a target at z = 0 is never "below the support": past a (never valid) negative thickness it is above the skin', () => {
    const r = computeTargeting(engine, input(ON_SUPPORT, { thickness: -1 }));
    expect(r.target.z).toBe(0);
    expect(r.findings).toEqual([{
      code: 'target_outside_breast', severity: 'error',
      message: 'target z 0.0 mm is above the skin under the paddle (thickness -1.0 mm): re-mark the lesion, and check the thickness read-out.',
      path: 'target.z', value: 0, limit: -1,
    }]);
  });
  it('two rays farther apart than maxRayGap: rays_disagree only (no ray_outlier for a pair)', () => {
    const views = [mark(15), { ...mark(-15), v: mark(-15).v + 2 }];
    const r = computeTargeting(engine, input(views));
    const gap = r.rayGap!;
    expect(gap).toBeCloseTo(refRayGap(G, views[0], views[1]), 9);
    expect(gap).toBeGreaterThan(1.5);
    expect(r.rayDistances).toStrictEqual([gap / 2, gap / 2]);
    expect(r.findings).toEqual([{
      code: 'rays_disagree', severity: 'error',
      message: `the two rays miss each other by ${gap.toFixed(2)} mm (limit 1.00 mm): the marks are probably not on the same object, or their y positions differ. Re-mark the lesion.`,
      path: 'rayGap', value: gap, limit: 1,
    }]);
    // The same pair with a limit at the gap: no finding.
    expect(computeTargeting(engine, input(views, { maxRayGap: gap })).findings).toEqual([]);
  });
  it('three views: ray_outlier when the farthest ray passes more than maxRayGap/2 from the target; exactly at it, none', () => {
    const views = [mark(0), mark(15), mark(-15)];
    views[1] = { ...views[1], u: views[1].u + 0.8 };
    const r0 = computeTargeting(engine, input(views, { maxRayGap: 50 }));
    expect(r0.findings).toEqual([]);
    const ref = refTriangulate(G, views);
    const refD = views.map((m) => refRayDistance(G, m, ref));
    const far = refD.indexOf(Math.max(...refD));
    const d = r0.rayDistances[far];
    expect(d).toBeCloseTo(refD[far], 9);
    expect(Math.max(...r0.rayDistances)).toBe(d);
    // Limit exactly the distance: no finding.
    expect(computeTargeting(engine, input(views, { maxRayGap: 2 * d })).findings).toEqual([]);
    // 0.001 mm under it: the warning, with its numbers (within src/core/limits.ts's 1e-9 mm it still passes).
    expect(computeTargeting(engine, input(views, { maxRayGap: 2 * d - 1e-10 })).findings).toEqual([]);
    const maxRayGap = 2 * (d - 0.001);
    const r = computeTargeting(engine, input(views, { maxRayGap }));
    expect(r.findings).toEqual([{
      code: 'ray_outlier', severity: 'warning',
      message: `the marks disagree: view ${far}'s ray passes ${d.toFixed(2)} mm from the target (limit ${(maxRayGap / 2).toFixed(2)} mm, half of maxRayGap). Least squares spreads one bad mark over every ray, so re-check all marks.`,
      path: `rayDistances[${far}]`, value: d, limit: maxRayGap / 2,
    }]);
  });
  it('views spanning less than 5 degrees: small_stereo_angle with the spread and the z gain 1/tan(spread)', () => {
    const r = computeTargeting(engine, input([mark(0), mark(4)]));
    const gain = (1 / Math.tan((4 * Math.PI) / 180)).toFixed(0);
    expect(gain).toBe('14');
    expect(r.findings).toEqual([{
      code: 'small_stereo_angle', severity: 'warning',
      message: `the views span only 4.00 degrees: depth is poorly determined (marking error is multiplied by about ${gain} in z).`,
      path: 'views', value: 4, limit: 5,
    }]);
    // The spread is max - min whatever the order of the views.
    const r3 = computeTargeting(engine, input([mark(3), mark(-1), mark(1)]));
    expect(r3.findings.filter((f) => f.code === 'small_stereo_angle').map((f) => f.value)).toEqual([4]);
  });
  it('a spread of exactly 5 degrees gives no small_stereo_angle; just under 5 does', () => {
    expect(codes(computeTargeting(engine, input([mark(0), mark(5)])))).toEqual([]);
    expect(codes(computeTargeting(engine, input([mark(2.5), mark(-2.5)])))).toEqual([]);
    expect(codes(computeTargeting(engine, input([mark(0), mark(4.999)])))).toEqual(['small_stereo_angle']);
  });
});
