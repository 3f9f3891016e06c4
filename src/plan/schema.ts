/**
 * The plan request and result as published JSON Schema: the request from its definition
 * (request-schema.ts, the one the validators read), targeting's parts by name; the result
 * (what the engine prints) still with the JSON builders.
 */
import type { SchemaDocument } from '../core/schema/export.js';
import type { TSchema } from '../core/schema/index.js';
import { arr, enumOf, ERROR_ELEMENT, FINDING, obj, oneOrMany, ref, tuple, VEC3, type JsonSchema } from '../core/schema-kit.js';
import {
  BiopsyDevice, Catalog, InlineBiopsyDevice, Localization, LocalizationDevice, OrthogonalView, PlanNeedle, PlanPoint, PlanRequest, PostPlacement,
} from './request-schema.js';
import { TARGETING_DEFS, TARGETING_RESULT_DEFS } from '../targeting/schema.js';

// Built on call, not at import: only the schema generator and its tests need it.
/** The plan request and result schema documents. */
export function planSchemas(): SchemaDocument[] {
  const PLAN_DEFS: Record<string, JsonSchema | TSchema> = {
    ...TARGETING_DEFS,
    biopsyDevice: BiopsyDevice,
    inlineBiopsyDevice: InlineBiopsyDevice,
    localizationDevice: LocalizationDevice,
    catalog: Catalog,
    point: PlanPoint,
    planNeedle: PlanNeedle,
    localization: Localization,
    orthogonalView: OrthogonalView,
    postPlacement: PostPlacement,
    request: PlanRequest,
  };

  const n = { type: 'number' };
  const needleBlock = obj({
    approach: enumOf(['vertical', 'lateral']), deviceId: { type: 'string' }, aimZ: n, aimX: n, side: enumOf(['+x', '-x']),
    strokeMargin: n, prefireTipZ: n, postfireTipZ: n, apertureDistalZ: n, apertureProximalZ: n, skinClearance: n,
    outerRadius: n, supportClearance: n, paddleClearance: n, prefireTipX: n, postfireTipX: n, apertureProximalX: n, apertureDistalX: n,
    device: ref('biopsyDevice'),
  }, ['approach', 'deviceId'], 'a needle check (the plan result\'s carries its device)');

  const PLAN_RESULT_DEFS: Record<string, JsonSchema | TSchema> = {
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
