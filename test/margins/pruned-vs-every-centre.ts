// Shared by the margins tests: leastOverPatch against taking every centre not at home in the
// patch, per direction, with a given per-centre distance (the full search or the feet search).
import type { V3 } from '../../src/margins/distance.js';
import { ellipsoidNearest } from '../../src/margins/distance.js';
import { leastOverPatch } from '../../src/margins/patch-prune.js';
import { DIRECTIONS, patchLattice, patchOf, type Direction, type PatchLattice } from '../../src/margins/patches.js';
import type { SpecimenShape } from '../../src/margins/shapes.js';

type Ellipsoid = Extract<SpecimenShape, { shape: 'ellipsoid' }>;
export type PatchDistance = (s: Ellipsoid, d: Direction, lat: PatchLattice, p: V3) => number;

/** Per direction, the pruned least and the least over every centre, for the first `count` points of a points request. */
export function prunedAndEvery(req: Record<string, unknown>, distance: PatchDistance, count = Infinity): { d: Direction; pruned: number; every: number }[] {
  const s = req.specimen as Ellipsoid;
  const { points, radius } = req.lesion as { points: V3[]; radius: number };
  const centres = points.slice(0, count).map((p) => {
    const n = ellipsoidNearest(s.center, s.semiAxes, p);
    return { p, signed: n.signed, nearest: n.point, home: patchOf(s, n.point) };
  });
  return DIRECTIONS.map((d) => {
    const lat = patchLattice(s, d);
    let start = Infinity;
    for (const c of centres) if (c.home === d) start = Math.min(start, -c.signed - radius);
    let every = start;
    for (const c of centres) if (c.home !== d) every = Math.min(every, distance(s, d, lat, c.p) - radius);
    return { d, pruned: leastOverPatch(s, d, centres, radius, start, (c) => distance(s, d, lat, c.p)), every };
  });
}
