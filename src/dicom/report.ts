/** Plain-text summary of a stereo set's targets, for people at a console. */
import { targetingText } from '../targeting/report.js';
import type { DicomElement } from './stereo-set.js';

const f = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(3);

export function dicomText(elements: readonly DicomElement[]): string {
  return elements.map((e) => {
    const d = e.dicom;
    const head = `Target UID ${d.targetUid}${d.label ? ` (${d.label})` : ''}, files ${d.files.join(', ')}\n`;
    if ('error' in e) return `${head}  error: ${e.error.message}\n`;
    const c = e.dicom.console;
    const diff = e.dicom.consoleDifference;
    const console = c && diff
      ? `  console       x ${f(c.x)}   y ${f(c.y)}   z ${f(c.z)}   (console - ours: ${f(diff.x)}, ${f(diff.y)}, ${f(diff.z)})\n`
      : '  console       no Calculated Target Position stored\n';
    return head + targetingText(e) + console;
  }).join('\n');
}
