/** The engine's worker pool with stereotax's own tasks (Node only). */
import { WorkerPool, type WorkerPoolOptions } from '../engine/pool.js';
import { WORKER_SOURCE } from './entry-source.generated.js';

/** Starts a pool whose workers run stereotax's tasks (src/workers/tasks.ts). Call close() when done. */
export function createPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  return WorkerPool.create(WORKER_SOURCE, options);
}

export { WorkerPool, type WorkerPoolOptions, type RunOptions } from '../engine/pool.js';
export { withTransfer, Transfer } from './transfer.js';
export { TASKS, type Task } from './tasks.js';
