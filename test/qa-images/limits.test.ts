/** The limits at their boundaries: a residual exactly at the tolerance passes; 6 beads calibrate, 5 do not; the coplanarity spread. */
import { describe, expect, it } from 'vitest';
import { calibrate, COPLANAR_SPREAD, MIN_CALIBRATION_BEADS } from '../../src/qa-images/calibrate.js';
import { residualFindings, type ImageBead } from '../../src/qa-images/result.js';
import { sourceAt, type P3 } from './forward.js';
import { UNIT } from './scene.js';

const bead = (r: { x: number; y: number; z: number }): ImageBead => ({ target: 'A', marks: [], position: { x: 0, y: 0, z: 0 }, truth: { x: 0, y: 0, z: 0 }, residual: r });

describe('limits', () => {
  it('[QAI-011] registration_residual: |residual| > tolerance, per axis; exactly at it passes', () => {
    const tol = { x: 0.5, y: 1, z: 0.25 };
    expect(residualFindings([bead({ x: 0.5, y: -1, z: 0.25 })], tol)).toEqual([]);
    const f = residualFindings([bead({ x: -0.5000001, y: 1, z: 0.2500001 })], tol);
    expect(f.map((x) => x.path)).toEqual(['beads[0].residual.x', 'beads[0].residual.z']);
    expect(f[0]).toMatchObject({ severity: 'error', value: 0.5000001, limit: 0.5 });
  });

  // Marks projected by the test's own model from the true sources (angles 0, 15, -15).
  const angles = [0, 15, -15];
  const mis = { angle: [0.1, -0.2, 0.05], sourceToSupport: 1.5, rotationAxisHeight: -1 };
  function problem(beads: P3[]) {
    const zd = -(UNIT.sourceToDetector - UNIT.sourceToSupport);
    const marks = beads.flatMap((b, i) => angles.map((a, k) => {
      const S = sourceAt(UNIT, mis, a + mis.angle[k]);
      const t = (zd - S[2]) / (b[2] - S[2]);
      return { view: k, bead: i, u: S[0] + t * (b[0] - S[0]), v: S[1] + t * (b[1] - S[1]) };
    }));
    return { model: { sourceToSupport: UNIT.sourceToSupport, rotationAxisHeight: UNIT.rotationAxisHeight, detectorZ: zd }, angles, beads, phantomPositions: beads, marks };
  }
  const hexagon = (dz: number): P3[] => Array.from({ length: 6 }, (_, k) => [20 * Math.cos((k * Math.PI) / 3), 20 * Math.sin((k * Math.PI) / 3), 20 + (k % 2 ? dz : -dz)]);

  it(`${MIN_CALIBRATION_BEADS} beads calibrate (noise-free marks: the offsets recovered); one fewer is underdetermined`, () => {
    const six = hexagon(8);
    const ok = calibrate(problem(six));
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      ok.calibration.angle.forEach((a, k) => expect(a.estimate).toBeCloseTo(mis.angle[k], 3));
      expect(ok.calibration.sourceToSupport.estimate).toBeCloseTo(mis.sourceToSupport, 2);
      expect(ok.calibration.rotationAxisHeight.estimate).toBeCloseTo(mis.rotationAxisHeight, 1);
      expect(ok.calibration.reprojectionRms.after).toBeLessThan(1e-5);
    }
    const five = calibrate(problem(six.slice(0, 5)));
    expect(five.ok).toBe(false);
    if (!five.ok) expect(five.reason).toMatch(/5 beads .* at least 6/);
  });

  it(`beads within ${COPLANAR_SPREAD} mm rms of one plane are underdetermined; just beyond, not`, () => {
    expect(calibrate(problem(hexagon(COPLANAR_SPREAD - 0.01))).ok).toBe(false);
    expect(calibrate(problem(hexagon(COPLANAR_SPREAD + 0.01))).ok).toBe(true);
  });
});
