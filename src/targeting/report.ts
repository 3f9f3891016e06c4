/** Plain-text summaries of results, for people at a console (the JSON stays the contract). */
import { findingsText } from '../core/findings.js';
import type { TargetingResult } from './types.js';

const f = (x: number, d = 2) => (Object.is(x, -0) ? 0 : x).toFixed(d);

export function targetingText(r: TargetingResult): string {
  let s = `stereotax target${r.id ? ` ${r.id}` : ''} (mm, DICOM breast biopsy frame: z = 0 on the support, +z toward the source)\n`;
  s += `  target        x ${f(r.target.x)}   y ${f(r.target.y)}   z ${f(r.target.z)}\n`;
  s += `  depth         ${f(r.depthFromSkin)} below the skin under the paddle\n`;
  if (r.rayGap !== undefined) s += `  ray gap       ${f(r.rayGap, 3)}\n`;
  else if (r.pairwiseRayGaps) s += `  ray gaps      ${r.pairwiseRayGaps.map((p) => `${p.views.join('-')}: ${f(p.gap, 3)}`).join(', ')}\n`;
  if (r.classic) s += `  parallel-beam x ${f(r.classic.x)}   y ${f(r.classic.y)}   z ${f(r.classic.z)}  (legacy estimate, for comparison)\n`;
  if (r.uncertainty) {
    const u = r.uncertainty;
    s += `  uncertainty   1-sigma x ${f(u.sigma.x, 3)}  y ${f(u.sigma.y, 3)}  z ${f(u.sigma.z, 3)} for ${f(u.imageSigma, 3)} marking error; 95 % ellipsoid semi-axes ${u.ellipsoid95.semiAxes.map((a) => f(a, 3)).join(', ')}\n`;
  }
  const n = r.needle;
  if (n?.approach === 'vertical') {
    s += `  needle        vertical, ${n.device.name ?? 'device'}: stroke margin ${f(n.strokeMargin)}, pre-fire tip z ${f(n.prefireTipZ)}, post-fire tip z ${f(n.postfireTipZ)}, skin clearance ${f(n.skinClearance)}\n`;
  } else if (n) {
    s += `  needle        lateral from ${n.side}, ${n.device.name ?? 'device'}: support clearance ${f(n.supportClearance)}, paddle clearance ${f(n.paddleClearance)}${n.strokeMargin !== undefined ? `, stroke margin ${f(n.strokeMargin)}` : ''}${n.skinClearance !== undefined ? `, skin clearance ${f(n.skinClearance)}` : ''}\n`;
  }
  s += findingsText(r.findings);
  return s;
}
