/**
 * The tasks a worker thread can run, by name: one line per task. A task takes its
 * payload (structured clone) and returns a value, a Promise, or a Transfer.
 * Tasks run inside worker threads only; they may call loadEngine() (cached per worker).
 */
import { loadEngine, type KernelChoice } from '../engine/engine.js';
import { triangulateRangeTask, triangulateSharedTask } from '../targeting/batch-parallel.js';
import { simulateBlocksTask } from '../simulate/kernel.js';

export type Task = (payload: any) => unknown;

/** Which kernel build a worker loaded: for tests and diagnostics. */
async function engineInfo(payload: { kernel?: KernelChoice }): Promise<{ kernel: string; threadId: number }> {
  const engine = await loadEngine({ kernel: payload?.kernel ?? 'auto' });
  const { threadId } = await import('node:worker_threads');
  return { kernel: engine.kernel, threadId };
}

export const TASKS: Record<string, Task> = {
  engineInfo,
  triangulateRange: triangulateRangeTask,
  triangulateShared: triangulateSharedTask,
  simulateBlocks: simulateBlocksTask,
};
