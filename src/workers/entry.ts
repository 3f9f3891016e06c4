/**
 * The script every pool worker runs (bundled by scripts/embed-worker.mjs into a
 * string, so the pool works the same from source under vitest and from dist/).
 * It answers { id, task, payload } with { id, ok, value } or { id, ok: false, error }.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../engine/pool.js';
import { TASKS } from './tasks.js';
import { Transfer } from './transfer.js';

const port = parentPort!;
port.on('message', async (msg: { id: number; task: string; payload: unknown }) => {
  try {
    const task = Object.prototype.hasOwnProperty.call(TASKS, msg.task) ? TASKS[msg.task] : undefined;
    if (!task) throw new Error(`unknown task ${JSON.stringify(msg.task)}`);
    const out = await task(msg.payload);
    if (out instanceof Transfer) port.postMessage({ id: msg.id, ok: true, value: out.value }, out.transfer);
    else port.postMessage({ id: msg.id, ok: true, value: out });
  } catch (err) {
    port.postMessage({ id: msg.id, ok: false, error: serializeError(err) });
  }
});
