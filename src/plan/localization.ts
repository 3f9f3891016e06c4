/**
 * Localization planning: one device at the lesion, or several bracketing the extent
 * of disease. Each device's depth from the nearer skin surface (support side z = 0 or
 * paddle side z = thickness, under compression) against its detection limit; the
 * spacing of every pair against the larger of their minimums; I-125 activity on the
 * day of surgery; wires on the day of surgery; dwell limits; MRI placement; devices
 * that cannot be repositioned.
 */
import { formatPath } from '../core/errors.js';
import { NEEDS_DETECTION_LIMIT, type Catalog, type LocalizationDevice } from '../devices/catalog.js';
import { mm, type Finding } from '../core/findings.js';
import { exceedsMax } from '../core/limits.js';
import type { Vec3 } from '../targeting/geometry.js';
import { toVec3, type Tuple3 } from '../core/vec3.js';
import type { Checker, Path } from '../core/validate.js';
import { parseValue, type TSchema } from '../core/schema/index.js';
import { COORD, Localization, PlacedDevice as PlacedDeviceSchema } from './request-schema.js';

// Each field against the definition (request-schema.ts); the catalog look-ups, the z range
// within the thickness and the order of dates are the request's context, checked here.
const F = Localization.properties;
const D = PlacedDeviceSchema.properties;
const A = (D.assay as unknown as { properties: Record<string, TSchema> }).properties;
import { checkDate, decayedActivity, isoDate } from './dates.js';

export type Guidance = 'stereotactic' | 'mammographic' | 'ultrasound' | 'mri' | 'tomosynthesis';

export interface PlacedDevice {
  label: string;
  device: LocalizationDevice;
  position: Vec3;
  assay?: { activityMBq: number; day: number };
}

export interface LocalizationInput {
  guidance: Guidance;
  placementDay: number;
  surgeryDay: number;
  devices: PlacedDevice[];
  /** Overrides every device's minimum spacing (mm). */
  minSpacing?: number;
}

export interface LocalizationResult {
  guidance: Guidance;
  placementDate: string;
  surgeryDate: string;
  daysToSurgery: number;
  devices: {
    label: string; deviceId: string; kind: string; position: Vec3;
    depthFromNearerSkin: number; nearerSkin: 'paddle' | 'support'; detectionDepthLimit: number | null;
    repositionable: boolean; activityOnSurgeryDayMBq?: number;
  }[];
  spacing: { devices: [string, string]; distance: number; minSpacing: number }[];
}

export function checkLocalization(c: Checker, value: unknown, path: Path, catalog: Catalog, thickness: number | undefined): LocalizationInput | undefined {
  const o = c.object(value, path, Object.keys(F), ['placementDate', 'surgeryDate', 'devices']);
  if (!o) return undefined;
  const guidance = o.guidance === undefined ? F.guidance.default as Guidance : parseValue(c, F.guidance, o.guidance, [...path, 'guidance']) as Guidance | undefined;
  const placementDay = checkDate(c, o.placementDate, [...path, 'placementDate']);
  const surgeryDay = checkDate(c, o.surgeryDate, [...path, 'surgeryDate']);
  if (placementDay !== undefined && surgeryDay !== undefined && surgeryDay < placementDay) {
    c.add('invalid_value', [...path, 'surgeryDate'], `a date on or after placementDate (${o.placementDate})`, o.surgeryDate,
      `${formatPath([...path, 'surgeryDate'])}: the dates are in the wrong order: surgery ${o.surgeryDate} is before placement ${o.placementDate}`);
  }
  const minSpacing = o.minSpacing === undefined ? undefined : parseValue(c, F.minSpacing, o.minSpacing, [...path, 'minSpacing']) as number | undefined;
  const devices: PlacedDevice[] = [];
  const list = c.array(o.devices, [...path, 'devices'], F.devices.minItems, F.devices.maxItems);
  list?.forEach((item, i) => {
    const p = [...path, 'devices', i];
    const d = c.object(item, p, Object.keys(D), ['device', 'position']);
    if (!d) return;
    const id = parseValue(c, D.device, d.device, [...p, 'device']) as string | undefined;
    const device = id === undefined ? undefined : catalog.localizationDevices.find((x) => x.id === id);
    if (id !== undefined && !device) {
      c.add('unknown_reference', [...p, 'device'], `a localization device id in the catalog (${catalog.localizationDevices.map((x) => x.id).join(', ')})`, id);
    }
    // z within the compressed breast when its thickness is known (support at 0, paddle at thickness).
    const pos = c.array(d.position, [...p, 'position'], 3, 3);
    const xyz = pos?.map((v, k) => c.length(v, [...p, 'position', k], k === 2 && thickness !== undefined ? { min: 0, max: thickness } : COORD));
    const label = d.label === undefined ? `${i}` : parseValue(c, D.label, d.label, [...p, 'label']) as string | undefined;
    let assay: PlacedDevice['assay'];
    if (d.assay !== undefined) {
      const a = c.object(d.assay, [...p, 'assay'], Object.keys(A), ['activityMBq', 'date']);
      const act = a && parseValue(c, A.activityMBq, a.activityMBq, [...p, 'assay', 'activityMBq']) as number | undefined;
      const day = a && checkDate(c, a.date, [...p, 'assay', 'date']);
      if (day !== undefined && placementDay !== undefined && day > placementDay) {
        c.add('invalid_value', [...p, 'assay', 'date'], `a date on or before placementDate (${o.placementDate})`, a!.date,
          `${formatPath([...p, 'assay', 'date'])}: the dates are in the wrong order: the assay ${a!.date} is after placement ${o.placementDate}`);
      }
      if (act !== undefined && day !== undefined) assay = { activityMBq: act, day };
    } else if (device?.kind === 'i125-seed') {
      c.add('missing_field', [...p, 'assay'], 'the seed assay: { activityMBq, date }', undefined);
    }
    if (device && xyz && xyz.every((x) => x !== undefined) && label !== undefined) {
      devices.push({ label, device, position: toVec3(xyz as Tuple3), ...(assay ? { assay } : {}) });
    }
  });
  if (devices.length >= 2 && minSpacing === undefined) {
    devices.forEach((d, i) => {
      if (d.device.minSpacing === null) {
        c.add('missing_field', [...path, 'devices', i, 'device'], `a catalog entry for ${d.device.id} with minSpacing (set by its maker), or ${formatPath([...path, 'minSpacing'])}`, null,
          `${formatPath([...path, 'devices', i, 'device'])}: ${d.device.id} has no minimum spacing in the catalog (each maker sets one): load a catalog entry with it, or give ${formatPath([...path, 'minSpacing'])}`);
      }
    });
  }
  for (const d of devices) {
    if (NEEDS_DETECTION_LIMIT.has(d.device.kind) && d.device.detectionDepthLimit === null) {
      c.add('missing_field', [...path, 'devices'], `a detection depth limit for ${d.device.id}`, null);
    }
  }
  if (thickness === undefined && list) c.add('missing_field', ['thickness'], 'the compressed thickness (mm), for depths from the skin', undefined);
  if (!guidance || placementDay === undefined || surgeryDay === undefined || minSpacing === null) return undefined;
  return { guidance, placementDay, surgeryDay, devices, ...(minSpacing !== undefined ? { minSpacing } : {}) };
}

export function planLocalization(input: LocalizationInput, thickness: number): { result: LocalizationResult; findings: Finding[] } {
  const f: Finding[] = [];
  const days = input.surgeryDay - input.placementDay;
  const devices = input.devices.map((d, i) => {
    const path = `localization.devices[${i}]`;
    const fromSupport = d.position.z, fromPaddle = thickness - d.position.z;
    const depth = Math.min(fromSupport, fromPaddle);
    const nearerSkin: 'paddle' | 'support' = fromPaddle <= fromSupport ? 'paddle' : 'support';
    const dev = d.device;
    const out: LocalizationResult['devices'][number] = {
      label: d.label, deviceId: dev.id, kind: dev.kind, position: d.position,
      depthFromNearerSkin: depth, nearerSkin, detectionDepthLimit: dev.detectionDepthLimit, repositionable: dev.repositionable,
    };
    if (dev.detectionDepthLimit !== null && exceedsMax(depth, dev.detectionDepthLimit)) {
      f.push({ code: 'device_beyond_detection_limit', severity: 'error', path: `${path}.position`, value: depth, limit: dev.detectionDepthLimit,
        message: `${d.label} (${dev.id}) would lie ${mm(depth)} from the nearer skin (${nearerSkin} side, compressed), beyond its ${mm(dev.detectionDepthLimit)} detection limit: the surgeon's probe may not find it.` });
    }
    if (dev.sameDayOnly && days !== 0) {
      f.push({ code: 'wire_not_same_day', severity: 'error', path: 'localization.placementDate', value: days, limit: 0,
        message: `${d.label} (${dev.id}) must be placed on the day of surgery; placement is ${days} day${days === 1 ? '' : 's'} before.` });
    }
    if (dev.maxDwellDays !== null && !dev.sameDayOnly && exceedsMax(days, dev.maxDwellDays)) {
      f.push({ code: 'dwell_too_long', severity: 'error', path: 'localization.placementDate', value: days, limit: dev.maxDwellDays,
        message: `${d.label} (${dev.id}) may stay at most ${dev.maxDwellDays} days before surgery; this plan has ${days}.` });
    }
    if (input.guidance === 'mri') {
      if (dev.mriPlacement === false) {
        f.push({ code: 'device_not_mri_compatible', severity: 'error', path: `${path}.device`,
          message: `${d.label} (${dev.id}) is not placed under MRI guidance.` });
      } else if (dev.mriPlacement === null) {
        f.push({ code: 'device_mri_unknown', severity: 'warning', path: `${path}.device`,
          message: `${d.label} (${dev.id}): the catalog does not say whether it may be placed under MRI; check the maker's labelling.` });
      }
    }
    if (!dev.repositionable) {
      f.push({ code: 'device_not_repositionable', severity: 'info', path: `${path}.device`,
        message: `${d.label} (${dev.id}) cannot be repositioned once placed: confirm the position before deploying.` });
    }
    if (dev.kind === 'i125-seed' && d.assay && dev.halfLifeDays) {
      const a = decayedActivity(d.assay.activityMBq, input.surgeryDay - d.assay.day, dev.halfLifeDays);
      out.activityOnSurgeryDayMBq = a;
      if (dev.assayRangeMBq && (d.assay.activityMBq < dev.assayRangeMBq[0] || d.assay.activityMBq > dev.assayRangeMBq[1])) {
        f.push({ code: 'seed_assay_out_of_range', severity: 'warning', path: `${path}.assay.activityMBq`, value: d.assay.activityMBq,
          message: `${d.label}: assay ${d.assay.activityMBq} MBq is outside the ${dev.assayRangeMBq[0]}-${dev.assayRangeMBq[1]} MBq range.` });
      }
    }
    return out;
  });
  const spacing: LocalizationResult['spacing'] = [];
  for (let i = 0; i < input.devices.length; i++) {
    for (let j = i + 1; j < input.devices.length; j++) {
      const a = input.devices[i], b = input.devices[j];
      const distance = Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y, a.position.z - b.position.z);
      const min = input.minSpacing ?? Math.max(a.device.minSpacing ?? 0, b.device.minSpacing ?? 0);
      spacing.push({ devices: [a.label, b.label], distance, minSpacing: min });
      if (distance < min) {
        f.push({ code: 'devices_too_close', severity: 'error', path: `localization.devices[${j}].position`, value: distance, limit: min,
          message: `${a.label} and ${b.label} would be ${mm(distance)} apart, under the ${mm(min)} minimum spacing: the probe may not tell them apart.` });
      }
    }
  }
  return {
    result: { guidance: input.guidance, placementDate: isoDate(input.placementDay), surgeryDate: isoDate(input.surgeryDay), daysToSurgery: days, devices, spacing },
    findings: f,
  };
}
