import { StereotaxError } from '../../src/core/errors.js';

/** The StereotaxError that fn throws; fails the test on any other outcome. */
export function refusal(fn: () => unknown): StereotaxError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof StereotaxError)) throw new Error(`expected a StereotaxError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected a StereotaxError, got a result');
}
