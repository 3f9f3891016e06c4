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
  private readonly region: number;
  private disposed = false;

  constructor(engine: Engine, options: { capacity: number; center: V3; semiAxes: V3 }) {
    const { capacity, center, semiAxes } = options;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number >= 1, received ${capacity}`);
    if (!semiAxes.every((a) => a > 0 && Number.isFinite(a))) throw new RangeError('semi-axes must be finite and > 0');
    this.engine = engine;
    this.capacity = capacity;
    this.center = [...center];
    this.semiAxes = [...semiAxes];
    this.order = [0, 1, 2].sort((i, j) => semiAxes[j] - semiAxes[i]) as [number, number, number];
    this.region = engine.open();
    this.ptr = { in: engine.reserveF64(3 * capacity), signed: engine.reserveF64(capacity), near: engine.reserveF64(3 * capacity) };
  }

  private col(base: number, axis: number): Float64Array {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
    return this.engine.view(base + axis * this.capacity * 8, this.capacity);
  }

  /** Point coordinates (views into wasm memory: fill in place). */
  get x(): Float64Array { return this.col(this.ptr.in, 0); }
  get y(): Float64Array { return this.col(this.ptr.in, 1); }
  get z(): Float64Array { return this.col(this.ptr.in, 2); }
  /** Signed distance to the surface, positive outside. */
  get signed(): Float64Array { return this.col(this.ptr.signed, 0); }
  get nearestX(): Float64Array { return this.col(this.ptr.near, 0); }
  get nearestY(): Float64Array { return this.col(this.ptr.near, 1); }
  get nearestZ(): Float64Array { return this.col(this.ptr.near, 2); }

  /** Computes the first `count` points (default all). */
  run(count = this.capacity): void {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
    const [i, j, k] = this.order;
    const a = this.semiAxes, c = this.center, n = this.capacity;
    const p = this.ptr;
    this.engine.wasm.ellipsoidDistances(count, a[i], a[j], a[k], c[i], c[j], c[k],
      p.in + i * n * 8, p.in + j * n * 8, p.in + k * n * 8,
      p.signed, p.near + i * n * 8, p.near + j * n * 8, p.near + k * n * 8);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.region);
  }
}
