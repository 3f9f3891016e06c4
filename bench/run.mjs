// `npm run bench`: batch triangulation of N two-view cases by the wasm f64x2 and
// scalar kernels, a plain-JS loop on the same Float64Arrays, the validated per-call
// API and mathjs's lusolve, in one run. Prints cases/s and ratios; writes results.json.
import Benchmark from 'benchmark';
import { lusolve, matrix, identity, subtract, multiply, add, transpose } from 'mathjs';
import { writeFileSync } from 'node:fs';
import { loadEngine, simdSupported, targetWith, TriangulationBatch } from '../dist/index.js';
import { ANGLES, GEOMETRY, THICKNESS, detectorZ, fillMarks, sources } from './data.mjs';
import { triangulatePairJs } from './plain-js.mjs';

const N = Number(process.env.BENCH_CASES ?? 1_000_000);
const quick = process.env.BENCH_QUICK === '1';
const batchOptions = { minSamples: quick ? 2 : 8, maxTime: quick ? 0.5 : 3 };
const callOptions = { minSamples: quick ? 2 : 8, maxTime: quick ? 0.5 : 2 };

const simd = new TriangulationBatch(await loadEngine({ kernel: 'simd' }), { capacity: N, geometry: GEOMETRY, angles: ANGLES });
const scalar = new TriangulationBatch(await loadEngine({ kernel: 'scalar' }), { capacity: N, geometry: GEOMETRY, angles: ANGLES });
// Marks are written straight into wasm memory (the batches' columns): no copies.
fillMarks([simd.u(0), simd.u(1)], [simd.v(0), simd.v(1)], N);
scalar.u(0).set(simd.u(0)); scalar.u(1).set(simd.u(1));
scalar.v(0).set(simd.v(0)); scalar.v(1).set(simd.v(1));

const [S0, S1] = sources();
const dz = detectorZ();
const js = { x: new Float64Array(N), y: new Float64Array(N), z: new Float64Array(N), d0: new Float64Array(N), d1: new Float64Array(N), gap: new Float64Array(N) };
const runJs = () => triangulatePairJs(N, S0.x, S0.z, S1.x, S1.z, dz, simd.u(0), simd.v(0), simd.u(1), simd.v(1), js.x, js.y, js.z, js.d0, js.d1, js.gap);

// mathjs: the normal equations per case, solved with lusolve (as a researcher might).
function mathjsCase(i) {
  const I = identity(3);
  let A = matrix([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  let b = matrix([[0], [0], [0]]);
  for (const [k, S] of [[0, S0], [1, S1]]) {
    const w = matrix([[simd.u(k)[i] - S.x], [simd.v(k)[i]], [dz - S.z]]);
    const wwT = multiply(w, transpose(w));
    const M = subtract(I, multiply(wwT, 1 / multiply(transpose(w), w).get([0, 0])));
    A = add(A, M);
    b = add(b, multiply(M, matrix([[S.x], [0], [S.z]])));
  }
  return lusolve(A, b);
}

// Correctness first: every variant must agree before anything is timed.
simd.triangulate();
scalar.triangulate();
runJs();
let maxDiff = 0;
let bitDiffs = 0;
for (let i = 0; i < N; i++) {
  for (const [a, b] of [[simd.x, js.x], [simd.y, js.y], [simd.z, js.z], [simd.rayGap, js.gap], [simd.rayDistance(0), js.d0]]) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  }
  if (simd.x[i] !== scalar.x[i] || simd.y[i] !== scalar.y[i] || simd.z[i] !== scalar.z[i]) bitDiffs++;
}
let mathjsDiff = 0;
for (let i = 0; i < 200; i++) {
  const r = mathjsCase(i);
  mathjsDiff = Math.max(mathjsDiff, Math.abs(r.get([0, 0]) - simd.x[i]), Math.abs(r.get([1, 0]) - simd.y[i]), Math.abs(r.get([2, 0]) - simd.z[i]));
}
console.log(`check: max |wasm - plain JS| ${maxDiff.toExponential(2)} mm, |wasm - mathjs| ${mathjsDiff.toExponential(2)} mm, SIMD/scalar bit differences ${bitDiffs}`);
if (!(maxDiff < 1e-9) || !(mathjsDiff < 1e-9)) {
  console.error('bench: the variants disagree; not timing them');
  process.exit(1);
}

const engine = await loadEngine();
const REQUESTS = 20_000;
const requests = Array.from({ length: REQUESTS }, (_, i) => ({
  geometry: GEOMETRY,
  thickness: THICKNESS,
  views: [{ angle: ANGLES[0], u: simd.u(0)[i], v: simd.v(0)[i] }, { angle: ANGLES[1], u: simd.u(1)[i], v: simd.v(1)[i] }],
}));
let nextRequest = 0;
let nextMathjs = 0;

const perCase = new Map([
  ['wasm f64x2 SIMD batch', N], ['wasm scalar batch', N], ['plain-JS loop', N],
  ['per-call API (validated)', 1], ['mathjs lusolve per case', 1],
]);
const suite = new Benchmark.Suite('triangulation');
suite
  .add('wasm f64x2 SIMD batch', () => simd.triangulate(), batchOptions)
  .add('wasm scalar batch', () => scalar.triangulate(), batchOptions)
  .add('plain-JS loop', runJs, batchOptions)
  .add('per-call API (validated)', () => {
    targetWith(engine, requests[nextRequest]);
    nextRequest = (nextRequest + 1) % REQUESTS;
  }, callOptions)
  .add('mathjs lusolve per case', () => {
    mathjsCase(nextMathjs);
    nextMathjs = (nextMathjs + 1) % 2000;
  }, callOptions)
  .on('cycle', (e) => process.stderr.write(`  ${String(e.target)}\n`));

console.log(`bench: ${N.toLocaleString('en')} two-view cases, +/-15 deg, SID 660 mm (node ${process.version}, SIMD ${simdSupported() ? 'available' : 'unavailable'})`);
suite.run({ async: false });

const results = suite.map((b) => ({
  name: b.name,
  casesPerSecond: b.hz * perCase.get(b.name),
  rme: b.stats.rme,
  samples: b.stats.sample.length,
}));
const rate = (name) => results.find((r) => r.name === name).casesPerSecond;
const ratios = {
  simdVsJs: rate('wasm f64x2 SIMD batch') / rate('plain-JS loop'),
  scalarVsJs: rate('wasm scalar batch') / rate('plain-JS loop'),
  simdVsScalar: rate('wasm f64x2 SIMD batch') / rate('wasm scalar batch'),
  jsVsMathjs: rate('plain-JS loop') / rate('mathjs lusolve per case'),
  simdVsMathjs: rate('wasm f64x2 SIMD batch') / rate('mathjs lusolve per case'),
  apiVsJs: rate('per-call API (validated)') / rate('plain-JS loop'),
  apiMicrosecondsPerCase: 1e6 / rate('per-call API (validated)'),
};

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
console.log('\n| variant | cases/s | vs plain-JS loop | vs mathjs | ±rme |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${Math.round(r.casesPerSecond).toLocaleString('en')} | ${fmt(r.casesPerSecond / rate('plain-JS loop'))}x | ${fmt(r.casesPerSecond / rate('mathjs lusolve per case'))}x | ${r.rme.toFixed(1)} % |`);
}
console.log(`\nvalidated per-call API: ${ratios.apiMicrosecondsPerCase.toFixed(2)} µs per case`);
console.log(`SIMD vs plain-JS loop: ${ratios.simdVsJs.toFixed(2)}x (bar: 2x) ${ratios.simdVsJs >= 2 ? 'PASS' : 'BELOW THE BAR'}`);

writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(),
  node: process.version,
  cases: N,
  simdAvailable: simdSupported(),
  check: { maxAbsDiffVsPlainJs: maxDiff, maxAbsDiffVsMathjs: mathjsDiff, simdScalarBitDifferences: bitDiffs },
  results,
  ratios,
}, null, 2) + '\n');
console.log('wrote bench/results.json');
