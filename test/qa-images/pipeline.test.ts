import { describe, expect, it } from 'vitest';
import { qaFromImages } from '../../src/qa-images/result.js';
import { poseMatrix, type P3 } from './forward.js';
import { renderSet } from './scene.js';

const dist = (a: { x: number; y: number; z: number }, b: P3) => Math.hypot(a.x - b[0], a.y - b[1], a.z - b[2]);

describe('qa images: the whole pipeline on forward-model sets', () => {
  it('[QAI-006] [QAI-007] labels, locates and registers a turned and tilted phantom; marks within 0.03 mm', async () => {
    const set = renderSet({ pose: { turn: 131, tilt: 8, tiltAxis: 60, translation: [4, -3, 3] }, style: { edgeCol: 200, edgeStep: -300 } });
    const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom });
    expect(r.beads.map((b) => b.target)).toEqual(set.phantom.targets.map((t) => t.label));
    for (const b of r.beads) {
      const k = set.phantom.targets.findIndex((t) => t.label === b.target);
      expect(b.marks).toHaveLength(2);
      b.marks.forEach((m, v) => {
        const t = set.views[v].marks[k];
        expect(Math.hypot(m.u - t.u, m.v - t.v)).toBeLessThan(0.03);
        expect(Math.hypot(m.col - t.col, m.row - t.row) * 0.1).toBeLessThan(0.03);
      });
      expect(dist(b.position, set.centres[k])).toBeLessThan(0.15);
      expect(dist(b.truth!, set.centres[k])).toBeLessThan(0.1);
    }
    const R = poseMatrix(set.pose);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(r.registration!.rotation[i][j] - R[i][j])).toBeLessThan(2e-3);
    r.registration!.translation.forEach((t, i) => expect(Math.abs(t - set.pose.translation[i])).toBeLessThan(0.1));
    expect(r.registration!.rms).toBeLessThan(0.1);
    expect(r.findings).toEqual([]);
    expect(r.qa!.passed).toBe(true);
    expect(r.calibration).toBeNull();
  });
});
