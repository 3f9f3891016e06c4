// Tomosynthesis-guided targeting against the independent reference in test/reference/tomosynthesis-reference.ts.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { targetWith } from '../../src/targeting/targeting.js';
import type { TomosynthesisResult } from '../../src/targeting/tomosynthesis.js';
import { runCli } from '../helpers/fake-io.js';
import { refPick, refTomoTarget } from '../reference/tomosynthesis-reference.js';
import { codePaths, refusal } from '../helpers/refusal.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

const grid = { sliceSpacing: 1, firstSliceHeight: 0.5, pixelSpacing: 0.1, origin: { col: 1024, row: 0 } };
const req = (tomo: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ thickness: 45, tomosynthesis: { slice: 21, col: 1100, row: 300, ...grid, ...tomo }, ...extra });
const tomo = (r: unknown) => targetWith(engine, r) as TomosynthesisResult;
const issues = (r: unknown) => codePaths(refusal(() => targetWith(engine, r)).issues);
const close = (a: { x: number; y: number; z: number }, b: number[], tol = 1e-9) => {
  expect(Math.abs(a.x - b[0])).toBeLessThan(tol);
  expect(Math.abs(a.y - b[1])).toBeLessThan(tol);
  expect(Math.abs(a.z - b[2])).toBeLessThan(tol);
};

describe('[API-032] tomosynthesis: target from slice and pixel', () => {
  it('a regular grid: x, y from the pixel in the slice plane, z from the slice height', () => {
    const r = tomo(req({}));
    close(r.target, refTomoTarget({ slice: 21, col: 1100, row: 300, firstSliceHeight: 0.5, sliceSpacing: 1, spacing: [0.1, 0.1], origin: [1024, 0] }));
    expect(r.target.z).toBe(20.5);
    expect(r.depthFromSkin).toBe(45 - 20.5);
    expect(r.rayDistances).toEqual([]);
    expect(r.marks).toEqual([]);
    expect(r.tomosynthesis).toMatchObject({ slice: 21, sliceHeight: 20.5, sliceSpacing: 1, vendorConventions: { firstSlice: 1, sliceDirection: '+z', colAxis: '+x', rowAxis: '+y' } });
    expect(r.findings).toEqual([]);
  });

  it('vendor conventions: slices numbered from 0 downward from the paddle, columns along -x, rows along -y, [row, col] spacing', () => {
    const t = { slice: 7, col: 900.25, row: 12, firstSlice: 0, sliceDirection: '-z', firstSliceHeight: 44, sliceSpacing: 0.5, pixelSpacing: [0.085, 0.07], colAxis: '-x', rowAxis: '-y' };
    const r = tomo(req(t));
    close(r.target, refTomoTarget({ slice: 7, col: 900.25, row: 12, firstSlice: 0, down: true, firstSliceHeight: 44, sliceSpacing: 0.5, spacing: [0.085, 0.07], origin: [1024, 0], flipCol: true, flipRow: true }));
    expect(r.target.z).toBe(40.5);
  });

  it('per-frame Plane Position heights and Pixel Measures (uneven spacing): the larger neighbouring gap sets the depth resolution', () => {
    const frames = [0, 1, 2, 3.5, 5].map((z, k) => ({ z, pixelSpacing: [0.1 + k / 100, 0.1 + k / 100] }));
    const r = tomo({ thickness: 40, tomosynthesis: { slice: 3, col: 10, row: 20, frames, origin: [0, 0] } });
    close(r.target, refTomoTarget({ slice: 3, col: 10, row: 20, heights: [0, 1, 2, 3.5, 5], spacing: [0.12, 0.12], origin: [0, 0] }));
    expect(r.tomosynthesis.sliceSpacing).toBe(1.5);
    expect(r.uncertainty.depthResolution).toBe(0.75);
    expect(r.uncertainty.depthResolutionSource).toContain('neighbouring frames');
    // First and last frames have one neighbour.
    expect(tomo({ thickness: 40, tomosynthesis: { slice: 1, col: 0, row: 0, frames, origin: [0, 0] } }).uncertainty.depthResolution).toBe(0.5);
    expect(tomo({ thickness: 40, tomosynthesis: { slice: 5, col: 0, row: 0, frames, origin: [0, 0] } }).uncertainty.depthResolution).toBe(0.75);
  });

  it('frames without their own spacing take the block pixelSpacing; frames may run downward', () => {
    const r = tomo({ thickness: 40, tomosynthesis: { slice: 2, col: 10, row: 20, frames: [{ z: 30 }, { z: 29 }, { z: 28, pixelSpacing: 0.2 }], pixelSpacing: 0.1, origin: [0, 0] } });
    close(r.target, [1, 2, 29]);
    expect(tomo({ thickness: 40, tomosynthesis: { slice: 3, col: 10, row: 20, frames: [{ z: 30 }, { z: 29 }, { z: 28, pixelSpacing: 0.2 }], pixelSpacing: 0.1, origin: [0, 0] } }).target.x).toBeCloseTo(2, 12);
  });

  it('unit strings are accepted where lengths are', () => {
    const r = tomo(req({ sliceSpacing: '1 mm', firstSliceHeight: '0.05 cm', pixelSpacing: '100 um' }, { thickness: '4.5 cm' }));
    expect(r.target.z).toBeCloseTo(20.5, 12);
    expect(r.target.x).toBeCloseTo(7.6, 12);
  });

  it('property: a lesion anywhere in the breast is found to within the depth resolution, x and y exactly', () => {
    const mm = (lo: number, hi: number) => fc.integer({ min: lo * 1000, max: hi * 1000 }).map((i) => i / 1000);
    fc.assert(fc.property(mm(-40, 40), mm(0, 80), mm(1, 59), fc.constantFrom(0.5, 1, 2), fc.constantFrom(0, 1), fc.boolean(), fc.boolean(), mm(0.05, 0.15),
      (x, y, z, spacing, firstSlice, down, flip, pix) => {
        const thickness = 60;
        const first = down ? thickness - spacing / 2 : spacing / 2;
        const setup = { firstSlice, down, firstSliceHeight: first, sliceSpacing: spacing, spacing: [pix, pix] as [number, number], origin: [2048, 10] as [number, number], flipCol: flip };
        const pick = refPick(setup, [x, y, z]);
        const r = tomo({ thickness, imageSigma: 0.1, tomosynthesis: {
          ...pick, firstSlice, sliceDirection: down ? '-z' : '+z', firstSliceHeight: first, sliceSpacing: spacing, pixelSpacing: pix, origin: [2048, 10], colAxis: flip ? '-x' : '+x' } });
        expect(Math.abs(r.target.x - x)).toBeLessThan(1e-9);
        expect(Math.abs(r.target.y - y)).toBeLessThan(1e-9);
        expect(Math.abs(r.target.z - z)).toBeLessThanOrEqual(r.uncertainty.depthResolution + 1e-12);
        close(r.target, refTomoTarget({ ...setup, ...pick }));
      }), { numRuns: 200 });
  });
});

describe('[API-033] tomosynthesis: uncertainty states the depth resolution', () => {
  it('default: half the slice spacing, spread evenly (sigma z = d / sqrt 3), with the marking sigma in x and y', () => {
    const r = tomo(req({ sliceSpacing: 1 }, { imageSigma: 0.1 }));
    const u = r.uncertainty;
    expect(u.depthResolution).toBe(0.5);
    expect(u.depthResolutionSource).toMatch(/^half the slice spacing \(1\.00 mm\)/);
    expect(u.sigma.x).toBe(0.1);
    expect(u.sigma.z).toBeCloseTo(0.5 / Math.sqrt(3), 15);
    expect(u.ellipsoid95.semiAxes[0]).toBeCloseTo(Math.sqrt(7.8147 * (0.25 / 3)), 12);
    expect(u.ellipsoid95.semiAxes[1]).toBeCloseTo(Math.sqrt(7.8147 * 0.01), 12);
  });

  it('without imageSigma the depth is still stated (x, y sigma 0)', () => {
    const u = tomo(req({ sliceSpacing: 2 })).uncertainty;
    expect(u.depthResolution).toBe(1);
    expect(u.sigma).toEqual({ x: 0, y: 0, z: 1 / Math.sqrt(3) });
  });

  it('depthResolution from the request: exactly half a slice is accepted, just under is refused, more is used', () => {
    expect(tomo(req({ sliceSpacing: 1, depthResolution: 0.5 })).uncertainty.depthResolution).toBe(0.5);
    expect(issues(req({ sliceSpacing: 1, depthResolution: 0.4999 }))).toEqual([['out_of_range', 'tomosynthesis.depthResolution']]);
    const r = tomo(req({ sliceSpacing: 1, depthResolution: 1.5 }));
    expect(r.uncertainty.depthResolution).toBe(1.5);
    expect(r.uncertainty.depthResolutionSource).toMatch(/^tomosynthesis\.depthResolution in the request/);
  });
});

describe('tomosynthesis: findings and needle checks', () => {
  it('target_outside_breast exactly at 0 and at the thickness is inside; beyond is an error', () => {
    const at = (slice: number, thickness = 45) => tomo(req({ slice, firstSliceHeight: 0, sliceSpacing: 1 }, { thickness })).findings.map((f) => f.code);
    expect(at(1)).toEqual([]);
    expect(at(46)).toEqual([]);
    expect(at(47)).toEqual(['target_outside_breast']);
    expect(tomo(req({ slice: 1, firstSliceHeight: -0.5, sliceSpacing: 1 })).findings[0]).toMatchObject({ code: 'target_outside_breast', severity: 'error', limit: 0, value: -0.5 });
  });

  it('vertical needle: the stroke margin at, just above and below its limit (spec section 5)', () => {
    const device = { throw: 0, apertureLength: 20, tipLength: 7 };
    // z = firstSliceHeight + (slice - 1): post-fire tip at z - 17.
    const at = (z: number) => tomo(req({ slice: 1, firstSliceHeight: z }, { needle: { device } }));
    expect(at(17).needle).toMatchObject({ strokeMargin: 0, postfireTipZ: 0, skinClearance: 45 - 27 });
    expect(at(17).findings.map((f) => f.code)).toEqual(['low_stroke_margin']);
    expect(at(16.999).findings.map((f) => f.code)).toEqual(['negative_stroke_margin']);
    expect(at(21).findings).toEqual([]);
    expect(at(20.999).findings.map((f) => f.code)).toEqual(['low_stroke_margin']);
    expect(at(35).findings).toEqual([]);
    expect(at(35.001).findings.map((f) => f.code)).toEqual(['aperture_outside_breast']);
  });

  it('lateral needle: clearances from support and paddle at the slice height', () => {
    const r = tomo(req({ slice: 1, firstSliceHeight: 8 }, { thickness: 16, needle: { approach: 'lateral', device: { gauge: 9, throw: 0, apertureLength: 12, tipLength: 5 }, lateral: { side: '+x' } } }));
    expect(r.needle).toMatchObject({ approach: 'lateral', supportClearance: 8 - 1.88, paddleClearance: 16 - 8 - 1.88 });
  });

  it('through the CLI: the target command takes it, exit 0; an error finding exits 3', async () => {
    const ok = await runCli(['target', '-'], JSON.stringify(req({})));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).tomosynthesis.sliceHeight).toBe(20.5);
    const bad = await runCli(['target', '-'], JSON.stringify(req({ slice: 60, sliceCount: 60 })));
    expect(bad.code).toBe(3);
    const text = await runCli(['target', '-', '--text'], JSON.stringify(req({})));
    expect(text.out).toContain('z 20.50');
  });
});

describe('tomosynthesis: invalid input', () => {
  it('slice bounds: the first and last slices are accepted, one beyond is refused', () => {
    expect(tomo(req({ slice: 1, sliceCount: 50 })).target.z).toBe(0.5);
    expect(tomo(req({ slice: 50, sliceCount: 50 })).target.z).toBe(49.5);
    expect(issues(req({ slice: 0, sliceCount: 50 }))).toEqual([['out_of_range', 'tomosynthesis.slice']]);
    expect(issues(req({ slice: 51, sliceCount: 50 }))).toEqual([['out_of_range', 'tomosynthesis.slice']]);
    const frames = [{ z: 1 }, { z: 2 }];
    expect(issues({ thickness: 40, tomosynthesis: { slice: 3, col: 0, row: 0, frames, pixelSpacing: 0.1, origin: [0, 0] } })).toEqual([['out_of_range', 'tomosynthesis.slice']]);
    expect(issues(req({ slice: 1.5 }))).toEqual([['invalid_value', 'tomosynthesis.slice']]);
  });

  it('structure: unknown fields, both grid and frames, missing fields, uneven frames', () => {
    expect(issues({ ...req({}), views: [] })).toEqual([['unknown_field', 'views']]);
    expect(issues(req({ colour: 'red' }))).toEqual([['unknown_field', 'tomosynthesis.colour']]);
    expect(issues(req({ slice: 1, frames: [{ z: 1 }, { z: 2 }] }))).toEqual([['invalid_value', 'tomosynthesis']]);
    expect(issues({ thickness: 45, tomosynthesis: { slice: 1, col: 0, row: 0, origin: [0, 0] } })).toEqual([
      ['missing_field', 'tomosynthesis.sliceSpacing'], ['missing_field', 'tomosynthesis.firstSliceHeight'], ['missing_field', 'tomosynthesis.pixelSpacing']]);
    expect(issues({ thickness: 45, tomosynthesis: { slice: 1, col: 0, row: 0, origin: [0, 0], frames: [{ z: 1 }, { z: 1 }], pixelSpacing: 0.1 } })).toEqual([['invalid_value', 'tomosynthesis.frames[1].z']]);
    expect(issues({ thickness: 45, tomosynthesis: { slice: 1, col: 0, row: 0, origin: [0, 0], frames: [{ z: 1 }, { z: 2 }] } })).toEqual([['missing_field', 'tomosynthesis.pixelSpacing']]);
    expect(issues({ thickness: 45, tomosynthesis: { slice: 1, col: 0, row: 0, origin: [0, 0], frames: [{ z: 1 }, { z: 2 }], pixelSpacing: 0.1, sliceDirection: '-z' } })).toEqual([['invalid_value', 'tomosynthesis.sliceDirection']]);
    expect(issues(req({ sliceSpacing: 0 }))).toEqual([['out_of_range', 'tomosynthesis.sliceSpacing']]);
    expect(issues(req({ sliceDirection: 'up' }))).toEqual([['invalid_value', 'tomosynthesis.sliceDirection']]);
    expect(issues({ tomosynthesis: null })).toEqual([['missing_field', 'thickness'], ['invalid_type', 'tomosynthesis']]);
  });
});
