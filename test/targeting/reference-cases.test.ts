// The shared reference cases (../shared/reference/targeting-cases.json, copied into
// test/fixtures): expected values from an independent implementation, at 1e-6 mm.
import { describe, expect, it } from 'vitest';
import cases from '../fixtures/targeting-cases.json' with { type: 'json' };
import { loadEngine, targetWith, type TargetingResult } from '../../src/index.js';

const TOL = 1e-6;

type Expected = {
  target: { x: number; y: number; z: number };
  depthFromSkin: number;
  rayDistances: number[];
  rayGap?: number;
  classic?: { x: number; y: number; z: number };
  uncertainty?: { sigma: { x: number; y: number; z: number } };
  needle?: Record<string, number>;
  errorCodes: string[];
};

function close(actual: number | undefined, expected: number, what: string) {
  expect(actual, what).toBeTypeOf('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

for (const kernel of ['simd', 'scalar'] as const) {
  describe(`[TGT-005, TGT-006] reference targeting cases (${kernel})`, async () => {
    const engine = await loadEngine({ kernel });
    for (const c of cases.cases) {
      it(c.id, () => {
        const r: TargetingResult = targetWith(engine, c.request);
        const e = c.expected as Expected;
        for (const k of ['x', 'y', 'z'] as const) close(r.target[k], e.target[k], `target.${k}`);
        close(r.depthFromSkin, e.depthFromSkin, 'depthFromSkin');
        expect(r.rayDistances.length).toBe(e.rayDistances.length);
        e.rayDistances.forEach((d, i) => close(r.rayDistances[i], d, `rayDistances[${i}]`));
        if (e.rayGap !== undefined) close(r.rayGap, e.rayGap, 'rayGap');
        if (e.classic) for (const k of ['x', 'y', 'z'] as const) close(r.classic?.[k], e.classic[k], `classic.${k}`);
        else expect(r.classic).toBeUndefined();
        if (e.uncertainty) for (const k of ['x', 'y', 'z'] as const) close(r.uncertainty?.sigma[k], e.uncertainty.sigma[k], `sigma.${k}`);
        if (e.needle) {
          for (const [k, v] of Object.entries(e.needle)) close((r.needle as unknown as Record<string, number>)[k], v, `needle.${k}`);
        }
        const errors = r.findings.filter((f) => f.severity === 'error').map((f) => f.code).sort();
        expect(errors).toEqual([...e.errorCodes].sort());
      });
    }
  });
}
