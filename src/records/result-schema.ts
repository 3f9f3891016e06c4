/**
 * The results of mri-grid, ultrasound and axillary, defined once for publishing
 * (schema/records-<kind>-result.schema.json) and typing: what the commands print, one result
 * or an array with a result or an error element in each place. mm throughout (distanceCm in cm).
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { String as TStringOf, type TSchema } from '@sinclair/typebox';
import { Arr, Bool, Enum, Int, Nullable, Num, Obj, Opt, Str, Tuple } from '../core/schema/build.js';
import type { JsonSchema, SchemaDocument } from '../core/schema/export.js';
import { AXILLARY_GUIDANCES, DEPTH_THIRDS, LATERALITY, SEVERITIES } from './schema.js';

export const RecordsFinding = Obj({
  code: Str(100, 'stable, for programs'),
  severity: Enum(SEVERITIES),
  message: TStringOf(),
  path: Opt(TStringOf()),
  value: Opt(Num()),
  limit: Opt(Num()),
}, 'a finding: error, warning or info');

export const RecordsErrorElement = Obj({
  error: Obj({
    code: Str(100), message: TStringOf(), path: TStringOf(), expected: Opt(TStringOf()), received: Opt(TStringOf()),
  }),
}, 'an element that could not be computed, in its place');

const findings = Arr(RecordsFinding);
const id = Opt(Str(120, 'the request\'s id'));
const RowColumn = (what: string) => Obj({ row: Int({ min: 1 }), column: Int({ min: 1 }) }, what);

export const MriGridResult = Obj({
  id,
  approach: Enum(['lateral', 'medial'] as const),
  needleDirection: Enum(['+x', '-x'] as const),
  square: RowColumn('the grid square'),
  hole: RowColumn('the hole of the needle block'),
  holeAxisAtTarget: Tuple(Num(), 3, 'where the hole\'s axis reaches the lesion\'s depth, scanner frame'),
  residual: Obj({ total: Num({ min: 0 }), alongRows: Num(), alongColumns: Num() }, 'the nearest hole\'s axis from the lesion'),
  insideGrid: Bool(),
  depthFromGrid: Num(),
  depthSetting: Num(),
  depthTerms: Obj({ depthFromGrid: Num(), blockFaceOffset: Num(), needleStopOffset: Num(), targetOffset: Num() }, 'depthSetting = their sum'),
  grid: Obj({ id: Str(64), illustrative: Bool(), source: Str(400) }),
  device: Nullable(Obj({ id: Str(64), mriPlacement: Nullable(Bool()) })),
  findings,
});

const Coded = Obj({ scheme: TStringOf(), code: TStringOf(), meaning: TStringOf(), cid: TStringOf(), source: TStringOf() }, 'a coded concept and the DICOM context group listing it');
const Side = Nullable(Enum(['lateral', 'medial', 'midline'] as const));
const Third = Nullable(Enum(DEPTH_THIRDS));

export const UltrasoundAnnotation = Obj({
  breast: Enum(LATERALITY),
  clock: Nullable(Int({ min: 1, max: 12 })),
  region: Enum(['clock', 'subareolar'] as const),
  angle: Nullable(Num({ min: 0, below: 360 }, 'degrees clockwise from 12, seen facing the patient')),
  hourOffset: Nullable(Num({ min: -15, max: 15 })),
  side: Side,
  distanceCm: Num({ min: 0 }, 'cm'),
  depthThird: Third,
  label: TStringOf(),
  codes: Obj({ laterality: Nullable(Coded), location: Nullable(Coded), depth: Nullable(Coded) }),
});
export const UltrasoundLocated = Obj({
  breast: Enum(LATERALITY),
  position: Obj({ x: Num(), z: Num() }, 'mm from the nipple'),
  maxAngularMiss: Num({ min: 0 }),
  side: Side,
  depthThird: Third,
  depthRange: Nullable(Tuple(Num({ min: 0 }), 2)),
});
const ultrasoundResult = (key: 'annotation' | 'located', value: TSchema) => Obj({ id, [key]: value, findings });
export const UltrasoundAnnotateResult = ultrasoundResult('annotation', UltrasoundAnnotation);
export const UltrasoundLocateResult = ultrasoundResult('located', UltrasoundLocated);

export const AxillaryResult = Obj({
  id,
  laterality: Enum(LATERALITY),
  plan: Opt(Obj({
    device: Str(64), kind: TStringOf(), guidance: Enum(AXILLARY_GUIDANCES),
    distanceFromClip: Num({ min: 0 }), distanceFromNodeCenter: Nullable(Num({ min: 0 })), deviceInNode: Nullable(Bool()),
    depthFromSkin: Num(), detectionDepthLimit: Nullable(Num()), daysToSurgery: Nullable(Int({ min: 0 })), activityOnSurgeryDayMBq: Opt(Num({ min: 0 })),
  })),
  reconcile: Opt(Obj({
    clipRetrieved: Bool(), devicesRetrieved: Int({ min: 0 }), devicesPlaced: Int({ min: 0 }), sentinelNodeCount: Int({ min: 0 }),
    clipInSentinelNode: Bool(), specimenImaged: Bool(), complete: Bool(),
    falseNegativeContext: Nullable(Obj({ percent: Num({ min: 0, max: 100 }), when: TStringOf(), source: TStringOf() })),
  })),
  findings,
});

const printed = (...results: string[]): JsonSchema => {
  const one = results.length === 1 ? { $ref: `#/$defs/${results[0]}` } : { oneOf: results.map((r) => ({ $ref: `#/$defs/${r}` })) };
  return { anyOf: [one, { type: 'array', items: { anyOf: [one, { $ref: '#/$defs/recordsErrorElement' }] } }] };
};
const shared = { recordsFinding: RecordsFinding, recordsErrorElement: RecordsErrorElement };

export const RECORDS_RESULT_SCHEMAS: SchemaDocument[] = [
  {
    name: 'records-mri-grid-result', title: 'stereotax mri-grid result',
    description: 'What `stereotax mri-grid` prints: one result, or an array with a result or an error element in each place. mm, scanner frame.',
    root: printed('result'), defs: { ...shared, result: MriGridResult },
  },
  {
    name: 'records-ultrasound-result', title: 'stereotax ultrasound result',
    description: 'What `stereotax ultrasound` prints: an annotation (of a position) or a located position (of a clock hour), one or an array with error elements in place. mm, distanceCm in cm.',
    root: printed('annotateResult', 'locateResult'), defs: { ...shared, annotateResult: UltrasoundAnnotateResult, locateResult: UltrasoundLocateResult },
  },
  {
    name: 'records-axillary-result', title: 'stereotax axillary result',
    description: 'What `stereotax axillary` prints: one result, or an array with a result or an error element in each place. mm.',
    root: printed('result'), defs: { ...shared, result: AxillaryResult },
  },
];
