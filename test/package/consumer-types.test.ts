// A vendor's project: the packed tarball installed into an empty directory, type-checked
// with `strict` and `skipLibCheck: false` in the three module modes a TypeScript project
// uses (nodenext ESM, nodenext CommonJS, bundler), then run. Also the footprint of the
// install and the schemas through the package's `exports`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';
import { README_REQUEST, README_STROKE_MARGIN, README_TARGET, installInto, pack, root, treeBytes } from './packed.js';

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** A strict check of the whole declaration tree: about 20 s on this shared machine, room for more. */
const TSC_MS = 240_000;
let work: string;
let esm: string;
let cjs: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stereotax-pack-'));
  const tarball = pack(work);
  esm = installInto(tarball, 'module', 'esm-consumer');
  cjs = installInto(tarball, 'commonjs', 'cjs-consumer');
  // The compiler's own lib files come with typescript; @types/node is what a Node project has.
  for (const dir of [esm, cjs]) {
    mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
    cpSync(join(root, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), { recursive: true });
    cpSync(join(root, 'node_modules', 'undici-types'), join(dir, 'node_modules', 'undici-types'), { recursive: true });
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const STRICT = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022', noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, forceConsistentCasingInFileNames: true };

/** What the consumer writes: typed requests, typed results, error codes that are unions (a wrong one must not compile). */
const body = (json: boolean) => `
import {
  target, loadEngine, targetWith, StereotaxError, EngineError, simdSupported, TriangulationBatch,
  type TargetingRequest, type TargetingResult, type PlanRequest, type MarginsRequest, type IssueCode, type EngineErrorCode,
  type Finding, type SimulationScenario, type QASessionRequest, type UnitProfileRequest,
  type UltrasoundRequestDocument, type ReportRequestDocument, type MriGridRequestDocument,
} from 'stereotax';
import { QAStore, writeReports } from 'stereotax/qa';
${json ? "import schema from 'stereotax/schema/targeting-request.schema.json' with { type: 'json' };" : ''}

const request = ${JSON.stringify(README_REQUEST)} as const satisfies TargetingRequest;
const inCm: TargetingRequest = { ...request, thickness: '4.5 cm' };
const plan: PlanRequest = { target: { x: 0, y: 0, z: 20 }, thickness: 45, needle: { device: 'gun-14g-22' } };
const margins: MarginsRequest = { specimen: { shape: 'sphere', center: [0, 0, 0], radius: 20 }, lesion: { shape: 'sphere', center: [0, 0, 0], radius: 5 }, histology: 'invasive' };
const code: IssueCode = 'out_of_range';
const engineCode: EngineErrorCode = 'engine_capacity';
// @ts-expect-error  an issue code is a closed union, not any string
const notACode: IssueCode = 'no_such_code';
// @ts-expect-error  so is an engine error code
const notAnEngineCode: EngineErrorCode = 'no_such_code';
// @ts-expect-error  an unknown field in a request does not compile
const unknownField: TargetingRequest = { ...request, tickness: 45 };
// The records requests are typed from their schemas too.
const located: UltrasoundRequestDocument = { breast: 'left', clock: 3, distanceCm: 4 };
const record: ReportRequestDocument = { lesions: [{ label: 'A', laterality: 'left', guidance: 'stereotactic', location: { clock: 2, distanceCm: 4 } }] };
const grid: MriGridRequestDocument = { breast: 'right', fiducial: [60, 0, 0], lesion: ['1 cm', 0, 0], grid: 'illustrative-grid-20' };
// @ts-expect-error  a laterality is left or right
const wrongSide: UltrasoundRequestDocument = { breast: 'middle', clock: 3, distanceCm: 4 };
// @ts-expect-error  nor does a request without its views (the check can fail)
const noViews: TargetingRequest = { geometry: request.geometry, thickness: 45 };

export async function run(): Promise<number> {
  const r: TargetingResult = await target(request);
  const engine = await loadEngine();
  const again = targetWith(engine, inCm);
  const errors: Finding[] = again.findings.filter((f) => f.severity === 'error');
  try {
    await target({ ...request, thickness: -1 });
  } catch (e) {
    if (e instanceof StereotaxError) { const c: IssueCode = e.code; void c; }
    if (e instanceof EngineError) { const c: EngineErrorCode = e.code; void c; }
  }
  const batch = new TriangulationBatch(engine, { capacity: 4, geometry: request.geometry, angles: [15, -15] });
  batch.dispose();
  void [plan, margins, code, engineCode, notACode, notAnEngineCode, unknownField, noViews, errors, simdSupported(), QAStore, writeReports, located, record, grid, wrongSide];
  const s: SimulationScenario | QASessionRequest | UnitProfileRequest | undefined = undefined;
  void s;
  ${json ? 'void schema.title;' : ''}
  return r.target.z;
}
`;

function typecheck(dir: string, file: string, source: string, options: Record<string, unknown>): { status: number | null; output: string } {
  writeFileSync(join(dir, file), source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...STRICT, ...options }, files: [file] }, null, 2));
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('the packed package in an empty project', () => {
  it('type-checks strictly (skipLibCheck false) as nodenext ESM', () => {
    const r = typecheck(esm, 'consumer.ts', body(true), { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], resolveJsonModule: true });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  }, TSC_MS);

  it('type-checks strictly as nodenext CommonJS', () => {
    const r = typecheck(cjs, 'consumer.ts', body(false), { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  }, TSC_MS);

  it('type-checks strictly in bundler mode, with the DOM and no Node types', () => {
    const r = typecheck(esm, 'bundled.ts', body(true), { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], resolveJsonModule: true });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  }, TSC_MS);

  it('runs: ESM import and CommonJS require give the README target', () => {
    const script = `const r = await target(${JSON.stringify(README_REQUEST)}); console.log(JSON.stringify({ t: r.target, m: r.needle.strokeMargin, f: r.findings.length }));`;
    const e = spawnSync(process.execPath, ['--input-type=module', '-e', `import { target } from 'stereotax'; ${script}`], { cwd: esm, encoding: 'utf8' });
    const c = spawnSync(process.execPath, ['-e', `const { target } = require('stereotax'); (async () => { ${script} })()`], { cwd: cjs, encoding: 'utf8' });
    for (const r of [e, c]) {
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      for (const k of ['x', 'y', 'z'] as const) expect(Math.abs(out.t[k] - README_TARGET[k])).toBeLessThan(5e-5);
      expect(Math.abs(out.m - README_STROKE_MARGIN)).toBeLessThan(5e-5);
      expect(out.f).toBe(0);
    }
    expect(e.stdout).toBe(c.stdout);
  });

  it('reads a DICOM stereo set (dicom-parser, loaded on first use) in ESM and CommonJS', () => {
    const set = makeSet(baseSpec());
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-dicom-'));
    const paths = set.files.map((f) => {
      writeFileSync(join(dir, f.name), f.bytes);
      return join(dir, f.name);
    });
    const code = `const files = ${JSON.stringify(paths)}.map((p) => ({ name: p.split('/').pop(), bytes: new Uint8Array(readFileSync(p)) }));
      const els = await dicomTargets(files, ${JSON.stringify(set.profile)});
      console.log(JSON.stringify(els.map((e) => e.error ? { error: e.error.code } : { uid: e.dicom.targetUid, target: e.target })));`;
    const e = spawnSync(process.execPath, ['--input-type=module', '-e', `import { readFileSync } from 'node:fs'; import { dicomTargets } from 'stereotax'; ${code}`], { cwd: esm, encoding: 'utf8' });
    const c = spawnSync(process.execPath, ['-e', `const { readFileSync } = require('node:fs'); const { dicomTargets } = require('stereotax'); (async () => { ${code} })()`], { cwd: cjs, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    for (const r of [e, c]) {
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { uid: string; target: { x: number; y: number; z: number } }[];
      expect(out.map((o) => o.uid).sort()).toEqual(set.expected.map((x) => x.uid).sort());
      for (const want of set.expected) {
        const got = out.find((o) => o.uid === want.uid)!;
        (['x', 'y', 'z'] as const).forEach((k, i) => expect(Math.abs(got.target[k] - want.target[i])).toBeLessThan(1e-4));
      }
    }
  });

  it('the installed bin without the optional peers: --plots names vega, an inch names mathjs, the rest works', () => {
    const bin = join(esm, 'node_modules', 'stereotax', 'dist', 'cli.cjs');
    const plots = join(esm, 'plots');
    const sim = spawnSync(process.execPath, [bin, 'simulate', join(root, 'scenarios', 'biopsy-hit.json'), '--trials', '200', '--workers', '0', '--plots', plots], { cwd: esm, encoding: 'utf8' });
    expect(sim.status).toBe(1);
    expect(sim.stderr).toMatch(/needs the optional packages vega, vega-lite, not installed: npm install vega vega-lite/);
    expect(sim.stderr).not.toMatch(/\n\s+at .+:\d+/);
    const plain = spawnSync(process.execPath, [bin, 'simulate', join(root, 'scenarios', 'biopsy-hit.json'), '--trials', '200', '--workers', '0'], { cwd: esm, encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).sweep[0].summary.trials).toBe(200);
    const inch = spawnSync(process.execPath, [bin, 'target', '-'], { cwd: esm, encoding: 'utf8', input: JSON.stringify({ ...README_REQUEST, thickness: '2 in' }) });
    expect(inch.status).toBe(2);
    expect(inch.stderr).toMatch(/thickness/);
    expect(JSON.parse(inch.stdout).error).toMatchObject({ code: 'invalid_unit', path: 'thickness' });
    expect(JSON.parse(inch.stdout).error.expected).toMatch(/npm install mathjs/);
    const cm = spawnSync(process.execPath, [bin, 'target', '-'], { cwd: esm, encoding: 'utf8', input: JSON.stringify({ ...README_REQUEST, thickness: '4.5 cm' }) });
    expect(cm.status, cm.stderr).toBe(0);
    expect(Math.abs(JSON.parse(cm.stdout).target.z - README_TARGET.z)).toBeLessThan(5e-5);
  });

  it('installs at most 25 MB of node_modules, with none of the optional peers', () => {
    const bytes = treeBytes(join(esm, 'node_modules'));
    const du = spawnSync('du', ['-sk', join(esm, 'node_modules')], { encoding: 'utf8' });
    const diskKiB = Number(du.stdout.split(/\s/)[0]);
    console.log(`footprint: ${(bytes / 1e6).toFixed(2)} MB in files, ${(diskKiB * 1024 / 1e6).toFixed(2)} MB on disk`);
    expect(bytes).toBeLessThanOrEqual(25e6);
    expect(diskKiB * 1024).toBeLessThanOrEqual(25e6);
    const ls = spawnSync('ls', [join(esm, 'node_modules')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const optional of ['mathjs', 'vega', 'vega-lite', 'pdfkit', 'pg', 'sql.js', 'cli-progress', 'svg-to-pdfkit']) expect(ls).not.toContain(optional);
  });

  it('the schemas resolve through exports, by file name and by short name', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const a = require('stereotax/schema/targeting-request.schema.json');
      const b = (await import('stereotax/schema/plan-request', { with: { type: 'json' } })).default;
      console.log(JSON.stringify([a.title, b.title, require.resolve('stereotax/schema/unit-profile.schema.json').endsWith('schema/unit-profile.schema.json')]));
      // The records requests: by file name (require) and by short name (import).
      const records = [];
      for (const kind of ['appropriateness', 'axillary', 'mri-grid', 'ultrasound', 'report', 'coding']) {
        const byFile = require('stereotax/schema/records-' + kind + '-request.schema.json');
        const byName = (await import('stereotax/schema/records-' + kind + '-request', { with: { type: 'json' } })).default;
        records.push([byFile.title, byName.$id === byFile.$id]);
      }
      console.log(JSON.stringify(records));
    `], { cwd: esm, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [first, records] = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(first).toEqual(['stereotax targeting request', 'stereotax plan request', true]);
    expect(records).toEqual(['appropriateness', 'axillary', 'mri-grid', 'ultrasound', 'report', 'coding'].map((k) => [`stereotax ${k} request`, true]));
  });

  it('a unit only mathjs knows: a typed error naming mathjs without it, the value once it is handed in', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { target, useMathjsUnits, StereotaxError } from 'stereotax';
      const req = ${JSON.stringify({ ...README_REQUEST, thickness: '1.771653543307 in' })};
      try { await target(req); console.log('computed'); } catch (e) { console.log(JSON.stringify({ code: e.code, path: e.path, expected: e.expected, typed: e instanceof StereotaxError })); }
      const mathjs = await import(${JSON.stringify(join(root, 'node_modules', 'mathjs', 'lib', 'esm', 'index.js'))});
      useMathjsUnits(mathjs);
      const r = await target(req);
      console.log(JSON.stringify(r.target.z));
    `], { cwd: esm, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    const err = JSON.parse(first);
    expect(err).toMatchObject({ code: 'invalid_unit', path: 'thickness', typed: true });
    expect(err.expected).toMatch(/npm install mathjs/);
    expect(Math.abs(JSON.parse(second) - README_TARGET.z)).toBeLessThan(1e-3);
  });
});
