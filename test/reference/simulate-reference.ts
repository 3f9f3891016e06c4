// An independent Monte Carlo of spec simulation.md section 2, sharing no code with
// src/ or assembly/: its own generator (xoshiro128** pairs), the trigonometric
// Box-Muller form, triangulation by the 3x3 normal equations solved with Cramer's
// rule, its own projection, classic estimate and aperture distance. It keeps every
// per-trial error so tests can compare any statistic against the kernel's summary.

export type RefDist = number | { uniform: [number, number] } | { normal: [number, number] };

export interface RefScenario {
  trials: number;
  unit: {
    geometry: { sourceToDetector: number; sourceToSupport: number; rotationAxisHeight: number };
    angles: number[];
    miscalibration?: { angle?: RefDist[]; sourceToSupport?: RefDist; rotationAxisHeight?: RefDist };
  };
  breast: { thickness: RefDist; thicknessReadout?: { bias?: RefDist; sigma?: number } };
  lesion: { x: RefDist; y: RefDist; zFraction: RefDist; radius?: RefDist };
  marking?: { sigma?: number };
  needle?: {
    device: { throw: number; apertureLength: number; tipLength: number };
    deviation?: { sigma: [number, number, number] };
    samplingRadius?: number;
    minStrokeMargin?: number;
  };
  tissue?: { displacement?: { sigma: [number, number, number] } };
}

export interface RefResult {
  trials: number;
  /** Per-trial errors: [x, y, z] rows. */
  targeting: number[][];
  classic: number[][] | null;
  placement: number[][];
  refused: number;
  hit: number;
  stroke: number;
}

/** xoshiro128** (Blackman and Vigna), seeded through splitmix32: 32-bit outputs as fractions of 2^32. */
function xoshiro128(seed: number): () => number {
  let x = seed >>> 0;
  const split = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [split(), split(), split(), split()];
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  return () => {
    const out = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3] >>> 0, 11);
    s[0] >>>= 0; s[1] >>>= 0; s[2] >>>= 0;
    return out / 4294967296;
  };
}

class Rng {
  private next: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.next = xoshiro128(seed);
  }
  uniform(): number {
    // 53 random bits from two 32-bit outputs, strictly inside (0, 1).
    const hi = Math.floor(this.next() * 2 ** 21);
    const lo = this.next() * 2 ** 32;
    return (hi * 2 ** 32 + lo + 0.5) / 2 ** 53;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
  draw(d: RefDist | undefined): number {
    if (d === undefined) return 0;
    if (typeof d === 'number') return d;
    if ('uniform' in d) return d.uniform[0] + (d.uniform[1] - d.uniform[0]) * this.uniform();
    return d.normal[0] + d.normal[1] * this.normal();
  }
}

type V3 = [number, number, number];

function source(angleDeg: number, sts: number, rah: number): V3 {
  const a = (angleDeg * Math.PI) / 180;
  const radius = sts - rah;
  return [radius * Math.sin(a), 0, rah + radius * Math.cos(a)];
}

/** Least squares over perpendicular distances: sum (I - d d^T) X = sum (I - d d^T) S, by Cramer's rule. */
function leastSquaresPoint(sources: V3[], marks: V3[]): V3 {
  const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const b = [0, 0, 0];
  sources.forEach((S, k) => {
    const w = [marks[k][0] - S[0], marks[k][1] - S[1], marks[k][2] - S[2]];
    const len = Math.hypot(w[0], w[1], w[2]);
    const d = w.map((x) => x / len);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const m = (i === j ? 1 : 0) - d[i] * d[j];
        A[i][j] += m;
        b[i] += m * S[j];
      }
    }
  });
  const det = (M: number[][]) =>
    M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const D = det(A);
  const col = (c: number) => det(A.map((row, i) => row.map((x, j) => (j === c ? b[i] : x))));
  return [col(0) / D, col(1) / D, col(2) / D];
}

export function referenceMonteCarlo(s: RefScenario, seed: number): RefResult {
  const rng = new Rng(seed);
  const g = s.unit.geometry;
  const detectorZ = g.sourceToSupport - g.sourceToDetector;
  const mis = s.unit.miscalibration ?? {};
  const believed = s.unit.angles.map((a) => source(a, g.sourceToSupport, g.rotationAxisHeight));
  const sym = s.unit.angles.length === 2 && s.unit.angles[0] === -s.unit.angles[1] && s.unit.angles[0] !== 0;
  const out: RefResult = { trials: s.trials, targeting: [], classic: sym ? [] : null, placement: [], refused: 0, hit: 0, stroke: 0 };
  const markSigma = s.marking?.sigma ?? 0;
  for (let i = 0; i < s.trials; i++) {
    const T = rng.draw(s.breast.thickness);
    const P: V3 = [rng.draw(s.lesion.x), rng.draw(s.lesion.y), rng.draw(s.lesion.zFraction) * T];
    const R = rng.draw(s.lesion.radius);
    const sts = g.sourceToSupport + rng.draw(mis.sourceToSupport);
    const rah = g.rotationAxisHeight + rng.draw(mis.rotationAxisHeight);
    const marks: V3[] = s.unit.angles.map((a, k) => {
      const S = source(a + rng.draw(mis.angle?.[k]), sts, rah);
      const t = (detectorZ - S[2]) / (P[2] - S[2]);
      return [S[0] + t * (P[0] - S[0]) + markSigma * rng.normal(), S[1] + t * (P[1] - S[1]) + markSigma * rng.normal(), detectorZ];
    });
    const Q = leastSquaresPoint(believed, marks);
    out.targeting.push([Q[0] - P[0], Q[1] - P[1], Q[2] - P[2]]);
    if (sym) {
      const a = Math.abs(s.unit.angles[0]);
      const [mp, mm] = s.unit.angles[0] > 0 ? [marks[0], marks[1]] : [marks[1], marks[0]];
      const gap = g.sourceToDetector - g.sourceToSupport;
      const cz = (mm[0] - mp[0]) / (2 * Math.tan((a * Math.PI) / 180)) - gap;
      out.classic!.push([(mp[0] + mm[0]) / 2 - P[0], (mp[1] + mm[1]) / 2 - P[1], cz - P[2]]);
    }
    if (!s.needle) continue;
    const n = s.needle;
    const half = n.device.apertureLength / 2;
    const Tread = T + rng.draw(s.breast.thicknessReadout?.bias) + (s.breast.thicknessReadout?.sigma ?? 0) * rng.normal();
    if (Q[2] - half - n.device.tipLength < (n.minStrokeMargin ?? 0) || Q[2] + half > Tread) {
      out.refused++;
      continue;
    }
    const dev = n.deviation?.sigma ?? [0, 0, 0];
    const dis = s.tissue?.displacement?.sigma ?? [0, 0, 0];
    const A: V3 = [Q[0] + dev[0] * rng.normal(), Q[1] + dev[1] * rng.normal(), Q[2] + dev[2] * rng.normal()];
    const L: V3 = [P[0] + dis[0] * rng.normal(), P[1] + dis[1] * rng.normal(), P[2] + dis[2] * rng.normal()];
    out.placement.push([A[0] - L[0], A[1] - L[1], A[2] - L[2]]);
    // Nearest point of the aperture segment (along z through A) to the moved lesion centre.
    const along = Math.min(Math.max(L[2], A[2] - half), A[2] + half);
    const dist = Math.hypot(L[0] - A[0], L[1] - A[1], L[2] - along);
    if (dist <= R + (n.samplingRadius ?? 0)) out.hit++;
    if (A[2] - half - n.device.tipLength < 0) out.stroke++;
  }
  return out;
}
