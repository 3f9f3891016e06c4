// The image QA page end to end: builds web/qa-images.html with Vite, serves it on loopback,
// drives Debian's Chromium with playwright-core: loads a JPEG-LS exposure set (with a scout),
// the unit profile and the phantom, analyses with the calibration, checks the bead table and
// the labels against the library in Node, uses the keyboard, and saves a screenshot to
// test-output/qa-images/. Skipped when /usr/bin/chromium is missing (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCodecs } from '../../src/qa-images/codecs-node.js';
import { qaFromImages, type QAImagesResult } from '../../src/qa-images/result.js';
import { renderSetAs } from './scene.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const have = existsSync(CHROMIUM) && existsSync(join(root, 'dist/index.js'));
if (!have) console.warn('qa-images browser test skipped: needs /usr/bin/chromium and a built dist/ (npm run build)');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

describe.skipIf(!have)('image QA page in headless Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'qa-images-page-'));
  const out = mkdtempSync(join(tmpdir(), 'qa-images-web-'));
  let paths: string[];
  let expected: QAImagesResult;

  beforeAll(async () => {
    const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.qa-images.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, encoding: 'utf8' });
    expect(b.status, b.stderr + b.stdout).toBe(0);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = normalize(join(out, path === '/' ? 'qa-images.html' : path));
      if (!file.startsWith(out) || !existsSync(file)) { res.statusCode = 404; res.end(); return; }
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const set = await renderSetAs('jpeglsLossless', { angles: [0, 15, -15], mis: { angle: [0.2, -0.3, 0.1], sourceToSupport: 2, rotationAxisHeight: -1 }, pose: { turn: 60, tilt: 5, tiltAxis: 0, translation: [0, 0, 2] }, seed: 21 });
    paths = set.files.map((f) => { const p = join(dir, f.name); writeFileSync(p, f.bytes); return p; });
    writeFileSync(join(dir, 'unit.json'), JSON.stringify(set.profile));
    writeFileSync(join(dir, 'phantom.json'), JSON.stringify(set.phantom));
    expected = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom, calibrate: true, codecs: nodeCodecs() });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('[QAI-002] analyses the set, shows the same beads, labels and calibration as the library; keyboard-usable', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${origin}/qa-images.html`);
    await page.setInputFiles('#images', paths);
    await page.setInputFiles('#unit', join(dir, 'unit.json'));
    await page.setInputFiles('#phantom', join(dir, 'phantom.json'));
    // Keyboard only: tab to the checkbox, space, then the button's access key.
    await page.focus('#calibrate');
    await page.keyboard.press('Space');
    await page.focus('#analyse');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ['passed', 'failed', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 120_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('passed');
    const rows = await page.locator('#beads tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    expect(rows.map((r) => r[0])).toEqual(expected.beads.map((b) => b.target));
    rows.forEach((r, i) => {
      expect(Number(r[1])).toBeCloseTo(expected.beads[i].position.x, 3);
      expect(Number(r[3])).toBeCloseTo(expected.beads[i].position.z, 3);
    });
    const shownJson = JSON.parse((await page.locator('#result-json').textContent())!);
    expect(shownJson.beads.map((b: { marks: unknown }) => b.marks)).toEqual(expected.beads.map((b) => b.marks));
    // The same fit; the last bits may differ between Chromium's and Node's V8 (Math functions).
    shownJson.calibration.scenario.angle.forEach((a: number, k: number) => expect(a).toBeCloseTo(expected.calibration!.scenario.angle[k], 6));
    expect(shownJson.calibration.scenario.sourceToSupport).toBeCloseTo(expected.calibration!.scenario.sourceToSupport, 5);
    expect(await page.locator('#calibration tbody tr').count()).toBe(3 + 3);
    expect(await page.locator('#views canvas').count()).toBe(3);
    // Arrow keys move between the views; + zooms.
    await page.locator('#views canvas').first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => Array.from(document.querySelectorAll("#views canvas")).indexOf(document.activeElement as Element))).toBe(1);
    await page.keyboard.press('+');
    mkdirSync(join(root, 'test-output', 'qa-images'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', 'qa-images', 'page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('a refused file is shown as the library words it, the page keeps working', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/qa-images.html`);
    writeFileSync(join(dir, 'notes.txt'), 'not an image at all, just text'.repeat(10));
    await page.setInputFiles('#images', [paths[1], join(dir, 'notes.txt')]);
    await page.setInputFiles('#unit', join(dir, 'unit.json'));
    await page.setInputFiles('#phantom', join(dir, 'phantom.json'));
    await page.click('#analyse');
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await page.locator('#error').textContent()).toMatch(/notes\.txt: not a DICOM file/);
    await page.close();
  }, 120_000);
});
