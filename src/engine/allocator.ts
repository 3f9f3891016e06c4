/**
 * The block allocator behind every batch's columns in WebAssembly memory.
 *
 * Blocks are freed in any order: freed blocks go to an address-ordered free list and
 * merge with free neighbours; a free block that ends at the top lowers the top. A
 * reservation takes the first free block large enough (splitting it), or else
 * extends the top, growing memory when needed. Every offset is a plain JS number and
 * every reservation is checked, before anything changes, against the address limit
 * (4 GiB: offsets are 32-bit in wasm32, 65536 pages of 64 KiB): a refusal is an
 * EngineError `engine_capacity` and leaves the allocator exactly as it was. Every
 * block is handed out zeroed (memory used before is cleared; fresh memory is zero),
 * so no batch ever reads another's stale numbers.
 */
import { EngineError } from '../core/errors.js';

export const WASM_PAGE_BYTES = 65536;
/** wasm32 addresses 65536 pages: 4 GiB, the largest memory a 32-bit offset reaches. */
export const MAX_WASM_PAGES = 65536;
export const ADDRESS_LIMIT = WASM_PAGE_BYTES * MAX_WASM_PAGES;
/** Every block starts and ends on this boundary (f64x2 loads and stores). */
export const BLOCK_ALIGN = 16;

/** Bytes a request for `bytes` occupies: rounded up to the alignment, at least one unit. */
export function blockSize(bytes: number): number {
  return Math.max(BLOCK_ALIGN, Math.ceil(bytes / BLOCK_ALIGN) * BLOCK_ALIGN);
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

export interface AllocatorHost {
  /** Current memory size in bytes. */
  size(): number;
  /** Grows memory to at least `bytes`; returns false when the engine refuses. */
  growTo(bytes: number): boolean;
  /** Told of every move of the top (for the wasm side's heapTop). */
  topChanged?(top: number): void;
  /** Zeroes bytes [start, end) (memory handed out before, now handed out again). */
  clear?(start: number, end: number): void;
}

export class BlockAllocator {
  /** First byte the allocator may hand out. */
  readonly base: number;
  /** One past the last byte it may hand out. */
  readonly limit: number;
  private _top: number;
  /** Highest top ever reached: memory above it is still as grown (zero). */
  private highWater: number;
  /** Free blocks below the top, address-ordered, never adjacent (merged). */
  private readonly freeStart: number[] = [];
  private readonly freeEnd: number[] = [];
  /** Live blocks: start -> size. */
  private readonly live = new Map<number, number>();

  constructor(private readonly host: AllocatorHost, base: number, limit = ADDRESS_LIMIT) {
    this.base = Math.ceil(base / BLOCK_ALIGN) * BLOCK_ALIGN;
    this.limit = Math.min(limit, ADDRESS_LIMIT);
    this._top = this.base;
    this.highWater = this.base;
  }

  /** End of the highest live block (or the base). */
  get top(): number { return this._top; }
  /** Bytes in live blocks. */
  get liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }
  get liveBlocks(): number { return this.live.size; }
  /** Free blocks below the top (after merging). */
  get freeBlocks(): number { return this.freeStart.length; }

  /**
   * Reserves `bytes` and returns the block's byte offset. Throws EngineError
   * `engine_capacity` when the block cannot fit under the limit or memory cannot
   * grow; nothing changes then.
   */
  reserve(bytes: number, what = 'a block'): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new EngineError('engine_capacity', `${what}: cannot reserve ${bytes} bytes`);
    }
    const size = blockSize(bytes);
    for (let i = 0; i < this.freeStart.length; i++) {
      const start = this.freeStart[i];
      if (this.freeEnd[i] - start >= size) {
        if (this.freeEnd[i] - start === size) {
          this.freeStart.splice(i, 1);
          this.freeEnd.splice(i, 1);
        } else {
          this.freeStart[i] = start + size;
        }
        this.live.set(start, size);
        this.host.clear?.(start, start + size);
        return start;
      }
    }
    const start = this._top;
    const end = start + size;
    if (end > this.limit) {
      throw new EngineError('engine_capacity',
        `${what} needs ${mib(size)} of WebAssembly memory, but only ${mib(Math.max(0, this.limit - start))} remain under the ${mib(this.limit)} limit (32-bit offsets); dispose batches or use smaller ones`);
    }
    if (end > this.host.size() && !this.host.growTo(end)) {
      throw new EngineError('engine_capacity',
        `${what} needs ${mib(size)}, and the JavaScript engine refused to grow WebAssembly memory to ${mib(end)}; dispose batches or use smaller ones`);
    }
    this._top = end;
    this.live.set(start, size);
    if (start < this.highWater) this.host.clear?.(start, Math.min(end, this.highWater));
    if (end > this.highWater) this.highWater = end;
    this.host.topChanged?.(end);
    return start;
  }

  /** Frees the block at `start` (a value reserve returned); freeing twice is a no-op. */
  release(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) return;
    this.live.delete(start);
    let s = start, e = start + size;
    // Insertion point: first free block starting after s.
    let lo = 0, hi = this.freeStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeStart[mid] < s) lo = mid + 1; else hi = mid;
    }
    let i = lo;
    if (i > 0 && this.freeEnd[i - 1] === s) {
      i--;
      s = this.freeStart[i];
      this.freeStart.splice(i, 1);
      this.freeEnd.splice(i, 1);
    }
    if (i < this.freeStart.length && this.freeStart[i] === e) {
      e = this.freeEnd[i];
      this.freeStart.splice(i, 1);
      this.freeEnd.splice(i, 1);
    }
    if (e === this._top) {
      this._top = s;
      this.host.topChanged?.(s);
    } else {
      this.freeStart.splice(i, 0, s);
      this.freeEnd.splice(i, 0, e);
    }
  }

  /** Size of the live block at `start`, or undefined. */
  sizeOf(start: number): number | undefined {
    return this.live.get(start);
  }
}
