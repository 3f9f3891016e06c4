// Exact moments for degenerate inputs: the sums are of shifted quantities (shift = trial 0's
// value), so a constant error has an SD of exactly 0 and its mean and RMS equal it.
import { describe, expect, test } from 'vitest';
import { simulate } from '../../src/simulate/run.js';
import { exactScaled, moments, type Summary } from '../../src/simulate/summary.js';

const CONSTANT = {
  seed: 5, trials: 50000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15], miscalibration: { angle: [0.5, 0] } },
  breast: { thickness: 45 },
  lesion: { x: 5, y: 30, zFraction: 0.5, radius: 2 },
  needle: { device: 'vacuum-9g-20' },
};

describe('a constant error', () => {
  test('SD exactly 0, RMS = |mean| on each axis (a 0.5 deg miscalibration, no noise)', async () => {
    const s = (await simulate(CONSTANT, { workers: 0 })) as Summary;
    for (const group of [s.targetingError, s.classicError!, s.placementError!]) {
      for (const axis of ['x', 'y', 'z'] as const) {
        expect(group[axis].sd).toBe(0);
        // RMS = sqrt(mean^2) to the rounding of one square root.
        expect(Math.abs(group[axis].rms! - Math.abs(group[axis].mean!))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(group[axis].mean!));
      }
      expect(group.r.sd).toBe(0);
      expect(group.r.mean).toBe(group.r.max);
    }
    // The miscalibration moves the estimate by a fraction of a millimetre, not by nothing.
    expect(s.targetingError.r.mean).toBeGreaterThan(0.05);
  });
});

describe('moments from shifted sums', () => {
  test('two values a and b, n each: mean (a+b)/2, SD |a-b|/2, RMS sqrt((a^2+b^2)/2), for any shift', () => {
    const a = 1.1, b = 1.3, n = 1000;
    for (const k of [0, a, b, -7.25, 1e3]) {
      // S1 = n(a-k) + n(b-k), S2 = n(a-k)^2 + n(b-k)^2, formed exactly from the doubles (a-k), (b-k).
      const da = exactScaled(a - k), db = exactScaled(b - k);
      const s1 = BigInt(n) * (da + db);
      const s2 = (BigInt(n) * (da * da + db * db)) >> 1074n;
      const m = moments(s1, s2, k, 2 * n);
      expect(m.mean).toBeCloseTo((a + b) / 2, 13);
      expect(m.sd).toBeCloseTo(Math.abs(a - b) / 2, 12);
      expect(m.rms).toBeCloseTo(Math.sqrt((a * a + b * b) / 2), 12);
    }
  });
});
