// The browser build with src/dicom in it bundles with `esbuild --bundle --platform=browser` and no other
// flag (no Node built-in, no dynamic require of zlib: deflate is fflate's), and runs in
// Debian's Chromium: a deflated and an implicit-VR set give the targets Node gives, and
// the SR bytes written in the page are the bytes Node writes with the same clock and UIDs.
// Skipped, with the reason printed, when /usr/bin/chromium is missing (.ci/run installs it).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/engine/engine.js';
import { dicomSecondOpinionWith } from '../../src/dicom/stereo-set.js';
import { secondOpinionSR } from '../../src/dicom/sr-dcmjs.js';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';
import { readSr } from './sr-reader.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dicom browser bundle test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe('src/dicom in a browser bundle', () => {
  let bundle = '';
  it('esbuild --bundle --platform=browser: no warning, no Node built-in, no require', async () => {
    const r = await build({ entryPoints: [join(import.meta.dirname, 'browser-entry.ts')], bundle: true, platform: 'browser', write: false, logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    bundle = r.outputFiles[0].text;
    expect(bundle).not.toMatch(/\brequire\(\s*["'](zlib|fs|path|worker_threads|node:[a-z_]+)["']\s*\)/);
    expect(bundle).not.toMatch(/Dynamic require of/);
  });

  it.skipIf(!haveChromium)('runs in Chromium: the same targets and the same SR bytes as Node', async () => {
    expect(bundle).not.toBe('');
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'stereotax-dicom-chromium-')), {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><title>stereotax dicom</title>');
      await page.addScriptTag({ content: bundle });
      const engine = await loadEngine();
      const nowMs = Date.UTC(2026, 11, 7, 9, 0, 0);
      for (const spec of [baseSpec({ deflate: (b) => new Uint8Array(deflateRawSync(b)) }), baseSpec({ implicit: true, undefinedLength: true, angles: [0, 15, -15] })]) {
        const set = makeSet(spec);
        const got = await page.evaluate(([files, profile, now]) => (globalThis as unknown as { stereotaxDicom: (...a: unknown[]) => Promise<{ elements: unknown[]; sr: number[] }> }).stereotaxDicom(files, profile, now),
          [set.files.map((f) => ({ name: f.name, bytes: Array.from(f.bytes) })), set.profile, nowMs] as const);
        const { images, elements } = dicomSecondOpinionWith(engine, set.files, set.profile);
        expect(got.elements).toEqual(JSON.parse(JSON.stringify(elements)));
        let n = 0;
        const node = secondOpinionSR(images, elements, { now: new Date(nowMs), softwareVersion: 'browser-test', newUid: () => `2.25.7770${++n}` });
        expect(Uint8Array.from(got.sr)).toEqual(node);
        expect(readSr(Uint8Array.from(got.sr)).root.children).toHaveLength(elements.length);
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
