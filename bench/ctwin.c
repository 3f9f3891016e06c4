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
  const double w0zz = w0z * w0z, w1zz = w1z * w1z;
  const double Dx = s1x - s0x, Dz = s1z - s0z;
  const double K0 = Dx * w0z, K1 = Dx * w1z;
  const double limit = 0.5 * SINGULAR_DET;
  const double *u1 = u + n, *v1 = v + n;
  int singular = 0;
  for (int i = 0; i < n; i++) {
    const double w0x = u[i] - s0x, w0y = v[i];
    const double w1x = u1[i] - s1x, w1y = v1[i];
    const double nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const double nn = nx * nx + ny * ny + nz * nz;
    const double n0 = w0x * w0x + w0y * w0y + w0zz, n1 = w1x * w1x + w1y * w1y + w1zz;
    const double r = 1.0 / nn;
    const double s = (-(Dz * w1y) * nx + (Dz * w1x - K1) * ny + Dx * w1y * nz) * r;
    const double t = (-(Dz * w0y) * nx + (Dz * w0x - K0) * ny + Dx * w0y * nz) * r;
    const int ok = nn > limit * (n0 * n1);
    const double x = 0.5 * ((s0x + s * w0x) + (s1x + t * w1x));
    const double y = 0.5 * (s * w0y + t * w1y);
    const double z = 0.5 * ((s0z + s * w0z) + (s1z + t * w1z));
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
  const double *u1 = u + n, *v1 = v + n, *u2 = u + 2 * n, *v2 = v + 2 * n;
  double *d1 = outDist + n, *d2 = outDist + 2 * n;
  int singular = 0;
  for (int i = 0; i < n; i++) {
    const double w0x = u[i] - S0x, w0y = v[i];
    const double i0 = 1.0 / (w0x * w0x + w0y * w0y + W0zz);
    const double p0x = w0x * i0, p0y = w0y * i0, p0z = W0z * i0;
    const double q0 = (w0x * S0x + W0zS) * i0;
    const double w1x = u1[i] - S1x, w1y = v1[i];
    const double i1 = 1.0 / (w1x * w1x + w1y * w1y + W1zz);
    const double p1x = w1x * i1, p1y = w1y * i1, p1z = W1z * i1;
    const double q1 = (w1x * S1x + W1zS) * i1;
    const double w2x = u2[i] - S2x, w2y = v2[i];
    const double i2 = 1.0 / (w2x * w2x + w2y * w2y + W2zz);
    const double p2x = w2x * i2, p2y = w2y * i2, p2z = W2z * i2;
    const double q2 = (w2x * S2x + W2zS) * i2;
    const double a00 = ((1.0 - w0x * p0x) + (1.0 - w1x * p1x)) + (1.0 - w2x * p2x);
    const double a01 = ((0.0 - w0x * p0y) - w1x * p1y) - w2x * p2y;
    const double a02 = ((0.0 - w0x * p0z) - w1x * p1z) - w2x * p2z;
    const double a11 = ((1.0 - w0y * p0y) + (1.0 - w1y * p1y)) + (1.0 - w2y * p2y);
    const double a12 = ((0.0 - w0y * p0z) - w1y * p1z) - w2y * p2z;
    const double a22 = ((1.0 - W0z * p0z) + (1.0 - W1z * p1z)) + (1.0 - W2z * p2z);
    const double b0 = ((0.0 + (S0x - w0x * q0)) + (S1x - w1x * q1)) + (S2x - w2x * q2);
    const double b1 = ((0.0 - w0y * q0) - w1y * q1) - w2y * q2;
    const double b2 = ((0.0 + (S0z - W0z * q0)) + (S1z - W1z * q1)) + (S2z - W2z * q2);
    const double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
    const double c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
    const double det = a00 * c00 + a01 * c01 + a02 * c02;
    const int ok = det > SINGULAR_DET;
    const double r = 1.0 / det;
    const double x = ok ? (c00 * b0 + c01 * b1 + c02 * b2) * r : NAN;
    const double y = ok ? (c01 * b0 + c11 * b1 + c12 * b2) * r : NAN;
    const double z = ok ? (c02 * b0 + c12 * b1 + c22 * b2) * r : NAN;
    singular += !ok;
    outX[i] = x;
    outY[i] = y;
    outZ[i] = z;
    outDist[i] = rayDistance(x, y, z, S0x, S0z, w0x, w0y, W0z, i0);
    d1[i] = rayDistance(x, y, z, S1x, S1z, w1x, w1y, W1z, i1);
    d2[i] = rayDistance(x, y, z, S2x, S2z, w2x, w2y, W2z, i2);
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
                          v2 S0x, v2 S0z, v2 S1x, v2 S1z, v2 W0z, v2 W1z, v2 W0zz, v2 W1zz,
                          v2 Dx, v2 Dz, v2 NDz, v2 K0, v2 K1, v2 limit, v2 one, v2 half, v2 nan, v2 sign) {
  const v2 w0x = SUB(LOAD(u + i), S0x), w0y = LOAD(v + i);
  const v2 w1x = SUB(LOAD(u1 + i), S1x), w1y = LOAD(v1 + i);
  const v2 nx = SUB(MUL(w0y, W1z), MUL(W0z, w1y));
  const v2 ny = SUB(MUL(W0z, w1x), MUL(w0x, W1z));
  const v2 nz = SUB(MUL(w0x, w1y), MUL(w0y, w1x));
  const v2 nn = ADD(ADD(MUL(nx, nx), MUL(ny, ny)), MUL(nz, nz));
  const v2 n0 = ADD(ADD(MUL(w0x, w0x), MUL(w0y, w0y)), W0zz);
  const v2 n1 = ADD(ADD(MUL(w1x, w1x), MUL(w1y, w1y)), W1zz);
  const v2 r = DIV(one, nn);
  const v2 s = MUL(ADD(ADD(MUL(MUL(NDz, w1y), nx), MUL(SUB(MUL(Dz, w1x), K1), ny)), MUL(MUL(Dx, w1y), nz)), r);
  const v2 t = MUL(ADD(ADD(MUL(MUL(NDz, w0y), nx), MUL(SUB(MUL(Dz, w0x), K0), ny)), MUL(MUL(Dx, w0y), nz)), r);
  const v2 ok = _mm_cmpgt_pd(nn, MUL(limit, MUL(n0, n1)));
  STORE(outX + i, SEL(MUL(half, ADD(ADD(S0x, MUL(s, w0x)), ADD(S1x, MUL(t, w1x)))), nan, ok));
  STORE(outY + i, SEL(MUL(half, ADD(MUL(s, w0y), MUL(t, w1y))), nan, ok));
  STORE(outZ + i, SEL(MUL(half, ADD(ADD(S0z, MUL(s, W0z)), ADD(S1z, MUL(t, W1z)))), nan, ok));
  STORE(outGap + i, SEL(MUL(_mm_andnot_pd(sign, ADD(MUL(Dx, nx), MUL(Dz, nz))), _mm_sqrt_pd(r)), nan, ok));
  return ok;
}

static int pair_v2(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                   double *outX, double *outY, double *outZ, double *outGap) {
  const double s0x = sx[0], s0z = sz[0], s1x = sx[1], s1z = sz[1];
  const double w0zs = dz - s0z, w1zs = dz - s1z, Dxs = s1x - s0x, Dzs = s1z - s0z;
  const v2 one = SPLAT(1.0), half = SPLAT(0.5), nan = SPLAT(NAN), sign = SPLAT(-0.0);
  const v2 S0x = SPLAT(s0x), S0z = SPLAT(s0z), S1x = SPLAT(s1x), S1z = SPLAT(s1z);
  const v2 W0z = SPLAT(w0zs), W1z = SPLAT(w1zs), W0zz = SPLAT(w0zs * w0zs), W1zz = SPLAT(w1zs * w1zs);
  const v2 Dx = SPLAT(Dxs), Dz = SPLAT(Dzs), NDz = SPLAT(-Dzs), K0 = SPLAT(Dxs * w0zs), K1 = SPLAT(Dxs * w1zs);
  const v2 limit = SPLAT(0.5 * SINGULAR_DET);
  const double *u1 = u + n, *v1 = v + n;
  __m128i solvable = _mm_setzero_si128();
  int i = 0;
  for (; i + 3 < n; i += 4) {
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S0z, S1x, S1z, W0z, W1z, W0zz, W1zz, Dx, Dz, NDz, K0, K1, limit, one, half, nan, sign)));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(pairStep(i + 2, u, v, u1, v1, outX, outY, outZ, outGap,
      S0x, S0z, S1x, S1z, W0z, W1z, W0zz, W1zz, Dx, Dz, NDz, K0, K1, limit, one, half, nan, sign)));
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

static int tri3_v2(int n, const double *sx, const double *sz, double dz, const double *u, const double *v,
                   double *outX, double *outY, double *outZ, double *outDist) {
  const v2 one = SPLAT(1.0), zero = SPLAT(0.0), nan = SPLAT(NAN), tiny = SPLAT(SINGULAR_DET);
  v2 S[3][5];
  for (int k = 0; k < 3; k++) {
    const double w = dz - sz[k];
    S[k][0] = SPLAT(sx[k]); S[k][1] = SPLAT(sz[k]); S[k][2] = SPLAT(w); S[k][3] = SPLAT(w * w); S[k][4] = SPLAT(w * sz[k]);
  }
  const v2 S0x = S[0][0], S0z = S[0][1], W0z = S[0][2], W0zz = S[0][3], W0zS = S[0][4];
  const v2 S1x = S[1][0], S1z = S[1][1], W1z = S[1][2], W1zz = S[1][3], W1zS = S[1][4];
  const v2 S2x = S[2][0], S2z = S[2][1], W2z = S[2][2], W2zz = S[2][3], W2zS = S[2][4];
  const double *u1 = u + n, *v1 = v + n, *u2 = u1 + n, *v2p = v1 + n;
  double *d1 = outDist + n, *d2 = d1 + n;
  __m128i solvable = _mm_setzero_si128();
  int i = 0;
  for (; i + 3 < n; i += 4) {
    /* four cases per step, the two chains interleaved as in the wasm kernel */
    const v2 w0x_a = SUB(LOAD(u + i), S0x), w0y_a = LOAD(v + i);
    const v2 w0x_b = SUB(LOAD(u + i + 2), S0x), w0y_b = LOAD(v + i + 2);
    const v2 i0_a = DIV(one, ADD(ADD(MUL(w0x_a, w0x_a), MUL(w0y_a, w0y_a)), W0zz));
    const v2 i0_b = DIV(one, ADD(ADD(MUL(w0x_b, w0x_b), MUL(w0y_b, w0y_b)), W0zz));
    const v2 p0x_a = MUL(w0x_a, i0_a), p0y_a = MUL(w0y_a, i0_a), p0z_a = MUL(W0z, i0_a);
    const v2 p0x_b = MUL(w0x_b, i0_b), p0y_b = MUL(w0y_b, i0_b), p0z_b = MUL(W0z, i0_b);
    const v2 q0_a = MUL(ADD(MUL(w0x_a, S0x), W0zS), i0_a);
    const v2 q0_b = MUL(ADD(MUL(w0x_b, S0x), W0zS), i0_b);
    const v2 w1x_a = SUB(LOAD(u1 + i), S1x), w1y_a = LOAD(v1 + i);
    const v2 w1x_b = SUB(LOAD(u1 + i + 2), S1x), w1y_b = LOAD(v1 + i + 2);
    const v2 i1_a = DIV(one, ADD(ADD(MUL(w1x_a, w1x_a), MUL(w1y_a, w1y_a)), W1zz));
    const v2 i1_b = DIV(one, ADD(ADD(MUL(w1x_b, w1x_b), MUL(w1y_b, w1y_b)), W1zz));
    const v2 p1x_a = MUL(w1x_a, i1_a), p1y_a = MUL(w1y_a, i1_a), p1z_a = MUL(W1z, i1_a);
    const v2 p1x_b = MUL(w1x_b, i1_b), p1y_b = MUL(w1y_b, i1_b), p1z_b = MUL(W1z, i1_b);
    const v2 q1_a = MUL(ADD(MUL(w1x_a, S1x), W1zS), i1_a);
    const v2 q1_b = MUL(ADD(MUL(w1x_b, S1x), W1zS), i1_b);
    const v2 w2x_a = SUB(LOAD(u2 + i), S2x), w2y_a = LOAD(v2p + i);
    const v2 w2x_b = SUB(LOAD(u2 + i + 2), S2x), w2y_b = LOAD(v2p + i + 2);
    const v2 i2_a = DIV(one, ADD(ADD(MUL(w2x_a, w2x_a), MUL(w2y_a, w2y_a)), W2zz));
    const v2 i2_b = DIV(one, ADD(ADD(MUL(w2x_b, w2x_b), MUL(w2y_b, w2y_b)), W2zz));
    const v2 p2x_a = MUL(w2x_a, i2_a), p2y_a = MUL(w2y_a, i2_a), p2z_a = MUL(W2z, i2_a);
    const v2 p2x_b = MUL(w2x_b, i2_b), p2y_b = MUL(w2y_b, i2_b), p2z_b = MUL(W2z, i2_b);
    const v2 q2_a = MUL(ADD(MUL(w2x_a, S2x), W2zS), i2_a);
    const v2 q2_b = MUL(ADD(MUL(w2x_b, S2x), W2zS), i2_b);
    const v2 a00_a = ADD(ADD(SUB(one, MUL(w0x_a, p0x_a)), SUB(one, MUL(w1x_a, p1x_a))), SUB(one, MUL(w2x_a, p2x_a)));
    const v2 a00_b = ADD(ADD(SUB(one, MUL(w0x_b, p0x_b)), SUB(one, MUL(w1x_b, p1x_b))), SUB(one, MUL(w2x_b, p2x_b)));
    const v2 a01_a = SUB(SUB(SUB(zero, MUL(w0x_a, p0y_a)), MUL(w1x_a, p1y_a)), MUL(w2x_a, p2y_a));
    const v2 a01_b = SUB(SUB(SUB(zero, MUL(w0x_b, p0y_b)), MUL(w1x_b, p1y_b)), MUL(w2x_b, p2y_b));
    const v2 a02_a = SUB(SUB(SUB(zero, MUL(w0x_a, p0z_a)), MUL(w1x_a, p1z_a)), MUL(w2x_a, p2z_a));
    const v2 a02_b = SUB(SUB(SUB(zero, MUL(w0x_b, p0z_b)), MUL(w1x_b, p1z_b)), MUL(w2x_b, p2z_b));
    const v2 a11_a = ADD(ADD(SUB(one, MUL(w0y_a, p0y_a)), SUB(one, MUL(w1y_a, p1y_a))), SUB(one, MUL(w2y_a, p2y_a)));
    const v2 a11_b = ADD(ADD(SUB(one, MUL(w0y_b, p0y_b)), SUB(one, MUL(w1y_b, p1y_b))), SUB(one, MUL(w2y_b, p2y_b)));
    const v2 a12_a = SUB(SUB(SUB(zero, MUL(w0y_a, p0z_a)), MUL(w1y_a, p1z_a)), MUL(w2y_a, p2z_a));
    const v2 a12_b = SUB(SUB(SUB(zero, MUL(w0y_b, p0z_b)), MUL(w1y_b, p1z_b)), MUL(w2y_b, p2z_b));
    const v2 a22_a = ADD(ADD(SUB(one, MUL(W0z, p0z_a)), SUB(one, MUL(W1z, p1z_a))), SUB(one, MUL(W2z, p2z_a)));
    const v2 a22_b = ADD(ADD(SUB(one, MUL(W0z, p0z_b)), SUB(one, MUL(W1z, p1z_b))), SUB(one, MUL(W2z, p2z_b)));
    const v2 b0_a = ADD(ADD(ADD(zero, SUB(S0x, MUL(w0x_a, q0_a))), SUB(S1x, MUL(w1x_a, q1_a))), SUB(S2x, MUL(w2x_a, q2_a)));
    const v2 b0_b = ADD(ADD(ADD(zero, SUB(S0x, MUL(w0x_b, q0_b))), SUB(S1x, MUL(w1x_b, q1_b))), SUB(S2x, MUL(w2x_b, q2_b)));
    const v2 b1_a = SUB(SUB(SUB(zero, MUL(w0y_a, q0_a)), MUL(w1y_a, q1_a)), MUL(w2y_a, q2_a));
    const v2 b1_b = SUB(SUB(SUB(zero, MUL(w0y_b, q0_b)), MUL(w1y_b, q1_b)), MUL(w2y_b, q2_b));
    const v2 b2_a = ADD(ADD(ADD(zero, SUB(S0z, MUL(W0z, q0_a))), SUB(S1z, MUL(W1z, q1_a))), SUB(S2z, MUL(W2z, q2_a)));
    const v2 b2_b = ADD(ADD(ADD(zero, SUB(S0z, MUL(W0z, q0_b))), SUB(S1z, MUL(W1z, q1_b))), SUB(S2z, MUL(W2z, q2_b)));
    const v2 c00_a = SUB(MUL(a11_a, a22_a), MUL(a12_a, a12_a)), c01_a = SUB(MUL(a02_a, a12_a), MUL(a01_a, a22_a)), c02_a = SUB(MUL(a01_a, a12_a), MUL(a02_a, a11_a));
    const v2 c00_b = SUB(MUL(a11_b, a22_b), MUL(a12_b, a12_b)), c01_b = SUB(MUL(a02_b, a12_b), MUL(a01_b, a22_b)), c02_b = SUB(MUL(a01_b, a12_b), MUL(a02_b, a11_b));
    const v2 c11_a = SUB(MUL(a00_a, a22_a), MUL(a02_a, a02_a)), c12_a = SUB(MUL(a01_a, a02_a), MUL(a00_a, a12_a)), c22_a = SUB(MUL(a00_a, a11_a), MUL(a01_a, a01_a));
    const v2 c11_b = SUB(MUL(a00_b, a22_b), MUL(a02_b, a02_b)), c12_b = SUB(MUL(a01_b, a02_b), MUL(a00_b, a12_b)), c22_b = SUB(MUL(a00_b, a11_b), MUL(a01_b, a01_b));
    const v2 det_a = ADD(ADD(MUL(a00_a, c00_a), MUL(a01_a, c01_a)), MUL(a02_a, c02_a));
    const v2 det_b = ADD(ADD(MUL(a00_b, c00_b), MUL(a01_b, c01_b)), MUL(a02_b, c02_b));
    const v2 ok_a = _mm_cmpgt_pd(det_a, tiny);
    const v2 ok_b = _mm_cmpgt_pd(det_b, tiny);
    const v2 r_a = DIV(one, det_a);
    const v2 r_b = DIV(one, det_b);
    const v2 x_a = SEL(MUL(ADD(ADD(MUL(c00_a, b0_a), MUL(c01_a, b1_a)), MUL(c02_a, b2_a)), r_a), nan, ok_a);
    const v2 x_b = SEL(MUL(ADD(ADD(MUL(c00_b, b0_b), MUL(c01_b, b1_b)), MUL(c02_b, b2_b)), r_b), nan, ok_b);
    const v2 y_a = SEL(MUL(ADD(ADD(MUL(c01_a, b0_a), MUL(c11_a, b1_a)), MUL(c12_a, b2_a)), r_a), nan, ok_a);
    const v2 y_b = SEL(MUL(ADD(ADD(MUL(c01_b, b0_b), MUL(c11_b, b1_b)), MUL(c12_b, b2_b)), r_b), nan, ok_b);
    const v2 z_a = SEL(MUL(ADD(ADD(MUL(c02_a, b0_a), MUL(c12_a, b1_a)), MUL(c22_a, b2_a)), r_a), nan, ok_a);
    const v2 z_b = SEL(MUL(ADD(ADD(MUL(c02_b, b0_b), MUL(c12_b, b1_b)), MUL(c22_b, b2_b)), r_b), nan, ok_b);
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(ok_a));
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(ok_b));
    STORE(outX + i, x_a); STORE(outY + i, y_a); STORE(outZ + i, z_a);
    STORE(outX + i + 2, x_b); STORE(outY + i + 2, y_b); STORE(outZ + i + 2, z_b);
    STORE(outDist + i, rayDistance2(x_a, y_a, z_a, S0x, S0z, w0x_a, w0y_a, W0z, i0_a));
    STORE(outDist + i + 2, rayDistance2(x_b, y_b, z_b, S0x, S0z, w0x_b, w0y_b, W0z, i0_b));
    STORE(d1 + i, rayDistance2(x_a, y_a, z_a, S1x, S1z, w1x_a, w1y_a, W1z, i1_a));
    STORE(d1 + i + 2, rayDistance2(x_b, y_b, z_b, S1x, S1z, w1x_b, w1y_b, W1z, i1_b));
    STORE(d2 + i, rayDistance2(x_a, y_a, z_a, S2x, S2z, w2x_a, w2y_a, W2z, i2_a));
    STORE(d2 + i + 2, rayDistance2(x_b, y_b, z_b, S2x, S2z, w2x_b, w2y_b, W2z, i2_b));
  }
  for (; i + 1 < n; i += 2) {
    const v2 w0x = SUB(LOAD(u + i), S0x), w0y = LOAD(v + i);
    const v2 i0 = DIV(one, ADD(ADD(MUL(w0x, w0x), MUL(w0y, w0y)), W0zz));
    const v2 p0x = MUL(w0x, i0), p0y = MUL(w0y, i0), p0z = MUL(W0z, i0);
    const v2 q0 = MUL(ADD(MUL(w0x, S0x), W0zS), i0);
    const v2 w1x = SUB(LOAD(u1 + i), S1x), w1y = LOAD(v1 + i);
    const v2 i1 = DIV(one, ADD(ADD(MUL(w1x, w1x), MUL(w1y, w1y)), W1zz));
    const v2 p1x = MUL(w1x, i1), p1y = MUL(w1y, i1), p1z = MUL(W1z, i1);
    const v2 q1 = MUL(ADD(MUL(w1x, S1x), W1zS), i1);
    const v2 w2x = SUB(LOAD(u2 + i), S2x), w2y = LOAD(v2p + i);
    const v2 i2 = DIV(one, ADD(ADD(MUL(w2x, w2x), MUL(w2y, w2y)), W2zz));
    const v2 p2x = MUL(w2x, i2), p2y = MUL(w2y, i2), p2z = MUL(W2z, i2);
    const v2 q2 = MUL(ADD(MUL(w2x, S2x), W2zS), i2);
    const v2 a00 = ADD(ADD(SUB(one, MUL(w0x, p0x)), SUB(one, MUL(w1x, p1x))), SUB(one, MUL(w2x, p2x)));
    const v2 a01 = SUB(SUB(SUB(zero, MUL(w0x, p0y)), MUL(w1x, p1y)), MUL(w2x, p2y));
    const v2 a02 = SUB(SUB(SUB(zero, MUL(w0x, p0z)), MUL(w1x, p1z)), MUL(w2x, p2z));
    const v2 a11 = ADD(ADD(SUB(one, MUL(w0y, p0y)), SUB(one, MUL(w1y, p1y))), SUB(one, MUL(w2y, p2y)));
    const v2 a12 = SUB(SUB(SUB(zero, MUL(w0y, p0z)), MUL(w1y, p1z)), MUL(w2y, p2z));
    const v2 a22 = ADD(ADD(SUB(one, MUL(W0z, p0z)), SUB(one, MUL(W1z, p1z))), SUB(one, MUL(W2z, p2z)));
    const v2 b0 = ADD(ADD(ADD(zero, SUB(S0x, MUL(w0x, q0))), SUB(S1x, MUL(w1x, q1))), SUB(S2x, MUL(w2x, q2)));
    const v2 b1 = SUB(SUB(SUB(zero, MUL(w0y, q0)), MUL(w1y, q1)), MUL(w2y, q2));
    const v2 b2 = ADD(ADD(ADD(zero, SUB(S0z, MUL(W0z, q0))), SUB(S1z, MUL(W1z, q1))), SUB(S2z, MUL(W2z, q2)));
    const v2 c00 = SUB(MUL(a11, a22), MUL(a12, a12)), c01 = SUB(MUL(a02, a12), MUL(a01, a22)), c02 = SUB(MUL(a01, a12), MUL(a02, a11));
    const v2 c11 = SUB(MUL(a00, a22), MUL(a02, a02)), c12 = SUB(MUL(a01, a02), MUL(a00, a12)), c22 = SUB(MUL(a00, a11), MUL(a01, a01));
    const v2 det = ADD(ADD(MUL(a00, c00), MUL(a01, c01)), MUL(a02, c02));
    const v2 ok = _mm_cmpgt_pd(det, tiny);
    const v2 r = DIV(one, det);
    const v2 x = SEL(MUL(ADD(ADD(MUL(c00, b0), MUL(c01, b1)), MUL(c02, b2)), r), nan, ok);
    const v2 y = SEL(MUL(ADD(ADD(MUL(c01, b0), MUL(c11, b1)), MUL(c12, b2)), r), nan, ok);
    const v2 z = SEL(MUL(ADD(ADD(MUL(c02, b0), MUL(c12, b1)), MUL(c22, b2)), r), nan, ok);
    solvable = _mm_add_epi64(solvable, _mm_castpd_si128(ok));
    STORE(outX + i, x); STORE(outY + i, y); STORE(outZ + i, z);
    STORE(outDist + i, rayDistance2(x, y, z, S0x, S0z, w0x, w0y, W0z, i0));
    STORE(d1 + i, rayDistance2(x, y, z, S1x, S1z, w1x, w1y, W1z, i1));
    STORE(d2 + i, rayDistance2(x, y, z, S2x, S2z, w2x, w2y, W2z, i2));
  }
  long long lanes[2];
  _mm_storeu_si128((__m128i *)lanes, solvable);
  int singular = i + (int)(lanes[0] + lanes[1]);
  for (; i < n; i++) {
    double tu[3] = { u[i], u1[i], u2[i] }, tv[3] = { v[i], v1[i], v2p[i] }, td[3];
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
    const double *sx = in + 2, *sz = in + 2 + V, *u = in + 2 + 2 * V, *v = u + (size_t)V * n;
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
    out = calloc(outCount, sizeof(double));
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
