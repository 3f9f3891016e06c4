// Ultrasound clock face: against an independent reading of the convention (3 o'clock is
// lateral on the left breast, medial on the right), exact boundaries, and properties
// (round trip, left/right mirror) over integer-built positions.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotate, depthThird, hourOf, locate, mirrorHour, ultrasound } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const facts = readFileSync(new URL('../fixtures/domain-facts.md', import.meta.url), 'utf8');
const mm = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((i) => i / 1000);
const at = (breast: 'left' | 'right', x: number, z: number, extra: Record<string, unknown> = {}) =>
  annotate({ breast, position: { x, z }, subareolarRadius: 0, ...extra });

/** Independent: the hour whose centre line is nearest, by comparing against all twelve. */
function nearestHour(x: number, z: number): number[] {
  const d = Array.from({ length: 12 }, (_, k) => {
    const t = (k * Math.PI) / 6;
    return Math.hypot(x / Math.hypot(x, z) - Math.sin(t), z / Math.hypot(x, z) - Math.cos(t));
  });
  const best = Math.min(...d);
  return d.map((v, k) => (Math.abs(v - best) < 1e-9 ? (k === 0 ? 12 : k) : -1)).filter((k) => k > 0);
}

describe('[API-039] clock face', () => {
  it('seen facing the patient: 12 up, 3 toward the patient\'s left; lateral on the left breast, medial on the right', () => {
    expect(at('left', 0, 20).clock).toBe(12);
    expect(at('left', 20, 0)).toMatchObject({ clock: 3, side: 'lateral' });
    expect(at('right', 20, 0)).toMatchObject({ clock: 3, side: 'medial' });
    expect(at('left', -20, 0)).toMatchObject({ clock: 9, side: 'medial' });
    expect(at('right', -20, 0)).toMatchObject({ clock: 9, side: 'lateral' });
    expect(at('left', 0, -20).clock).toBe(6);
    expect(at('left', 10, 10 * Math.sqrt(3)).clock).toBe(1);
  });

  it('the domain facts say the same (3 o\'clock lateral on the left breast, medial on the right)', () => {
    expect(facts).toMatch(/3 o'clock is lateral on the left\s+breast and medial on the right/);
  });

  it('half hours go to the hour farther from 12, symmetric under mirroring', () => {
    expect(at('left', 10, 10).clock).toBe(2); // 45 degrees = 1:30
    expect(at('left', -10, 10).clock).toBe(10); // 10:30
    expect(at('left', 10, -10).clock).toBe(5); // 4:30 -> 5
    expect(at('left', -10, -10).clock).toBe(7); // 7:30 -> 7
    // just either side of 1:30
    expect(at('left', 10, 10.001).clock).toBe(1);
    expect(at('left', 10.001, 10).clock).toBe(2);
  });

  it('agrees with the nearest hour centre line (an independent reading)', () => {
    fc.assert(fc.property(mm(-150, 150), mm(-150, 150), (x, z) => {
      fc.pre(Math.hypot(x, z) > 0.01);
      const candidates = nearestHour(x, z);
      expect(candidates).toContain(at('left', x, z).clock);
    }), { numRuns: 2000 });
  });

  it('distance in cm from the nipple; subareolar within the given radius (at the radius included)', () => {
    expect(at('left', 30, 40).distanceCm).toBe(5);
    const sub = annotate({ breast: 'left', position: { x: 3, z: 4 }, subareolarRadius: 5 });
    expect(sub).toMatchObject({ region: 'subareolar', clock: null });
    expect(sub.codes.location?.code).toBe('129784002');
    expect(annotate({ breast: 'left', position: { x: 3, z: 4.001 }, subareolarRadius: 5 }).region).toBe('clock');
    expect(at('left', 0, 0).region).toBe('subareolar');
  });

  it('codes: laterality from CID 6023 and every hour from the domain facts list, in order', () => {
    const list = /1 to 12 o'clock in order: ([\d,\s]+);/.exec(facts)![1].split(',').map((s) => s.trim());
    expect(list).toHaveLength(12);
    for (let h = 1; h <= 12; h++) {
      const t = ((h % 12) * Math.PI) / 6;
      expect(at('right', 20 * Math.sin(t), 20 * Math.cos(t)).codes.location?.code).toBe(list[h - 1]);
    }
    expect(facts).toContain('left 80248007, right 73056007');
    expect(at('left', 1, 1).codes.laterality?.code).toBe('80248007');
    expect(at('right', 1, 1).codes.laterality?.code).toBe('73056007');
  });
});

describe('depth thirds', () => {
  it('exactly on a boundary goes to the deeper third', () => {
    expect(depthThird(9.999, 30)).toBe('anterior');
    expect(depthThird(10, 30)).toBe('middle');
    expect(depthThird(19.999, 30)).toBe('middle');
    expect(depthThird(20, 30)).toBe('posterior');
    expect(depthThird(0, 30)).toBe('anterior');
    expect(depthThird(30, 30)).toBe('posterior');
    expect(at('left', 10, 0, { depth: 10, chestWallDepth: 30 }).codes.depth?.code).toBe('C25569');
  });
});

describe('properties', () => {
  const hour = fc.integer({ min: 1, max: 12 });
  const cm = fc.integer({ min: 1, max: 150 }).map((i) => i / 10);
  const breast = fc.constantFrom('left' as const, 'right' as const);

  it('round trip: clock and distance -> position -> the same clock and distance', () => {
    fc.assert(fc.property(breast, hour, cm, (b, h, d) => {
      const p = locate({ breast: b, clock: h, distanceCm: d });
      const a = at(b, p.position.x, p.position.z);
      expect(a.clock).toBe(h);
      expect(Math.abs(a.hourOffset!)).toBeLessThan(1e-9);
      expect(a.distanceCm).toBeCloseTo(d, 12);
    }));
  });

  it('round trip: position -> annotation -> position within the hour\'s width', () => {
    fc.assert(fc.property(breast, mm(-150, 150), mm(-150, 150), (b, x, z) => {
      fc.pre(Math.hypot(x, z) > 0.01);
      const a = at(b, x, z);
      const p = locate({ breast: b, clock: a.clock, distanceCm: a.distanceCm });
      expect(Math.hypot(p.position.x - x, p.position.z - z)).toBeLessThanOrEqual(p.maxAngularMiss + 1e-9);
      expect(Math.abs(a.hourOffset!)).toBeLessThanOrEqual(15);
    }), { numRuns: 1000 });
  });

  it('[API-039] left/right mirror: the mirrored position on the other breast reads the mirrored hour, same side and distance', () => {
    fc.assert(fc.property(mm(-150, 150), mm(-150, 150), (x, z) => {
      fc.pre(Math.hypot(x, z) > 0.01);
      const l = at('left', x, z), r = at('right', -x, z);
      expect(r.clock).toBe(mirrorHour(l.clock!));
      expect(r.side).toBe(l.side);
      expect(r.distanceCm).toBe(l.distanceCm);
    }), { numRuns: 2000 });
  });

  it('mirrorHour is an involution fixing 12 and 6', () => {
    for (let h = 1; h <= 12; h++) expect(mirrorHour(mirrorHour(h))).toBe(h);
    expect([12, 6, 3, 9, 1].map(mirrorHour)).toEqual([12, 6, 9, 3, 11]);
  });

  it('hourOf gives 1-12 and an angle in [0, 360)', () => {
    fc.assert(fc.property(mm(-100, 100), mm(-100, 100), (x, z) => {
      fc.pre(x !== 0 || z !== 0);
      const h = hourOf(x, z);
      expect(h.hour).toBeGreaterThanOrEqual(1);
      expect(h.hour).toBeLessThanOrEqual(12);
      expect(h.angle).toBeGreaterThanOrEqual(0);
      expect(h.angle).toBeLessThan(360);
    }));
  });
});

describe('requests and CLI', () => {
  it('annotate and locate through the request', () => {
    const a = ultrasound({ breast: 'left', position: { x: '2 cm', z: 0 }, depth: 15, chestWallDepth: 30 });
    expect('annotation' in a && a.annotation).toMatchObject({ clock: 3, side: 'lateral', distanceCm: 2, depthThird: 'middle', label: "Left breast, 3 o'clock, 2.0 cm from the nipple, middle third" });
    const b = ultrasound({ breast: 'right', clock: 9, distanceCm: 4, depthThird: 'posterior', chestWallDepth: 36 });
    expect('located' in b && b.located).toMatchObject({ position: { x: -40, z: 0 }, side: 'lateral', depthRange: [24, 36] });
  });

  it('bad input names the field', () => {
    const bad: [unknown, string][] = [
      [{ breast: 'middle', position: { x: 1, z: 1 } }, 'breast'],
      [{ breast: 'left' }, 'position'],
      [{ breast: 'left', position: { x: 1, z: 1 }, clock: 3 }, 'clock'],
      [{ breast: 'left', clock: 13, distanceCm: 2 }, 'clock'],
      [{ breast: 'left', clock: 0, distanceCm: 2 }, 'clock'],
      [{ breast: 'left', clock: 3 }, 'distanceCm'],
      [{ breast: 'left', clock: 3, distanceCm: -1 }, 'distanceCm'],
      [{ breast: 'left', position: { x: 1, z: 1 }, depth: 40, chestWallDepth: 30 }, 'depth'],
      [{ breast: 'left', position: { x: 1, z: 1 }, depth: 10 }, 'chestWallDepth'],
      [{ breast: 'left', position: { x: 'NaN', z: 1 } }, 'position.x'],
      [{ breast: 'left', position: { x: 1, z: 1 }, transducerOrientation: 'sideways' }, 'transducerOrientation'],
    ];
    for (const [q, path] of bad) {
      refusedWith(() => ultrasound(q), undefined, path, JSON.stringify(q));
    }
  });

  it('CLI: JSON and text, exit 2 with the field named', async () => {
    const ok = await runCli(['ultrasound', '-'], JSON.stringify({ breast: 'right', position: { x: 10, z: 10 } }));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).annotation.clock).toBe(2);
    const text = await runCli(['ultrasound', '-', '--text'], JSON.stringify({ breast: 'right', clock: 2, distanceCm: 3 }));
    expect(text.out).toContain('uncertainty');
    const bad = await runCli(['ultrasound', '-'], JSON.stringify({ breast: 'right', clock: 14, distanceCm: 3 }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('clock');
  });
});
