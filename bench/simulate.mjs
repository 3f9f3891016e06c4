// Simulation throughput (npm run bench:simulate): the wasm kernel (SIMD and scalar
// builds, in this thread), a plain-JS twin of the same trial loop (same Philox4x32-10,
// same polar normals, same geometry; targeting and classic errors, block sums, largest
// errors and histograms, checked against the kernel's summary before anything is
// reported), and 1 against 2 worker
// threads. Variants are interleaved within each round; rounds are repeated and the
// min / median / max trials per second reported. Memory is sampled over a long run.
//   node bench/simulate.mjs [--trials N] [--rounds R] [--long N] [scenario.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simulate, createPool, parseScenario } from '../dist/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { trials: { type: 'string' }, rounds: { type: 'string' }, long: { type: 'string' } } });
const TRIALS = Number(values.trials ?? 1_000_000);
const ROUNDS = Number(values.rounds ?? 5);
const LONG = Number(values.long ?? 1e8);
const file = positionals[0] ?? new URL('../scenarios/pm15-marking.json', import.meta.url);
const scenario = { ...JSON.parse(readFileSync(file, 'utf8')), trials: TRIALS };

// ---- the plain-JS twin (marking-only and needle scenarios with constant or uniform/normal draws) ----
const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;
const r = new Uint32Array(4);
function mulhi(a, b) {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}
function philox(c0, c1, c2, c3, k0, k1) {
  for (let i = 0; i < 10; i++) {
    const h0 = mulhi(M0, c0), l0 = Math.imul(M0, c0) >>> 0;
    const h1 = mulhi(M1, c2), l1 = Math.imul(M1, c2) >>> 0;
    const n0 = (h1 ^ c1 ^ k0) >>> 0, n2 = (h0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = l1; c2 = n2; c3 = l0;
    k0 = (k0 + W0) >>> 0; k1 = (k1 + W1) >>> 0;
  }
  r[0] = c0; r[1] = c1; r[2] = c2; r[3] = c3;
}
function twin(s, trials) {
  const g = s.unit.geometry;
  const dz = g.sourceToSupport - g.sourceToDetector;
  const R = g.sourceToSupport - g.rotationAxisHeight;
  const src = (a) => [R * Math.sin((a * Math.PI) / 180), g.rotationAxisHeight + R * Math.cos((a * Math.PI) / 180)];
  const believed = s.unit.angles.map(src);
  const truth = s.unit.angles.map((a, k) => src(a + ('constant' in s.unit.miscalibration.angle[k] ? s.unit.miscalibration.angle[k].constant : 0)));
  const key0 = s.seed % 4294967296, key1 = Math.floor(s.seed / 4294967296);
  let lo = 0, hi = 0, j = 0, spareHi = 0, spareLo = 0, haveSpare = false, cached = 0, haveNormal = false;
  const uniform = () => {
    let wh, wl;
    if (haveSpare) { haveSpare = false; wh = spareHi; wl = spareLo; }
    else { philox(lo, hi, j++, 0, key0, key1); wl = r[0]; wh = r[1]; spareLo = r[2]; spareHi = r[3]; haveSpare = true; }
    return (wh * 2097152 + (wl >>> 11) + 0.5) * 1.1102230246251565e-16;
  };
  const normal = () => {
    if (haveNormal) { haveNormal = false; return cached; }
    let a, b, q;
    do { a = 2 * uniform() - 1; b = 2 * uniform() - 1; q = a * a + b * b; } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    cached = b * f; haveNormal = true;
    return a * f;
  };
  const draw = (d) => ('constant' in d ? d.constant : 'uniform' in d ? d.uniform[0] + (d.uniform[1] - d.uniform[0]) * uniform() : d.normal[0] + d.normal[1] * normal());
  const sigma = s.marking.sigma;
  // The kernel's whole trial loop for two-view scenarios without a needle: targeting and,
  // for a symmetric pair, classic errors; per block of trials even and odd sums apart,
  // blocks added in order; counts, largest error lengths, 0.001 mm histograms.
  const BLOCK = 4096, HB = 131072, HL = 2 * HB + 2;
  const [A0, A1] = s.unit.angles;
  const symmetric = Math.abs(A0 + A1) <= 1e-9;
  const plus = A0 > 0 ? 0 : 1, minus = 1 - plus;
  const classicK = 0.5 / Math.tan((Math.abs(A0) * Math.PI) / 180), gap = g.sourceToDetector - g.sourceToSupport;
  const acc = new Float64Array(32), sums = new Float64Array(16);
  const hist = new Uint32Array(8 * HL);
  let nTarget = 0, nClassic = 0, maxT = 0, maxC = 0;
  const bin = (h, v) => { const b = Math.max(Math.min(Math.floor(v * 1000), HB), -HB - 1); hist[h * HL + b + HB + 1]++; };
  const score = (o, grp, ex, ey, ez) => {
    const er = Math.sqrt(ex * ex + ey * ey + ez * ez);
    acc[o] += ex; acc[o + 1] += ex * ex; acc[o + 2] += ey; acc[o + 3] += ey * ey;
    acc[o + 4] += ez; acc[o + 5] += ez * ez; acc[o + 6] += er; acc[o + 7] += er * er;
    bin(grp * 4, ex); bin(grp * 4 + 1, ey); bin(grp * 4 + 2, ez); bin(grp * 4 + 3, er);
    return er;
  };
  const u = [0, 0], v = [0, 0];
  for (let from = 0; from < trials; from += BLOCK) {
    acc.fill(0);
    const to = Math.min(from + BLOCK, trials);
    for (let i = from; i < to; i++) {
      const base = ((i - from) & 1) * 16;
      lo = i >>> 0; hi = Math.floor(i / 4294967296); j = 0; haveSpare = false; haveNormal = false;
      const T = draw(s.breast.thickness);
      const Px = draw(s.lesion.x), Py = draw(s.lesion.y), Pz = draw(s.lesion.zFraction) * T;
      draw(s.lesion.radius);
      for (let k = 0; k < 2; k++) {
        const [Sx, Sz] = truth[k];
        const t = (dz - Sz) / (Pz - Sz);
        u[k] = Sx + t * (Px - Sx); v[k] = t * Py;
        if (sigma !== 0) { u[k] += sigma * normal(); v[k] += sigma * normal(); }
      }
      const [s0x, s0z] = believed[0], [s1x, s1z] = believed[1];
      const w0x = u[0] - s0x, w0y = v[0], w0z = dz - s0z, w1x = u[1] - s1x, w1y = v[1], w1z = dz - s1z;
      const nx = w0y * w1z - w0z * w1y, ny = w0z * w1x - w0x * w1z, nz = w0x * w1y - w0y * w1x;
      const nn = nx * nx + ny * ny + nz * nz;
      const n0 = w0x * w0x + w0y * w0y + w0z * w0z, n1 = w1x * w1x + w1y * w1y + w1z * w1z;
      if (!(nn > 5e-13 * (n0 * n1))) continue;
      const Dx = s1x - s0x, Dz = s1z - s0z;
      const a = ((-Dz * w1y) * nx + (Dz * w1x - Dx * w1z) * ny + (Dx * w1y) * nz) / nn;
      const b = ((-Dz * w0y) * nx + (Dz * w0x - Dx * w0z) * ny + (Dx * w0y) * nz) / nn;
      const qx = 0.5 * ((s0x + a * w0x) + (s1x + b * w1x)), qy = 0.5 * (a * w0y + b * w1y), qz = 0.5 * ((s0z + a * w0z) + (s1z + b * w1z));
      nTarget++;
      const rT = score(base, 0, qx - Px, qy - Py, qz - Pz);
      if (rT > maxT) maxT = rT;
      if (symmetric) {
        const cx = 0.5 * (u[plus] + u[minus]), cy = 0.5 * (v[plus] + v[minus]), cz = (u[minus] - u[plus]) * classicK - gap;
        nClassic++;
        const rC = score(base + 8, 1, cx - Px, cy - Py, cz - Pz);
        if (rC > maxC) maxC = rC;
      }
    }
    for (let k = 0; k < 16; k++) sums[k] += acc[k] + acc[16 + k];
  }
  const p = (h, n, q) => {
    const rank = Math.ceil(q * n);
    let cum = 0;
    for (let bb = 0; bb <= HB; bb++) {
      cum += hist[h * HL + HB + 1 + bb] + hist[h * HL + HB - bb];
      if (cum >= rank) return Number(((bb + 1) * 0.001).toFixed(3));
    }
    return null;
  };
  const stats = (o, n, h) => ({ mean: sums[o] / n, sd: Math.sqrt(Math.max(0, sums[o + 1] / n - (sums[o] / n) ** 2)), p95: p(h, n, 0.95) });
  return {
    n: nTarget, nClassic, maxT, maxC,
    z: stats(4, nTarget, 2), r: stats(6, nTarget, 3), classicZ: nClassic ? stats(12, nClassic, 6) : null,
  };
}

// ---- rounds ----
const parsed = parseScenario(scenario);
if (parsed.unit.angles.length !== 2 || parsed.needle) console.warn('note: the JS twin covers two-view marking scenarios (no needle); it runs the targeting part only');
const pools = { 1: await createPool({ size: 1 }), 2: await createPool({ size: 2 }) };
const variants = {
  'wasm SIMD, this thread': () => simulate(scenario, { workers: 0, kernel: 'simd' }),
  'wasm scalar, this thread': () => simulate(scenario, { workers: 0, kernel: 'scalar' }),
  'plain-JS twin, this thread': async () => twin(parsed, TRIALS),
  '1 worker (SIMD)': () => simulate(scenario, { pool: pools[1], kernel: 'simd' }),
  '2 workers (SIMD)': () => simulate(scenario, { pool: pools[2], kernel: 'simd' }),
};
// The twin must compute what the kernel computes: largest errors exactly, sums to
// rounding (the kernel's are combined exactly), percentiles from identical histograms.
function agreement(k, t) {
  const close = (x, y) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
  const rows = [
    ['targeting max r', k.targetingError.r.max, t.maxT],
    ['targeting z mean', k.targetingError.z.mean, t.z.mean], ['targeting z sd', k.targetingError.z.sd, t.z.sd],
    ['targeting z p95', k.targetingError.z.p95, t.z.p95], ['targeting r mean', k.targetingError.r.mean, t.r.mean],
    ['targeting r p95', k.targetingError.r.p95, t.r.p95],
  ];
  if (k.classicError) rows.push(['classic max r', k.classicError.r.max, t.maxC], ['classic z mean', k.classicError.z.mean, t.classicZ.mean],
    ['classic z sd', k.classicError.z.sd, t.classicZ.sd], ['classic z p95', k.classicError.z.p95, t.classicZ.p95]);
  const bad = rows.filter(([, x, y]) => !close(x, y));
  if (bad.length) {
    console.error('bench: the plain-JS twin disagrees with the kernel; not reporting:', bad);
    process.exit(1);
  }
  return Object.fromEntries(rows.map(([name, x, y]) => [name, { kernel: x, twin: y }]));
}
const rates = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const check = {};
for (const [name, fn] of Object.entries(variants)) check[name] = await fn(); // warm-up, and agreement below
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(variants)) {
    const t0 = performance.now();
    await fn();
    rates[name].push(TRIALS / ((performance.now() - t0) / 1000));
  }
}
const stats = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const table = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, stats(v)]));
// Ratios per round (interleaved: same round, same machine load), then min / median / max.
const ratio = (a, b) => stats(rates[a].map((x, i) => x / rates[b][i]));
const out = {
  scenario: scenario.id, trials: TRIALS, rounds: ROUNDS, node: process.version,
  trialsPerSecond: table,
  ratios: {
    'wasm SIMD / plain-JS twin': ratio('wasm SIMD, this thread', 'plain-JS twin, this thread'),
    'wasm scalar / plain-JS twin': ratio('wasm scalar, this thread', 'plain-JS twin, this thread'),
    '1 worker / plain-JS twin': ratio('1 worker (SIMD)', 'plain-JS twin, this thread'),
    '2 workers / 1 worker': ratio('2 workers (SIMD)', '1 worker (SIMD)'),
  },
  twinAgreement: agreement(check['wasm SIMD, this thread'], check['plain-JS twin, this thread']),
};
for (const p of Object.values(pools)) await p.close();

// ---- memory over a long run (in this thread, so the heap measured is the kernel's) ----
if (LONG > 0) {
  const samples = [];
  const t0 = performance.now();
  const pool = await createPool({ size: 2 });
  await simulate({ ...scenario, trials: LONG }, {
    pool,
    onProgress: (done) => {
      if (samples.length === 0 || done - samples[samples.length - 1].trials >= LONG / 10) {
        // heapMB is what a full collection leaves (node --expose-gc): garbage not yet collected is not a leak.
        globalThis.gc?.();
        const m = process.memoryUsage();
        samples.push({ trials: done, rssMB: Math.round(m.rss / 1e6), heapMB: Math.round(m.heapUsed / 1e6), externalMB: Math.round(m.external / 1e6) });
      }
    },
  });
  await pool.close();
  out.longRun = { trials: LONG, heapAfterGc: typeof globalThis.gc === 'function', seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), memory: samples };
}
const fmt = (x) => (x / 1e6).toFixed(2) + ' M/s';
for (const [k, v] of Object.entries(table)) console.log(`${k.padEnd(28)} min ${fmt(v.min)}  median ${fmt(v.median)}  max ${fmt(v.max)}`);
for (const [k, v] of Object.entries(out.ratios)) console.log(`${k.padEnd(28)} min ${v.min.toFixed(2)}x  median ${v.median.toFixed(2)}x  max ${v.max.toFixed(2)}x`);
console.log('twin agreement (targeting z sd):', out.twinAgreement);
if (out.longRun) console.log('long run:', JSON.stringify(out.longRun));
writeFileSync(new URL('./simulate-results.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
