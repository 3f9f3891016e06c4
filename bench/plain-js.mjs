// The plain-JS baseline: the same two-view triangulation as the wasm kernels
// (assembly/targeting.ts, triangulatePairRange: the least-squares point of two rays
// is the midpoint of their common perpendicular; gap |D.n|/|n|; each ray gap/2 from
// the target), over the same Float64Arrays, written as a JS engineer would:
// hoisted constants, no allocation in the loop.

export function triangulatePairJs(n, s0x, s0z, s1x, s1z, dz, u0, v0, u1, v1, outX, outY, outZ, outD0, outD1, outGap) {
  const w0z = dz - s0z, w1z = dz - s1z;
  const w0zz = w0z * w0z, w1zz = w1z * w1z;
  const Dx = s1x - s0x, Dz = s1z - s0z;
  const K0 = Dx * w0z, K1 = Dx * w1z;
  const limit = 0.5e-12;
  let singular = 0;
  for (let i = 0; i < n; i++) {
    const w0x = u0[i] - s0x, w0y = v0[i];
    const w1x = u1[i] - s1x, w1y = v1[i];
    const nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const nn = nx * nx + ny * ny + nz * nz;
    const n0 = w0x * w0x + w0y * w0y + w0zz, n1 = w1x * w1x + w1y * w1y + w1zz;
    const r = 1 / nn;
    const s = (-(Dz * w1y) * nx + (Dz * w1x - K1) * ny + Dx * w1y * nz) * r;
    const t = (-(Dz * w0y) * nx + (Dz * w0x - K0) * ny + Dx * w0y * nz) * r;
    let x = NaN, y = NaN, z = NaN, gap = NaN;
    if (nn > limit * (n0 * n1)) {
      x = 0.5 * ((s0x + s * w0x) + (s1x + t * w1x));
      y = 0.5 * (s * w0y + t * w1y);
      z = 0.5 * ((s0z + s * w0z) + (s1z + t * w1z));
      gap = Math.abs(Dx * nx + Dz * nz) * Math.sqrt(r);
    } else singular++;
    outX[i] = x; outY[i] = y; outZ[i] = z;
    outD0[i] = 0.5 * gap; outD1[i] = 0.5 * gap; outGap[i] = gap;
  }
  return singular;
}
