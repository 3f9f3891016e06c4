/**
 * A triangulation batch split over worker threads. The cases are cut into fixed
 * chunks (independent of the number of workers). On a shared engine
 * (createSharedEngine) each worker runs the kernel on its chunk's range in place, in
 * the one shared memory: nothing is copied. On any other engine each chunk's marks
 * are copied out and moved to a worker, which triangulates them with its own engine
 * and moves the outputs back into the batch. Every case goes through the same kernel
 * arithmetic wherever it runs, so the results are the same bits as
 * `batch.triangulate()` whatever the number of threads.
 */
import { EngineError } from '../core/errors.js';
import { attachSharedEngine, loadEngine, type KernelChoice, type SharedEngineHandle } from '../engine/engine.js';
import type { WorkerPool } from '../engine/pool.js';
import { withTransfer, type Transfer } from '../workers/transfer.js';
import { TriangulationBatch } from './batch.js';
import type { UnitGeometry } from './geometry.js';

/** Cases per chunk by default: two views' marks and outputs stay within a typical L2 cache. */
export const DEFAULT_CHUNK = 8192;

export interface TriangulateRangePayload {
  geometry: UnitGeometry;
  angles: number[];
  /** Marks of each view for the chunk's cases (equal lengths). */
  u: Float64Array[];
  v: Float64Array[];
  /** Also compute each view's ray distance. */
  rayDistances: boolean;
  kernel?: KernelChoice;
}

export interface TriangulateRangeResult {
  singular: number;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  gap: Float64Array;
  distances: Float64Array[];
}

/** One scratch batch per worker and shape, grown when a larger chunk arrives. */
const scratch = new Map<string, TriangulationBatch>();

/** The `triangulateRange` task: runs in a worker thread (or anywhere, for tests). */
export async function triangulateRangeTask(p: TriangulateRangePayload): Promise<Transfer<TriangulateRangeResult>> {
  const V = p.angles.length;
  const count = p.u[0]?.length ?? 0;
  if (V < 2 || p.u.length !== V || p.v.length !== V || [...p.u, ...p.v].some((c) => !(c instanceof Float64Array) || c.length !== count)) {
    throw new EngineError('invalid_batch', 'triangulateRange needs one u and one v column of equal length per angle');
  }
  const engine = await loadEngine({ kernel: p.kernel ?? 'auto' });
  const key = `${engine.kernel}/${V}/${p.rayDistances}`;
  let b = scratch.get(key);
  if (!b || b.capacity < count || b.engine !== engine) {
    b?.dispose();
    b = new TriangulationBatch(engine, { capacity: Math.max(1, count), geometry: p.geometry, angles: p.angles, rayDistances: p.rayDistances });
    scratch.set(key, b);
  } else {
    b.configure(p.geometry, p.angles);
  }
  for (let k = 0; k < V; k++) {
    b.u(k).set(p.u[k]);
    b.v(k).set(p.v[k]);
  }
  const singular = b.triangulate(0, count);
  // Copies: a view on wasm memory must never be moved (it would detach the engine).
  const out: TriangulateRangeResult = {
    singular,
    x: b.x.slice(0, count),
    y: b.y.slice(0, count),
    z: b.z.slice(0, count),
    gap: b.rayGap.slice(0, count),
    distances: p.rayDistances ? Array.from({ length: V }, (_, k) => b!.rayDistance(k).slice(0, count)) : [],
  };
  return withTransfer(out, [out.x, out.y, out.z, out.gap, ...out.distances].map((c) => c.buffer as ArrayBuffer));
}

export interface TriangulateSharedPayload {
  handle: SharedEngineHandle;
  from: number;
  to: number;
  /** Cases per column (the batch's capacity: the stride). */
  n: number;
  views: number;
  detectorZ: number;
  ptr: { sourceX: number; sourceZ: number; u: number; v: number; x: number; y: number; z: number; distances: number; gap: number };
}

/** The `triangulateShared` task: cases [from, to) of a batch in shared memory, in place; returns the singular count. */
export async function triangulateSharedTask(p: TriangulateSharedPayload): Promise<number> {
  const engine = await attachSharedEngine(p.handle);
  const limit = engine.wasm.memory.buffer.byteLength;
  const q = p.ptr;
  const ok = [p.from, p.to, p.n, p.views].every(Number.isSafeInteger) && p.views >= 2 && p.n >= 1 && p.from >= 0 && p.from <= p.to && p.to <= p.n
    && [q.u, q.v].every((c) => c > 0 && c + p.views * p.n * 8 <= limit) && [q.x, q.y, q.z, q.gap].every((c) => c > 0 && c + p.n * 8 <= limit)
    && (q.distances === 0 || q.distances + p.views * p.n * 8 <= limit);
  if (!ok) throw new EngineError('invalid_batch', 'triangulateShared: the range or the columns lie outside the shared memory');
  return engine.wasm.triangulate(p.from, p.to, p.n, p.views, q.sourceX, q.sourceZ, p.detectorZ, q.u, q.v, q.x, q.y, q.z, q.distances, q.gap);
}

export interface ParallelOptions {
  /** Cases per task (default DEFAULT_CHUNK). Results do not depend on it. */
  chunk?: number;
  /** Range of cases to compute (default: all). */
  from?: number;
  to?: number;
  /** Tasks in flight at once (default: twice the pool's size). */
  inFlight?: number;
}

/**
 * Triangulates cases [from, to) of `batch` on the pool's workers and writes x, y, z,
 * the two-view gap and (if reserved) the ray distances into the batch's columns.
 * Returns the number of singular cases, as `batch.triangulate()` does.
 */
export async function triangulateParallel(pool: WorkerPool, batch: TriangulationBatch, options: ParallelOptions = {}): Promise<number> {
  const from = options.from ?? 0, to = options.to ?? batch.capacity;
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > batch.capacity) {
    throw new EngineError('invalid_batch', `the range must satisfy 0 <= from <= to <= ${batch.capacity} in whole numbers, received [${from}, ${to})`);
  }
  if (!Number.isInteger(chunk) || chunk < 1) throw new EngineError('invalid_batch', `chunk must be a whole number >= 1, received ${chunk}`);
  const V = batch.views;
  const rayDistances = batch.ptr.distances !== 0;
  const geometry = batch.geometry, angles = [...batch.angles];
  const limit = Math.max(1, options.inFlight ?? 2 * pool.size);
  let singular = 0;
  let next = from;
  let failure: unknown;

  const shared = batch.engine.shared;
  const p = batch.ptr;
  const runShared = async (a: number, b: number): Promise<void> => {
    const payload: TriangulateSharedPayload = {
      handle: shared!, from: a, to: b, n: batch.capacity, views: V, detectorZ: batch.detectorZ,
      ptr: { sourceX: p.sourceX, sourceZ: p.sourceZ, u: p.u, v: p.v, x: p.x, y: p.y, z: p.z, distances: p.distances, gap: p.gap },
    };
    // Await first: `singular += await ...` would read singular before the wait and lose other lanes' counts.
    const count = await pool.run<number>('triangulateShared', payload);
    singular += count;
  };
  const runCopy = async (a: number, b: number): Promise<void> => {
    const u = Array.from({ length: V }, (_, k) => batch.u(k).slice(a, b));
    const v = Array.from({ length: V }, (_, k) => batch.v(k).slice(a, b));
    const payload: TriangulateRangePayload = { geometry, angles, u, v, rayDistances };
    const r = await pool.run<TriangulateRangeResult>('triangulateRange', payload, { transfer: [...u, ...v].map((c) => c.buffer as ArrayBuffer) });
    singular += r.singular;
    batch.x.set(r.x, a);
    batch.y.set(r.y, a);
    batch.z.set(r.z, a);
    batch.rayGap.set(r.gap, a);
    for (let k = 0; k < r.distances.length; k++) batch.rayDistance(k).set(r.distances[k], a);
  };
  const lane = async (): Promise<void> => {
    while (next < to && failure === undefined) {
      const a = next;
      const b = Math.min(to, a + chunk);
      next = b;
      try {
        await (shared ? runShared(a, b) : runCopy(a, b));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  if (failure !== undefined) throw failure;
  return singular;
}
