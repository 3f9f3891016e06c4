/**
 * The plan request defined once (issue 22): ranges, enums, defaults and the post-placement
 * rules, with the device catalog's entries. plan.ts, localization.ts, post-placement.ts and
 * devices/catalog.ts validate from these; schema.ts publishes them. The parts that are
 * targeting requests are targeting's (parseTargetingRequest; published by name, TARGETING_DEFS).
 */
import {
  Arr, Bool, Custom, Enum, Length, Num, Obj, OneOf, Opt, Str, Tuple, type TSchema,
} from '../core/schema/index.js';
import { itemsOf, validField, withPresence } from '../core/schema/presence.js';
import { formatPath, type StereotaxError } from '../core/errors.js';
import { Checker, isArray, type Path } from '../core/validate.js';
import { parseTargetingRequest } from '../targeting/targeting.js';
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Unsafe as TUnsafeOf } from '@sinclair/typebox';
import { checkLateralSetup } from '../needle/vertical.js';
import { checkDate } from './dates.js';

import { Catalog } from '../devices/schema.js';

export { BiopsyDevice, Catalog, InlineBiopsyDevice, LocalizationDevice } from '../devices/schema.js';

/** Every coordinate a plan names (mm). */
export const COORD = { min: -1000, max: 1000 };
export const THICKNESS = { above: 0, max: 300 };
export const LESION_RADIUS = { min: 0, max: 100 };
export const STROKE_MARGIN = { min: -50, max: 50 };
export const CLEARANCE = { min: 0, max: 50 };
export const VERTICAL_THICKNESS = { min: 0, max: 300 };
/** Success within this distance (mm) in every plane: the NHSBSP audit standard for wire localization. */
export const DEFAULT_SUCCESS_DISTANCE = 10;
export const SUCCESS_DISTANCE = { above: 0, max: 100 };
export const MAX_LOCALIZATION_DEVICES = 20;
export const GUIDANCE = ['stereotactic', 'mammographic', 'ultrasound', 'mri', 'tomosynthesis'] as const;
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/** The schema with a `default`, applied by the parser when the field is absent (and published). */
function withDefault<T extends TSchema>(s: T, value: unknown): T {
  return { ...s, default: value };
}

/** A definition of targeting's (or the needle's), referred to by name; its own parser checks it. */
function Named(name: string, parse?: (c: Checker, raw: unknown, path: Path) => unknown) {
  const ref = TUnsafeOf<unknown>({ $ref: `#/$defs/${name}` });
  return parse ? Custom(ref, parse) : ref;
}

// ---------------------------------------------------------------- the needle

export const PlanPoint = OneOf([
  Tuple(Length(COORD), 3),
  Obj({ x: Length(COORD), y: Length(COORD), z: Length(COORD) }),
], (raw) => (isArray(raw) ? 0 : 1));

export const PlanNeedle = Obj({
  approach: Opt(withDefault(Enum(['vertical', 'lateral'] as const), 'vertical')),
  device: OneOf([Str(64, 'a catalog id'), Named('inlineBiopsyDevice')], (raw) => (typeof raw === 'string' ? 0 : 1)),
  minStrokeMargin: Opt(Length(STROKE_MARGIN)),
  warnStrokeMargin: Opt(Length(STROKE_MARGIN)),
  minClearance: Opt(Length(CLEARANCE)),
  minVerticalThickness: Opt(Length(VERTICAL_THICKNESS)),
  lateral: Opt(Named('lateralSetup', (c, raw, path) => checkLateralSetup(c, raw, path))),
  mitigations: Opt(withDefault(Bool('default true'), true)),
});

// ---------------------------------------------------------------- localization

/** A calendar date (YYYY-MM-DD, a day that exists), parsed to days since 1970-01-01 by dates.ts. */
const DateField = Custom(Str(10, 'a calendar date, YYYY-MM-DD', DATE_PATTERN), checkDate);
export const PlacedDevice = Obj({
  device: Str(64, 'a localization device id in the catalog'),
  position: Tuple(Length(COORD), 3, '[x, y, z]; z within 0..thickness when thickness is given'),
  label: Opt(Str(60)),
  assay: Opt(Obj({ activityMBq: Num({ above: 0, max: 1e4 }), date: DateField })),
});
export const Localization = Obj({
  guidance: Opt(withDefault(Enum(GUIDANCE), 'stereotactic')),
  placementDate: DateField,
  surgeryDate: DateField,
  devices: Arr(PlacedDevice, 1, MAX_LOCALIZATION_DEVICES),
  minSpacing: Opt(Length({ min: 0, max: 300 })),
});

// ---------------------------------------------------------------- post-placement

export const OrthogonalView = Obj({
  projection: Enum(['x', 'y', 'z'] as const),
  label: Opt(Str(20)),
  target: Tuple(Length(COORD), 2),
  device: Tuple(Length(COORD), 2),
});

const Orthogonal = withPresence(Obj({ views: Tuple(OrthogonalView, 2) }), {
  rules: [{
    after: 'views',
    // The two mammograms orthogonal: checked for every view whose projection, target and
    // device are valid (what places it), whatever else is wrong with it.
    rule: (o, c, path) => {
      const [a, b] = (itemsOf(o.views, 2) ?? []).map((v) => validField(v, OrthogonalView, 'projection', ['projection', 'target', 'device']));
      if (a !== undefined && a === b) c.add('duplicate_value', [...path, 'views', 1, 'projection'], `a projection orthogonal to views[0] (not ${String(a)})`, b);
    },
  }],
});

/**
 * The stereo pair's two targeting requests, checked as targeting requests (by targeting's
 * parser) with their issues placed under `path` (postPlacement.stereo.target...).
 */
export function checkStereoPair(c: Checker, pair: { target: unknown; device: unknown }, path: Path): void {
  for (const who of ['target', 'device'] as const) {
    try {
      parseTargetingRequest(pair[who]);
    } catch (e) {
      for (const issue of (e as StereotaxError).issues ?? []) {
        const where = formatPath([...path, who]) + (issue.path ? (issue.path.startsWith('[') ? '' : '.') + issue.path : '');
        c.issues.push({ ...issue, path: where, message: `${where}: expected ${issue.expected}, received ${issue.received}` });
      }
    }
  }
}

export const PostPlacement = withPresence(Obj({
  criterion: Opt(withDefault(Length(SUCCESS_DISTANCE, `default ${DEFAULT_SUCCESS_DISTANCE}`), DEFAULT_SUCCESS_DISTANCE)),
  orthogonal: Opt(Orthogonal),
  stereo: Opt(Obj({ target: Named('stereoRequest'), device: Named('stereoRequest') })),
}, undefined, { oneOf: [{ required: ['orthogonal'] }, { required: ['stereo'] }] }), {
  rules: [{
    before: 'orthogonal',
    rule: (o, c, path) => {
      if ((o.orthogonal === undefined) !== (o.stereo === undefined)) return;
      c.add('missing_field', [...path, 'orthogonal'], 'either orthogonal (two mammograms) or stereo (a stereo pair), one of them', undefined);
      return ['orthogonal', 'stereo'];
    },
  }, {
    after: 'stereo',
    // A stereo block that is an object has its requests checked once the criterion is valid,
    // a missing one included (refused by targeting too).
    rule: (o, c, path, parsed) => {
      if (o.stereo === undefined || o.orthogonal !== undefined || parsed.criterion === undefined) return;
      const s = new Checker().object(o.stereo, [], ['target', 'device']);
      if (s) checkStereoPair(c, { target: s.target, device: s.device }, [...path, 'stereo']);
    },
  }],
});

// ---------------------------------------------------------------- the request

/** The plan request's own fields, in the order they are read; its sections as defined above. */
export const PlanRequest = Obj({
  id: Opt(Str()),
  catalog: Opt(Catalog),
  thickness: Opt(Length(THICKNESS)),
  target: Opt(PlanPoint),
  geometry: Opt(Named('geometry')),
  views: Opt(Arr(Named('view'), 2, 64)),
  detector: Opt(Named('detector')),
  imageSigma: Opt(Length({ min: 0, max: 10 })),
  maxRayGap: Opt(Length({ above: 0, max: 100 })),
  lesionRadius: Opt(Length(LESION_RADIUS)),
  needle: Opt(PlanNeedle),
  localization: Opt(Localization),
  postPlacement: Opt(PostPlacement),
}, 'a plan request: needle, localization and/or postPlacement', {
  anyOf: [{ required: ['needle'] }, { required: ['localization'] }, { required: ['postPlacement'] }],
  dependentRequired: { geometry: ['views', 'thickness'], views: ['geometry', 'thickness'] },
  not: { anyOf: [{ required: ['target', 'geometry'] }, { required: ['target', 'views'] }] },
});
