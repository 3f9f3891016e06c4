/**
 * The phantom-QA session request and result (spec qa.md sections 2, 3 and 5), each
 * defined once: session.ts and phantoms.ts validate from these definitions, the published
 * qa-session and qa-result schemas are written from them. Rules that need more than the
 * request (today's date, the phantom library, the phantom's targets) are in session.ts,
 * which runs them at the place of the field they concern, as the issues have always come.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Array as TArrayOf, Object as TObjectOf, String as TStringOf, Unsafe as TUnsafeOf, type TSchema } from '@sinclair/typebox';
import {
  Arr, Bool, Custom, Enum, Int, Length, Nullable, Num, Obj, OneOf, Opt, Str, Tuple, type StaticDecode, type TObject,
} from '../core/schema/build.js';
import { FINDING, type JsonSchema } from '../core/schema-kit.js';
import type { Range } from '../core/validate.js';
import { checkDate } from '../plan/dates.js';
import { TARGETING_DEFS } from '../targeting/schema.js';

/** A definition published as written and checked elsewhere (the targeting request's own validation). */
export function checkedByTargeting(def: JsonSchema): TSchema {
  // Without its default: absent stays absent, and the targeting request applies its own.
  const { default: _default, ...published } = def;
  return Custom(TUnsafeOf<unknown>(published), (_c, raw) => raw);
}

/** A position in mm, either axis: the phantom frame, the console, the placement origin. */
export const POSITION_RANGE: Range = { min: -1000, max: 1000 };
/** A limit in mm (tolerance, action level, calculation tolerance). */
export const LIMIT_RANGE: Range = { above: 0, max: 100 };
/** The phantom's height on the support, or the session's thickness (mm). */
export const THICKNESS_RANGE: Range = { above: 0, max: 300 };
/** Marks read more coarsely than 2 mm cannot check a calculation tolerance of tenths. */
export const MAX_MARK_RESOLUTION = 2;
/** Targets in a phantom, measurements in a session. */
export const MAX_TARGETS = 500;
export const DEFAULT_TOLERANCE = 1;
export const DEFAULT_CALCULATION_TOLERANCE = 0.1;

export const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/;
export const PHANTOM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const xyz = (s: TSchema): TObject => Obj({ x: s, y: s, z: s });

/** A point as [x, y, z] or { x, y, z } in mm. */
export const Point = OneOf([
  Tuple(Length(POSITION_RANGE), 3, '[x, y, z]'),
  xyz(Length(POSITION_RANGE)),
], (raw) => (Array.isArray(raw) ? 0 : 1), 'mm: [x, y, z] or { x, y, z }');

/** A limit: one length for every axis, or { x, y, z }. */
export function perAxis(range: Range, description = 'mm: every axis, or per axis') {
  return OneOf([Length(range), xyz(Length(range))], (raw) => (typeof raw === 'number' || typeof raw === 'string' ? 0 : 1), description);
}
export const Limit = perAxis(LIMIT_RANGE);

export const PhantomTarget = Obj({
  label: Str(64),
  position: Tuple(Length(POSITION_RANGE), 3, 'in the phantom\'s own frame (mm), axes parallel to the unit\'s'),
});

export const Phantom = Obj({
  id: Str(64, 'an id of letters, digits, ".", "_" or "-"', PHANTOM_ID.source),
  name: Opt(Str(200, 'default: the id')),
  typical: Opt(Object.assign(Bool('true for shipped examples (default false)'), { default: false })),
  source: Opt(Object.assign(Str(600), { default: 'user phantom' })),
  thickness: Opt(Length(THICKNESS_RANGE, 'height of the phantom on the support: the "breast" thickness for the triangulation')),
  targets: Arr(PhantomTarget, 1, MAX_TARGETS, 'each label once'),
});

export const Unit = Obj({
  id: Str(64, 'a unit id of letters, digits, spaces, ".", "_" or "-" (at most 64)', UNIT_ID.source),
  name: Opt(Nullable(Str())),
  site: Opt(Nullable(Str())),
  manufacturer: Opt(Nullable(Str(100))),
  model: Opt(Nullable(Str(100))),
  serial: Opt(Nullable(Str(100))),
  geometry: Opt(checkedByTargeting(TARGETING_DEFS.geometry)),
});

/** A calendar date as YYYY-MM-DD (the planning calendar's check). */
export const SessionDate = Custom(Str(10, 'a calendar date, YYYY-MM-DD', '^\\d{4}-\\d{2}-\\d{2}$'), (c, raw, path) =>
  (checkDate(c, raw, path) === undefined ? undefined : (raw as string)));

/** The tester's name: not empty, the record says who made the measurements. */
export const Tester = Custom(Nullable(Str(200, "who made the measurements (not empty)")), (c, raw, path) => {
  if (raw === null) return null;
  const s = c.string(raw, path, 200);
  if (typeof s === 'string' && s.trim() === '') {
    return c.add('invalid_value', path, "the tester's name (not empty): the record says who made the measurements", raw);
  }
  return s;
});

/** An IANA time zone name that this runtime knows (Europe/Paris, America/New_York, UTC). */
export const TimeZone = Custom(Nullable(Str(64, 'IANA time zone of the facility for the report\'s times (default UTC)')), (c, raw, path) => {
  if (raw === null) return 'UTC';
  const s = c.string(raw, path, 64);
  if (s === undefined) return undefined;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return c.add('invalid_value', path, 'an IANA time zone name (e.g. "Europe/Paris", "America/Chicago", "UTC")', raw);
  }
});

export const Facility = Obj({
  name: Str(200),
  accreditation: Opt(Object.assign(Arr(Str(100), 0, 10, 'as written on the certificates (e.g. "ACR SBB 12345-01", "MQSA 987654")'), { default: [] })),
});

export const Team = Obj({
  physicist: Opt(Nullable(Str(200))),
  technologist: Opt(Nullable(Str(200))),
  leadInterpretingPhysician: Opt(Nullable(Str(200))),
}, 'names printed under the report\'s signature lines');

const Marks = Arr(checkedByTargeting(TARGETING_DEFS.view), 2, 64, 'the views as in a targeting request (checked by it, with the unit\'s geometry and the thickness)');

export const Measurement = Obj({
  target: Str(64, 'a label of the phantom'),
  console: Opt(Point),
  targetMarks: Opt(Marks),
  needleMarks: Opt(Marks),
}, 'at least one of console, targetMarks, needleMarks', { anyOf: [{ required: ['console'] }, { required: ['targetMarks'] }, { required: ['needleMarks'] }] });

/**
 * The session request. The property order is the order of the fields in `unknown_field`
 * messages; parseSession checks them in the order its issues have always come.
 */
export const Session = Obj({
  unit: Unit,
  date: SessionDate,
  tester: Opt(Tester),
  kind: Opt(Object.assign(Enum(['physicist', 'technologist'] as const, 'default "physicist"'), { default: 'physicist' })),
  phantom: OneOf([Str(64, 'a shipped (or --phantoms) phantom id'), Phantom], (raw) => (typeof raw === 'string' ? 0 : 1)),
  placement: Opt(Obj({ origin: Point }, 'where the phantom\'s origin is in the unit\'s frame: gives the truth of each target')),
  tolerance: Opt(Object.assign(perAxis(LIMIT_RANGE), { default: DEFAULT_TOLERANCE })),
  action: Opt(Nullable(perAxis(LIMIT_RANGE, 'action level, below the tolerance: above it (and within tolerance) a warning'))),
  calculationTolerance: Opt(Object.assign(perAxis(LIMIT_RANGE), { default: DEFAULT_CALCULATION_TOLERANCE })),
  markResolution: Opt(Object.assign(
    Length({ min: 0, max: MAX_MARK_RESOLUTION }, 'how finely the marks were read (default 0): the calculation limit adds the largest error this rounding can cause, per target and axis, through the triangulation'),
    { default: 0 },
  )),
  minTargets: Opt(Int({ min: 1, max: MAX_TARGETS }, 'how many of the phantom\'s targets this session measures on purpose (default: all of them; at most as many as it has)')),
  measurements: Arr(Measurement, 1, MAX_TARGETS, 'each phantom target once'),
  detector: Opt(checkedByTargeting(TARGETING_DEFS.detector)),
  maxRayGap: Opt(checkedByTargeting((TARGETING_DEFS.stereoRequest.properties as Record<string, JsonSchema>).maxRayGap)),
  thickness: Opt(Length(THICKNESS_RANGE, 'the thickness the triangulations use (default: the phantom\'s, else the deepest target + 20 mm)')),
  notes: Opt(Nullable(Str(2000, 'shown in the text, HTML and PDF reports'))),
  facility: Opt(Nullable(Facility)),
  phantomSerial: Opt(Nullable(Str(100, 'serial number of the physical phantom used'))),
  team: Opt(Nullable(Team)),
  timeZone: Opt(TimeZone),
});
export type SessionParsed = StaticDecode<typeof Session>;

// ---- the result (published only: the engine builds it) ----

const n = Num();
const axes = (s: TSchema): TObject => Obj({ x: s, y: s, z: s });
const QAPoint = axes(Num());
const Check = Obj({
  error: axes(Num()), abs: axes(Num()), limit: axes(Num()), pass: axes(Bool()), passed: Bool(),
  roundingAllowance: Opt(Obj({ x: n, y: n, z: n }, 'calculation check with markResolution: the largest error rounding the marks can cause (mm), included in limit')),
});
const AxisSummary = Obj({ maxAbs: n, mean: n, rms: n });
const Finding = TUnsafeOf<unknown>(FINDING);
const AnyObject = TUnsafeOf<Record<string, unknown>>({ type: 'object' });
const Text = TStringOf();
const TextOrNull = TUnsafeOf<string | null>({ type: ['string', 'null'] });

export const QAResult = Obj({
  unit: AnyObject,
  date: Text,
  tester: Opt(TextOrNull),
  kind: Opt(Enum(['physicist', 'technologist'] as const)),
  phantom: Text,
  limits: Opt(Obj({ tolerance: Opt(QAPoint), action: Opt(QAPoint), calculationTolerance: Opt(QAPoint), markResolution: Opt(n) })),
  measurements: TArrayOf(Obj({
    target: Text,
    points: Obj({ console: Opt(QAPoint), target: Opt(QAPoint), needle: Opt(QAPoint), truth: Opt(QAPoint) }),
    checks: Obj({ calculation: Opt(Check), localization: Opt(Check), consoleVsTruth: Opt(Check), targetVsTruth: Opt(Check) }),
    localizationReference: Opt(Enum(['target', 'truth'] as const)),
    rayGaps: Opt(Obj({ target: Opt(n), needle: Opt(n) })),
  })),
  summary: TObjectOf({}, {
    description: 'per check name',
    additionalProperties: Obj({ x: AxisSummary, y: AxisSummary, z: AxisSummary, count: Int({ min: 0 }, 'measurements the check had numbers for') }),
  }),
  passed: Bool(),
  findings: TArrayOf(Finding),
  notes: Opt(TextOrNull),
  facility: Opt(TUnsafeOf<unknown>({ type: ['object', 'null'] })),
  phantomSerial: Opt(TextOrNull),
  team: Opt(TUnsafeOf<unknown>({ type: ['object', 'null'] })),
  timeZone: Opt(Text),
  meta: Obj({ stereotaxVersion: Text, analysedAt: Text }),
});

export const QA_DEFS: Record<string, TSchema | JsonSchema> = {
  geometry: TARGETING_DEFS.geometry,
  view: TARGETING_DEFS.view,
  pixelSpacing: TARGETING_DEFS.pixelSpacing,
  pixel: TARGETING_DEFS.pixel,
  detector: TARGETING_DEFS.detector,
  point: Point,
  phantom: Phantom,
  session: Session,
};

export const QA_RESULT_DEFS: Record<string, TSchema | JsonSchema> = {
  finding: FINDING,
  check: Check,
  point: QAPoint,
  axisSummary: AxisSummary,
  result: QAResult,
};
