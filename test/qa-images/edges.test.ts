/** Beads next to and on straight edges (the phantom's border, a collimator blade), and bright corners that are not beads. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/qa-images/decode.js';
import { detectBeads } from '../../src/qa-images/detect.js';
import { qaFromImages } from '../../src/qa-images/result.js';
import { writeNative } from './dicom-image.js';
import { renderSet } from './scene.js';

describe('edges', () => {
  for (const [angle, step] of [[0, -300], [0, 600], [23, 400], [-61, -500]] as [number, number][]) {
    it(`an edge at ${angle} degrees (step ${step}) through a bead: still within 0.03 mm, no false detection`, async () => {
      const base = renderSet({ pose: { turn: 131, tilt: 8, tiltAxis: 60, translation: [4, -3, 3] } });
      // The edge passes through bead C's projection on the -15 view.
      const c = base.views[1].marks[2];
      const a = (angle * Math.PI) / 180;
      const edgeCol = c.col + 0.3 + Math.tan(a) * (c.row - base.style.rows / 2);
      const set = renderSet({ pose: { turn: 131, tilt: 8, tiltAxis: 60, translation: [4, -3, 3] }, style: { edgeCol, edgeStep: step, edgeAngle: angle } });
      const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom });
      expect(r.beads.map((b) => b.target)).toEqual(set.phantom.targets.map((t) => t.label));
      for (const b of r.beads) {
        const k = set.phantom.targets.findIndex((t) => t.label === b.target);
        b.marks.forEach((m, v) => {
          const t = set.views[v].marks[k];
          expect(Math.hypot(m.u - t.u, m.v - t.v)).toBeLessThan(0.03);
        });
      }
      expect(r.findings).toEqual([]);
    });
  }

  it('a bright and a dark rectangle (corners, sides, an oblique edge) and no beads: nothing detected', async () => {
    const set = renderSet({ phantom: { ...renderSet().phantom, targets: [] }, style: { edgeCol: 450, edgeStep: 700, edgeAngle: 10, noise: 8 } });
    const { columns: W } = set.style;
    const px = set.views[0].pixels.slice();
    for (let r = 150; r < 450; r++) for (let c = 200; c < 380; c++) px[r * W + c] += 600;
    for (let r = 500; r < 700; r++) for (let c = 600; c < 800; c++) px[r * W + c] -= 400;
    const bytes = writeNative(set.style, set.headers[0], px);
    const img = await decodeImage({ name: 'rect.dcm', bytes }, 0, undefined);
    const { detections } = detectBeads(img.image, { beadRadius: 5.4 });
    expect(detections).toEqual([]);
  });
});
