// The allocator behind every batch (issue 7.1): frees in any order, refuses what
// cannot fit with EngineError engine_capacity (never RangeError), and leaves the
// engine and every other batch's columns intact after each operation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ADDRESS_LIMIT, BlockAllocator, EllipsoidDistanceBatch, EngineError, TriangulationBatch, batchBytes, createEngine,
  loadEngine, targetWith,
} from '../../src/index.js';
import { mulberry32 } from '../helpers/random.js';

const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const request = {
  geometry: g, thickness: 50,
  views: [{ angle: 15, u: 12.5, v: 30 }, { angle: -15, u: -8.25, v: 30.5 }],
};

/** An allocator over a pretend memory that grows on request, for exact limits. */
function fakeAllocator(base: number, limit: number, maxSize = Infinity) {
  let size = 65536;
  const tops: number[] = [];
  const alloc = new BlockAllocator({
    size: () => size,
    growTo: (bytes) => {
      if (bytes > maxSize) return false;
      size = Math.ceil(bytes / 65536) * 65536;
      return true;
    },
    topChanged: (t) => tops.push(t),
  }, base, limit);
  return { alloc, size: () => size, tops };
}

function expectCapacityError(f: () => unknown) {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EngineError);
  expect(err).not.toBeInstanceOf(RangeError);
  expect((err as EngineError).code).toBe('engine_capacity');
}

describe('BlockAllocator', () => {
  it('takes a block reaching exactly the limit, refuses one 16 bytes more, and changes nothing when it refuses', () => {
    const { alloc } = fakeAllocator(1024, 1024 + 4096);
    expectCapacityError(() => alloc.reserve(4096 + 1));
    expect(alloc.top).toBe(1024);
    const a = alloc.reserve(4096);
    expect(a).toBe(1024);
    expect(alloc.top).toBe(1024 + 4096);
    expectCapacityError(() => alloc.reserve(1));
    expect(alloc.top).toBe(1024 + 4096);
    alloc.release(a);
    expect(alloc.top).toBe(1024);
    // just inside: 4095 bytes round up to 4096 and fit
    expect(alloc.reserve(4095)).toBe(1024);
  });

  it('refuses when the JavaScript engine will not grow memory, and keeps working', () => {
    const { alloc } = fakeAllocator(0, ADDRESS_LIMIT, 3 * 65536);
    const a = alloc.reserve(2 * 65536);
    expectCapacityError(() => alloc.reserve(65536 + 16));
    expect(alloc.top).toBe(2 * 65536);
    expect(alloc.reserve(65536)).toBe(2 * 65536);
    alloc.release(a);
    expect(alloc.reserve(100)).toBe(0);
  });

  it('never lets a limit above 4 GiB through, and rejects non-finite or negative sizes', () => {
    const { alloc } = fakeAllocator(0, 2 ** 40);
    expect(alloc.limit).toBe(2 ** 32);
    expectCapacityError(() => alloc.reserve(2 ** 32 + 16));
    expectCapacityError(() => alloc.reserve(NaN));
    expectCapacityError(() => alloc.reserve(-16));
    expectCapacityError(() => alloc.reserve(Infinity));
    expect(alloc.reserve(2 ** 32)).toBe(0);
  });

  it('merges freed neighbours whatever the order and lowers the top', () => {
    const { alloc, tops } = fakeAllocator(0, 1 << 20);
    const [a, b, c, d] = [100, 200, 300, 400].map((n) => alloc.reserve(n));
    expect([a, b, c, d]).toEqual([0, 112, 320, 624]);
    alloc.release(b);
    alloc.release(c); // merges with b
    expect(alloc.freeBlocks).toBe(1);
    expect(alloc.reserve(512)).toBe(112); // exactly the merged hole
    expect(alloc.freeBlocks).toBe(0);
    alloc.release(112);
    alloc.release(a); // merges with the hole on its right
    expect(alloc.freeBlocks).toBe(1);
    alloc.release(d); // merges with everything and lowers the top to the base
    expect(alloc.freeBlocks).toBe(0);
    expect(alloc.top).toBe(0);
    expect(tops[tops.length - 1]).toBe(0);
    alloc.release(d); // twice: no-op
    expect(alloc.liveBlocks).toBe(0);
  });

  it('property: live blocks never overlap, lie under the top, and a full release returns to the base', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.nat()), { minLength: 1, maxLength: 200 }), (ops) => {
      const { alloc } = fakeAllocator(48, 1 << 24);
      const live: [number, number][] = [];
      for (const [bytes, pick] of ops) {
        if (live.length && pick % 3 === 0) {
          const [start] = live.splice(pick % live.length, 1)[0];
          alloc.release(start);
        } else {
          const start = alloc.reserve(bytes);
          live.push([start, start + Math.max(16, Math.ceil(bytes / 16) * 16)]);
        }
        const sorted = [...live].sort((p, q) => p[0] - q[0]);
        for (let i = 0; i < sorted.length; i++) {
          expect(sorted[i][0] % 16).toBe(0);
          expect(sorted[i][0]).toBeGreaterThanOrEqual(48);
          expect(sorted[i][1]).toBeLessThanOrEqual(alloc.top);
          if (i) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][1]);
        }
      }
      for (const [start] of live) alloc.release(start);
      expect(alloc.top).toBe(48);
      expect(alloc.freeBlocks).toBe(0);
    }), { seed: 20261123, numRuns: 150 });
  });
});

describe('[API-015] engine memory under batches', () => {
  it('100,000 batches disposed in random order (seeded): memory is reused and live columns never change', async () => {
    const engine = await createEngine({ kernel: 'simd' });
    const rand = mulberry32(7);
    const live: { b: TriangulationBatch | EllipsoidDistanceBatch; seed: number }[] = [];
    const fill = (b: TriangulationBatch | EllipsoidDistanceBatch, seed: number) => {
      const cols = b instanceof TriangulationBatch ? [b.u(0), b.v(1)] : [b.x, b.z];
      for (const c of cols) for (let i = 0; i < c.length; i++) c[i] = seed + i;
    };
    const intact = (b: TriangulationBatch | EllipsoidDistanceBatch, seed: number) => {
      const cols = b instanceof TriangulationBatch ? [b.u(0), b.v(1)] : [b.x, b.z];
      for (const c of cols) for (let i = 0; i < c.length; i++) if (c[i] !== seed + i) return false;
      return true;
    };
    let maxTop = 0;
    let broken = 0;
    for (let step = 0; step < 100_000; step++) {
      if (live.length > 0 && (live.length >= 12 || rand() < 0.5)) {
        const [gone] = live.splice(Math.floor(rand() * live.length), 1);
        gone.b.dispose();
      } else {
        const capacity = 1 + Math.floor(rand() * 300);
        const seed = step * 1000;
        const b = rand() < 0.8
          ? new TriangulationBatch(engine, { capacity, geometry: g, angles: rand() < 0.5 ? [15, -15] : [0, 15, -15], covariance: rand() < 0.3 })
          : new EllipsoidDistanceBatch(engine, { capacity, center: [0, 0, 0], semiAxes: [30, 22, 15] });
        fill(b, seed);
        live.push({ b, seed });
      }
      // every other live batch's columns, after every operation (sampled: the newest three)
      for (let j = Math.max(0, live.length - 3); j < live.length; j++) if (!intact(live[j].b, live[j].seed)) broken++;
      maxTop = Math.max(maxTop, engine.memory.top);
    }
    expect(broken).toBe(0);
    expect(live.every((l) => intact(l.b, l.seed))).toBe(true);
    // at most 12 live batches of at most ~60 KB each: the heap stays small (no leak)
    expect(maxTop - engine.memory.base).toBeLessThan(12 * 80_000 * 3);
    for (const l of live) l.b.dispose();
    expect(engine.memory.top).toBe(engine.memory.base);
    expect(engine.memory.liveBlocks).toBe(0);
    expect(engine.wasm.heapTop()).toBe(engine.memory.base);
  }, 60_000);

  it('huge capacities (2.1e7, 4.2e7, 2^27 cases) are refused cleanly; targetWith and other batches keep working', async () => {
    for (const kernel of ['simd', 'scalar'] as const) {
      const engine = await loadEngine({ kernel });
      const keep = new TriangulationBatch(engine, { capacity: 5, geometry: g, angles: [15, -15] });
      keep.u(0).set([1, 2, 3, 4, 5]);
      const before = targetWith(engine, request);
      const top = engine.memory.top;
      for (const capacity of [2.1e7, 4.2e7, 2 ** 27, 2 ** 29, 2 ** 31, 2 ** 40]) {
        expectCapacityError(() => new TriangulationBatch(engine, { capacity, geometry: g, angles: [15, -15], covariance: true, jacobian: true }));
        expectCapacityError(() => new TriangulationBatch(engine, { capacity: capacity * 2, geometry: g, angles: [10, 0, -10, 20] }));
        expect(engine.memory.top).toBe(top);
        expect(Array.from(keep.u(0))).toEqual([1, 2, 3, 4, 5]);
        expect(targetWith(engine, request)).toEqual(before);
      }
      for (const capacity of [2 ** 28, 2 ** 30]) {
        expectCapacityError(() => new EllipsoidDistanceBatch(engine, { capacity, center: [0, 0, 0], semiAxes: [3, 2, 1] }));
      }
      expect(targetWith(engine, request)).toEqual(before);
      keep.dispose();
    }
  });

  it('a batch just over 4 GiB is refused before memory grows; batchBytes reports what a batch takes', async () => {
    const engine = await createEngine({ kernel: 'scalar' });
    const size = engine.wasm.memory.buffer.byteLength;
    // Two views without distances: sources (x, z) 16 bytes each, u and v 2n numbers each, x y z and gap n each;
    // every segment padded to 16 bytes.
    expect(batchBytes({ capacity: 1000, angles: [1, 2], rayDistances: false })).toBe(32 + 8 * 8000);
    expect(batchBytes({ capacity: 1001, angles: [1, 2], rayDistances: false })).toBe(32 + 2 * 16016 + 4 * 8016);
    const n = Math.floor(ADDRESS_LIMIT / 64); // 8n numbers of 8 bytes: exactly 4 GiB plus the sources
    expectCapacityError(() => new TriangulationBatch(engine, { capacity: n, geometry: g, angles: [15, -15], rayDistances: false }));
    expect(engine.wasm.memory.buffer.byteLength).toBe(size);
    expect(engine.memory.top).toBe(engine.memory.base);
  });

  it('a memory limit set on the engine is held exactly: at the limit yes, 16 bytes over no', async () => {
    const probe = await createEngine({ kernel: 'scalar' });
    const base = probe.memory.base;
    const bytes = batchBytes({ capacity: 100, angles: [15, -15] });
    const exact = await createEngine({ kernel: 'scalar', memoryLimit: base + bytes });
    new TriangulationBatch(exact, { capacity: 100, geometry: g, angles: [15, -15] }).dispose();
    const short = await createEngine({ kernel: 'scalar', memoryLimit: base + bytes - 16 });
    expectCapacityError(() => new TriangulationBatch(short, { capacity: 100, geometry: g, angles: [15, -15] }));
    expect(short.memory.top).toBe(short.memory.base);
    expect(targetWith(short, request).target).toEqual(targetWith(exact, request).target);
  });

  it('columns above 2 GiB (offsets past 2^31) are read and written correctly by the kernels', async () => {
    const engine = await createEngine({ kernel: 'simd' });
    const low = new TriangulationBatch(engine, { capacity: 7, geometry: g, angles: [15, -15] });
    const filler = engine.reserve(2 ** 31 + 4096, 'filler'); // never touched: virtual memory only
    const high = new TriangulationBatch(engine, { capacity: 7, geometry: g, angles: [15, -15], covariance: true });
    expect(high.ptr.u).toBeGreaterThan(2 ** 31);
    for (const b of [low, high]) {
      for (let i = 0; i < 7; i++) {
        b.u(0)[i] = 10 + i; b.v(0)[i] = 20; b.u(1)[i] = -5 - i; b.v(1)[i] = 20.5;
      }
      expect(b.triangulate()).toBe(0);
    }
    expect(Array.from(high.x)).toEqual(Array.from(low.x));
    expect(Array.from(high.z)).toEqual(Array.from(low.z));
    high.propagate(0.1);
    expect(high.covariance('zz').every((c) => c > 0 && Number.isFinite(c))).toBe(true);
    expect(Array.from(low.u(0))).toEqual([10, 11, 12, 13, 14, 15, 16]);
    high.dispose();
    engine.release(filler);
    low.dispose();
    expect(engine.memory.top).toBe(engine.memory.base);
  }, 30_000);
});

describe('batch views and options', () => {
  it('[API-016] every getter returns a held view, rebuilt only when memory grows', async () => {
    const engine = await createEngine({ kernel: 'simd' });
    const b = new TriangulationBatch(engine, { capacity: 8, geometry: g, angles: [0, 15, -15], covariance: true, jacobian: true });
    const e = new EllipsoidDistanceBatch(engine, { capacity: 8, center: [0, 0, 0], semiAxes: [3, 2, 1] });
    const getters = () => [b.x, b.y, b.z, b.u(2), b.v(0), b.rayDistance(1), b.rayGap, b.covariance('xz'), b.jacobianColumn(2, 5), b.sourceX, e.x, e.signed, e.nearestZ];
    const first = getters();
    const lengths = first.map((v) => v.length);
    expect(getters().every((v, i) => v === first[i])).toBe(true);
    const big = new TriangulationBatch(engine, { capacity: 300_000, geometry: g, angles: [15, -15] }); // grows memory
    const second = getters();
    expect(second.every((v, i) => v !== first[i] && v.length === lengths[i])).toBe(true);
    expect(first[0].length).toBe(0); // the old views were detached by the growth
    big.dispose();
    expect(getters().every((v, i) => v === second[i])).toBe(true); // freeing does not shrink memory
    b.dispose();
    e.dispose();
    expect(() => b.x).toThrow(EngineError);
    expect(() => e.signed).toThrow(/disposed/);
  });

  it('rayDistances: false reserves no distance columns and changes no other output', async () => {
    const engine = await loadEngine();
    const mk = (rayDistances: boolean) => new TriangulationBatch(engine, { capacity: 9, geometry: g, angles: [15, -15], rayDistances });
    const a = mk(true), b = mk(false);
    for (const x of [a, b]) for (let i = 0; i < 9; i++) { x.u(0)[i] = i; x.v(0)[i] = 2 * i; x.u(1)[i] = -i; x.v(1)[i] = 2 * i + 0.1; }
    expect(batchBytes({ capacity: 9, angles: [15, -15] }) - batchBytes({ capacity: 9, angles: [15, -15], rayDistances: false })).toBe(144);
    a.triangulate(); b.triangulate();
    for (const c of ['x', 'y', 'z', 'rayGap'] as const) expect(Array.from(b[c])).toEqual(Array.from(a[c]));
    expect(Array.from(a.rayDistance(0))).toEqual(Array.from(a.rayGap).map((d) => d / 2));
    expect(() => b.rayDistance(0)).toThrow(expect.objectContaining({ code: 'column_not_reserved' }));
    expect(() => a.covariance('xx')).toThrow(expect.objectContaining({ code: 'column_not_reserved' }));
    a.dispose(); b.dispose();
  });

  it('the classic columns are reserved on first use only', async () => {
    const engine = await createEngine({ kernel: 'scalar' });
    const b = new TriangulationBatch(engine, { capacity: 3, geometry: g, angles: [15, -15] });
    expect(b.ptr.classic).toBe(0);
    const top = engine.memory.top;
    b.u(0).set([10, 11, 12]); b.v(0).set([5, 5, 5]); b.u(1).set([-10, -9, -8]); b.v(1).set([5, 5, 5]);
    const p = b.classic(0, 1, 15);
    expect(b.ptr.classic).toBeGreaterThanOrEqual(top);
    expect(p.x).toBe(0);
    expect(p.y).toBe(5);
    b.dispose();
    expect(engine.memory.top).toBe(engine.memory.base);
  });

  it('[API-015] bad options, ranges and indices are EngineErrors, never RangeErrors', async () => {
    const engine = await loadEngine();
    const code = (f: () => unknown) => {
      try { f(); } catch (e) { expect(e).toBeInstanceOf(EngineError); return (e as EngineError).code; }
      return 'no error';
    };
    expect(code(() => new TriangulationBatch(engine, { capacity: 0, geometry: g, angles: [1, 2] }))).toBe('invalid_batch');
    expect(code(() => new TriangulationBatch(engine, { capacity: 1.5, geometry: g, angles: [1, 2] }))).toBe('invalid_batch');
    expect(code(() => new TriangulationBatch(engine, { capacity: 4, geometry: g, angles: [1] }))).toBe('invalid_batch');
    expect(code(() => new EllipsoidDistanceBatch(engine, { capacity: 0, center: [0, 0, 0], semiAxes: [1, 1, 1] }))).toBe('invalid_batch');
    const b = new TriangulationBatch(engine, { capacity: 4, geometry: g, angles: [1, 2] });
    for (const [f, t] of [[-1, 2], [0, 5], [3, 2], [0.5, 2], [0, NaN]]) expect(code(() => b.triangulate(f, t))).toBe('invalid_batch');
    expect(code(() => b.triangulate(4, 4))).toBe('no error'); // an empty range at the end
    expect(code(() => b.triangulate(0, 4))).toBe('no error');
    expect(code(() => b.u(2))).toBe('invalid_batch');
    expect(code(() => b.v(-1))).toBe('invalid_batch');
    expect(code(() => b.pairGap(0, 0))).toBe('invalid_batch');
    expect(code(() => b.pairGap(0, 2))).toBe('invalid_batch');
    expect(code(() => b.configure(g, [1, 2, 3]))).toBe('invalid_batch');
    b.dispose();
  });
});

describe('[API-016] reused memory', () => {
  it('a block handed out again is zeroed: no batch reads numbers another left behind', async () => {
    const engine = await createEngine({ kernel: 'scalar' });
    const a = new TriangulationBatch(engine, { capacity: 50, geometry: g, angles: [15, -15] });
    for (const c of [a.u(0), a.u(1), a.v(0), a.v(1), a.x, a.rayGap]) c.fill(7);
    const keep = new TriangulationBatch(engine, { capacity: 3, geometry: g, angles: [15, -15] });
    a.dispose();
    const b = new TriangulationBatch(engine, { capacity: 20, geometry: g, angles: [0, 15, -15] }); // from the free list
    expect(b.ptr.u).toBeLessThan(keep.ptr.u);
    for (const c of [b.u(0), b.u(2), b.v(1), b.x, b.z, b.rayGap, b.rayDistance(2)]) expect(c.every((x) => x === 0)).toBe(true);
    b.dispose(); keep.dispose();
  });

  it('the allocator clears exactly the bytes handed out before, never fresh memory', () => {
    const cleared: [number, number][] = [];
    const alloc = new BlockAllocator({ size: () => 1 << 20, growTo: () => true, clear: (s, e) => cleared.push([s, e]) }, 0, 1 << 20);
    const a = alloc.reserve(100);
    const b = alloc.reserve(50);
    expect(cleared).toEqual([]); // fresh
    alloc.release(a);
    expect(alloc.reserve(64)).toBe(0); // first fit in a's hole
    expect(cleared).toEqual([[0, 64]]);
    alloc.release(b); // b was at the top: the top falls to 64 (a's hole above 64 merges too)
    expect(alloc.top).toBe(64);
    expect(alloc.reserve(200)).toBe(64); // 64..176 was used before, 176..264 is fresh
    expect(cleared).toEqual([[0, 64], [64, 176]]);
  });
});

describe('regions (open / reserveF64 / free)', () => {
  it('free a region in any order: its blocks return, others stay', async () => {
    const engine = await createEngine({ kernel: 'scalar' });
    const r1 = engine.open();
    const a = engine.reserveF64(100);
    const r2 = engine.open();
    const b = engine.reserveF64(50);
    const c = engine.reserveF64(10);
    engine.heap.fill(3, b / 8, b / 8 + 50);
    engine.free(r1); // the older region first
    expect(engine.memory.liveBlocks).toBe(2);
    expect(engine.reserveF64(100)).toBe(a); // its block is reused (and belongs to r2, the region opened last)
    expect(engine.heap.subarray(b / 8, b / 8 + 50).every((x) => x === 3)).toBe(true);
    engine.free(r2);
    engine.free(r2); // twice: no-op
    expect(engine.memory.liveBlocks).toBe(0);
    expect(engine.memory.top).toBe(engine.memory.base);
    expect(c).toBeGreaterThan(b);
  });
});
