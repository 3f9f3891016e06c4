/**
 * The device catalog's entries, defined once: a biopsy device (in a catalog, or given inline
 * in a request), a localization device, a catalog. catalog.ts validates from these; the plan
 * schema publishes them. The rules across fields (outer diameter from the gauge table, a
 * detection limit for probe-detected devices, an I-125 half-life, ids used once) are catalog.ts's.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Unsafe as TUnsafeOf } from '@sinclair/typebox';
import { Arr, Bool, Enum, Int, Length, Nullable, Num, Obj, Opt, Str, Tuple, type TProperties } from '../core/schema/index.js';

export const GAUGE = { min: 5, max: 34 };
export const MAX_CATALOG_DEVICES = 1000;
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

export const Id = Str(64, 'an id of letters, digits, ".", "_" or "-"', ID_PATTERN);
const biopsyProperties = {
  id: Id,
  kind: Enum(['vacuum-probe', 'spring-loaded-gun'] as const),
  name: Str(),
  gauge: Int(GAUGE),
  throw: Length({ min: 0, max: 100 }),
  apertureLength: Length({ above: 0, max: 100 }),
  tipLength: Length({ min: 0, max: 50 }),
  outerDiameter: Length({ above: 0, max: 15 }, 'from the gauge table when not given'),
  typical: Bool(),
  source: Str(400),
};
type BiopsyKey = keyof typeof biopsyProperties;
function biopsyFields(required: readonly BiopsyKey[]): TProperties {
  return Object.fromEntries(Object.entries(biopsyProperties).map(([k, s]) => [k, required.includes(k as BiopsyKey) ? s : Opt(s)]));
}
export const BiopsyDevice = Obj(biopsyFields(['id', 'kind', 'gauge', 'throw', 'apertureLength', 'tipLength']), 'a catalog biopsy device');
export const InlineBiopsyDevice = Obj(biopsyFields(['gauge', 'throw', 'apertureLength', 'tipLength']),
  'a biopsy device given in the request (without id: kind "vacuum-probe")', { dependentRequired: { id: ['kind'] } });

export const LocalizationDevice = Obj({
  id: Id,
  kind: Enum(['hook-wire', 'i125-seed', 'radar-reflector', 'magnetic-seed', 'rfid-tag'] as const),
  name: Opt(Str()),
  insertionGauge: Opt(Nullable(Int(GAUGE))),
  detectionDepthLimit: Nullable(Length({ above: 0, max: 300 })),
  minSpacing: Nullable(Length({ min: 0, max: 300 })),
  repositionable: Bool(),
  mriPlacement: Opt(Nullable(Bool())),
  maxDwellDays: Opt(Nullable(Num({ min: 0, max: 3650 }))),
  sameDayOnly: Opt(Bool()),
  halfLifeDays: Opt(Num({ above: 0, max: 1e5 })),
  assayRangeMBq: Opt(Tuple(Num({ min: 0, max: 1e4 }), 2)),
  typical: Opt(Bool()),
  source: Opt(Str(400)),
}, 'a catalog localization device');

export const Catalog = Obj({
  about: Opt(TUnsafeOf<unknown>({})),
  biopsyDevices: Opt(Arr(BiopsyDevice, 0, MAX_CATALOG_DEVICES)),
  localizationDevices: Opt(Arr(LocalizationDevice, 0, MAX_CATALOG_DEVICES)),
}, 'a device catalog; its entries replace shipped ones with the same id');

