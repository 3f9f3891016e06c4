/**
 * What to change when a needle plan fails. Every mitigation is re-checked with the
 * same checks before it is offered, and carries that re-check: an aperture shift
 * that still covers the lesion, another catalog device, the other approach, or,
 * when none passes, "not feasible" with the reasons.
 */
import type { BiopsyDevice } from '../devices/catalog.js';
import { mm, type Finding } from '../core/findings.js';
import { belowMin } from '../core/limits.js';
import type { Vec3 } from '../targeting/geometry.js';
import { checkLateral, checkVertical, hasErrors, type CheckOutcome, type LateralSetup, type NeedleBlock, type NeedleLimits } from '../needle/checks.js';

export type Mitigation =
  | { kind: 'pull_back' | 'advance'; approach: 'vertical' | 'lateral'; deviceId: string; shift: number; lesionCoverage: number; block: NeedleBlock; recheck: Finding[]; message: string }
  | { kind: 'device'; approach: 'vertical' | 'lateral'; deviceId: string; name: string; block: NeedleBlock; recheck: Finding[]; message: string }
  | { kind: 'approach'; approach: 'vertical' | 'lateral'; deviceId: string; side?: '+x' | '-x'; block: NeedleBlock; recheck: Finding[]; unchecked: string[]; message: string }
  | { kind: 'not_feasible'; reasons: string[]; message: string };

export interface NeedleScenario {
  target: Vec3;
  thickness: number;
  device: BiopsyDevice;
  approach: 'vertical' | 'lateral';
  lateral?: LateralSetup;
  limits: NeedleLimits;
  /** Lesion radius (mm): needed to offer an aperture shift that still covers it. */
  lesionRadius?: number;
}

/** Runs the checks of a scenario, optionally with the aperture's centre moved along the needle. */
export function runChecks(s: NeedleScenario, aim?: number): CheckOutcome {
  return s.approach === 'vertical'
    ? checkVertical(s.target, s.thickness, s.device, s.limits, aim)
    : checkLateral(s.target, s.thickness, s.device, s.limits, s.lateral ?? { side: defaultSide(s.target) }, aim);
}

/** Without a side given, enter from the side the target is nearer (x = 0 is under the central ray). */
export function defaultSide(target: Vec3): '+x' | '-x' {
  return target.x >= 0 ? '+x' : '-x';
}

function unchecked(s: LateralSetup | undefined): string[] {
  const out: string[] = [];
  if (s?.nearSkinX === undefined) out.push('aperture against the entry skin (nearSkinX not given)');
  if (s?.farSkinX === undefined) out.push('fired tip against the far skin (farSkinX not given)');
  return out;
}

/**
 * A shift of the aperture along the needle that fixes the stroke margin (pull back)
 * or the skin clearance (advance) while the aperture still spans the lesion.
 */
function apertureShift(s: NeedleScenario, base: CheckOutcome): Mitigation | undefined {
  if (s.lesionRadius === undefined) return undefined;
  const slack = s.device.apertureLength / 2 - s.lesionRadius;
  if (slack < 0) return undefined;
  const b = base.block;
  const stroke = b.strokeMargin;
  const skin = b.skinClearance;
  let shift = 0;
  let kind: 'pull_back' | 'advance' | undefined;
  if (stroke !== undefined && belowMin(stroke, s.limits.minStrokeMargin)) {
    shift = s.limits.minStrokeMargin - stroke;
    kind = 'pull_back';
  } else if (skin !== undefined && belowMin(skin, 0)) {
    shift = -skin;
    kind = 'advance';
  }
  if (!kind || shift > slack) return undefined;
  // Pulling back moves the aperture toward the entry (up for vertical; back toward the entry side for lateral).
  const towardEntry = kind === 'pull_back' ? 1 : -1;
  let aim: number;
  if (b.approach === 'vertical') aim = s.target.z + towardEntry * shift;
  else aim = s.target.x + towardEntry * (b.side === '+x' ? 1 : -1) * shift;
  const re = runChecks(s, aim);
  if (hasErrors(re.findings)) return undefined;
  return {
    kind, approach: s.approach, deviceId: s.device.id, shift, lesionCoverage: slack - shift, block: re.block, recheck: re.findings,
    message: `${kind === 'pull_back' ? 'pull back' : 'advance'} the aperture ${mm(shift, 2)} along the needle: it still covers the lesion (radius ${mm(s.lesionRadius, 1)}) with ${mm(slack - shift, 2)} to spare.`,
  };
}

export function mitigate(s: NeedleScenario, base: CheckOutcome, catalog: readonly BiopsyDevice[]): Mitigation[] {
  if (!hasErrors(base.findings)) return [];
  const out: Mitigation[] = [];
  const shift = apertureShift(s, base);
  if (shift) out.push(shift);
  for (const d of catalog) {
    if (d.id === s.device.id) continue;
    const re = runChecks({ ...s, device: d });
    if (!hasErrors(re.findings)) {
      out.push({ kind: 'device', approach: s.approach, deviceId: d.id, name: d.name, block: re.block, recheck: re.findings,
        message: `use ${d.name} (${d.id}): aperture ${mm(d.apertureLength)}, tip ${mm(d.tipLength)}, throw ${mm(d.throw)} pass the ${s.approach} checks.` });
    }
  }
  const other = s.approach === 'vertical' ? 'lateral' : 'vertical';
  const lateral = s.lateral ?? { side: defaultSide(s.target) };
  for (const d of [s.device, ...catalog.filter((x) => x.id !== s.device.id)]) {
    const re = runChecks({ ...s, device: d, approach: other, lateral });
    if (!hasErrors(re.findings)) {
      const miss = other === 'lateral' ? unchecked(s.lateral) : [];
      out.push({ kind: 'approach', approach: other, deviceId: d.id, ...(other === 'lateral' ? { side: lateral.side } : {}), block: re.block, recheck: re.findings, unchecked: miss,
        message: `the ${other} approach${other === 'lateral' ? ` from ${lateral.side}` : ''} with ${d.name} passes${miss.length ? `; not checked: ${miss.join('; ')}` : ''}.` });
      break; // the first device that works for the other approach, the planned one first
    }
  }
  if (!out.length) {
    const reasons = base.findings.filter((f) => f.severity === 'error').map((f) => `${f.code}: ${f.message}`);
    if (s.lesionRadius === undefined) reasons.push('no lesionRadius given: an aperture shift could not be evaluated');
    out.push({ kind: 'not_feasible', reasons,
      message: 'no aperture shift, catalog device or approach passes the checks: the plan is not feasible as given; consider another guidance method or a device from your own catalog.' });
  }
  return out;
}
