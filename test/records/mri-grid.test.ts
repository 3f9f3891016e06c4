// MRI grid localization against an independent closed form (nearest square by rounding,
// then the nearest hole inside it), exact boundaries of every check, the approach by
// breast and side, and the device check against the catalog.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mriGrid, shippedGrids, type MriGridResult } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const mm = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);
// A user grid with plain numbers: 20 mm squares, 4 rows along -z, 6 columns along +y, 3x3 block at 5 mm.
const GRID = {
  id: 'test-grid', squarePitch: 20, rows: 4, columns: 6, rowAxis: '-z', columnAxis: '+y', firstSquare: { y: 10, z: -10 },
  fiducialToSkin: 5, block: { holePitch: 5, holeRows: 3, holeColumns: 3, faceOffset: 25 }, needleStopOffset: 2, maxDepthSetting: 120,
};
const F = [100, 0, 0];
const run = (lesion: number[], extra: Record<string, unknown> = {}) => mriGrid({ breast: 'left', fiducial: F, lesion, grid: GRID, ...extra });
const codes = (r: MriGridResult) => r.findings.map((f) => f.code);

/** Independent: nearest square by rounding (clamped to the grid), then the nearest hole by rounding within it. */
function reference(a: number, b: number, g = GRID) {
  const axis = (u: number, n: number, holes: number) => {
    const sq = Math.min(n, Math.max(1, Math.round(u / g.squarePitch) + 1));
    const inSquare = u - (sq - 1) * g.squarePitch;
    const mid = (holes + 1) / 2;
    const hole = Math.min(holes, Math.max(1, Math.round(inSquare / g.block.holePitch) + mid));
    return { sq, hole, miss: inSquare - (hole - mid) * g.block.holePitch };
  };
  const r = axis(a, g.rows, g.block.holeRows), c = axis(b, g.columns, g.block.holeColumns);
  return { row: r.sq, column: c.sq, holeRow: r.hole, holeColumn: c.hole, alongRows: r.miss, alongColumns: c.miss, total: Math.hypot(r.miss, c.miss) };
}
// lesion from in-grid coordinates: a along rows (-z), b along columns (+y), from square (1,1)'s centre
const lesionAt = (a: number, b: number, x = 60) => [x, F[1] + GRID.firstSquare.y + b, F[2] + GRID.firstSquare.z - a];

describe('[API-038] square, hole and residual', () => {
  it('agrees with the independent closed form', () => {
    fc.assert(fc.property(mm(-15, 75), mm(-15, 115), (a, b) => {
      const r = run(lesionAt(a, b));
      const ref = reference(a, b);
      expect(r.residual.total).toBeCloseTo(ref.total, 12);
      expect(Math.abs(r.residual.alongRows)).toBeCloseTo(Math.abs(ref.alongRows), 12);
      expect(Math.abs(r.residual.alongColumns)).toBeCloseTo(Math.abs(ref.alongColumns), 12);
      // away from ties (exactly between two holes, or two squares) the same hole is chosen
      const frac = (u: number) => Math.abs(((u % 5) + 5) % 5 - 2.5);
      const squareTie = (u: number) => Math.abs(((u % 20) + 20) % 20 - 10) < 1e-6;
      if (frac(a) > 1e-6 && frac(b) > 1e-6 && !squareTie(a) && !squareTie(b)) {
        expect([r.square.row, r.square.column, r.hole.row, r.hole.column]).toEqual([ref.row, ref.column, ref.holeRow, ref.holeColumn]);
      }
    }), { numRuns: 1500 });
  });

  it('a lesion exactly between two squares (fast-check seed 547743658: [30, 0]) takes the edge hole of either one, 5 mm off', () => {
    // a = 30 lies 10 mm from the centres of squares 2 and 3; the outer holes sit 5 mm from
    // each centre, so square 2's hole 3 and square 3's hole 1 both miss by 5 mm.
    const r = run(lesionAt(30, 0));
    expect(r.residual.total).toBeCloseTo(5, 12);
    expect([[2, 3], [3, 1]]).toContainEqual([r.square.row, r.hole.row]);
    expect([r.square.column, r.hole.column]).toEqual([1, 2]);
  });

  it('a lesion on a hole\'s axis has no residual, whatever its depth', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), mm(10, 90),
      (row, col, i, j, x) => {
        const a = (row - 1) * 20 + (i - 2) * 5, b = (col - 1) * 20 + (j - 2) * 5;
        const r = run(lesionAt(a, b, x));
        expect(r.residual.total).toBe(0);
        expect([r.square.row, r.square.column, r.hole.row, r.hole.column]).toEqual([row, col, i, j]);
        expect(r.holeAxisAtTarget).toEqual(lesionAt(a, b, x));
      }));
  });

  it('worked example: square (2, 3), hole (1, 3), residual 1.0 and 1.5', () => {
    // a = 20 - 5 - 1 = 14 (row 2, hole row 1, 1 mm short); b = 40 + 5 + 1.5 = 46.5 (column 3, hole column 3, 1.5 mm past)
    const r = run(lesionAt(14, 46.5));
    expect(r).toMatchObject({ square: { row: 2, column: 3 }, hole: { row: 1, column: 3 }, residual: { alongRows: -1, alongColumns: 1.5 } });
    expect(r.residual.total).toBeCloseTo(Math.hypot(1, 1.5), 14);
  });
});

describe('approach and depth', () => {
  it('lateral when the grid is on the lateral side of that breast, medial otherwise', () => {
    // +x is the patient's left: for the left breast a grid at larger x is lateral
    expect(mriGrid({ breast: 'left', fiducial: [100, 0, 0], lesion: lesionAt(0, 0, 60), grid: GRID })).toMatchObject({ approach: 'lateral', needleDirection: '-x' });
    expect(mriGrid({ breast: 'left', fiducial: [20, 0, 0], lesion: lesionAt(0, 0, 60), grid: GRID })).toMatchObject({ approach: 'medial', needleDirection: '+x' });
    expect(mriGrid({ breast: 'right', fiducial: [-100, 0, 0], lesion: lesionAt(0, 0, -60), grid: GRID })).toMatchObject({ approach: 'lateral', needleDirection: '+x' });
    expect(mriGrid({ breast: 'right', fiducial: [-20, 0, 0], lesion: lesionAt(0, 0, -60), grid: GRID })).toMatchObject({ approach: 'medial', needleDirection: '-x' });
  });

  it('depth from the grid\'s skin side, plus block, stop and target offsets', () => {
    const r = run(lesionAt(0, 0, 60), { targetOffset: 3 });
    expect(r.depthFromGrid).toBe(35); // fiducial 100, skin side at 95, lesion at 60
    expect(r.depthSetting).toBe(35 + 25 + 2 + 3);
    expect(r.depthTerms).toEqual({ depthFromGrid: 35, blockFaceOffset: 25, needleStopOffset: 2, targetOffset: 3 });
    // medial: same distances mirrored
    expect(mriGrid({ breast: 'left', fiducial: [20, 0, 0], lesion: lesionAt(0, 0, 60), grid: GRID }).depthFromGrid).toBe(35);
  });

  it('the depth setting at the introducer\'s limit passes, past it is an error', () => {
    // depthSetting = (95 - x) + 27: 120 at x = 2
    expect(run(lesionAt(0, 0, 2)).depthSetting).toBe(120);
    expect(codes(run(lesionAt(0, 0, 2)))).not.toContain('depth_beyond_introducer');
    expect(codes(run(lesionAt(0, 0, 1.999)))).toContain('depth_beyond_introducer');
  });

  it('a lesion not beyond the grid\'s skin side is an error (at the skin included)', () => {
    expect(codes(run(lesionAt(0, 0, 95)))).toContain('lesion_not_beyond_grid');
    expect(codes(run(lesionAt(0, 0, 97)))).toContain('lesion_not_beyond_grid');
    expect(codes(run(lesionAt(0, 0, 94.999)))).not.toContain('lesion_not_beyond_grid');
  });
  it('property: mirroring left and right (x -> -x, other breast) keeps approach, square, hole, residual and depth', () => {
    fc.assert(fc.property(mm(-15, 75), mm(-15, 115), mm(10, 90), fc.boolean(), (a, b, x, lateralSide) => {
      const fx = lateralSide ? 100 : 0;
      const left = mriGrid({ breast: 'left', fiducial: [fx, 0, 0], lesion: lesionAt(a, b, x), grid: GRID });
      const [lx, ly, lz] = lesionAt(a, b, x);
      const right = mriGrid({ breast: 'right', fiducial: [-fx, 0, 0], lesion: [-lx, ly, lz], grid: GRID });
      expect(right.approach).toBe(left.approach);
      expect([right.square, right.hole, right.residual]).toEqual([left.square, left.hole, left.residual]);
      expect(right.depthFromGrid).toBe(left.depthFromGrid);
      expect(right.needleDirection).not.toBe(left.needleDirection);
    }));
  });
});

describe('limits', () => {
  it('grid coverage: exactly half a square past the outer squares is inside, beyond is an error', () => {
    for (const [a, b] of [[-10, 0], [70, 0], [0, -10], [0, 110]]) {
      expect(run(lesionAt(a, b)).insideGrid).toBe(true);
      expect(codes(run(lesionAt(a, b)))).not.toContain('lesion_outside_grid');
    }
    for (const [a, b] of [[-10.001, 0], [70.001, 0], [0, -10.001], [0, 110.001]]) {
      const r = run(lesionAt(a, b));
      expect(r.insideGrid).toBe(false);
      expect(r.findings.find((f) => f.code === 'lesion_outside_grid')!.severity).toBe('error');
    }
  });

  it('residual against the lesion radius: equal passes, above warns', () => {
    // residual 1.5 along columns only
    expect(codes(run(lesionAt(0, 1.5), { lesionRadius: 1.5 }))).not.toContain('residual_exceeds_lesion_radius');
    expect(codes(run(lesionAt(0, 1.5), { lesionRadius: 1.499 }))).toContain('residual_exceeds_lesion_radius');
  });

  it('devices: from the catalog (yours wins), I-125 refused under MRI, unknown MRI status warned', () => {
    expect(codes(run(lesionAt(0, 0), { device: 'i125-seed' }))).toContain('device_not_mri_compatible');
    expect(run(lesionAt(0, 0), { device: 'i125-seed' }).findings.find((f) => f.code === 'device_not_mri_compatible')!.severity).toBe('error');
    expect(codes(run(lesionAt(0, 0), { device: 'magnetic-seed' }))).toContain('device_mri_unknown');
    expect(codes(run(lesionAt(0, 0), { device: 'hook-wire' }))).toEqual([]);
    expect(codes(run(lesionAt(0, 0), { device: 'vacuum-9g-20' }))).toContain('device_mri_unknown');
    const catalog = { localizationDevices: [{ id: 'magnetic-seed', kind: 'magnetic-seed', detectionDepthLimit: 40, minSpacing: 20, repositionable: false, mriPlacement: true, source: 'our IFU' }] };
    expect(codes(run(lesionAt(0, 0), { device: 'magnetic-seed', catalog }))).toEqual([]);
  });

  it('[API-038] the shipped grid is illustrative and says so', () => {
    expect(shippedGrids()[0].illustrative).toBe(true);
    const r = mriGrid({ breast: 'left', fiducial: F, lesion: [60, 10, -10], grid: 'illustrative-grid-20' });
    expect(r.grid.illustrative).toBe(true);
    expect(r.findings[0]).toMatchObject({ code: 'illustrative_grid', severity: 'warning' });
    expect(codes(run(lesionAt(0, 0)))).not.toContain('illustrative_grid');
  });

  it('bad input names the field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ grid: 'nope' }, 'grid'],
      [{ grid: { ...GRID, columnAxis: '-z' } }, 'grid.columnAxis'],
      [{ grid: { ...GRID, block: { ...GRID.block, holePitch: 10 } } }, 'grid.block.holePitch'],
      [{ grid: { ...GRID, rows: 0 } }, 'grid.rows'],
      [{ lesion: [100, 1, 1] }, 'lesion[0]'],
      [{ lesion: [60, 1] }, 'lesion'],
      [{ device: 'teleporter' }, 'device'],
      [{ breast: 'both' }, 'breast'],
      [{ lesionRadius: -1 }, 'lesionRadius'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [patch, path] of bad) {
      refusedWith(() => mriGrid({ breast: 'left', fiducial: F, lesion: lesionAt(0, 0), grid: GRID, ...patch }), undefined, path, path);
    }
  });

  it('CLI: exit 0, 3 with an error finding, 2 naming the field; --text', async () => {
    const req = { breast: 'left', fiducial: F, lesion: lesionAt(14, 46.5), grid: GRID };
    const ok = await runCli(['mri-grid', '-'], JSON.stringify(req));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).square).toEqual({ row: 2, column: 3 });
    expect((await runCli(['mri-grid', '-'], JSON.stringify({ ...req, device: 'i125-seed' }))).code).toBe(3);
    const bad = await runCli(['mri-grid', '-'], JSON.stringify({ ...req, grid: 'nope' }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('grid');
    const text = await runCli(['mri-grid', '-', '--text'], JSON.stringify(req));
    expect(text.out).toContain('row 2, column 3');
  });
});
