/**
 * Tomosynthesis targeting written independently from the description: a
 * reconstruction is a stack of planes parallel to the support; slice number n sits at
 * the height of its plane, the picked pixel gives x and y in that plane. Shares no code with src/.
 */
export interface RefTomo {
  slice: number;
  col: number;
  row: number;
  firstSlice?: number;
  down?: boolean;
  firstSliceHeight?: number;
  sliceSpacing?: number;
  /** Per-frame heights instead of the regular grid. */
  heights?: number[];
  /** [between rows, between columns] */
  spacing: [number, number];
  origin: [number, number];
  flipCol?: boolean;
  flipRow?: boolean;
}

export function refTomoTarget(t: RefTomo): [number, number, number] {
  const n = t.slice - (t.firstSlice ?? 1);
  const z = t.heights ? t.heights[n] : (t.firstSliceHeight as number) + (t.down ? -1 : 1) * n * (t.sliceSpacing as number);
  const x = (t.col - t.origin[0]) * t.spacing[1] * (t.flipCol ? -1 : 1);
  const y = (t.row - t.origin[1]) * t.spacing[0] * (t.flipRow ? -1 : 1);
  return [x, y, z];
}

/** The slice (number) whose plane is nearest z, and the pixel of (x, y): the inverse, for properties. */
export function refPick(t: Omit<RefTomo, 'slice' | 'col' | 'row'>, p: [number, number, number]): { slice: number; col: number; row: number } {
  let best = 0;
  const count = t.heights ? t.heights.length : 1e4;
  const h = (n: number) => (t.heights ? t.heights[n] : (t.firstSliceHeight as number) + (t.down ? -1 : 1) * n * (t.sliceSpacing as number));
  if (t.heights) {
    for (let n = 1; n < count; n++) if (Math.abs(h(n) - p[2]) < Math.abs(h(best) - p[2])) best = n;
  } else {
    best = Math.round(((p[2] - (t.firstSliceHeight as number)) / (t.sliceSpacing as number)) * (t.down ? -1 : 1));
  }
  return {
    slice: best + (t.firstSlice ?? 1),
    col: t.origin[0] + (p[0] / t.spacing[1]) * (t.flipCol ? -1 : 1),
    row: t.origin[1] + (p[1] / t.spacing[0]) * (t.flipRow ? -1 : 1),
  };
}
