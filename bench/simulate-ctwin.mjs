// The simulation kernel against a C twin of its whole trial loop (bench/simtwin.c):
//   npm run bench:simulate-ctwin   (node bench/simulate-ctwin.mjs [--rounds R] [--trials N]
//   [--scenarios a,b] names in scenarios/, [--check-only] the agreement alone)
// The twin is compiled now by the system's cc, at -O3 (x86-64 baseline: SSE2, 2 lanes,
// the width of wasm's f64x2) and at -O3 -march=native; both with -ffp-contract=off.
// Before anything is timed, each twin's block sums, counters, extents and histograms
// are compared with the wasm kernel's for every scenario, bit for bit; where they differ
// (the C library's log/exp/sin/cos against AssemblyScript's) the bench says how much and
// still times them, since the work is the same. Variants are interleaved within each round;
// medians with min and max, and the load (uptime) beside them: the machine is shared, so
// absolute figures read low. Writes bench/simulate-ctwin-results.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { createPool, simulate } from '../dist/index.js';
import { interleavedRounds, machine, spread } from './rounds.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, trials: { type: 'string' }, scenarios: { type: 'string' }, 'check-only': { type: 'boolean' } } });
const CHECK_ONLY = values['check-only'] === true; // agreement only: nothing timed, nothing written
const ROUNDS = Number(values.rounds ?? 7);
const BLOCKS = 256; // one task of the pool: 256 blocks of 4096 trials
const TASK = BLOCKS * 4096;
const POOL_TRIALS = Number(values.trials ?? 8 * TASK);
const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stereotax-simtwin-'));
const log = (s) => process.stderr.write(s + '\n');
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout?.trim() ?? `load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;

// The kernel's host side from src/ (packConfig, runBlocks are not part of the public API).
const entry = path.join(tmp, 'entry.ts');
writeFileSync(entry, [
  `export { packConfig, runBlocks, shiftsOf, HIST_LEN, HISTOGRAMS, SUMS, COUNTERS } from ${JSON.stringify(path.join(here, '../src/simulate/kernel.ts'))};`,
  `export { parseScenario } from ${JSON.stringify(path.join(here, '../src/simulate/scenario.ts'))};`,
  `export { loadEngine } from ${JSON.stringify(path.join(here, '../src/engine/engine.ts'))};`,
].join('\n'));
buildSync({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: path.join(tmp, 'kernel.mjs'), logLevel: 'warning' });
const K = await import(path.join(tmp, 'kernel.mjs'));

const names = (values.scenarios ?? 'pm15-marking,biopsy-hit,deurloo-2001-heavy').split(',');
const scenarios = names.map((n) => {
  const raw = JSON.parse(readFileSync(n.endsWith('.json') ? n : path.join(here, '../scenarios', `${n}.json`), 'utf8'));
  delete raw.sweep; // the first point: the scenario as written
  return { name: path.basename(n, '.json'), raw };
});

// ---- compile the twins ----
const cc = process.env.CC || 'cc';
const common = ['-O3', '-fno-math-errno', '-fno-trapping-math', '-ffp-contract=off'];
const twins = {};
for (const [name, extra] of [['O3', []], ['native', ['-march=native']]]) {
  const exe = path.join(tmp, `simtwin-${name}`);
  const flags = [...common, ...extra];
  const r = spawnSync(cc, [...flags, '-o', exe, path.join(here, 'simtwin.c'), '-lm'], { encoding: 'utf8' });
  if (r.error) twins[name] = { skipped: `no C compiler (${cc}: ${r.error.code ?? r.error.message})` };
  else if (r.status !== 0) twins[name] = { skipped: `${cc} failed: ${r.stderr.trim().split('\n')[0]}` };
  else twins[name] = { exe, cc: spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? cc, flags: flags.join(' ') };
}
for (const [k, v] of Object.entries(twins)) if (v.skipped) console.log(`C twin (${k}) skipped: ${v.skipped}; no ratio to C for it`);
const liveTwins = Object.entries(twins).filter(([, v]) => !v.skipped);

const cArgs = (cfgFile, seed, count, reps, out) => [cfgFile, String(seed % 2 ** 32), String(Math.floor(seed / 2 ** 32)), '0', String(count), String(reps), ...(out ? [out] : [])];
/** The twin's own timing of its runs: [wall, CPU] nanoseconds per trial. */
function runC(exe, args) {
  const r = spawnSync(exe, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`simtwin: ${r.stderr || r.error}`);
  return r.stdout.trim().split(/\s+/).map(Number);
}
/** Two twin processes at once (the two cores): per trial of the pair, the slower one's wall time and the two CPU times. */
async function runC2(exe, args) {
  const both = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
    const p = spawn(exe, args);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('close', (code) => (code === 0 ? resolve(out.trim().split(/\s+/).map(Number)) : reject(new Error('simtwin failed'))));
  })));
  return [Math.max(both[0][0], both[1][0]) / 2, (both[0][1] + both[1][1]) / 2];
}
/** Wall and CPU time (this process, every thread: the workers' too) per unit of calls to fn. */
async function timed(fn, units, calls = 1) {
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  const wall = Number(process.hrtime.bigint() - t0), c = process.cpuUsage(c0);
  return [wall / (units * calls), ((c.user + c.system) * 1000) / (units * calls)];
}

// ---- agreement, then timing, per scenario ----
const engines = { simd: await K.loadEngine({ kernel: 'simd' }), scalar: await K.loadEngine({ kernel: 'scalar' }) };
const results = { date: new Date().toISOString(), machine: machine(), uptimeBefore: uptime(), rounds: ROUNDS, taskTrials: TASK, poolTrials: POOL_TRIALS, cTwin: {}, scenarios: {} };
for (const [k, v] of Object.entries(twins)) results.cTwin[k] = v.skipped ? { skipped: v.skipped } : { cc: v.cc, flags: v.flags };
const pools = { 1: await createPool({ size: 1 }), 2: await createPool({ size: 2 }) };

function compare(w, file) {
  const buf = readFileSync(file);
  const f64 = new Float64Array(buf.buffer, buf.byteOffset, (BLOCKS * K.SUMS + K.COUNTERS + 2 * K.HISTOGRAMS));
  const sums = f64.subarray(0, BLOCKS * K.SUMS), counters = f64.subarray(BLOCKS * K.SUMS, BLOCKS * K.SUMS + K.COUNTERS);
  const hist = new Uint32Array(buf.buffer, buf.byteOffset + f64.byteLength, K.HISTOGRAMS * K.HIST_LEN);
  const bits = (a) => new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const A = bits(w.sums), B = bits(sums);
  let sumBitsDiffer = 0, worstRel = 0;
  for (let i = 0; i < A.length; i++) {
    if (A[i] !== B[i]) {
      sumBitsDiffer++;
      worstRel = Math.max(worstRel, Math.abs(w.sums[i] - sums[i]) / Math.max(Math.abs(w.sums[i]), 1e-300));
    }
  }
  const countersEqual = Array.from(w.counters).every((x, i) => Object.is(x, counters[i]));
  // The kernel's sparse histograms (first to last non-zero bin) against the twin's full ones.
  let histDiffer = 0, at = 0, total = 0;
  for (let h = 0; h < K.HISTOGRAMS; h++) {
    const lo = w.hist.ranges[2 * h], n = w.hist.ranges[2 * h + 1];
    for (let b = 0; b < n; b++) if (w.hist.counts[at + b] !== hist[h * K.HIST_LEN + lo + b]) histDiffer++;
    at += n;
  }
  for (let i = 0; i < hist.length; i++) total += hist[i];
  const kernelTotal = w.hist.counts.reduce((s, x) => s + x, 0);
  if (total !== kernelTotal) histDiffer += Math.abs(total - kernelTotal);
  return { bitIdentical: sumBitsDiffer === 0 && countersEqual && histDiffer === 0, sumSlots: A.length, sumBitsDiffer, worstRelativeSumDifference: worstRel, countersEqual, histogramBinsDiffer: histDiffer };
}

for (const { name, raw } of scenarios) {
  log(`${name}: agreement`);
  const s = K.parseScenario({ ...raw, trials: TASK });
  const config = K.packConfig(s, K.shiftsOf(engines.simd, s));
  const payload = (kernel) => ({ config, seed: s.seed, firstBlock: 0, blocks: BLOCKS, trials: TASK, kernel });
  const w = K.runBlocks(engines.simd, payload('simd'));
  const ws = K.runBlocks(engines.scalar, payload('scalar'));
  const sameBuilds = Buffer.compare(Buffer.from(w.sums.buffer), Buffer.from(ws.sums.buffer)) === 0
    && Buffer.compare(Buffer.from(w.hist.counts.buffer), Buffer.from(ws.hist.counts.buffer)) === 0;
  if (!sameBuilds) {
    console.error(`bench: ${name}: the SIMD and scalar builds differ; not timing`);
    process.exit(1);
  }
  const cfgFile = path.join(tmp, `${name}.cfg`);
  writeFileSync(cfgFile, config);
  const agreement = {};
  for (const [k, t] of liveTwins) {
    const out = path.join(tmp, `${name}-${k}.out`);
    runC(t.exe, [...cArgs(cfgFile, s.seed, TASK, 1, out)]);
    agreement[k] = compare(w, out);
    const a = agreement[k];
    if (!a.countersEqual || a.histogramBinsDiffer > 0 || a.worstRelativeSumDifference > 1e-9) {
      console.error(`bench: ${name}: the C twin (${k}) computes something else; not timing`, a);
      process.exit(1);
    }
    log(`  C ${k}: ${a.bitIdentical ? 'bit-identical' : `${a.sumBitsDiffer} of ${a.sumSlots} sums differ in the last bits (worst ${a.worstRelativeSumDifference.toExponential(1)}), counters and histograms equal`}`);
  }

  if (CHECK_ONLY) continue;
  log(`${name}: ${ROUNDS} interleaved rounds (${uptime()})`);
  // Every variant times itself (wall and CPU); rounds interleave them. CPU time is the steadier
  // figure on a loaded machine (time spent descheduled is not counted); wall time is what a user waits.
  const cpu = {};
  const variant = (vname, units, measure) => {
    cpu[vname] = [];
    return { name: vname, units, sample: async () => { const [w, c] = await measure(); cpu[vname].push(c); return w; } };
  };
  const variants = [
    variant('wasm SIMD, this thread', TASK, () => timed(() => K.runBlocks(engines.simd, payload('simd')), TASK, 2)),
    variant('wasm scalar, this thread', TASK, () => timed(() => K.runBlocks(engines.scalar, payload('scalar')), TASK, 2)),
  ];
  for (const [k, t] of liveTwins) variants.push(variant(`C ${k}, one process`, TASK, () => runC(t.exe, cArgs(cfgFile, s.seed, TASK, 2))));
  const poolScenario = { ...raw, trials: POOL_TRIALS };
  await simulate(poolScenario, { pool: pools[2], kernel: 'simd' }); // warm the workers
  variants.push(variant('2 workers (SIMD)', POOL_TRIALS, () => timed(() => simulate(poolScenario, { pool: pools[2], kernel: 'simd' }), POOL_TRIALS)));
  if (twins.O3.exe) variants.push(variant('C O3, 2 processes', 2 * TASK, () => runC2(twins.O3.exe, cArgs(cfgFile, s.seed, TASK, 2))));
  const r = await interleavedRounds({ variants, rounds: ROUNDS, log });
  const perSecond = (ns) => 1e9 / ns;
  const mps = Object.fromEntries(Object.entries(r.ns).map(([k, xs]) => [k, spread(xs.map(perSecond))]));
  // CPU: trials per CPU-second (for the 2-thread and 2-process variants, per CPU-second of both).
  const cpuMps = Object.fromEntries(Object.entries(cpu).map(([k, xs]) => [k, spread(xs.map(perSecond))]));
  const cpuRatio = (a, b) => spread(cpu[a].map((x, i) => cpu[b][i] / x));
  const ratios = {}, cpuRatios = {};
  for (const [k] of liveTwins) {
    for (const w of ['SIMD', 'scalar']) {
      const a = `wasm ${w}, this thread`, b = `C ${k}, one process`;
      ratios[`wasm ${w} / C ${k}`] = r.ratio(a, b);
      cpuRatios[`wasm ${w} / C ${k}`] = cpuRatio(a, b);
    }
  }
  if (twins.O3.exe) {
    ratios['2 workers / C O3 2 processes'] = r.ratio('2 workers (SIMD)', 'C O3, 2 processes');
    cpuRatios['2 workers / C O3 2 processes'] = cpuRatio('2 workers (SIMD)', 'C O3, 2 processes');
  }
  for (const v of Object.values(ratios)) delete v.rounds;
  const m = (x) => (x / 1e6).toFixed(2);
  for (const [k, v] of Object.entries(mps)) console.log(`${name.padEnd(20)} ${k.padEnd(26)} wall median ${m(v.median)} M/s (min ${m(v.min)}, max ${m(v.max)})   CPU median ${m(cpuMps[k].median)} M/s (min ${m(cpuMps[k].min)}, max ${m(cpuMps[k].max)})`);
  for (const [k, v] of Object.entries(ratios)) console.log(`${name.padEnd(20)} ${k.padEnd(30)} wall median ${v.median.toFixed(2)}x (min ${v.min.toFixed(2)}, max ${v.max.toFixed(2)})   CPU median ${cpuRatios[k].median.toFixed(2)}x (min ${cpuRatios[k].min.toFixed(2)}, max ${cpuRatios[k].max.toFixed(2)})`);
  console.log(`${name.padEnd(20)} ${uptime()}`);
  results.scenarios[name] = { agreement, trialsPerSecond: { wall: mps, cpu: cpuMps }, ratios: { wall: ratios, cpu: cpuRatios }, uptime: uptime() };
}
for (const p of Object.values(pools)) await p.close();
results.uptimeAfter = uptime();
if (!CHECK_ONLY) writeFileSync(path.join(here, 'simulate-ctwin-results.json'), JSON.stringify(results, null, 2) + '\n');
rmSync(tmp, { recursive: true, force: true });
