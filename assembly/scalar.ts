// Scalar build: runs on every WebAssembly engine.
export { heapBase, heapTop, setHeapTop } from './memory';
export { rayGap, jacobian, classic } from './targeting';
export { ellipsoidDistances } from './margins';
export { simulate, philoxBlock, normals, uniforms } from './simulate';
import { triangulateRange, triangulatePairRange, triangulate3Range, triangulate4Range, projectRange } from './targeting';

export const SIMD: i32 = 0;

/**
 * Triangulates cases [from, to) of columns holding n cases per view (n is the
 * stride, from..to the range: a batch can be computed in chunks). Ray distances are
 * written only when outDist != 0, the two-view gap only when outGap != 0.
 */
export function triangulate(
  from: i32, to: i32, n: i32, views: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  if (views == 2) return triangulatePairRange(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  if (views == 3) return triangulate3Range(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
  if (views == 4) return triangulate4Range(from, to, n, sx, sz, dz, u, v, outX, outY, outZ, outDist);
  return triangulateRange(from, to, n, views, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
}

export function project(
  n: i32, Sx: f64, Sz: f64, dz: f64, px: usize, py: usize, pz: usize, outU: usize, outV: usize,
): void {
  projectRange(0, n, Sx, Sz, dz, px, py, pz, outU, outV);
}
