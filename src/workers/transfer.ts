/**
 * A task's result with the ArrayBuffers to move back to the caller instead of
 * copying them. Never list a view on wasm memory's buffer: moving it would detach
 * the worker's engine. Copy the columns out first (`slice()`), then move the copies.
 */
export class Transfer<T> {
  constructor(readonly value: T, readonly transfer: ArrayBuffer[]) {}
}

export function withTransfer<T>(value: T, transfer: ArrayBuffer[]): Transfer<T> {
  return new Transfer(value, transfer);
}
