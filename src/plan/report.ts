import { findingsText } from '../core/findings.js';
import type { PlanResult } from './plan.js';

const f = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(1);

export function planText(r: PlanResult): string {
  let s = `stereotax plan${r.id ? ` ${r.id}` : ''} (mm)\n`;
  if (r.target) s += `  target        x ${f(r.target.x)}   y ${f(r.target.y)}   z ${f(r.target.z)}\n`;
  const n = r.needle;
  if (n) {
    s += n.approach === 'vertical'
      ? `  needle        vertical, ${n.device.name}: stroke margin ${f(n.strokeMargin)}, skin clearance ${f(n.skinClearance)}\n`
      : `  needle        lateral from ${n.side}, ${n.device.name}: support clearance ${f(n.supportClearance)}, paddle clearance ${f(n.paddleClearance)}${n.strokeMargin !== undefined ? `, stroke margin ${f(n.strokeMargin)}` : ''}${n.skinClearance !== undefined ? `, skin clearance ${f(n.skinClearance)}` : ''}\n`;
  }
  for (const m of r.mitigations ?? []) s += `  mitigation    ${m.kind}: ${m.message}\n`;
  if (r.localization) {
    for (const d of r.localization.devices) {
      s += `  device        ${d.label} (${d.deviceId}): ${f(d.depthFromNearerSkin)} from the ${d.nearerSkin}-side skin${d.detectionDepthLimit !== null ? ` (limit ${f(d.detectionDepthLimit)})` : ''}${d.activityOnSurgeryDayMBq !== undefined ? `, ${d.activityOnSurgeryDayMBq.toFixed(2)} MBq on the day of surgery` : ''}\n`;
    }
    for (const p of r.localization.spacing) s += `  spacing       ${p.devices.join(' - ')}: ${f(p.distance)} (minimum ${f(p.minSpacing)})\n`;
  }
  if (r.postPlacement) {
    const p = r.postPlacement;
    s += `  placement     ${p.success ? 'SUCCESS' : 'FAILED'}: device ${f(p.distance)} from the target in 3-D; ${p.planes.map((x) => `${x.plane} ${f(x.distance)}`).join(', ')} (criterion ${f(p.criterion)})\n`;
  }
  return s + findingsText(r.findings);
}
