// Interleaved rounds: the small harness every suite of `npm run bench` uses.
//
// A suite is a list of variants measured in turn inside each round (the order
// rotates from round to round), so a slow spell on a shared machine hits every
// variant alike; ratios are taken between variants of the same round, then
// summarised over rounds (min / median / max). A variant's `run` does one call over
// `units` items (cases, points, requests); `calls` is calibrated once so a sample
// lasts about `sampleMs`. A variant may instead give `sample(units)`, returning the
// nanoseconds per unit it measured itself (an external program, for example).
import os from 'node:os';

/** min / median / max of a list of numbers. */
export function spread(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

/** The machine and its load, recorded with every result. */
export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

async function timeCalls(run, calls) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const r = run();
    if (r && typeof r.then === 'function') await r;
  }
  return Number(process.hrtime.bigint() - t0);
}

/**
 * Runs `rounds` interleaved rounds of the variants. Returns, per variant, the
 * nanoseconds per unit of every round and their spread; `ratio(a, b)` gives the
 * spread of (time of b / time of a) taken round by round: how many times faster a is.
 */
export async function interleavedRounds({ variants, rounds = 5, sampleMs = 60, log = () => {} }) {
  const calls = new Map();
  for (const v of variants) {
    if (v.sample) continue;
    // Warm up (JIT, caches), then size the sample.
    await timeCalls(v.run, 2);
    let n = 1;
    for (;;) {
      const ns = await timeCalls(v.run, n);
      if (ns >= sampleMs * 1e6 / 4 || n >= 1 << 24) {
        calls.set(v.name, Math.max(1, Math.round((n * sampleMs * 1e6) / Math.max(ns, 1))));
        break;
      }
      n *= 4;
    }
  }
  const ns = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    for (const v of order) {
      const perUnit = v.sample ? await v.sample(v.units) : (await timeCalls(v.run, calls.get(v.name))) / (calls.get(v.name) * v.units);
      ns[v.name].push(perUnit);
    }
    log(`  round ${r + 1}/${rounds}: ${variants.map((v) => `${v.name} ${fmtNs(ns[v.name][r])}`).join(', ')}`);
  }
  const summary = Object.fromEntries(Object.entries(ns).map(([k, xs]) => [k, spread(xs)]));
  const ratio = (a, b) => {
    const per = ns[a].map((ta, r) => ns[b][r] / ta);
    return { ...spread(per), rounds: per };
  };
  return { rounds, ns, summary, ratio };
}

export function fmtNs(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} ms`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)} µs`;
  return `${x.toFixed(x >= 10 ? 1 : 2)} ns`;
}

/** "1.23x (1.10-1.31)": a ratio's median with its spread. */
export function fmtRatio(r) {
  return `${r.median.toFixed(2)}x (${r.min.toFixed(2)}-${r.max.toFixed(2)})`;
}

/** "12.3 ns (11.9-14.0)": a time's median with its spread. */
export function fmtTime(s) {
  return `${fmtNs(s.median)} (${fmtNs(s.min)}-${fmtNs(s.max)})`;
}
