/**
 * The margins request (targeting.md section 7), defined once: the ranges, the shapes and
 * their selector, the defaults, the cross-field rules (aspect ratio, orientation names used
 * once, extents with max above min, orthogonal projections) and the presence rules (twoView
 * or specimen and lesion; histology unless a threshold). request.ts validates from it;
 * the published schema/margins-request.schema.json is written from it.
 */
import { formatPath } from '../core/errors.js';
import {
  Arr, Custom, Enum, Length, Obj, OneOf, Opt, Str, Tuple, parseValue, withRules,
  type Static, type StaticDecode, type TSchema,
} from '../core/schema/index.js';
import { itemsOf, validField, withPresence } from '../core/schema/presence.js';
import { type SchemaDocument } from '../core/schema/export.js';
// The result (what the engine prints, not a request) keeps the JSON builders for now.
import { arr, enumOf, ERROR_ELEMENT, FINDING, obj, oneOrMany, record, ref, type JsonSchema } from '../core/schema-kit.js';
import { isArray, type Checker, type Path } from '../core/validate.js';
import type { V3 } from './distance.js';

/**
 * The accepted input range (docs/guide/margins.md, "Accepted range"): every coordinate in
 * [-1000, 1000] mm; every radius and semi-axis in [0.01, 500] mm and every box size in
 * [0.02, 1000] mm (half-sizes in [0.01, 500]); within one shape the longest dimension at
 * most MAX_ASPECT times the shortest; at most MAX_POINTS calcifications, their radius in
 * [0, 100] mm. Inside it every result is finite and computed in bounded time.
 */
export const MAX_POINTS = 2_000;
export const MAX_ASPECT = 100;
export const COORD = { min: -1000, max: 1000 };
export const HALF = { min: 0.01, max: 500 };
export const SIZE = { min: 2 * HALF.min, max: 2 * HALF.max };
export const POINT_RADIUS = { min: 0, max: 100 };
/** The margin threshold a request may set (mm). */
export const THRESHOLD = { min: 0, max: 50 };
export const MAX_MARKERS = 100;
export const MAX_TWO_VIEW_CALCIFICATIONS = 100_000;
export const DIRECTIONS = ['+x', '-x', '+y', '-y', '+z', '-z'] as const;
export const SHAPES = ['box', 'ellipsoid', 'sphere', 'points'] as const;
/** Absent orientation: each direction names itself. */
export const DEFAULT_ORIENTATION: Record<(typeof DIRECTIONS)[number], string> = {
  '+x': '+x', '-x': '-x', '+y': '+y', '-y': '-y', '+z': '+z', '-z': '-z',
};

/** The schema with a `default`, applied by the parser when the field is absent (and published). */
function withDefault<T extends TSchema>(s: T, value: unknown): T {
  return { ...s, default: value };
}

// ---------------------------------------------------------------- shapes

/** The aspect-ratio rule of a size or semi-axes triple, run once its three lengths are valid. */
function aspectRule(c: Checker, t: V3, path: Path): V3 | undefined {
  const longest = Math.max(...t), shortest = Math.min(...t);
  if (longest > MAX_ASPECT * shortest) {
    return c.add('invalid_geometry', path, `the longest at most ${MAX_ASPECT} times the shortest`, `${longest} and ${shortest} mm`,
      `${formatPath(path) || 'the request'}: the longest (${longest} mm) is more than ${MAX_ASPECT} times the shortest (${shortest} mm); margins are computed for shapes up to ${MAX_ASPECT}:1`);
  }
  return t;
}

const ASPECT = `the longest at most ${MAX_ASPECT} times the shortest (checked by the engine)`;
/** Three lengths in a range, the longest at most MAX_ASPECT times the shortest. */
function aspectTriple(range: { min: number; max: number }) {
  const triple = Tuple(Length(range), 3, ASPECT);
  return Custom(triple, (c, raw, path) => {
    const t = parseValue(c, triple, raw, path);
    return t && aspectRule(c, t as V3, path);
  });
}

export const Point = Tuple(Length(COORD), 3, '[x, y, z] in the specimen frame');
const BoxShape = Obj({ shape: Enum(['box'] as const), center: Point, size: aspectTriple(SIZE) });
const EllipsoidShape = Obj({ shape: Enum(['ellipsoid'] as const), center: Point, semiAxes: aspectTriple(HALF) });
const SphereShape = Obj({ shape: Enum(['sphere'] as const), center: Point, radius: Length(HALF) });
const PointsFields = Obj({
  shape: Enum(['points'] as const),
  points: Arr(Point, 1, MAX_POINTS),
  radius: Opt(withDefault(Length(POINT_RADIUS, 'default 0'), 0)),
}, 'calcifications: the union of balls');
/**
 * Calcifications are reported as they always were: a list of the wrong length (or no list)
 * before the radius, the points themselves after it.
 */
const PointsShape = withPresence(PointsFields, {
  rules: [{
    before: 'points',
    rule: (o, c, path, parsed) => {
      let n = -1;
      try {
        if (isArray(o.points)) n = o.points.length;
      } catch {
        // an unreadable list: its own check reports it, before the radius
      }
      if (n < 1 || n > MAX_POINTS || o.radius === undefined) return;
      const radius = parseValue(c, PointsFields.properties.radius, o.radius, [...path, 'radius']);
      if (radius !== undefined) parsed.radius = radius;
      return ['radius'];
    },
  }],
});

/** Every field any shape has: a specimen and a lesion are read against these first. */
const SHAPE_FIELDS = [...new Set([BoxShape, EllipsoidShape, SphereShape, PointsShape].flatMap((b) => Object.keys(b.properties)))];

/**
 * A shape, chosen by its `shape` field. The field is checked first, against every shape's
 * fields (so a missing or unknown shape is one issue), then the chosen shape's own.
 */
function shapeUnion<const B extends TSchema[]>(branches: [...B], names: readonly (typeof SHAPES)[number][]) {
  const union = OneOf(branches, (raw) => Math.max(0, names.indexOf((raw as { shape?: never } | null)?.shape as never)));
  return Custom(union, (c, raw, path) => {
    const pre = c.object(raw, path, SHAPE_FIELDS, ['shape']);
    if (!pre || pre.shape === undefined) return undefined;
    const shape = c.oneOf(pre.shape, [...path, 'shape'], names);
    if (!shape) return undefined;
    return parseValue(c, branches[names.indexOf(shape)], raw, path) as StaticDecode<typeof union> | undefined;
  });
}

export const Specimen = shapeUnion([BoxShape, EllipsoidShape, SphereShape], ['box', 'ellipsoid', 'sphere']);
export const Lesion = shapeUnion([BoxShape, EllipsoidShape, SphereShape, PointsShape], SHAPES);

/**
 * The margin name of each frame direction, each name used once: a name already given is
 * refused where it is given again, naming the direction that had it last. Absent: each
 * direction names itself (DEFAULT_ORIENTATION).
 */
export const Orientation = withDefault(withPresence(
  Obj(Object.fromEntries(DIRECTIONS.map((d) => [d, Str(40, 'a margin name', '\\S')])) as Record<(typeof DIRECTIONS)[number], ReturnType<typeof Str>>,
    'the margin name of each frame direction, each used once'),
  {
    rules: DIRECTIONS.map((d, i) => ({
      after: d,
      rule: (_o: unknown, c: Checker, path: Path, parsed: Record<string, unknown>) => {
        const name = parsed[d];
        if (name === undefined) return;
        const twice = DIRECTIONS.slice(0, i).reverse().find((e) => parsed[e] === name);
        if (twice) c.add('duplicate_value', [...path, d], `a name not already used (it names ${twice} too)`, name);
      },
    })),
  },
), DEFAULT_ORIENTATION);

// ---------------------------------------------------------------- two views

const Pair = Tuple(Length(COORD), 2);
/** An extent along the two axes an image shows; max above min on each. */
const Extent = withRules(
  Obj({ min: Pair, max: Pair }, 'the extent along the two axes the image shows, in frame order (max above min: checked by the engine)'),
  (v, c, path) => {
    for (let i = 0; i < 2; i++) {
      if (!(v.max[i] > v.min[i])) {
        c.add('out_of_range', [...path, 'max', i], `greater than min[${i}] (${v.min[i]} mm)`, v.max[i]);
        return;
      }
    }
  },
);

const ViewFields = Obj({
  projection: Enum(['x', 'y', 'z'] as const, 'the axis the beam travels along'),
  specimen: Extent,
  lesion: Opt(Extent),
  calcifications: Opt(Arr(Pair, 1, MAX_TWO_VIEW_CALCIFICATIONS)),
}, undefined, { oneOf: [{ required: ['lesion'] }, { required: ['calcifications'] }] });
const View = withPresence(ViewFields,
  { rules: [{
    before: 'lesion',
    rule: (o, c, path) => {
      if ((o.lesion === undefined) !== (o.calcifications === undefined)) return;
      c.add('missing_field', [...path, 'lesion'], 'either lesion (extent) or calcifications (positions)', undefined,
        `views[${String(path[path.length - 1])}]: give either lesion (its extent) or calcifications (their positions)`);
      return ['lesion', 'calcifications'];
    },
  }] },
);

export const TwoView = withPresence(
  Obj({
    specimenShape: Opt(withDefault(Enum(['ellipsoid', 'box'] as const), 'ellipsoid')),
    lesionShape: Opt(withDefault(Enum(['ellipsoid', 'box'] as const), 'ellipsoid')),
    views: Tuple(View, 2),
  }),
  {
    rules: [{
      after: 'views',
      // Orthogonal: checked for every view whose projection and specimen extent are valid
      // (what places it), whatever else is wrong with it.
      rule: (o, c, path) => {
        const views = itemsOf(o.views, 2);
        const [a, b] = (views ?? []).map((v) => validField(v, ViewFields, 'projection', ['projection', 'specimen']));
        if (a !== undefined && a === b) c.add('duplicate_value', [...path, 'views', 1, 'projection'], `a projection orthogonal to views[0] (not ${a})`, b);
      },
    }],
  },
);

// ---------------------------------------------------------------- the request

const Marker = Obj({ name: Str(60), point: Point });

export const MarginsRequest = withPresence(
  Obj({
    id: Opt(Str()),
    specimen: Opt(Specimen),
    lesion: Opt(Lesion),
    orientation: Opt(Orientation),
    histology: Opt(Enum(['invasive', 'dcis'] as const)),
    threshold: Opt(Length(THRESHOLD)),
    markers: Opt(Arr(Marker, 0, MAX_MARKERS)),
    twoView: Opt(TwoView),
  }, 'a margins request', {
    allOf: [
      { oneOf: [{ required: ['specimen', 'lesion'], not: { required: ['twoView'] } }, { required: ['twoView'], properties: { specimen: false, lesion: false } }] },
      { anyOf: [{ required: ['histology'] }, { required: ['threshold'] }] },
    ],
  }),
  { order: ['id', 'twoView', 'specimen', 'lesion', 'orientation', 'histology', 'threshold', 'markers'], rules: [{
    before: 'specimen',
    rule: (o, c) => {
      if (o.twoView !== undefined && (o.specimen !== undefined || o.lesion !== undefined)) {
        c.add('invalid_value', ['twoView'], 'either twoView or specimen and lesion, not both', 'both');
      }
      if (o.twoView === undefined) {
        if (o.specimen === undefined) c.add('missing_field', ['specimen'], 'a specimen shape', undefined, 'specimen: required, missing (or give twoView)');
        if (o.lesion === undefined) c.add('missing_field', ['lesion'], 'a lesion shape', undefined, 'lesion: required, missing (or give twoView)');
      }
    },
  }, {
    before: 'markers',
    rule: (o, c) => {
      if (o.histology === undefined && o.threshold === undefined) {
        c.add('missing_field', ['histology'], 'histology ("invasive": 0 mm, "dcis": 2 mm) or a threshold in mm', undefined,
          'histology: required unless a threshold is given ("invasive" applies 0 mm, "dcis" 2 mm)');
      }
    },
  }] },
);

/** What a caller sends (lengths as numbers or unit strings). */
export type MarginsRequestBody = Static<typeof MarginsRequest>;
/** The request as validated: lengths in mm, defaults applied. */
export type MarginsRequestParsed = StaticDecode<typeof MarginsRequest>;
export type TwoViewParsed = StaticDecode<typeof TwoView>;

// ---------------------------------------------------------------- published

export const MARGINS_DEFS: Record<string, TSchema> = {
  specimen: Specimen,
  lesion: Lesion,
  orientation: Orientation,
  twoView: TwoView,
  request: MarginsRequest,
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
