/**
 * The published targeting request and result (targeting.md sections 2-5, tomosynthesis).
 * The request is the definition the engine validates with (request-schema.ts and
 * needle/schema.ts), so the published ranges are the validator's; test/schemas.test.ts
 * holds the files and the engine to each other.
 */
import {
  arr, constant, enumOf, ERROR_ELEMENT, FINDING, MATRIX3, obj, oneOf, ref, tuple, VEC3,
  type JsonSchema,
} from '../core/schema-kit.js';
import type { SchemaDocument, TSchema } from '../core/schema/index.js';
import { Device, LateralSetup, Needle } from '../needle/schema.js';
import {
  Detector, Geometry, Pixel, PixelSpacing, StereoRequest, TargetingRequest, TargetingRequests, Tomosynthesis, TomosynthesisRequest, View,
} from './request-schema.js';

/** The request's definitions by the names other documents refer to them by ($defs). */
export const TARGETING_DEFS: Record<string, TSchema> = {
  geometry: Geometry,
  pixelSpacing: PixelSpacing,
  pixel: Pixel,
  detector: Detector,
  view: View,
  device: Device,
  lateralSetup: LateralSetup,
  needle: Needle,
  tomosynthesis: Tomosynthesis,
  stereoRequest: StereoRequest,
  tomosynthesisRequest: TomosynthesisRequest,
  request: TargetingRequest,
};

export const TARGETING_REQUEST_RULES = [
  'thickness < geometry.sourceToSupport',
  'views at distinct angles, each keeping the source above the compressed breast',
  'pixel marks (col, row) need detector; a pixel mark within 1000 mm of the origin',
  'tomosynthesis: slice within the frames or sliceCount; depthResolution at least half the slice spacing; frames heights strictly monotonic; pixelSpacing given or in every frame',
  'needle: warnStrokeMargin below minStrokeMargin is raised to it; lateral: outerDiameter or a gauge with a table value; farSkinX on the far side of nearSkinX',
  'unit strings: a known unit of the right dimension, and the converted value within the stated range',
];

const numbers = { type: 'array', items: { type: 'number' } };

const verticalNeedleResult = obj({
  approach: constant('vertical'), device: ref('device'),
  strokeMargin: { type: 'number' }, prefireTipZ: { type: 'number' }, postfireTipZ: { type: 'number' },
  apertureDistalZ: { type: 'number' }, apertureProximalZ: { type: 'number' }, skinClearance: { type: 'number' },
  minStrokeMargin: { type: 'number' }, warnStrokeMargin: { type: 'number' },
}, ['approach', 'device', 'strokeMargin', 'prefireTipZ', 'postfireTipZ', 'apertureDistalZ', 'apertureProximalZ', 'skinClearance', 'minStrokeMargin', 'warnStrokeMargin']);

const lateralNeedleResult = obj({
  approach: constant('lateral'), device: ref('device'), side: enumOf(['+x', '-x']),
  aimX: { type: 'number' }, outerRadius: { type: 'number' }, supportClearance: { type: 'number' }, paddleClearance: { type: 'number' },
  prefireTipX: { type: 'number' }, postfireTipX: { type: 'number' }, apertureProximalX: { type: 'number' }, apertureDistalX: { type: 'number' },
  skinClearance: { type: 'number' }, strokeMargin: { type: 'number' },
}, ['approach', 'device', 'side', 'aimX', 'outerRadius', 'supportClearance', 'paddleClearance', 'prefireTipX', 'postfireTipX', 'apertureProximalX', 'apertureDistalX']);

export const TARGETING_RESULT_DEFS: Record<string, TSchema | JsonSchema> = {
  device: TARGETING_DEFS.device,
  vec3: VEC3,
  finding: FINDING,
  errorElement: ERROR_ELEMENT,
  uncertainty: obj({
    imageSigma: { type: 'number' },
    sigma: ref('vec3'),
    covariance: MATRIX3,
    ellipsoid95: obj({ semiAxes: tuple({ type: 'number' }, 3, 'largest first'), axes: MATRIX3 }, ['semiAxes', 'axes']),
    jacobian: arr(numbers, 3, 3, 'd target / d marks: rows x, y, z'),
    depthResolution: { type: 'number', description: 'tomosynthesis: half-width of the depth interval (mm)' },
    depthResolutionSource: { type: 'string', description: 'tomosynthesis: where depthResolution comes from' },
  }, ['imageSigma', 'sigma', 'covariance', 'ellipsoid95', 'jacobian']),
  dicom: obj({
    targetUid: { type: 'string' }, label: { type: ['string', 'null'] }, files: arr({ type: 'string' }),
    console: { anyOf: [ref('vec3'), { type: 'null' }] }, consoleDifference: { anyOf: [ref('vec3'), { type: 'null' }] },
  }, ['targetUid', 'label', 'files', 'console', 'consoleDifference'], 'stereotax dicom: the Target UID, the files that marked it and the console\'s stored target'),
  result: obj({
    id: { type: 'string' },
    target: ref('vec3'),
    depthFromSkin: { type: 'number' },
    rayGap: { type: 'number' },
    pairwiseRayGaps: arr(obj({ views: tuple({ type: 'integer' }, 2), gap: { type: 'number' } }, ['views', 'gap'])),
    rayDistances: numbers,
    classic: ref('vec3'),
    uncertainty: ref('uncertainty'),
    needle: oneOf([verticalNeedleResult, lateralNeedleResult]),
    marks: arr(obj({ angle: { type: 'number' }, u: { type: 'number' }, v: { type: 'number' } }, ['angle', 'u', 'v'])),
    tomosynthesis: obj({
      slice: { type: 'integer' }, col: { type: 'number' }, row: { type: 'number' }, sliceHeight: { type: 'number' }, sliceSpacing: { type: 'number' },
      pixelSpacing: obj({ col: { type: 'number' }, row: { type: 'number' } }, ['col', 'row']),
      vendorConventions: obj({
        firstSlice: { type: 'integer' }, sliceDirection: enumOf(['+z', '-z']), origin: obj({ col: { type: 'number' }, row: { type: 'number' } }, ['col', 'row']),
        colAxis: enumOf(['+x', '-x']), rowAxis: enumOf(['+y', '-y']),
      }, ['firstSlice', 'sliceDirection', 'origin', 'colAxis', 'rowAxis']),
    }, ['slice', 'col', 'row', 'sliceHeight', 'sliceSpacing', 'pixelSpacing', 'vendorConventions']),
    dicom: ref('dicom'),
    findings: arr(ref('finding')),
  }, ['target', 'depthFromSkin', 'rayDistances', 'marks', 'findings'], 'a targeting result (targeting.md section 4)'),
  dicomErrorElement: obj({ error: (ERROR_ELEMENT.properties as Record<string, JsonSchema>).error, dicom: obj({ targetUid: { type: 'string' }, label: { type: ['string', 'null'] }, files: arr({ type: 'string' }) }, ['targetUid', 'label', 'files']) }, ['error', 'dicom']),
  element: oneOf([ref('result'), ref('errorElement'), ref('dicomErrorElement')]),
};

export const TARGETING_SCHEMAS: SchemaDocument[] = [
  {
    name: 'targeting-request',
    title: 'stereotax targeting request',
    description: `One targeting request (stereo marks, or a tomosynthesis slice and pixel), or an array of them. Lengths in mm and angles in degrees, or strings with a unit. Checked by the engine only: ${TARGETING_REQUEST_RULES.join('; ')}.`,
    root: TargetingRequests,
    defs: TARGETING_DEFS,
  },
  {
    name: 'targeting-result',
    title: 'stereotax targeting result',
    description: 'What `stereotax target` prints: one result, or for an array of requests an array with a result or an error element in each place. `stereotax dicom` prints an array of results with a `dicom` block (or error elements with one). mm throughout; never NaN or Infinity.',
    root: { anyOf: [ref('result'), arr(ref('element'))] },
    defs: TARGETING_RESULT_DEFS,
  },
];
