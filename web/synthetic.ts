/**
 * A synthetic stereo pair: a compressed breast with fibroglandular blobs, a few
 * calcifications and one lesion, all 3-D points in the biopsy frame, projected onto
 * the detector for each view by the engine's own projection kernel (the wasm build
 * that triangulates). Nothing here is a measurement; it is a test card.
 */
import { detectorPlaneZ, sourcePosition, type Engine, type UnitGeometry, type Vec3 } from 'stereotax';

export interface Sphere extends Vec3 {
  r: number;
}

export interface Scene {
  geometry: UnitGeometry;
  thickness: number;
  /** Breast outline in every plane z = const: x^2/a^2 + (y - y0)^2/b^2 <= 1, y >= 0 (chest wall at y = 0). */
  outline: { a: number; b: number; y0: number };
  lesion: Sphere;
  blobs: (Sphere & { density: number })[];
  calcs: Vec3[];
  /** Spicule directions (radians) and lengths (lesion radii) for drawing. */
  spicules: { angle: number; length: number }[];
}

/** Deterministic pseudo-random numbers (mulberry32), so a seed gives the same picture. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function insideOutline(o: Scene['outline'], x: number, y: number): boolean {
  return y >= 0 && (x / o.a) ** 2 + ((y - o.y0) / o.b) ** 2 <= 1;
}

/** Half the breast's width along x at height y (0 outside). */
export function halfWidth(o: Scene['outline'], y: number): number {
  const q = 1 - ((y - o.y0) / o.b) ** 2;
  return y >= 0 && q > 0 ? o.a * Math.sqrt(q) : 0;
}

export function makeScene(seed: number, geometry: UnitGeometry, thickness: number): Scene {
  const rnd = random(seed);
  const outline = { a: 75, b: 62, y0: -8 };
  const within = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  // The lesion somewhere a vertical needle can reach, away from the skin.
  const lesion: Sphere = {
    x: Math.round(within(-15, 15) * 100) / 100,
    y: Math.round(within(22, 40) * 100) / 100,
    z: Math.round(within(0.3, 0.7) * thickness * 100) / 100,
    r: 3.5,
  };
  const blobs: Scene['blobs'] = [];
  while (blobs.length < 90) {
    const x = within(-45, 45);
    const y = within(1, 56);
    if (!insideOutline(outline, x, y)) continue;
    blobs.push({ x, y, z: within(3, thickness - 3), r: within(1.5, 7), density: within(0.05, 0.22) });
  }
  const calcs: Vec3[] = [];
  for (let k = 0; k < 6; k++) {
    calcs.push({ x: lesion.x + within(-2, 2), y: lesion.y + within(-2, 2), z: lesion.z + within(-2, 2) });
  }
  const spicules = Array.from({ length: 11 }, () => ({ angle: within(0, 2 * Math.PI), length: within(1.4, 2.4) }));
  return { geometry, thickness, outline, lesion, blobs, calcs, spicules };
}

/**
 * Detector positions (u, v) in mm of 3-D points for the view at `angle`, through the
 * engine's `project` kernel: the same central projection the triangulation inverts.
 */
export function projectPoints(engine: Engine, g: UnitGeometry, angle: number, points: readonly Vec3[]): { u: number; v: number }[] {
  const n = points.length;
  if (n === 0) return [];
  const region = engine.open();
  try {
    const [px, py, pz, ou, ov] = [0, 1, 2, 3, 4].map(() => engine.reserveF64(n));
    // Views only after every reservation: growing wasm memory detaches older ones.
    const [X, Y, Z] = [px, py, pz].map((p) => engine.view(p, n));
    points.forEach((p, i) => {
      X[i] = p.x;
      Y[i] = p.y;
      Z[i] = p.z;
    });
    const s = sourcePosition({ x: 0, y: 0, z: 0 }, g, angle);
    engine.wasm.project(n, s.x, s.z, detectorPlaneZ(g), px, py, pz, ou, ov);
    const U = engine.view(ou, n);
    const V = engine.view(ov, n);
    return Array.from({ length: n }, (_, i) => ({ u: U[i], v: V[i] }));
  } finally {
    engine.free(region);
  }
}

export interface ProjectedScene {
  angle: number;
  /** The breast's outline on the support (z = 0) and under the paddle (z = thickness). */
  outlines: { u: number; v: number }[][];
  blobs: { u: number; v: number; r: number; density: number }[];
  calcs: { u: number; v: number }[];
  lesion: { u: number; v: number; r: number };
}

/** Every feature of the scene as it appears in the view at `angle`. */
export function projectScene(engine: Engine, scene: Scene, angle: number): ProjectedScene {
  const o = scene.outline;
  const ring: Vec3[] = [];
  const steps = 96;
  for (const z of [0, scene.thickness]) {
    for (let k = 0; k <= steps; k++) {
      const t = Math.PI * (k / steps);
      // From the chest wall at -x round the nipple to the chest wall at +x.
      const x = -o.a * Math.cos(t);
      const y = o.y0 + o.b * Math.sin(t);
      ring.push({ x, y: Math.max(y, 0), z });
    }
  }
  // Each sphere as its centre and the point r further along y: the projection scales y
  // by the magnification at the sphere's height, which gives its projected radius.
  const spheres = [scene.lesion, ...scene.blobs];
  const pts: Vec3[] = [...ring, ...spheres.flatMap((s) => [s, { x: s.x, y: s.y + s.r, z: s.z }]), ...scene.calcs];
  const p = projectPoints(engine, scene.geometry, angle, pts);
  const outlines = [p.slice(0, steps + 1), p.slice(steps + 1, 2 * steps + 2)];
  const sp = p.slice(ring.length, ring.length + 2 * spheres.length);
  const disc = (k: number) => ({ u: sp[2 * k].u, v: sp[2 * k].v, r: sp[2 * k + 1].v - sp[2 * k].v });
  return {
    angle,
    outlines,
    lesion: disc(0),
    blobs: scene.blobs.map((b, k) => ({ ...disc(k + 1), density: b.density })),
    calcs: p.slice(ring.length + 2 * spheres.length),
  };
}
