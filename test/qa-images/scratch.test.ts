import { it } from 'vitest';
import { qaFromImages } from '../../src/qa-images/result.js';
import { renderSet } from './scene.js';
it('scratch', async () => {
  for (const edge of [undefined, 650]) {
    const set = renderSet({ pose: { turn: 131, tilt: 8, tiltAxis: 60, translation: [4, -3, 3] }, style: edge ? { edgeCol: edge, edgeStep: -300 } : {} });
    const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom });
    for (const b of r.beads) {
      const k = set.phantom.targets.findIndex((t) => t.label === b.target);
      console.log(b.target, b.marks.map((m, v) => { const t = set.views[v].marks[k]; return `${(Math.hypot(m.u - t.u, m.v - t.v)).toFixed(4)} col ${t.col.toFixed(1)}`; }).join(' | '));
    }
  }
});
