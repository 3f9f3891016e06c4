/**
 * Checks a definition's numeric leaves three ways: the published schema's range equals the
 * spec's figure, each published bound is held by the validator as declared (one step beyond
 * refused, with out_of_range), and random values are accepted exactly when the range says.
 */
import { expect } from 'vitest';
import fc from 'fast-check';

export type Range = { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; type?: string; description?: string };

export interface Leaf<R> {
  key: string;
  /** Sets the leaf to v in a fresh valid request. */
  set: (request: R, v: number) => void;
  /** Where an issue about the leaf is reported. */
  path: string;
  published: Range;
  spec: Range;
}

export function accepts(r: Range, v: number): boolean {
  return !(v < (r.minimum ?? -Infinity) || v > (r.maximum ?? Infinity) || v <= (r.exclusiveMinimum ?? -Infinity) || v >= (r.exclusiveMaximum ?? Infinity));
}

export function publishedAsSpec<R>(leaves: readonly Leaf<R>[]): void {
  for (const l of leaves) {
    const { description: _d, type: _t, ...r } = l.published;
    expect(r, l.key).toEqual(l.spec);
  }
}

/** The issues the validator reports at the leaf's path when the leaf is v. */
function issuesAt<R>(l: Leaf<R>, v: number, base: () => R, refusal: (request: R) => { code: string; path: string }[]) {
  const r = base();
  l.set(r, v);
  return refusal(r).filter((i) => i.path === l.path);
}

export function boundsHeld<R>(leaves: readonly Leaf<R>[], base: () => R, refusal: (request: R) => { code: string; path: string }[], skip = (_l: Leaf<R>, _v: number) => false): void {
  for (const l of leaves) {
    const step = l.published.type === 'integer' ? 1 : 0.001;
    for (const b of [l.published.minimum, l.published.maximum, l.published.exclusiveMinimum, l.published.exclusiveMaximum]) {
      if (b === undefined) continue;
      for (const v of [b, b - Math.max(step, Math.abs(b) * 1e-9), b + Math.max(step, Math.abs(b) * 1e-9)]) {
        if (skip(l, v)) continue;
        const issues = issuesAt(l, v, base, refusal);
        expect(issues.length === 0, `${l.key} = ${v}`).toBe(accepts(l.published, v));
        if (issues.length) expect(issues[0].code).toBe('out_of_range');
      }
    }
  }
}

export function randomAgree<R>(leaves: readonly Leaf<R>[], base: () => R, refusal: (request: R) => { code: string; path: string }[], thousandths: number): void {
  fc.assert(fc.property(fc.integer({ min: 0, max: leaves.length - 1 }), fc.integer({ min: -thousandths, max: thousandths }).map((i) => i / 1000), (k, v) => {
    const l = leaves[k];
    expect(issuesAt(l, v, base, refusal).length === 0, `${l.key} = ${v}`).toBe(accepts(l.published, v));
  }), { numRuns: 300 });
}
