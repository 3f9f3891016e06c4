// The post-placement check (src/plan/post-placement.ts): request checks with exact codes and
// paths, and where a placed device landed, worked out by hand from the spec's formulas.
import { describe, expect, it } from 'vitest';
import { planWith } from '../../src/plan/plan.js';
import { G, codePaths, codes, engine, marks, planIssues } from './helpers.js';

describe('post-placement: request checks', () => {
  const view = (projection: string, extra: Record<string, unknown> = {}) => ({ projection, target: [0, 0], device: [1, 1], ...extra });
  const ortho = (views: unknown, extra: Record<string, unknown> = {}) => ({ postPlacement: { ...extra, orthogonal: { views } } });
  const stereoReq = (p: [number, number, number]) => ({ geometry: G, thickness: 45, views: marks(p) });

  it('not an object: invalid_type at postPlacement', () => {
    expect(codePaths(planIssues({ postPlacement: 5 }))).toEqual([['invalid_type', 'postPlacement']]);
  });

  it('criterion: above 0 up to 100 mm', () => {
    expect(planWith(engine, ortho([view('z'), view('x')], { criterion: 100 })).postPlacement!.criterion).toBe(100);
    for (const bad of [0, 100.001]) {
      expect(planIssues(ortho([view('z'), view('x')], { criterion: bad }))).toEqual([expect.objectContaining({
        code: 'out_of_range', path: 'postPlacement.criterion', expected: '> 0 and <= 100 mm' })]);
    }
  });

  it('neither or both of orthogonal and stereo: one missing_field at postPlacement.orthogonal', () => {
    const expected = [expect.objectContaining({ code: 'missing_field', path: 'postPlacement.orthogonal',
      expected: 'either orthogonal (two mammograms) or stereo (a stereo pair), one of them' })];
    expect(planIssues({ postPlacement: {} })).toEqual(expected);
    expect(planIssues({ postPlacement: { orthogonal: { views: [view('z'), view('x')] }, stereo: { target: stereoReq([5, 30, 20]), device: stereoReq([5, 30, 20]) } } })).toEqual(expected);
  });

  it('stereo: an object with both target and device, nothing else', () => {
    expect(codePaths(planIssues({ postPlacement: { stereo: 5 } }))).toEqual([['invalid_type', 'postPlacement.stereo']]);
    expect(planIssues({ postPlacement: { stereo: { target: stereoReq([5, 30, 20]) } } }))
      .toContainEqual(expect.objectContaining({ code: 'missing_field', path: 'postPlacement.stereo.device' }));
    expect(codePaths(planIssues({ postPlacement: { stereo: { target: stereoReq([5, 30, 20]), device: stereoReq([5, 30, 20]), extra: 1 } } })))
      .toEqual([['unknown_field', 'postPlacement.stereo.extra']]);
  });

  it('stereo: issues inside a triangulation request are placed under its path', () => {
    const t = stereoReq([5, 30, 20]);
    const notObject = planIssues({ postPlacement: { stereo: { target: 5, device: t } } });
    expect(notObject).toEqual([expect.objectContaining({ code: 'invalid_type', path: 'postPlacement.stereo.target',
      message: 'postPlacement.stereo.target: expected an object, received 5' })]);
    const oddKey = planIssues({ postPlacement: { stereo: { target: t, device: { ...t, 'a b': 1 } } } });
    expect(codePaths(oddKey)).toEqual([['unknown_field', 'postPlacement.stereo.device["a b"]']]);
    const badMark = planIssues({ postPlacement: { stereo: { target: { ...t, views: [{ ...t.views[0], u: 1000.001 }, t.views[1]] }, device: t } } });
    expect(codePaths(badMark)).toEqual([['out_of_range', 'postPlacement.stereo.target.views[0].u']]);
  });

  it('orthogonal: an object with views, nothing else', () => {
    expect(codePaths(planIssues({ postPlacement: { orthogonal: {} } }))).toEqual([['missing_field', 'postPlacement.orthogonal.views']]);
    expect(codePaths(planIssues({ postPlacement: { orthogonal: { views: [view('z'), view('x')], extra: 1 } } }))).toEqual([['unknown_field', 'postPlacement.orthogonal.extra']]);
  });

  it('orthogonal views: exactly two, each an object', () => {
    expect(codePaths(planIssues(ortho([view('z')])))).toEqual([['too_few_items', 'postPlacement.orthogonal.views']]);
    expect(codePaths(planIssues(ortho('views')))).toEqual([['invalid_type', 'postPlacement.orthogonal.views']]);
    expect(codePaths(planIssues(ortho([5, view('x')])))).toEqual([['invalid_type', 'postPlacement.orthogonal.views[0]']]);
  });

  it('each view: projection x, y or z, required; a label of at most 20 characters', () => {
    expect(codePaths(planIssues(ortho([{ target: [0, 0], device: [1, 1] }, view('x')])))).toEqual([['missing_field', 'postPlacement.orthogonal.views[0].projection']]);
    expect(codePaths(planIssues(ortho([view('z'), view('w')])))).toEqual([['invalid_value', 'postPlacement.orthogonal.views[1].projection']]);
    const twenty = 'L'.repeat(20);
    expect(planWith(engine, ortho([view('z', { label: twenty }), view('x')])).postPlacement!.planes[0].plane).toBe(twenty);
    expect(codePaths(planIssues(ortho([view('z', { label: twenty + 'L' }), view('x')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].label']]);
  });

  it('each view: target and device are two coordinates within ±1000 mm', () => {
    expect(codePaths(planIssues(ortho([view('z', { target: 'abc' }), view('x')])))).toEqual([['invalid_type', 'postPlacement.orthogonal.views[0].target']]);
    expect(codePaths(planIssues(ortho([view('z', { target: [0, 1000.001] }), view('x')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].target[1]']]);
    expect(codePaths(planIssues(ortho([view('z'), view('x', { device: [-1000.001, 0] })])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[1].device[0]']]);
    expect(() => planWith(engine, ortho([view('z', { target: [-1000, 1000] }), view('x')]))).not.toThrow();
  });

  it('a bad view is reported alone, not also as a duplicate projection', () => {
    expect(codePaths(planIssues(ortho([view('z', { target: [0, 1001] }), view('z')])))).toEqual([['out_of_range', 'postPlacement.orthogonal.views[0].target[1]']]);
    expect(codePaths(planIssues(ortho([view('w'), view('w')]))))
      .toEqual([['invalid_value', 'postPlacement.orthogonal.views[0].projection'], ['invalid_value', 'postPlacement.orthogonal.views[1].projection']]);
  });

  it('two views along the same axis: duplicate_value naming the first projection', () => {
    expect(planIssues(ortho([view('y'), view('y')]))).toEqual([expect.objectContaining({
      code: 'duplicate_value', path: 'postPlacement.orthogonal.views[1].projection', expected: 'a projection orthogonal to views[0] (not y)' })]);
  });
});

describe('post-placement: where the device landed', () => {
  const two = (a: Record<string, unknown>, b: Record<string, unknown>, criterion?: number) =>
    planWith(engine, { postPlacement: { ...(criterion ? { criterion } : {}), orthogonal: { views: [a, b] } } });

  it('z and x views: x from the z view, z from the x view, y the mean of both', () => {
    // CC (along z) shows (x, y); ML (along x) shows (y, z).
    const r = two({ projection: 'z', label: 'CC', target: [10, 40], device: [13, 44] }, { projection: 'x', label: 'ML', target: [42, 20], device: [46, 23] });
    expect(r.postPlacement).toMatchObject({
      method: 'orthogonal', target: { x: 10, y: 41, z: 20 }, device: { x: 13, y: 45, z: 23 }, offset: { x: 3, y: 4, z: 3 },
      planes: [{ plane: 'CC', distance: 5 }, { plane: 'ML', distance: 5 }], criterion: 10, success: true,
    });
    expect(r.postPlacement!.distance).toBeCloseTo(Math.sqrt(34), 12);
    expect(r.findings).toEqual([]);
  });

  it('a view along y shows x and z; unlabelled planes are named by their projection', () => {
    const r = two({ projection: 'y', target: [10, 20], device: [12, 21] }, { projection: 'z', target: [11, 40], device: [13, 43] });
    // x: mean(10, 11) and mean(12, 13); z from the y view; y from the z view.
    expect(r.postPlacement).toMatchObject({ target: { x: 10.5, y: 40, z: 20 }, device: { x: 12.5, y: 43, z: 21 } });
    expect(r.postPlacement!.planes.map((p) => p.plane)).toEqual(['view along y', 'view along z']);
  });

  it('too far: the worst plane is reported, with the criterion and the 3-D distance', () => {
    const cc = (d: number) => ({ projection: 'z', label: 'CC', target: [10, 40], device: [10 + d, 40] });
    const ml = (d: number) => ({ projection: 'x', label: 'ML', target: [40, 20], device: [40, 20 + d] });
    const firstWorst = two(cc(12), ml(0));
    expect(firstWorst.postPlacement!.success).toBe(false);
    expect(firstWorst.findings).toEqual([{ code: 'device_far_from_target', severity: 'error', path: 'postPlacement', value: 12, limit: 10,
      message: 'the device lies 12.0 mm from the target in the CC plane (criterion: within 10.0 mm in every plane; 3-D distance 12.0 mm).' }]);
    const lastWorst = two(cc(3), ml(11));
    expect(lastWorst.findings[0]).toMatchObject({ value: 11 });
    expect(lastWorst.findings[0].message).toContain('in the ML plane');
    // A tie names the first plane; 3-D distance hypot(12, 12) = 16.97.
    const tie = two(cc(12), ml(12));
    expect(tie.findings[0].message).toBe('the device lies 12.0 mm from the target in the CC plane (criterion: within 10.0 mm in every plane; 3-D distance 17.0 mm).');
  });

  it('stereo: the offset seen in the xy, xz and yz planes', () => {
    const r = planWith(engine, { postPlacement: { stereo: {
      target: { geometry: G, thickness: 45, views: marks([5, 30, 20]) },
      device: { geometry: G, thickness: 45, views: marks([8, 34, 20]) },
    } } });
    // offset (3, 4, 0): xy 5, xz 3, yz 4.
    const planes = r.postPlacement!.planes;
    expect(planes.map((p) => p.plane)).toEqual(['xy', 'xz', 'yz']);
    [5, 3, 4].forEach((d, i) => expect(planes[i].distance).toBeCloseTo(d, 6));
  });

  it('stereo: a triangulation error is reported under its request; its warnings are not', () => {
    // The device marks (2 degrees apart: a small-angle warning) put it at z 50, above the 45 mm skin.
    const r = planWith(engine, { postPlacement: { stereo: {
      target: { geometry: G, thickness: 45, views: marks([5, 30, 20]) },
      device: { geometry: G, thickness: 45, views: marks([5, 30, 50], [0, 2]) },
    } } });
    expect(codes(r)).toEqual(['target_outside_breast', 'device_far_from_target']);
    expect(r.findings[0]).toMatchObject({ severity: 'error', path: 'postPlacement.stereo.device.target.z', limit: 45 });
    expect(r.findings[0].value).toBeCloseTo(50, 4);
  });
});
