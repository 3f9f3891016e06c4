// The page script of test/dicom/browser-bundle.test.ts: src/dicom as a browser bundle
// (esbuild --bundle --platform=browser, no other flag) computing a set and writing its SR.
import { loadEngine } from '../../src/engine/engine.js';
import { dicomSecondOpinionWith } from '../../src/dicom/stereo-set.js';
import { writeSecondOpinionSR } from '../../src/dicom/sr-load.js';

(globalThis as unknown as { stereotaxDicom: unknown }).stereotaxDicom = async (files: { name: string; bytes: number[] }[], profile: unknown, nowMs: number) => {
  const engine = await loadEngine();
  const { images, elements } = dicomSecondOpinionWith(engine, files.map((f) => ({ name: f.name, bytes: Uint8Array.from(f.bytes) })), profile);
  let n = 0;
  const sr = await writeSecondOpinionSR(images, elements, { now: new Date(nowMs), softwareVersion: 'browser-test', newUid: () => `2.25.7770${++n}` });
  return { elements, sr: Array.from(sr) };
};
