/**
 * The 0.03 mm mark accuracy of qa-images.md section 3.1 at its bounds: beads of 0.5 to
 * 2 mm, pixels of 0.05 to 0.1 mm, a peak bead contrast of exactly 10 noise sigmas, a
 * background gradient, the phantom turned and tilted to 9 degrees.
 */
import { describe, expect, it } from 'vitest';
import { qaFromImages } from '../../src/qa-images/result.js';
import { PHANTOM, renderSet } from './scene.js';

describe('[QAI-004] mark accuracy at the bounds of the contract', () => {
  const cases: [number, number, number][] = [[0.5, 0.1, 1], [0.5, 0.1, 7], [0.5, 0.05, 3], [1, 0.1, 8], [2, 0.05, 4], [2, 0.1, 5]];
  for (const [d, sp, seed] of cases) {
    it(`bead ${d} mm, pixel ${sp} mm, contrast 10 sigma (seed ${seed})`, async () => {
      const phantom = { ...PHANTOM, beads: { diameter: d } };
      const mu = 2, noise = 10;
      const peak = 1 - Math.exp(-mu * d); // the centre ray's attenuation, as a fraction of full contrast
      const set = renderSet({
        phantom, seed,
        style: { columns: Math.round(90 / sp), rows: Math.round(80 / sp), spacing: [sp, sp], noise, contrast: (10 * noise) / peak, mu, bitsStored: 14, background: 3000, gradient: [0.5 * sp, 0.3 * sp] },
        pose: { turn: 33 * seed, tilt: 9, tiltAxis: 30, translation: [2, -1, 2] },
      });
      const r = await qaFromImages(set.files, { unit: set.profile, phantom });
      expect(r.beads).toHaveLength(9);
      let worst = 0;
      for (const b of r.beads) {
        const k = set.phantom.targets.findIndex((t) => t.label === b.target);
        b.marks.forEach((m, v) => {
          const t = set.views[v].marks[k];
          worst = Math.max(worst, Math.hypot(m.u - t.u, m.v - t.v));
          // The pixel mark and the mm mark are the same point through the profile.
          expect(Math.hypot((m.col - t.col) * sp, (m.row - t.row) * sp)).toBeCloseTo(Math.hypot(m.u - t.u, m.v - t.v), 9);
        });
      }
      expect(worst).toBeLessThan(0.03);
      expect(r.findings).toEqual([]);
    });
  }
});
