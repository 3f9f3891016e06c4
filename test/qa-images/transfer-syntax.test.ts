/** Every pixel encoding of qa-images.md section 2, decoded by the wasm codecs (or RLE/native), marks within 0.03 mm. */
import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../../src/qa-images/codecs-node.js';
import { qaFromImages, type QAImagesResult } from '../../src/qa-images/result.js';
import { StereotaxError } from '../../src/core/errors.js';
import { SYNTAX, writeEncapsulated } from './dicom-image.js';
import { encode } from './encode.js';
import { renderSet, renderSetAs, type SetOptions } from './scene.js';
import type { Syntax } from './encode.js';

const codecs = nodeCodecs();

function checkMarks(r: QAImagesResult, set: ReturnType<typeof renderSet>) {
  expect(r.beads.map((b) => b.target)).toEqual(set.phantom.targets.map((t) => t.label));
  let worst = 0;
  for (const b of r.beads) {
    const k = set.phantom.targets.findIndex((t) => t.label === b.target);
    b.marks.forEach((m, v) => {
      const t = set.views[v].marks[k];
      worst = Math.max(worst, Math.hypot(m.u - t.u, m.v - t.v));
    });
  }
  expect(worst).toBeLessThan(0.03);
  return worst;
}

const EIGHT_BIT: SetOptions['style'] = { bitsStored: 8, background: 90, contrast: 120, noise: 3, gradient: [0.02, -0.015] };

describe('[QAI-003] transfer syntaxes', () => {
  const cases: [Syntax, SetOptions['style']][] = [
    ['rle', {}], ['jpeglsLossless', {}], ['jpeglsNear', {}], ['j2kLossless', {}], ['j2k', {}], ['jpegBaseline', EIGHT_BIT], ['rle', EIGHT_BIT],
  ];
  for (const [syntax, style] of cases) {
    it(`${syntax} (${SYNTAX[syntax]}), ${style?.bitsStored ?? 12} bits`, async () => {
      const set = await renderSetAs(syntax, { style, seed: 3, pose: { turn: 75, tilt: 7, tiltAxis: 110, translation: [-2, 3, 2] } });
      const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom, codecs });
      expect(r.views.map((v) => v.transferSyntax)).toEqual([SYNTAX[syntax], SYNTAX[syntax]]);
      checkMarks(r, set);
      expect(r.findings).toEqual([]);
    });
  }

  const natives: [string, SetOptions][] = [
    ['implicit VR, 16 bits', { implicit: true, style: { bitsStored: 16, background: 20000, contrast: 9000, noise: 150 } }],
    ['MONOCHROME1 (a bead is darker in stored values)', { style: { photometric: 'MONOCHROME1', background: 3000 } }],
    ['signed 16-bit with Rescale Slope/Intercept', { style: { signed: true, bitsStored: 16, background: -500, contrast: 3000, noise: 40, rescale: { slope: 0.5, intercept: -1000 } } }],
    ['10 bits stored in 16', { style: { bitsStored: 10, background: 300, contrast: 400, noise: 4 } }],
  ];
  for (const [what, o] of natives) {
    it(what, async () => {
      const set = renderSet({ ...o, seed: 4, pose: { turn: -60, tilt: 2, tiltAxis: 0, translation: [1, 1, 3] } });
      const r = await qaFromImages(set.files, { unit: set.profile, phantom: set.phantom });
      checkMarks(r, set);
      expect(r.findings).toEqual([]);
    });
  }

  for (const syntax of ['j2kLossless', 'jpeglsLossless', 'jpegBaseline'] as Syntax[]) {
    it(`a cut ${syntax} stream is invalid input naming the file and PixelData`, async () => {
      const set = renderSet({ seed: 3, style: syntax === 'jpegBaseline' ? EIGHT_BIT : {} });
      const e = await encode(syntax, set.views[1].pixels, set.style);
      const cut = writeEncapsulated(set.style, set.headers[1], e.syntax, [e.fragments[0].slice(0, 120)]);
      const err = await qaFromImages([set.files[0], { name: 'cut.dcm', bytes: cut }], { unit: set.profile, phantom: set.phantom, codecs }).catch((x) => x);
      expect(err).toBeInstanceOf(StereotaxError);
      expect(err.issues[0].path).toBe('files[1].PixelData');
      expect(err.message).toMatch(/^cut\.dcm: \(7FE0,0010\) PixelData/);
    });
  }
});
