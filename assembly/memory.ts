// Column storage for the batch kernels lives above the static data. The host
// (src/engine/allocator.ts) owns the layout: it reserves and frees blocks in any
// order, grows memory and checks every reservation against the 4 GiB limit. The
// kernels never allocate; this module only tells the host where the heap starts and
// keeps the host's current top, for inspection.

let top: usize = 0;

/** First 16-byte aligned byte after the static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** End of the highest block in use (the host keeps it current). */
export function heapTop(): usize {
  return top == 0 ? heapBase() : top;
}

/** Called by the host whenever its top moves. */
export function setHeapTop(mark: usize): void {
  const b = heapBase();
  top = mark < b ? b : mark;
}
