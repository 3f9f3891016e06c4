// One dataset for every suite: N stereo cases (+/-15 degrees, typical unit), random
// lesions in a 50 mm breast projected onto the detector with 0.1 mm marking noise.
// The projection is written out here, independent of the library.

export const GEOMETRY = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
export const ANGLES = [15, -15];
export const THICKNESS = 50;

const RAD = Math.PI / 180;

export function sources(g = GEOMETRY, angles = ANGLES) {
  const R = g.sourceToSupport - g.rotationAxisHeight;
  return angles.map((a) => ({ x: R * Math.sin(a * RAD), z: g.rotationAxisHeight + R * Math.cos(a * RAD) }));
}

export const detectorZ = (g = GEOMETRY) => -(g.sourceToDetector - g.sourceToSupport);

/** Small deterministic generator (mulberry32), so every run measures the same cases. */
export function rng(seed = 12345) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills u[k], v[k] (arrays of Float64Array, one per view) with N projected, noisy marks. */
export function fillMarks(u, v, N, seed = 12345, angles = ANGLES) {
  const rand = rng(seed);
  const S = sources(GEOMETRY, angles);
  const dz = detectorZ();
  for (let i = 0; i < N; i++) {
    const x = rand() * 100 - 50, y = rand() * 80, z = rand() * THICKNESS;
    for (let k = 0; k < S.length; k++) {
      const t = (dz - S[k].z) / (z - S[k].z);
      u[k][i] = S[k].x + t * (x - S[k].x) + (rand() - 0.5) * 0.2;
      v[k][i] = t * y + (rand() - 0.5) * 0.2;
    }
  }
}

/** N points of a calcification cluster around and inside a specimen (mm). */
export function fillPoints(x, y, z, N, seed = 777) {
  const rand = rng(seed);
  for (let i = 0; i < N; i++) {
    x[i] = rand() * 70 - 35;
    y[i] = rand() * 50 - 25;
    z[i] = rand() * 36 - 18;
  }
}
