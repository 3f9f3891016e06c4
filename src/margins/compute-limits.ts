/** The margins' clinical boundaries, read with src/core/limits.ts's rule (both compute.ts and findings.ts use them). */
import { withinMax } from '../core/limits.js';

/** Ink on tumour: a margin at or below 0 (within the limits' rounding allowance) is involved. */
export const involved = (margin: number): boolean => withinMax(margin, 0);
