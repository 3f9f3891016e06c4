/*
 * C twin of the wasm kernels, for `npm run bench`: the same arithmetic, operation
 * for operation and in the same order, as assembly/targeting.ts
 * (triangulatePairRange: two views, gap, no ray distances; triangulate3Range: three
 * views with ray distances) and assembly/margins.ts (ellipsoidRange). Compiled at
 * bench time with -ffp-contract=off so no multiply-add fuses: the bench checks its
 * outputs against the wasm builds bit for bit before timing anything.
 *
 * usage: ctwin KERNEL DATA N REPS [OUT]
 *   KERNEL pair | pair2 | tri3 | tri3v2 | ellipsoid (pair2 and tri3v2: explicit
 *   2-lane SSE2 vectors, x86-64 only; the others are scalar C left to the compiler); DATA a file of doubles written by bench/run.mjs;
 *   prints the nanoseconds per case of REPS calls over the N cases; OUT receives the
 *   output columns (doubles) of the last call.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SINGULAR_DET 1e-12
#define MAX_BISECTIONS 2100

static int pair(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                double *restrict outX, double *restrict outY, double *restrict outZ, double *restrict outGap) {
  const double s0x = sx[0], s0z = sz[0], s1x = sx[1], s1z = sz[1];
  const double w0z = dz - s0z, w1z = dz - s1z;
  const double w01 = w0z * w1z;
  const double Dx = s1x - s0x, Dz = s1z - s0z;
  const double K0 = Dx * w0z, K1 = Dx * w1z;
  const double limit = 0.5 * SINGULAR_DET;
  const double hx = 0.5 * s0x + 0.5 * s1x, hz = 0.5 * s0z + 0.5 * s1z;
  const double *u1 = u + n, *v1 = v + n;
  int singular = 0;
  for (int i = 0; i < n; i++) {
    const double w0x = u[i] - s0x, w0y = v[i];
    const double w1x = u1[i] - s1x, w1y = v1[i];
    const double nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const double nn = nx * nx + ny * ny + nz * nz;
    const double d = w0x * w1x + w0y * w1y + w01;
    const double r = 1.0 / nn, rh = r * 0.5;
    const double m = Dx * nz - Dz * nx;
    const double s = (w1y * m + (Dz * w1x - K1) * ny) * rh;
    const double t = (w0y * m + (Dz * w0x - K0) * ny) * rh;
    const int ok = nn > limit * (nn + d * d);
    const double x = hx + (s * w0x + t * w1x);
    const double y = s * w0y + t * w1y;
    const double z = hz + (s * w0z + t * w1z);
    const double gap = fabs(Dx * nx + Dz * nz) * sqrt(r);
    outX[i] = ok ? x : NAN;
    outY[i] = ok ? y : NAN;
    outZ[i] = ok ? z : NAN;
    outGap[i] = ok ? gap : NAN;
    singular += !ok;
  }
  return singular;
}

static inline double rayDistance(double x, double y, double z, double Sx, double Sz, double wx, double wy, double wz, double inv) {
  const double rx = x - Sx, ry = y, rz = z - Sz;
  const double cx = ry * wz - rz * wy, cy = rz * wx - rx * wz, cz = rx * wy - ry * wx;
  return sqrt((cx * cx + cy * cy + cz * cz) * inv);
}

static int tri3(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                double *restrict outX, double *restrict outY, double *restrict outZ, double *restrict outDist) {
  const double S0x = sx[0], S0z = sz[0], W0z = dz - S0z, W0zz = W0z * W0z, W0zS = W0z * S0z;
  const double S1x = sx[1], S1z = sz[1], W1z = dz - S1z, W1zz = W1z * W1z, W1zS = W1z * S1z;
  const double S2x = sx[2], S2z = sz[2], W2z = dz - S2z, W2zz = W2z * W2z, W2zS = W2z * S2z;
  const double SX = (S0x + S1x) + S2x, SZ = (S0z + S1z) + S2z;
  const double *u1 = u + n, *v1 = v + n, *u2 = u + 2 * n, *v2 = v + 2 * n;
  double *d1 = outDist + n, *d2 = outDist + 2 * n;
  int singular = 0;
  for (int i = 0; i < n; i++) {
    const double w0x = u[i] - S0x, w0y = v[i];
    const double w1x = u1[i] - S1x, w1y = v1[i];
    const double w2x = u2[i] - S2x, w2y = v2[i];
    const double xx0 = w0x * w0x, yy0 = w0y * w0y, g0 = 1.0 / ((xx0 + yy0) + W0zz);
    const double xx1 = w1x * w1x, yy1 = w1y * w1y, g1 = 1.0 / ((xx1 + yy1) + W1zz);
    const double xx2 = w2x * w2x, yy2 = w2y * w2y, g2 = 1.0 / ((xx2 + yy2) + W2zz);
    const double p0z = W0z * g0, q0 = (w0x * S0x + W0zS) * g0;
    const double p1z = W1z * g1, q1 = (w1x * S1x + W1zS) * g1;
    const double p2z = W2z * g2, q2 = (w2x * S2x + W2zS) * g2;
    const double a00 = 3.0 - ((xx0 * g0 + xx1 * g1) + xx2 * g2);
    const double a11 = 3.0 - ((yy0 * g0 + yy1 * g1) + yy2 * g2);
    const double a22 = 3.0 - ((W0z * p0z + W1z * p1z) + W2z * p2z);
    const double n01 = ((w0x * w0y) * g0 + (w1x * w1y) * g1) + (w2x * w2y) * g2;
    const double n02 = (w0x * p0z + w1x * p1z) + w2x * p2z;
    const double n12 = (w0y * p0z + w1y * p1z) + w2y * p2z;
    const double b0 = SX - ((w0x * q0 + w1x * q1) + w2x * q2);
    const double nb1 = (w0y * q0 + w1y * q1) + w2y * q2;
    const double b2 = SZ - ((W0z * q0 + W1z * q1) + W2z * q2);
    const double c00 = a11 * a22 - n12 * n12, c01 = n02 * n12 + n01 * a22, c02 = n01 * n12 + n02 * a11;
    const double c11 = a00 * a22 - n02 * n02, c12 = n01 * n02 + a00 * n12, c22 = a00 * a11 - n01 * n01;
    const double det = a00 * c00 - (n01 * c01 + n02 * c02);
    const int ok = det > SINGULAR_DET;
    const double r = 1.0 / det;
    const double x = ok ? ((c00 * b0 - c01 * nb1) + c02 * b2) * r : NAN;
    const double y = ok ? ((c01 * b0 - c11 * nb1) + c12 * b2) * r : NAN;
    const double z = ok ? ((c02 * b0 - c12 * nb1) + c22 * b2) * r : NAN;
    singular += !ok;
    outX[i] = x;
    outY[i] = y;
    outZ[i] = z;
    outDist[i] = rayDistance(x, y, z, S0x, S0z, w0x, w0y, W0z, g0);
    d1[i] = rayDistance(x, y, z, S1x, S1z, w1x, w1y, W1z, g1);
    d2[i] = rayDistance(x, y, z, S2x, S2z, w2x, w2y, W2z, g2);
  }
  return singular;
}


/* The same kernels with explicit 2-lane vectors (SSE2 f64x2, as the wasm SIMD build):
 * operation for operation as assembly/simd.ts, so the width is the same on both sides. */
#if defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_V2 1
typedef __m128d v2;
#define ADD _mm_add_pd
#define SUB _mm_sub_pd
#define MUL _mm_mul_pd
#define DIV _mm_div_pd
#define SPLAT _mm_set1_pd
#define LOAD _mm_loadu_pd
#define STORE _mm_storeu_pd
#define SEL(a, b, m) _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b))

static inline v2 pairStep(size_t i, const double *u, const double *v, const double *u1, const double *v1,
                          double *outX, double *outY, double *outZ, double *outGap,
                          v2 S0x, v2 S1x, v2 Hx, v2 Hz, v2 W0z, v2 W1z, v2 W01,
                          v2 Dx, v2 Dz, v2 K0, v2 K1, v2 limit, v2 one, v2 half, v2 nan, v2 sign) {
  const v2 w0x = SUB(LOAD(u + i), S0x), w0y = LOAD(v + i);
  const v2 w1x = SUB(LOAD(u1 + i), S1x), w1y = LOAD(v1 + i);
  const v2 nx = SUB(MUL(w0y, W1z), MUL(W0z, w1y));
  const v2 ny = SUB(MUL(W0z, w1x), MUL(w0x, W1z));
  const v2 nz = SUB(MUL(w0x, w1y), MUL(w0y, w1x));
  const v2 nn = ADD(ADD(MUL(nx, nx), MUL(ny, ny)), MUL(nz, nz));
  const v2 d = ADD(ADD(MUL(w0x, w1x), MUL(w0y, w1y)), W01);
  const v2 ok = _mm_cmpgt_pd(nn, MUL(limit, ADD(nn, MUL(d, d))));
  const v2 r = SEL(DIV(one, nn), nan, ok);
  const v2 rh = MUL(r, half);
  const v2 m = SUB(MUL(Dx, nz), MUL(Dz, nx));
  const v2 s = MUL(ADD(MUL(w1y, m), MUL(SUB(MUL(Dz, w1x), K1), ny)), rh);
  const v2 t = MUL(ADD(MUL(w0y, m), MUL(SUB(MUL(Dz, w0x), K0), ny)), rh);
  STORE(outX + i, ADD(Hx, ADD(MUL(s, w0x), MUL(t, w1x))));
  STORE(outY + i, ADD(MUL(s, w0y), MUL(t, w1y)));
  STORE(outZ + i, ADD(Hz, ADD(MUL(s, W0z), MUL(t, W1z))));
  STORE(outGap + i, MUL(_mm_andnot_pd(sign, ADD(MUL(Dx, nx), MUL(Dz, nz))), _mm_sqrt_pd(r)));
  return ok;
}

static int pair_v2(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                   double *outX, double *outY, double *outZ, double *outGap) {
  const double s0x = sx[0], s0z = sz[0], s1x = sx[1], s1z = sz[1];
  const double w0zs = dz - s0z, w1zs = dz - s1z, Dxs = s1x - s0x, Dzs = s1z - s0z;
  const v2 one = SPLAT(1.0), half = SPLAT(0.5), nan = SPLAT(NAN), sign = SPLAT(-0.0);
  const v2 S0x = SPLAT(s0x), S1x = SPLAT(s1x);
  const v2 Hx = SPLAT(0.5 * s0x + 0.5 * s1x), Hz = SPLAT(0.5 * s0z + 0.5 * s1z);
  const v2 W0z = SPLAT(w0zs), W1z = SPLAT(w1zs), W01 = SPLAT(w0zs * w1zs);
  const v2 Dx = SPLAT(Dxs), Dz = SPLAT(Dzs), K0 = SPLAT(Dxs * w0zs), K1 = SPLAT(Dxs * w1zs);
  const v2 limit = SPLAT(0.5 * SINGULAR_DET);
  const double *u1 = u + n, *v1 = v + n;
  __m128i solvable = _mm_setzero_si128();
  int i = 0;
  /* eight cases per step, then four, as the wasm kernel steps */
  for (; i + 7 < n; i += 8) {
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i + 2, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i + 4, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i + 6, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
  }
  for (; i + 3 < n; i += 4) {
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i + 2, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S1x, Hx, Hz, W0z, W1z, W01, Dx, Dz, K0, K1, limit, one, half, nan, sign)));
  }
  long long lanes[2];
  _mm_storeu_si128((__m128i *)lanes, solvable);
  int singular = i + (int)(lanes[0] + lanes[1]);
  /* the scalar tail, case by case (the second view's column lies n away) */
  for (; i < n; i++) {
    double tu[2] = { u[i], u1[i] }, tv[2] = { v[i], v1[i] };
    singular += pair(1, sx, sz, dz, tu, tv, outX + i, outY + i, outZ + i, outGap + i);
  }
  return singular;
}

static inline v2 rayDistance2(v2 x, v2 y, v2 z, v2 Sx, v2 Sz, v2 wx, v2 wy, v2 wz, v2 inv) {
  const v2 rx = SUB(x, Sx), ry = y, rz = SUB(z, Sz);
  const v2 cx = SUB(MUL(ry, wz), MUL(rz, wy));
  const v2 cy = SUB(MUL(rz, wx), MUL(rx, wz));
  const v2 cz = SUB(MUL(rx, wy), MUL(ry, wx));
  return _mm_sqrt_pd(MUL(ADD(ADD(MUL(cx, cx), MUL(cy, cy)), MUL(cz, cz)), inv));
}

/* The per-batch constants of the three-view step. */
typedef struct { v2 one, three, nan, tiny, SX, SZ, Sx[3], Sz[3], Wz[3], Wzz[3], WzS[3]; } Tri3Const;

/* Two cases of three views from their loaded marks: the same operations as tri3. */
static inline __attribute__((always_inline)) v2 tri3Step(const Tri3Const *c, const v2 ux[3], const v2 vy[3], size_t i,
                          double *outX, double *outY, double *outZ, double *outDist, double *d1, double *d2) {
  const v2 w0x = SUB(ux[0], c->Sx[0]), w0y = vy[0];
  const v2 w1x = SUB(ux[1], c->Sx[1]), w1y = vy[1];
  const v2 w2x = SUB(ux[2], c->Sx[2]), w2y = vy[2];
  const v2 xx0 = MUL(w0x, w0x), yy0 = MUL(w0y, w0y), g0 = DIV(c->one, ADD(ADD(xx0, yy0), c->Wzz[0]));
  const v2 xx1 = MUL(w1x, w1x), yy1 = MUL(w1y, w1y), g1 = DIV(c->one, ADD(ADD(xx1, yy1), c->Wzz[1]));
  const v2 xx2 = MUL(w2x, w2x), yy2 = MUL(w2y, w2y), g2 = DIV(c->one, ADD(ADD(xx2, yy2), c->Wzz[2]));
  const v2 p0z = MUL(c->Wz[0], g0), q0 = MUL(ADD(MUL(w0x, c->Sx[0]), c->WzS[0]), g0);
  const v2 p1z = MUL(c->Wz[1], g1), q1 = MUL(ADD(MUL(w1x, c->Sx[1]), c->WzS[1]), g1);
  const v2 p2z = MUL(c->Wz[2], g2), q2 = MUL(ADD(MUL(w2x, c->Sx[2]), c->WzS[2]), g2);
  const v2 a00 = SUB(c->three, ADD(ADD(MUL(xx0, g0), MUL(xx1, g1)), MUL(xx2, g2)));
  const v2 a11 = SUB(c->three, ADD(ADD(MUL(yy0, g0), MUL(yy1, g1)), MUL(yy2, g2)));
  const v2 a22 = SUB(c->three, ADD(ADD(MUL(c->Wz[0], p0z), MUL(c->Wz[1], p1z)), MUL(c->Wz[2], p2z)));
  const v2 n01 = ADD(ADD(MUL(MUL(w0x, w0y), g0), MUL(MUL(w1x, w1y), g1)), MUL(MUL(w2x, w2y), g2));
  const v2 n02 = ADD(ADD(MUL(w0x, p0z), MUL(w1x, p1z)), MUL(w2x, p2z));
  const v2 n12 = ADD(ADD(MUL(w0y, p0z), MUL(w1y, p1z)), MUL(w2y, p2z));
  const v2 b0 = SUB(c->SX, ADD(ADD(MUL(w0x, q0), MUL(w1x, q1)), MUL(w2x, q2)));
  const v2 nb1 = ADD(ADD(MUL(w0y, q0), MUL(w1y, q1)), MUL(w2y, q2));
  const v2 b2 = SUB(c->SZ, ADD(ADD(MUL(c->Wz[0], q0), MUL(c->Wz[1], q1)), MUL(c->Wz[2], q2)));
  const v2 c00 = SUB(MUL(a11, a22), MUL(n12, n12)), c01 = ADD(MUL(n02, n12), MUL(n01, a22)), c02 = ADD(MUL(n01, n12), MUL(n02, a11));
  const v2 c11 = SUB(MUL(a00, a22), MUL(n02, n02)), c12 = ADD(MUL(n01, n02), MUL(a00, n12)), c22 = SUB(MUL(a00, a11), MUL(n01, n01));
  const v2 det = SUB(MUL(a00, c00), ADD(MUL(n01, c01), MUL(n02, c02)));
  const v2 ok = _mm_cmpgt_pd(det, c->tiny);
  const v2 r = SEL(DIV(c->one, det), c->nan, ok);
  const v2 x = MUL(ADD(SUB(MUL(c00, b0), MUL(c01, nb1)), MUL(c02, b2)), r);
  const v2 y = MUL(ADD(SUB(MUL(c01, b0), MUL(c11, nb1)), MUL(c12, b2)), r);
  const v2 z = MUL(ADD(SUB(MUL(c02, b0), MUL(c12, nb1)), MUL(c22, b2)), r);
  STORE(outX + i, x); STORE(outY + i, y); STORE(outZ + i, z);
  STORE(outDist + i, rayDistance2(x, y, z, c->Sx[0], c->Sz[0], w0x, w0y, c->Wz[0], g0));
  STORE(d1 + i, rayDistance2(x, y, z, c->Sx[1], c->Sz[1], w1x, w1y, c->Wz[1], g1));
  STORE(d2 + i, rayDistance2(x, y, z, c->Sx[2], c->Sz[2], w2x, w2y, c->Wz[2], g2));
  return ok;
}

/* Four cases: both chains' marks loaded before either stores, as the wasm kernel does. */
static inline __attribute__((always_inline)) __m128i tri3Four(const Tri3Const *c, const double *const col[3], const double *const row[3], size_t i,
                                                              double *outX, double *outY, double *outZ, double *outDist, double *d1, double *d2) {
  v2 ua[3], va[3], ub[3], vb[3];
  for (int k = 0; k < 3; k++) {
    ua[k] = LOAD(col[k] + i); va[k] = LOAD(row[k] + i);
    ub[k] = LOAD(col[k] + i + 2); vb[k] = LOAD(row[k] + i + 2);
  }
  return _mm_add_epi64(_mm_castpd_si128(tri3Step(c, ua, va, i, outX, outY, outZ, outDist, d1, d2)),
                       _mm_castpd_si128(tri3Step(c, ub, vb, i + 2, outX, outY, outZ, outDist, d1, d2)));
}

static int tri3_v2(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                   double *outX, double *outY, double *outZ, double *outDist) {
  Tri3Const c;
  c.one = SPLAT(1.0); c.three = SPLAT(3.0); c.nan = SPLAT(NAN); c.tiny = SPLAT(SINGULAR_DET);
  for (int k = 0; k < 3; k++) {
    const double w = dz - sz[k];
    c.Sx[k] = SPLAT(sx[k]); c.Sz[k] = SPLAT(sz[k]); c.Wz[k] = SPLAT(w); c.Wzz[k] = SPLAT(w * w); c.WzS[k] = SPLAT(w * sz[k]);
  }
  c.SX = SPLAT((sx[0] + sx[1]) + sx[2]); c.SZ = SPLAT((sz[0] + sz[1]) + sz[2]);
  const double *col[3] = { u, u + n, u + 2 * n }, *row[3] = { v, v + n, v + 2 * n };
  double *d1 = outDist + n, *d2 = d1 + n;
  __m128i solvable = _mm_setzero_si128();
  int i = 0;
  for (; i + 3 < n; i += 4) solvable = _mm_add_epi64(solvable, tri3Four(&c, col, row, i, outX, outY, outZ, outDist, d1, d2));
  for (; i + 1 < n; i += 2) {
    v2 ua[3], va[3];
    for (int k = 0; k < 3; k++) { ua[k] = LOAD(col[k] + i); va[k] = LOAD(row[k] + i); }
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(tri3Step(&c, ua, va, i, outX, outY, outZ, outDist, d1, d2)));
  }
  long long lanes[2];
  _mm_storeu_si128((__m128i *)lanes, solvable);
  int singular = i + (int)(lanes[0] + lanes[1]);
  for (; i < n; i++) {
    double tu[3] = { u[i], col[1][i], col[2][i] }, tv[3] = { v[i], row[1][i], row[2][i] }, td[3];
    singular += tri3(1, sx, sz, dz, tu, tv, outX + i, outY + i, outZ + i, td);
    outDist[i] = td[0]; d1[i] = td[1]; d2[i] = td[2];
  }
  return singular;
}
#endif

static inline double len3(double a, double b, double c) {
  const double m = fmax(fabs(a), fmax(fabs(b), fabs(c)));
  if (m == 0) return 0;
  const double x = a / m, y = b / m, z = c / m;
  return m * sqrt(x * x + y * y + z * z);
}

static void nearestEllipse(double e0, double e1, double y0, double y1, double *ex0, double *ex1) {
  const double z0 = y0 / e0, z1 = y1 / e1;
  if (z1 > 0) {
    if (z0 > 0) {
      double g = z0 * z0 + z1 * z1 - 1;
      if (g == 0) { *ex0 = y0; *ex1 = y1; return; }
      const double r0 = (e0 / e1) * (e0 / e1), m0 = r0 - 1, n0 = r0 * z0;
      double lo = z1, hi = g < 0 ? 1.0 : len3(n0, z1, 0), u = 0.0;
      for (int i = 0; i < MAX_BISECTIONS; i++) {
        u = (lo + hi) * 0.5;
        if (u == lo || u == hi) break;
        const double a = n0 / (u + m0), b = z1 / u;
        g = a * a + b * b - 1;
        if (g > 0) lo = u; else if (g < 0) hi = u; else break;
      }
      *ex0 = (r0 * y0) / (u + m0);
      *ex1 = y1 / u;
      return;
    }
    *ex0 = 0; *ex1 = e1;
    return;
  }
  const double numer0 = e0 * y0, denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const double xde0 = numer0 / denom0;
    *ex0 = e0 * xde0;
    *ex1 = e1 * sqrt(fmax(0, 1 - xde0 * xde0));
    return;
  }
  *ex0 = e0; *ex1 = 0;
}

static void ellipsoid(int n, double e0, double e1, double e2, double c0, double c1, double c2,
                      const double *px, const double *py, const double *pz,
                      double *outSigned, double *outX, double *outY, double *outZ) {
  const double r0 = (e0 / e2) * (e0 / e2), r1 = (e1 / e2) * (e1 / e2), m0 = r0 - 1, m1 = r1 - 1;
  const double denom0 = e0 * e0 - e2 * e2, denom1 = e1 * e1 - e2 * e2;
  for (int i = 0; i < n; i++) {
    const double d0 = px[i] - c0, d1 = py[i] - c1, d2 = pz[i] - c2;
    const double y0 = fabs(d0), y1 = fabs(d1), y2 = fabs(d2);
    const double z0 = y0 / e0, z1 = y1 / e1, z2 = y2 / e2;
    double x0 = 0, x1 = 0, x2 = 0;
    if (z2 > 0) {
      if (z1 > 0) {
        if (z0 > 0) {
          const double g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
          if (g == 0) { x0 = y0; x1 = y1; x2 = y2; } else {
            const double n0 = r0 * z0, n1 = r1 * z1;
            double lo = z2, hi = g < 0 ? 1.0 : len3(n0, n1, z2), u = 0.0;
            for (int k = 0; k < MAX_BISECTIONS; k++) {
              u = (lo + hi) * 0.5;
              if (u == lo || u == hi) break;
              const double a = n0 / (u + m0), b = n1 / (u + m1), c = z2 / u;
              const double gg = a * a + b * b + c * c - 1;
              if (gg > 0) lo = u; else if (gg < 0) hi = u; else break;
            }
            x0 = (r0 * y0) / (u + m0); x1 = (r1 * y1) / (u + m1); x2 = y2 / u;
          }
        } else { nearestEllipse(e1, e2, y1, y2, &x1, &x2); x0 = 0; }
      } else if (z0 > 0) { nearestEllipse(e0, e2, y0, y2, &x0, &x2); x1 = 0; } else { x2 = e2; }
    } else {
      int done = 0;
      const double numer0 = e0 * y0, numer1 = e1 * y1;
      if (numer0 < denom0 && numer1 < denom1) {
        const double xde0 = numer0 / denom0, xde1 = numer1 / denom1;
        const double discr = 1 - xde0 * xde0 - xde1 * xde1;
        if (discr > 0) { x0 = e0 * xde0; x1 = e1 * xde1; x2 = e2 * sqrt(discr); done = 1; }
      }
      if (!done) { nearestEllipse(e0, e1, y0, y1, &x0, &x1); x2 = 0; }
    }
    const double dist = len3(x0 - y0, x1 - y1, x2 - y2);
    const int inside = z0 * z0 + z1 * z1 + z2 * z2 < 1;
    outSigned[i] = inside ? -dist : dist;
    outX[i] = c0 + (d0 < 0 ? -x0 : x0);
    outY[i] = c1 + (d1 < 0 ? -x1 : x1);
    outZ[i] = c2 + (d2 < 0 ? -x2 : x2);
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: ctwin pair|tri3|ellipsoid DATA N REPS [OUT]\n"); return 2; }
  const char *kernel = argv[1];
  const int n = atoi(argv[3]), reps = atoi(argv[4]);
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 1; }
  fseek(f, 0, SEEK_END);
  const long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  double *in = malloc(bytes);
  if (fread(in, 1, bytes, f) != (size_t)bytes) { fprintf(stderr, "short read\n"); return 1; }
  fclose(f);
  double *out = calloc((size_t)n * 4, sizeof(double));
  double t0 = 0, t1 = 0;
  size_t outCount = 0;
  volatile int sink = 0;
  if (!strncmp(kernel, "pair", 4) || !strncmp(kernel, "tri3", 4)) {
    /* header: V, dz, sx[V], sz[V]; then u (V n), v (V n) */
    const int V = (int)in[0];
    const double dz = in[1];
    const double *sx = in + 2, *sz = in + 2 + V;
    /* The columns on 64-byte boundaries, as the wasm batches lay them out (the file's
       header would leave them wherever V puts them). */
    double *u = aligned_alloc(64, ((size_t)2 * V * n * sizeof(double) + 63) / 64 * 64), *v = u + (size_t)V * n;
    memcpy(u, in + 2 + 2 * V, (size_t)2 * V * n * sizeof(double));
    const int tri = kernel[0] == 't', vec = !strcmp(kernel, "pair2") || !strcmp(kernel, "tri3v2");
    int (*fn)(int, const double *, const double *, double, const double *, const double *, double *, double *, double *, double *) =
      tri ? tri3 : pair;
#ifdef HAVE_V2
    if (vec) fn = tri ? tri3_v2 : pair_v2;
#else
    if (vec) { fprintf(stderr, "no 2-lane vectors on this target\n"); return 3; }
#endif
    free(out);
    outCount = (tri ? 6 : 4) * (size_t)n;
    out = aligned_alloc(64, (outCount * sizeof(double) + 63) / 64 * 64);
    memset(out, 0, outCount * sizeof(double));
    t0 = now();
    for (int r = 0; r < reps; r++) sink += fn(n, sx, sz, dz, u, v, out, out + n, out + 2 * (size_t)n, out + 3 * (size_t)n);
    t1 = now();
  } else if (!strcmp(kernel, "ellipsoid")) {
    /* header: e0 e1 e2 c0 c1 c2; then x, y, z (n each) */
    const double *px = in + 6, *py = px + n, *pz = py + n;
    t0 = now();
    for (int r = 0; r < reps; r++) ellipsoid(n, in[0], in[1], in[2], in[3], in[4], in[5], px, py, pz, out, out + n, out + 2 * (size_t)n, out + 3 * (size_t)n);
    t1 = now();
    outCount = 4 * (size_t)n;
  } else {
    fprintf(stderr, "unknown kernel %s\n", kernel);
    return 2;
  }
  printf("%.6f\n", (t1 - t0) / ((double)reps * n));
  if (argc > 5) {
    FILE *o = fopen(argv[5], "wb");
    if (!o || fwrite(out, sizeof(double), outCount, o) != outCount) { perror(argv[5]); return 1; }
    fclose(o);
  }
  return sink == -1;
}
