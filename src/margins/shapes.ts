/**
 * Specimen and lesion shapes in the specimen's frame (mm), axis-aligned: box
 * (center, size), ellipsoid (center, semiAxes), sphere (center, radius) and, for
 * lesions, calcification points (points, optional radius: the union of balls).
 */
import { formatPath } from '../core/errors.js';
import type { Checker, Path, Plain } from '../core/validate.js';
import { boxSignedDistance, ellipsoidSignedDistance, sphereSignedDistance, type V3 } from './distance.js';

export type Solid =
  | { shape: 'box'; center: V3; size: V3 }
  | { shape: 'ellipsoid'; center: V3; semiAxes: V3 }
  | { shape: 'sphere'; center: V3; radius: number };
export type SpecimenShape = Solid;
export type LesionShape = Solid | { shape: 'points'; points: V3[]; radius: number };

/**
 * The accepted input range (docs/guide/margins.md, "Accepted range"): every coordinate in
 * [-1000, 1000] mm; every radius and semi-axis in [0.01, 500] mm and every box size in
 * [0.02, 1000] mm (half-sizes in [0.01, 500]); within one shape the longest dimension at
 * most MAX_ASPECT times the shortest; at most MAX_POINTS calcifications, their radius in
 * [0, 100] mm. Inside it every result is finite and computed in bounded time.
 */
export const MAX_POINTS = 2_000;
export const MAX_ASPECT = 100;
export const COORD = { min: -1000, max: 1000 };
export const HALF = { min: 0.01, max: 500 };
const SIZE = { min: 2 * HALF.min, max: 2 * HALF.max };
const POINT_RADIUS = { min: 0, max: 100 };

function formatPathText(path: Path): string {
  return formatPath(path) || 'the request';
}

export function checkPoint(c: Checker, value: unknown, path: Path): V3 | undefined {
  const a = c.array(value, path, 3, 3);
  if (!a) return undefined;
  const xs = a.map((v, i) => c.length(v, [...path, i], COORD));
  return xs.every((x) => x !== undefined) ? (xs as V3) : undefined;
}

function checkTriple(c: Checker, value: unknown, path: Path, range: { min: number; max: number }): V3 | undefined {
  const a = c.array(value, path, 3, 3);
  if (!a) return undefined;
  const xs = a.map((v, i) => c.length(v, [...path, i], range));
  if (!xs.every((x) => x !== undefined)) return undefined;
  const t = xs as V3;
  const longest = Math.max(...t), shortest = Math.min(...t);
  if (longest > MAX_ASPECT * shortest) {
    return c.add('invalid_geometry', path, `the longest at most ${MAX_ASPECT} times the shortest`, `${longest} and ${shortest} mm`,
      `${formatPathText(path)}: the longest (${longest} mm) is more than ${MAX_ASPECT} times the shortest (${shortest} mm); margins are computed for shapes up to ${MAX_ASPECT}:1`);
  }
  return t;
}

function checkSolid(c: Checker, o: Plain, path: Path, shape: Solid['shape']): Solid | undefined {
  const center = checkPoint(c, o.center, [...path, 'center']);
  if (shape === 'box') {
    const size = checkTriple(c, o.size, [...path, 'size'], SIZE);
    return center && size ? { shape, center, size } : undefined;
  }
  if (shape === 'ellipsoid') {
    const semiAxes = checkTriple(c, o.semiAxes, [...path, 'semiAxes'], HALF);
    return center && semiAxes ? { shape, center, semiAxes } : undefined;
  }
  const radius = c.length(o.radius, [...path, 'radius'], HALF);
  return center && radius !== undefined ? { shape, center, radius } : undefined;
}

const FIELDS: Record<string, { allowed: string[]; required: string[] }> = {
  box: { allowed: ['shape', 'center', 'size'], required: ['shape', 'center', 'size'] },
  ellipsoid: { allowed: ['shape', 'center', 'semiAxes'], required: ['shape', 'center', 'semiAxes'] },
  sphere: { allowed: ['shape', 'center', 'radius'], required: ['shape', 'center', 'radius'] },
  points: { allowed: ['shape', 'points', 'radius'], required: ['shape', 'points'] },
};

export function checkSpecimen(c: Checker, value: unknown, path: Path): SpecimenShape | undefined {
  return checkShape(c, value, path, ['box', 'ellipsoid', 'sphere']) as SpecimenShape | undefined;
}

export function checkLesion(c: Checker, value: unknown, path: Path): LesionShape | undefined {
  return checkShape(c, value, path, ['box', 'ellipsoid', 'sphere', 'points']);
}

function checkShape(c: Checker, value: unknown, path: Path, shapes: readonly LesionShape['shape'][]): LesionShape | undefined {
  const pre = c.object(value, path, ['shape', 'center', 'size', 'semiAxes', 'radius', 'points'], ['shape']);
  if (!pre || pre.shape === undefined) return undefined;
  const shape = c.oneOf(pre.shape, [...path, 'shape'], shapes);
  if (!shape) return undefined;
  const o = c.object(value, path, FIELDS[shape].allowed, FIELDS[shape].required);
  if (!o) return undefined;
  if (shape !== 'points') return checkSolid(c, o, path, shape);
  const list = c.array(o.points, [...path, 'points'], 1, MAX_POINTS);
  const radius = o.radius === undefined ? 0 : c.length(o.radius, [...path, 'radius'], POINT_RADIUS);
  if (!list) return undefined;
  const points: V3[] = [];
  list.forEach((p, i) => {
    const q = checkPoint(c, p, [...path, 'points', i]);
    if (q) points.push(q);
  });
  return points.length === list.length && radius !== undefined ? { shape, points, radius } : undefined;
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
