/**
 * Many points against one ellipsoid, in wasm memory: fill `x`, `y`, `z` in place
 * (specimen frame, mm), call `run()`, read `signed` (positive outside) and the
 * nearest surface point `nearestX/Y/Z`. The hot part of margins for a cluster of
 * calcifications, and of marker checks.
 */
import type { Engine } from '../engine/engine.js';
import { EngineError } from '../core/errors.js';
import type { V3 } from './distance.js';

export class EllipsoidDistanceBatch {
  readonly engine: Engine;
  readonly capacity: number;
  readonly center: V3;
  readonly semiAxes: V3;
  /** Frame axes ordered by decreasing semi-axis: the kernel's working frame. */
  private readonly order: [number, number, number];
  private readonly ptr: { in: number; signed: number; near: number };
  private readonly block: number;
  private disposed = false;
  /** Held views, rebuilt only when wasm memory grows; buf is undefined after dispose. */
  private buf: ArrayBufferLike | undefined;
  private cols: Float64Array[] = [];

  constructor(engine: Engine, options: { capacity: number; center: V3; semiAxes: V3 }) {
    const { capacity, center, semiAxes } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new EngineError('invalid_batch', `capacity must be a whole number >= 1, received ${capacity}`);
    if (!semiAxes.every((a) => a > 0 && Number.isFinite(a))) throw new EngineError('invalid_batch', 'semi-axes must be finite and > 0');
    if (!center.every((c) => Number.isFinite(c))) throw new EngineError('invalid_batch', 'the centre must be finite');
    this.engine = engine;
    this.capacity = capacity;
    this.center = [...center];
    this.semiAxes = [...semiAxes];
    this.order = [0, 1, 2].sort((i, j) => semiAxes[j] - semiAxes[i]) as [number, number, number];
    // Seven columns in one block: x, y, z, signed, nearest x, y, z.
    const column = Math.ceil((capacity * 8) / 16) * 16;
    this.block = engine.reserve(7 * column, `a distance batch of ${capacity} points`);
    this.ptr = { in: this.block, signed: this.block + 3 * column, near: this.block + 4 * column };
    this.stride = column;
  }

  /** Bytes from one column to the next. */
  private readonly stride: number;

  private col(i: number): Float64Array {
    if (this.engine.wasm.memory.buffer !== this.buf) {
      if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
      const buf = this.engine.wasm.memory.buffer;
      this.cols = Array.from({ length: 7 }, (_, k) => new Float64Array(buf, this.block + k * this.stride, this.capacity));
      this.buf = buf;
    }
    return this.cols[i];
  }

  /** Point coordinates (views into wasm memory: fill in place). */
  get x(): Float64Array { return this.col(0); }
  get y(): Float64Array { return this.col(1); }
  get z(): Float64Array { return this.col(2); }
  /** Signed distance to the surface, positive outside. */
  get signed(): Float64Array { return this.col(3); }
  get nearestX(): Float64Array { return this.col(4); }
  get nearestY(): Float64Array { return this.col(5); }
  get nearestZ(): Float64Array { return this.col(6); }

  /** Computes the first `count` points (default all). */
  run(count = this.capacity): void {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
    const [i, j, k] = this.order;
    if (!Number.isInteger(count) || count < 0 || count > this.capacity) {
      throw new EngineError('invalid_batch', `count must be a whole number from 0 to ${this.capacity}, received ${count}`);
    }
    const a = this.semiAxes, c = this.center, n = this.stride;
    const p = this.ptr;
    this.engine.wasm.ellipsoidDistances(count, a[i], a[j], a[k], c[i], c[j], c[k],
      p.in + i * n, p.in + j * n, p.in + k * n,
      p.signed, p.near + i * n, p.near + j * n, p.near + k * n);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buf = undefined;
    this.cols = [];
    this.engine.release(this.block);
  }
}
