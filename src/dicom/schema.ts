/**
 * The unit profile (dicom.md section 2), defined once: profile.ts validates from this
 * definition and the published unit-profile schema is written from it. The geometry
 * overrides hold the targeting geometry's own ranges (read from its definition, not
 * repeated); imageSigma, maxRayGap and needle are checked by the targeting validator
 * itself (profile.ts), so they are published here as the targeting request has them.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Unsafe as TUnsafeOf, type TSchema } from '@sinclair/typebox';
import { Custom, Enum, Length, Num, Obj, OneOf, Opt, rangeOf, Str, Tuple, type StaticDecode } from '../core/schema/build.js';
import type { JsonSchema, SchemaDocument } from '../core/schema/export.js';
import type { Checker, Plain, Range } from '../core/validate.js';
import { TARGETING_DEFS } from '../targeting/schema.js';

/** The default consoleTolerance: the QA spec's default calculation tolerance (qa.md section 2). */
export const DEFAULT_CONSOLE_TOLERANCE = 0.1;
export const CONSOLE_TOLERANCE_RANGE: Range = { min: 0, max: 100 };

const props = (def: JsonSchema): Record<string, JsonSchema> => def.properties as Record<string, JsonSchema>;
/** The range of a length in the targeting geometry (its number branch). */
function geometryRange(key: 'sourceToDetector' | 'sourceToSupport' | 'rotationAxisHeight'): Range {
  return rangeOf((props(TARGETING_DEFS.geometry)[key].anyOf as TSchema[])[0]);
}

/** The raw values of imageSigma, maxRayGap and needle, per check, for profile.ts to pass on. */
const passedOnValues = new WeakMap<Checker, Plain>();
export function passedOn(c: Checker): Plain {
  return passedOnValues.get(c) ?? {};
}
function passOn(key: string, def: JsonSchema): TSchema {
  // Without its default: absent stays absent, and the targeting request applies its own.
  const { default: _default, ...published } = def;
  return Custom(TUnsafeOf<unknown>(published), (c, raw) => {
    let m = passedOnValues.get(c);
    if (!m) passedOnValues.set(c, (m = {}));
    m[key] = raw;
    return raw;
  });
}

/** Turns Positioner Primary Angle into the frame's angle: a number, 1 or -1. */
const AngleSign = Custom(
  TUnsafeOf<1 | -1>({ enum: [1, -1], description: 'turns Positioner Primary Angle (0018,1510) into the frame\'s angle (positive: source on the +x side)' }),
  (c, raw, path): 1 | -1 | undefined => {
    const s = c.number(raw, path);
    if (s === 1 || s === -1) return s;
    return s === undefined ? undefined : c.add('invalid_value', path, '1 or -1', raw);
  },
);

// The pixel position and spacing as the targeting request takes them (its ranges, read from
// its definition), written with the builders so that the schema walk checks them.
const numberBranch = (def: JsonSchema): TSchema => (Array.isArray(def.anyOf) ? (def.anyOf as TSchema[])[0] : (def as TSchema));
// A OneOf is a TypeBox union (anyOf) until it is published as oneOf.
const branches = (def: JsonSchema): JsonSchema[] => (def.oneOf ?? def.anyOf) as JsonSchema[];
const PIXEL = rangeOf(numberBranch(props(branches(TARGETING_DEFS.pixel)[0]).col));
const SPACING = rangeOf(numberBranch(branches(TARGETING_DEFS.pixelSpacing)[0]));
/** A pixel position: { col, row } or [col, row]. */
export const Pixel = OneOf([Obj({ col: Num(PIXEL), row: Num(PIXEL) }), Tuple(Num(PIXEL), 2, '[col, row]')], (raw) => (Array.isArray(raw) ? 1 : 0),
  'a pixel position: column and row, 0\\0 the top-left corner of the top-left pixel');
/** A pixel spacing: one length, { col, row }, or DICOM's [between rows, between columns]. */
export const PixelSpacing = OneOf([
  Length(SPACING, 'the same spacing between columns and between rows'),
  Obj({ col: Length(SPACING), row: Length(SPACING) }, 'col: between adjacent columns; row: between adjacent rows'),
  Tuple(Length(SPACING), 2, 'DICOM order: [between rows, between columns]'),
], (raw) => (Array.isArray(raw) ? 2 : raw !== null && typeof raw === 'object' ? 1 : 0));
const stereo = props(TARGETING_DEFS.stereoRequest);

/** The property order is the order of the fields in `unknown_field` messages and of the issues. */
export const UnitProfile = Obj({
  id: Opt(Str()),
  rotationAxisHeight: Length(geometryRange('rotationAxisHeight'), 'z of the tube\'s rotation axis (targeting.md section 2)'),
  angleSign: AngleSign,
  detector: Obj({
    origin: Pixel,
    colAxis: Opt(Object.assign(Enum(['+x', '-x'] as const, 'default "+x"'), { default: '+x' })),
    rowAxis: Opt(Object.assign(Enum(['+y', '-y'] as const, 'default "+y"'), { default: '+y' })),
  }, 'origin: the Localizing Cursor Position (column, row) under the frame\'s origin'),
  sourceToDetector: Opt(Length(geometryRange('sourceToDetector'), 'overrides (0018,1110)')),
  sourceToSupport: Opt(Length(geometryRange('sourceToSupport'), 'overrides (0018,1111)')),
  pixelSpacing: Opt(PixelSpacing),
  imageSigma: Opt(passOn('imageSigma', { ...stereo.imageSigma, description: 'passed to every targeting request (mm)' })),
  maxRayGap: Opt(passOn('maxRayGap', { ...stereo.maxRayGap, description: 'passed to every targeting request (mm)' })),
  needle: Opt(passOn('needle', TARGETING_DEFS.needle)),
  consoleTolerance: Opt(Object.assign(
    Length(CONSOLE_TOLERANCE_RANGE, 'largest |console - ours| on any axis before the error console_disagrees (default 0.1)'),
    { default: DEFAULT_CONSOLE_TOLERANCE },
  )),
});
export type UnitProfileParsed = StaticDecode<typeof UnitProfile>;

export const UNIT_PROFILE_DEFS: Record<string, TSchema | JsonSchema> = {
  pixelSpacing: PixelSpacing,
  pixel: Pixel,
  device: TARGETING_DEFS.device,
  lateralSetup: TARGETING_DEFS.lateralSetup,
  needle: TARGETING_DEFS.needle,
  profile: UnitProfile,
};

export const UNIT_PROFILE_SCHEMA: SchemaDocument = {
  name: 'unit-profile',
  title: 'stereotax unit profile (stereotax dicom --unit)',
  description: 'What DICOM does not carry about a stereotactic unit (dicom.md section 2). Checked by the engine only: the needle rules of targeting-request; the geometry built with the headers must pass the targeting checks; unit strings converted and held to the same ranges.',
  root: { $ref: '#/$defs/profile' },
  defs: UNIT_PROFILE_DEFS,
};
