// `npm run bench:cold`: cold start as an embedding application sees it. Every sample is a
// fresh `node` process (no module cache, no JIT warmth), timed from inside the child:
// performance.now() before `import('stereotax')` (or require) to the end of
// `await loadEngine()` (and, for the target variant, one validated `target()` call).
// Variants are interleaved, their order rotating per round, so a busy spell on this shared
// machine hits each alike; medians with min and max over the rounds. The whole process's
// wall time (spawn to exit) is reported beside it. Writes bench/cold-start-results.json.
//
// BENCH_ROUNDS=n (default 15). Run `npm run build` first (npm run bench:cold does).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, spread } from './rounds.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REQUEST = {
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: '4.5 cm',
  views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: '-15 deg', u: 15.98, v: 32.36 }],
};

// Each child prints the milliseconds it measured; the package is reached by its name
// (the checkout's package.json `exports`, as an installed copy resolves it).
const variants = [
  {
    name: 'esm import + loadEngine',
    args: ['--input-type=module', '-e', "const t0 = performance.now(); const { loadEngine } = await import('stereotax'); await loadEngine(); console.log(performance.now() - t0);"],
  },
  {
    name: 'cjs require + loadEngine',
    args: ['-e', "const t0 = performance.now(); const { loadEngine } = require('stereotax'); loadEngine().then(() => console.log(performance.now() - t0));"],
  },
  {
    name: 'esm import + first target() (cm, deg strings)',
    args: ['--input-type=module', '-e', `const t0 = performance.now(); const { target } = await import('stereotax'); await target(${JSON.stringify(REQUEST)}); console.log(performance.now() - t0);`],
  },
  {
    name: 'esm import + first target() with an inch (loads mathjs)',
    args: ['--input-type=module', '-e', `const t0 = performance.now(); const { target } = await import('stereotax'); await target(${JSON.stringify({ ...REQUEST, thickness: '1.7716535 in' })}); console.log(performance.now() - t0);`],
  },
];

const inside = new Map(variants.map((v) => [v.name, []]));
const wall = new Map(variants.map((v) => [v.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length];
    const t0 = performance.now();
    const p = spawnSync(process.execPath, v.args, { cwd: root, encoding: 'utf8' });
    const t1 = performance.now();
    if (p.status !== 0) throw new Error(`${v.name}: exit ${p.status}\n${p.stderr}`);
    inside.get(v.name).push(Number(p.stdout.trim()));
    wall.get(v.name).push(t1 - t0);
  }
}

const fmt = (s) => `${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`;
const m = machine();
const results = {
  date: new Date().toISOString(),
  machine: m,
  rounds: ROUNDS,
  note: 'in-process: performance.now() around import + loadEngine (+ target) in a fresh node; wall: spawn to exit',
  variants: variants.map((v) => ({ name: v.name, inProcessMs: spread(inside.get(v.name)), wallMs: spread(wall.get(v.name)) })),
};
console.log(`cold start, ${ROUNDS} interleaved rounds, node ${m.node}, ${m.cpus} cpus, load ${m.loadavg.join(' ')}`);
for (const v of results.variants) console.log(`  ${v.name.padEnd(58)} ${fmt(v.inProcessMs)}   wall ${fmt(v.wallMs)}`);
writeFileSync(join(root, 'bench', 'cold-start-results.json'), JSON.stringify(results, null, 2) + '\n');
