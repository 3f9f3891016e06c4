// The lateral approach in the simulation: the needle travels along x at the estimate's height;
// refusals by support/paddle clearance and the two skins, deflection across the needle (y, z)
// growing from the entry skin, the hit by the distance to an aperture along x, stroke failures
// from the actual needle. Against a plain-JS Monte Carlo (its own generator and model code);
// the same to the bit across workers, shards and kernels; every new field validated.
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../../src/simulate/scenario.js';
import { mergeParts, simulate, simulatePart } from '../../src/simulate/run.js';
import type { Summary } from '../../src/simulate/summary.js';
import Ajv2020 from 'ajv/dist/2020.js';
import { publishedSchema } from '../../src/schemas/index.js';
import { normalSource, proportionsAgree, rng } from './reference-mc.js';

const N = 200_000;
const NEAR = 25, FAR = -30, MIN_CLEAR = 1, DEFLECT = 0.02, READ_SIGMA = 2;
const scenario = (over: Record<string, unknown> = {}) => ({
  seed: 77, trials: N,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] }, thicknessReadout: { sigma: READ_SIGMA } },
  lesion: { x: { uniform: [-20, 20] }, y: { uniform: [10, 50] }, zFraction: { uniform: [0.03, 0.97] }, radius: 1 },
  needle: {
    approach: 'lateral', device: 'vacuum-9g-20', lateral: { side: '+x', nearSkinX: NEAR, farSkinX: FAR }, minClearance: MIN_CLEAR,
    deviation: { sigma: [0.6, 0.6, 0.6] }, deflection: DEFLECT, samplingRadius: 0.5, ...over,
  },
  tissue: { displacement: { sigma: [1, 1, 1] } },
});

/**
 * The reference: no marking noise, so the console's estimate is the lesion centre; device
 * vacuum-9g-20 (aperture 20 mm, tip 7 mm, outer diameter 3.76 mm), entering from +x.
 */
function reference(seed: number) {
  const u = rng(seed), n = normalSource(u);
  const half = 10, tip = 7, r = 1.88;
  let refused = 0, placed = 0, hit = 0, stroke = 0;
  const sum = [0, 0, 0], sq = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const T = 30 + 30 * u();
    const x = -20 + 40 * u(), y = 10 + 40 * u(), z = (0.03 + 0.94 * u()) * T;
    const Tread = T + READ_SIGMA * n();
    // Travelling toward -x: the aperture's proximal edge is at x + half, the fired tip at x - half - tip.
    if (z - r < MIN_CLEAR || Tread - z - r < MIN_CLEAR || x + half > NEAR || x - half - tip - FAR < 0) { refused++; continue; }
    const depth = NEAR - x;
    const A = [x + 0.6 * n(), y + 0.6 * n() + DEFLECT * depth * n(), z + 0.6 * n() + DEFLECT * depth * n()];
    const L = [x + n(), y + n(), z + n()];
    const e = A.map((a, k) => a - L[k]);
    placed++;
    e.forEach((v, k) => { sum[k] += v; sq[k] += v * v; });
    const along = Math.max(Math.abs(e[0]) - half, 0);
    if (Math.hypot(e[1], e[2], along) <= 1 + 0.5) hit++;
    if (A[2] - r < 0 || A[2] + r > T || A[0] - half - tip < FAR) stroke++;
  }
  return { refused: refused / N, placed, hit: hit / placed, stroke: stroke / placed, sd: sum.map((s, k) => Math.sqrt(sq[k] / placed - (s / placed) ** 2)) };
}

describe('the lateral approach against a plain-JS Monte Carlo', async () => {
  const s = (await simulate({ ...scenario(), marking: { sigma: 0 } }, { workers: 0 })) as Summary;
  const ref = reference(101);

  test('refusals (support, paddle, entry and far skin), hits and stroke failures within 5 standard errors', () => {
    expect(proportionsAgree(s.refused!.probability!, N, ref.refused, N), `refused ${s.refused!.probability} vs ${ref.refused}`).toBe(true);
    expect(proportionsAgree(s.hit!.probability!, s.hit!.of, ref.hit, ref.placed), `hit ${s.hit!.probability} vs ${ref.hit}`).toBe(true);
    expect(proportionsAgree(s.strokeFailure!.probability!, s.strokeFailure!.of, ref.stroke, ref.placed), `stroke ${s.strokeFailure!.probability} vs ${ref.stroke}`).toBe(true);
    // Each cause matters: these fractions are far from 0 and 1.
    expect(ref.refused).toBeGreaterThan(0.3);
    expect(ref.hit).toBeGreaterThan(0.2);
    expect(ref.hit).toBeLessThan(0.8);
    expect(ref.stroke).toBeGreaterThan(0.005);
  });

  test('placement SD per axis: along the needle the deviation and displacement, across them plus the deflection', () => {
    (['x', 'y', 'z'] as const).forEach((axis, k) => {
      const se = ref.sd[k] / Math.sqrt(2 * ref.placed);
      expect(Math.abs(s.placementError![axis].sd! - ref.sd[k]), `${axis}: ${s.placementError![axis].sd} vs ${ref.sd[k]}`).toBeLessThan(5 * se + 0.002 * ref.sd[k]);
    });
    expect(ref.sd[1]).toBeGreaterThan(ref.sd[0] + 0.1);
  });

  test('the comparison can fail: the vertical approach of the same scenario gives other figures', async () => {
    const v = scenario();
    const { approach, lateral, minClearance, ...vertical } = v.needle;
    void approach; void lateral; void minClearance;
    const sv = (await simulate({ ...v, marking: { sigma: 0 }, needle: { ...vertical, minStrokeMargin: -50 } }, { workers: 0 })) as Summary;
    expect(proportionsAgree(sv.hit!.probability!, sv.hit!.of, ref.hit, ref.placed)).toBe(false);
  });
});

describe('the lateral approach is deterministic', () => {
  test('0 and 2 workers, SIMD and scalar, 3 shards merged: the same summary to the bit', async () => {
    const sc = { ...scenario(), trials: 20000, marking: { sigma: 0.1 } };
    const strip = (x: Summary) => ({ ...x, manifest: { ...x.manifest, elapsedSeconds: 0, trialsPerSecond: 0, workers: 0, kernel: '', shards: 0 } });
    const a = strip((await simulate(sc, { workers: 0, kernel: 'simd' })) as Summary);
    expect(strip((await simulate(sc, { workers: 2, kernel: 'scalar' })) as Summary)).toEqual(a);
    const parts = [];
    for (let k = 1; k <= 3; k++) parts.push(JSON.parse(JSON.stringify(await simulatePart(sc, { index: k, count: 3 }, { workers: 0 }))));
    expect(strip((await mergeParts(parts)) as Summary)).toEqual(a);
  }, 60_000);

  test('a vertical scenario keeps its canonical form: no lateral field, no outer diameter', () => {
    const v = parseScenario({ ...scenario(), needle: { device: 'vacuum-9g-20' } });
    expect(v.needle!.lateral).toBeUndefined();
    expect(Object.keys(v.needle!.device).sort()).toEqual(['apertureLength', 'id', 'throw', 'tipLength']);
    const l = parseScenario(scenario());
    expect(l.needle!.lateral).toEqual({ side: '+x', nearSkinX: NEAR, farSkinX: FAR, minClearance: MIN_CLEAR, outerRadius: 1.88 });
  });
});

describe('validation of the lateral fields', () => {
  const fails = (needle: Record<string, unknown>, path: string) => {
    expect(() => parseScenario({ ...scenario(), needle })).toThrow(expect.objectContaining({ path }));
  };
  const n = scenario().needle;
  test('each field named', () => {
    fails({ ...n, lateral: undefined }, 'needle.lateral');
    fails({ ...n, approach: 'oblique' }, 'needle.approach');
    fails({ ...n, lateral: { side: 'x' } }, 'needle.lateral.side');
    fails({ ...n, lateral: { side: '+x', nearSkinX: 25, farSkinX: 40 } }, 'needle.lateral.farSkinX');
    fails({ ...n, lateral: { side: '+x', farSkinX: -30 } }, 'needle.lateral.nearSkinX');
    fails({ ...n, minClearance: -1 }, 'needle.minClearance');
    fails({ ...n, device: { throw: 0, apertureLength: 20, tipLength: 7 } }, 'needle.device.outerDiameter');
    const { approach, ...vertical } = n;
    void approach;
    fails(vertical, 'needle.lateral');
    fails({ device: 'vacuum-9g-20', minClearance: 1 }, 'needle.minClearance');
  });

  test('the scenario schema takes the lateral fields, and refuses a lateral setup without the approach', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
    const ok = ajv.compile(publishedSchema('simulation-scenario'));
    expect(ok(scenario()), ajv.errorsText(ok.errors)).toBe(true);
    const { approach, ...vertical } = n;
    void approach;
    expect(ok({ ...scenario(), needle: vertical })).toBe(false);
  });

  test('an inline device with a gauge takes its table diameter; without deflection the entry skin may be absent', () => {
    const s = parseScenario({ ...scenario(), needle: { ...n, deflection: 0, lateral: { side: '-x' }, device: { throw: 0, apertureLength: 20, tipLength: 7, gauge: 9 } } });
    expect(s.needle!.lateral).toMatchObject({ side: '-x', outerRadius: 1.88 });
  });
});
