// Research scenarios: whole simulated procedures in wasm, summary accumulated in
// wasm memory (spec simulation.md). Nothing per trial crosses into JavaScript.
//
// Randomness: Philox4x32-10 (Salmon et al., SC'11), counter-based. The draws of
// trial i use key = (seed low 32 bits, seed high 32 bits) and counters
// (i low, i high, j, 0) for j = 0, 1, 2, ...; each block gives two 64-bit words,
// each word one uniform in (0, 1) from its top 53 bits. Normal deviates come in
// pairs from Marsaglia's polar form of the Box-Muller transform (exact; one log,
// one root per pair). So trial i depends only on the seed and i.
//
// Sums are accumulated per fixed block of trials (even and odd trials of a block
// separately, then added), so the host combines blocks in block order and the
// result never depends on how blocks are spread over workers. Percentiles come
// from histograms of |error| with 0.001 mm bins (integer counts).
//
// Both builds run this code; the SIMD build (ASC_FEATURE_SIMD) computes the first Philox
// blocks of four trials at once and two views' marking normals in f64x2 lanes, giving the same
// words and the same doubles (see prefetch4, normalPairs). All arithmetic is IEEE-754 double
// with no fused operations, so both builds give the same bits (test/simulate/stream-freeze.test.ts).

// ---- configuration layout (f64 slots, filled by the host) ----
export const C_VIEWS: i32 = 0;
export const C_SID: i32 = 1;
export const C_STS: i32 = 2;
export const C_RAH: i32 = 3;
export const C_NEEDLE: i32 = 4;
export const C_PLUS: i32 = 5;
export const C_MINUS: i32 = 6;
export const C_TANA: i32 = 7;
export const C_MARK_SIGMA: i32 = 8;
export const C_READ_SIGMA: i32 = 9;
export const C_APERTURE: i32 = 10;
export const C_TIP: i32 = 11;
export const C_SAMPLING: i32 = 12;
export const C_MIN_STROKE: i32 = 13;
export const C_DEVIATION: i32 = 14; // 3 slots
export const C_DISPLACEMENT: i32 = 17; // 3 slots
// Distributions: 3 slots each (kind 0 constant a, 1 uniform [a, b], 2 normal mean a, sd b).
export const C_THICKNESS: i32 = 20;
export const C_X: i32 = 23;
export const C_Y: i32 = 26;
export const C_ZFRACTION: i32 = 29;
export const C_RADIUS: i32 = 32;
export const C_READ_BIAS: i32 = 35;
export const C_MIS_STS: i32 = 38;
export const C_MIS_RAH: i32 = 41;
export const C_ANGLES: i32 = 44; // MAX_VIEWS slots
export const C_MIS_ANGLES: i32 = 52; // 3 * MAX_VIEWS slots
// Shifts subtracted from each scored quantity before it is summed (group * 4 + x, y, z, r):
// sums of (e - k) and (e - k)^2 with k near the mean keep the variance exact when the
// errors are (nearly) constant (a constant's SD is 0, not the rounding of n * sum e^2 - (sum e)^2).
export const C_SHIFT: i32 = 76; // 12 slots
// Truncation bounds [lo, hi] of distribution slot s (kind 3) at C_TRUNC + 2 * (s - C_THICKNESS).
export const C_TRUNC: i32 = 88;
// Marking per view k: bias u, bias v, sigma u, sigma v (mm) at C_MARK + 4 * k.
export const C_MARK: i32 = 196;
// 3-D errors (0 needle deviation, 1 tissue displacement): mode, p1, p2, count at C_VEC + 4 * w;
// mode 0 per-axis normal (the sigma slots), 1 per-axis Student t (p1 = nu), 2 isotropic with a
// lognormal length (p1 = median, p2 = SD of its log), 3 isotropic with a length drawn from the
// `count` values at C_VEC_TABLE + VEC_TABLE * w.
export const C_VEC: i32 = 228;
export const C_VEC_TABLE: i32 = 236;
export const VEC_TABLE: i32 = 256;
// Detector miscalibration (constants): the true SID minus the believed one, and the shift [x, y]
// of the detector's coordinates; marks are read on the true detector as if on the believed one.
export const C_MIS_SID: i32 = 748;
export const C_DET_SHIFT: i32 = 749; // 2 slots
// Needle deflection: lateral (x, y) SD per mm of tissue crossed, from the top surface (z = T) to the target.
export const C_DEFLECT: i32 = 752;
// Tomosynthesis-guided depth: the estimate's z taken as the centre of its reconstructed slice
// (slices of this spacing upward from the support, z = 0); 0 for stereo depth.
export const C_SLICE: i32 = 753;
// The lateral approach (0 in every slot for the vertical one): the needle's direction of travel
// along x (-1 entering from +x, +1 from -x), its outer radius, the skins' x (each with a flag:
// given or not) and the least clearance from support and paddle.
export const C_LATERAL: i32 = 754;
export const C_OUTER_R: i32 = 755;
export const C_NEAR_GIVEN: i32 = 756;
export const C_NEAR_X: i32 = 757;
export const C_FAR_GIVEN: i32 = 758;
export const C_FAR_X: i32 = 759;
export const C_MIN_CLEAR: i32 = 760;
export const CONFIG_SLOTS: i32 = 764;
/** Redraws a truncated normal may take (the host refuses truncations keeping < 1 %: 0.99^10000 ~ 2e-44). */
const MAX_REDRAWS: i32 = 10000;
/** Set when a truncated normal ran out of redraws: the host refuses the run (never reached in practice). */
let exhausted: i32 = 0;
export const MAX_VIEWS: i32 = 8;

// ---- outputs ----
// Per block: SUMS f64: for groups targeting, classic, placement: x, x^2, y, y^2, z, z^2, r, r^2
// (of the shifted quantities, see C_SHIFT), then the block's counts of targeted and placed trials.
export const SUMS: i32 = 26;
export const S_TARGETED: i32 = 24;
export const S_PLACED: i32 = 25;
// Counters (f64, exact integers below 2^53, and maxima).
export const K_TRIALS: i32 = 0;
export const K_CLASSIC: i32 = 1;
export const K_PLACED: i32 = 2;
export const K_REFUSED: i32 = 3;
export const K_HIT: i32 = 4;
export const K_STROKE: i32 = 5;
export const K_MAX: i32 = 6; // 3 slots: max r of each group
export const K_SINGULAR: i32 = 9;
export const COUNTERS: i32 = 10;
// Histograms: u32 counts of floor(e * 1000) (signed errors; r and the distance use the upper half),
// bins -HIST_BINS..HIST_BINS-1 plus an overflow bin at each end: HIST_LEN slots, bin b at b + HIST_BINS + 1.
export const HIST_BINS: i32 = 131072;
export const HIST_LEN: i32 = 2 * HIST_BINS + 2;
export const HISTOGRAMS: i32 = 13; // group * 4 + (x, y, z, r), then the distance to the aperture

// ---- Philox4x32-10 ----
const M0: u64 = 0xD2511F53;
const M1: u64 = 0xCD9E8D57;
const W0: u32 = 0x9E3779B9;
const W1: u32 = 0xBB67AE85;

let r0: u32 = 0, r1: u32 = 0, r2: u32 = 0, r3: u32 = 0;

/**
 * Philox4x32-10 of counter (c0..c3) and key (k0, k1), ten rounds unrolled on locals (wasm
 * globals live in memory: a round on globals stored four words), the result in r0..r3.
 */
@inline function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let a = c0, b = c1, c = c2, d = c3;
  let p0: u64, p1: u64;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>a; p1 = M1 * <u64>c;
  a = <u32>(p1 >> 32) ^ b ^ k0; b = <u32>p1; c = <u32>(p0 >> 32) ^ d ^ k1; d = <u32>p0;
  r0 = a; r1 = b; r2 = c; r3 = d;
}

/** Known-answer check: Philox4x32-10 of a counter and key, written as 4 u32 at out. */
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, out: usize): void {
  philox(c0, c1, c2, c3, k0, k1);
  store<u32>(out, r0);
  store<u32>(out + 4, r1);
  store<u32>(out + 8, r2);
  store<u32>(out + 12, r3);
}

// ---- per-trial stream ----
// Word p of a trial is word p & 1 of Philox block p >> 1 (word 0 = r1:r0, word 1 = r3:r2).
// The SIMD build computes the first blocks of four consecutive trials at once (i32x4 lanes,
// one trial a lane) as uniforms in `pre` (word p of lane l at pre + (4 p + l) * 8); words past
// them, and every word of the scalar build, come from one block at a time. Same words either way.
let key0: u32 = 0, key1: u32 = 0, trialLo: u32 = 0, trialHi: u32 = 0;
let pos: i32 = 0;
let avail: i32 = 0;
let lane: usize = 0;
let pre: usize = 0;
let slowBlock: i32 = -1;
let slow0: u64 = 0, slow1: u64 = 0;
let cachedNormal: f64 = 0;
let haveNormal = false;
/** Blocks computed ahead per trial in the SIMD build: at most PREFETCH_BLOCKS. */
const PREFETCH_BLOCKS: i32 = 8;
export const PREFETCH_SLOTS: i32 = 2 * PREFETCH_BLOCKS * 4;

@inline function startTrial(index: u64): void {
  trialLo = <u32>index;
  trialHi = <u32>(index >> 32);
  pos = 0;
  avail = 0;
  slowBlock = -1;
  haveNormal = false;
}

/** A uniform deviate in (0, 1): the word's top 53 bits, centred in their interval. */
@inline function toUniform(w: u64): f64 {
  return (<f64>(w >> 11) + 0.5) * 1.1102230246251565e-16;
}

@inline function uniform(): f64 {
  const p = pos++;
  if (p < avail) return load<f64>(pre + (((<usize>p << 2) + lane) << 3));
  return uniformAt(p);
}

/** Word p of the trial, from its block computed alone (and kept for the block's other word). */
@inline function uniformAt(p: i32): f64 {
  const b = p >> 1;
  if (b != slowBlock) {
    philox(trialLo, trialHi, <u32>b, 0, key0, key1);
    slowBlock = b;
    slow0 = (<u64>r1 << 32) | <u64>r0;
    slow1 = (<u64>r3 << 32) | <u64>r2;
  }
  return toUniform(p & 1 ? slow1 : slow0);
}

/**
 * SIMD build: blocks 0..blocks-1 of trials first..first+3 (i32x4 lanes; 32x32->64 products by
 * i64x2.extmul), written to `pre` as uniforms. (word >> 11) = r_hi * 2^21 + (r_lo >> 11) is an
 * integer below 2^53, so converting the two halves and adding is exact: the same double.
 */
function prefetch4(first: u64, blocks: i32): void {
  if (ASC_FEATURE_SIMD) {
    let lo = i32x4.splat(0), hi = i32x4.splat(0);
    lo = i32x4.replace_lane(lo, 0, <i32>first);
    hi = i32x4.replace_lane(hi, 0, <i32>(first >> 32));
    lo = i32x4.replace_lane(lo, 1, <i32>(first + 1));
    hi = i32x4.replace_lane(hi, 1, <i32>((first + 1) >> 32));
    lo = i32x4.replace_lane(lo, 2, <i32>(first + 2));
    hi = i32x4.replace_lane(hi, 2, <i32>((first + 2) >> 32));
    lo = i32x4.replace_lane(lo, 3, <i32>(first + 3));
    hi = i32x4.replace_lane(hi, 3, <i32>((first + 3) >> 32));
    const m0 = i32x4.splat(<i32>M0), m1 = i32x4.splat(<i32>M1);
    const w0 = i32x4.splat(<i32>W0), w1 = i32x4.splat(<i32>W1);
    const K0 = i32x4.splat(<i32>key0), K1 = i32x4.splat(<i32>key1);
    let p0l: v128, p0h: v128, p1l: v128, p1h: v128, q0l: v128, q0h: v128, q1l: v128, q1h: v128;
    // Two blocks at a time (j, j + 1), the ten rounds unrolled: two independent chains hide
    // the multiplier's latency. An odd last block goes alone.
    let j = 0;
    for (; j + 1 < blocks; j += 2) {
      let a = lo, b = hi, c = i32x4.splat(j), d = i32x4.splat(0);
      let a2 = lo, b2 = hi, c2 = i32x4.splat(j + 1), d2 = i32x4.splat(0);
      let k0 = K0, k1 = K1;
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      q0l = i64x2.extmul_low_i32x4_u(a2, m0); q0h = i64x2.extmul_high_i32x4_u(a2, m0);
      q1l = i64x2.extmul_low_i32x4_u(c2, m1); q1h = i64x2.extmul_high_i32x4_u(c2, m1);
      a2 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), b2), k0);
      b2 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
      c2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), d2), k1);
      d2 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
      store4(pre + (<usize>(j << 3) << 3), a, b, c, d);
      store4(pre + (<usize>((j + 1) << 3) << 3), a2, b2, c2, d2);
    }
    if (j < blocks) {
      let a = lo, b = hi, c = i32x4.splat(j), d = i32x4.splat(0);
      let k0 = K0, k1 = K1;
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      k0 = i32x4.add(k0, w0); k1 = i32x4.add(k1, w1);
      p0l = i64x2.extmul_low_i32x4_u(a, m0); p0h = i64x2.extmul_high_i32x4_u(a, m0);
      p1l = i64x2.extmul_low_i32x4_u(c, m1); p1h = i64x2.extmul_high_i32x4_u(c, m1);
      a = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), b), k0);
      b = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
      c = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), d), k1);
      d = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
      store4(pre + (<usize>(j << 3) << 3), a, b, c, d);
    }
  }
}

/** Block j's uniforms of four trials at o: word 0 (b:a) then word 1 (d:c), lanes 0-1 then 2-3. */
@inline function store4(o: usize, a: v128, b: v128, c: v128, d: v128): void {
  if (ASC_FEATURE_SIMD) {
    const two21 = f64x2.splat(2097152.0), half = f64x2.splat(0.5), scale = f64x2.splat(1.1102230246251565e-16);
    const al = i32x4.shr_u(a, 11), cl = i32x4.shr_u(c, 11);
    v128.store(o, f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(b), two21), f64x2.convert_low_i32x4_u(al)), half), scale));
    v128.store(o, f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(b, b, 2, 3, 2, 3)), two21), f64x2.convert_low_i32x4_u(i32x4.shuffle(al, al, 2, 3, 2, 3))), half), scale), 16);
    v128.store(o, f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(d), two21), f64x2.convert_low_i32x4_u(cl)), half), scale), 32);
    v128.store(o, f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(d, d, 2, 3, 2, 3)), two21), f64x2.convert_low_i32x4_u(i32x4.shuffle(cl, cl, 2, 3, 2, 3))), half), scale), 48);
  }
}

/** A standard normal deviate (Marsaglia's polar method, the second of each pair kept). */
function normal(): f64 {
  if (haveNormal) {
    haveNormal = false;
    return cachedNormal;
  }
  let a: f64 = 0, b: f64 = 0, s: f64 = 0;
  do {
    a = 2.0 * uniform() - 1.0;
    b = 2.0 * uniform() - 1.0;
    s = a * a + b * b;
  } while (s >= 1.0 || s == 0.0);
  const f = Math.sqrt(-2.0 * Math.log(s) / s);
  cachedNormal = b * f;
  haveNormal = true;
  return a * f;
}

let pn0: f64 = 0, pn1: f64 = 0, pn2: f64 = 0, pn3: f64 = 0;

/**
 * SIMD build: two polar pairs as two normal() pairs would give them (called with no normal
 * kept): the first pair's attempts, then the second's, from the same uniforms; -2 log(s) / s
 * and its root in f64x2 lanes (IEEE division and root per lane: the same bits). Into pn0..pn3.
 */
function normalPairs(): void {
  if (ASC_FEATURE_SIMD) {
    let a: f64 = 0, b: f64 = 0, s: f64 = 0, a2: f64 = 0, b2: f64 = 0, s2: f64 = 0;
    do {
      a = 2.0 * uniform() - 1.0;
      b = 2.0 * uniform() - 1.0;
      s = a * a + b * b;
    } while (s >= 1.0 || s == 0.0);
    do {
      a2 = 2.0 * uniform() - 1.0;
      b2 = 2.0 * uniform() - 1.0;
      s2 = a2 * a2 + b2 * b2;
    } while (s2 >= 1.0 || s2 == 0.0);
    const S = f64x2.replace_lane(f64x2.splat(s), 1, s2);
    const L = f64x2.replace_lane(f64x2.splat(Math.log(s)), 1, Math.log(s2));
    const F = f64x2.sqrt(f64x2.div(f64x2.mul(f64x2.splat(-2.0), L), S));
    const f = f64x2.extract_lane(F, 0), f2 = f64x2.extract_lane(F, 1);
    pn0 = a * f;
    pn1 = b * f;
    pn2 = a2 * f2;
    pn3 = b2 * f2;
  }
}

/** Fills n standard normals at out (trial `index`, seed (k0, k1)): for the transform's tests. */
export function normals(k0: u32, k1: u32, index: f64, n: i32, out: usize): void {
  key0 = k0;
  key1 = k1;
  startTrial(<u64>index);
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), normal());
}

/** Fills n uniforms at out, as normals() does. */
export function uniforms(k0: u32, k1: u32, index: f64, n: i32, out: usize): void {
  key0 = k0;
  key1 = k1;
  startTrial(<u64>index);
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), uniform());
}

let cfg: usize = 0;
@inline function c(slot: i32): f64 {
  return load<f64>(cfg + (<usize>slot << 3));
}

/**
 * Draws a scenario scalar: constant, uniform [a, b], normal (a, b), or (kind 3) a normal
 * truncated to [lo, hi] by redrawing. No draw for a constant.
 */
@inline function draw(slot: i32): f64 {
  const kind = c(slot);
  const a = c(slot + 1);
  if (kind == 0) return a;
  const b = c(slot + 2);
  if (kind == 1) return a + (b - a) * uniform();
  if (kind == 2) return a + b * normal();
  return truncatedNormal(a, b, slot);
}

function truncatedNormal(mean: f64, sd: f64, slot: i32): f64 {
  const t = C_TRUNC + 2 * (slot - C_THICKNESS);
  const lo = c(t), hi = c(t + 1);
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const x = mean + sd * normal();
    if (x >= lo && x <= hi) return x;
  }
  exhausted++;
  return 0.5 * (lo + hi);
}

@inline function isConstant(slot: i32): bool {
  return c(slot) == 0;
}

// Scratch: sources (believed and true) per view, marks, and the even/odd sums.
const RAD: f64 = Math.PI / 180.0;
let bsx: usize = 0, bsz: usize = 0, tsx: usize = 0, tsz: usize = 0, mu: usize = 0, mv: usize = 0, acc: usize = 0;

function sources(outX: usize, outZ: usize, misAngles: bool, dSts: f64, dRah: f64): void {
  const views = <i32>c(C_VIEWS);
  const rah = c(C_RAH) + dRah;
  const radius = (c(C_STS) + dSts) - rah;
  for (let k = 0; k < views; k++) {
    const a = (c(C_ANGLES + k) + (misAngles ? draw(C_MIS_ANGLES + 3 * k) : 0.0)) * RAD;
    store<f64>(outX + (<usize>k << 3), radius * Math.sin(a));
    store<f64>(outZ + (<usize>k << 3), rah + radius * Math.cos(a));
  }
}

let qx: f64 = 0, qy: f64 = 0, qz: f64 = 0;
let vx: f64 = 0, vy: f64 = 0, vz: f64 = 0;

/** Student's t with nu degrees of freedom, scaled to SD 1: Z / sqrt(V / nu) * sqrt((nu - 2) / nu), V chi-squared from nu normals. */
function studentT(nu: i32): f64 {
  const z = normal();
  let v = 0.0;
  for (let i = 0; i < nu; i++) {
    const n = normal();
    v += n * n;
  }
  return z / Math.sqrt(v / <f64>nu) * Math.sqrt(<f64>(nu - 2) / <f64>nu);
}

/**
 * One 3-D error into vx, vy, vz (w: 0 deviation, 1 displacement). Per axis, a zero SD draws
 * nothing (so version-1 scenarios draw the same numbers); isotropic modes draw the length,
 * then a direction from three normals (uniform on the sphere).
 */
function vectorError(w: i32, sx: f64, sy: f64, sz: f64): void {
  const o = C_VEC + 4 * w;
  const mode = c(o);
  if (mode < 2) {
    const nu = <i32>c(o + 1);
    vx = sx != 0 ? sx * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    vy = sy != 0 ? sy * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    vz = sz != 0 ? sz * (mode == 0 ? normal() : studentT(nu)) : 0.0;
    return;
  }
  let m: f64 = 0;
  if (mode == 2) m = c(o + 1) * Math.exp(c(o + 2) * normal());
  else {
    const count = <i32>c(o + 3);
    let k = <i32>(uniform() * <f64>count);
    if (k >= count) k = count - 1;
    m = c(C_VEC_TABLE + VEC_TABLE * w + k);
  }
  let a: f64 = 0, b: f64 = 0, d: f64 = 0, n2: f64 = 0;
  do {
    a = normal();
    b = normal();
    d = normal();
    n2 = a * a + b * b + d * d;
  } while (n2 == 0.0);
  const f = m / Math.sqrt(n2);
  vx = a * f;
  vy = b * f;
  vz = d * f;
}

/** Least-squares point of the views' rays (believed sources, marks mu/mv); false when singular. */
function triangulate(views: i32, dz: f64): bool {
  if (views == 2) {
    // The common perpendicular's midpoint (the least-squares point of two rays).
    const s0x = load<f64>(bsx), s0z = load<f64>(bsz), s1x = load<f64>(bsx + 8), s1z = load<f64>(bsz + 8);
    const w0x = load<f64>(mu) - s0x, w0y = load<f64>(mv), w0z = dz - s0z;
    const w1x = load<f64>(mu + 8) - s1x, w1y = load<f64>(mv + 8), w1z = dz - s1z;
    const nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
    const nn = nx * nx + ny * ny + nz * nz;
    const n0 = w0x * w0x + w0y * w0y + w0z * w0z, n1 = w1x * w1x + w1y * w1y + w1z * w1z;
    if (!(nn > 5e-13 * (n0 * n1))) return false;
    const dx = s1x - s0x, dzz = s1z - s0z;
    // s = ((D x w1) . n) / |n|^2, t = ((D x w0) . n) / |n|^2
    const s = ((-dzz * w1y) * nx + (dzz * w1x - dx * w1z) * ny + (dx * w1y) * nz) / nn;
    const t = ((-dzz * w0y) * nx + (dzz * w0x - dx * w0z) * ny + (dx * w0y) * nz) / nn;
    qx = 0.5 * ((s0x + s * w0x) + (s1x + t * w1x));
    qy = 0.5 * (s * w0y + t * w1y);
    qz = 0.5 * ((s0z + s * w0z) + (s1z + t * w1z));
    return true;
  }
  // Normal equations A X = b, A = sum (I - d d^T), b = sum (I - d d^T) S.
  let a00 = 0.0, a01 = 0.0, a02 = 0.0, a11 = 0.0, a12 = 0.0, a22 = 0.0, b0 = 0.0, b1 = 0.0, b2 = 0.0;
  for (let k = 0; k < views; k++) {
    const o = <usize>k << 3;
    const Sx = load<f64>(bsx + o), Sz = load<f64>(bsz + o);
    const wx = load<f64>(mu + o) - Sx, wy = load<f64>(mv + o), wz = dz - Sz;
    const inv = 1.0 / (wx * wx + wy * wy + wz * wz);
    const q = (wx * Sx + wz * Sz) * inv;
    a00 += 1.0 - wx * wx * inv; a01 -= wx * wy * inv; a02 -= wx * wz * inv;
    a11 += 1.0 - wy * wy * inv; a12 -= wy * wz * inv; a22 += 1.0 - wz * wz * inv;
    b0 += Sx - wx * q; b1 -= wy * q; b2 += Sz - wz * q;
  }
  const c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
  const c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  if (!(det > 1e-12)) return false;
  qx = (c00 * b0 + c01 * b1 + c02 * b2) / det;
  qy = (c01 * b0 + c11 * b1 + c12 * b2) / det;
  qz = (c02 * b0 + c12 * b1 + c22 * b2) / det;
  return true;
}

// Per histogram, a slot range holding every slot touched (i32 pairs), so the host reads and
// clears only that range. It is widened once per call from the largest |error| of each group
// (every axis error and the aperture distance are at most that error's length), not per bin.
let extent: usize = 0;

@inline function slotOf(value: f64): i32 {
  // trunc_sat then an integer clamp: the same slot as clamping in f64 first, for every value.
  let s = <i32>Math.floor(value * 1000.0);
  s = s > HIST_BINS ? HIST_BINS : s;
  s = s < -HIST_BINS - 1 ? -HIST_BINS - 1 : s;
  return s + HIST_BINS + 1;
}

@inline function bin(hist: usize, h: i32, value: f64): void {
  const p = hist + ((<usize>h * <usize>HIST_LEN + <usize>slotOf(value)) << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/** Widens histogram h's range to slots [lo, hi]. */
function widen(h: i32, lo: i32, hi: i32): void {
  const e = extent + (<usize>h << 3);
  if (lo < load<i32>(e)) store<i32>(e, lo);
  if (hi > load<i32>(e, 4)) store<i32>(e, hi, 4);
}

/**
 * The ranges of a group's histograms from its largest error length m: axis errors in
 * [-m, m], lengths and distances in [0, m], one slot of margin each side for rounding.
 */
function widenGroup(group: i32, m: f64, distance: bool): void {
  const lo = max(slotOf(-m) - 1, 0), hi = min(slotOf(m) + 1, HIST_LEN - 1);
  const zero = max(slotOf(0.0) - 1, 0);
  for (let a = 0; a < 3; a++) widen(group * 4 + a, lo, hi);
  widen(group * 4 + 3, zero, hi);
  if (distance) widen(12, zero, hi);
}

/** Adds one error vector to the even or odd sums (base) and to its group's histograms. */
@inline function score(base: usize, group: i32, ex: f64, ey: f64, ez: f64, hist: usize, counters: usize): void {
  const o = base + (<usize>(group * 8) << 3);
  const r = Math.sqrt(ex * ex + ey * ey + ez * ez);
  const k = cfg + (<usize>(C_SHIFT + group * 4) << 3);
  const sx = ex - load<f64>(k), sy = ey - load<f64>(k, 8), sz = ez - load<f64>(k, 16), sr = r - load<f64>(k, 24);
  store<f64>(o, load<f64>(o) + sx);
  store<f64>(o + 8, load<f64>(o + 8) + sx * sx);
  store<f64>(o + 16, load<f64>(o + 16) + sy);
  store<f64>(o + 24, load<f64>(o + 24) + sy * sy);
  store<f64>(o + 32, load<f64>(o + 32) + sz);
  store<f64>(o + 40, load<f64>(o + 40) + sz * sz);
  store<f64>(o + 48, load<f64>(o + 48) + sr);
  store<f64>(o + 56, load<f64>(o + 56) + sr * sr);
  if (group != 1) {
    const n = base + (<usize>(group == 0 ? S_TARGETED : S_PLACED) << 3);
    store<f64>(n, load<f64>(n) + 1.0);
  }
  const m = counters + (<usize>(K_MAX + group) << 3);
  if (r > load<f64>(m)) store<f64>(m, r);
  bin(hist, group * 4, ex);
  bin(hist, group * 4 + 1, ey);
  bin(hist, group * 4 + 2, ez);
  bin(hist, group * 4 + 3, r);
}

@inline function bump(counters: usize, k: i32): void {
  const p = counters + (<usize>k << 3);
  store<f64>(p, load<f64>(p) + 1.0);
}

/** View k's true projection of (Px, Py, Pz), its marking bias, and its noise nu, nv (both SDs non-zero) into mu, mv. */
@inline function markView(k: i32, Px: f64, Py: f64, Pz: f64, dzTrue: f64, shiftX: f64, shiftY: f64, nu: f64, nv: f64): void {
  const o = <usize>k << 3;
  const Sx = load<f64>(tsx + o), Sz = load<f64>(tsz + o);
  const t = (dzTrue - Sz) / (Pz - Sz);
  let u = Sx + t * (Px - Sx) + shiftX, v = t * Py + shiftY;
  const mk = C_MARK + 4 * k;
  u += c(mk);
  v += c(mk + 1);
  u += c(mk + 2) * nu;
  v += c(mk + 3) * nv;
  store<f64>(mu + o, u);
  store<f64>(mv + o, v);
}

/**
 * The distance from the moved lesion centre to the aperture segment (errors a, b across the
 * needle, `along` the lesion's offset along it), binned, and a hit when at most `reach`.
 */
@inline function scoreHit(a: f64, b: f64, along: f64, half: f64, reach: f64, hist: usize, counters: usize): void {
  if (along > half) along -= half;
  else if (along < -half) along += half;
  else along = 0.0;
  const d = Math.sqrt(a * a + b * b + along * along);
  bin(hist, 12, d);
  if (d <= reach) bump(counters, K_HIT);
}

/**
 * Steps 4-5 of a trial with the lateral approach (docs/simulation.md): the needle travels along
 * x at the estimate's height. Refused when the console's predicted needle (from the estimate and
 * the read-out thickness) clears the support or the paddle by less than the minimum, puts the
 * aperture's proximal edge outside the entry skin, or fires the tip past the far skin by more
 * than the stroke margin allows. Placed: the aperture centre lands at Q + deviation, deflection
 * grows with the tissue crossed from the entry skin (across the needle: y and z); hit by the
 * distance to the aperture segment along x; a stroke failure when the actual needle touches the
 * support or the paddle, or its fired tip passes the far skin.
 */
function lateralTrial(base: usize, T: f64, Tread: f64, Px: f64, Py: f64, Pz: f64, R: f64, hist: usize, counters: usize): void {
  const dir = c(C_LATERAL);
  const half = 0.5 * c(C_APERTURE), tip = c(C_TIP), r = c(C_OUTER_R), minClear = c(C_MIN_CLEAR);
  const nearGiven = c(C_NEAR_GIVEN) != 0, farGiven = c(C_FAR_GIVEN) != 0;
  const nearX = c(C_NEAR_X), farX = c(C_FAR_X);
  // Signed distance along the direction of travel from a to b (b - a when travelling toward +x).
  let refused = qz - r < minClear || Tread - qz - r < minClear;
  if (nearGiven && dir * ((qx - dir * half) - nearX) < 0.0) refused = true;
  if (farGiven && dir * (farX - (qx + dir * (half + tip))) < c(C_MIN_STROKE)) refused = true;
  if (refused) {
    bump(counters, K_REFUSED);
    return;
  }
  vectorError(0, c(C_DEVIATION), c(C_DEVIATION + 1), c(C_DEVIATION + 2));
  const Ax = qx + vx;
  let Ay = qy + vy, Az = qz + vz;
  const deflect = c(C_DEFLECT);
  if (deflect != 0) {
    const depth = max(dir * (qx - nearX), 0.0);
    Ay += deflect * depth * normal();
    Az += deflect * depth * normal();
  }
  vectorError(1, c(C_DISPLACEMENT), c(C_DISPLACEMENT + 1), c(C_DISPLACEMENT + 2));
  const Lx = Px + vx, Ly = Py + vy, Lz = Pz + vz;
  bump(counters, K_PLACED);
  const ex = Ax - Lx, ey = Ay - Ly, ez = Az - Lz;
  score(base, 2, ex, ey, ez, hist, counters);
  // Distance from the lesion centre to the aperture segment along x.
  scoreHit(ey, ez, -ex, half, R + c(C_SAMPLING), hist, counters);
  if (Az - r < 0.0 || Az + r > T || (farGiven && dir * (farX - (Ax + dir * (half + tip))) < 0.0)) bump(counters, K_STROKE);
}

/**
 * Runs trials [first, first + count) of the scenario at `config`.
 * `first` is a multiple of blockSize (a whole number below 2^53, as f64); block b of
 * this run (trials first + b * blockSize ...) writes its SUMS at sums + b * SUMS * 8.
 * Counters (COUNTERS f64) and histograms (HISTOGRAMS * HIST_LEN u32) are added to.
 * `scratch` is 2 * SUMS + 6 * MAX_VIEWS + PREFETCH_SLOTS f64 of working space; `extents` HISTOGRAMS pairs of
 * i32 (lowest, highest slot touched), widened here. Returns the singular count.
 */
export function simulate(
  config: usize, seedLo: u32, seedHi: u32, first: f64, count: i32, blockSize: i32,
  sums: usize, counters: usize, hist: usize, scratch: usize, extents: usize,
): i32 {
  cfg = config;
  extent = extents;
  key0 = seedLo;
  key1 = seedHi;
  acc = scratch;
  bsx = scratch + (<usize>(2 * SUMS) << 3);
  bsz = bsx + (<usize>MAX_VIEWS << 3);
  tsx = bsz + (<usize>MAX_VIEWS << 3);
  tsz = tsx + (<usize>MAX_VIEWS << 3);
  mu = tsz + (<usize>MAX_VIEWS << 3);
  mv = mu + (<usize>MAX_VIEWS << 3);
  pre = mv + (<usize>MAX_VIEWS << 3);

  const views = <i32>c(C_VIEWS);
  const dz = c(C_STS) - c(C_SID);
  const dzTrue = dz - c(C_MIS_SID);
  const shiftX = c(C_DET_SHIFT), shiftY = c(C_DET_SHIFT + 1);
  const deflect = c(C_DEFLECT);
  const slice = c(C_SLICE);
  const needle = c(C_NEEDLE) != 0;
  const lateral = c(C_LATERAL);
  const plus = <i32>c(C_PLUS), minus = <i32>c(C_MINUS);
  const classicK = 0.5 / c(C_TANA);
  const gap = c(C_SID) - c(C_STS);
  const readSigma = c(C_READ_SIGMA);
  const halfAperture = 0.5 * c(C_APERTURE);
  const tip = c(C_TIP);
  const sampling = c(C_SAMPLING);
  const minStroke = c(C_MIN_STROKE);
  const devX = c(C_DEVIATION), devY = c(C_DEVIATION + 1), devZ = c(C_DEVIATION + 2);
  const disX = c(C_DISPLACEMENT), disY = c(C_DISPLACEMENT + 1), disZ = c(C_DISPLACEMENT + 2);

  let misAngles = false;
  for (let k = 0; k < views; k++) if (!isConstant(C_MIS_ANGLES + 3 * k)) misAngles = true;
  let everyMarkNoisy = true;
  for (let k = 0; k < views; k++) if (c(C_MARK + 4 * k + 2) == 0 || c(C_MARK + 4 * k + 3) == 0) everyMarkNoisy = false;
  const trueVaries = misAngles || !isConstant(C_MIS_STS) || !isConstant(C_MIS_RAH);
  // Believed sources: the nominal geometry and angles. With a constant miscalibration
  // the true sources are computed once per run (a constant's draw uses no randomness).
  sources(bsx, bsz, false, 0.0, 0.0);
  if (!trueVaries) sources(tsx, tsz, true, c(C_MIS_STS + 1), c(C_MIS_RAH + 1));

  let singular = 0;
  exhausted = 0;
  const blocks = (count + blockSize - 1) / blockSize;
  const start = <u64>first;
  // SIMD build: the group of four trials whose first `ahead` blocks are in `pre`; `ahead` follows
  // the blocks the trials of the last group used, on average rounded up (any choice gives the
  // same words: past `ahead`, a trial's blocks are computed one at a time).
  let group: u64 = 0, ahead = 0, used = 16;
  for (let b = 0; b < blocks; b++) {
    memory.fill(acc, 0, <usize>(2 * SUMS) << 3);
    const from = b * blockSize;
    const to = min(from + blockSize, count);
    for (let i = from; i < to; i++) {
      const base = acc + (<usize>((i - from) & 1) * <usize>SUMS << 3);
      const index = start + <u64>i;
      if (ASC_FEATURE_SIMD) used += (pos + 1) >> 1; // the previous trial's blocks
      startTrial(index);
      if (ASC_FEATURE_SIMD) {
        if (ahead == 0 || index - group >= 4) {
          ahead = min(max((used + 3) >> 2, 1), PREFETCH_BLOCKS);
          used = 0;
          group = index;
          prefetch4(group, ahead);
        }
        lane = <usize>(index - group);
        avail = 2 * ahead;
      }
      // 1. Truth.
      const T = draw(C_THICKNESS);
      const Px = draw(C_X), Py = draw(C_Y), Pz = draw(C_ZFRACTION) * T;
      const R = draw(C_RADIUS);
      // 2. True views, projected, marked with noise.
      if (trueVaries) {
        const dSts = draw(C_MIS_STS), dRah = draw(C_MIS_RAH);
        sources(tsx, tsz, true, dSts, dRah);
      }
      let k = 0;
      if (ASC_FEATURE_SIMD && everyMarkNoisy && !haveNormal) {
        // Two views' four normals at once: the same uniforms in the same order, the two
        // pairs' transforms in f64x2 lanes (u of view k, v of view k, u of k + 1, v of k + 1).
        for (; k + 1 < views; k += 2) {
          normalPairs();
          markView(k, Px, Py, Pz, dzTrue, shiftX, shiftY, pn0, pn1);
          markView(k + 1, Px, Py, Pz, dzTrue, shiftX, shiftY, pn2, pn3);
        }
      }
      for (; k < views; k++) {
        const o = <usize>k << 3;
        const Sx = load<f64>(tsx + o), Sz = load<f64>(tsz + o);
        const t = (dzTrue - Sz) / (Pz - Sz);
        let u = Sx + t * (Px - Sx) + shiftX, v = t * Py + shiftY;
        // Per-view systematic marking error, then per-view, per-axis noise (u drawn before v).
        const mk = C_MARK + 4 * k;
        u += c(mk);
        v += c(mk + 1);
        const su = c(mk + 2), sv = c(mk + 3);
        if (su != 0) u += su * normal();
        if (sv != 0) v += sv * normal();
        store<f64>(mu + o, u);
        store<f64>(mv + o, v);
      }
      // 3. The console's estimate with the believed geometry.
      if (!triangulate(views, dz)) {
        singular++;
        continue;
      }
      if (slice != 0) qz = slice * (Math.floor(qz / slice) + 0.5);
      bump(counters, K_TRIALS);
      score(base, 0, qx - Px, qy - Py, qz - Pz, hist, counters);
      if (plus >= 0) {
        const up = load<f64>(mu + (<usize>plus << 3)), um = load<f64>(mu + (<usize>minus << 3));
        const cx = 0.5 * (up + um);
        const cy = 0.5 * (load<f64>(mv + (<usize>plus << 3)) + load<f64>(mv + (<usize>minus << 3)));
        const cz = (um - up) * classicK - gap;
        bump(counters, K_CLASSIC);
        score(base, 1, cx - Px, cy - Py, cz - Pz, hist, counters);
      }
      if (!needle) continue;
      // 4. Thickness read-out and the console's refusal.
      let Tread = T + draw(C_READ_BIAS);
      if (readSigma != 0) Tread += readSigma * normal();
      if (lateral != 0) {
        lateralTrial(base, T, Tread, Px, Py, Pz, R, hist, counters);
        continue;
      }
      if (qz - halfAperture - tip < minStroke || qz + halfAperture > Tread) {
        bump(counters, K_REFUSED);
        continue;
      }
      // 5. Placement, tissue displacement, score.
      vectorError(0, devX, devY, devZ);
      let Ax = qx + vx, Ay = qy + vy;
      const Az = qz + vz;
      if (deflect != 0) {
        // Deflection grows with the depth of tissue crossed (the breast's top surface to the aperture).
        const depth = max(T - qz, 0.0);
        Ax += deflect * depth * normal();
        Ay += deflect * depth * normal();
      }
      vectorError(1, disX, disY, disZ);
      const Lx = Px + vx, Ly = Py + vy, Lz = Pz + vz;
      bump(counters, K_PLACED);
      const ex = Ax - Lx, ey = Ay - Ly, ez = Az - Lz;
      score(base, 2, ex, ey, ez, hist, counters);
      // Distance from the lesion centre to the aperture segment along z.
      scoreHit(ex, ey, -ez, halfAperture, R + sampling, hist, counters);
      if (Az - halfAperture - tip < 0.0) bump(counters, K_STROKE);
    }
    const out = sums + (<usize>(b * SUMS) << 3);
    for (let s = 0; s < SUMS; s++) {
      const o = <usize>s << 3;
      store<f64>(out + o, load<f64>(acc + o) + load<f64>(acc + (<usize>SUMS << 3) + o));
    }
  }
  if (load<f64>(counters + (<usize>K_TRIALS << 3)) > 0) widenGroup(0, load<f64>(counters + (<usize>K_MAX << 3)), false);
  if (load<f64>(counters + (<usize>K_CLASSIC << 3)) > 0) widenGroup(1, load<f64>(counters + (<usize>(K_MAX + 1) << 3)), false);
  if (load<f64>(counters + (<usize>K_PLACED << 3)) > 0) widenGroup(2, load<f64>(counters + (<usize>(K_MAX + 2) << 3)), true);
  // An exhausted truncated normal makes the whole task count as singular (refused by the host).
  return exhausted > 0 ? singular + count : singular;
}
