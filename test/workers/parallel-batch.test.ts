// A batch split over worker threads: the same bits as one call, whatever the number
// of threads, the chunk size or the range.
import { describe, expect, it } from 'vitest';
import { EngineError, TriangulationBatch, createPool, createSharedEngine, loadEngine, triangulateParallel, triangulateRangeTask, triangulateSharedTask, type Engine } from '../../src/index.js';
import { mulberry32 } from '../helpers/random.js';

const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const engine = await loadEngine();
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.slice().buffer), String);

function filled(angles: number[], n: number, rayDistances = true, on: Engine = engine) {
  const b = new TriangulationBatch(on, { capacity: n, geometry: g, angles, rayDistances });
  const r = mulberry32(99);
  for (let k = 0; k < angles.length; k++) for (let i = 0; i < n; i++) { b.u(k)[i] = r() * 100 - 50; b.v(k)[i] = r() * 80; }
  // a singular case: identical marks from the same angle cannot happen, so make view 1's ray parallel to view 0's
  b.u(1)[3] = b.sourceX[1] + ((b.u(0)[3] - b.sourceX[0]) * (b.detectorZ - b.sourceZ[1])) / (b.detectorZ - b.sourceZ[0]);
  b.v(1)[3] = (b.v(0)[3] * (b.detectorZ - b.sourceZ[1])) / (b.detectorZ - b.sourceZ[0]);
  return b;
}

const outputs = (b: TriangulationBatch) => [b.x, b.y, b.z, ...(b.views === 2 ? [b.rayGap] : []), ...(b.ptr.distances ? Array.from({ length: b.views }, (_, k) => b.rayDistance(k)) : [])];

describe('[API-017] triangulateParallel', () => {
  it('one and two threads, any chunk: the bits of batch.triangulate()', async () => {
    for (const size of [1, 2]) {
      const pool = await createPool({ size });
      try {
        for (const [angles, rayDistances] of [[[15, -15], true], [[15, -15], false], [[0, 15, -15], true], [[-20, -5, 10, 25], true]] as const) {
          const n = 5003;
          const whole = filled([...angles], n, rayDistances);
          const singular = whole.triangulate();
          expect(singular).toBe(angles.length === 2 ? 1 : 0);
          for (const chunk of [1000, 4096, 7000]) {
            const b = filled([...angles], n, rayDistances);
            expect(await triangulateParallel(pool, b, { chunk })).toBe(singular);
            expect(outputs(b).map(bits)).toEqual(outputs(whole).map(bits));
            b.dispose();
          }
          whole.dispose();
        }
        // A range: cases outside it are untouched.
        const b = filled([15, -15], 100);
        b.x.fill(-1);
        expect(await triangulateParallel(pool, b, { from: 10, to: 20, chunk: 3 })).toBe(0);
        expect(b.x[9]).toBe(-1);
        expect(b.x[20]).toBe(-1);
        expect(b.x.slice(10, 20).every(Number.isFinite)).toBe(true);
        await expect(triangulateParallel(pool, b, { from: 5, to: 101 })).rejects.toBeInstanceOf(EngineError);
        await expect(triangulateParallel(pool, b, { chunk: 0 })).rejects.toBeInstanceOf(EngineError);
        b.dispose();
      } finally {
        await pool.close();
      }
    }
  }, 60_000);

  it('the task on its own: checks its payload, and computes what the batch computes', async () => {
    await expect(triangulateRangeTask({ geometry: g, angles: [1, 2], u: [new Float64Array(2)], v: [new Float64Array(2), new Float64Array(2)], rayDistances: false }))
      .rejects.toMatchObject({ code: 'invalid_batch' });
    await expect(triangulateRangeTask({ geometry: g, angles: [1, 2], u: [new Float64Array(2), new Float64Array(3)], v: [new Float64Array(2), new Float64Array(2)], rayDistances: false }))
      .rejects.toMatchObject({ code: 'invalid_batch' });
    const b = filled([15, -15], 10);
    b.triangulate();
    const out = await triangulateRangeTask({ geometry: g, angles: [15, -15], u: [b.u(0).slice(2, 9), b.u(1).slice(2, 9)], v: [b.v(0).slice(2, 9), b.v(1).slice(2, 9)], rayDistances: true, kernel: 'scalar' });
    expect(out.value.singular).toBe(1);
    expect(bits(out.value.z)).toEqual(bits(b.z.slice(2, 9)));
    expect(bits(out.value.distances[1])).toEqual(bits(b.rayDistance(1).slice(2, 9)));
    expect(out.transfer.length).toBe(6);
    b.dispose();
  });

  it('on a shared engine the workers compute in place: the same bits, nothing copied, other batches untouched', async () => {
    const shared = await createSharedEngine();
    expect(shared.shared?.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const other = new TriangulationBatch(shared, { capacity: 4, geometry: g, angles: [15, -15] });
    other.u(0).set([1, 2, 3, 4]);
    for (const size of [1, 2]) {
      const pool = await createPool({ size });
      try {
        for (const angles of [[15, -15], [0, 15, -15], [-20, -5, 10, 25]]) {
          const n = 5003;
          const whole = filled(angles, n, true);
          const singular = whole.triangulate();
          const b = filled(angles, n, true, shared);
          expect(await triangulateParallel(pool, b, { chunk: 777 })).toBe(singular);
          expect(outputs(b).map(bits)).toEqual(outputs(whole).map(bits));
          // grown memory while workers hold the old size: still right
          const big = new TriangulationBatch(shared, { capacity: 200_000, geometry: g, angles: [15, -15] });
          b.x.fill(0);
          expect(await triangulateParallel(pool, b, { chunk: 2048 })).toBe(singular);
          expect(bits(b.x)).toEqual(bits(whole.x));
          big.dispose(); b.dispose(); whole.dispose();
        }
      } finally {
        await pool.close();
      }
    }
    expect(Array.from(other.u(0))).toEqual([1, 2, 3, 4]);
    // The task refuses ranges and columns outside the memory.
    const b = filled([15, -15], 10, true, shared);
    const ptr = { ...b.ptr };
    const base = { handle: shared.shared!, n: 10, views: 2, detectorZ: b.detectorZ, ptr };
    await expect(triangulateSharedTask({ ...base, from: 0, to: 11 })).rejects.toMatchObject({ code: 'invalid_batch' });
    await expect(triangulateSharedTask({ ...base, from: 0, to: 10, ptr: { ...ptr, x: 2 ** 32 - 8 } })).rejects.toMatchObject({ code: 'invalid_batch' });
    expect(await triangulateSharedTask({ ...base, from: 0, to: 10 })).toBe(1);
    b.dispose(); other.dispose();
  }, 60_000);
});
