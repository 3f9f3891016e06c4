// The page without a mouse and with a screen reader (issue 20, item 8), in Debian's Chromium:
// keyboard-only marking gives the same request and result as clicking the same pixels;
// axe-core (pinned devDependency, injected from node_modules) reports no serious or critical
// violation on the empty, computed, findings and DICOM states; at a 1024 px viewport the page
// never scrolls sideways; findings carry their severity in words and in colour (every error,
// console_disagrees among them, red; warnings amber). Screenshots go to test-output/web/.
// Skipped, with the reason printed, when /usr/bin/chromium is missing.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';
import { CHROMIUM, ROOT, haveChromium, launchChromium, serveBuiltPage, type ServedPage } from '../helpers/web-page.js';

if (!haveChromium) console.warn(`accessibility test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);

const SHOTS = join(ROOT, 'test-output', 'web');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A request whose needle fires into the support: error findings (a lesion at (5, 30, 8) mm projected at +-15 degrees). */
const UNSAFE = {
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: 40,
  views: [{ angle: 15, u: -2.6175419443341923, v: 31.37815386022507 }, { angle: -15, u: 13.076926564409234, v: 31.37815386022507 }],
  imageSigma: 0.1,
  needle: { approach: 'vertical', device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 } },
};

/** The same needle for a lesion at (5, 30, 14) mm: a warning (low_stroke_margin) and no error. */
const LOW_MARGIN = {
  ...UNSAFE,
  views: [{ angle: 15, u: -4.34183295489413, v: 31.690109912416162 }, { angle: -15, u: 14.905202925699541, v: 31.690109912416162 }],
};

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

describe.skipIf(!haveChromium)('the page by keyboard and screen reader', () => {
  let site: ServedPage;
  let wide: BrowserContext;
  let narrow: BrowserContext;

  beforeAll(async () => {
    site = await serveBuiltPage();
    wide = await launchChromium({ width: 1280, height: 1250 });
    narrow = await launchChromium({ width: 1024, height: 900 });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await wide?.close();
    await narrow?.close();
    await site?.close();
  });

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    await page.waitForSelector('body[data-state="ready"]');
    return page;
  }

  /** Where the page says view k's lesion projects, as a whole pixel of the canvas. */
  async function lesionPixel(page: Page, k: number): Promise<{ x: number; y: number }> {
    const d = await page.locator(`#view-${k}`).evaluate((c) => ({ ...(c as HTMLElement).dataset }));
    return { x: Math.round((Number(d.lesionU) - Number(d.uMin)) / Number(d.mmPerPx)), y: Math.round((Number(d.lesionV) - Number(d.vMin)) / Number(d.mmPerPx)) };
  }

  /** Moves view k's cursor to (x, y) with arrow keys only (Shift for tens), then Enter. */
  async function markByKeyboard(page: Page, k: number, to: { x: number; y: number }): Promise<void> {
    const view = page.locator(`#view-${k}`);
    const at = async () => view.evaluate((c) => ({ x: Number((c as HTMLElement).dataset.cursorX), y: Number((c as HTMLElement).dataset.cursorY) }));
    let c = await at();
    for (const [axis, minus, plus] of [['x', 'ArrowLeft', 'ArrowRight'], ['y', 'ArrowUp', 'ArrowDown']] as const) {
      let delta = to[axis] - c[axis];
      const key = delta < 0 ? minus : plus;
      delta = Math.abs(delta);
      for (let i = 0; i < Math.floor(delta / 10); i++) await page.keyboard.press(`Shift+${key}`);
      for (let i = 0; i < delta % 10; i++) await page.keyboard.press(key);
    }
    c = await at();
    expect(c).toEqual(to);
    await page.keyboard.press('Enter');
  }

  /** Tab from the top of the page until view k has focus (no mouse involved); returns the presses taken. */
  async function tabTo(page: Page, id: string): Promise<number> {
    await page.locator('body').evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 1; i <= 30; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((want) => document.activeElement?.id === want, id)) return i;
    }
    throw new Error(`${id} never took focus by Tab`);
  }

  async function axe(page: Page, what: string): Promise<void> {
    await page.addScriptTag({ content: AXE }).catch(async () => {
      // The page's CSP refuses inline scripts: evaluate it instead (the same code, run by the test).
      await page.evaluate(AXE);
    });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
    });
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad, `${what}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
  }

  it('keyboard-only marking gives the same request and result as clicking the same pixels', async () => {
    const keys = await open(wide);
    // Tab reaches each view; the focused view draws its cursor and shows a focus ring.
    for (const k of [0, 1]) {
      await tabTo(keys, `view-${k}`);
      const outline = await keys.locator(`#view-${k}`).evaluate((c) => getComputedStyle(c).outlineStyle);
      expect(outline).not.toBe('none');
      await markByKeyboard(keys, k, await lesionPixel(keys, k));
    }
    await keys.waitForSelector('#result[data-state="computed"]');
    await keys.locator('#view-1').focus();
    await keys.screenshot({ path: join(SHOTS, 'keyboard-marked.png'), fullPage: true });
    const byKeys = { request: await keys.locator('#request-json').textContent(), result: await keys.locator('#result-json').textContent() };

    const mouse = await open(wide);
    for (const k of [0, 1]) {
      const px = await lesionPixel(mouse, k);
      const box = (await mouse.locator(`#view-${k}`).boundingBox())!;
      await mouse.mouse.click(box.x + px.x, box.y + px.y);
      // The click landed on that very pixel (offsetX/Y), where the keys had put the cursor.
      const d = await mouse.locator(`#view-${k}`).evaluate((c) => ({ ...(c as HTMLElement).dataset }));
      expect({ x: Number(d.cursorX), y: Number(d.cursorY) }, `box at ${box.x}, ${box.y}`).toEqual(px);
    }
    await mouse.waitForSelector('#result[data-state="computed"]');
    expect(await mouse.locator('#request-json').textContent()).toBe(byKeys.request);
    expect(await mouse.locator('#result-json').textContent()).toBe(byKeys.result);

    // The text alternative lists both marks and the target, as the numbers show them.
    const summary = await keys.locator('#marks-summary').textContent();
    const result = JSON.parse(byKeys.result ?? '');
    for (const m of result.marks) expect(summary).toContain(`u = ${m.u.toFixed(2)} mm, v = ${m.v.toFixed(2)} mm`);
    expect(summary).toContain(`z = ${result.target.z.toFixed(2)} mm`);
    expect(await keys.locator('#side').getAttribute('aria-label')).toContain(`z = ${result.target.z.toFixed(2)} mm`);
    await keys.close();
    await mouse.close();
  });

  it('the keys move by one pixel, ten with Shift, stay on the canvas, and Space marks too', async () => {
    const page = await open(wide);
    await tabTo(page, 'view-0');
    const at = async () => page.locator('#view-0').evaluate((c) => ({ x: Number((c as HTMLElement).dataset.cursorX), y: Number((c as HTMLElement).dataset.cursorY) }));
    const start = await at();
    await page.keyboard.press('ArrowRight');
    expect(await at()).toEqual({ x: start.x + 1, y: start.y });
    await page.keyboard.press('Shift+ArrowUp');
    expect(await at()).toEqual({ x: start.x + 1, y: start.y - 10 });
    for (let i = 0; i < 40; i++) await page.keyboard.press('Shift+ArrowLeft');
    expect((await at()).x).toBe(0);
    // The page did not scroll on arrow keys (they are the cursor's while a view has focus).
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    await page.keyboard.press(' ');
    const d = await page.locator('#view-0').evaluate((c) => ({ ...(c as HTMLElement).dataset }));
    expect(Number(d.markU)).toBe(Number(d.uMin));
    expect(await page.locator('#mark-0').textContent()).toContain(`u = ${Number(d.uMin).toFixed(2)} mm`);
    await page.close();
  });

  it('axe-core finds no serious or critical violation: empty, computed with findings, and refused', async () => {
    const page = await open(wide);
    await axe(page, 'empty page');
    // A request whose needle fires into the support: error findings.
    await page.locator('#request-text').fill(JSON.stringify(UNSAFE));
    await page.locator('#compute').press('Enter');
    await page.waitForSelector('#result[data-state="computed"]');
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    await axe(page, 'computed with findings');
    await page.locator('#request-text').fill('{ "views": [');
    await page.locator('#compute').press('Enter');
    await page.waitForSelector('#error[data-code="invalid_json"]');
    await axe(page, 'refused request');
    await page.close();
  });

  it('findings by severity: every error red and worded ERROR, warnings amber, console_disagrees red in the DICOM table', async () => {
    const page = await open(wide);
    await page.locator('#request-text').fill(JSON.stringify(UNSAFE));
    await page.locator('#compute').click();
    await page.waitForSelector('#result[data-state="computed"]');
    const items = await page.locator('#findings li[data-code]').evaluateAll((lis) => lis.map((li) => {
      const s = getComputedStyle(li);
      return { severity: (li as HTMLElement).dataset.severity, word: li.querySelector('.severity')?.textContent, border: s.borderLeftColor, width: s.borderLeftWidth };
    }));
    expect(items.some((i) => i.severity === 'error')).toBe(true);
    for (const i of items) {
      expect(i.word).toBe(i.severity!.toUpperCase());
      if (i.severity === 'error') expect(i.border).toBe('rgb(201, 42, 42)');
      if (i.severity === 'warning') expect(i.border).toBe('rgb(230, 119, 0)');
    }
    await page.screenshot({ path: join(SHOTS, 'findings.png'), fullPage: true });
    await page.locator('#request-text').fill(JSON.stringify(LOW_MARGIN));
    await page.locator('#compute').click();
    const warning = page.locator('#findings li[data-code="low_stroke_margin"]');
    await warning.waitFor();
    expect(await warning.getAttribute('data-severity')).toBe('warning');
    expect(await warning.locator('.severity').textContent()).toBe('WARNING');
    expect(await warning.evaluate((e) => getComputedStyle(e).borderLeftColor)).toBe('rgb(230, 119, 0)');
    expect(await warning.evaluate((e) => getComputedStyle(e.querySelector('.severity')!).color)).toBe('rgb(138, 75, 0)');
    await axe(page, 'a warning finding');

    // A DICOM set whose console target is 0.5 mm off ours: console_disagrees, an error, red with its severity in words.
    const spec = baseSpec();
    const set = makeSet({ ...spec, points: spec.points.map((pt, i) => (i === 0 ? { ...pt, consoleOffset: [0.5, 0, 0] as [number, number, number] } : pt)) });
    await page.locator('#dicom-files').setInputFiles(set.files.map((f) => ({ name: f.name, mimeType: 'application/dicom', buffer: Buffer.from(f.bytes) })));
    await page.locator('#dicom-profile').fill(JSON.stringify(set.profile));
    await page.locator('#dicom-compute').click();
    await page.waitForSelector('#result[data-state="computed"]');
    const code = page.locator('#dicom-targets .finding-code[data-code="console_disagrees"]').first();
    expect(await code.textContent()).toBe('console_disagrees (error)');
    expect(await code.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(176, 37, 37)');
    const li = page.locator('#findings li[data-code="console_disagrees"]');
    expect(await li.getAttribute('data-severity')).toBe('error');
    expect(await li.evaluate((e) => getComputedStyle(e).borderLeftColor)).toBe('rgb(201, 42, 42)');
    // The rows are reached and chosen with the keyboard too.
    await page.locator('#dicom-targets tbody tr[data-index="1"]').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#dicom-targets tbody tr[data-index="1"]').getAttribute('aria-selected')).toBe('true');
    await axe(page, 'DICOM set with console_disagrees');
    await page.screenshot({ path: join(SHOTS, 'dicom-console-disagrees.png'), fullPage: true });
    await page.close();
  });

  it('at a 1024 px viewport nothing scrolls sideways, in every state', async () => {
    const page = await open(narrow);
    const width = async () => page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    expect(await width()).toBeLessThanOrEqual(1024);
    for (const k of [0, 1]) {
      await tabTo(page, `view-${k}`);
      await markByKeyboard(page, k, await lesionPixel(page, k));
    }
    await page.waitForSelector('#result[data-state="computed"]');
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    expect(await width()).toBeLessThanOrEqual(1024);
    // The two views still sit side by side at this width (their captions wrap under them).
    const [b0, b1] = [await page.locator('#view-0').boundingBox(), await page.locator('#view-1').boundingBox()];
    expect(b1!.y).toBe(b0!.y);
    expect(b1!.x).toBeGreaterThan(b0!.x + b0!.width);
    await page.screenshot({ path: join(SHOTS, 'width-1024.png'), fullPage: true });
    const set = makeSet(baseSpec());
    await page.locator('#dicom-files').setInputFiles(set.files.map((f) => ({ name: f.name, mimeType: 'application/dicom', buffer: Buffer.from(f.bytes) })));
    await page.locator('#dicom-profile').fill(JSON.stringify(set.profile));
    await page.locator('#dicom-compute').click();
    await page.waitForSelector('#result[data-state="computed"]');
    expect(await width()).toBeLessThanOrEqual(1024);
    await axe(page, '1024 px, DICOM set');
    await page.screenshot({ path: join(SHOTS, 'width-1024-dicom.png'), fullPage: true });
    await page.close();
  });
});
