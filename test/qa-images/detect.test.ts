import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/qa-images/decode.js';
import { detectBeads } from '../../src/qa-images/detect.js';
import { renderSet } from './scene.js';

describe('bead detection on forward-model images', () => {
  it('[QAI-004] finds every bead within 0.03 mm of the true projection, no false ones, despite gradient and edge', async () => {
    const set = renderSet({ style: { edgeCol: 300, edgeStep: 500 }, pose: { turn: 37, tilt: 6, tiltAxis: 20, translation: [3, -2, 3] } });
    for (const [k, f] of set.files.entries()) {
      const img = await decodeImage(f, k, undefined);
      const rp = (0.5 * 1.08) / 0.1;
      const { detections } = detectBeads(img.image, { beadRadius: rp });
      const truth = set.views[k].marks;
      expect(detections.length).toBe(truth.length);
      for (const t of truth) {
        const d = detections.reduce((a, b) => (Math.hypot(b.col - t.col, b.row - t.row) < Math.hypot(a.col - t.col, a.row - t.row) ? b : a));
        const err = Math.hypot(d.col - t.col, d.row - t.row) * 0.1;
        expect(err).toBeLessThan(0.03);
      }
    }
  });
});
