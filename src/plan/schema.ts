/**
 * The plan request and result as JSON Schema, with the ranges of plan.ts,
 * devices/catalog.ts, localization.ts and post-placement.ts.
 */
import {
  arr, bool, enumOf, ERROR_ELEMENT, FINDING, int, length, num, obj, oneOf, oneOrMany, ref, str, tuple, VEC3,
  type JsonSchema, type SchemaDocument,
} from '../core/schema-kit.js';
import { TARGETING_DEFS, TARGETING_RESULT_DEFS } from '../targeting/schema.js';

// Built on call, not at import: only the schema generator and its tests need it.
/** The plan request and result schema documents. */
export function planSchemas(): SchemaDocument[] {
  const COORD = { min: -1000, max: 1000 };
  const ID = str(64, 'letters, digits, ".", "_" or "-"', '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
  const DATE = str(10, 'a calendar date, YYYY-MM-DD', '^\\d{4}-\\d{2}-\\d{2}$');
  const nullOr = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });

  const biopsyFields: Record<string, JsonSchema> = {
    id: ID,
    kind: enumOf(['vacuum-probe', 'spring-loaded-gun']),
    name: str(),
    gauge: int({ min: 5, max: 34 }),
    throw: length({ min: 0, max: 100 }),
    apertureLength: length({ above: 0, max: 100 }),
    tipLength: length({ min: 0, max: 50 }),
    outerDiameter: length({ above: 0, max: 15 }, 'from the gauge table when not given'),
    typical: bool(),
    source: str(400),
  };

  const PLAN_DEFS: Record<string, JsonSchema> = {
    ...TARGETING_DEFS,
    biopsyDevice: obj(biopsyFields, ['id', 'kind', 'gauge', 'throw', 'apertureLength', 'tipLength'], 'a catalog biopsy device'),
    inlineBiopsyDevice: obj(biopsyFields, ['gauge', 'throw', 'apertureLength', 'tipLength'], 'a biopsy device given in the request (without id: kind "vacuum-probe")', { dependentRequired: { id: ['kind'] } }),
    localizationDevice: obj({
      id: ID,
      kind: enumOf(['hook-wire', 'i125-seed', 'radar-reflector', 'magnetic-seed', 'rfid-tag']),
      name: str(),
      insertionGauge: nullOr(int({ min: 5, max: 34 })),
      detectionDepthLimit: nullOr(length({ above: 0, max: 300 })),
      minSpacing: nullOr(length({ min: 0, max: 300 })),
      repositionable: bool(),
      mriPlacement: nullOr(bool()),
      maxDwellDays: nullOr(num({ min: 0, max: 3650 })),
      sameDayOnly: bool(),
      halfLifeDays: num({ above: 0, max: 1e5 }),
      assayRangeMBq: tuple(num({ min: 0, max: 1e4 }), 2),
      typical: bool(),
      source: str(400),
    }, ['id', 'kind', 'detectionDepthLimit', 'minSpacing', 'repositionable'], 'a catalog localization device'),
    catalog: obj({
      about: {},
      biopsyDevices: arr(ref('biopsyDevice'), 0, 1000),
      localizationDevices: arr(ref('localizationDevice'), 0, 1000),
    }, [], 'a device catalog; its entries replace shipped ones with the same id'),
    point: oneOf([tuple(length(COORD), 3), obj({ x: length(COORD), y: length(COORD), z: length(COORD) }, ['x', 'y', 'z'])]),
    planNeedle: obj({
      approach: enumOf(['vertical', 'lateral']),
      device: oneOf([str(64, 'a catalog id'), ref('inlineBiopsyDevice')]),
      minStrokeMargin: length({ min: -50, max: 50 }),
      warnStrokeMargin: length({ min: -50, max: 50 }),
      minClearance: length({ min: 0, max: 50 }),
      minVerticalThickness: length({ min: 0, max: 300 }),
      lateral: ref('lateralSetup'),
      mitigations: bool('default true'),
    }, ['device']),
    localization: obj({
      guidance: enumOf(['stereotactic', 'mammographic', 'ultrasound', 'mri', 'tomosynthesis']),
      placementDate: DATE,
      surgeryDate: DATE,
      devices: arr(obj({
        device: str(64, 'a localization device id in the catalog'),
        position: tuple(length(COORD), 3, '[x, y, z]; z within 0..thickness when thickness is given'),
        label: str(60),
        assay: obj({ activityMBq: num({ above: 0, max: 1e4 }), date: DATE }, ['activityMBq', 'date']),
      }, ['device', 'position']), 1, 20),
      minSpacing: length({ min: 0, max: 300 }),
    }, ['placementDate', 'surgeryDate', 'devices']),
    orthogonalView: obj({
      projection: enumOf(['x', 'y', 'z']), label: str(20),
      target: tuple(length(COORD), 2), device: tuple(length(COORD), 2),
    }, ['projection', 'target', 'device']),
    postPlacement: obj({
      criterion: length({ above: 0, max: 100 }, 'default 10'),
      orthogonal: obj({ views: tuple(ref('orthogonalView'), 2) }, ['views']),
      stereo: obj({ target: ref('stereoRequest'), device: ref('stereoRequest') }, ['target', 'device']),
    }, [], undefined, { oneOf: [{ required: ['orthogonal'] }, { required: ['stereo'] }] }),
    request: obj({
      id: str(),
      catalog: ref('catalog'),
      thickness: length({ above: 0, max: 300 }),
      target: ref('point'),
      geometry: ref('geometry'),
      views: arr(ref('view'), 2, 64),
      detector: ref('detector'),
      imageSigma: length({ min: 0, max: 10 }),
      maxRayGap: length({ above: 0, max: 100 }),
      lesionRadius: length({ min: 0, max: 100 }),
      needle: ref('planNeedle'),
      localization: ref('localization'),
      postPlacement: ref('postPlacement'),
    }, [], 'a plan request: needle, localization and/or postPlacement', {
      anyOf: [{ required: ['needle'] }, { required: ['localization'] }, { required: ['postPlacement'] }],
      dependentRequired: { geometry: ['views', 'thickness'], views: ['geometry', 'thickness'] },
      not: { anyOf: [{ required: ['target', 'geometry'] }, { required: ['target', 'views'] }] },
    }),
  };

  const n = { type: 'number' };
  const needleBlock = obj({
    approach: enumOf(['vertical', 'lateral']), deviceId: { type: 'string' }, aimZ: n, aimX: n, side: enumOf(['+x', '-x']),
    strokeMargin: n, prefireTipZ: n, postfireTipZ: n, apertureDistalZ: n, apertureProximalZ: n, skinClearance: n,
    outerRadius: n, supportClearance: n, paddleClearance: n, prefireTipX: n, postfireTipX: n, apertureProximalX: n, apertureDistalX: n,
    device: ref('biopsyDevice'),
  }, ['approach', 'deviceId'], 'a needle check (the plan result\'s carries its device)');

  const PLAN_RESULT_DEFS: Record<string, JsonSchema> = {
    ...TARGETING_RESULT_DEFS,
    vec3: VEC3,
    finding: FINDING,
    errorElement: ERROR_ELEMENT,
    biopsyDevice: PLAN_DEFS.biopsyDevice,
    needleBlock,
    mitigation: obj({
      kind: enumOf(['pull_back', 'advance', 'device', 'approach', 'not_feasible']),
      approach: enumOf(['vertical', 'lateral']), deviceId: { type: 'string' }, name: { type: 'string' }, side: enumOf(['+x', '-x']),
      shift: n, lesionCoverage: n, block: ref('needleBlock'), recheck: arr(ref('finding')), unchecked: arr({ type: 'string' }),
      reasons: arr({ type: 'string' }), message: { type: 'string' },
    }, ['kind', 'message'], 'a re-checked change that makes the plan pass, or not_feasible with the reasons'),
    planResult: obj({
      id: { type: 'string' },
      target: ref('vec3'),
      targeting: ref('result'),
      needle: ref('needleBlock'),
      mitigations: arr(ref('mitigation')),
      localization: obj({
        guidance: { type: 'string' }, placementDate: { type: 'string' }, surgeryDate: { type: 'string' }, daysToSurgery: n,
        devices: arr(obj({
          label: { type: 'string' }, deviceId: { type: 'string' }, kind: { type: 'string' }, position: ref('vec3'),
          depthFromNearerSkin: n, nearerSkin: enumOf(['paddle', 'support']), detectionDepthLimit: { type: ['number', 'null'] },
          repositionable: { type: 'boolean' }, activityOnSurgeryDayMBq: n,
        }, ['label', 'deviceId', 'kind', 'position', 'depthFromNearerSkin', 'nearerSkin', 'detectionDepthLimit', 'repositionable'])),
        spacing: arr(obj({ devices: tuple({ type: 'string' }, 2), distance: n, minSpacing: n }, ['devices', 'distance', 'minSpacing'])),
      }, ['guidance', 'placementDate', 'surgeryDate', 'daysToSurgery', 'devices', 'spacing']),
      postPlacement: obj({
        method: enumOf(['orthogonal', 'stereo']), target: ref('vec3'), device: ref('vec3'), offset: ref('vec3'), distance: n,
        planes: arr(obj({ plane: { type: 'string' }, distance: n }, ['plane', 'distance'])), criterion: n, success: { type: 'boolean' },
      }, ['method', 'target', 'device', 'offset', 'distance', 'planes', 'criterion', 'success']),
      findings: arr(ref('finding')),
    }, ['findings']),
  };

  return [
    {
      name: 'plan-request',
      title: 'stereotax plan request',
      description: 'One plan request or an array of them: the needle with a device and approach, localization devices, a post-placement check. Checked by the engine only: a catalog id that exists; needle needs thickness and a target (target, or geometry and views); localization positions within 0..thickness in z, dates in order, a minimum spacing for two or more devices, I-125 seeds with an assay; catalog ids used once, probe-detected devices with a detection limit, I-125 with a half-life; the targeting rules of targeting-request; unit strings converted and held to the same ranges.',
      root: oneOrMany('request'),
      defs: PLAN_DEFS,
    },
    {
      name: 'plan-result',
      title: 'stereotax plan result',
      description: 'What `stereotax plan` prints: one result, or an array with a result or an error element in each place. mm throughout.',
      root: { anyOf: [ref('planResult'), arr({ anyOf: [ref('planResult'), ref('errorElement')] })] },
      defs: PLAN_RESULT_DEFS,
    },
  ];
}
