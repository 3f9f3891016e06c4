/** The readable summary of an image QA (`--text`). */
import { findingsText } from '../core/findings.js';
import { qaText } from '../qa/analysis.js';
import type { QAImagesResult } from './result.js';

const f = (x: number, d = 3) => (Object.is(x, -0) ? 0 : x).toFixed(d);

export function qaImagesText(r: QAImagesResult): string {
  const lines: string[] = ['Phantom QA from images'];
  for (const v of r.views) lines.push(`  view ${v.file.padEnd(24)} angle ${f(v.angle, 2).padStart(7)}  ${v.columns} x ${v.rows}  ${v.transferSyntax}  ${v.detections} detections`);
  lines.push('');
  lines.push('  bead  position x/y/z (mm)              residual x/y/z (mm)');
  for (const b of r.beads) {
    const p = `${f(b.position.x)} ${f(b.position.y)} ${f(b.position.z)}`;
    const res = b.residual ? `${f(b.residual.x)} ${f(b.residual.y)} ${f(b.residual.z)}` : '-';
    lines.push(`  ${(b.target ?? '?').padEnd(5)} ${p.padEnd(32)} ${res}`);
  }
  if (r.registration) lines.push('', `  registration rms ${f(r.registration.rms)} mm, translation ${r.registration.translation.map((t) => f(t)).join(' ')} mm`);
  if (r.calibration) {
    const c = r.calibration;
    lines.push('', '  calibration (estimate +/- 1 sigma)');
    c.angle.forEach((a, k) => lines.push(`    angle offset, view ${k + 1} (${r.views[k].file})  ${f(a.estimate, 4)} +/- ${f(a.sigma, 4)} degrees`));
    lines.push(`    sourceToSupport offset     ${f(c.sourceToSupport.estimate)} +/- ${f(c.sourceToSupport.sigma)} mm`);
    lines.push(`    rotationAxisHeight offset  ${f(c.rotationAxisHeight.estimate)} +/- ${f(c.rotationAxisHeight.sigma)} mm`);
    lines.push(`    reprojection rms           ${f(c.reprojectionRms.before, 4)} mm before, ${f(c.reprojectionRms.after, 4)} mm after`);
    lines.push(`    scenario unit.miscalibration ${JSON.stringify(c.scenario)}`);
  }
  lines.push('');
  return lines.join('\n') + '\n' + findingsText(r.findings) + '\n' + (r.qa ? qaText(r.qa) : '  (no QA session: see the findings)\n');
}
