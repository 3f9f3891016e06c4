// The packed package bundled for the browser the way vendors bundle it, with no special
// flags: esbuild (--bundle --platform=browser), webpack 5 (its defaults), rollup (with
// @rollup/plugin-node-resolve, its one plugin for packages) and Vite (its defaults). Each
// bundle runs in Debian's Chromium (never a downloaded browser) on a loopback server and
// must give the README's targeting example result; the worker pool (Node only) must refuse
// with its typed error, and a file that is not DICOM must be reported by name (dicom-parser
// is inside the browser build). Skipped, with the reason printed, without /usr/bin/chromium.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README_REQUEST, README_STROKE_MARGIN, README_TARGET, installInto, pack } from './packed.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`bundler test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);

/** The page's script: what a vendor's console would do first. */
const MAIN = `
import { target, createPool, dicomTargets, simdSupported, EngineError } from 'stereotax';

async function main() {
  const r = await target(${JSON.stringify(README_REQUEST)});
  let pool;
  try { await createPool({ size: 1 }); pool = 'started'; } catch (e) { pool = (e instanceof EngineError ? 'EngineError ' : 'other ') + e.code; }
  const dicom = dicomTargets ? await dicomTargets([{ name: 'not-dicom.dcm', bytes: new Uint8Array([1, 2, 3, 4]) }, { name: 'also-not.dcm', bytes: new Uint8Array(200) }], ${JSON.stringify({ id: 'prone-table-2', rotationAxisHeight: -20, angleSign: 1, detector: { origin: { col: 1024, row: 0 }, colAxis: '+x', rowAxis: '+y' } })}).then(
    (els) => JSON.stringify(els), (e) => 'threw ' + (e && e.code) + ' ' + (e && e.message)) : 'missing';
  return { target: r.target, strokeMargin: r.needle.strokeMargin, findings: r.findings.map((f) => f.code), simd: simdSupported(), pool, dicom };
}
main().then(
  (out) => { document.body.dataset.result = JSON.stringify(out); },
  (e) => { document.body.dataset.result = JSON.stringify({ error: String(e && e.stack || e) }); },
);
`;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

describe.skipIf(!haveChromium)('the packed package bundled by esbuild, webpack, rollup and Vite, run in Chromium', () => {
  let work: string;
  let project: string;
  let server: Server;
  let origin: string;
  let context: BrowserContext;
  const errors: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'stereotax-bundlers-'));
    project = installInto(pack(work), 'module', 'page');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'main.js'), MAIN);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = normalize(join(project, 'out', path));
      if (!file.startsWith(join(project, 'out')) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'stereotax-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    context.on('request', (r) => {
      if (!r.url().startsWith(origin)) errors.push(`request left the loopback server: ${r.url()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Writes out/NAME/index.html loading `script` (a classic or module script) unless the bundler wrote its own. */
  function page(name: string, script: string, module: boolean): void {
    writeFileSync(join(project, 'out', name, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title></head><body><script ${module ? 'type="module" ' : ''}src="./${script}"></script></body></html>`);
  }

  async function run(name: string): Promise<void> {
    const before = errors.length;
    const p = await context.newPage();
    await p.goto(`${origin}/${name}/index.html`);
    await p.waitForFunction(() => document.body?.dataset.result !== undefined, undefined, { timeout: 30_000 });
    const out = JSON.parse((await p.evaluate(() => document.body.dataset.result))!);
    await p.close();
    expect(out.error, `${name}: the page threw`).toBeUndefined();
    for (const k of ['x', 'y', 'z'] as const) expect(Math.abs(out.target[k] - README_TARGET[k]), `${name} target.${k}`).toBeLessThan(5e-5);
    expect(Math.abs(out.strokeMargin - README_STROKE_MARGIN)).toBeLessThan(5e-5);
    expect(out.findings).toEqual([]);
    expect(out.simd).toBe(true);
    expect(out.pool).toBe('EngineError threads_unavailable');
    expect(out.dicom).toMatch(/not-dicom\.dcm/);
    expect(errors.slice(before)).toEqual([]);
  }

  it('esbuild --bundle --platform=browser', async () => {
    const { build } = await import('esbuild');
    await build({ entryPoints: [join(project, 'src', 'main.js')], bundle: true, platform: 'browser', outfile: join(project, 'out', 'esbuild', 'bundle.js'), logLevel: 'silent' });
    page('esbuild', 'bundle.js', false);
    await run('esbuild');
  }, 120_000);

  it('webpack 5, production defaults', async () => {
    const { default: webpack } = await import('webpack');
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => {
      webpack({ mode: 'production', context: project, entry: './src/main.js', output: { path: join(project, 'out', 'webpack'), filename: 'bundle.js' } }, (err, s) => (err || !s ? reject(err) : resolve(s)));
    });
    expect(stats.hasErrors(), stats.toString('errors-only')).toBe(false);
    page('webpack', 'bundle.js', false);
    await run('webpack');
  }, 180_000);

  it('rollup with @rollup/plugin-node-resolve', async () => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const warnings: string[] = [];
    const bundle = await rollup({ input: join(project, 'src', 'main.js'), plugins: [nodeResolve()], onwarn: (w) => void warnings.push(w.message) });
    await bundle.write({ file: join(project, 'out', 'rollup', 'bundle.js'), format: 'es' });
    await bundle.close();
    expect(warnings.filter((w) => /unresolved|could not be resolved/i.test(w))).toEqual([]);
    page('rollup', 'bundle.js', true);
    await run('rollup');
  }, 120_000);

  it('Vite, its defaults', async () => {
    const { build } = await import('vite');
    writeFileSync(join(project, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite</title></head><body><script type="module" src="/src/main.js"></script></body></html>');
    await build({ root: project, configFile: false, base: './', logLevel: 'silent', build: { outDir: join(project, 'out', 'vite'), emptyOutDir: true } });
    await run('vite');
  }, 120_000);
});
