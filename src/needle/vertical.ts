/**
 * The needle against the breast (spec section 5). Vertical: the needle enters
 * through the paddle window along -z and, after firing, the centre of its aperture
 * sits on the target. The lateral approach's checks are in src/needle/checks.ts;
 * this module validates a request's needle block for both.
 */
import type { Finding } from '../core/findings.js';
import { belowMin } from '../core/limits.js';
import { mm } from '../core/findings.js';
import { GAUGE_OUTER_DIAMETER, type BiopsyDevice } from '../devices/catalog.js';
import type { Checker, Path } from '../core/validate.js';
import { parseFields } from '../core/schema/parse.js';
import { Device, LateralSetup, Needle, type DeviceParsed, type LateralSetupParsed, type NeedleParsed } from './schema.js';

export interface NeedleDevice {
  name?: string;
  gauge?: number;
  /** Forward travel on firing (mm); 0 for devices that are not fired. */
  throw: number;
  /** Length of the side aperture (mm). */
  apertureLength: number;
  /** Solid tip beyond the aperture's distal edge (mm). */
  tipLength: number;
  /** Outer diameter (mm); the lateral approach takes it from the gauge when not given. */
  outerDiameter?: number;
}

export interface LateralSetup {
  /** The side the needle enters from. */
  side: '+x' | '-x';
  /** x of the skin where the needle enters, if known. */
  nearSkinX?: number;
  /** x of the skin on the far side, if known. */
  farSkinX?: number;
}

export interface NeedleOptions {
  approach: 'vertical' | 'lateral';
  /** Lateral only: the entry side and the skin positions. */
  lateral?: LateralSetup;
  /** Lateral only: clearance of the needle's outer surface from support and paddle (default 0 mm). */
  minClearance: number;
  device: NeedleDevice;
  /** Post-fire tip clearance above the support below which the plan is an error (default 0 mm). */
  minStrokeMargin: number;
  /** Clearance below which a warning is given (default 4 mm: the stricter of common units). */
  warnStrokeMargin: number;
}

export interface VerticalNeedleResult {
  approach: 'vertical';
  device: NeedleDevice;
  /** Post-fire tip clearance above the breast support (= postfireTipZ). */
  strokeMargin: number;
  prefireTipZ: number;
  postfireTipZ: number;
  /** z of the aperture's distal (support-side) and proximal (paddle-side) edges. */
  apertureDistalZ: number;
  apertureProximalZ: number;
  /** Skin under the paddle minus the aperture's proximal edge; negative: the aperture is outside the skin. */
  skinClearance: number;
  minStrokeMargin: number;
  warnStrokeMargin: number;
}

export { DEFAULT_MIN_STROKE_MARGIN, DEFAULT_WARN_STROKE_MARGIN } from './schema.js';

/** The engine's device from a parsed one (optional fields only when given). */
export function needleDevice(name: string | undefined, gauge: number | undefined, thr: number, apertureLength: number, tipLength: number, outerDiameter: number | undefined): NeedleDevice {
  const out: NeedleDevice = { throw: thr, apertureLength, tipLength };
  if (name !== undefined) out.name = name;
  if (gauge !== undefined) out.gauge = gauge;
  if (outerDiameter !== undefined) out.outerDiameter = outerDiameter;
  return out;
}

/** The engine's needle options from parsed fields: a warning margin below the error margin is raised to it. */
export function needleOptions(approach: 'vertical' | 'lateral', device: NeedleDevice, minStrokeMargin: number, warnStrokeMargin: number, minClearance: number, lateral?: LateralSetup): NeedleOptions {
  const out: NeedleOptions = { approach, device, minStrokeMargin, warnStrokeMargin: Math.max(warnStrokeMargin, minStrokeMargin), minClearance };
  if (lateral) out.lateral = lateral;
  return out;
}

const toDevice = (d: DeviceParsed): NeedleDevice => needleDevice(d.name, d.gauge, d.throw, d.apertureLength, d.tipLength, d.outerDiameter);

function toLateral(l: LateralSetupParsed): LateralSetup {
  return { side: l.side, ...(l.nearSkinX !== undefined ? { nearSkinX: l.nearSkinX } : {}), ...(l.farSkinX !== undefined ? { farSkinX: l.farSkinX } : {}) };
}

/** A parsed needle block (schema.ts's Needle) as the engine's options. */
export function toNeedleOptions(n: NeedleParsed): NeedleOptions {
  return needleOptions(n.approach!, toDevice(n.device), n.minStrokeMargin!, n.warnStrokeMargin!, n.minClearance!, n.lateral ? toLateral(n.lateral) : undefined);
}

/** A request's device (schema.ts's Device), issues reported on `c`. */
export function checkDevice(c: Checker, value: unknown, path: Path): NeedleDevice | undefined {
  // What parsed is handed on when the three lengths did: an invalid name is left out, never the device.
  const d = parseFields(c, Device, value, path);
  return d && d.throw !== undefined && d.apertureLength !== undefined && d.tipLength !== undefined ? toDevice(d as DeviceParsed) : undefined;
}

/** A request's lateral setup (schema.ts's LateralSetup), issues reported on `c`. */
export function checkLateralSetup(c: Checker, v: unknown, path: Path): LateralSetup | undefined {
  // The side alone makes a setup; an invalid skin position is left out.
  const l = parseFields(c, LateralSetup, v, path);
  return l?.side ? toLateral(l as LateralSetupParsed) : undefined;
}

/** A request's needle block (schema.ts's Needle), issues reported on `c`. */
export function checkNeedle(c: Checker, value: unknown, path: Path): NeedleOptions | undefined {
  const n = parseFields(c, Needle, value, path);
  if (!n || !n.approach || !n.device || n.minStrokeMargin === undefined || n.warnStrokeMargin === undefined || n.minClearance === undefined) return undefined;
  if (n.approach === 'lateral' && !n.lateral) return undefined;
  // With the vertical approach `lateral` is refused above and never handed on.
  return toNeedleOptions({ ...n, lateral: n.approach === 'lateral' ? n.lateral : undefined } as NeedleParsed);
}

/** The device of a request's needle block as a catalog-shaped biopsy device. */
export function requestDevice(d: NeedleDevice): BiopsyDevice {
  return {
    id: 'request', kind: d.throw > 0 ? 'spring-loaded-gun' : 'vacuum-probe', name: d.name ?? 'device in the request',
    gauge: d.gauge ?? 0, throw: d.throw, apertureLength: d.apertureLength, tipLength: d.tipLength,
    outerDiameter: d.outerDiameter ?? GAUGE_OUTER_DIAMETER[d.gauge ?? -1] ?? 0, typical: false, source: 'request',
  };
}

/** Section 5 of the spec, for a target at height z in a breast `thickness` thick. */
export function verticalNeedle(targetZ: number, thickness: number, o: Pick<NeedleOptions, 'device' | 'minStrokeMargin' | 'warnStrokeMargin'>): VerticalNeedleResult {
  const d = o.device;
  const half = d.apertureLength / 2;
  const postfireTipZ = targetZ - half - d.tipLength;
  const apertureProximalZ = targetZ + half;
  return {
    approach: 'vertical',
    device: d,
    strokeMargin: postfireTipZ,
    prefireTipZ: postfireTipZ + d.throw,
    postfireTipZ,
    apertureDistalZ: targetZ - half,
    apertureProximalZ,
    skinClearance: thickness - apertureProximalZ,
    minStrokeMargin: o.minStrokeMargin,
    warnStrokeMargin: o.warnStrokeMargin,
  };
}

export function verticalNeedleFindings(r: VerticalNeedleResult, path = 'needle'): Finding[] {
  const out: Finding[] = [];
  if (belowMin(r.strokeMargin, r.minStrokeMargin)) {
    out.push({
      code: 'negative_stroke_margin',
      severity: 'error',
      message: `stroke margin ${mm(r.strokeMargin)} is below ${mm(r.minStrokeMargin)}: the fired tip would pass ${mm(r.minStrokeMargin - r.strokeMargin)} beyond the allowed clearance above the breast support. Use a device with a shorter throw or tip or a smaller aperture, or the lateral approach.`,
      path: `${path}.strokeMargin`,
      value: r.strokeMargin,
      limit: r.minStrokeMargin,
    });
  } else if (belowMin(r.strokeMargin, r.warnStrokeMargin)) {
    out.push({
      code: 'low_stroke_margin',
      severity: 'warning',
      message: `stroke margin ${mm(r.strokeMargin)} is under ${mm(r.warnStrokeMargin)}: little room between the fired tip and the breast support.`,
      path: `${path}.strokeMargin`,
      value: r.strokeMargin,
      limit: r.warnStrokeMargin,
    });
  }
  if (r.skinClearance < 0) {
    out.push({
      code: 'aperture_outside_breast',
      severity: 'error',
      message: `the aperture's proximal edge is ${mm(-r.skinClearance)} above the skin under the paddle: vacuum leak and skin injury. The target is too shallow for this aperture length.`,
      path: `${path}.skinClearance`,
      value: r.skinClearance,
      limit: 0,
    });
  }
  return out;
}
