// The browser page end to end: builds web/ with Vite, serves it on loopback, drives
// Debian's Chromium with playwright-core, clicks the lesion on both synthetic views and
// checks every number shown against the library computing the same request in Node;
// loads JSON requests (findings, a refused request) and a DICOM stereo set; proves the page runs under its
// Content Security Policy, offline, and saves a screenshot to test-output/browser/.
// Skipped, with the reason printed, when /usr/bin/chromium is missing (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';
import { dicomTargetsWith, loadEngine, parseTargetingRequest, StereotaxError, targetWith, type Engine, type TargetingResult } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);

const POLICY = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'";
const SHOTS = join(root, 'test-output', 'browser');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

// Independent of src/: the central projection of the unit's geometry, written out here.
function project(p: { x: number; y: number; z: number }, angle: number, sid = 660, ssd = 640, axis = -20) {
  const r = ssd - axis;
  const a = (angle * Math.PI) / 180;
  const sx = r * Math.sin(a);
  const sz = axis + r * Math.cos(a);
  const t = (-(sid - ssd) - sz) / (p.z - sz);
  return { u: sx + t * (p.x - sx), v: t * p.y };
}

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

describe.skipIf(!haveChromium)('[API-021] browser page in headless Chromium', () => {
  let dist: string;
  let server: Server;
  let origin: string;
  /** Extra response header per request path, for the policy checks. */
  let extraCsp: string | undefined;
  const served: string[] = [];
  let context: BrowserContext;
  let engine: Engine;
  const consoleErrors: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'stereotax-web-'));
    const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
    expect(b.status, b.stderr + b.stdout).toBe(0);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      served.push(path);
      const file = normalize(join(dist, path === '/' ? 'index.html' : path));
      if (!file.startsWith(dist) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (extraCsp && extname(file) === '.html') headers['content-security-policy'] = extraCsp;
      res.writeHead(200, headers).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'stereotax-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-quic', '--no-first-run'],
      viewport: { width: 1280, height: 1250 },
    });
    context.on('request', (r) => {
      if (!r.url().startsWith(origin)) outside.push(r.url());
    });
    context.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    engine = await loadEngine();
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  async function open(query = ''): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${origin}/${query}`);
    await page.waitForSelector('body[data-state="ready"], body[data-state="engine-error"]');
    return page;
  }

  /** Clicks each view where the page says the lesion projects; returns the click positions in mm. */
  async function markLesion(page: Page): Promise<{ u: number; v: number }[]> {
    const clicked = [];
    for (const k of [0, 1]) {
      const canvas = page.locator(`#view-${k}`);
      const d = await canvas.evaluate((c) => ({ ...(c as HTMLElement).dataset }));
      const box = (await canvas.boundingBox())!;
      const px = (Number(d.lesionU) - Number(d.uMin)) / Number(d.mmPerPx);
      const py = (Number(d.lesionV) - Number(d.vMin)) / Number(d.mmPerPx);
      await page.mouse.click(box.x + px, box.y + py);
      clicked.push({ u: Number(d.uMin) + px * Number(d.mmPerPx), v: Number(d.vMin) + py * Number(d.mmPerPx) });
    }
    await page.waitForSelector('#result[data-state="computed"]');
    return clicked;
  }

  /** The page's result, request and every displayed number checked against the library in Node. */
  async function checkAgainstLibrary(page: Page): Promise<TargetingResult> {
    const request = JSON.parse(await page.locator('#request-json').textContent() ?? '');
    const shown = JSON.parse(await page.locator('#result-json').textContent() ?? '');
    const expected = targetWith(engine, request);
    expect(shown).toEqual(JSON.parse(JSON.stringify(expected)));
    await checkCells(page, expected);
    return expected;
  }

  /** Every displayed number against the library's result: to the digit shown, and the full-precision data-value. */
  async function checkCells(page: Page, expected: TargetingResult): Promise<void> {
    const cells = await page.locator('#numbers td[data-field]').evaluateAll((tds) => tds.map((td) => {
      const d = (td as HTMLElement).dataset;
      return { field: d.field, value: d.value, digits: d.digits, text: td.textContent };
    }));
    const must = ['target.x', 'target.y', 'target.z', 'depthFromSkin'];
    if (expected.uncertainty) must.push('uncertainty.sigma.z', 'uncertainty.ellipsoid95.semiAxes.0');
    if (expected.needle?.approach === 'vertical') must.push('needle.strokeMargin', 'needle.skinClearance');
    if (at(expected, 'dicom.console')) must.push('dicom.console.z', 'dicom.consoleDifference.z');
    expect(cells.map((c) => c.field)).toEqual(expect.arrayContaining(must));
    for (const c of cells) {
      const value = at(expected, c.field!);
      expect(typeof value, c.field).toBe('number');
      expect(Number(c.value), c.field).toBe(value);
      expect(c.text, c.field).toBe((value as number).toFixed(Number(c.digits)));
    }
    const codes = await page.locator('#findings li[data-code]').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.code));
    expect(codes).toEqual(expected.findings.map((f) => f.code));
  }

  it('loads the engine with SIMD in Chromium, under the page\'s CSP, without any request off the origin', async () => {
    const page = await open();
    const engineBadge = page.locator('#engine');
    expect(await engineBadge.getAttribute('data-kernel')).toBe('simd');
    expect(await engineBadge.getAttribute('data-simd-supported')).toBe('true');
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(POLICY);
    expect(await page.locator('body').getAttribute('data-csp-violations')).toBeNull();
    // The policy is in force: an inline script is refused, and the page counts the violation.
    const inline = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
    });
    expect(inline).toBe(false);
    await page.waitForSelector('body[data-csp-violations="1"]');
    expect(served.filter((p) => p !== '/' && !p.startsWith('/assets/'))).toEqual([]);
    await page.close();
  });

  it('clicks on both views give the library\'s numbers, to the digit shown and in full precision', async () => {
    const page = await open();
    const images = await page.locator('#images').evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    const lesion = { x: Number(images.lesionX), y: Number(images.lesionY), z: Number(images.lesionZ) };
    // The page projects with the engine's kernel; an independent projection agrees.
    for (const [k, angle] of [[0, 15], [1, -15]] as const) {
      const d = await page.locator(`#view-${k}`).evaluate((c) => ({ ...(c as HTMLElement).dataset }));
      const p = project(lesion, angle);
      expect(Math.abs(Number(d.lesionU) - p.u)).toBeLessThan(1e-9);
      expect(Math.abs(Number(d.lesionV) - p.v)).toBeLessThan(1e-9);
    }
    const clicked = await markLesion(page);
    for (const k of [0, 1]) {
      const d = await page.locator(`#view-${k}`).evaluate((c) => ({ ...(c as HTMLElement).dataset }));
      // A mark lands within a pixel (0.2 mm) of where the mouse went.
      expect(Math.abs(Number(d.markU) - clicked[k].u)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(Number(d.markV) - clicked[k].v)).toBeLessThanOrEqual(0.2);
    }
    const r = await checkAgainstLibrary(page);
    expect(await page.locator('body').getAttribute('data-csp-violations')).toBeNull();
    // Round trip: marks within a pixel of the projected lesion triangulate back near it.
    expect(Math.hypot(r.target.x - lesion.x, r.target.y - lesion.y, r.target.z - lesion.z)).toBeLessThan(1.0);
    expect(r.uncertainty).toBeDefined();
    expect(await page.locator('#numbers td[data-field="target.z"]').textContent()).toBe(r.target.z.toFixed(2));
    await page.screenshot({ path: join(SHOTS, 'page.png'), fullPage: true });
    await page.close();
  });

  it('the scalar build, forced, gives the same numbers bit for bit', async () => {
    const simd = await open();
    await markLesion(simd);
    const a = await simd.locator('#result-json').textContent();
    await simd.close();
    const page = await open('?kernel=scalar');
    expect(await page.locator('#engine').getAttribute('data-kernel')).toBe('scalar');
    await markLesion(page);
    expect(await page.locator('#result-json').textContent()).toBe(a);
    await checkAgainstLibrary(page);
    await page.close();
  });

  it('a JSON request with an unsafe needle shows the library\'s findings; a bad one its error, field named', async () => {
    const page = await open();
    // A lesion 8 mm above the support and a 22 mm throw: the fired tip goes into the support.
    const lesion = { x: 5, y: 30, z: 8 };
    const request = {
      id: 'low lesion, 14G gun',
      geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
      // Unit strings go through mathjs, bundled: it must run under the CSP too.
      thickness: '4 cm',
      views: [15, -15].map((angle) => ({ angle: `${angle} deg`, ...project(lesion, angle) })),
      imageSigma: 0.1,
      needle: { approach: 'vertical', device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } },
    };
    await page.locator('#request-text').fill(JSON.stringify(request));
    await page.locator('#compute').click();
    await page.waitForSelector('#result[data-state="computed"]');
    const r = await checkAgainstLibrary(page);
    expect(r.findings.map((f) => f.code)).toContain('negative_stroke_margin');
    expect(await page.locator('#findings li.error[data-code="negative_stroke_margin"]').count()).toBe(1);
    expect(Number(await page.locator('td[data-field="needle.strokeMargin"]').getAttribute('data-value'))).toBeCloseTo(-5, 9);
    await page.screenshot({ path: join(SHOTS, 'findings.png'), fullPage: true });

    // The same through the file input, with a refused request: the error names the field.
    const bad = { ...request, thickness: -1 };
    let libError: StereotaxError | undefined;
    try { parseTargetingRequest(bad); } catch (e) { libError = e as StereotaxError; }
    expect(libError).toBeInstanceOf(StereotaxError);
    await page.locator('#request-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.waitForSelector('#result[data-state="error"]');
    const err = page.locator('#error');
    expect(await err.getAttribute('data-code')).toBe(libError!.code);
    expect(await err.getAttribute('data-path')).toBe(libError!.path);
    expect(await err.textContent()).toContain('thickness');
    expect(await page.locator('#numbers td[data-field]').count()).toBe(0);
    // Not JSON at all.
    await page.locator('#request-text').fill('{ "views": [');
    await page.locator('#compute').click();
    await page.waitForSelector('#error[data-code="invalid_json"]');
    await page.close();
  });

  it('a DICOM stereo set: one row per Target UID with the console beside ours, as the library reads it', async () => {
    const set = makeSet(baseSpec());
    const page = await open();
    const upload = (files: { name: string; bytes: Uint8Array }[]) =>
      page.locator('#dicom-files').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'application/dicom', buffer: Buffer.from(f.bytes) })));
    await upload(set.files);
    await page.locator('#dicom-profile').fill(JSON.stringify(set.profile));
    await page.locator('#dicom-compute').click();
    await page.waitForSelector('#result[data-state="computed"]');
    const expected = dicomTargetsWith(engine, set.files, set.profile);
    const rows = await page.locator('#dicom-targets tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.uid));
    expect(rows).toEqual(expected.map((e) => e.dicom.targetUid));
    expect(rows).toEqual(set.expected.map((e) => e.uid));
    for (const k of [0, 1]) {
      await page.locator(`#dicom-targets tbody tr[data-index="${k}"]`).click();
      const e = expected[k];
      if ('error' in e) throw new Error(`target ${k} is an error element`);
      expect(JSON.parse(await page.locator('#result-json').textContent() ?? '')).toEqual(JSON.parse(JSON.stringify(e)));
      await checkCells(page, e);
      // The independent reference agrees with what the page shows, to 1e-4 mm.
      const ref = set.expected[k].target;
      const shown = ['x', 'y', 'z'].map(async (a) => Number(await page.locator(`td[data-field="target.${a}"]`).getAttribute('data-value')));
      (await Promise.all(shown)).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-4));
    }
    await page.screenshot({ path: join(SHOTS, 'dicom.png'), fullPage: true });
    // A file that is not DICOM: the library's error, naming the file.
    const bad = [set.files[0], { name: 'notes.txt', bytes: new TextEncoder().encode('not a DICOM file') }];
    let libError: StereotaxError | undefined;
    try { dicomTargetsWith(engine, bad, set.profile); } catch (err) { libError = err as StereotaxError; }
    expect(libError).toBeInstanceOf(StereotaxError);
    await upload(bad);
    await page.locator('#dicom-compute').click();
    await page.waitForSelector('#result[data-state="error"]');
    expect(await page.locator('#error').getAttribute('data-code')).toBe(libError!.code);
    expect(await page.locator('#error').textContent()).toContain('notes.txt');
    await page.close();
  });

  it('works offline once loaded: a new lesion is marked and computed with the network cut', async () => {
    const page = await open();
    await context.setOffline(true);
    try {
      await page.locator('#new-lesion').click();
      await markLesion(page);
      await checkAgainstLibrary(page);
    } finally {
      await context.setOffline(false);
    }
    await page.close();
  });

  it('without \'wasm-unsafe-eval\' the engine is refused, and the page says so', async () => {
    // Everything before this test ran with no console error but the one inline script the
    // first test had refused, and nothing was fetched from anywhere but the loopback server.
    expect(consoleErrors.filter((m) => !/^Executing inline script violates/.test(m))).toEqual([]);
    expect(consoleErrors.length).toBe(1);
    expect(outside).toEqual([]);
    extraCsp = "script-src 'self'";
    try {
      const page = await open();
      expect(await page.locator('#engine').getAttribute('data-kernel')).toBe('error');
      expect(await page.locator('#engine').textContent()).toMatch(/not loaded/);
      expect(Number(await page.locator('body').getAttribute('data-csp-violations'))).toBeGreaterThanOrEqual(1);
      await page.close();
    } finally {
      extraCsp = undefined;
    }
  });
});
