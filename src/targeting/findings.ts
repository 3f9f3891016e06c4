/** The targeting findings: what the computed numbers say about the plan's safety (spec section 6). */
import { mm, type Finding } from '../core/findings.js';
import { belowMin, exceedsMax } from '../core/limits.js';
import { tanDeg } from './geometry.js';
import { SMALL_STEREO_SPREAD, type TargetingInput, type TargetingResult } from './types.js';

export function targetingFindings(input: TargetingInput, r: TargetingResult): Finding[] {
  const out: Finding[] = [];
  const z = r.target.z;
  const below = belowMin(z, 0);
  if (below || exceedsMax(z, input.thickness)) {
    out.push({
      code: 'target_outside_breast',
      severity: 'error',
      message: below
        ? `target z ${mm(z)} is below the breast support (z = 0): the marks do not describe a point in the breast. Re-mark the lesion on both views.`
        : `target z ${mm(z)} is above the skin under the paddle (thickness ${mm(input.thickness)}): re-mark the lesion, and check the thickness read-out.`,
      path: 'target.z',
      value: z,
      limit: below ? 0 : input.thickness,
    });
  }
  if (r.rayGap !== undefined && exceedsMax(r.rayGap, input.maxRayGap)) {
    out.push({
      code: 'rays_disagree',
      severity: 'error',
      message: `the two rays miss each other by ${mm(r.rayGap, 2)} (limit ${mm(input.maxRayGap, 2)}): the marks are probably not on the same object, or their y positions differ. Re-mark the lesion.`,
      path: 'rayGap',
      value: r.rayGap,
      limit: input.maxRayGap,
    });
  }
  if (r.pairwiseRayGaps) {
    // With three or more views a marking error along x (parallax) leaves every pair
    // of rays nearly coplanar, so pairwise gaps miss it; the distance from the
    // least-squares target to each ray does not. Two views: each distance is gap/2,
    // hence the same limit, maxRayGap/2.
    const far = r.rayDistances.indexOf(Math.max(...r.rayDistances));
    const limit = input.maxRayGap / 2;
    if (exceedsMax(r.rayDistances[far], limit)) {
      out.push({
        code: 'ray_outlier',
        severity: 'warning',
        message: `the marks disagree: view ${far}'s ray passes ${mm(r.rayDistances[far], 2)} from the target (limit ${mm(limit, 2)}, half of maxRayGap). Least squares spreads one bad mark over every ray, so re-check all marks.`,
        path: `rayDistances[${far}]`,
        value: r.rayDistances[far],
        limit,
      });
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const w of input.views) {
    if (w.angle < lo) lo = w.angle;
    if (w.angle > hi) hi = w.angle;
  }
  const spread = hi - lo;
  if (spread < SMALL_STEREO_SPREAD) {
    out.push({
      code: 'small_stereo_angle',
      severity: 'warning',
      message: `the views span only ${spread.toFixed(2)} degrees: depth is poorly determined (marking error is multiplied by about ${(1 / tanDeg(spread)).toFixed(0)} in z).`,
      path: 'views',
      value: spread,
      limit: SMALL_STEREO_SPREAD,
    });
  }
  return out;
}
