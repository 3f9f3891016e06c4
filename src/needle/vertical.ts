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

export const DEFAULT_MIN_STROKE_MARGIN = 0;
export const DEFAULT_WARN_STROKE_MARGIN = 4;

const DEVICE_FIELDS = ['name', 'gauge', 'throw', 'apertureLength', 'tipLength', 'outerDiameter'];

export function checkDevice(c: Checker, value: unknown, path: Path): NeedleDevice | undefined {
  const d = c.object(value, path, DEVICE_FIELDS, ['throw', 'apertureLength', 'tipLength']);
  if (!d) return undefined;
  const name = c.optional(d, 'name', (v) => c.string(v, [...path, 'name']));
  const gauge = c.optional(d, 'gauge', (v) => c.integer(v, [...path, 'gauge'], { min: 5, max: 34 }));
  const thr = c.length(d.throw, [...path, 'throw'], { min: 0, max: 100 });
  const apertureLength = c.length(d.apertureLength, [...path, 'apertureLength'], { above: 0, max: 100 });
  const tipLength = c.length(d.tipLength, [...path, 'tipLength'], { min: 0, max: 50 });
  const outerDiameter = c.optional(d, 'outerDiameter', (v) => c.length(v, [...path, 'outerDiameter'], { above: 0, max: 15 }));
  if (thr === undefined || apertureLength === undefined || tipLength === undefined) return undefined;
  const out: NeedleDevice = { throw: thr, apertureLength, tipLength };
  if (name !== undefined) out.name = name;
  if (gauge !== undefined) out.gauge = gauge;
  if (outerDiameter !== undefined) out.outerDiameter = outerDiameter;
  return out;
}

export function checkLateralSetup(c: Checker, v: unknown, path: Path): LateralSetup | undefined {
  const o = c.object(v, path, ['side', 'nearSkinX', 'farSkinX'], ['side']);
  if (!o) return undefined;
  const side = c.oneOf(o.side, [...path, 'side'], ['+x', '-x'] as const);
  const nearSkinX = o.nearSkinX === undefined ? undefined : c.length(o.nearSkinX, [...path, 'nearSkinX'], { min: -1000, max: 1000 });
  const farSkinX = o.farSkinX === undefined ? undefined : c.length(o.farSkinX, [...path, 'farSkinX'], { min: -1000, max: 1000 });
  if (side && nearSkinX !== undefined && farSkinX !== undefined && Math.sign(nearSkinX - farSkinX) !== (side === '+x' ? 1 : -1)) {
    c.add('invalid_value', [...path, 'farSkinX'], `the far skin on the ${side === '+x' ? '-x' : '+x'} side of nearSkinX (${nearSkinX} mm)`, farSkinX);
  }
  if (!side) return undefined;
  return { side, ...(nearSkinX !== undefined ? { nearSkinX } : {}), ...(farSkinX !== undefined ? { farSkinX } : {}) };
}

export function checkNeedle(c: Checker, value: unknown, path: Path): NeedleOptions | undefined {
  const n = c.object(value, path, ['approach', 'device', 'minStrokeMargin', 'warnStrokeMargin', 'minClearance', 'lateral'], ['device']);
  if (!n) return undefined;
  const approach = n.approach === undefined ? 'vertical' : c.oneOf(n.approach, [...path, 'approach'], ['vertical', 'lateral'] as const);
  const device = checkDevice(c, n.device, [...path, 'device']);
  const minStrokeMargin = c.optional(n, 'minStrokeMargin', (v) => c.length(v, [...path, 'minStrokeMargin'], { min: -50, max: 50 }), DEFAULT_MIN_STROKE_MARGIN);
  const warnStrokeMargin = c.optional(n, 'warnStrokeMargin', (v) => c.length(v, [...path, 'warnStrokeMargin'], { min: -50, max: 50 }), DEFAULT_WARN_STROKE_MARGIN);
  const minClearance = c.optional(n, 'minClearance', (v) => c.length(v, [...path, 'minClearance'], { min: 0, max: 50 }), 0);
  let lateral: LateralSetup | undefined;
  if (approach === 'lateral') {
    if (n.lateral === undefined) c.add('missing_field', [...path, 'lateral'], 'the lateral setup: { side: "+x" or "-x", nearSkinX?, farSkinX? }', undefined);
    else lateral = checkLateralSetup(c, n.lateral, [...path, 'lateral']);
    if (device && device.outerDiameter === undefined && (device.gauge === undefined || GAUGE_OUTER_DIAMETER[device.gauge] === undefined)) {
      c.add('missing_field', [...path, 'device', 'outerDiameter'], 'the outer diameter (mm), or a gauge with a table value, for the lateral approach', undefined);
    }
  } else if (approach === 'vertical' && n.lateral !== undefined) {
    c.add('invalid_value', [...path, 'lateral'], 'no lateral setup with the vertical approach', n.lateral);
  }
  if (!approach || !device || minStrokeMargin === undefined || warnStrokeMargin === undefined || minClearance === undefined) return undefined;
  if (approach === 'lateral' && !lateral) return undefined;
  return { approach, device, minStrokeMargin, warnStrokeMargin: Math.max(warnStrokeMargin, minStrokeMargin), minClearance, ...(lateral ? { lateral } : {}) };
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
