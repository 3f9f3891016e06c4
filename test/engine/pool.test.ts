import { describe, expect, it } from 'vitest';
import { EngineError, StereotaxError } from '../../src/core/errors.js';
import { deserializeError, serializeError, WorkerPool } from '../../src/engine/pool.js';
import { createPool } from '../../src/workers/index.js';

// A worker script of the tests' own, speaking the pool's protocol, with tasks that
// spin, crash or echo: the pool is generic and must not care what the tasks are.
const TEST_WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', ({ id, task, payload }) => {
  if (task === 'spin') { const end = Date.now() + payload; while (Date.now() < end) {} parentPort.postMessage({ id, ok: true, value: threadId }); }
  else if (task === 'crash') process.exit(7);
  else if (task === 'fail') parentPort.postMessage({ id, ok: false, error: payload });
  else if (task === 'sum') { const a = new Float64Array(payload); let s = 0; for (const x of a) s += x; parentPort.postMessage({ id, ok: true, value: s }); }
  else parentPort.postMessage({ id, ok: true, value: { task, payload, threadId } });
});`;

describe('[API-018] worker pool', () => {
  it('runs stereotax tasks in every worker, each loading the engine', async () => {
    const pool = await createPool({ size: 2 });
    try {
      expect(pool.size).toBe(2);
      const infos = await Promise.all([0, 1, 2, 3].map(() => pool.run<{ kernel: string; threadId: number }>('engineInfo', { kernel: 'scalar' })));
      expect(infos.every((i) => i.kernel === 'scalar')).toBe(true);
      await expect(pool.run('no such task', {})).rejects.toMatchObject({ name: 'EngineError', code: 'worker_failed' });
    } finally {
      await pool.close();
    }
  });

  it('spreads queued work over all workers and answers in call order', async () => {
    const pool = await WorkerPool.create(TEST_WORKER, { size: 2 });
    try {
      const ids = await Promise.all([0, 1, 2, 3].map(() => pool.run<number>('spin', 30)));
      expect(new Set(ids).size).toBe(2);
      const echoed = await Promise.all([0, 1, 2, 3, 4].map((i) => pool.run<{ payload: number }>('echo', i)));
      expect(echoed.map((e) => e.payload)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await pool.close();
    }
  });

  it('moves transferred buffers instead of copying them', async () => {
    const pool = await WorkerPool.create(TEST_WORKER, { size: 1 });
    try {
      const a = new Float64Array([1, 2, 3.5]);
      const sum = await pool.run<number>('sum', a.buffer, { transfer: [a.buffer] });
      expect(sum).toBe(6.5);
      expect(a.length).toBe(0); // detached here
    } finally {
      await pool.close();
    }
  });

  it('aborts a queued task and a running one, and keeps working', async () => {
    const pool = await WorkerPool.create(TEST_WORKER, { size: 1 });
    try {
      const running = new AbortController();
      const queued = new AbortController();
      const t0 = Date.now();
      const a = pool.run('spin', 60_000, { signal: running.signal });
      const b = pool.run('spin', 60_000, { signal: queued.signal });
      queued.abort();
      await expect(b).rejects.toMatchObject({ code: 'aborted' });
      setTimeout(() => running.abort(), 50);
      await expect(a).rejects.toMatchObject({ code: 'aborted' });
      expect(Date.now() - t0).toBeLessThan(10_000);
      const pre = new AbortController();
      pre.abort();
      await expect(pool.run('echo', 1, { signal: pre.signal })).rejects.toMatchObject({ code: 'aborted' });
      await expect(pool.run<{ payload: number }>('echo', 2)).resolves.toMatchObject({ payload: 2 });
    } finally {
      await pool.close();
    }
  });

  it('replaces a worker that dies and rejects only its task', async () => {
    const pool = await WorkerPool.create(TEST_WORKER, { size: 1 });
    try {
      await expect(pool.run('crash', null)).rejects.toMatchObject({ name: 'EngineError', code: 'worker_failed' });
      await expect(pool.run<{ payload: string }>('echo', 'after')).resolves.toMatchObject({ payload: 'after' });
    } finally {
      await pool.close();
    }
  });

  it('carries StereotaxError issues and EngineError codes across the thread boundary', async () => {
    const issue = { code: 'out_of_range' as const, path: 'a.b', expected: 'x', received: 'y', message: 'a.b: expected x, received y' };
    const pool = await WorkerPool.create(TEST_WORKER, { size: 1 });
    try {
      const err: any = await pool.run('fail', serializeError(new StereotaxError([issue]))).catch((e) => e);
      expect(err).toBeInstanceOf(StereotaxError);
      expect(err.issues).toEqual([issue]);
      const eng: any = await pool.run('fail', serializeError(new EngineError('engine_capacity', 'too big'))).catch((e) => e);
      expect(eng).toBeInstanceOf(EngineError);
      expect(eng.code).toBe('engine_capacity');
    } finally {
      await pool.close();
    }
    expect(deserializeError(serializeError(new TypeError('boom')), 't')).toMatchObject({ code: 'worker_failed' });
  });

  it('refuses a bad size and work after close', async () => {
    for (const size of [0, -1, 1.5, 257, Number.NaN]) {
      await expect(WorkerPool.create(TEST_WORKER, { size })).rejects.toMatchObject({ name: 'StereotaxError', path: 'workers' });
    }
    const pool = await WorkerPool.create(TEST_WORKER, { size: 1 });
    const pending = pool.run('spin', 60_000).catch((e) => e);
    await pool.close();
    expect(await pending).toMatchObject({ code: 'pool_closed' });
    await expect(pool.run('echo', 1)).rejects.toMatchObject({ code: 'pool_closed' });
  });
});
