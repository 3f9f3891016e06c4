// Seeded, time-bounded fuzz of margins (issue 7): mutated requests must either be refused
// with a StereotaxError or give a result with only finite numbers, a status its numbers
// support, inside the time bound, and no prototype pollution.
import { describe, expect, it } from 'vitest';
import { StereotaxError, loadEngine, marginsWith, type MarginsResult } from '../../src/index.js';
import { mulberry32 } from '../helpers/random.js';

const engine = await loadEngine();
const SEED = Number(process.env.MARGINS_FUZZ_SEED ?? 20261123);
const COUNT = Number(process.env.MARGINS_FUZZ_COUNT ?? 1000);
// Asserted per request as CPU time (load stretches wall time, not CPU time); the documented figure is 100 ms warm.
const BOUND_MS = 1000;

const BASES: unknown[] = [
  { specimen: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [30, 22, 15] }, lesion: { shape: 'sphere', center: [6, -2, 1], radius: 7 }, histology: 'dcis', markers: [{ name: 'clip', point: [5, -1, 0] }] },
  { specimen: { shape: 'box', center: [0, 0, 0], size: [40, 40, 40] }, lesion: { shape: 'box', center: [0, 0, 0], size: [10, 60, 10] }, histology: 'invasive' },
  { specimen: { shape: 'sphere', center: [1, 2, 3], radius: 20 }, lesion: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [8, 50, 3] }, threshold: 1 },
  { specimen: { shape: 'ellipsoid', center: [0, 0, 0], semiAxes: [5, 5, 15.966] }, lesion: { shape: 'points', points: [[0, -0.005, -4], [1, 1, 1], [0, 0, 1e-17]], radius: 0.5 }, histology: 'dcis' },
  { twoView: { views: [{ projection: 'z', specimen: { min: [-30, -20], max: [30, 20] }, lesion: { min: [10, -4], max: [24, 4] } }, { projection: 'x', specimen: { min: [-21, -15], max: [19, 15] }, calcifications: [[-4, -2], [3, 5], [0, 1]] }] }, histology: 'dcis' },
];
const NUMBERS = [0, -0, 1e-300, -1e-300, 5e-324, 1e-17, -1e-17, 1e-8, 0.00999, 0.01, 0.02, 1, 7.5, 100, 100.001, 500, 500.001, 999.999, 1000, 1000.001, 1e300, -1e300, 2 ** 53];
const ODD: unknown[] = [null, true, 'x', '5 cm', '1e-17 mm', 'NaN mm', 'Infinity', [], {}, [1, 2], [1, 2, 3, 4], { __proto__: 1 }];

function mutate(value: unknown, r: () => number, depth = 0): unknown {
  if (typeof value === 'number') {
    const k = r();
    if (k < 0.5) return NUMBERS[Math.floor(r() * NUMBERS.length)];
    if (k < 0.8) return value * (r() * 4 - 2);
    return ODD[Math.floor(r() * ODD.length)];
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => (r() < 0.3 ? mutate(v, r, depth + 1) : v));
    if (r() < 0.05) out.pop();
    if (r() < 0.05) out.push(out[0]);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (r() < 0.04) continue; // drop a field
      out[k] = r() < 0.4 ? mutate(v, r, depth + 1) : v;
    }
    if (r() < 0.03) out[['extra', 'shape', 'radius', 'size', 'semiAxes'][Math.floor(r() * 5)]] = mutate(1, r);
    return out;
  }
  if (typeof value === 'string' && r() < 0.1) return ['box', 'ellipsoid', 'sphere', 'points', 'cone', '', 'dcis', 'invasive'][Math.floor(r() * 8)];
  return value;
}

/** Adds a __proto__ or constructor key the way JSON.parse does (an own property, not the prototype). */
function withHostileKey(value: unknown, r: () => number): unknown {
  const text = JSON.stringify(value);
  const key = r() < 0.5 ? '__proto__' : 'constructor';
  // An empty object takes the key with no comma after it ({"__proto__":{...},} is not JSON).
  const lead = text === '{}' ? `{"${key}":{"polluted":true}` : `{"${key}":{"polluted":true},`;
  return JSON.parse(text.replace(/^\{/, lead).replace('"center":', r() < 0.5 ? `"${key}":{"polluted":true},"center":` : '"center":'));
}

function check(res: MarginsResult): void {
  // Every live number (JSON would turn NaN and Infinity into null and hide them).
  const walk = (v: unknown): void => {
    if (typeof v === 'number') expect(Number.isFinite(v), `non-finite number in ${JSON.stringify(res).slice(0, 300)}`).toBe(true);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(res);
  const values = Object.values(res.margins);
  expect(values).toHaveLength(6);
  expect(res.closestMargin).toBe(Math.min(...values));
  expect(res.margins[res.closestName]).toBe(res.closestMargin);
  const want = res.closestMargin <= 0 ? 'involved' : res.closestMargin < res.threshold ? 'close' : 'clear';
  expect(res.status).toBe(want);
  for (const m of res.markers) expect(m.distance).toBeGreaterThanOrEqual(0);
  const involved = res.findings.filter((f) => f.code === 'margin_involved').length;
  expect(involved).toBe(values.filter((v) => v <= 0).length);
}

describe('margins fuzz', () => {
  it(`${COUNT} mutated requests (seed ${SEED}): StereotaxError or a sound result, each within ${BOUND_MS} ms, no pollution`, () => {
    const r = mulberry32(SEED);
    let refused = 0, computed = 0, slowest = 0;
    for (let i = 0; i < COUNT; i++) {
      let req = mutate(BASES[i % BASES.length], r);
      if (r() < 0.05) req = withHostileKey(req, r);
      const c = process.cpuUsage();
      try {
        check(marginsWith(engine, req));
        computed++;
      } catch (e) {
        if (!(e instanceof StereotaxError)) throw new Error(`request ${i} threw ${(e as Error).name}: ${(e as Error).message}\n${JSON.stringify(req).slice(0, 500)}`);
        refused++;
      }
      const u = process.cpuUsage(c);
      const ms = (u.user + u.system) / 1000;
      slowest = Math.max(slowest, ms);
      expect(ms, `request ${i}: ${JSON.stringify(req).slice(0, 300)}`).toBeLessThan(BOUND_MS);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    }
    // Both outcomes must occur, or the fuzz is not exercising anything.
    expect(computed).toBeGreaterThan(COUNT / 10);
    expect(refused).toBeGreaterThan(COUNT / 10);
    console.log(`margins fuzz: ${computed} computed, ${refused} refused, slowest ${slowest.toFixed(1)} ms of CPU`);
  }, 600_000); // a fixed count of requests: the work is bounded, the wall time under load is not (wide room)
});
