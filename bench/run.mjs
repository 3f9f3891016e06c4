// `npm run bench`: every variant measured in interleaved rounds (bench/rounds.mjs),
// medians with their spread, ratios taken within each round. Suites:
//   - two views and three views, at a size that fits in L2 and at 1e6 cases: the wasm
//     f64x2 and scalar builds, a plain-JS loop, and a C twin of the same arithmetic
//     compiled now by the system's cc (-O3 with explicit 2-lane vectors, and the
//     scalar C left to -O3 -march=native);
//   - margins: points to an ellipsoid, wasm builds vs plain JS (and C);
//   - threads: triangulateParallel on 1 and 2 workers (cache-sized chunks), in place on
//     a shared engine, and copying chunks from an ordinary one;
//   - the validated single-request API on realistic requests, JSON.stringify apart.
// Every variant's output is checked (bit for bit where the arithmetic is the same)
// before anything is timed. Writes bench/results.json with the machine and its load.
//
// BENCH_QUICK=1 for a short smoke run (3 rounds, small samples); BENCH_ROUNDS=n;
// BENCH_ONLY=triangulate2_8192,margins (suite-name prefixes) runs those suites alone and
// writes nothing (for working on one kernel);
// BENCH_API_HOLD=1 keeps targetWith's own results alive in the API suite (bench/results-api-hold.json).
//
// A whole run measures each group of suites (two views, three views, margins, threads, the
// API) in a fresh Node process, one after another, and merges them: a suite is timed as a
// program that does only that work would run it, not on a heap and a JIT left behind by
// the suites before it (the API read 695-964 ns per request after the others in one
// process, 384-424 ns alone, on the same machine minutes apart).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EllipsoidDistanceBatch, TriangulationBatch, createPool, createSharedEngine, loadEngine, simdSupported, targetWith, triangulateParallel,
} from '../dist/index.js';
import { ANGLES, GEOMETRY, THICKNESS, detectorZ, fillMarks, fillPoints, sources } from './data.mjs';
import { ellipsoidDistancesJs, triangulatePairJs } from './plain-js.mjs';
import { fmtRatio, fmtTime, interleavedRounds, machine } from './rounds.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const HOLD = process.env.BENCH_API_HOLD === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 7));
const SAMPLE_MS = QUICK ? 15 : 60;
const CACHE_N = 8192; // two views: 8 columns x 64 KiB = 512 KiB, three views 12 x 64 KiB: inside a 1-2 MiB L2
const BIG_N = QUICK ? 200_000 : 1_000_000;
const THREE = [0, 15, -15];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((x) => x.trim()).filter(Boolean) : null;
const wanted = (key) => !ONLY || ONLY.some((p) => key.startsWith(p));
// Set in the children of a whole run: write the results there instead of reporting.
const CHILD_OUT = process.env.BENCH_CHILD_OUT;
const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stereotax-bench-'));
const log = (s) => process.stderr.write(s + '\n');
const results = { date: new Date().toISOString(), machine: machine(), config: { rounds: ROUNDS, sampleMs: SAMPLE_MS, quick: QUICK }, suites: {}, bars: [] };

const GROUPS = ['triangulate2', 'triangulate3', 'margins', 'threads', 'api'];
if (!ONLY && !CHILD_OUT) {
  // The parent: each group in its own process, then the report from the merged results.
  const merged = { ...results, cTwin: undefined, groups: GROUPS };
  for (const group of GROUPS) {
    const out = path.join(tmp, `${group}.json`);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, BENCH_ONLY: group, BENCH_CHILD_OUT: out },
    });
    if (r.status !== 0) {
      console.error(`bench: the ${group} suites failed (exit ${r.status ?? r.signal})`);
      process.exit(1);
    }
    const part = JSON.parse(readFileSync(out, 'utf8'));
    merged.cTwin ??= part.cTwin;
    Object.assign(merged.suites, part.suites);
    merged.bars.push(...part.bars);
  }
  rmSync(tmp, { recursive: true, force: true });
  merged.machine.loadavgAfter = machine().loadavg;
  report(merged, true);
  process.exit(0);
}

if (!simdSupported()) {
  console.log('bench: this JavaScript engine has no wasm SIMD; nothing to compare');
  process.exit(1);
}
const simd = await loadEngine({ kernel: 'simd' });
const scalar = await loadEngine({ kernel: 'scalar' });

// ---- the C twin ---------------------------------------------------------------
function compileTwins() {
  const cc = process.env.CC || 'cc';
  const src = path.join(here, 'ctwin.c');
  const common = ['-O3', '-fno-math-errno', '-fno-trapping-math', '-ffp-contract=off'];
  const out = {};
  for (const [name, extra] of [['O3', []], ['native', ['-march=native']]]) {
    const exe = path.join(tmp, `ctwin-${name}`);
    const flags = [...common, ...extra];
    const r = spawnSync(cc, [...flags, '-o', exe, src, '-lm'], { encoding: 'utf8' });
    if (r.error) out[name] = { skipped: `no C compiler (${cc}: ${r.error.code ?? r.error.message})` };
    else if (r.status !== 0) out[name] = { skipped: `${cc} failed: ${r.stderr.trim().split('\n')[0]}` };
    else {
      const v = spawnSync(cc, ['--version'], { encoding: 'utf8' });
      out[name] = { exe, cc: v.stdout?.split('\n')[0] ?? cc, flags: flags.join(' ') };
    }
  }
  return out;
}
const twins = compileTwins();
results.cTwin = Object.fromEntries(Object.entries(twins).map(([k, v]) => [k, v.skipped ? { skipped: v.skipped } : { cc: v.cc, flags: v.flags }]));
for (const [k, v] of Object.entries(twins)) if (v.skipped) console.log(`C twin (${k}) skipped: ${v.skipped}`);

function runC(exe, kernel, data, n, reps, outFile) {
  const r = spawnSync(exe, [kernel, data, String(n), String(reps), ...(outFile ? [outFile] : [])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ctwin ${kernel}: ${r.stderr || r.error}`);
  return Number(r.stdout.trim());
}

/** A C variant for interleavedRounds: reps sized once, like the in-process variants. */
function cVariant(name, exe, kernel, data, n) {
  const once = runC(exe, kernel, data, n, 1);
  const reps = Math.max(1, Math.round((SAMPLE_MS * 1e6) / (once * n)));
  return { name, units: n, sample: () => runC(exe, kernel, data, n, reps) };
}

function writeDoubles(file, parts) {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  writeFileSync(file, all);
}

const sameBits = (a, b) => {
  const A = new BigUint64Array(a.buffer, a.byteOffset, a.length), B = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  if (A.length !== B.length) return false;
  for (let i = 0; i < A.length; i++) if (A[i] !== B[i]) return false;
  return true;
};
function check(label, ok) {
  if (!ok) {
    console.error(`bench: ${label}: outputs differ; not timing`);
    process.exit(1);
  }
}

// ---- triangulation suites -----------------------------------------------------
function triangulationBatch(engine, n, angles, rayDistances) {
  const b = new TriangulationBatch(engine, { capacity: n, geometry: GEOMETRY, angles, rayDistances });
  fillMarks(Array.from({ length: angles.length }, (_, k) => b.u(k)), Array.from({ length: angles.length }, (_, k) => b.v(k)), n, 12345, angles);
  return b;
}

async function triangulationSuite(label, angles, n) {
  const V = angles.length;
  log(`${label}, ${n.toLocaleString('en')} cases`);
  const S = simd.memory.top;
  const a = triangulationBatch(simd, n, angles, V > 2);
  const withDist = V === 2 ? triangulationBatch(simd, n, angles, true) : undefined;
  const b = triangulationBatch(scalar, n, angles, V > 2);
  a.triangulate(); b.triangulate(); withDist?.triangulate();
  const outs = (x) => [x.x, x.y, x.z, ...(V === 2 ? [x.rayGap] : Array.from({ length: V }, (_, k) => x.rayDistance(k)))];
  check(`${label} SIMD vs scalar`, outs(a).every((c, i) => sameBits(c, outs(b)[i])));
  const variants = [
    { name: 'wasm f64x2', units: n, run: () => a.triangulate() },
    { name: 'wasm scalar', units: n, run: () => b.triangulate() },
  ];
  if (withDist) variants.splice(1, 0, { name: 'wasm f64x2 + ray distances', units: n, run: () => withDist.triangulate() });
  if (V === 2) {
    const [S0, S1] = sources();
    const dz = detectorZ();
    const js = { x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n), gap: new Float64Array(n) };
    const u0 = a.u(0).slice(), u1 = a.u(1).slice(), v0 = a.v(0).slice(), v1 = a.v(1).slice();
    const runJs = () => triangulatePairJs(n, S0.x, S0.z, S1.x, S1.z, dz, u0, v0, u1, v1, js.x, js.y, js.z, null, null, js.gap);
    runJs();
    check(`${label} plain JS`, [js.x, js.y, js.z, js.gap].every((c, i) => sameBits(c, outs(a)[i])));
    variants.push({ name: 'plain-JS loop', units: n, run: runJs });
  }
  const data = path.join(tmp, `tri${V}-${n}.bin`);
  writeDoubles(data, [[V, a.detectorZ], a.sourceX, a.sourceZ, ...Array.from({ length: V }, (_, k) => a.u(k)), ...Array.from({ length: V }, (_, k) => a.v(k))]);
  const kernels = V === 2 ? { O3: 'pair2', native: 'pair' } : { O3: 'tri3v2', native: 'tri3' };
  const cNames = { O3: 'C -O3 (2-lane SSE2)', native: 'C -O3 -march=native (auto-vectorised)' };
  for (const k of ['O3', 'native']) {
    const t = twins[k];
    if (t.skipped) continue;
    const outFile = path.join(tmp, 'out.bin');
    runC(t.exe, kernels[k], data, n, 1, outFile);
    const got = new Float64Array(readFileSync(outFile).buffer.slice(0));
    const want = outs(a);
    check(`${label} ${cNames[k]}`, want.every((c, i) => sameBits(c, got.subarray(i * n, (i + 1) * n))));
    variants.push(cVariant(cNames[k], t.exe, kernels[k], data, n));
  }
  const r = await interleavedRounds({ variants, rounds: ROUNDS, sampleMs: SAMPLE_MS, log });
  a.dispose(); b.dispose(); withDist?.dispose();
  if (simd.memory.top > S) log(`  (heap top ${simd.memory.top} after dispose)`);
  return r;
}

function record(key, meta, r, ratios) {
  results.suites[key] = {
    ...meta,
    nsPerUnit: r.summary,
    samples: r.ns,
    ratios: Object.fromEntries(Object.entries(ratios).map(([name, [x, y]]) => [name, r.ns[x] && r.ns[y] ? r.ratio(x, y) : null]).filter(([, v]) => v)),
  };
  return results.suites[key];
}

function bar(name, value, target, better = 'higher') {
  if (!value) { results.bars.push({ name, target, measured: null, met: null }); return; }
  const met = better === 'higher' ? value.median >= target : value.median <= target;
  results.bars.push({ name, target, median: value.median, min: value.min, max: value.max, met });
}

const C2 = 'C -O3 (2-lane SSE2)', CN = 'C -O3 -march=native (auto-vectorised)';
for (const [V, angles] of [[2, ANGLES], [3, THREE]]) {
  for (const n of [CACHE_N, BIG_N]) {
    if (!wanted(`triangulate${V}_${n}`)) continue;
    const r = await triangulationSuite(`${V} views`, angles, n);
    const s = record(`triangulate${V}_${n}`, { views: V, cases: n, unit: 'ns per case' }, r, {
      'f64x2 vs C 2-lane': ['wasm f64x2', C2], 'f64x2 vs C native': ['wasm f64x2', CN],
      'f64x2 vs plain JS': ['wasm f64x2', 'plain-JS loop'], 'f64x2 vs scalar': ['wasm f64x2', 'wasm scalar'],
      'no ray distances vs with': ['wasm f64x2', 'wasm f64x2 + ray distances'],
    });
    if (n === CACHE_N && V === 2) {
      bar('two views, f64x2 vs C twin (2-lane), in cache', s.ratios['f64x2 vs C 2-lane'], 1.0);
      bar('two views, f64x2 vs plain JS, in cache', s.ratios['f64x2 vs plain JS'], 3.0);
    }
    if (n === CACHE_N && V === 3) bar('three views, f64x2 vs C twin (2-lane), in cache', s.ratios['f64x2 vs C 2-lane'], 0.95);
  }
}

// ---- margins ------------------------------------------------------------------
for (const n of [CACHE_N, QUICK ? 20_000 : 131_072]) {
  if (!wanted(`margins_${n}`)) continue;
  log(`margins, ${n.toLocaleString('en')} points`);
  const axes = [30, 22, 15], c = [1, -2, 0.5];
  const mk = (engine) => {
    const b = new EllipsoidDistanceBatch(engine, { capacity: n, center: c, semiAxes: axes });
    fillPoints(b.x, b.y, b.z, n);
    return b;
  };
  const a = mk(simd), b = mk(scalar);
  a.run(); b.run();
  const outs = (x) => [x.signed, x.nearestX, x.nearestY, x.nearestZ];
  check('margins SIMD vs scalar', outs(a).every((col, i) => sameBits(col, outs(b)[i])));
  const px = a.x.slice(), py = a.y.slice(), pz = a.z.slice();
  const js = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const runJs = () => ellipsoidDistancesJs(n, 30, 22, 15, c[0], c[1], c[2], px, py, pz, ...js);
  runJs();
  check('margins plain JS', js.every((col, i) => sameBits(col, outs(a)[i])));
  const variants = [
    { name: 'wasm f64x2', units: n, run: () => a.run() },
    { name: 'wasm scalar', units: n, run: () => b.run() },
    { name: 'plain-JS loop', units: n, run: runJs },
  ];
  if (!twins.O3.skipped) {
    const data = path.join(tmp, `ellipsoid-${n}.bin`);
    writeDoubles(data, [[30, 22, 15, ...c], px, py, pz]);
    const outFile = path.join(tmp, 'out.bin');
    runC(twins.O3.exe, 'ellipsoid', data, n, 1, outFile);
    const got = new Float64Array(readFileSync(outFile).buffer.slice(0));
    check('margins C twin', outs(a).every((col, i) => sameBits(col, got.subarray(i * n, (i + 1) * n))));
    variants.push(cVariant('C -O3 (scalar)', twins.O3.exe, 'ellipsoid', data, n));
  }
  const r = await interleavedRounds({ variants, rounds: ROUNDS, sampleMs: SAMPLE_MS, log });
  const s = record(`margins_${n}`, { points: n, unit: 'ns per point', semiAxes: axes }, r, {
    'f64x2 vs plain JS': ['wasm f64x2', 'plain-JS loop'], 'f64x2 vs scalar': ['wasm f64x2', 'wasm scalar'],
    'f64x2 vs C scalar': ['wasm f64x2', 'C -O3 (scalar)'],
  });
  if (n === CACHE_N) bar('margins batch, f64x2 vs plain JS', s.ratios['f64x2 vs plain JS'], 2.0);
  a.dispose(); b.dispose();
}

// ---- threads ------------------------------------------------------------------
if (wanted('threads')) {
  const pools = { 1: await createPool({ size: 1 }), 2: await createPool({ size: 2 }) };
  const sharedEngine = await createSharedEngine();
  try {
    for (const [V, angles] of [[2, ANGLES], [3, THREE]]) {
      const n = BIG_N;
      log(`threads, ${V} views, ${n.toLocaleString('en')} cases in chunks of ${CACHE_N}`);
      const whole = triangulationBatch(sharedEngine, n, angles, V > 2);
      const par = triangulationBatch(sharedEngine, n, angles, V > 2);
      const copy = triangulationBatch(simd, n, angles, V > 2);
      whole.triangulate();
      for (const size of [1, 2]) {
        await triangulateParallel(pools[size], par, { chunk: CACHE_N });
        await triangulateParallel(pools[size], copy, { chunk: CACHE_N });
        check(`threads (${size}) vs one call`, [par, copy].every((b) => sameBits(b.x, whole.x) && sameBits(b.z, whole.z)));
      }
      const variants = [
        { name: 'one call, this thread', units: n, run: () => whole.triangulate() },
        { name: '1 worker', units: n, run: () => triangulateParallel(pools[1], par, { chunk: CACHE_N }) },
        { name: '2 workers', units: n, run: () => triangulateParallel(pools[2], par, { chunk: CACHE_N }) },
        { name: '1 worker, copying chunks', units: n, run: () => triangulateParallel(pools[1], copy, { chunk: CACHE_N }) },
        { name: '2 workers, copying chunks', units: n, run: () => triangulateParallel(pools[2], copy, { chunk: CACHE_N }) },
      ];
      const r = await interleavedRounds({ variants, rounds: ROUNDS, sampleMs: SAMPLE_MS * 3, log });
      const s = record(`threads${V}_${n}`, { views: V, cases: n, chunk: CACHE_N, unit: 'ns per case' }, r, {
        '2 workers vs 1': ['2 workers', '1 worker'], '2 workers vs one call here': ['2 workers', 'one call, this thread'],
        '2 workers vs 1, copying': ['2 workers, copying chunks', '1 worker, copying chunks'],
      });
      bar(`two threads vs one, ${V} views, chunks of ${CACHE_N}`, s.ratios['2 workers vs 1'], 1.8);
      whole.dispose(); par.dispose(); copy.dispose();
    }
  } finally {
    await Promise.all([pools[1].close(), pools[2].close()]);
  }
}

// ---- the validated API --------------------------------------------------------
if (wanted('api')) {
  log('validated API, one request per call');
  const engine = simd;
  const R = 2000;
  const u = [new Float64Array(R), new Float64Array(R), new Float64Array(R)], v = [new Float64Array(R), new Float64Array(R), new Float64Array(R)];
  fillMarks(u, v, R, 4242, THREE);
  const r4 = (x) => Math.round(x * 1e4) / 1e4;
  const numbers = Array.from({ length: R }, (_, i) => ({
    geometry: GEOMETRY, thickness: THICKNESS,
    views: [{ angle: 0, u: r4(u[0][i]), v: r4(v[0][i]) }, { angle: 15, u: r4(u[1][i]), v: r4(v[1][i]) }],
  }));
  const units = numbers.map((q) => ({
    geometry: { sourceToDetector: '66 cm', sourceToSupport: '640 mm', rotationAxisHeight: '-2 cm' }, thickness: '50 mm',
    views: q.views.map((w) => ({ angle: `${w.angle} deg`, u: `${w.u} mm`, v: `${w.v} mm` })),
  }));
  const sigma = numbers.map((q) => ({ ...q, imageSigma: 0.1 }));
  const three = numbers.map((q, i) => ({ ...q, views: [...q.views, { angle: -15, u: r4(u[2][i]), v: r4(v[2][i]) }] }));
  for (const set of [numbers, units, sigma, three]) targetWith(engine, set[0]);
  const counter = () => { let i = 0; return () => (i = (i + 1) % R); };
  const mkRun = (set) => { const next = counter(); return () => targetWith(engine, set[next()]); };
  // The results to stringify are structured clones: the same data, built outside targetWith.
  // Keeping thousands of targetWith's own results alive while it is timed makes V8 pretenure
  // its allocation sites (allocate results in the old generation, every field store through
  // the write barrier): 0.67 us instead of 0.25 us per request in one run. BENCH_API_HOLD=1
  // keeps the originals, to measure a caller that retains every result.
  const hold = HOLD;
  const keep = (r) => (hold ? r : structuredClone(r));
  const resNumbers = numbers.map((q) => keep(targetWith(engine, q))), resSigma = sigma.map((q) => keep(targetWith(engine, q)));
  const nextA = counter(), nextB = counter();
  const variants = [
    { name: 'numbers only', units: 1, run: mkRun(numbers) },
    { name: 'unit strings', units: 1, run: mkRun(units) },
    { name: 'with imageSigma', units: 1, run: mkRun(sigma) },
    { name: 'three views', units: 1, run: mkRun(three) },
    { name: 'JSON.stringify (numbers-only result)', units: 1, run: () => JSON.stringify(resNumbers[nextA()]) },
    { name: 'JSON.stringify (imageSigma result)', units: 1, run: () => JSON.stringify(resSigma[nextB()]) },
  ];
  const r = await interleavedRounds({ variants, rounds: ROUNDS, sampleMs: SAMPLE_MS, log });
  const s = record('api', { unit: 'ns per request', requests: R, callerHoldsResults: hold }, r, {});
  bar(`validated API, numbers only (ns, at most)${hold ? ', caller holding 4,000 results' : ''}`, s.nsPerUnit['numbers only'], 500, 'lower');
  bar(`validated API, unit strings (ns, at most)${hold ? ', caller holding 4,000 results' : ''}`, s.nsPerUnit['unit strings'], 1000, 'lower');
}

rmSync(tmp, { recursive: true, force: true });
results.machine.loadavgAfter = machine().loadavg;
if (CHILD_OUT) writeFileSync(CHILD_OUT, JSON.stringify(results));
else report(results, !QUICK && !ONLY);

// ---- report -------------------------------------------------------------------
function report(res, write) {
  console.log(`\nstereotax bench: ${res.machine.cpu}, ${res.machine.cpus} CPUs, Node ${res.machine.node}, load ${res.machine.loadavg.join(' ')} -> ${res.machine.loadavgAfter.join(' ')}; ${ROUNDS} interleaved rounds, median (min-max)\n`);
  for (const [key, s] of Object.entries(res.suites)) {
    console.log(`${key} (${s.unit})`);
    for (const [name, t] of Object.entries(s.nsPerUnit)) console.log(`  ${name.padEnd(42)} ${fmtTime(t)}`);
    for (const [name, r] of Object.entries(s.ratios)) console.log(`  ${('ratio ' + name).padEnd(42)} ${fmtRatio(r)}`);
  }
  console.log('\nbars (median from this run):');
  for (const b of res.bars) {
    const v = b.median === undefined ? 'not measured' : b.name.includes('(ns') ? `${b.median.toFixed(0)} ns (${b.min.toFixed(0)}-${b.max.toFixed(0)})` : `${b.median.toFixed(2)}x (${b.min.toFixed(2)}-${b.max.toFixed(2)})`;
    console.log(`  ${b.met === null ? '?   ' : b.met ? 'MET ' : 'MISS'} ${b.name}: ${v}, target ${b.target}`);
  }
  if (write && !QUICK) {
    const file = HOLD ? 'results-api-hold.json' : 'results.json';
    writeFileSync(path.join(here, file), JSON.stringify(res, null, 2) + '\n');
    console.log(`wrote bench/${file}`);
  }
}
