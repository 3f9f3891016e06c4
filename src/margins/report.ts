import { findingsText } from '../core/findings.js';
import type { MarginsResult } from './margins.js';

const f = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(1);

export function marginsText(r: MarginsResult): string {
  let s = `stereotax margins${r.id ? ` ${r.id}` : ''} (mm, specimen frame)\n`;
  s += `  status        ${r.status.toUpperCase()}: closest margin ${f(r.closestMargin)} (${r.closestName}), threshold ${f(r.threshold)} (${r.thresholdSource})\n`;
  s += `  margins       ${Object.entries(r.margins).map(([k, v]) => `${k} ${f(v)}`).join(', ')}\n`;
  if (r.markers.length) s += `  markers       ${r.markers.map((m) => `${m.name} ${m.inside ? 'inside' : 'OUTSIDE'} (${f(m.distance)} from the surface)`).join(', ')}\n`;
  if (r.twoView) s += `  two views     ${r.twoView.views.map((v, i) => `view ${i} (beam along ${v.projection}) cannot show ${v.cannotShow.join(', ')}`).join('; ')}\n`;
  return s + findingsText(r.findings);
}
