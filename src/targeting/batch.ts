/**
 * Structure-of-arrays columns in wasm memory for many cases that share one unit
 * geometry and one set of views. Fill `u(k)`/`v(k)` in place, call `triangulate()`,
 * read `x`, `y`, `z`: no copies cross the JS/wasm boundary.
 */
import { EngineError } from '../core/errors.js';
import { detectorGap, detectorPlaneZ, sourcePosition, tanDeg, type UnitGeometry, type Vec3 } from './geometry.js';
import type { Engine } from '../engine/engine.js';

export interface TriangulationBatchOptions {
  /** Number of cases the columns hold. */
  capacity: number;
  /** Unit geometry shared by every case (mm). */
  geometry: UnitGeometry;
  /** View angles in degrees, at least two, distinct. */
  angles: readonly number[];
  /** Also reserve the six covariance columns (default false). */
  covariance?: boolean;
  /** Also reserve the 3 x 2V Jacobian columns (default false). */
  jacobian?: boolean;
}

export const COVARIANCE_TERMS = ['xx', 'xy', 'xz', 'yy', 'yz', 'zz'] as const;
export type CovarianceTerm = (typeof COVARIANCE_TERMS)[number];

export class TriangulationBatch {
  readonly engine: Engine;
  readonly capacity: number;
  readonly views: number;
  private _angles: number[] = [];
  private _geometry!: UnitGeometry;
  private _detectorZ = 0;
  /** Byte offsets of each block in wasm memory. */
  readonly ptr: {
    sourceX: number; sourceZ: number; u: number; v: number; x: number; y: number; z: number;
    distances: number; gap: number; classic: number; covariance: number; jacobian: number;
  };
  private readonly region: number;
  private disposed = false;
  private cachedBuffer: ArrayBufferLike | undefined;
  private cols: Record<string, Float64Array> = {};

  constructor(engine: Engine, options: TriangulationBatchOptions) {
    const { capacity, angles } = options;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number >= 1, received ${capacity}`);
    if (angles.length < 2) throw new RangeError('a triangulation needs at least two views');
    this.engine = engine;
    this.capacity = capacity;
    this.views = angles.length;
    const V = this.views;
    const n = capacity;
    this.region = engine.open();
    const sourceX = engine.reserveF64(V);
    const sourceZ = engine.reserveF64(V);
    this.ptr = {
      sourceX,
      sourceZ,
      u: engine.reserveF64(V * n),
      v: engine.reserveF64(V * n),
      x: engine.reserveF64(n),
      y: engine.reserveF64(n),
      z: engine.reserveF64(n),
      distances: engine.reserveF64(V * n),
      gap: engine.reserveF64(n),
      classic: V === 2 ? engine.reserveF64(3 * n) : 0,
      covariance: options.covariance ? engine.reserveF64(6 * n) : 0,
      jacobian: options.jacobian ? engine.reserveF64(6 * V * n) : 0,
    };
    this.configure(options.geometry, angles);
  }

  get angles(): readonly number[] { return this._angles; }
  get geometry(): UnitGeometry { return this._geometry; }
  /** z of the detector's image plane. */
  get detectorZ(): number { return this._detectorZ; }

  /** Points the batch at another unit geometry and set of angles (same view count). */
  configure(geometry: UnitGeometry, angles: readonly number[]): void {
    if (angles.length !== this.views) throw new RangeError(`this batch holds ${this.views} views, received ${angles.length} angles`);
    this._geometry = { ...geometry };
    this._angles = [...angles];
    this._detectorZ = detectorPlaneZ(geometry);
    const s: Vec3 = { x: 0, y: 0, z: 0 };
    const sx = this.sourceX;
    const sz = this.sourceZ;
    angles.forEach((a, k) => {
      sourcePosition(s, geometry, a);
      sx[k] = s.x;
      sz[k] = s.z;
    });
  }

  private column(name: string, ptr: number, length: number): Float64Array {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
    if (ptr === 0) throw new EngineError('column_not_reserved', `the ${name} columns were not reserved for this batch`);
    const buf = this.engine.wasm.memory.buffer;
    if (buf !== this.cachedBuffer) {
      this.cols = {};
      this.cachedBuffer = buf;
    }
    return (this.cols[name] ??= this.engine.view(ptr, length));
  }

  /** Source positions (x, z) of every view; y is 0. */
  get sourceX(): Float64Array { return this.column('sourceX', this.ptr.sourceX, this.views); }
  get sourceZ(): Float64Array { return this.column('sourceZ', this.ptr.sourceZ, this.views); }
  /** Detector u (mm) of view k's marks, one per case. */
  u(k: number): Float64Array { return this.column(`u${k}`, this.ptr.u + k * this.capacity * 8, this.capacity); }
  /** Detector v (mm) of view k's marks, one per case. */
  v(k: number): Float64Array { return this.column(`v${k}`, this.ptr.v + k * this.capacity * 8, this.capacity); }
  get x(): Float64Array { return this.column('x', this.ptr.x, this.capacity); }
  get y(): Float64Array { return this.column('y', this.ptr.y, this.capacity); }
  get z(): Float64Array { return this.column('z', this.ptr.z, this.capacity); }
  /** Perpendicular distance from the target to view k's ray. */
  rayDistance(k: number): Float64Array { return this.column(`d${k}`, this.ptr.distances + k * this.capacity * 8, this.capacity); }
  /** Shortest distance between the rays of views 0 and 1 (or of the last pairGap call). */
  get rayGap(): Float64Array { return this.column('gap', this.ptr.gap, this.capacity); }
  covariance(term: CovarianceTerm): Float64Array {
    const t = COVARIANCE_TERMS.indexOf(term);
    return this.column(`c${term}`, this.ptr.covariance + t * this.capacity * 8, this.capacity);
  }
  /** d(target[row]) / d(mark): row 0..2 for x, y, z; mark 2k is u of view k, 2k+1 its v. */
  jacobianColumn(row: number, mark: number): Float64Array {
    const idx = row * 2 * this.views + mark;
    return this.column(`j${idx}`, this.ptr.jacobian + idx * this.capacity * 8, this.capacity);
  }

  /** Triangulates every case; returns how many were singular (their outputs are NaN). */
  triangulate(): number {
    this.live();
    const p = this.ptr;
    return this.engine.wasm.triangulate(this.capacity, this.views, p.sourceX, p.sourceZ, this._detectorZ,
      p.u, p.v, p.x, p.y, p.z, p.distances, p.gap);
  }

  /**
   * The Jacobian and/or the covariance sigma^2 J J^T of every case (whichever were
   * reserved), from the marks and the triangulated x, y, z: call triangulate first.
   */
  propagate(sigma: number): void {
    this.live();
    const p = this.ptr;
    this.engine.wasm.jacobian(this.capacity, this.views, p.sourceX, p.sourceZ, this._detectorZ, p.u, p.v, p.x, p.y, p.z, p.jacobian, p.covariance, sigma);
  }

  /** Writes the ray gap between views j and k of every case into `rayGap`. */
  pairGap(j: number, k: number): void {
    this.live();
    const p = this.ptr;
    this.engine.wasm.rayGap(this.capacity, j, k, p.sourceX, p.sourceZ, this._detectorZ, p.u, p.v, p.gap);
  }

  /**
   * The parallel-beam estimate of case 0 for a symmetric pair: `plus` is the view at
   * +angle, `minus` the one at -angle. Returns the point; the columns hold every case.
   */
  classic(plus: number, minus: number, angle: number): Vec3 {
    this.live();
    const p = this.ptr;
    if (p.classic === 0) throw new EngineError('column_not_reserved', 'the classic estimate needs a two-view batch');
    const n = this.capacity;
    this.engine.wasm.classic(n, tanDeg(angle), detectorGap(this._geometry),
      p.u + plus * n * 8, p.v + plus * n * 8, p.u + minus * n * 8, p.v + minus * n * 8,
      p.classic, p.classic + n * 8, p.classic + 2 * n * 8);
    const c = this.column('classic', p.classic, 3 * n);
    return { x: c[0], y: c[n], z: c[2 * n] };
  }

  private live(): void {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
  }

  /** Gives the memory back; it is reused once every batch made after this one is disposed too. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.region);
  }
}
