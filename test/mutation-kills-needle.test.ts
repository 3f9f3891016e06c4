// Tests that the mutation run showed missing in the needle block of a request
// (src/needle/vertical.ts: device, lateral setup and needle validation, the request
// device), the lateral checks (src/needle/checks.ts) and the uncertainty ellipsoid
// (src/targeting/uncertainty.ts). Validation is asserted issue by issue (code, path,
// expected, received) and by what the checkers hand on: nothing for invalid input.
// The eigen-decomposition is compared with hand-made covariances of known axes and
// with an independent closed-form (trigonometric) solver written here.
import { describe, expect, it } from 'vitest';
import { refusal } from './helpers/refusal.js';
import {
  CHI2_3DOF_95, Checker, DEFAULT_LIMITS, StereotaxError, checkLateral, ellipsoid95, loadEngine, symmetricEigen3, targetWith,
  type BiopsyDevice, type Finding, type Matrix3,
} from '../src/index.js';
import { checkDevice, checkLateralSetup, checkNeedle, requestDevice } from '../src/needle/vertical.js';
import { refProject } from './reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const stereo = (extra: Record<string, unknown> = {}, target: [number, number, number] = [4, 30, 20]) => ({
  geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, target) })), ...extra,
});
const DEV = { throw: 0, apertureLength: 20, tipLength: 7 };

/** Runs one checker on a fresh Checker: what it returns and every issue it recorded. */
function check<T>(fn: (c: Checker) => T): { out: T; issues: { code: string; path: string; expected: string; received: string }[] } {
  const c = new Checker();
  const out = fn(c);
  return { out, issues: c.issues.map(({ code, path, expected, received }) => ({ code, path, expected, received })) };
}
const dev = (v: unknown) => check((c) => checkDevice(c, v, ['needle', 'device']));
const lat = (v: unknown) => check((c) => checkLateralSetup(c, v, ['needle', 'lateral']));
const ndl = (v: unknown) => check((c) => checkNeedle(c, v, ['needle']));

describe('needle device validation', () => {
  it('a device that is not an object: one invalid_type at needle.device, no device, no crash', () => {
    const r = dev(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.device', expected: 'an object', received: '5' }]);
  });
  it('throw, apertureLength and tipLength are required: a missing one is missing_field, reported once', () => {
    for (const field of ['throw', 'apertureLength', 'tipLength'] as const) {
      const d: Record<string, unknown> = { ...DEV };
      delete d[field];
      const r = dev(d);
      expect(r.out, field).toBeUndefined();
      expect(r.issues, field).toEqual([{ code: 'missing_field', path: `needle.device.${field}`, expected: 'a value', received: 'nothing' }]);
    }
  });
  it('a name that is not a string is refused at needle.device.name', () => {
    const r = dev({ ...DEV, name: 5 });
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.device.name', expected: 'a string', received: '5' }]);
    expect(r.out).not.toHaveProperty('name');
  });
  it('each invalid required length alone gives no device (never a device with a hole in it)', () => {
    const bad: [string, unknown, string][] = [
      ['throw', -0.01, '>= 0 and <= 100 mm'], ['throw', 100.01, '>= 0 and <= 100 mm'],
      ['apertureLength', 0, '> 0 and <= 100 mm'], ['apertureLength', 'abc', ''],
      ['tipLength', -1, '>= 0 and <= 50 mm'], ['tipLength', 50.5, '>= 0 and <= 50 mm'],
    ];
    for (const [field, value, expected] of bad) {
      const r = dev({ ...DEV, [field]: value });
      expect(r.out, `${field}=${String(value)}`).toBeUndefined();
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0].path).toBe(`needle.device.${field}`);
      if (expected) expect(r.issues[0]).toMatchObject({ code: 'out_of_range', expected });
      else expect(r.issues[0].code).toBe('invalid_unit');
    }
  });
  it('limits at their inclusive bound pass: throw 0 and 100, tipLength 0 and 50, aperture 100', () => {
    expect(dev({ throw: 100, apertureLength: 100, tipLength: 50 })).toEqual({ out: { throw: 100, apertureLength: 100, tipLength: 50 }, issues: [] });
    expect(dev({ throw: 0, apertureLength: 0.01, tipLength: 0 })).toEqual({ out: { throw: 0, apertureLength: 0.01, tipLength: 0 }, issues: [] });
  });
  it('a valid device keeps exactly the fields given, units converted', () => {
    const r = dev({ name: 'gun', gauge: 14, throw: '2.2 cm', apertureLength: 18, tipLength: 4, outerDiameter: 2.1 });
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4, outerDiameter: 2.1 });
  });
});

describe('lateral setup validation', () => {
  it('a lateral setup that is not an object: invalid_type at needle.lateral, no setup, no crash', () => {
    const r = lat(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle.lateral', expected: 'an object', received: '5' }]);
  });
  it('side is required: missing_field at needle.lateral.side, once', () => {
    const r = lat({ nearSkinX: 10 });
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'missing_field', path: 'needle.lateral.side', expected: 'a value', received: 'nothing' }]);
  });
  it('a side other than +x or -x is refused at needle.lateral.side and gives no setup', () => {
    const r = lat({ side: 'up', nearSkinX: 10, farSkinX: 20 });
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.side', expected: 'one of "+x", "-x"', received: '"up"' }]);
  });
  it('skin positions are lengths within +-1000 mm, refused at their own path', () => {
    const r = lat({ side: '+x', nearSkinX: 1000.5, farSkinX: '5 kg' });
    expect(r.issues).toEqual([
      { code: 'out_of_range', path: 'needle.lateral.nearSkinX', expected: '>= -1000 and <= 1000 mm', received: '1000.5' },
      { code: 'invalid_unit', path: 'needle.lateral.farSkinX', expected: 'a length unit', received: '"5 kg"' },
    ]);
    expect(lat({ side: '+x', nearSkinX: 1000, farSkinX: -1000 })).toEqual({ out: { side: '+x', nearSkinX: 1000, farSkinX: -1000 }, issues: [] });
  });
  it('only one skin given: accepted, and the setup carries only that one', () => {
    const far = lat({ side: '+x', farSkinX: -20 });
    expect(far.issues).toEqual([]);
    expect(far.out).toStrictEqual({ side: '+x', farSkinX: -20 });
    expect(Object.keys(far.out!)).toEqual(['side', 'farSkinX']);
    const near = lat({ side: '-x', nearSkinX: '-1 cm' });
    expect(near.issues).toEqual([]);
    expect(Object.keys(near.out!)).toEqual(['side', 'nearSkinX']);
    expect(near.out).toStrictEqual({ side: '-x', nearSkinX: -10 });
    expect(Object.keys(lat({ side: '-x' }).out!)).toEqual(['side']);
  });
  it('entering from +x the far skin must be on the -x side of the near skin', () => {
    expect(lat({ side: '+x', nearSkinX: 10, farSkinX: -20 })).toEqual({ out: { side: '+x', nearSkinX: 10, farSkinX: -20 }, issues: [] });
    for (const far of [20, 10]) {
      const r = lat({ side: '+x', nearSkinX: 10, farSkinX: far });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.farSkinX', expected: 'the far skin on the -x side of nearSkinX (10 mm)', received: String(far) }]);
    }
  });
  it('entering from -x the far skin must be on the +x side of the near skin', () => {
    expect(lat({ side: '-x', nearSkinX: -10, farSkinX: 30 })).toEqual({ out: { side: '-x', nearSkinX: -10, farSkinX: 30 }, issues: [] });
    for (const far of [-20, -10]) {
      const r = lat({ side: '-x', nearSkinX: -10, farSkinX: far });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral.farSkinX', expected: 'the far skin on the +x side of nearSkinX (-10 mm)', received: String(far) }]);
    }
  });
  it('a far skin on the wrong side is refused through the targeting API too', () => {
    const e = refusal(() => targetWith(engine, stereo({ needle: { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '-x', nearSkinX: -10, farSkinX: -30 } } })));
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([['invalid_value', 'needle.lateral.farSkinX']]);
    expect(e.expected).toBe('the far skin on the +x side of nearSkinX (-10 mm)');
  });
});

describe('needle block validation', () => {
  const lateralOk = { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '+x', nearSkinX: 20, farSkinX: -30 } };
  it('a needle block that is not an object: invalid_type at needle, nothing handed on, no crash', () => {
    const r = ndl(5);
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'invalid_type', path: 'needle', expected: 'an object', received: '5' }]);
  });
  it('the device is required: missing_field at needle.device, once', () => {
    const r = ndl({});
    expect(r.out).toBeUndefined();
    expect(r.issues).toEqual([{ code: 'missing_field', path: 'needle.device', expected: 'a value', received: 'nothing' }]);
  });
  it('defaults: vertical, stroke margins 0 / 4 mm, clearance 0, no lateral key', () => {
    const r = ndl({ device: DEV });
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ approach: 'vertical', device: DEV, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0 });
  });
  it('a valid lateral block hands on its setup', () => {
    const r = ndl(lateralOk);
    expect(r.issues).toEqual([]);
    expect(r.out).toStrictEqual({ approach: 'lateral', device: { ...DEV, gauge: 14 }, minStrokeMargin: 0, warnStrokeMargin: 4, minClearance: 0, lateral: { side: '+x', nearSkinX: 20, farSkinX: -30 } });
  });
  it('each invalid field alone: its own issue and nothing handed on', () => {
    const bad: [Record<string, unknown>, string, string][] = [
      [{ approach: 'diagonal' }, 'invalid_value', 'needle.approach'],
      [{ device: { ...DEV, throw: -1 } }, 'out_of_range', 'needle.device.throw'],
      [{ minStrokeMargin: 50.5 }, 'out_of_range', 'needle.minStrokeMargin'],
      [{ minStrokeMargin: -50.5 }, 'out_of_range', 'needle.minStrokeMargin'],
      [{ warnStrokeMargin: 51 }, 'out_of_range', 'needle.warnStrokeMargin'],
      [{ minClearance: -0.5 }, 'out_of_range', 'needle.minClearance'],
      [{ minClearance: 50.1 }, 'out_of_range', 'needle.minClearance'],
    ];
    for (const [patch, code, path] of bad) {
      const r = ndl({ device: DEV, ...patch });
      expect(r.out, path).toBeUndefined();
      expect(r.issues.map((i) => [i.code, i.path]), path).toEqual([[code, path]]);
    }
    // and the same limits at their inclusive bounds pass
    const edge = ndl({ device: DEV, minStrokeMargin: -50, warnStrokeMargin: 50, minClearance: 50 });
    expect(edge.issues).toEqual([]);
    expect(edge.out).toMatchObject({ minStrokeMargin: -50, warnStrokeMargin: 50, minClearance: 50 });
  });
  it('the lateral approach without a setup: missing_field at needle.lateral saying what a setup is', () => {
    const r = ndl({ approach: 'lateral', device: { ...DEV, outerDiameter: 3 } });
    expect(r.out).toBeUndefined();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'missing_field', path: 'needle.lateral' });
    expect(r.issues[0].expected).toContain('lateral setup');
    expect(r.issues[0].expected).toContain('side: "+x" or "-x"');
  });
  it('the lateral approach with an invalid setup hands nothing on', () => {
    for (const [setup, path] of [[{ side: 'up' }, 'needle.lateral.side'], [5, 'needle.lateral'], [{}, 'needle.lateral.side']] as const) {
      const r = ndl({ ...lateralOk, lateral: setup });
      expect(r.issues.map((i) => i.path)).toEqual([path]);
      expect(r.out).toBeUndefined();
    }
  });
  it('lateral needs the needle radius: outerDiameter, or a gauge with a table value', () => {
    for (const device of [DEV, { ...DEV, gauge: 13 }, { ...DEV, gauge: 34 }]) {
      const r = ndl({ ...lateralOk, device });
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'missing_field', path: 'needle.device.outerDiameter', received: 'nothing' });
      expect(r.issues[0].expected).toContain('outer diameter');
      expect(r.issues[0].expected).toContain('gauge');
      expect(r.issues[0].expected).toContain('lateral approach');
    }
    for (const device of [{ ...DEV, gauge: 14 }, { ...DEV, outerDiameter: 3 }, { ...DEV, gauge: 13, outerDiameter: 2.4 }]) {
      expect(ndl({ ...lateralOk, device }).issues).toEqual([]);
    }
    // The vertical approach does not need it.
    expect(ndl({ device: DEV }).issues).toEqual([]);
  });
  it('a lateral needle without a diameter is refused by the targeting API at needle.device.outerDiameter', () => {
    const e = refusal(() => targetWith(engine, stereo({ needle: { ...lateralOk, device: DEV } })));
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([['missing_field', 'needle.device.outerDiameter']]);
  });
  it('a lateral setup with the vertical approach is refused at needle.lateral', () => {
    for (const approach of [undefined, 'vertical']) {
      const r = ndl({ approach, device: DEV, lateral: { side: '+x' } });
      expect(r.issues).toEqual([{ code: 'invalid_value', path: 'needle.lateral', expected: 'no lateral setup with the vertical approach', received: 'an object' }]);
    }
  });
});

describe('the request device as a catalog device', () => {
  it('a fired device is a spring-loaded gun keeping its name and gauge', () => {
    expect(requestDevice({ name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 })).toEqual({
      id: 'request', kind: 'spring-loaded-gun', name: 'gun', gauge: 14, throw: 22, apertureLength: 18, tipLength: 4,
      outerDiameter: 2.11, typical: false, source: 'request',
    });
  });
  it('throw 0 is a vacuum probe; unnamed and ungauged it gets the defaults', () => {
    expect(requestDevice({ throw: 0, apertureLength: 20, tipLength: 7, outerDiameter: 3 })).toEqual({
      id: 'request', kind: 'vacuum-probe', name: 'device in the request', gauge: 0, throw: 0, apertureLength: 20, tipLength: 7,
      outerDiameter: 3, typical: false, source: 'request',
    });
    expect(requestDevice({ throw: 0.5, apertureLength: 20, tipLength: 7 })).toMatchObject({ kind: 'spring-loaded-gun', outerDiameter: 0, gauge: 0 });
  });
  it('an explicit outer diameter wins over the gauge table', () => {
    expect(requestDevice({ gauge: 9, throw: 0, apertureLength: 20, tipLength: 7, outerDiameter: 4 }).outerDiameter).toBe(4);
    expect(requestDevice({ gauge: 9, throw: 0, apertureLength: 20, tipLength: 7 }).outerDiameter).toBe(3.76);
  });
});

describe('lateral checks: the aperture outside the entry skin', () => {
  const d: BiopsyDevice = { id: 'd', kind: 'spring-loaded-gun', name: 'd', gauge: 9, throw: 10, apertureLength: 20, tipLength: 7, outerDiameter: 4, typical: false, source: 't' };
  const T = { x: 5, y: 0, z: 10 };
  const only = (f: readonly Finding[], code: string) => {
    const hit = f.filter((x) => x.code === code);
    expect(hit, code).toHaveLength(1);
    return hit[0];
  };
  // aperture's proximal edge: x = -5 from -x, x = 15 from +x
  for (const [side, near, far] of [['-x', -2, 40], ['+x', 12, -40]] as const) {
    it(`from ${side}: 3 mm outside, with the distance as a positive number in the message`, () => {
      const f = only(checkLateral(T, 30, d, DEFAULT_LIMITS, { side, nearSkinX: near, farSkinX: far }).findings, 'aperture_outside_breast');
      expect(f).toMatchObject({ severity: 'error', path: 'needle.skinClearance', value: -3, limit: 0 });
      expect(f.message).toBe("the aperture's proximal edge is 3.0 mm outside the entry skin: vacuum leak and skin injury.");
    });
  }
  it('through the targeting API, from +x, with the request device', () => {
    // target x = 4, aperture 20: proximal edge at x = 14; skin at 12.5 is 1.5 mm inside the aperture
    const r = targetWith(engine, stereo({ needle: { approach: 'lateral', device: { ...DEV, gauge: 14 }, lateral: { side: '+x', nearSkinX: 12.5, farSkinX: -40 } } }));
    const f = r.findings.filter((x) => x.code === 'aperture_outside_breast');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].value).toBeCloseTo(-1.5, 9);
    expect(f[0].message).toContain('is 1.5 mm outside the entry skin');
  });
});

// ---------- uncertainty: independent eigen-decomposition ----------
type V3 = [number, number, number];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3) => Math.sqrt(dot(a, a));
/** Sign convention of the engine: the largest-magnitude component positive. */
const canon = (a: V3): V3 => {
  const big = a.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
  return (big < 0 ? a.map((x) => -x) : [...a]) as V3;
};

/** Closed-form (trigonometric) eigenvalues of a symmetric 3x3, eigenvectors from cross products of (A - l I)'s rows. */
function closedFormEigen(A: Matrix3): { values: V3; vectors: V3[] } {
  const p1 = A[0][1] ** 2 + A[0][2] ** 2 + A[1][2] ** 2;
  const q = (A[0][0] + A[1][1] + A[2][2]) / 3;
  const p = Math.sqrt(((A[0][0] - q) ** 2 + (A[1][1] - q) ** 2 + (A[2][2] - q) ** 2 + 2 * p1) / 6);
  const B = A.map((r, i) => r.map((x, j) => (x - (i === j ? q : 0)) / p));
  const det = B[0][0] * (B[1][1] * B[2][2] - B[1][2] * B[2][1]) - B[0][1] * (B[1][0] * B[2][2] - B[1][2] * B[2][0]) + B[0][2] * (B[1][0] * B[2][1] - B[1][1] * B[2][0]);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const l1 = q + 2 * p * Math.cos(phi);
  const l3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  const values: V3 = [l1, 3 * q - l1 - l3, l3];
  const vectors = values.map((l) => {
    const rows = A.map((row, i) => row.map((x, j) => x - (i === j ? l : 0)) as V3);
    const cands = [cross(rows[0], rows[1]), cross(rows[0], rows[2]), cross(rows[1], rows[2])];
    const best = cands.reduce((a, b) => (norm(b) > norm(a) ? b : a));
    return canon(best.map((x) => x / norm(best)) as V3);
  });
  return { values, vectors };
}

/** Rotation matrix from z-y-x angles (rad); its columns are the principal axes. */
function rotation(a: number, b: number, c: number): number[][] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  const Rz = [[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]];
  const Ry = [[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]];
  const Rx = [[1, 0, 0], [0, cc, -sc], [0, sc, cc]];
  const mul = (X: number[][], Y: number[][]) => X.map((r) => [0, 1, 2].map((j) => r[0] * Y[0][j] + r[1] * Y[1][j] + r[2] * Y[2][j]));
  return mul(mul(Rz, Ry), Rx);
}
/** R diag(l) R^T: principal variances l along R's columns. */
function covarianceWithAxes(R: number[][], l: V3): Matrix3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => l[0] * R[i][0] * R[j][0] + l[1] * R[i][1] * R[j][1] + l[2] * R[i][2] * R[j][2])) as Matrix3;
}
const column = (R: number[][], k: number): V3 => [R[0][k], R[1][k], R[2][k]];
const scaled = (m: Matrix3, s: number) => m.map((r) => r.map((x) => x * s)) as Matrix3;

function expectAxes(got: number[][], want: V3[], tol: number) {
  for (let k = 0; k < 3; k++) {
    expect(Math.abs(norm(got[k] as V3) - 1)).toBeLessThan(tol);
    const w = canon(want[k]);
    for (let i = 0; i < 3; i++) expect(got[k][i], `axis ${k}[${i}]`).toBeCloseTo(w[i], -Math.log10(tol));
  }
}

describe('uncertainty: the 95 % ellipsoid of covariances with known axes', () => {
  const R = rotation(0.4, -0.7, 1.1);
  const l: V3 = [0.09, 0.04, 0.01]; // 1-sigma 0.3, 0.2, 0.1 mm along the principal axes
  const C = covarianceWithAxes(R, l);

  it('a rotated covariance: eigenvalues and the rotated (not the coordinate) axes', () => {
    const { values, vectors } = symmetricEigen3(C);
    for (let k = 0; k < 3; k++) expect(values[k]).toBeCloseTo(l[k], 14);
    expectAxes(vectors, [0, 1, 2].map((k) => column(R, k)), 1e-12);
    // not the unit axes: every principal axis has at least two sizeable components
    for (const v of vectors) expect(v.filter((x) => Math.abs(x) > 0.1).length).toBeGreaterThanOrEqual(2);
  });
  it('ellipsoid95: semi-axes sqrt(7.8147 l), largest first, with matching axes', () => {
    const e = ellipsoid95(C);
    expect(CHI2_3DOF_95).toBe(7.8147);
    for (let k = 0; k < 3; k++) expect(e.semiAxes[k]).toBeCloseTo(Math.sqrt(7.8147 * l[k]), 13);
    expect(e.semiAxes[0]).toBeCloseTo(0.8386, 4);
    expectAxes(e.axes, [0, 1, 2].map((k) => column(R, k)), 1e-12);
  });
  it('agrees with the closed-form solver on a general covariance', () => {
    const M: Matrix3 = [[0.052, -0.013, 0.021], [-0.013, 0.031, 0.007], [0.021, 0.007, 0.118]];
    const ref = closedFormEigen(M);
    const { values, vectors } = symmetricEigen3(M);
    for (let k = 0; k < 3; k++) expect(values[k]).toBeCloseTo(ref.values[k], 14);
    expectAxes(vectors, ref.vectors, 1e-10);
  });
  it('equal x and y variances with x uncorrelated but y-z correlated: finite, correct axes', () => {
    // a[0][1] is 0 while a[0][0] = a[1][1]: the x-y pair needs no rotation (and must not produce 0/0).
    const M: Matrix3 = [[0.09, 0, 0], [0, 0.09, 0.04], [0, 0.04, 0.25]];
    const r = Math.sqrt(0.08 * 0.08 + 0.04 * 0.04);
    const hi = 0.17 + r, lo = 0.17 - r;
    const { values, vectors } = symmetricEigen3(M);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values[0]).toBeCloseTo(hi, 15);
    expect(values[1]).toBeCloseTo(0.09, 15);
    expect(values[2]).toBeCloseTo(lo, 15);
    const axis = (lam: number): V3 => {
      const vy = 0.04, vz = lam - 0.09; // (0.09 - lam) vy + 0.04 vz = 0
      const n = Math.hypot(vy, vz);
      return [0, vy / n, vz / n];
    };
    expectAxes(vectors, [axis(hi), [1, 0, 0], axis(lo)], 1e-12);
    const e = ellipsoid95(M);
    expect(e.semiAxes[1]).toBeCloseTo(Math.sqrt(7.8147 * 0.09), 14);
  });
  it('the ellipsoid scales with the marking error: sqrt(s) on the semi-axes, the same axes, for tiny and large s', () => {
    for (const s of [1e-12, 1e-6, 1e6]) {
      const e = ellipsoid95(scaled(C, s));
      for (let k = 0; k < 3; k++) expect(e.semiAxes[k] / Math.sqrt(s)).toBeCloseTo(Math.sqrt(7.8147 * l[k]), 10);
      expectAxes(e.axes, [0, 1, 2].map((k) => column(R, k)), 1e-9);
    }
  });
  it('a corrupt (NaN) covariance ends and gives no finite-looking ellipsoid', () => {
    const M: Matrix3 = [[0.09, NaN, 0], [NaN, 0.04, 0], [0, 0, 0.01]];
    const e = ellipsoid95(M);
    expect(e.semiAxes.some((x) => Number.isNaN(x))).toBe(true);
  });
});

describe('uncertainty through the targeting API', () => {
  it('covariance = imageSigma^2 J J^T, sigma = sqrt(diag C), ellipsoid from an independent decomposition', () => {
    const s = 0.2;
    const u = targetWith(engine, stereo({ imageSigma: s })).uncertainty!;
    const J = u.jacobian;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const c = s * s * J[i].reduce((acc, x, m) => acc + x * J[j][m], 0);
        expect(u.covariance[i][j]).toBeCloseTo(c, 14);
      }
    }
    expect(u.sigma.x).toBeCloseTo(Math.sqrt(u.covariance[0][0]), 15);
    expect(u.sigma.y).toBeCloseTo(Math.sqrt(u.covariance[1][1]), 15);
    expect(u.sigma.z).toBeCloseTo(Math.sqrt(u.covariance[2][2]), 15);
    // stereo: depth is the least certain direction; x and z are correlated, so the long axis is tilted
    expect(u.sigma.z).toBeGreaterThan(u.sigma.x);
    const ref = closedFormEigen(u.covariance);
    for (let k = 0; k < 3; k++) expect(u.ellipsoid95.semiAxes[k]).toBeCloseTo(Math.sqrt(7.8147 * Math.max(ref.values[k], 0)), 9);
    // the well-determined axes (distinct eigenvalues) match the independent ones
    expect(Math.abs(dot(u.ellipsoid95.axes[0] as V3, ref.vectors[0]))).toBeCloseTo(1, 9);
    expect(u.ellipsoid95.semiAxes[0]).toBeGreaterThanOrEqual(u.ellipsoid95.semiAxes[1]);
    expect(u.ellipsoid95.semiAxes[1]).toBeGreaterThanOrEqual(u.ellipsoid95.semiAxes[2]);
  });
  it('a tiny marking error gives the same ellipsoid shrunk in proportion (1 nm vs 0.2 mm)', () => {
    const big = targetWith(engine, stereo({ imageSigma: 0.2 })).uncertainty!;
    const tiny = targetWith(engine, stereo({ imageSigma: 1e-6 })).uncertainty!;
    for (let k = 0; k < 3; k++) {
      expect(tiny.ellipsoid95.semiAxes[k] / 1e-6).toBeCloseTo(big.ellipsoid95.semiAxes[k] / 0.2, 6);
    }
    expect(Math.abs(dot(tiny.ellipsoid95.axes[0] as V3, big.ellipsoid95.axes[0] as V3))).toBeCloseTo(1, 9);
  });
});

describe('an unknown approach with a lateral setup', () => {
  it('is reported once, at the approach: the setup is not called "with the vertical approach"', () => {
    const c = new Checker();
    checkNeedle(c, { approach: 'diagonal', device: { throw: 0, apertureLength: 20, tipLength: 7 }, lateral: { side: '+x' } }, ['needle']);
    const paths = c.issues.map((i) => i.path);
    expect(paths).toContain('needle.approach');
    expect(paths).not.toContain('needle.lateral');
  });
});
