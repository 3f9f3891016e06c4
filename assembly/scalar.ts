// Scalar build: runs on every WebAssembly engine.
export { reserve, release, heapTop } from './memory';
export { rayGap, jacobian, classic } from './targeting';
export { ellipsoidDistances } from './margins';
export { simulate, philoxBlock, normals, uniforms } from './simulate';
import { triangulateRange, triangulatePairRange, projectRange } from './targeting';

export const SIMD: i32 = 0;

export function triangulate(
  n: i32, views: i32, sx: usize, sz: usize, dz: f64, u: usize, v: usize,
  outX: usize, outY: usize, outZ: usize, outDist: usize, outGap: usize,
): i32 {
  if (views == 2) return triangulatePairRange(0, n, n, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
  return triangulateRange(0, n, n, views, sx, sz, dz, u, v, outX, outY, outZ, outDist, outGap);
}

export function project(
  n: i32, Sx: f64, Sz: f64, dz: f64, px: usize, py: usize, pz: usize, outU: usize, outV: usize,
): void {
  projectRange(0, n, Sx, Sz, dz, px, py, pz, outU, outV);
}
