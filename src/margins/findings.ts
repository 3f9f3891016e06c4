/** The margins findings: involved and close margins, markers left behind, two-view estimates. */
import { mm, type Finding } from '../core/findings.js';
import { belowMin } from '../core/limits.js';
import { involved } from './compute-limits.js';
import { DIRECTIONS, type Direction } from './patches.js';
import type { MarginsInput, MarginsResult } from './types.js';

/** The findings of computed margins (by direction) and markers, in the order margins, markers, two-view. */
export function marginsFindings(input: MarginsInput, byDirection: Record<Direction, number>, markers: MarginsResult['markers']): Finding[] {
  const findings: Finding[] = [];
  const threshold = input.threshold;
  for (const d of DIRECTIONS) {
    const name = input.orientation[d];
    const v = byDirection[d];
    if (involved(v)) {
      findings.push({ code: 'margin_involved', severity: 'error', path: `margins.${name}`, value: v, limit: 0,
        message: `${name} margin involved (${mm(v)}): the lesion reaches the ${name} surface (${d}). Consider taking more tissue from the ${name} side.` });
    } else if (belowMin(v, threshold)) {
      findings.push({ code: 'margin_close', severity: 'warning', path: `margins.${name}`, value: v, limit: threshold,
        message: `${name} margin ${mm(v)} is under ${mm(threshold)}${input.histology ? ` (${input.histology})` : ''}.` });
    }
  }
  markers.forEach((m, i) => {
    if (!m.inside) {
      findings.push({ code: 'marker_not_in_specimen', severity: 'error', path: `markers[${i}]`, value: m.distance, limit: 0,
        message: `${m.name} is ${mm(m.distance)} outside the specimen: the image must show it removed. Look for it in the cavity or the specimen radiograph.` });
    }
  });
  if (input.twoView) {
    findings.push({ code: 'two_view_estimate', severity: 'info', path: 'twoView',
      message: 'margins from a two-view specimen radiograph are estimates: 2-D measurements differ from pathology by about 5-6 mm on average, and a clear-looking margin is unreliable (NPV about 32 %) while a margin the lesion reaches is usually truly involved (PPV about 98 %; Graham, AJR 1994).' });
  }
  return findings;
}
