/**
 * The device catalog: data, validated like any input. Shipped entries are typical
 * examples with their source (catalog.json); a user's catalog is checked the same
 * way and its entries replace shipped ones with the same id.
 */
import { OptionalKind, type TObject } from '@sinclair/typebox';
import { parseValue, type TSchema } from '../core/schema/index.js';
import { Checker, type Path } from '../core/validate.js';
import { BiopsyDevice as BiopsyDeviceSchema, Catalog as CatalogSchema, Id, LocalizationDevice as LocalizationDeviceSchema } from './schema.js';

const requiredOf = (s: TObject): string[] => Object.keys(s.properties).filter((k) => (s.properties[k] as TSchema)[OptionalKind] !== 'Optional');
import shipped from './catalog.json' with { type: 'json' };

/** Outer diameter (mm) by needle gauge (Stubs): the lateral approach needs the needle's radius. */
export const GAUGE_OUTER_DIAMETER: Readonly<Record<number, number>> = {
  7: 4.57, 8: 4.19, 9: 3.76, 10: 3.4, 11: 3.05, 12: 2.77, 14: 2.11, 16: 1.65, 18: 1.27, 19: 1.07, 20: 0.91,
};

export type BiopsyKind = 'vacuum-probe' | 'spring-loaded-gun';
export type LocalizationKind = 'hook-wire' | 'i125-seed' | 'radar-reflector' | 'magnetic-seed' | 'rfid-tag';

export interface BiopsyDevice {
  id: string;
  kind: BiopsyKind;
  name: string;
  gauge: number;
  /** Forward travel on firing (mm); 0 when not fired. */
  throw: number;
  apertureLength: number;
  tipLength: number;
  /** mm; from the gauge table when not given. */
  outerDiameter: number;
  typical: boolean;
  source: string;
}

export interface LocalizationDevice {
  id: string;
  kind: LocalizationKind;
  name: string;
  insertionGauge: number | null;
  /** Deepest it can be found from the skin (mm); null: no probe limit (wire, I-125 with a gamma probe). */
  detectionDepthLimit: number | null;
  /** Closest two devices may be (mm), set by each maker; null: not known, so bracketing needs it. */
  minSpacing: number | null;
  repositionable: boolean;
  /** May it be placed under MRI guidance? null: see the maker. */
  mriPlacement: boolean | null;
  /** Longest time from placement to surgery (days); null: no limit known. */
  maxDwellDays: number | null;
  /** Placed on the day of surgery only (wires). */
  sameDayOnly: boolean;
  halfLifeDays?: number;
  assayRangeMBq?: [number, number];
  typical: boolean;
  source: string;
}

export interface Catalog {
  biopsyDevices: BiopsyDevice[];
  localizationDevices: LocalizationDevice[];
}

/** Probe-detected devices must carry a detection limit: their depth check depends on it. */
export const NEEDS_DETECTION_LIMIT: ReadonlySet<LocalizationKind> = new Set(['radar-reflector', 'magnetic-seed', 'rfid-tag']);

const B = BiopsyDeviceSchema.properties as Record<string, TSchema>;
const L = LocalizationDeviceSchema.properties as Record<string, TSchema>;
const K = CatalogSchema.properties as Record<string, TSchema>;

// Each field is checked against the definition (devices/schema.ts); the order of the checks,
// the defaults and the rules across fields are here.
function checkId(c: Checker, v: unknown, path: Path): string | undefined {
  return parseValue(c, Id, v, path);
}

export function checkBiopsyDevice(c: Checker, value: unknown, path: Path): BiopsyDevice | undefined {
  const o = c.object(value, path, Object.keys(B), requiredOf(BiopsyDeviceSchema));
  if (!o) return undefined;
  const id = checkId(c, o.id, [...path, 'id']);
  const at = (k: string) => parseValue(c, B[k], o[k], [...path, k]);
  const kind = at('kind') as BiopsyKind | undefined;
  const name = o.name === undefined ? undefined : at('name') as string | undefined;
  const gauge = at('gauge') as number | undefined;
  const thr = at('throw') as number | undefined;
  const apertureLength = at('apertureLength') as number | undefined;
  const tipLength = at('tipLength') as number | undefined;
  let outerDiameter = o.outerDiameter === undefined ? undefined : at('outerDiameter') as number | undefined;
  if (o.outerDiameter === undefined && gauge !== undefined) {
    outerDiameter = GAUGE_OUTER_DIAMETER[gauge];
    if (outerDiameter === undefined) {
      c.add('missing_field', [...path, 'outerDiameter'], `outerDiameter in mm (no table value for ${gauge}G)`, undefined);
    }
  }
  const typical = o.typical === undefined ? false : at('typical') as boolean | undefined;
  const source = o.source === undefined ? 'user catalog' : at('source') as string | undefined;
  if (!id || !kind || gauge === undefined || thr === undefined || apertureLength === undefined || tipLength === undefined || outerDiameter === undefined || typical === undefined || source === undefined) return undefined;
  return { id, kind, name: name ?? id, gauge, throw: thr, apertureLength, tipLength, outerDiameter, typical, source };
}

export function checkLocalizationDevice(c: Checker, value: unknown, path: Path): LocalizationDevice | undefined {
  const o = c.object(value, path, Object.keys(L), requiredOf(LocalizationDeviceSchema));
  if (!o) return undefined;
  const id = checkId(c, o.id, [...path, 'id']);
  const at = (k: string): Path => [...path, k];
  const field = <T>(k: string) => parseValue(c, L[k], o[k], at(k)) as T | undefined;
  const kind = field<LocalizationKind>('kind');
  const name = o.name === undefined ? undefined : field<string>('name');
  // Absent or null: not known (null); detectionDepthLimit and minSpacing must be given, null allowed.
  const insertionGauge = o.insertionGauge == null ? null : field<number>('insertionGauge');
  const detectionDepthLimit = o.detectionDepthLimit === null ? null : field<number>('detectionDepthLimit');
  const minSpacing = o.minSpacing === null ? null : field<number>('minSpacing');
  const repositionable = field<boolean>('repositionable');
  const mriPlacement = o.mriPlacement == null ? null : field<boolean>('mriPlacement');
  const maxDwellDays = o.maxDwellDays == null ? null : field<number>('maxDwellDays');
  const sameDayOnly = o.sameDayOnly === undefined ? kind === 'hook-wire' : field<boolean>('sameDayOnly');
  const halfLifeDays = o.halfLifeDays === undefined ? undefined : field<number>('halfLifeDays');
  let assayRangeMBq: [number, number] | undefined;
  if (o.assayRangeMBq !== undefined) {
    const range = L.assayRangeMBq;
    const a = c.array(o.assayRangeMBq, at('assayRangeMBq'), range.minItems, range.maxItems);
    const lo = a && parseValue(c, range.items as TSchema, a[0], [...path, 'assayRangeMBq', 0]) as number | undefined;
    const hi = a && parseValue(c, range.items as TSchema, a[1], [...path, 'assayRangeMBq', 1]) as number | undefined;
    if (lo !== undefined && hi !== undefined) {
      if (hi < lo) c.add('out_of_range', [...path, 'assayRangeMBq', 1], `at least the lower bound (${lo} MBq)`, hi);
      else assayRangeMBq = [lo, hi];
    }
  }
  if (kind && NEEDS_DETECTION_LIMIT.has(kind) && o.detectionDepthLimit === null) {
    c.add('missing_field', at('detectionDepthLimit'), `a detection depth limit in mm (a ${kind} is found with a probe of limited range)`, null);
  }
  if (kind === 'i125-seed' && o.halfLifeDays === undefined) {
    c.add('missing_field', at('halfLifeDays'), 'the half-life in days (I-125: 59.4)', undefined);
  }
  const typical = o.typical === undefined ? false : field<boolean>('typical');
  const source = o.source === undefined ? 'user catalog' : field<string>('source');
  if (!id || !kind || detectionDepthLimit === undefined || minSpacing === undefined || repositionable === undefined
    || insertionGauge === undefined || mriPlacement === undefined || maxDwellDays === undefined || sameDayOnly === undefined
    || typical === undefined || source === undefined || !c.ok) return undefined;
  const dev: LocalizationDevice = {
    id, kind, name: name ?? id, insertionGauge, detectionDepthLimit, minSpacing, repositionable, mriPlacement, maxDwellDays, sameDayOnly, typical, source,
  };
  if (halfLifeDays !== undefined) dev.halfLifeDays = halfLifeDays;
  if (assayRangeMBq) dev.assayRangeMBq = assayRangeMBq;
  return dev;
}

/** Checks a catalog object (a user's file, or the shipped one); duplicate ids are refused. */
export function checkCatalog(c: Checker, value: unknown, path: Path): Catalog | undefined {
  const o = c.object(value, path, Object.keys(K), []);
  if (!o) return undefined;
  const out: Catalog = { biopsyDevices: [], localizationDevices: [] };
  const seen = new Set<string>();
  const take = <T extends { id: string }>(key: 'biopsyDevices' | 'localizationDevices', check: (v: unknown, p: Path) => T | undefined, into: T[]) => {
    if (o[key] === undefined) return;
    c.array(o[key], [...path, key], K[key].minItems, K[key].maxItems)?.forEach((d, i) => {
      const dev = check(d, [...path, key, i]);
      if (!dev) return;
      if (seen.has(dev.id)) c.add('duplicate_value', [...path, key, i, 'id'], 'an id used once in the catalog', dev.id);
      seen.add(dev.id);
      into.push(dev);
    });
  };
  take('biopsyDevices', (v, p) => checkBiopsyDevice(c, v, p), out.biopsyDevices);
  take('localizationDevices', (v, p) => checkLocalizationDevice(c, v, p), out.localizationDevices);
  return out;
}

/** User entries replace shipped ones with the same id; the rest are added after them. */
export function mergeCatalogs(base: Catalog, user: Catalog): Catalog {
  const merge = <T extends { id: string }>(a: T[], b: T[]) => {
    const byId = new Map(b.map((d) => [d.id, d]));
    return [...a.map((d) => byId.get(d.id) ?? d), ...b.filter((d) => !a.some((x) => x.id === d.id))];
  };
  return { biopsyDevices: merge(base.biopsyDevices, user.biopsyDevices), localizationDevices: merge(base.localizationDevices, user.localizationDevices) };
}

let shippedCache: Catalog | undefined;
/** The shipped catalog, validated once (a broken shipped file is an internal error, not the user's). */
export function shippedCatalog(): Catalog {
  if (!shippedCache) {
    const c = new Checker();
    const cat = checkCatalog(c, shipped, ['shippedCatalog']);
    if (!c.ok || !cat) throw new Error(`the shipped device catalog is invalid: ${c.issues[0]?.message}`);
    shippedCache = cat;
  }
  return shippedCache;
}
