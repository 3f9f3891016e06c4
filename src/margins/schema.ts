/** The margins request and result (targeting.md section 7) as JSON Schema, with the ranges of margins/*.ts. */
import {
  arr, enumOf, ERROR_ELEMENT, FINDING, length, obj, oneOf, oneOrMany, record, ref, str, tuple,
  type JsonSchema, type SchemaDocument,
} from '../core/schema-kit.js';

import { COORD, HALF, MAX_ASPECT, MAX_POINTS } from './shapes.js';

const SIZE = { min: 2 * HALF.min, max: 2 * HALF.max };
const ASPECT = `the longest at most ${MAX_ASPECT} times the shortest (checked by the engine)`;
const point = tuple(length(COORD), 3, '[x, y, z] in the specimen frame');
const sizes = tuple(length(SIZE), 3, ASPECT);
const semiAxes = tuple(length(HALF), 3, ASPECT);
const DIRECTIONS = ['+x', '-x', '+y', '-y', '+z', '-z'];

const box = obj({ shape: enumOf(['box']), center: point, size: sizes }, ['shape', 'center', 'size']);
const ellipsoid = obj({ shape: enumOf(['ellipsoid']), center: point, semiAxes }, ['shape', 'center', 'semiAxes']);
const sphere = obj({ shape: enumOf(['sphere']), center: point, radius: length(HALF) }, ['shape', 'center', 'radius']);
const points = obj({ shape: enumOf(['points']), points: arr(point, 1, MAX_POINTS), radius: length({ min: 0, max: 100 }, 'default 0') }, ['shape', 'points'], 'calcifications: the union of balls');
const pair = tuple(length(COORD), 2);
const extent = obj({ min: pair, max: pair }, ['min', 'max'], 'the extent along the two axes the image shows, in frame order (max above min: checked by the engine)');

export const MARGINS_DEFS: Record<string, JsonSchema> = {
  specimen: oneOf([box, ellipsoid, sphere]),
  lesion: oneOf([box, ellipsoid, sphere, points]),
  orientation: obj(Object.fromEntries(DIRECTIONS.map((d) => [d, str(40, 'a margin name, used once', '\\S')])), DIRECTIONS, 'the margin name of each frame direction'),
  twoView: obj({
    specimenShape: enumOf(['ellipsoid', 'box']),
    lesionShape: enumOf(['ellipsoid', 'box']),
    views: tuple(obj({
      projection: enumOf(['x', 'y', 'z'], 'the axis the beam travels along'),
      specimen: extent,
      lesion: extent,
      calcifications: arr(pair, 1, 100_000),
    }, ['projection', 'specimen'], undefined, { oneOf: [{ required: ['lesion'] }, { required: ['calcifications'] }] }), 2),
  }, ['views']),
  request: obj({
    id: str(),
    specimen: ref('specimen'),
    lesion: ref('lesion'),
    orientation: ref('orientation'),
    histology: enumOf(['invasive', 'dcis']),
    threshold: length({ min: 0, max: 50 }),
    markers: arr(obj({ name: str(60), point }, ['name', 'point']), 0, 100),
    twoView: ref('twoView'),
  }, [], 'a margins request', {
    allOf: [
      { oneOf: [{ required: ['specimen', 'lesion'], not: { required: ['twoView'] } }, { required: ['twoView'], properties: { specimen: false, lesion: false } }] },
      { anyOf: [{ required: ['histology'] }, { required: ['threshold'] }] },
    ],
  }),
};

const n = { type: 'number' };
export const MARGINS_RESULT_DEFS: Record<string, JsonSchema> = {
  finding: FINDING,
  errorElement: ERROR_ELEMENT,
  result: obj({
    id: { type: 'string' },
    closestMargin: n,
    closestName: { type: 'string' },
    margins: record(n, 'keyed by the orientation\'s names'),
    threshold: n,
    thresholdSource: enumOf(['request', 'invasive', 'dcis']),
    status: enumOf(['involved', 'close', 'clear']),
    markers: arr(obj({ name: { type: 'string' }, inside: { type: 'boolean' }, distance: n }, ['name', 'inside', 'distance'])),
    twoView: { type: 'object', description: 'two-view input: the 3-D estimate, the extents per axis and what each view shows' },
    findings: arr(ref('finding')),
  }, ['closestMargin', 'closestName', 'margins', 'threshold', 'thresholdSource', 'status', 'markers', 'findings']),
};

export const MARGINS_SCHEMAS: SchemaDocument[] = [
  {
    name: 'margins-request',
    title: 'stereotax margins request',
    description: 'One specimen-margins request or an array of them (targeting.md section 7). Checked by the engine only: orientation names used once; two-view projections orthogonal, extents with max above min; unit strings converted and held to the same ranges.',
    root: oneOrMany('request'),
    defs: MARGINS_DEFS,
  },
  {
    name: 'margins-result',
    title: 'stereotax margins result',
    description: 'What `stereotax margins` prints: one result, or an array with a result or an error element in each place. mm throughout.',
    root: { anyOf: [ref('result'), arr({ anyOf: [ref('result'), ref('errorElement')] })] },
    defs: MARGINS_RESULT_DEFS,
  },
];
