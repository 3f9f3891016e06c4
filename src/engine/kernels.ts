/** The exports both wasm builds share; pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  SIMD: WebAssembly.Global;
  heapBase(): number;
  heapTop(): number;
  setHeapTop(top: number): void;
  /** Cases [from, to) of columns holding n cases per view (n is the stride); returns the singular count. */
  triangulate(
    from: number, to: number, n: number, views: number, sourceX: number, sourceZ: number, detectorZ: number, u: number, v: number,
    outX: number, outY: number, outZ: number, outDistances: number, outGap: number,
  ): number;
  project(n: number, sourceX: number, sourceZ: number, detectorZ: number, px: number, py: number, pz: number, outU: number, outV: number): void;
  rayGap(n: number, j: number, k: number, sourceX: number, sourceZ: number, detectorZ: number, u: number, v: number, out: number): void;
  jacobian(
    n: number, views: number, sourceX: number, sourceZ: number, detectorZ: number, u: number, v: number,
    px: number, py: number, pz: number, outJacobian: number, outCovariance: number, sigma: number,
  ): void;
  ellipsoidDistances(
    n: number, e0: number, e1: number, e2: number, c0: number, c1: number, c2: number, px: number, py: number, pz: number,
    outSigned: number, outX: number, outY: number, outZ: number,
  ): void;
  classic(n: number, tanA: number, detectorGap: number, uPlus: number, vPlus: number, uMinus: number, vMinus: number, outX: number, outY: number, outZ: number): void;
}

export type KernelKind = 'simd' | 'scalar';
