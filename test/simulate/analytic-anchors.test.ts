// Analytic anchors of the simulation (domain-facts.md, "Simulation anchors"): marking
// error against the engine's own linear propagation, angle miscalibration biases, the
// parallel-beam formula's over-read, the hit probability of a point-like aperture, and
// Deurloo 2001's needle and tissue components with their root-sum-square total.
import { describe, expect, test } from 'vitest';
import { target } from '../../src/targeting/targeting.js';
import { simulate } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';

const GEOMETRY = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const THICKNESS = 60;

/** A scenario with the lesion fixed at (0, 30, z). */
function at(z: number, extra: Record<string, unknown> = {}, angles = [15, -15]): Record<string, unknown> {
  return {
    seed: 42, trials: 65536,
    unit: { geometry: GEOMETRY, angles, ...((extra.unit as object) ?? {}) },
    breast: { thickness: THICKNESS },
    lesion: { x: 0, y: 30, zFraction: z / THICKNESS, ...((extra.lesion as object) ?? {}) },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'unit' && k !== 'lesion')),
  };
}

async function run(s: Record<string, unknown>): Promise<Summary> {
  return (await simulate(s, { workers: 0 })) as Summary;
}

/** Where the point projects on the detector from the nominal source at `angle` (test-side geometry). */
function mark(angle: number, p: [number, number, number]): { angle: number; u: number; v: number } {
  const R = GEOMETRY.sourceToSupport - GEOMETRY.rotationAxisHeight;
  const a = (angle * Math.PI) / 180;
  const S = [R * Math.sin(a), 0, GEOMETRY.rotationAxisHeight + R * Math.cos(a)];
  const dz = GEOMETRY.sourceToSupport - GEOMETRY.sourceToDetector;
  const t = (dz - S[2]) / (p[2] - S[2]);
  return { angle, u: S[0] + t * (p[0] - S[0]), v: t * p[1] };
}

describe('marking error alone: each axis SD equals the linear propagation of target()', () => {
  test.each([[[15, -15]], [[0, 15]]])('angles %j at z = 25 mm', async (angles) => {
    const sigma = 0.1;
    const s = await run({ ...at(25, { marking: { sigma } }, angles), trials: 262144 });
    const t = await target({ geometry: GEOMETRY, thickness: THICKNESS, views: angles.map((a) => mark(a, [0, 30, 25])), imageSigma: sigma });
    const n = s.trials;
    for (const axis of ['x', 'y', 'z'] as const) {
      const expected = t.uncertainty!.sigma[axis];
      // SE of a normal sample's SD: sd / sqrt(2n).
      expect(Math.abs(s.targetingError[axis].sd! - expected)).toBeLessThan((5 * expected) / Math.sqrt(2 * n));
      expect(Math.abs(s.targetingError[axis].mean!)).toBeLessThan((5 * expected) / Math.sqrt(n));
    }
    // The z row of the Jacobian: the anchors quoted for this unit at z = 25 mm.
    const jz = t.uncertainty!.jacobian[2];
    if (angles[0] === 15) expect(jz[0]).toBeCloseTo(-1.61, 2);
    else expect(jz[0]).toBeCloseTo(3.23, 2);
  });
});

describe('[SIM-004] angle miscalibration (no marking error: every trial gives the same error)', () => {
  test.each([[10, 1.0], [25, 1.47], [40, 1.91]])('a +1 degree spread (+0.5/-0.5) biases z by about +1.47 mm at 25 mm: z = %d -> %d', async (z, bias) => {
    const s = await run({ ...at(z, { unit: { miscalibration: { angle: [0.5, -0.5] } } }), trials: 1000 });
    expect(s.targetingError.z.mean).toBeCloseTo(bias, 2);
    expect(s.targetingError.z.sd).toBeLessThan(1e-6);
  });
  test.each([[10, -0.28], [25, -0.42], [40, -0.57]])('both views +0.5 degree shift x: z = %d -> %d mm', async (z, shift) => {
    const s = await run({ ...at(z, { unit: { miscalibration: { angle: [0.5, 0.5] } } }), trials: 1000 });
    expect(s.targetingError.x.mean).toBeCloseTo(shift, 2);
    expect(Math.abs(s.targetingError.z.mean!)).toBeLessThan(0.05);
  });
});

describe('the textbook parallel-beam formula against the exact geometry', () => {
  test.each([[10, 1.48], [30, 4.26], [50, 8.63]])('over-reads z at %d mm by %d mm (SID 660, 20 mm gap, axis in the detector plane)', async (z, over) => {
    const s = await run({ ...at(z), trials: 1000 });
    expect(s.classicError!.z.mean).toBeCloseTo(over, 2);
    expect(Math.abs(s.targetingError.z.mean!)).toBeLessThan(1e-9);
  });
});

describe('[SIM-005] hit probability of a point-like aperture with isotropic needle deviation', () => {
  const analytic = (R: number, sigma: number) => {
    const x = R / (sigma * Math.SQRT2);
    // erf by its Maclaurin series (converges fast for x <= 3).
    let term = x, erf = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      erf += term / (2 * n + 1);
    }
    erf *= 2 / Math.sqrt(Math.PI);
    return erf - Math.sqrt(2 / Math.PI) * (R / sigma) * Math.exp(-(R * R) / (2 * sigma * sigma));
  };
  test('the analytic value is 0.7385 at R = 2 sigma', () => {
    expect(analytic(2, 1)).toBeCloseTo(0.7385, 4);
  });
  test.each([[0.5], [1], [2], [3]])('R = %d sigma', async (R) => {
    const sigma = 1.2;
    const s = await run({
      ...at(25, { lesion: { radius: R * sigma } }), trials: 262144,
      needle: { device: { throw: 0, apertureLength: 0.001, tipLength: 0 }, deviation: { sigma: [sigma, sigma, sigma] } },
    });
    const p = analytic(R * sigma, sigma);
    expect(s.refused!.count).toBe(0);
    const se = Math.sqrt((p * (1 - p)) / s.hit!.of);
    expect(Math.abs(s.hit!.probability! - p)).toBeLessThan(5 * se + 2e-4);
    expect(s.hit!.ci95![0]).toBeLessThan(p + 2e-4);
    expect(s.hit!.ci95![1]).toBeGreaterThan(p - 2e-4);
  });
});

describe('Deurloo et al. 2001: needle 1.1 mm and tissue 2.1 mm (mean 3-D distances), total 2.4 mm', () => {
  // Isotropic Gaussian per axis sigma: mean 3-D distance 2 sigma sqrt(2/pi).
  const perAxis = (meanDistance: number) => meanDistance / (2 * Math.sqrt(2 / Math.PI));
  const needle = (dev: number, dis: number) => ({
    ...at(25), trials: 131072,
    needle: { device: 'vacuum-9g-20', deviation: { sigma: [dev, dev, dev] }, minStrokeMargin: -50 },
    tissue: { displacement: { sigma: [dis, dis, dis] } },
    breast: { thickness: 60 },
  });
  test.each([
    ['needle alone', perAxis(1.1), 0, 1.1],
    ['tissue alone', 0, perAxis(2.1), 2.1],
    ['both: the root sum of squares', perAxis(1.1), perAxis(2.1), Math.hypot(1.1, 2.1)],
  ])('%s', async (_, dev, dis, mean) => {
    const s = await run(needle(dev, dis));
    const r = s.placementError!.r;
    expect(Math.abs(r.mean! - mean)).toBeLessThan((5 * r.sd!) / Math.sqrt(s.hit!.of));
  });
  test('the total rounds to 2.4 mm', () => {
    expect(Math.hypot(1.1, 2.1).toFixed(1)).toBe('2.4');
  });
});
