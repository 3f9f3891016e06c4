// Column storage for the batch kernels: a bump region above the static data that
// the TypeScript side sizes once per batch and fills in place. Growing memory
// detaches every JS view, so the host rebuilds its views after each reserve().

let top: usize = 0;

function base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Reserves `bytes` (16-byte aligned) and returns the offset, or 0 if memory cannot grow. */
export function reserve(bytes: usize): usize {
  if (top == 0) top = base();
  const start = top;
  const end = (start + bytes + 15) & ~(<usize>15);
  const needed = <i32>((end + 0xffff) >> 16) - memory.size();
  if (needed > 0 && memory.grow(needed) < 0) return 0;
  top = end;
  return start;
}

/** Rolls the region back to `mark` (a value returned by reserve or top()). */
export function release(mark: usize): void {
  const b = base();
  top = mark < b ? b : mark;
}

export function heapTop(): usize {
  return top == 0 ? base() : top;
}
