/**
 * Specimen and lesion shapes in the specimen's frame (mm), axis-aligned: box
 * (center, size), ellipsoid (center, semiAxes), sphere (center, radius) and, for
 * lesions, calcification points (points, optional radius: the union of balls).
 */
import type { Checker, Path } from '../core/validate.js';
import { parseValue } from '../core/schema/index.js';
import { boxSignedDistance, ellipsoidSignedDistance, sphereSignedDistance, type V3 } from './distance.js';
import { Lesion, Point, Specimen } from './schema.js';

export type Solid =
  | { shape: 'box'; center: V3; size: V3 }
  | { shape: 'ellipsoid'; center: V3; semiAxes: V3 }
  | { shape: 'sphere'; center: V3; radius: number };
export type SpecimenShape = Solid;
export type LesionShape = Solid | { shape: 'points'; points: V3[]; radius: number };

/**
 * The accepted input range (docs/guide/margins.md, "Accepted range"), defined with the
 * request in schema.ts: coordinates COORD, radii and semi-axes HALF, box sizes twice HALF,
 * the aspect ratio MAX_ASPECT, at most MAX_POINTS calcifications.
 */
export { COORD, HALF, MAX_ASPECT, MAX_POINTS } from './schema.js';

/** A point [x, y, z] (mm, or unit strings) of the specimen frame, checked against the definition. */
export function checkPoint(c: Checker, value: unknown, path: Path): V3 | undefined {
  return parseValue(c, Point, value, path) as V3 | undefined;
}

/** A specimen shape (box, ellipsoid or sphere), as a plain object. */
export function checkSpecimen(c: Checker, value: unknown, path: Path): SpecimenShape | undefined {
  const s = parseValue(c, Specimen, value, path);
  return s && ({ ...s } as SpecimenShape);
}

/** A lesion shape (a specimen shape, or calcification points), as a plain object. */
export function checkLesion(c: Checker, value: unknown, path: Path): LesionShape | undefined {
  const l = parseValue(c, Lesion, value, path);
  return l && ({ ...l } as LesionShape);
}

/** Signed distance from p to a solid (positive outside). */
export function solidSignedDistance(s: Solid, p: V3): number {
  switch (s.shape) {
    case 'box':
      return boxSignedDistance(s.center, [s.size[0] / 2, s.size[1] / 2, s.size[2] / 2], p);
    case 'ellipsoid':
      return ellipsoidSignedDistance(s.center, s.semiAxes, p);
    case 'sphere':
      return sphereSignedDistance(s.center, s.radius, p);
  }
}

/** Signed distance from p to the lesion (positive outside it). */
export function lesionSignedDistance(l: LesionShape, p: V3): number {
  if (l.shape !== 'points') return solidSignedDistance(l, p);
  let best = Infinity;
  for (const q of l.points) {
    const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    if (d < best) best = d;
  }
  return best - l.radius;
}

/** A point every lesion surely contains (for "is the lesion in the specimen at all"). */
export function lesionReferencePoints(l: LesionShape): V3[] {
  return l.shape === 'points' ? l.points : [l.center];
}

/** Semi-axes of the specimen as an ellipsoid (sphere: all equal). */
export function ellipsoidAxes(s: SpecimenShape): V3 | undefined {
  if (s.shape === 'ellipsoid') return s.semiAxes;
  if (s.shape === 'sphere') return [s.radius, s.radius, s.radius];
  return undefined;
}
