/**
 * A pool of worker threads that run named tasks (Node only). It knows nothing of
 * domains: the worker script (a bundled string, see src/workers/) holds the task
 * table. Work is split by the caller into fixed blocks whose results are combined
 * in block order, so a result never depends on how many workers ran it.
 *
 * node:worker_threads and node:os are imported only when a pool starts, so the
 * neutral bundle still loads in browsers (which never start one).
 */
import { EngineError, StereotaxError, type EngineErrorCode, type Issue } from '../core/errors.js';

export interface WorkerPoolOptions {
  /** Number of worker threads. Default: the machine's available parallelism. At least 1, at most 256. */
  size?: number;
}

export interface RunOptions {
  /** ArrayBuffers moved (not copied) to the worker; they are detached here afterwards. */
  transfer?: Transferable[];
  /**
   * Aborting rejects the task with an EngineError of code `aborted`. A queued task
   * is dropped; a running one has its worker terminated (and replaced), so even a
   * long kernel call stops at once.
   */
  signal?: AbortSignal;
}

/** What a worker posts back; see src/workers/entry.ts. */
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  issues?: Issue[];
}

/** Turns any thrown value into something structured clone carries. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof StereotaxError) return { name: err.name, message: err.message, code: err.code, issues: [...err.issues] };
  if (err instanceof EngineError) return { name: err.name, message: err.message, code: err.code };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** Rebuilds a worker's error as the class the caller would have seen in-thread. */
export function deserializeError(e: SerializedError, task: string): Error {
  if (e.name === 'StereotaxError' && e.issues?.length) return new StereotaxError(e.issues);
  if (e.name === 'EngineError') return new EngineError((e.code as EngineErrorCode | undefined) ?? 'worker_failed', e.message);
  return new EngineError('worker_failed', `task ${task} failed in a worker thread: ${e.message}`);
}

interface Job {
  id: number;
  task: string;
  payload: unknown;
  transfer: Transferable[];
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface NodeWorker {
  postMessage(value: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', fn: (m: WorkerReply) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  on(event: 'exit', fn: (code: number) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

interface Slot {
  worker: NodeWorker;
  job?: Job;
}

type WorkerCtor = new (source: string, options: { eval: true }) => NodeWorker;

const MAX_POOL_SIZE = 256;

export class WorkerPool {
  readonly size: number;
  private readonly source: string;
  private readonly WorkerClass: WorkerCtor;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** Starts a pool of `size` workers running `source` (a bundled CommonJS script). */
  static async create(source: string, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    if (options.size !== undefined && !(Number.isInteger(options.size) && options.size >= 1 && options.size <= MAX_POOL_SIZE)) {
      throw new StereotaxError([{
        code: 'out_of_range', path: 'workers', expected: `a whole number of workers from 1 to ${MAX_POOL_SIZE}`,
        received: String(options.size), message: `workers: expected a whole number from 1 to ${MAX_POOL_SIZE}, received ${String(options.size)}`,
      }]);
    }
    let threads: { Worker: unknown };
    let os: { availableParallelism?: () => number; cpus(): unknown[] };
    try {
      threads = await import('node:worker_threads');
      os = await import('node:os');
    } catch {
      throw new EngineError('threads_unavailable', 'worker threads need Node.js (node:worker_threads); in a browser, call the batch API on the main thread or in your own Web Worker');
    }
    const size = options.size ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    return new WorkerPool(source, size, threads.Worker as WorkerCtor);
  }

  private constructor(source: string, size: number, WorkerClass: WorkerCtor) {
    this.source = source;
    this.size = size;
    this.WorkerClass = WorkerClass;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Runs `task` with `payload` in the first free worker; resolves with what the task returned. */
  run<R>(task: string, payload: unknown, options: RunOptions = {}): Promise<R> {
    if (this.closed) return Promise.reject(new EngineError('pool_closed', 'this worker pool has been closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<R>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++, task, payload, transfer: options.transfer ?? [], signal,
        resolve: resolve as (v: unknown) => void, reject,
      };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running tasks are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new EngineError('pool_closed', 'the worker pool was closed before the task finished');
    for (const job of this.queue.splice(0)) this.settle(job, err);
    await Promise.all(this.slots.map((slot) => {
      if (slot.job) this.settle(slot.job, err);
      slot.job = undefined;
      return slot.worker.terminate();
    }));
  }

  private spawn(): Slot {
    const worker = new this.WorkerClass(this.source, { eval: true });
    const slot: Slot = { worker };
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply) => {
      const job = slot.job;
      if (!job || reply.id !== job.id) return;
      slot.job = undefined;
      worker.unref();
      if (reply.ok) this.settle(job, undefined, reply.value);
      else this.settle(job, deserializeError(reply.error, job.task));
      this.dispatch();
    });
    worker.on('error', (err) => this.replace(slot, new EngineError('worker_failed', `a worker thread failed: ${err.message}`)));
    worker.on('exit', () => this.replace(slot, new EngineError('worker_failed', 'a worker thread exited unexpectedly')));
    return slot;
  }

  /** A worker that died or was terminated is replaced; its task (if any) is rejected. */
  private replace(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    if (slot.job) this.settle(slot.job, err);
    slot.job = undefined;
    this.slots[i] = this.spawn();
    this.dispatch();
  }

  private abort(job: Job): void {
    const q = this.queue.indexOf(job);
    if (q >= 0) {
      this.queue.splice(q, 1);
      this.settle(job, abortError());
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (!slot) return;
    slot.job = undefined;
    this.settle(job, abortError());
    const i = this.slots.indexOf(slot);
    this.slots[i] = this.spawn();
    void slot.worker.terminate();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id: job.id, task: job.task, payload: job.payload }, job.transfer);
      } catch (err) {
        slot.job = undefined;
        slot.worker.unref();
        this.settle(job, new EngineError('worker_failed', `could not send task ${job.task} to a worker: ${(err as Error).message}`));
      }
    }
  }

  private settle(job: Job, err: Error | undefined, value?: unknown): void {
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if (err) job.reject(err);
    else job.resolve(value);
  }
}

function abortError(): EngineError {
  return new EngineError('aborted', 'the task was aborted');
}
