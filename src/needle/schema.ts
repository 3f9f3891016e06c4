/**
 * The needle block of a request, defined once (issue 22): the device, the lateral setup
 * and the needle, their ranges and defaults, and the checks across their fields. The
 * targeting, plan and simulation requests embed these; the published JSON Schema, the
 * types, the validator (vertical.ts's checkNeedle, checkDevice, checkLateralSetup) and the
 * generated fast path (scripts/fast-paths.mjs) all come from here.
 */
import {
  Custom, Default, Enum, Int, Length, Obj, Opt, Str, parseValue, withChecks, type StaticDecode,
} from '../core/schema/index.js';
import type { Checker, Path } from '../core/validate.js';
import { GAUGE_OUTER_DIAMETER } from '../devices/catalog.js';

export const DEFAULT_MIN_STROKE_MARGIN = 0;
export const DEFAULT_WARN_STROKE_MARGIN = 4;
export const DEFAULT_MIN_CLEARANCE = 0;

export const Device = Obj({
  name: Opt(Str()),
  gauge: Opt(Int({ min: 5, max: 34 })),
  throw: Length({ min: 0, max: 100 }, 'forward travel on firing; 0 for devices that are not fired'),
  apertureLength: Length({ above: 0, max: 100 }),
  tipLength: Length({ min: 0, max: 50 }, 'solid tip beyond the aperture\'s distal edge'),
  outerDiameter: Opt(Length({ above: 0, max: 15 })),
}, 'an inline biopsy device');
export type DeviceParsed = StaticDecode<typeof Device>;

/** The far skin is on the other side of the near skin from the entry side. */
export function farSkinOnFarSide(side: '+x' | '-x', nearSkinX: number, farSkinX: number): boolean {
  return Math.sign(nearSkinX - farSkinX) === (side === '+x' ? 1 : -1);
}

export const LateralSetup = withChecks(Obj({
  side: Enum(['+x', '-x'] as const, 'the side the needle enters from'),
  nearSkinX: Opt(Length({ min: -1000, max: 1000 }, 'x of the skin where the needle enters')),
  farSkinX: Opt(Length({ min: -1000, max: 1000 }, 'x of the skin on the far side (on the other side of nearSkinX: checked by the engine)')),
}), (v, c, path) => {
  if (v.side && v.nearSkinX !== undefined && v.farSkinX !== undefined && !farSkinOnFarSide(v.side, v.nearSkinX, v.farSkinX)) {
    c.add('invalid_value', [...path, 'farSkinX'], `the far skin on the ${v.side === '+x' ? '-x' : '+x'} side of nearSkinX (${v.nearSkinX} mm)`, v.farSkinX);
  }
});
export type LateralSetupParsed = StaticDecode<typeof LateralSetup>;

/** The lateral approach needs the needle's radius: an outer diameter, or a gauge the table knows. */
export function hasOuterDiameter(d: { gauge?: number; outerDiameter?: number }): boolean {
  return d.outerDiameter !== undefined || (d.gauge !== undefined && GAUGE_OUTER_DIAMETER[d.gauge] !== undefined);
}

// `lateral` is published as the setup but read only for the lateral approach (the check
// below parses it): with the vertical approach it is refused whole, with an unknown
// approach left alone, as the needle was always checked.
const lateralField = Custom(LateralSetup, (_c: Checker, raw: unknown) => raw as LateralSetupParsed);

export const Needle = withChecks(Obj({
  approach: Opt(Default(Enum(['vertical', 'lateral'] as const, 'default "vertical"'), 'vertical')),
  device: Device,
  minStrokeMargin: Opt(Default(Length({ min: -50, max: 50 }, 'default 0'), DEFAULT_MIN_STROKE_MARGIN)),
  warnStrokeMargin: Opt(Default(Length({ min: -50, max: 50 }, 'default 4'), DEFAULT_WARN_STROKE_MARGIN)),
  minClearance: Opt(Default(Length({ min: 0, max: 50 }, 'lateral: default 0'), DEFAULT_MIN_CLEARANCE)),
  lateral: Opt(lateralField),
}, 'the needle to check (targeting.md section 5). Lateral: the engine also needs device.outerDiameter or a gauge with a table value', {
  if: { properties: { approach: { const: 'lateral' } }, required: ['approach'] },
  then: { required: ['lateral'] },
  else: { not: { required: ['lateral'] } },
}), (v, c, path, raw) => {
  if (v.approach === 'lateral') {
    if (raw.lateral === undefined) c.add('missing_field', [...path, 'lateral'], 'the lateral setup: { side: "+x" or "-x", nearSkinX?, farSkinX? }', undefined);
    else {
      const lateral = parseValue(c, LateralSetup, raw.lateral, [...path, 'lateral']);
      if (lateral) v.lateral = lateral;
      else delete v.lateral;
    }
    if (v.device && !hasOuterDiameter(v.device)) {
      c.add('missing_field', [...path, 'device', 'outerDiameter'], 'the outer diameter (mm), or a gauge with a table value, for the lateral approach', undefined);
    }
  } else if (v.approach === 'vertical' && raw.lateral !== undefined) {
    c.add('invalid_value', [...path, 'lateral'], 'no lateral setup with the vertical approach', raw.lateral);
  }
});
export type NeedleParsed = StaticDecode<typeof Needle>;
