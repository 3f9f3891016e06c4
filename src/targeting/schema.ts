/**
 * The targeting request and result (targeting.md sections 2-5, tomosynthesis) as JSON
 * Schema, with the ranges of targeting.ts, needle/vertical.ts and tomosynthesis.ts.
 * test/schemas.test.ts holds these and the validators to each other.
 */
import {
  angle, arr, bool, constant, enumOf, ERROR_ELEMENT, FINDING, int, length, MATRIX3, num, obj, oneOf, oneOrMany, ref, str, tuple, VEC3,
  type JsonSchema, type SchemaDocument,
} from '../core/schema-kit.js';

const PIXEL = { min: -1e6, max: 1e6 };
const SPACING = { above: 0, max: 10 };
const MARK = { min: -1000, max: 1000 };

export const TARGETING_DEFS: Record<string, JsonSchema> = {
  geometry: obj({
    sourceToDetector: length({ min: 100, max: 2000 }, 'focal spot to the detector plane at 0 degrees; DICOM (0018,1110)'),
    sourceToSupport: length({ min: 50, max: 2000 }, 'focal spot to the breast support at 0 degrees; DICOM (0018,1111)'),
    rotationAxisHeight: length({ min: -2000, max: 2000 }, 'z of the tube\'s rotation axis'),
  }, ['sourceToDetector', 'sourceToSupport', 'rotationAxisHeight'], 'the unit (targeting.md section 2). The engine also requires sourceToSupport <= sourceToDetector and rotationAxisHeight < sourceToSupport'),
  pixelSpacing: oneOf([
    length(SPACING, 'the same spacing between columns and between rows'),
    obj({ col: length(SPACING), row: length(SPACING) }, ['col', 'row'], 'col: between adjacent columns; row: between adjacent rows'),
    tuple(length(SPACING), 2, 'DICOM order: [between rows, between columns]'),
  ]),
  pixel: oneOf([
    obj({ col: num(PIXEL), row: num(PIXEL) }, ['col', 'row']),
    tuple(num(PIXEL), 2, '[col, row]'),
  ], 'a pixel position: column and row, 0\\0 the top-left corner of the top-left pixel'),
  detector: obj({
    pixelSpacing: ref('pixelSpacing'),
    origin: ref('pixel'),
    colAxis: enumOf(['+x', '-x'], 'the frame axis columns increase along (default "+x")'),
    rowAxis: enumOf(['+y', '-y'], 'the frame axis rows increase along (default "+y")'),
  }, ['pixelSpacing', 'origin'], 'pixel calibration for marks given in pixels'),
  view: oneOf([
    obj({ angle: angle({ above: -90, below: 90 }), u: length(MARK), v: length(MARK), label: str() }, ['angle', 'u', 'v'], 'a mark in detector millimetres'),
    obj({ angle: angle({ above: -90, below: 90 }), col: num(PIXEL), row: num(PIXEL), label: str() }, ['angle', 'col', 'row'], 'a mark in pixels (needs detector)'),
  ]),
  device: obj({
    name: str(),
    gauge: int({ min: 5, max: 34 }),
    throw: length({ min: 0, max: 100 }, 'forward travel on firing; 0 for devices that are not fired'),
    apertureLength: length({ above: 0, max: 100 }),
    tipLength: length({ min: 0, max: 50 }, 'solid tip beyond the aperture\'s distal edge'),
    outerDiameter: length({ above: 0, max: 15 }),
  }, ['throw', 'apertureLength', 'tipLength'], 'an inline biopsy device'),
  lateralSetup: obj({
    side: enumOf(['+x', '-x'], 'the side the needle enters from'),
    nearSkinX: length(MARK, 'x of the skin where the needle enters'),
    farSkinX: length(MARK, 'x of the skin on the far side (on the other side of nearSkinX: checked by the engine)'),
  }, ['side']),
  needle: obj({
    approach: enumOf(['vertical', 'lateral'], 'default "vertical"'),
    device: ref('device'),
    minStrokeMargin: length({ min: -50, max: 50 }, 'default 0'),
    warnStrokeMargin: length({ min: -50, max: 50 }, 'default 4'),
    minClearance: length({ min: 0, max: 50 }, 'lateral: default 0'),
    lateral: ref('lateralSetup'),
  }, ['device'], 'the needle to check (targeting.md section 5). Lateral: the engine also needs device.outerDiameter or a gauge with a table value', {
    if: { properties: { approach: { const: 'lateral' } }, required: ['approach'] },
    then: { required: ['lateral'] },
    else: { not: { required: ['lateral'] } },
  }),
  tomosynthesis: obj({
    slice: int({ min: -10000, max: 10000 }, 'the slice the lesion is sharpest in, numbered from firstSlice'),
    col: num(PIXEL, 'the lesion\'s column in that slice'),
    row: num(PIXEL, 'the lesion\'s row in that slice'),
    firstSlice: int({ min: -10000, max: 10000 }, 'number of the first slice (vendor convention; default 1)'),
    sliceDirection: enumOf(['+z', '-z'], 'which way slice numbers run (vendor convention; default "+z": away from the support). Not with frames'),
    sliceSpacing: length({ above: 0, max: 100 }, 'distance between slices'),
    firstSliceHeight: length({ min: -1000, max: 1000 }, 'z of the first slice'),
    sliceCount: int({ min: 1, max: 10000 }, 'number of slices, to bound slice'),
    frames: arr(obj({ z: length({ min: -1000, max: 1000 }, 'the frame\'s height'), pixelSpacing: ref('pixelSpacing') }, ['z']), 2, 10000,
      'per-frame Plane Position (as heights in the frame, strictly monotonic) and Pixel Measures, first slice first'),
    pixelSpacing: ref('pixelSpacing'),
    origin: ref('pixel'),
    colAxis: enumOf(['+x', '-x']),
    rowAxis: enumOf(['+y', '-y']),
    depthResolution: length({ above: 0, max: 100 }, 'half-width of the depth interval; at least half the slice spacing (checked by the engine)'),
  }, ['slice', 'col', 'row', 'origin'], 'tomosynthesis-guided targeting: the slice and pixel picked', {
    oneOf: [
      { required: ['sliceSpacing', 'firstSliceHeight', 'pixelSpacing'], not: { required: ['frames'] } },
      { required: ['frames'], properties: { sliceSpacing: false, firstSliceHeight: false, sliceCount: false, sliceDirection: false } },
    ],
  }),
  stereoRequest: obj({
    id: str(),
    geometry: ref('geometry'),
    thickness: length({ above: 0, max: 300 }, 'compressed thickness'),
    views: arr(ref('view'), 2, 64),
    detector: ref('detector'),
    imageSigma: length({ min: 0, max: 10 }, '1-sigma marking error per detector coordinate'),
    maxRayGap: length({ above: 0, max: 100 }, 'default 1'),
    needle: ref('needle'),
  }, ['geometry', 'thickness', 'views'], 'a stereo targeting request (targeting.md section 4)'),
  tomosynthesisRequest: obj({
    id: str(),
    thickness: length({ above: 0, max: 300 }, 'compressed thickness'),
    tomosynthesis: ref('tomosynthesis'),
    imageSigma: length({ min: 0, max: 10 }, '1-sigma marking error in the slice plane'),
    needle: ref('needle'),
  }, ['thickness', 'tomosynthesis'], 'a tomosynthesis-guided targeting request'),
  request: oneOf([ref('stereoRequest'), ref('tomosynthesisRequest')]),
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

export const TARGETING_RESULT_DEFS: Record<string, JsonSchema> = {
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
    root: oneOrMany('request'),
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
