// Margins within the documented limits finish in bounded work (issue 20, item 7): the
// pruning of patch searches (src/margins/patch-prune.ts) is rigorous, changes no result,
// and bounds the number of full patch searches on the adversarial requests of
// bench/margins-adversarial-cases.mjs; the faster search objective gives the same bits.
// Time is asserted only as CPU time with 3x room over the 300 ms bar (least of 3 runs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEngine, marginsWith } from '../../src/index.js';
import { hypot3, type V3 } from '../../src/margins/distance.js';
import { PatchBoxes, pruneWork } from '../../src/margins/patch-prune.js';
import { DIRECTIONS, patchDistanceFrom, patchDistanceFunction, patchLattice, patchPoint } from '../../src/margins/patches.js';
import type { SpecimenShape } from '../../src/margins/shapes.js';
import { adversarialRequest, reportedSlowest, rng, underPatchBorder } from '../../bench/margins-adversarial-cases.mjs';
import { prunedAndEvery } from './pruned-vs-every-centre.js';
import { feetWork } from '../../src/margins/patch-feet.js';

const engine = await loadEngine();
const STRYKER = Boolean(process.env.STRYKER || process.env.STRYKER_MUTATOR_WORKER);
const mm = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);
const axes = fc.tuple(mm(0.5, 300), mm(0.5, 300), mm(0.5, 300)).filter((a) => Math.max(...a) <= 100 * Math.min(...a));
const direction = fc.constantFrom(...DIRECTIONS);
type Ellipsoid = Extract<SpecimenShape, { shape: 'ellipsoid' }>;

describe('the faster search objective', () => {
  it('hypot3 is Math.hypot to the bit, for any magnitudes and signs', () => {
    const mag = fc.constantFrom(0, 1e-300, 1e-12, 1e-3, 1, 3.7, 999.999, 1e8, 1e300);
    const v = fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), mag).map(([i, m]) => (i / 1e6) * m);
    fc.assert(fc.property(v, v, v, (x, y, z) => Object.is(hypot3(x, y, z), Math.hypot(x, y, z))), { numRuns: 5000 });
    for (const [x, y, z] of [[0, 0, 0], [-0, 0, -0], [3, 4, 12], [1e308, 1e308, 1], [Infinity, 1, 2], [1, -Infinity, NaN]]) {
      expect(Object.is(hypot3(x, y, z), Math.hypot(x, y, z)), `${x}, ${y}, ${z}`).toBe(true);
    }
  });

  it('patchDistanceFunction is |p - patchPoint| to the bit', () => {
    fc.assert(fc.property(axes, fc.tuple(mm(-50, 50), mm(-50, 50), mm(-50, 50)), direction, mm(-1, 1), mm(-1, 1), fc.boolean(), (A, p, d, a, b, sphere) => {
      const s: SpecimenShape = sphere ? { shape: 'sphere', center: [1, -2, 3], radius: A[0] } : { shape: 'ellipsoid', center: [1, -2, 3], semiAxes: A };
      const q = patchPoint(s, d, a, b);
      const want = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
      return Object.is(patchDistanceFunction(s, d, p as V3)(a, b), want);
    }), { numRuns: 3000 });
  });
});

describe('the lower bounds of patch-prune are rigorous', () => {
  // Every bound must sit at or under a real patch point's distance: the full search's
  // answer and a dense 41 x 41 sample of the patch (the dense sample catches a bound above
  // the distance anywhere, the search's answer a bound above the minimum itself).
  it('coarse(p) and atLeast(p, T) never exceed the distance to the patch', () => {
    fc.assert(fc.property(axes, direction, fc.tuple(mm(-1.3, 1.3), mm(-1.3, 1.3), mm(-1.3, 1.3)), (A, d, f) => {
      const s: Ellipsoid = { shape: 'ellipsoid', center: [10, -20, 5], semiAxes: A };
      const p = [0, 1, 2].map((i) => s.center[i] + f[i] * A[i]) as V3;
      const boxes = new PatchBoxes(s, d);
      let dense = Infinity;
      for (let i = 0; i <= 40; i++) for (let j = 0; j <= 40; j++) {
        const q = patchPoint(s, d, -1 + i / 20, -1 + j / 20);
        dense = Math.min(dense, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
      }
      const exact = Math.min(dense, patchDistanceFrom(s, d, patchLattice(s, d), p));
      const tol = 1e-12 * (1 + exact);
      if (!(boxes.coarse(p) <= exact + tol)) return false;
      // Proved at the distance itself would be wrong; proved just under it may or may not be.
      return !boxes.atLeast(p, exact * (1 + 1e-9) + 1e-9);
    }), { numRuns: 300 });
  });

  it('proves what is far and refuses what is near', () => {
    const s: Ellipsoid = { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] };
    const boxes = new PatchBoxes(s, '+z');
    const lat = patchLattice(s, '+z');
    // Under the -z pole, across the specimen from +z; under the +z pole at depth 2; outside near a border.
    for (const p of [[0, 0, -14], [0, 0, 13], [25, 3, 9]] as V3[]) {
      const exact = patchDistanceFrom(s, '+z', lat, p);
      expect(boxes.atLeast(p, 0.9 * exact), `${p}`).toBe(true);
      expect(boxes.atLeast(p, 1.001 * exact), `${p}`).toBe(false);
    }
    expect(boxes.atLeast([0, 0, 13], 0)).toBe(true);
    expect(boxes.atLeast([0, 0, 13], Infinity)).toBe(false);
  });
});

describe('pruning changes no margin', () => {
  // leastOverPatch against searching every centre not at home, on requests built to defeat it.
  const requests: [string, Record<string, unknown>][] = [
    ['2,000 points under a patch border', underPatchBorder()],
    ['the reported 319 x 122 x 5.9 mm case, 400 of its points', (() => { const r = reportedSlowest(); r.lesion.points = r.lesion.points.filter((_: unknown, i: number) => i % 5 === 0); return r; })()],
  ];
  const r = rng(20261207);
  for (const family of ['border', 'one-border', 'corner', 'shell', 'cloud'] as const) {
    for (let k = 0; k < 2; k++) {
      const req = adversarialRequest(family, r);
      req.lesion.points = req.lesion.points.slice(0, 300);
      requests.push([`${family} #${k}`, req]);
    }
  }
  for (const [name, req] of requests) {
    it(name, () => {
      for (const { d, pruned, every } of prunedAndEvery(req, patchDistanceFrom)) {
        expect(Math.abs(pruned - every), `${d}: ${pruned} vs ${every}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(every)));
      }
    });
  }
});

describe('bounded work and time on the worst requests found', () => {
  // Per case: patch searches at most, and calls of the search objective at most. Before the
  // pruning 4,658 and 7,807 full searches (900-2,800 calls each); with it, 680-780 and
  // 2,590-2,996 of them; with the search by feet (patch-feet.ts, none handed to the full
  // search but the 5 centres on a symmetry plane), 307 and 3,013 searches of 6 and 64 calls
  // on average: 1,762 and 192,332 calls in all, against millions before.
  const cases: [string, Record<string, unknown>, number, number, number][] = [
    ['2,000 points just under the border of a patch (30 x 22 x 15)', underPatchBorder(), 400, 4_000, 8],
    ['2,000 points along a border of a 319 x 122 x 5.9 mm ellipsoid', reportedSlowest(), 3400, 220_000, 0],
  ];
  for (const [name, req, maxSearches, maxCalls, maxFallbacks] of cases) {
    it(name, () => {
      marginsWith(engine, req);
      pruneWork.searches = 0;
      const before = { ...feetWork };
      const r = marginsWith(engine, req);
      expect(Object.values(r.margins).every(Number.isFinite)).toBe(true);
      expect(pruneWork.searches).toBeLessThanOrEqual(maxSearches);
      expect(pruneWork.searches).toBeGreaterThan(0);
      expect(feetWork.fallbacks - before.fallbacks).toBeLessThanOrEqual(maxFallbacks);
      expect(feetWork.edgeSearches - before.edgeSearches).toBe(0);
      expect(feetWork.feet + feetWork.fallbacks - before.feet - before.fallbacks).toBe(pruneWork.searches);
      expect(feetWork.calls - before.calls).toBeLessThanOrEqual(maxCalls);
      const cpu: number[] = [];
      for (let k = 0; k < 3; k++) {
        const c = process.cpuUsage();
        marginsWith(engine, req);
        const u = process.cpuUsage(c);
        cpu.push((u.user + u.system) / 1000);
      }
      // CPU time, least of three, 3x the 300 ms bar: load stretches wall time, not this.
      if (!STRYKER) expect(Math.min(...cpu)).toBeLessThan(900);
    });
  }
});
