/**
 * Needle checks for both approaches, given where the aperture's centre is aimed.
 * Vertical (spec section 5): the needle travels along -z through the paddle window.
 * Lateral: the needle lies parallel to the support along x, entering from the +x or
 * -x side at the target's height; its outer radius must clear support and paddle,
 * its aperture must be inside the skin it entered through, and its fired tip must
 * stay short of the far skin when that is given. mm throughout.
 */
import type { BiopsyDevice } from '../devices/catalog.js';
import { mm, type Finding } from '../core/findings.js';
import { belowMin } from '../core/limits.js';
import type { Vec3 } from '../core/vec3.js';
import { requestDevice, verticalNeedle, verticalNeedleFindings, type LateralSetup, type NeedleDevice, type NeedleOptions, type VerticalNeedleResult } from './vertical.js';

export type { LateralSetup };

export interface NeedleLimits {
  /** Post-fire clearance below which the plan is an error (default 0). */
  minStrokeMargin: number;
  /** Post-fire clearance below which a warning is given (default 4). */
  warnStrokeMargin: number;
  /** Lateral: clearance of the needle's outer surface from support and paddle (default 0). */
  minClearance: number;
  /** Compressed thickness under which the vertical approach is contraindicated (default 20). */
  minVerticalThickness: number;
}

export const DEFAULT_LIMITS: NeedleLimits = { minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0, minVerticalThickness: 20 };

/** Section 5's numbers for the aperture aimed at aimZ. */
export interface VerticalBlock
  extends Pick<VerticalNeedleResult, 'strokeMargin' | 'prefireTipZ' | 'postfireTipZ' | 'apertureDistalZ' | 'apertureProximalZ' | 'skinClearance'> {
  approach: 'vertical';
  deviceId: string;
  /** z of the aperture's centre (the target unless shifted). */
  aimZ: number;
}

export interface LateralBlock {
  approach: 'lateral';
  deviceId: string;
  side: '+x' | '-x';
  /** x of the aperture's centre (the target unless shifted). */
  aimX: number;
  outerRadius: number;
  supportClearance: number;
  paddleClearance: number;
  prefireTipX: number;
  postfireTipX: number;
  apertureProximalX: number;
  apertureDistalX: number;
  /** Aperture's proximal edge to the entry skin; absent without nearSkinX. */
  skinClearance?: number;
  /** Fired tip to the far skin; absent without farSkinX. */
  strokeMargin?: number;
}

export type NeedleBlock = VerticalBlock | LateralBlock;

export interface CheckOutcome {
  block: NeedleBlock;
  findings: Finding[];
}

export function checkVertical(target: Vec3, thickness: number, d: BiopsyDevice, lim: NeedleLimits, aimZ = target.z): CheckOutcome {
  // Section 5's formulas and findings live in src/needle/vertical.ts; these checks add the aim point and the contraindication.
  const n = verticalNeedle(aimZ, thickness, { device: d, minStrokeMargin: lim.minStrokeMargin, warnStrokeMargin: lim.warnStrokeMargin });
  const block: VerticalBlock = {
    approach: 'vertical', deviceId: d.id, aimZ,
    strokeMargin: n.strokeMargin, prefireTipZ: n.prefireTipZ, postfireTipZ: n.postfireTipZ,
    apertureDistalZ: n.apertureDistalZ, apertureProximalZ: n.apertureProximalZ, skinClearance: n.skinClearance,
  };
  const f: Finding[] = [];
  if (belowMin(thickness, lim.minVerticalThickness)) {
    f.push({ code: 'thin_breast_vertical', severity: 'error', path: 'thickness', value: thickness, limit: lim.minVerticalThickness,
      message: `compressed thickness ${mm(thickness)} is under ${mm(lim.minVerticalThickness)}: the vertical approach is contraindicated; the lateral approach is the usual answer.` });
  }
  f.push(...verticalNeedleFindings(n));
  return { block, findings: f };
}

/** The fired tip against the far skin (lateral approach). */
function farSkinFindings(f: Finding[], margin: number, lim: NeedleLimits): void {
  const path = 'needle.strokeMargin';
  if (belowMin(margin, lim.minStrokeMargin)) {
    f.push({ code: 'lateral_tip_past_far_skin', severity: 'error', path, value: margin, limit: lim.minStrokeMargin,
      message: margin < 0
        ? `stroke margin ${mm(margin)}: the fired tip would pass ${mm(-margin)} beyond the far skin (minimum ${mm(lim.minStrokeMargin)}).`
        : `stroke margin ${mm(margin)} is below the ${mm(lim.minStrokeMargin)} minimum: the fired tip would stop only ${mm(margin)} short of the far skin.` });
  } else if (belowMin(margin, lim.warnStrokeMargin)) {
    f.push({ code: 'low_stroke_margin', severity: 'warning', path, value: margin, limit: lim.warnStrokeMargin,
      message: `stroke margin ${mm(margin)} is under ${mm(lim.warnStrokeMargin)}: little room between the fired tip and the far skin.` });
  }
}

export function checkLateral(target: Vec3, thickness: number, d: BiopsyDevice, lim: NeedleLimits, setup: LateralSetup, aimX = target.x): CheckOutcome {
  // Entering from +x the needle advances toward -x.
  const dir = setup.side === '+x' ? -1 : 1;
  const half = d.apertureLength / 2;
  const r = d.outerDiameter / 2;
  const postfireTipX = aimX + dir * (half + d.tipLength);
  const block: LateralBlock = {
    approach: 'lateral', deviceId: d.id, side: setup.side, aimX, outerRadius: r,
    supportClearance: target.z - r,
    paddleClearance: thickness - target.z - r,
    prefireTipX: postfireTipX - dir * d.throw,
    postfireTipX,
    apertureProximalX: aimX - dir * half,
    apertureDistalX: aimX + dir * half,
  };
  // Written as differences, not dir * (a - b), so that a clearance of zero is +0.
  if (setup.nearSkinX !== undefined) {
    block.skinClearance = dir < 0 ? setup.nearSkinX - block.apertureProximalX : block.apertureProximalX - setup.nearSkinX;
  }
  if (setup.farSkinX !== undefined) block.strokeMargin = dir < 0 ? postfireTipX - setup.farSkinX : setup.farSkinX - postfireTipX;
  const f: Finding[] = [];
  if (belowMin(block.supportClearance, lim.minClearance)) {
    f.push({ code: 'needle_hits_support', severity: 'error', path: 'needle.supportClearance', value: block.supportClearance, limit: lim.minClearance,
      message: `the needle's outer surface (radius ${mm(r, 2)}) is ${mm(block.supportClearance)} above the breast support at the target's height (limit ${mm(lim.minClearance)}).` });
  }
  if (belowMin(block.paddleClearance, lim.minClearance)) {
    f.push({ code: 'needle_hits_paddle', severity: 'error', path: 'needle.paddleClearance', value: block.paddleClearance, limit: lim.minClearance,
      message: `the needle's outer surface (radius ${mm(r, 2)}) is ${mm(block.paddleClearance)} below the paddle at the target's height (limit ${mm(lim.minClearance)}).` });
  }
  if (block.skinClearance === undefined || block.strokeMargin === undefined) {
    f.push({ code: 'lateral_skin_not_given', severity: 'info', path: 'needle.lateral',
      message: `${block.skinClearance === undefined ? 'nearSkinX' : 'farSkinX'} not given: ${block.skinClearance === undefined ? 'the aperture against the entry skin' : 'the fired tip against the far skin'} was not checked.` });
  }
  if (block.skinClearance !== undefined && belowMin(block.skinClearance, 0)) {
    f.push({ code: 'aperture_outside_breast', severity: 'error', path: 'needle.skinClearance', value: block.skinClearance, limit: 0,
      message: `the aperture's proximal edge is ${mm(-block.skinClearance)} outside the entry skin: vacuum leak and skin injury.` });
  }
  if (block.strokeMargin !== undefined) farSkinFindings(f, block.strokeMargin, lim);
  return { block, findings: f };
}

export function hasErrors(f: readonly Finding[]): boolean {
  return f.some((x) => x.severity === 'error');
}

/** A targeting result's needle block: the request's device at the target, by either approach. */
export type RequestNeedleResult = VerticalNeedleResult | (Omit<LateralBlock, 'deviceId'> & { device: NeedleDevice });

/** Checks a request's needle block at the computed target (stereo and tomosynthesis requests alike). */
export function requestNeedle(target: Vec3, thickness: number, n: NeedleOptions): { needle: RequestNeedleResult; findings: Finding[] } {
  if (n.approach === 'lateral') {
    const limits = { minStrokeMargin: n.minStrokeMargin, warnStrokeMargin: n.warnStrokeMargin, minClearance: n.minClearance, minVerticalThickness: 0 };
    const { block, findings } = checkLateral(target, thickness, requestDevice(n.device), limits, n.lateral!);
    const { deviceId: _unused, ...rest } = block as LateralBlock;
    return { needle: { ...rest, device: n.device }, findings };
  }
  const needle = verticalNeedle(target.z, thickness, n);
  return { needle, findings: verticalNeedleFindings(needle) };
}
