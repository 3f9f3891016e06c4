/**
 * Structure-of-arrays columns in wasm memory for many cases that share one unit
 * geometry and one set of views. Fill `u(k)`/`v(k)` in place, call `triangulate()`
 * (or `triangulate(from, to)` chunk by chunk), read `x`, `y`, `z`: no copies cross
 * the JS/wasm boundary.
 *
 * Memory: one block per batch, holding only the columns asked for (the classic
 * estimate's three columns are reserved on its first use). Every getter returns a
 * view it holds, rebuilt only when wasm memory grows (growth detaches old views).
 * A batch too large for the 4 GiB of wasm32 is refused with EngineError
 * `engine_capacity`; the engine and every other batch keep working.
 */
import { EngineError } from '../core/errors.js';
import { detectorGap, detectorPlaneZ, sourcePosition, tanDeg, type UnitGeometry, type Vec3 } from './geometry.js';
import type { Engine } from '../engine/engine.js';
import { ADDRESS_LIMIT } from '../engine/allocator.js';

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
  /**
   * Reserve and compute each view's ray distance (default true). With two views
   * both equal rayGap / 2; `false` saves V columns and their stores.
   */
  rayDistances?: boolean;
}

export const COVARIANCE_TERMS = ['xx', 'xy', 'xz', 'yy', 'yz', 'zz'] as const;
export type CovarianceTerm = (typeof COVARIANCE_TERMS)[number];

/** Bytes of a column segment of `count` numbers, kept on 16-byte boundaries. */
const seg = (count: number) => Math.ceil((count * 8) / 16) * 16;

function invalid(message: string): EngineError {
  return new EngineError('invalid_batch', message);
}

/** Byte layout of a batch's block: offsets relative to its start, and its size. */
function layout(n: number, V: number, o: { covariance?: boolean; jacobian?: boolean; rayDistances?: boolean }) {
  let at = 0;
  const put = (count: number) => {
    const start = at;
    at += seg(count);
    return start;
  };
  const sourceX = put(V), sourceZ = put(V);
  const u = put(V * n), v = put(V * n);
  const x = put(n), y = put(n), z = put(n);
  const distances = o.rayDistances === false ? -1 : put(V * n);
  const gap = put(n);
  const covariance = o.covariance ? put(6 * n) : -1;
  const jacobian = o.jacobian ? put(6 * V * n) : -1;
  return { offsets: { sourceX, sourceZ, u, v, x, y, z, distances, gap, covariance, jacobian }, bytes: at };
}

/** Bytes of wasm memory a batch with these options reserves (classic excluded). */
export function batchBytes(options: Pick<TriangulationBatchOptions, 'capacity' | 'angles' | 'covariance' | 'jacobian' | 'rayDistances'>): number {
  return layout(options.capacity, options.angles.length, options).bytes;
}

const EMPTY = new Float64Array(0);

export class TriangulationBatch {
  readonly engine: Engine;
  readonly capacity: number;
  readonly views: number;
  private _angles: number[] = [];
  private _geometry!: UnitGeometry;
  private _detectorZ = 0;
  /** Byte offsets of each block in wasm memory (0: not reserved). */
  readonly ptr: {
    sourceX: number; sourceZ: number; u: number; v: number; x: number; y: number; z: number;
    distances: number; gap: number; classic: number; covariance: number; jacobian: number;
  };
  private readonly block: number;
  private disposed = false;
  /** The buffer the held views are over; undefined after dispose. */
  private buf: ArrayBufferLike | undefined;
  private cSourceX = EMPTY; private cSourceZ = EMPTY;
  private cU: Float64Array[] = []; private cV: Float64Array[] = [];
  private cX = EMPTY; private cY = EMPTY; private cZ = EMPTY; private cGap = EMPTY;
  private cDist: Float64Array[] = []; private cCov: Float64Array[] = []; private cJac: Float64Array[] = [];
  private cClassic = EMPTY;

  constructor(engine: Engine, options: TriangulationBatchOptions) {
    const { capacity, angles } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw invalid(`capacity must be a whole number >= 1, received ${capacity}`);
    if (!Array.isArray(angles) || angles.length < 2) throw invalid('a triangulation needs at least two views');
    this.engine = engine;
    this.capacity = capacity;
    this.views = angles.length;
    const V = this.views;
    const plan = layout(capacity, V, options);
    const what = `a triangulation batch of ${capacity} cases and ${V} views`;
    if (plan.bytes > ADDRESS_LIMIT) {
      throw new EngineError('engine_capacity',
        `${what} needs ${(plan.bytes / 2 ** 30).toFixed(2)} GiB, more than the 4 GiB WebAssembly (wasm32) can address; split it into batches of at most ${Math.floor(capacity * (ADDRESS_LIMIT / plan.bytes) / 2)} cases`);
    }
    this.block = engine.reserve(plan.bytes, what);
    const b = this.block, o = plan.offsets;
    const rel = (off: number) => (off < 0 ? 0 : b + off);
    this.ptr = {
      sourceX: rel(o.sourceX), sourceZ: rel(o.sourceZ), u: rel(o.u), v: rel(o.v),
      x: rel(o.x), y: rel(o.y), z: rel(o.z), distances: rel(o.distances), gap: rel(o.gap),
      classic: 0, covariance: rel(o.covariance), jacobian: rel(o.jacobian),
    };
    try {
      this.configure(options.geometry, angles);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  get angles(): readonly number[] { return this._angles; }
  get geometry(): UnitGeometry { return this._geometry; }
  /** z of the detector's image plane. */
  get detectorZ(): number { return this._detectorZ; }

  /** Points the batch at another unit geometry and set of angles (same view count). */
  configure(geometry: UnitGeometry, angles: readonly number[]): void {
    if (angles.length !== this.views) throw invalid(`this batch holds ${this.views} views, received ${angles.length} angles`);
    this._geometry = { ...geometry };
    this._angles = [...angles];
    this._detectorZ = detectorPlaneZ(geometry);
    const s: Vec3 = { x: 0, y: 0, z: 0 };
    const sx = this.sourceX;
    const sz = this.sourceZ;
    for (let k = 0; k < angles.length; k++) {
      sourcePosition(s, geometry, angles[k]);
      sx[k] = s.x;
      sz[k] = s.z;
    }
  }

  /** Rebuilds every held view over the current buffer (after growth), or refuses after dispose. */
  private refresh(): void {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
    const buf = this.engine.wasm.memory.buffer;
    const n = this.capacity, V = this.views, p = this.ptr;
    const col = (ptr: number, i: number) => new Float64Array(buf, ptr + i * n * 8, n);
    const cols = (ptr: number, count: number) => (ptr === 0 ? [] : Array.from({ length: count }, (_, i) => col(ptr, i)));
    this.cSourceX = new Float64Array(buf, p.sourceX, V);
    this.cSourceZ = new Float64Array(buf, p.sourceZ, V);
    this.cU = cols(p.u, V);
    this.cV = cols(p.v, V);
    this.cX = col(p.x, 0);
    this.cY = col(p.y, 0);
    this.cZ = col(p.z, 0);
    this.cGap = col(p.gap, 0);
    this.cDist = cols(p.distances, V);
    this.cCov = cols(p.covariance, 6);
    this.cJac = cols(p.jacobian, 6 * V);
    this.cClassic = p.classic === 0 ? EMPTY : new Float64Array(buf, p.classic, 3 * n);
    this.buf = buf;
  }

  private fresh(): void {
    if (this.engine.wasm.memory.buffer !== this.buf) this.refresh();
  }

  /** Column i of a held set (call fresh() first: it may replace the set). */
  private pick(cols: Float64Array[], i: number, name: string, count: number): Float64Array {
    const c = cols[i];
    if (c !== undefined) return c;
    if (cols.length === 0) throw new EngineError('column_not_reserved', `the ${name} columns were not reserved for this batch`);
    throw invalid(`${name} index must be a whole number from 0 to ${count - 1}, received ${i}`);
  }

  /** Source positions (x, z) of every view; y is 0. */
  get sourceX(): Float64Array { this.fresh(); return this.cSourceX; }
  get sourceZ(): Float64Array { this.fresh(); return this.cSourceZ; }
  /** Detector u (mm) of view k's marks, one per case. */
  u(k: number): Float64Array { this.fresh(); return this.pick(this.cU, k, 'view', this.views); }
  /** Detector v (mm) of view k's marks, one per case. */
  v(k: number): Float64Array { this.fresh(); return this.pick(this.cV, k, 'view', this.views); }
  get x(): Float64Array { this.fresh(); return this.cX; }
  get y(): Float64Array { this.fresh(); return this.cY; }
  get z(): Float64Array { this.fresh(); return this.cZ; }
  /** Perpendicular distance from the target to view k's ray (reserved unless rayDistances: false). */
  rayDistance(k: number): Float64Array { this.fresh(); return this.pick(this.cDist, k, 'ray distance', this.views); }
  /** Shortest distance between the rays of views 0 and 1 (or of the last pairGap call). */
  get rayGap(): Float64Array { this.fresh(); return this.cGap; }
  covariance(term: CovarianceTerm): Float64Array {
    this.fresh();
    return this.pick(this.cCov, COVARIANCE_TERMS.indexOf(term), 'covariance', 6);
  }
  /** d(target[row]) / d(mark): row 0..2 for x, y, z; mark 2k is u of view k, 2k+1 its v. */
  jacobianColumn(row: number, mark: number): Float64Array {
    const marks = 2 * this.views;
    const ok = Number.isInteger(row) && row >= 0 && row < 3 && Number.isInteger(mark) && mark >= 0 && mark < marks;
    this.fresh();
    return this.pick(this.cJac, ok ? row * marks + mark : -1, 'Jacobian', 3 * marks);
  }

  /**
   * Triangulates cases [from, to) (default: all); returns how many were singular
   * (their outputs are NaN). Chunks give the same bits as one call.
   */
  triangulate(from?: number, to?: number): number {
    this.live();
    // Every case (no arguments) needs no range check: the single-request path calls it so.
    if (from !== undefined || to !== undefined) this.checkRange(from ?? 0, to ?? this.capacity);
    const p = this.ptr;
    return this.engine.wasm.triangulate(from ?? 0, to ?? this.capacity, this.capacity, this.views, p.sourceX, p.sourceZ, this._detectorZ,
      p.u, p.v, p.x, p.y, p.z, p.distances, p.gap);
  }

  private checkRange(from: number, to: number): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > this.capacity) {
      throw invalid(`the range must satisfy 0 <= from <= to <= ${this.capacity} in whole numbers, received [${from}, ${to})`);
    }
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
    const V = this.views;
    if (!Number.isInteger(j) || !Number.isInteger(k) || j < 0 || k < 0 || j >= V || k >= V || j === k) {
      throw invalid(`pairGap needs two different views from 0 to ${V - 1}, received ${j} and ${k}`);
    }
    const p = this.ptr;
    this.engine.wasm.rayGap(this.capacity, j, k, p.sourceX, p.sourceZ, this._detectorZ, p.u, p.v, p.gap);
  }

  /**
   * The parallel-beam estimate of case 0 for a symmetric pair: `plus` is the view at
   * +angle, `minus` the one at -angle. Returns the point; the columns hold every case
   * (reserved on first use).
   */
  classic(plus: number, minus: number, angle: number): Vec3 {
    this.live();
    const p = this.ptr;
    if (this.views !== 2) throw new EngineError('column_not_reserved', 'the classic estimate needs a two-view batch');
    if ((plus !== 0 && plus !== 1) || minus !== 1 - plus) throw invalid(`classic needs views 0 and 1, received ${plus} and ${minus}`);
    const n = this.capacity;
    if (p.classic === 0) p.classic = this.engine.reserve(seg(3 * n), `the classic columns of ${n} cases`);
    this.engine.wasm.classic(n, tanDeg(angle), detectorGap(this._geometry),
      p.u + plus * n * 8, p.v + plus * n * 8, p.u + minus * n * 8, p.v + minus * n * 8,
      p.classic, p.classic + n * 8, p.classic + 2 * n * 8);
    if (this.cClassic.length === 0) this.buf = undefined;
    this.fresh();
    const c = this.cClassic;
    return { x: c[0], y: c[n], z: c[2 * n] };
  }

  private live(): void {
    if (this.disposed) throw new EngineError('batch_disposed', 'this batch has been disposed');
  }

  /** Gives the memory back at once, whatever the order batches are disposed in. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buf = undefined;
    this.cU = this.cV = this.cDist = this.cCov = this.cJac = [];
    this.cSourceX = this.cSourceZ = this.cX = this.cY = this.cZ = this.cGap = this.cClassic = EMPTY;
    this.engine.release(this.block);
    if (this.ptr.classic !== 0) this.engine.release(this.ptr.classic);
  }
}
