// Image QA speed (qa-images.md section 6): two 3000 x 2400 16-bit views analysed (decoding
// apart) on one core: detection in both views, pairing and labelling, registration, the
// triangulations and the QA session (and, separately, the calibration). The views are
// rendered by the test forward model (test/qa-images/forward.ts), bundled here with
// esbuild. Rounds are repeated; median, min and max are reported with the load average.
//   node bench/qa-images.mjs [--rounds R] [--bead 1] [--pixel 0.085]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, bead: { type: 'string' }, pixel: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 7);
const BEAD = Number(values.bead ?? 1);
const PIXEL = Number(values.pixel ?? 0.085);
const root = new URL('..', import.meta.url).pathname;

const bundled = await build({
  stdin: {
    contents: `export { renderSet, PHANTOM } from './test/qa-images/scene.ts';
      export { analyseDecoded } from './src/qa-images/result.ts';
      export { decodeImage } from './src/qa-images/decode.ts';
      export { detectBeads } from './src/qa-images/detect.ts';
      export { parseUnitProfile } from './src/dicom/profile.ts';
      export { readStereoSet } from './src/dicom/stereo-set.ts';
      export { checkBeadPhantom } from './src/qa-images/phantom.ts';
      export { Checker } from './src/core/validate.ts';
      export { loadEngine } from './src/engine/engine.ts';`,
    resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts',
  },
  bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'error', packages: 'external',
});
// Beside node_modules, so that the packages left external resolve.
mkdirSync(join(root, 'node_modules/.cache/qa-images-bench'), { recursive: true });
const file = join(root, 'node_modules/.cache/qa-images-bench/entry.mjs');
writeFileSync(file, bundled.outputFiles[0].contents);
const m = await import(file);

const phantom = { ...m.PHANTOM, beads: { diameter: BEAD } };
const t0 = performance.now();
const set = m.renderSet({
  phantom, seed: 9,
  style: { columns: 3000, rows: 2400, spacing: [PIXEL, PIXEL], bitsStored: 16, background: 20000, contrast: 12000, noise: 150, gradient: [0.8, -0.5], edgeCol: 2400, edgeStep: -3000, edgeAngle: 12, supersample: 4 },
  pose: { turn: 57, tilt: 6, tiltAxis: 30, translation: [10, 25, 3] },
});
const renderMs = performance.now() - t0;
const files = set.files;
const profile = m.parseUnitProfile(set.profile);
const c = new m.Checker();
const ph = m.checkBeadPhantom(c, phantom);
c.done();
const headers = m.readStereoSet(files);
const decodeStart = performance.now();
const decoded = [];
for (const [k, f] of files.entries()) decoded.push(await m.decodeImage(f, k, undefined));
const decodeMs = performance.now() - decodeStart;
const engine = await m.loadEngine({});

const stat = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] }; };
const whole = [], wholeCpu = [], detect = [], calib = [];
let check;
const cpuMs = (u) => (u.user + u.system) / 1000;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  const u0 = process.cpuUsage();
  const out = m.analyseDecoded(engine, headers, decoded, profile, ph, {}, {});
  wholeCpu.push(cpuMs(process.cpuUsage(u0)));
  whole.push(performance.now() - t);
  check = out.result;
  t = performance.now();
  for (const d of decoded) m.detectBeads(d.image, { beadRadius: (BEAD / 2) * 1.07 / PIXEL });
  detect.push(performance.now() - t);
  t = performance.now();
  m.analyseDecoded(engine, headers, decoded, profile, ph, {}, { calibrate: true });
  calib.push(performance.now() - t);
}
const found = check.beads.filter((b) => b.target).length;
if (found !== phantom.targets.length || check.findings.some((f) => f.severity === 'error')) {
  console.error('the analysis did not find every bead:', JSON.stringify(check.findings).slice(0, 400));
  process.exit(1);
}
const fmt = (s) => `median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
const result = {
  views: '2 x 3000 x 2400, 16 bits', bead: BEAD, pixel: PIXEL, rounds: ROUNDS, loadAverage: loadavg().map((x) => +x.toFixed(2)),
  analysisMs: stat(whole), analysisCpuMs: stat(wholeCpu), detectionBothViewsMs: stat(detect), analysisWithCalibrationMs: stat(calib), decodeNativeMs: +decodeMs.toFixed(0), renderMs: +renderMs.toFixed(0),
  registrationRms: check.registration.rms,
};
console.log(`qa images, two 3000 x 2400 views, bead ${BEAD} mm, pixel ${PIXEL} mm, load average ${result.loadAverage.join(' ')}`);
console.log(`  analysis (decoding apart)      ${fmt(result.analysisMs)}   budget 1000 ms`);
console.log(`  the same, CPU time of this process ${fmt(result.analysisCpuMs)} (one thread: what a free core would take)`);
console.log(`  of which detection, 2 views    ${fmt(result.detectionBothViewsMs)}`);
console.log(`  analysis with --calibrate      ${fmt(result.analysisWithCalibrationMs)}`);
console.log(`  native decoding, 2 views       ${result.decodeNativeMs} ms (not in the budget)`);
console.log(JSON.stringify(result));
const saved = new URL('./qa-images-results.json', import.meta.url);
let all = {};
try { all = JSON.parse(readFileSync(saved, 'utf8')); } catch { /* first run */ }
all[`bead ${BEAD} mm, pixel ${PIXEL} mm`] = { ...result, measuredAt: new Date().toISOString() };
writeFileSync(saved, JSON.stringify(all, null, 2) + '\n');
