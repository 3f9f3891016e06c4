/**
 * The records requests, defined once (issue 22): appropriateness, axillary, mri-grid,
 * ultrasound, and the procedure record that report and coding read. Each field's type,
 * range, enum and default is here; the validators (appropriateness.ts, axillary.ts, ...)
 * read every field through these definitions (fields.ts) and keep only the rules between
 * fields, which run on the fields that are valid; the published JSON Schemas
 * (schema/records-*-request.schema.json) are written from the same objects.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Object as TObjectOf, Unknown as TUnknownOf, Unsafe as TUnsafeOf, type TSchema } from '@sinclair/typebox';
// build.ts and export.ts, not the index: this file is bundled for `npm run schemas` with no Node built-ins (the checker's units are not needed to write JSON).
import {
  Arr, Bool, Const, Custom, Enum, Int, Length, Nullable, Num, Obj, OneOf, Opt, Str, Tuple, type StaticDecode,
} from '../core/schema/build.js';
import type { JsonSchema, SchemaDocument } from '../core/schema/export.js';
import type { Range } from '../core/validate.js';
import { checkDate } from '../plan/dates.js';
import appropriatenessTable from './appropriateness.json' with { type: 'json' };
import axillaryFacts from './axillary.json' with { type: 'json' };
import ultrasoundConventions from './ultrasound.json' with { type: 'json' };

// ---------------------------------------------------------------- shared

/** The value the engine takes when the field is absent (the JSON Schema `default`, applied by the parser). */
const Default = <T extends TSchema>(s: T, value: unknown): T => ({ ...s, default: value }) as T;

/** A plain number in a unit other than mm/deg (cm, ml): the unit is named in what the engine expects. */
function NumIn(unit: string, range: Range, description: string) {
  const s = Num(range, `${description} (${unit})`);
  return Custom(s, (c, raw, path) => c.number(raw, path, range, unit));
}

/** A calendar date, YYYY-MM-DD; parsed as a day number (days since 1970-01-01). */
export const CalendarDate = Custom(Str(10, 'a calendar date, YYYY-MM-DD', '^\\d{4}-\\d{2}-\\d{2}$'), checkDate);

export const LATERALITY = ['left', 'right'] as const;
export const Laterality = Enum(LATERALITY);

/** A point [x, y, z] in mm (numbers or unit strings), each coordinate within +/-2000 mm. */
export const POINT_LIMIT = 2000;
export const Point = Tuple(Length({ min: -POINT_LIMIT, max: POINT_LIMIT }), 3, '[x, y, z] in mm');

export const RequestId = Str(120, 'your identifier, copied to the result');

/**
 * The device catalog of plan-request (its entries replace shipped ones with the same id): its
 * shape as published; the devices domain's catalog reader (devices/catalog.ts) checks it.
 */
export const Catalog = Obj({
  about: Opt(TUnknownOf({ description: 'what the catalog is' })),
  biopsyDevices: Opt(Arr(TObjectOf({}, { description: 'a biopsy device, as in plan-request' }))),
  localizationDevices: Opt(Arr(TObjectOf({}, { description: 'a localization device, as in plan-request' }))),
}, 'a device catalog (as in plan-request); its entries replace shipped ones with the same id');

const request = (def: string): JsonSchema => ({ anyOf: [{ $ref: `#/$defs/${def}` }, { type: 'array', items: { $ref: `#/$defs/${def}` }, minItems: 1 }] });

// ---------------------------------------------------------------- appropriateness

export const MORPHOLOGIES: readonly string[] = [...new Set(appropriatenessTable.variants.flatMap((v) => v.morphology))];
export const DISTRIBUTIONS: readonly string[] = [...new Set(appropriatenessTable.variants.flatMap((v) => v.distribution).filter((d) => d !== 'any'))];

export const AppropriatenessRequest = Obj({
  id: Opt(RequestId),
  variant: Opt(Int({ min: 1, max: appropriatenessTable.variants.length }, 'the variant number of the ACR table')),
  morphology: Opt(Enum(MORPHOLOGIES, 'the calcifications\' morphology')),
  distribution: Opt(Enum(DISTRIBUTIONS, 'their distribution (with morphology)')),
}, 'a variant number, or a morphology (and distribution): not both', {
  oneOf: [
    { required: ['variant'], not: { anyOf: [{ required: ['morphology'] }, { required: ['distribution'] }] } },
    { required: ['morphology'], not: { required: ['variant'] } },
  ],
});
export type AppropriatenessRequestParsed = StaticDecode<typeof AppropriatenessRequest>;

// ---------------------------------------------------------------- ultrasound

export const DEPTH_THIRDS = ['anterior', 'middle', 'posterior'] as const;
export const TRANSDUCER_ORIENTATIONS: readonly string[] = ultrasoundConventions.transducerOrientations;

export const NipplePosition = Obj({
  x: Length({ min: -300, max: 300 }, 'toward the patient\'s left'),
  z: Length({ min: -300, max: 300 }, 'toward the head'),
}, 'the finding from the nipple, facing the patient');

/** Every field an ultrasound request may have, in the order they are listed. */
export const UltrasoundFields = Obj({
  id: Opt(RequestId),
  breast: Laterality,
  position: Opt(NipplePosition),
  depth: Opt(Length({ min: 0, max: 300 }, 'below the skin')),
  chestWallDepth: Opt(Length({ above: 0, max: 300 }, 'skin to chest wall there')),
  subareolarRadius: Opt(Default(Length({ min: 0, max: 50 }, 'within this distance of the nipple a finding is subareolar'), 0)),
  clock: Opt(Int({ min: 1, max: 12 }, 'clock hour seen facing the patient')),
  region: Opt(Enum(['subareolar'] as const)),
  distanceCm: Opt(NumIn('cm', { min: 0, max: 30 }, 'from the nipple')),
  depthThird: Opt(Enum(DEPTH_THIRDS)),
  transducerOrientation: Opt(Enum(TRANSDUCER_ORIENTATIONS)),
});

const pick = <K extends keyof typeof UltrasoundFields.properties>(keys: K[]): { [P in K]: (typeof UltrasoundFields.properties)[P] } =>
  Object.fromEntries(keys.map((k) => [k, UltrasoundFields.properties[k]])) as { [P in K]: (typeof UltrasoundFields.properties)[P] };

/** Annotate: a position becomes the clock hour, distance and depth third. */
export const UltrasoundAnnotate = Obj({
  ...pick(['id', 'breast']), position: NipplePosition,
  ...pick(['depth', 'chestWallDepth', 'subareolarRadius', 'transducerOrientation']),
}, 'annotate: a position from the nipple; depth and chestWallDepth together');
/** Locate: a clock hour (or the subareolar region) and a distance become a position. */
export const UltrasoundLocate = Obj({
  ...pick(['id', 'breast', 'clock', 'region']),
  distanceCm: NumIn('cm', { min: 0, max: 30 }, 'from the nipple'),
  ...pick(['depthThird', 'chestWallDepth', 'transducerOrientation']),
}, 'locate: a clock hour, or region "subareolar", with the distance; depthThird with chestWallDepth', {
  oneOf: [{ required: ['clock'] }, { required: ['region'] }],
});
export const UltrasoundRequest = OneOf([UltrasoundAnnotate, UltrasoundLocate],
  (raw) => (raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).position !== undefined ? 0 : 1),
  'annotate (a position) or locate (a clock hour or region with a distance)');

// ---------------------------------------------------------------- mri-grid

export const GRID_AXES = ['+y', '-y', '+z', '-z'] as const;

/** A grid and its needle block (mri-grid.json holds the shipped ones). */
export const MriGrid = Obj({
  id: Str(64),
  name: Opt(Str(200, 'the grid\'s name (the id when absent)')),
  illustrative: Opt(Default(Bool('an example, not a real device'), false)),
  squarePitch: Length({ above: 0, max: 100 }, 'grid square pitch'),
  rows: Int({ min: 1, max: 50 }),
  columns: Int({ min: 1, max: 50 }),
  rowAxis: Enum(GRID_AXES, 'the scanner axis rows run along'),
  columnAxis: Enum(GRID_AXES, 'the other in-plane axis, columns run along it'),
  firstSquare: Obj({ y: Length({ min: -500, max: 500 }), z: Length({ min: -500, max: 500 }) }, 'centre of square (1,1) from the fiducial'),
  fiducialToSkin: Length({ min: -100, max: 100 }, 'from the fiducial to the grid\'s skin side, along the needle'),
  block: Obj({
    holePitch: Length({ above: 0, max: 100 }),
    holeRows: Int({ min: 1, max: 15 }),
    holeColumns: Int({ min: 1, max: 15 }),
    faceOffset: Length({ min: 0, max: 300 }, 'block face to the grid\'s skin side'),
  }, 'the needle block; its holes fit in one square'),
  needleStopOffset: Length({ min: -300, max: 300 }),
  maxDepthSetting: Opt(Nullable(Length({ above: 0, max: 500 }, 'the introducer\'s deepest setting'))),
  source: Opt(Default(Str(400), 'user grid')),
}, 'an MRI localization grid: columnAxis the in-plane axis other than rowAxis');

export const MriGridRequest = Obj({
  id: Opt(RequestId),
  breast: Laterality,
  fiducial: Point,
  lesion: Point,
  grid: OneOf([Str(64, 'a shipped grid id'), MriGrid], (raw) => (typeof raw === 'string' ? 0 : 1), 'a shipped grid id or a grid object'),
  device: Opt(Str(64, 'a localization or biopsy device id in the catalog')),
  lesionRadius: Opt(Length({ min: 0, max: 100 })),
  targetOffset: Opt(Default(Length({ min: -100, max: 100 }, 'added to the depth setting'), 0)),
  catalog: Opt(Catalog),
}, 'the lesion\'s x differs from the fiducial\'s');
export type MriGridRequestParsed = StaticDecode<typeof MriGridRequest>;

// ---------------------------------------------------------------- axillary

export const AXILLARY_GUIDANCES = axillaryFacts.guidances as readonly ('ultrasound' | 'tomosynthesis' | 'mammographic' | 'ct' | 'mri')[];
const DeviceId = Str(64, 'a localization device id in the catalog');

export const AxillaryPlan = Obj({
  clip: Point,
  node: Opt(Obj({ center: Point, radius: Opt(Length({ above: 0, max: 100 })) }, 'the clipped node')),
  device: DeviceId,
  position: Point,
  depthFromSkin: Length({ min: 0, max: 300 }),
  guidance: Opt(Default(Enum(AXILLARY_GUIDANCES), 'ultrasound')),
  placementDate: Opt(CalendarDate),
  surgeryDate: Opt(CalendarDate),
  assay: Opt(Obj({ activityMBq: Num({ above: 0, max: 1e4 }, 'MBq'), date: CalendarDate }, 'an I-125 seed\'s assay')),
  maxDistanceFromClip: Opt(Length({ min: 0, max: 200 }, 'your protocol\'s limit')),
}, 'placementDate and surgeryDate together, in order; an assay only for an I-125 seed, with the dates');

export const AxillaryReconcile = Obj({
  clipRetrieved: Bool(),
  devices: Arr(Obj({ device: DeviceId, retrieved: Bool() }), 0, 20),
  sentinelNodes: Arr(Obj({
    label: Opt(Str(40, 'SLN1, SLN2, ... when absent')),
    containsClip: Opt(Default(Bool(), false)),
    containsDevice: Opt(Default(Bool(), false)),
  }), 0, 50),
  specimenImaged: Bool(),
  clipOnSpecimenImage: Opt(Bool('only when the specimen was imaged')),
}, 'clipRetrieved true when a sentinel node contains the clip');

export const AxillaryRequest = Obj({
  id: Opt(RequestId),
  laterality: Laterality,
  plan: Opt(AxillaryPlan),
  reconcile: Opt(AxillaryReconcile),
  catalog: Opt(Catalog),
}, 'plan (before surgery) or reconcile (at surgery), or both', { anyOf: [{ required: ['plan'] }, { required: ['reconcile'] }] });
export type AxillaryRequestParsed = StaticDecode<typeof AxillaryRequest>;

// ---------------------------------------------------------------- procedure record (report, coding)

export const GUIDANCES = ['mammographic', 'stereotactic', 'tomosynthesis', 'ultrasound', 'mri'] as const;
export const PROCEDURES = ['localization', 'biopsy'] as const;
export const REGIONS = ['subareolar', 'central', 'axillary-tail'] as const;
const Text = (max = 400, description?: string) => Str(max, description);
const Names = Arr(Str(40), 1, 20);

export const LesionLocation = Obj({
  clock: Opt(Int({ min: 1, max: 12 })),
  distanceCm: Opt(NumIn('cm', { min: 0, max: 30 }, 'from the nipple')),
  depthThird: Opt(Enum(DEPTH_THIRDS)),
  region: Opt(Enum(REGIONS)),
  text: Opt(Text()),
}, 'a clock hour or a region, not both');

export const RecordLesion = Obj({
  label: Opt(Str(40, 'A, B, ... when absent; used once')),
  site: Opt(Default(Enum(['breast', 'axilla'] as const), 'breast')),
  laterality: Opt(Laterality),
  procedure: Opt(Default(Enum(PROCEDURES), 'localization')),
  guidance: Opt(Enum(GUIDANCES)),
  description: Opt(Text()),
  location: Opt(LesionLocation),
  approach: Opt(Text()),
  device: Opt(Text()),
  deviceCount: Opt(Int({ min: 1, max: 20 })),
  views: Opt(Names),
  transducerOrientation: Opt(Enum(TRANSDUCER_ORIENTATIONS)),
});

/** The finding of another command's result, as the record reads it. */
export const EMBEDDED_LIMITS = { findings: 1000, code: 80, message: 2000, text: 80 } as const;
export const SEVERITIES = ['error', 'warning', 'info'] as const;
const EmbeddedFinding = TObjectOf({
  code: Str(EMBEDDED_LIMITS.code), severity: Enum(SEVERITIES), message: Str(EMBEDDED_LIMITS.message),
}, { description: 'a finding { code, severity, message }' });
const open = (properties: Record<string, TSchema>, description: string) => TObjectOf(properties, { description });
/** A part of another command's result that is read only when it is an object (anything else there is that command's business). */
const part = (properties: Record<string, TSchema>, description: string) => TUnsafeOf<Record<string, unknown>>({ description, properties });
const n = () => Opt(Num());
/** Another command's result: its findings and the numbers the report shows; its other fields are that command's business. */
function embedded(command: string, properties: Record<string, TSchema>) {
  return open({ ...properties, findings: Arr(EmbeddedFinding, 0, EMBEDDED_LIMITS.findings) }, `the JSON result of stereotax ${command} (fields other than these are not read)`);
}
export const EmbeddedTargeting = embedded('target', {
  target: Opt(part({ x: n(), y: n(), z: n() }, 'the target, mm')), depthFromSkin: n(), rayGap: n(), needle: Opt(part({ strokeMargin: n() }, 'the needle')),
});
export const EmbeddedPlan = embedded('plan', { needle: Opt(part({ strokeMargin: n(), approach: Opt(Str(EMBEDDED_LIMITS.text)) }, 'the needle')) });
export const EmbeddedMargins = embedded('margins', { closestMargin: n(), closestName: Opt(Str(EMBEDDED_LIMITS.text)), status: Opt(Str(EMBEDDED_LIMITS.text)) });

export const ProcedureRecord = Obj({
  id: Opt(Str(120)),
  patient: Opt(Obj({ givenName: Opt(Text(120)), familyName: Opt(Text(120)), id: Opt(Text(120)), birthDate: Opt(CalendarDate) })),
  facility: Opt(Obj({ name: Opt(Text(200)), location: Opt(Text(200)) })),
  examDate: Opt(CalendarDate),
  technologist: Opt(Text(120)),
  physician: Opt(Text(120)),
  timeOut: Opt(Bool('the safety time-out was performed')),
  anaesthesia: Opt(Obj({
    none: Opt(Const(true, 'no local anaesthesia was given')),
    agent: Opt(Text(120)),
    volumeMl: Opt(NumIn('ml', { above: 0, max: 100 }, 'volume')),
  }, 'either none: true or agent and volumeMl')),
  incision: Opt(Obj({ made: Bool(), lengthMm: Opt(Length({ above: 0, max: 100 }, 'only when made')) })),
  lesions: Arr(RecordLesion, 1, 20),
  postProcedureMammogram: Opt(Obj({
    done: Bool(), views: Opt(Names), accurate: Opt(Bool()), deviceCount: Opt(Int({ min: 0, max: 20 })), relation: Opt(Text()),
  }, 'nothing else when done is false')),
  complications: Opt(Arr(Obj({ description: Text(), treatment: Opt(Text()) }), 0, 20)),
  specimenImaging: Opt(Obj({ done: Opt(Bool()), separateReport: Opt(Bool()), targetRemoved: Opt(Bool()), deviceRemoved: Opt(Bool()) })),
  targeting: Opt(EmbeddedTargeting),
  plan: Opt(EmbeddedPlan),
  margins: Opt(EmbeddedMargins),
}, 'a procedure record: every field but lesions optional, what is missing reported as missing');

// ---------------------------------------------------------------- published

const ENGINE = 'Checked by the engine only:';
const UNITS = 'unit strings converted and held to the same ranges.';

export const RECORDS_SCHEMAS: SchemaDocument[] = [
  {
    name: 'records-appropriateness-request', title: 'stereotax appropriateness request',
    description: `One ACR Appropriateness Criteria lookup (breast microcalcifications) or an array of them: a variant number, or a morphology and optionally a distribution. ${ENGINE} nothing beyond the schema.`,
    root: request('request'), defs: { request: AppropriatenessRequest },
  },
  {
    name: 'records-axillary-request', title: 'stereotax axillary request',
    description: `One targeted axillary dissection request or an array of them: the localization plan for the clipped node, the reconciliation at surgery, or both. ${ENGINE} device ids in the catalog (shipped, with the request's catalog merged in); calendar dates that exist, surgeryDate on or after placementDate, both or neither; an assay only for an I-125 seed and only with the dates; clipOnSpecimenImage only when the specimen was imaged; clipRetrieved true when a sentinel node contains the clip; ${UNITS}`,
    root: request('request'), defs: { recordsPoint: Point, axillaryPlan: AxillaryPlan, axillaryReconcile: AxillaryReconcile, deviceCatalog: Catalog, request: AxillaryRequest },
  },
  {
    name: 'records-mri-grid-request', title: 'stereotax mri-grid request',
    description: `One MRI-guided grid localization request or an array of them. ${ENGINE} a grid id that is shipped; a device id in the catalog; columnAxis not along rowAxis; the block's holes within one square ((max(holeRows, holeColumns) - 1) x holePitch < squarePitch); the lesion's x different from the fiducial's; ${UNITS}`,
    root: request('request'), defs: { recordsPoint: Point, mriGrid: MriGrid, deviceCatalog: Catalog, request: MriGridRequest },
  },
  {
    name: 'records-ultrasound-request', title: 'stereotax ultrasound request',
    description: `One ultrasound annotation request or an array of them: a position to annotate, or a clock hour (or region "subareolar") with a distance to locate. ${ENGINE} depth and chestWallDepth together, depth at most chestWallDepth; not clock and region together; depthThird with chestWallDepth when locating; ${UNITS}`,
    root: request('request'), defs: { ultrasoundAnnotate: UltrasoundAnnotate, ultrasoundLocate: UltrasoundLocate, request: UltrasoundRequest },
  },
  ...(['report', 'coding'] as const).map((command): SchemaDocument => ({
    name: `records-${command}-request`, title: `stereotax ${command} request`,
    description: `One procedure record or an array of them (the same record for stereotax report and stereotax coding): who, where, when, each lesion, the technique, the checks after placement, and optionally the results of target, plan and margins. ${ENGINE} calendar dates that exist; lesion labels used once; a location with a clock hour or a region, not both; anaesthesia none: true alone; no incision length without an incision; nothing else in postProcedureMammogram when done is false; ${UNITS}`,
    root: request('procedureRecord'), defs: { recordLesion: RecordLesion, lesionLocation: LesionLocation, embeddedFinding: EmbeddedFinding, procedureRecord: ProcedureRecord },
  })),
];
