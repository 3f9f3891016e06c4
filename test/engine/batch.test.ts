// The zero-copy batch API: columns in wasm memory, filled in place.
import { describe, expect, it } from 'vitest';
import { loadEngine, TriangulationBatch } from '../../src/index.js';
import { refJacobian, refProject, refRayGap, refTriangulate, refUncertainty, type P3 } from '../reference/independent.js';
import { mulberry32 } from '../helpers/random.js';

const g = { sourceToDetector: 700, sourceToSupport: 675, rotationAxisHeight: -25 };

for (const kernel of ['simd', 'scalar'] as const) {
  describe(`[API-014] TriangulationBatch (${kernel})`, async () => {
    const engine = await loadEngine({ kernel });

    for (const angles of [[15, -15], [0, 15], [0, 15, -15], [-20, -5, 10, 25]]) {
      it(`${angles.length} views ${angles.join('/')}: 1001 noisy cases match the reference`, () => {
        const n = 1001; // odd: exercises the SIMD tail
        const b = new TriangulationBatch(engine, { capacity: n, geometry: g, angles, covariance: true });
        const rand = mulberry32(7);
        const marks: { angle: number; u: number; v: number }[][] = [];
        for (let i = 0; i < n; i++) {
          const p: P3 = [rand() * 80 - 40, rand() * 70, 2 + rand() * 50];
          marks.push(angles.map((angle, k) => {
            const m = { angle, ...refProject(g, angle, p) };
            m.u += (rand() - 0.5) * 0.4;
            m.v += (rand() - 0.5) * 0.4;
            b.u(k)[i] = m.u;
            b.v(k)[i] = m.v;
            return m;
          }));
        }
        expect(b.triangulate()).toBe(0);
        b.propagate(0.1);
        for (const i of [0, 1, 2, 500, 999, 1000]) {
          const ref = refTriangulate(g, marks[i]);
          expect(Math.abs(b.x[i] - ref[0])).toBeLessThan(1e-6);
          expect(Math.abs(b.y[i] - ref[1])).toBeLessThan(1e-6);
          expect(Math.abs(b.z[i] - ref[2])).toBeLessThan(1e-6);
          if (angles.length === 2) expect(Math.abs(b.rayGap[i] - refRayGap(g, marks[i][0], marks[i][1]))).toBeLessThan(1e-6);
          const u = refUncertainty(refJacobian(g, marks[i]), 0.1);
          expect(Math.abs(Math.sqrt(b.covariance('zz')[i]) - u.sigma.z)).toBeLessThan(1e-6);
          expect(Math.abs(b.covariance('xz')[i] - u.covariance[0][2])).toBeLessThan(1e-7);
        }
        b.dispose();
      });
    }

    it('singular cases (parallel rays) come back NaN and are counted', () => {
      const b = new TriangulationBatch(engine, { capacity: 3, geometry: g, angles: [15, -15] });
      const sx = b.sourceX, sz = b.sourceZ, dz = b.detectorZ;
      for (let i = 0; i < 3; i++) {
        b.u(0)[i] = 0; b.v(0)[i] = 10;
        // Case 1's second ray is parallel to its first.
        b.u(1)[i] = i === 1 ? sx[1] + ((0 - sx[0]) * (dz - sz[1])) / (dz - sz[0]) : 5;
        b.v(1)[i] = i === 1 ? (10 * (dz - sz[1])) / (dz - sz[0]) : 10;
      }
      expect(b.triangulate()).toBe(1);
      expect(Number.isNaN(b.x[1])).toBe(true);
      expect(Number.isFinite(b.x[0]) && Number.isFinite(b.x[2])).toBe(true);
      b.dispose();
    });

    it('views survive memory growth, and disposed memory is reused', () => {
      const a = new TriangulationBatch(engine, { capacity: 4, geometry: g, angles: [15, -15] });
      a.u(0).set([1, 2, 3, 4]);
      const before = engine.wasm.memory.buffer.byteLength;
      const big = new TriangulationBatch(engine, { capacity: 400_000, geometry: g, angles: [15, -15] });
      expect(engine.wasm.memory.buffer.byteLength).toBeGreaterThan(before);
      expect(Array.from(a.u(0))).toEqual([1, 2, 3, 4]); // a rebuilt view over the grown memory
      const top = engine.wasm.heapTop();
      big.dispose();
      expect(engine.wasm.heapTop()).toBeLessThan(top);
      const again = new TriangulationBatch(engine, { capacity: 400_000, geometry: g, angles: [15, -15] });
      expect(engine.wasm.heapTop()).toBe(top);
      again.dispose();
      a.dispose();
      expect(() => a.x).toThrow(/disposed/);
    });
  });
}
