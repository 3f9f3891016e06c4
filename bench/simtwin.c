/*
 * C twin of the whole simulation trial loop (assembly/simulate.ts `simulate`), for
 * bench/simulate-ctwin.mjs: the same Philox4x32-10 words (counter = trial low, trial high,
 * block, 0; key = seed low, seed high), the same uniforms from each word's top 53 bits,
 * the same polar normals (second of a pair kept), the same draws in the same order, the
 * same triangulation, block sums (even and odd trials apart), counters, largest errors,
 * 0.001 mm histograms and extents. Written from the kernel's description, operation for
 * operation in the kernel's order; compiled with -ffp-contract=off so no multiply-add
 * fuses. sqrt, floor and the arithmetic are IEEE-exact, so they give the kernel's bits;
 * log, exp, sin and cos come from the C library (glibc), which can differ from
 * AssemblyScript's own in the last bit: the bench reports whether the outputs agreed to the bit.
 *
 * usage: simtwin CONFIG SEEDLO SEEDHI FIRST COUNT REPS [OUT]
 *   CONFIG: the kernel's 756 configuration doubles (src/simulate/kernel.ts packConfig);
 *   prints nanoseconds per trial, wall clock then CPU time, over REPS runs (after one untimed run) of COUNT trials from FIRST; OUT receives
 *   the last run's block sums, counters (singular count in slot 9), extents (as doubles)
 *   and the 13 histograms (u32).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  C_VIEWS = 0, C_SID = 1, C_STS = 2, C_RAH = 3, C_NEEDLE = 4, C_PLUS = 5, C_MINUS = 6, C_TANA = 7,
  C_READ_SIGMA = 9, C_APERTURE = 10, C_TIP = 11, C_SAMPLING = 12, C_MIN_STROKE = 13, C_DEVIATION = 14,
  C_DISPLACEMENT = 17, C_THICKNESS = 20, C_X = 23, C_Y = 26, C_ZFRACTION = 29, C_RADIUS = 32,
  C_READ_BIAS = 35, C_MIS_STS = 38, C_MIS_RAH = 41, C_ANGLES = 44, C_MIS_ANGLES = 52, C_SHIFT = 76,
  C_TRUNC = 88, C_MARK = 196, C_VEC = 228, C_VEC_TABLE = 236, VEC_TABLE = 256, C_MIS_SID = 748,
  C_DET_SHIFT = 749, C_DEFLECT = 752, C_SLICE = 753, CONFIG_SLOTS = 756,
  MAX_VIEWS = 8, MAX_REDRAWS = 10000,
  SUMS = 26, S_TARGETED = 24, S_PLACED = 25,
  K_TRIALS = 0, K_CLASSIC = 1, K_PLACED = 2, K_REFUSED = 3, K_HIT = 4, K_STROKE = 5, K_MAX = 6, COUNTERS = 10,
  HIST_BINS = 131072, HIST_LEN = 2 * HIST_BINS + 2, HISTOGRAMS = 13, BLOCK = 4096,
};

static const double *cfg;
#define c(slot) (cfg[(slot)])

/* ---- Philox4x32-10 and the per-trial stream ---- */
static uint32_t key0, key1, trialLo, trialHi, blockIndex;
static uint64_t q1;
static int left;
static double cachedNormal;
static int haveNormal;

static inline void philox(uint32_t r[4], uint32_t k0, uint32_t k1) {
  for (int i = 0; i < 10; i++) {
    const uint64_t p0 = (uint64_t)0xD2511F53u * r[0], p1 = (uint64_t)0xCD9E8D57u * r[2];
    const uint32_t n0 = (uint32_t)(p1 >> 32) ^ r[1] ^ k0, n2 = (uint32_t)(p0 >> 32) ^ r[3] ^ k1;
    r[0] = n0; r[1] = (uint32_t)p1; r[2] = n2; r[3] = (uint32_t)p0;
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
}

static inline void startTrial(uint64_t index) {
  trialLo = (uint32_t)index; trialHi = (uint32_t)(index >> 32);
  blockIndex = 0; left = 0; haveNormal = 0;
}

static inline uint64_t nextWord(void) {
  if (left > 0) { left--; return q1; }
  uint32_t r[4] = { trialLo, trialHi, blockIndex, 0 };
  philox(r, key0, key1);
  blockIndex++;
  q1 = ((uint64_t)r[3] << 32) | r[2];
  left = 1;
  return ((uint64_t)r[1] << 32) | r[0];
}

static inline double uniform(void) { return ((double)(nextWord() >> 11) + 0.5) * 1.1102230246251565e-16; }

static double normal(void) {
  if (haveNormal) { haveNormal = 0; return cachedNormal; }
  double a, b, s;
  do {
    a = 2.0 * uniform() - 1.0;
    b = 2.0 * uniform() - 1.0;
    s = a * a + b * b;
  } while (s >= 1.0 || s == 0.0);
  const double f = sqrt(-2.0 * log(s) / s);
  cachedNormal = b * f; haveNormal = 1;
  return a * f;
}

static int exhausted;
static double truncatedNormal(double mean, double sd, int slot) {
  const int t = C_TRUNC + 2 * (slot - C_THICKNESS);
  const double lo = c(t), hi = c(t + 1);
  for (int i = 0; i < MAX_REDRAWS; i++) {
    const double x = mean + sd * normal();
    if (x >= lo && x <= hi) return x;
  }
  exhausted++;
  return 0.5 * (lo + hi);
}

static inline double draw(int slot) {
  const double kind = c(slot), a = c(slot + 1);
  if (kind == 0) return a;
  const double b = c(slot + 2);
  if (kind == 1) return a + (b - a) * uniform();
  if (kind == 2) return a + b * normal();
  return truncatedNormal(a, b, slot);
}

static const double RAD = 3.141592653589793 / 180.0;
static double bsx[MAX_VIEWS], bsz[MAX_VIEWS], tsx[MAX_VIEWS], tsz[MAX_VIEWS], mu[MAX_VIEWS], mv[MAX_VIEWS];

static void sources(double *outX, double *outZ, int misAngles, double dSts, double dRah) {
  const int views = (int)c(C_VIEWS);
  const double rah = c(C_RAH) + dRah, radius = (c(C_STS) + dSts) - rah;
  for (int k = 0; k < views; k++) {
    const double a = (c(C_ANGLES + k) + (misAngles ? draw(C_MIS_ANGLES + 3 * k) : 0.0)) * RAD;
    outX[k] = radius * sin(a);
    outZ[k] = rah + radius * cos(a);
  }
}

static double qx, qy, qz, vx, vy, vz;

static double studentT(int nu) {
  const double z = normal();
  double v = 0.0;
  for (int i = 0; i < nu; i++) { const double n = normal(); v += n * n; }
  return z / sqrt(v / (double)nu) * sqrt((double)(nu - 2) / (double)nu);
}

static void vectorError(int w, double sx, double sy, double sz) {
  const int o = C_VEC + 4 * w;
  const double mode = c(o);
  if (mode < 2) {
    const int nu = (int)c(o + 1);
    vx = sx != 0 ? sx * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    vy = sy != 0 ? sy * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    vz = sz != 0 ? sz * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    return;
  }
  double m;
  if (mode == 2) m = c(o + 1) * exp(c(o + 2) * normal());
  else {
    const int count = (int)c(o + 3);
    int k = (int)(uniform() * (double)count);
    if (k >= count) k = count - 1;
    m = c(C_VEC_TABLE + VEC_TABLE * w + k);
  }
  double a, b, d, n2;
  do { a = normal(); b = normal(); d = normal(); n2 = a * a + b * b + d * d; } while (n2 == 0.0);
  const double f = m / sqrt(n2);
  vx = a * f; vy = b * f; vz = d * f;
}

static int triangulate(int views, double dz) {
  if (views == 2) {
    const double s0x = bsx[0], s0z = bsz[0], s1x = bsx[1], s1z = bsz[1];
    const double w0x = mu[0] - s0x, w0y = mv[0], w0z = dz - s0z;
    const double w1x = mu[1] - s1x, w1y = mv[1], w1z = dz - s1z;
    const double nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const double nn = nx * nx + ny * ny + nz * nz;
    const double n0 = w0x * w0x + w0y * w0y + w0z * w0z, n1 = w1x * w1x + w1y * w1y + w1z * w1z;
    if (!(nn > 5e-13 * (n0 * n1))) return 0;
    const double dx = s1x - s0x, dzz = s1z - s0z;
    const double s = ((-dzz * w1y) * nx + (dzz * w1x - dx * w1z) * ny + (dx * w1y) * nz) / nn;
    const double t = ((-dzz * w0y) * nx + (dzz * w0x - dx * w0z) * ny + (dx * w0y) * nz) / nn;
    qx = 0.5 * ((s0x + s * w0x) + (s1x + t * w1x));
    qy = 0.5 * (s * w0y + t * w1y);
    qz = 0.5 * ((s0z + s * w0z) + (s1z + t * w1z));
    return 1;
  }
  double a00 = 0, a01 = 0, a02 = 0, a11 = 0, a12 = 0, a22 = 0, b0 = 0, b1 = 0, b2 = 0;
  for (int k = 0; k < views; k++) {
    const double Sx = bsx[k], Sz = bsz[k];
    const double wx = mu[k] - Sx, wy = mv[k], wz = dz - Sz;
    const double inv = 1.0 / (wx * wx + wy * wy + wz * wz);
    const double q = (wx * Sx + wz * Sz) * inv;
    a00 += 1.0 - wx * wx * inv; a01 -= wx * wy * inv; a02 -= wx * wz * inv;
    a11 += 1.0 - wy * wy * inv; a12 -= wy * wz * inv; a22 += 1.0 - wz * wz * inv;
    b0 += Sx - wx * q; b1 -= wy * q; b2 += Sz - wz * q;
  }
  const double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
  const double c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
  const double det = a00 * c00 + a01 * c01 + a02 * c02;
  if (!(det > 1e-12)) return 0;
  qx = (c00 * b0 + c01 * b1 + c02 * b2) / det;
  qy = (c01 * b0 + c11 * b1 + c12 * b2) / det;
  qz = (c02 * b0 + c12 * b1 + c22 * b2) / det;
  return 1;
}

static uint32_t *hist;
static int32_t extent[2 * HISTOGRAMS];
static double acc[2 * SUMS];

static inline int slotOf(double value) {
  /* wasm's trunc_sat: NaN to 0, out of range saturated (the kernel's values are finite and clamped next). */
  const double f = floor(value * 1000.0);
  int s = f != f ? 0 : f >= 2147483647.0 ? 2147483647 : f <= -2147483648.0 ? (int)-2147483648.0 : (int)f;
  s = s > HIST_BINS ? HIST_BINS : s;
  s = s < -HIST_BINS - 1 ? -HIST_BINS - 1 : s;
  return s + HIST_BINS + 1;
}
static inline void bin(int h, double value) { hist[(size_t)h * HIST_LEN + slotOf(value)]++; }

static void widen(int h, int lo, int hi) {
  if (lo < extent[2 * h]) extent[2 * h] = lo;
  if (hi > extent[2 * h + 1]) extent[2 * h + 1] = hi;
}
static void widenGroup(int group, double m, int distance) {
  int lo = slotOf(-m) - 1, hi = slotOf(m) + 1, zero = slotOf(0.0) - 1;
  if (lo < 0) lo = 0;
  if (hi > HIST_LEN - 1) hi = HIST_LEN - 1;
  if (zero < 0) zero = 0;
  for (int a = 0; a < 3; a++) widen(group * 4 + a, lo, hi);
  widen(group * 4 + 3, zero, hi);
  if (distance) widen(12, zero, hi);
}

static inline void score(double *base, int group, double ex, double ey, double ez, double *counters) {
  double *o = base + group * 8;
  const double r = sqrt(ex * ex + ey * ey + ez * ez);
  const double *k = cfg + C_SHIFT + group * 4;
  const double sx = ex - k[0], sy = ey - k[1], sz = ez - k[2], sr = r - k[3];
  o[0] += sx; o[1] += sx * sx; o[2] += sy; o[3] += sy * sy;
  o[4] += sz; o[5] += sz * sz; o[6] += sr; o[7] += sr * sr;
  if (group != 1) base[group == 0 ? S_TARGETED : S_PLACED] += 1.0;
  if (r > counters[K_MAX + group]) counters[K_MAX + group] = r;
  bin(group * 4, ex); bin(group * 4 + 1, ey); bin(group * 4 + 2, ez); bin(group * 4 + 3, r);
}

static int simulate(uint32_t seedLo, uint32_t seedHi, double first, int count, int blockSize, double *sums, double *counters) {
  key0 = seedLo; key1 = seedHi;
  const int views = (int)c(C_VIEWS);
  const double dz = c(C_STS) - c(C_SID), dzTrue = dz - c(C_MIS_SID);
  const double shiftX = c(C_DET_SHIFT), shiftY = c(C_DET_SHIFT + 1);
  const double deflect = c(C_DEFLECT), slice = c(C_SLICE);
  const int needle = c(C_NEEDLE) != 0;
  const int plus = (int)c(C_PLUS), minus = (int)c(C_MINUS);
  const double classicK = 0.5 / c(C_TANA), gap = c(C_SID) - c(C_STS);
  const double readSigma = c(C_READ_SIGMA), halfAperture = 0.5 * c(C_APERTURE), tip = c(C_TIP);
  const double sampling = c(C_SAMPLING), minStroke = c(C_MIN_STROKE);
  const double devX = c(C_DEVIATION), devY = c(C_DEVIATION + 1), devZ = c(C_DEVIATION + 2);
  const double disX = c(C_DISPLACEMENT), disY = c(C_DISPLACEMENT + 1), disZ = c(C_DISPLACEMENT + 2);
  int misAngles = 0;
  for (int k = 0; k < views; k++) if (c(C_MIS_ANGLES + 3 * k) != 0) misAngles = 1;
  const int trueVaries = misAngles || c(C_MIS_STS) != 0 || c(C_MIS_RAH) != 0;
  sources(bsx, bsz, 0, 0.0, 0.0);
  if (!trueVaries) sources(tsx, tsz, 1, c(C_MIS_STS + 1), c(C_MIS_RAH + 1));

  int singular = 0;
  exhausted = 0;
  const int blocks = (count + blockSize - 1) / blockSize;
  const uint64_t start = (uint64_t)first;
  for (int b = 0; b < blocks; b++) {
    memset(acc, 0, sizeof acc);
    const int from = b * blockSize, to = from + blockSize < count ? from + blockSize : count;
    for (int i = from; i < to; i++) {
      double *base = acc + ((i - from) & 1) * SUMS;
      startTrial(start + (uint64_t)i);
      const double T = draw(C_THICKNESS);
      const double Px = draw(C_X), Py = draw(C_Y), Pz = draw(C_ZFRACTION) * T;
      const double R = draw(C_RADIUS);
      if (trueVaries) {
        const double dSts = draw(C_MIS_STS), dRah = draw(C_MIS_RAH);
        sources(tsx, tsz, 1, dSts, dRah);
      }
      for (int k = 0; k < views; k++) {
        const double Sx = tsx[k], Sz = tsz[k];
        const double t = (dzTrue - Sz) / (Pz - Sz);
        double u = Sx + t * (Px - Sx) + shiftX, v = t * Py + shiftY;
        const int mk = C_MARK + 4 * k;
        u += c(mk);
        v += c(mk + 1);
        const double su = c(mk + 2), sv = c(mk + 3);
        if (su != 0) u += su * normal();
        if (sv != 0) v += sv * normal();
        mu[k] = u; mv[k] = v;
      }
      if (!triangulate(views, dz)) { singular++; continue; }
      if (slice != 0) qz = slice * (floor(qz / slice) + 0.5);
      counters[K_TRIALS] += 1.0;
      score(base, 0, qx - Px, qy - Py, qz - Pz, counters);
      if (plus >= 0) {
        const double up = mu[plus], um = mu[minus];
        const double cx = 0.5 * (up + um), cy = 0.5 * (mv[plus] + mv[minus]);
        const double cz = (um - up) * classicK - gap;
        counters[K_CLASSIC] += 1.0;
        score(base, 1, cx - Px, cy - Py, cz - Pz, counters);
      }
      if (!needle) continue;
      double Tread = T + draw(C_READ_BIAS);
      if (readSigma != 0) Tread += readSigma * normal();
      if (qz - halfAperture - tip < minStroke || qz + halfAperture > Tread) { counters[K_REFUSED] += 1.0; continue; }
      vectorError(0, devX, devY, devZ);
      double Ax = qx + vx, Ay = qy + vy;
      const double Az = qz + vz;
      if (deflect != 0) {
        const double depth = fmax(T - qz, 0.0);
        Ax += deflect * depth * normal();
        Ay += deflect * depth * normal();
      }
      vectorError(1, disX, disY, disZ);
      const double Lx = Px + vx, Ly = Py + vy, Lz = Pz + vz;
      counters[K_PLACED] += 1.0;
      const double ex = Ax - Lx, ey = Ay - Ly, ez = Az - Lz;
      score(base, 2, ex, ey, ez, counters);
      double along = -ez;
      if (along > halfAperture) along -= halfAperture;
      else if (along < -halfAperture) along += halfAperture;
      else along = 0.0;
      const double d = sqrt(ex * ex + ey * ey + along * along);
      bin(12, d);
      if (d <= R + sampling) counters[K_HIT] += 1.0;
      if (Az - halfAperture - tip < 0.0) counters[K_STROKE] += 1.0;
    }
    double *out = sums + (size_t)b * SUMS;
    for (int s = 0; s < SUMS; s++) out[s] = acc[s] + acc[SUMS + s];
  }
  if (counters[K_TRIALS] > 0) widenGroup(0, counters[K_MAX], 0);
  if (counters[K_CLASSIC] > 0) widenGroup(1, counters[K_MAX + 1], 0);
  if (counters[K_PLACED] > 0) widenGroup(2, counters[K_MAX + 2], 1);
  return exhausted > 0 ? singular + count : singular;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: simtwin CONFIG SEEDLO SEEDHI FIRST COUNT REPS [OUT]\n");
    return 2;
  }
  static double config[CONFIG_SLOTS];
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(config, sizeof(double), CONFIG_SLOTS, f) != CONFIG_SLOTS) { fprintf(stderr, "simtwin: cannot read %s\n", argv[1]); return 1; }
  fclose(f);
  cfg = config;
  const uint32_t seedLo = (uint32_t)strtoul(argv[2], 0, 10), seedHi = (uint32_t)strtoul(argv[3], 0, 10);
  const double first = strtod(argv[4], 0);
  const int count = atoi(argv[5]), reps = atoi(argv[6]);
  const int blocks = (count + BLOCK - 1) / BLOCK;
  double *sums = calloc((size_t)blocks * SUMS, sizeof(double));
  double counters[COUNTERS];
  hist = calloc((size_t)HISTOGRAMS * HIST_LEN, sizeof(uint32_t));
  int singular = 0;
  struct timespec t0, t1, c0, c1;
  long long total = 0, cpu = 0;
  /* Run 0 warms the caches and touches the histogram pages; runs 1..REPS are timed. */
  for (int r = 0; r <= reps; r++) {
    /* As the host does between tasks: counters zeroed, extents reset, touched histogram ranges cleared (not timed). */
    for (int h = 0; h < HISTOGRAMS; h++) {
      if (r > 0 && extent[2 * h + 1] >= extent[2 * h]) memset(hist + (size_t)h * HIST_LEN + extent[2 * h], 0, (size_t)(extent[2 * h + 1] - extent[2 * h] + 1) * 4);
      extent[2 * h] = HIST_LEN; extent[2 * h + 1] = -1;
    }
    memset(counters, 0, sizeof counters);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    singular = simulate(seedLo, seedHi, first, count, BLOCK, sums, counters);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r > 0) {
      total += (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
      cpu += (long long)(c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec);
    }
  }
  printf("%.4f %.4f\n", (double)total / ((double)reps * count), (double)cpu / ((double)reps * count));
  if (argc > 7) {
    FILE *o = fopen(argv[7], "wb");
    if (!o) return 1;
    counters[9] = singular;
    double ext[2 * HISTOGRAMS];
    for (int i = 0; i < 2 * HISTOGRAMS; i++) ext[i] = extent[i];
    fwrite(sums, sizeof(double), (size_t)blocks * SUMS, o);
    fwrite(counters, sizeof(double), COUNTERS, o);
    fwrite(ext, sizeof(double), 2 * HISTOGRAMS, o);
    fwrite(hist, sizeof(uint32_t), (size_t)HISTOGRAMS * HIST_LEN, o);
    fclose(o);
  }
  return 0;
}
