/**
 * One WebAssembly instance, loaded once, asynchronously (browsers refuse large
 * synchronous compiles on the main thread). The f64x2 build is used wherever the
 * engine validates it; the scalar build everywhere else, or on request.
 */
import { EngineError } from '../core/errors.js';
import type { KernelExports, KernelKind } from './kernels.js';
import { scalarWasm, simdWasm } from './wasm-binary.generated.js';

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

const bytesCache: Partial<Record<KernelKind, Uint8Array>> = {};
function wasmBytes(kind: KernelKind): Uint8Array {
  return (bytesCache[kind] ??= decodeBase64(kind === 'simd' ? simdWasm : scalarWasm));
}

/** True when this engine can run the f64x2 build. */
export function simdSupported(): boolean {
  if (typeof WebAssembly === 'undefined') return false;
  return WebAssembly.validate(wasmBytes('simd') as BufferSource);
}

function envChoice(): KernelChoice | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.STEREOTAX_KERNEL;
  return v === 'simd' || v === 'scalar' ? v : undefined;
}

export class Engine {
  readonly kernel: KernelKind;
  readonly wasm: KernelExports;
  private f64cache: Float64Array | undefined;

  constructor(kernel: KernelKind, exports: KernelExports) {
    this.kernel = kernel;
    this.wasm = exports;
  }

  /** A Float64Array over the whole of wasm memory; rebuilt after memory grows. */
  get heap(): Float64Array {
    const buf = this.wasm.memory.buffer;
    if (!this.f64cache || this.f64cache.buffer !== buf) this.f64cache = new Float64Array(buf);
    return this.f64cache;
  }

  /** Reserves `count` f64 slots and returns their byte offset. */
  reserveF64(count: number): number {
    const ptr = this.wasm.reserve(count * 8);
    if (ptr === 0) {
      throw new EngineError('out_of_memory', `could not reserve ${count} numbers in WebAssembly memory`);
    }
    return ptr;
  }

  /** A Float64Array view of `length` numbers at byte offset `ptr` (detached if memory later grows). */
  view(ptr: number, length: number): Float64Array {
    return new Float64Array(this.wasm.memory.buffer, ptr, length);
  }

  private readonly regions: { start: number; live: boolean }[] = [];

  /** Starts a region of reservations that is freed as one; returns its handle. */
  open(): number {
    this.regions.push({ start: this.wasm.heapTop(), live: true });
    return this.regions.length - 1;
  }

  /** Frees a region; memory is rolled back past every freed region at the top (LIFO reuse). */
  free(region: number): void {
    const r = this.regions[region];
    if (!r) return;
    r.live = false;
    while (this.regions.length && !this.regions[this.regions.length - 1].live) {
      this.wasm.release(this.regions.pop()!.start);
    }
  }
}

const instances: Partial<Record<KernelKind, Promise<Engine>>> = {};

async function instantiate(kind: KernelKind): Promise<Engine> {
  if (typeof WebAssembly === 'undefined') {
    throw new EngineError('engine_unavailable', 'WebAssembly is not available in this JavaScript environment');
  }
  const bytes = wasmBytes(kind);
  const module = await WebAssembly.compile(bytes as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: {} });
  return new Engine(kind, instance.exports as unknown as KernelExports);
}

/** Loads (once per build) and returns the engine. */
export function loadEngine(options: LoadOptions = {}): Promise<Engine> {
  let choice = options.kernel ?? 'auto';
  if (choice === 'auto') choice = envChoice() ?? 'auto';
  const kind: KernelKind = choice === 'auto' ? (simdSupported() ? 'simd' : 'scalar') : choice;
  if (kind === 'simd' && !simdSupported()) {
    return Promise.reject(new EngineError('simd_unsupported', 'this WebAssembly engine does not support SIMD; use kernel "scalar" or "auto"'));
  }
  return (instances[kind] ??= instantiate(kind).catch((err) => {
    delete instances[kind];
    throw err instanceof EngineError ? err : new EngineError('engine_unavailable', `could not load the ${kind} WebAssembly build: ${(err as Error).message}`);
  }));
}
