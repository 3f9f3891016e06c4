/**
 * One WebAssembly instance, loaded once, asynchronously (browsers refuse large
 * synchronous compiles on the main thread). The f64x2 build is used wherever the
 * engine validates it; the scalar build everywhere else, or on request.
 */
import { EngineError } from '../core/errors.js';
import type { KernelExports, KernelKind } from './kernels.js';
import { BlockAllocator, WASM_PAGE_BYTES } from './allocator.js';
import { scalarWasm, simdSharedWasm, simdWasm } from './wasm-binary.generated.js';

export type KernelChoice = 'auto' | KernelKind;

export interface LoadOptions {
  /**
   * Which build to run. `auto` (default) takes SIMD when `WebAssembly.validate`
   * accepts it; the environment variable STEREOTAX_KERNEL=scalar|simd overrides `auto` in Node.
   */
  kernel?: KernelChoice;
}

function decodeBase64(text: string): Uint8Array {
  if (typeof atob === 'function') {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(text, 'base64'));
  throw new EngineError('engine_unavailable', 'no base64 decoder in this JavaScript environment');
}

const bytesCache: Partial<Record<KernelKind | 'simdShared', Uint8Array>> = {};
function wasmBytes(kind: KernelKind | 'simdShared'): Uint8Array {
  return (bytesCache[kind] ??= decodeBase64(kind === 'simd' ? simdWasm : kind === 'scalar' ? scalarWasm : simdSharedWasm));
}

let simd: boolean | undefined;
/** True when this engine can run the f64x2 build (validated once, then remembered: it cannot change). */
export function simdSupported(): boolean {
  if (simd === undefined) simd = typeof WebAssembly !== 'undefined' && WebAssembly.validate(wasmBytes('simd') as BufferSource);
  return simd;
}

function envChoice(): KernelChoice | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.STEREOTAX_KERNEL;
  return v === 'simd' || v === 'scalar' ? v : undefined;
}

/** What a worker needs to run kernels on a shared engine's memory in place. */
export interface SharedEngineHandle {
  /** Identifies the memory (workers cache their instance by it). */
  id: string;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

export class Engine {
  readonly kernel: KernelKind;
  readonly wasm: KernelExports;
  /** Set on engines from createSharedEngine: their memory can be worked on by other threads. */
  shared: SharedEngineHandle | undefined;
  /** The block allocator over this instance's memory (frees in any order, checks the 4 GiB limit). */
  readonly memory: BlockAllocator;
  private f64cache: Float64Array | undefined;

  constructor(kernel: KernelKind, exports: KernelExports, options: { memoryLimit?: number } = {}) {
    this.kernel = kernel;
    this.wasm = exports;
    const mem = exports.memory;
    this.memory = new BlockAllocator({
      size: () => mem.buffer.byteLength,
      growTo: (bytes) => {
        const pages = Math.ceil(bytes / WASM_PAGE_BYTES) - mem.buffer.byteLength / WASM_PAGE_BYTES;
        if (pages <= 0) return true;
        try {
          mem.grow(pages);
          return true;
        } catch {
          return false;
        }
      },
      topChanged: (top) => exports.setHeapTop(top),
      clear: (start, end) => new Uint8Array(mem.buffer, start, end - start).fill(0),
    }, exports.heapBase() >>> 0, options.memoryLimit);
  }

  /** A Float64Array over the whole of wasm memory; rebuilt after memory grows. */
  get heap(): Float64Array {
    const buf = this.wasm.memory.buffer;
    if (!this.f64cache || this.f64cache.buffer !== buf) this.f64cache = new Float64Array(buf);
    return this.f64cache;
  }

  /**
   * Reserves a zeroed block of `bytes` (16-byte aligned) and returns its byte offset.
   * Throws EngineError `engine_capacity` when it cannot fit; the engine keeps working.
   */
  reserve(bytes: number, what?: string): number {
    return this.memory.reserve(bytes, what);
  }

  /** Frees a block `reserve` returned, in any order. */
  release(ptr: number): void {
    this.memory.release(ptr);
  }

  /** Reserves `count` f64 slots (in the region opened last, if any) and returns their byte offset. */
  reserveF64(count: number): number {
    const ptr = this.memory.reserve(count * 8, `${count} numbers`);
    const region = this.regions.get(this.current);
    if (region) region.push(ptr);
    return ptr;
  }

  /** A Float64Array view of `length` numbers at byte offset `ptr` (detached if memory later grows). */
  view(ptr: number, length: number): Float64Array {
    return new Float64Array(this.wasm.memory.buffer, ptr, length);
  }

  private readonly regions = new Map<number, number[]>();
  private nextRegion = 1;
  private current = 0;

  /** Starts a region: reserveF64 calls until the next open() belong to it and are freed as one. */
  open(): number {
    const id = this.nextRegion++;
    this.regions.set(id, []);
    this.current = id;
    return id;
  }

  /** Frees every block of a region, in any order relative to other regions. */
  free(region: number): void {
    const blocks = this.regions.get(region);
    if (!blocks) return;
    this.regions.delete(region);
    if (this.current === region) this.current = 0;
    for (const ptr of blocks) this.memory.release(ptr);
  }
}

const instances: Partial<Record<KernelKind, Promise<Engine>>> = {};

async function instantiate(kind: KernelKind, memoryLimit?: number): Promise<Engine> {
  if (typeof WebAssembly === 'undefined') {
    throw new EngineError('engine_unavailable', 'WebAssembly is not available in this JavaScript environment');
  }
  const bytes = wasmBytes(kind);
  const module = await WebAssembly.compile(bytes as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: {} });
  return new Engine(kind, instance.exports as unknown as KernelExports, { memoryLimit });
}

function chooseKind(options: LoadOptions): KernelKind {
  let choice = options.kernel ?? 'auto';
  if (choice === 'auto') choice = envChoice() ?? 'auto';
  const kind: KernelKind = choice === 'auto' ? (simdSupported() ? 'simd' : 'scalar') : choice;
  if (kind === 'simd' && !simdSupported()) {
    throw new EngineError('simd_unsupported', 'this WebAssembly engine does not support SIMD; use kernel "scalar" or "auto"');
  }
  return kind;
}

function loadFailure(kind: KernelKind, err: unknown): EngineError {
  return err instanceof EngineError ? err : new EngineError('engine_unavailable', `could not load the ${kind} WebAssembly build: ${(err as Error).message}`);
}

/** Loads (once per build) and returns the engine. */
export function loadEngine(options: LoadOptions = {}): Promise<Engine> {
  let kind: KernelKind;
  try {
    kind = chooseKind(options);
  } catch (err) {
    return Promise.reject(err);
  }
  return (instances[kind] ??= instantiate(kind).catch((err) => {
    delete instances[kind];
    throw loadFailure(kind, err);
  }));
}

export interface CreateEngineOptions extends LoadOptions {
  /** Highest byte offset batches may reach (default and most: 4 GiB, the wasm32 limit). */
  memoryLimit?: number;
}

let sharedCount = 0;

/**
 * A new f64x2 engine whose memory is a shared WebAssembly.Memory (a SharedArrayBuffer):
 * worker threads instantiate the same kernels over it and compute ranges of a batch
 * in place, with no copies (`triangulateParallel`). Node, or a cross-origin isolated
 * page; elsewhere EngineError `engine_unavailable`.
 */
export async function createSharedEngine(options: Pick<CreateEngineOptions, 'memoryLimit'> = {}): Promise<Engine> {
  if (!simdSupported()) throw new EngineError('simd_unsupported', 'a shared engine needs WebAssembly SIMD');
  let memory: WebAssembly.Memory;
  let module: WebAssembly.Module;
  let instance: WebAssembly.Instance;
  try {
    memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    module = await WebAssembly.compile(wasmBytes('simdShared') as BufferSource);
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (err) {
    throw new EngineError('engine_unavailable', `shared WebAssembly memory is not available here: ${(err as Error).message}`);
  }
  const engine = new Engine('simd', instance.exports as unknown as KernelExports, { memoryLimit: options.memoryLimit });
  engine.shared = { id: `shared-${Date.now().toString(36)}-${++sharedCount}-${Math.random().toString(36).slice(2)}`, module, memory };
  return engine;
}

/** Instances over shared memories, per thread, by handle id. */
const attached = new Map<string, Engine>();

/** In a worker: the engine over a shared engine's memory (instantiated once per thread). */
export async function attachSharedEngine(handle: SharedEngineHandle): Promise<Engine> {
  let e = attached.get(handle.id);
  if (!e) {
    const instance = await WebAssembly.instantiate(handle.module, { env: { memory: handle.memory } });
    e = new Engine('simd', instance.exports as unknown as KernelExports);
    attached.set(handle.id, e);
    // Keep a few: a worker should not hold every memory it was ever shown.
    if (attached.size > 4) attached.delete(attached.keys().next().value!);
  }
  return e;
}

/** A new, separate engine instance with memory of its own (loadEngine shares one per build). */
export async function createEngine(options: CreateEngineOptions = {}): Promise<Engine> {
  const kind = chooseKind(options);
  try {
    return await instantiate(kind, options.memoryLimit);
  } catch (err) {
    throw loadFailure(kind, err);
  }
}
