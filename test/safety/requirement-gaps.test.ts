// Tests for requirements the traceability work found with no test of their own. They sit here,
// apart from the domain suites other work is editing, and belong with the simulation tests when
// those settle (the coordinator moves them). Independent of src/: the expected values are written
// out from the spec's formulas.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/index.js';

const Z = 1.959964; // simulation.md section 4
/** Wilson score interval written out from its definition (not the engine's code). */
function wilson(count: number, of: number): [number, number] {
  const p = count / of;
  const a = p + (Z * Z) / (2 * of);
  const b = Z * Math.sqrt((p * (1 - p)) / of + (Z * Z) / (4 * of * of));
  const d = 1 + (Z * Z) / of;
  return [(a - b) / d, (a + b) / d];
}

// Every trial refused: the lesion sits 3 mm above the support and the 9G probe's post-fire tip
// would be 3 - 20/2 - 7 = -14 mm, under the stroke margin of 0 (simulation.md section 2, step 4).
const ALL_REFUSED = {
  id: 'all-refused', seed: 11, trials: 2000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: 30 },
  lesion: { x: 0, y: 30, zFraction: 0.1 },
  needle: { device: 'vacuum-9g-20' },
};

describe('[SIM-016] proportions of the summary', () => {
  it('when every trial is refused, hit and strokeFailure are over no trials: probability and ci95 are null', async () => {
    const s = (await simulate(ALL_REFUSED, { workers: 0 })) as unknown as Record<string, { count: number; of: number; probability: number | null; ci95: [number, number] | null }>;
    expect(s.refused).toMatchObject({ count: 2000, of: 2000, probability: 1 });
    expect(s.hit).toEqual({ count: 0, of: 0, probability: null, ci95: null });
    expect(s.strokeFailure).toEqual({ count: 0, of: 0, probability: null, ci95: null });
    // p = 1: the interval's upper end is exactly 1 and its lower end Wilson's n / (n + z^2).
    expect(s.refused.ci95![1]).toBe(1);
    expect(s.refused.ci95![0]).toBeCloseTo(2000 / (2000 + Z * Z), 12);
    expect(s.refused.ci95![0]).toBeCloseTo(wilson(2000, 2000)[0], 12);
  });

  it('with no needle, no refusal, hit or stroke statistics at all', async () => {
    const { needle: _needle, ...targetingOnly } = ALL_REFUSED;
    const s = (await simulate({ ...targetingOnly, trials: 100 }, { workers: 0 })) as unknown as Record<string, unknown>;
    for (const k of ['refused', 'hit', 'strokeFailure', 'placementError']) expect(s[k]).toBeUndefined();
    expect(s.targetingError).toBeDefined();
  });
});
