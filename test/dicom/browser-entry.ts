// The page script of test/dicom/browser-bundle.test.ts: the package's browser build
// (dist/browser.js, what the `browser` condition gives a bundler) bundled with esbuild
// --bundle --platform=browser and no other flag, computing a set and writing its SR with
// dcmjs handed in, as a page that writes reports does.
import dcmjs from 'dcmjs';
// @ts-expect-error dist/browser.js ships no declarations of its own (the package's types are index.d.ts)
import * as browserBuild from '../../dist/browser.js';
import type * as Api from '../../src/index.js';

const { dicomSecondOpinionWith, loadEngine, useDcmjs, writeSecondOpinionSR } = browserBuild as typeof Api;
type DcmjsModule = Api.DcmjsModule;

useDcmjs(dcmjs as unknown as DcmjsModule);

(globalThis as unknown as { stereotaxDicom: unknown }).stereotaxDicom = async (files: { name: string; bytes: number[] }[], profile: unknown, nowMs: number) => {
  const engine = await loadEngine();
  const { images, elements } = dicomSecondOpinionWith(engine, files.map((f) => ({ name: f.name, bytes: Uint8Array.from(f.bytes) })), profile);
  let n = 0;
  const sr = await writeSecondOpinionSR(images, elements, { now: new Date(nowMs), softwareVersion: 'browser-test', newUid: () => `2.25.7770${++n}` });
  return { elements, sr: Array.from(sr) };
};
