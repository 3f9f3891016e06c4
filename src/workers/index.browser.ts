/**
 * The worker pool in the browser build (`browser` export condition): the same names as
 * src/workers/index.ts without the bundled Node worker script. A pool needs Node's
 * worker threads, so createPool rejects with EngineError `threads_unavailable`; batches
 * run on the calling thread (or in a Web Worker the page starts itself).
 */
import { EngineError } from '../core/errors.js';
import type { WorkerPool, WorkerPoolOptions } from '../engine/pool.js';

export function createPool(_options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  return Promise.reject(new EngineError('threads_unavailable', 'worker threads need Node.js (node:worker_threads); in a browser, call the batch API on the main thread or in your own Web Worker'));
}

export { WorkerPool, type WorkerPoolOptions, type RunOptions } from '../engine/pool.js';
export { withTransfer, Transfer } from './transfer.js';
export { TASKS, type Task } from './tasks.js';
