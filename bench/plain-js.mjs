// The plain-JS baseline: the same two-view triangulation as the wasm kernels
// (assembly/targeting.ts, triangulatePairRange: the least-squares point of two rays
// is the midpoint of their common perpendicular; gap |D.n|/|n|; each ray gap/2 from
// the target), over the same Float64Arrays, written as a JS engineer would:
// hoisted constants, no allocation in the loop. Ray distances (each gap/2) are
// written only when outD0 is given, as the kernel writes them only when asked.

export function triangulatePairJs(n, s0x, s0z, s1x, s1z, dz, u0, v0, u1, v1, outX, outY, outZ, outD0, outD1, outGap) {
  const w0z = dz - s0z, w1z = dz - s1z;
  const w01 = w0z * w1z;
  const Dx = s1x - s0x, Dz = s1z - s0z;
  const K0 = Dx * w0z, K1 = Dx * w1z;
  const limit = 0.5e-12;
  const hx = 0.5 * s0x + 0.5 * s1x, hz = 0.5 * s0z + 0.5 * s1z;
  let singular = 0;
  for (let i = 0; i < n; i++) {
    const w0x = u0[i] - s0x, w0y = v0[i];
    const w1x = u1[i] - s1x, w1y = v1[i];
    const nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const nn = nx * nx + ny * ny + nz * nz;
    const d = w0x * w1x + w0y * w1y + w01;
    const r = 1 / nn, rh = r * 0.5;
    const m = Dx * nz - Dz * nx;
    const s = (w1y * m + (Dz * w1x - K1) * ny) * rh;
    const t = (w0y * m + (Dz * w0x - K0) * ny) * rh;
    let x = NaN, y = NaN, z = NaN, gap = NaN;
    if (nn > limit * (nn + d * d)) {
      x = hx + (s * w0x + t * w1x);
      y = s * w0y + t * w1y;
      z = hz + (s * w0z + t * w1z);
      gap = Math.abs(Dx * nx + Dz * nz) * Math.sqrt(r);
    } else singular++;
    outX[i] = x; outY[i] = y; outZ[i] = z;
    outGap[i] = gap;
    if (outD0) { outD0[i] = 0.5 * gap; outD1[i] = 0.5 * gap; }
  }
  return singular;
}

// The margins baseline: points to one ellipsoid (sorted frame e0 >= e1 >= e2), the
// same u = s + 1 bisection as assembly/margins.ts, one point after another.
function len3(a, b, c) {
  const m = Math.max(Math.abs(a), Math.max(Math.abs(b), Math.abs(c)));
  if (m === 0) return 0;
  const x = a / m, y = b / m, z = c / m;
  return m * Math.sqrt(x * x + y * y + z * z);
}

function nearestEllipse(e0, e1, y0, y1, out) {
  const z0 = y0 / e0, z1 = y1 / e1;
  if (z1 > 0) {
    if (z0 > 0) {
      let g = z0 * z0 + z1 * z1 - 1;
      if (g === 0) { out[0] = y0; out[1] = y1; return; }
      const r0 = (e0 / e1) * (e0 / e1), m0 = r0 - 1, n0 = r0 * z0;
      let lo = z1, hi = g < 0 ? 1 : len3(n0, z1, 0), u = 0;
      for (let i = 0; i < 2100; i++) {
        u = (lo + hi) * 0.5;
        if (u === lo || u === hi) break;
        const a = n0 / (u + m0), b = z1 / u;
        g = a * a + b * b - 1;
        if (g > 0) lo = u; else if (g < 0) hi = u; else break;
      }
      out[0] = (r0 * y0) / (u + m0); out[1] = y1 / u;
      return;
    }
    out[0] = 0; out[1] = e1;
    return;
  }
  const numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    out[0] = e0 * xde0; out[1] = e1 * Math.sqrt(Math.max(0, 1 - xde0 * xde0));
    return;
  }
  out[0] = e0; out[1] = 0;
}

export function ellipsoidDistancesJs(n, e0, e1, e2, c0, c1, c2, px, py, pz, outSigned, outX, outY, outZ) {
  const r0 = (e0 / e2) * (e0 / e2), r1 = (e1 / e2) * (e1 / e2), m0 = r0 - 1, m1 = r1 - 1;
  const denom0 = e0 * e0 - e2 * e2, denom1 = e1 * e1 - e2 * e2;
  const ex = [0, 0];
  for (let i = 0; i < n; i++) {
    const d0 = px[i] - c0, d1 = py[i] - c1, d2 = pz[i] - c2;
    const y0 = Math.abs(d0), y1 = Math.abs(d1), y2 = Math.abs(d2);
    const z0 = y0 / e0, z1 = y1 / e1, z2 = y2 / e2;
    let x0 = 0, x1 = 0, x2 = 0;
    if (z2 > 0) {
      if (z1 > 0) {
        if (z0 > 0) {
          const g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
          if (g === 0) { x0 = y0; x1 = y1; x2 = y2; } else {
            const n0 = r0 * z0, n1 = r1 * z1;
            let lo = z2, hi = g < 0 ? 1 : len3(n0, n1, z2), u = 0;
            for (let k = 0; k < 2100; k++) {
              u = (lo + hi) * 0.5;
              if (u === lo || u === hi) break;
              const a = n0 / (u + m0), b = n1 / (u + m1), c = z2 / u;
              const gg = a * a + b * b + c * c - 1;
              if (gg > 0) lo = u; else if (gg < 0) hi = u; else break;
            }
            x0 = (r0 * y0) / (u + m0); x1 = (r1 * y1) / (u + m1); x2 = y2 / u;
          }
        } else { nearestEllipse(e1, e2, y1, y2, ex); x1 = ex[0]; x2 = ex[1]; }
      } else if (z0 > 0) { nearestEllipse(e0, e2, y0, y2, ex); x0 = ex[0]; x2 = ex[1]; } else x2 = e2;
    } else {
      let done = false;
      const numer0 = e0 * y0, numer1 = e1 * y1;
      if (numer0 < denom0 && numer1 < denom1) {
        const xde0 = numer0 / denom0, xde1 = numer1 / denom1;
        const discr = 1 - xde0 * xde0 - xde1 * xde1;
        if (discr > 0) { x0 = e0 * xde0; x1 = e1 * xde1; x2 = e2 * Math.sqrt(discr); done = true; }
      }
      if (!done) { nearestEllipse(e0, e1, y0, y1, ex); x0 = ex[0]; x1 = ex[1]; x2 = 0; }
    }
    const dist = len3(x0 - y0, x1 - y1, x2 - y2);
    const inside = z0 * z0 + z1 * z1 + z2 * z2 < 1;
    outSigned[i] = inside ? -dist : dist;
    outX[i] = c0 + (d0 < 0 ? -x0 : x0); outY[i] = c1 + (d1 < 0 ? -x1 : x1); outZ[i] = c2 + (d2 < 0 ? -x2 : x2);
  }
}
