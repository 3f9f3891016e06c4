import { describe, expect, it } from 'vitest';
import { qaFromImages } from '../../src/qa-images/result.js';
import { simulate } from '../../src/simulate/run.js';
import { sourceAt, type P3 } from './forward.js';
import { PHANTOM, UNIT, renderSet } from './scene.js';

function within(est: { estimate: number; sigma: number }, truth: number, k = 3) {
  expect(Number.isFinite(est.estimate) && Number.isFinite(est.sigma)).toBe(true);
  expect(Math.abs(est.estimate - truth)).toBeLessThanOrEqual(k * est.sigma + 1e-6);
}

/** The source positions a calibration implies, by the forward model's own formula. */
function impliedSources(angles: number[], c: { scenario: { angle: number[]; sourceToSupport: number; rotationAxisHeight: number } }): P3[] {
  return angles.map((a, k) => sourceAt(UNIT, c.scenario, a + c.scenario.angle[k]));
}

describe('[QAI-009] calibration: known miscalibrations recovered within the reported uncertainty', () => {
  const cases = [
    { angles: [0, 15, -15], mis: { angle: [0.3, -0.2, 0.15], sourceToSupport: 3, rotationAxisHeight: -2 }, seed: 11 },
    { angles: [0, 15], mis: { angle: [-0.25, 0.4], sourceToSupport: -4, rotationAxisHeight: 3 }, seed: 12 },
    { angles: [15, -15], mis: { angle: [0.5, 0.1], sourceToSupport: 2, rotationAxisHeight: 0 }, seed: 13 },
    { angles: [0, 15, -15], mis: { angle: [0, 0, 0], sourceToSupport: 0, rotationAxisHeight: 0 }, seed: 14 },
  ];
  for (const cs of cases) {
    it(`angles ${cs.angles.join('/')}, offsets ${JSON.stringify(cs.mis)}`, async () => {
      const set = renderSet({ angles: cs.angles, mis: cs.mis, seed: cs.seed, pose: { turn: 23 * cs.seed, tilt: 4, tiltAxis: 7 * cs.seed, translation: [1, -2, 2] } });
      const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom, calibrate: true });
      const c = r.calibration!;
      expect(c).not.toBeNull();
      c.angle.forEach((a, k) => within(a, cs.mis.angle[k]));
      within(c.sourceToSupport, cs.mis.sourceToSupport);
      within(c.rotationAxisHeight, cs.mis.rotationAxisHeight);
      expect(c.reprojectionRms.after).toBeLessThan(0.01);
      expect(c.reprojectionRms.after).toBeLessThanOrEqual(c.reprojectionRms.before);
      expect(c.scenario).toEqual({ angle: c.angle.map((a) => a.estimate), sourceToSupport: c.sourceToSupport.estimate, rotationAxisHeight: c.rotationAxisHeight.estimate });
      // One copy away from a research scenario: stereotax simulate accepts it as unit.miscalibration.
      const sim = await simulate({ id: 'from-phantom', seed: 1, trials: 2000, unit: { geometry: UNIT, angles: cs.angles, miscalibration: c.scenario },
        breast: { thickness: 45 }, lesion: { x: 0, y: 20, zFraction: 0.5, radius: 2.5 } }, { workers: 1 });
      expect(Number.isFinite((sim as { targetingError: { r: { mean: number } } }).targetingError.r.mean)).toBe(true);
      // What the marks determine: where the sources were. Every view's implied source within 0.5 mm of the true one.
      const truth = cs.angles.map((a, k) => sourceAt(UNIT, cs.mis, a + cs.mis.angle[k]));
      impliedSources(cs.angles, c).forEach((s, k) => expect(Math.hypot(s[0] - truth[k][0], s[1] - truth[k][1], s[2] - truth[k][2])).toBeLessThan(0.5));
      const symmetric = cs.angles.length === 2 && cs.angles[0] === -cs.angles[1];
      expect(r.findings.some((f) => f.code === 'calibration_degenerate')).toBe(symmetric);
      if (cs.angles.length === 3) {
        // Three views determine every parameter: the uncertainties are bounded.
        expect(c.rotationAxisHeight.sigma).toBeLessThan(50);
        expect(c.sourceToSupport.sigma).toBeLessThan(2);
      }
      if (cs.mis.sourceToSupport === 0 && cs.mis.angle.every((a) => a === 0)) expect(c.reprojectionRms.before).toBeLessThan(0.01);
      else expect(c.reprojectionRms.before).toBeGreaterThan(0.02);
    });
  }

  it('[QAI-011] fewer than 6 beads, or beads in one plane: calibration_underdetermined', async () => {
    const five = { ...PHANTOM, targets: PHANTOM.targets.slice(0, 5) };
    const r5 = await qaFromImages(renderSet({ phantom: five, angles: [0, 15, -15] }).files, { unit: renderSet().profile, phantom: five, calibrate: true });
    expect(r5.calibration).toBeNull();
    expect(r5.findings.filter((f) => f.code === 'calibration_underdetermined')).toHaveLength(1);
    const flat = { ...PHANTOM, targets: PHANTOM.targets.map((t) => ({ ...t, position: [t.position[0], t.position[1], 10] as P3 })) };
    const rf = await qaFromImages(renderSet({ phantom: flat, angles: [0, 15, -15] }).files, { unit: renderSet().profile, phantom: flat, calibrate: true });
    expect(rf.calibration).toBeNull();
    expect(rf.findings.find((f) => f.code === 'calibration_underdetermined')!.message).toMatch(/one plane/);
    expect(rf.qa!.passed).toBe(true);
  });
});
