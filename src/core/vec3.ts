/**
 * The two point types, one per use, and the one conversion between them (mm, in the frame of
 * the domain that uses them). Here, below every domain, so any of them can name them.
 *
 * - `Vec3` `{ x, y, z }`: the API's point, in results and typed inputs (a target, a device
 *   position, a console's stored point), so JSON reads with named axes.
 * - `Tuple3` `[x, y, z]`: the kernels' and geometry code's point (distances, patches, searches,
 *   the records' positions), indexed by axis; also how requests spell points (`"center": [0, 0, 0]`).
 */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export type Tuple3 = [number, number, number];

/** `[x, y, z]` -> `{ x, y, z }`. */
export function toVec3(t: readonly [number, number, number]): Vec3 {
  return { x: t[0], y: t[1], z: t[2] };
}

/** `{ x, y, z }` -> `[x, y, z]`. */
export function toTuple3(v: Vec3): Tuple3 {
  return [v.x, v.y, v.z];
}
