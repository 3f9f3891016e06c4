// The exact unit reader (src/core/units.ts) against mathjs itself: every unit it reads
// without mathjs gives mathjs's value bit for bit (or mathjs's refusal, with the same
// reason), and reading them never loads mathjs. mathjs is the independent reference here.
import fc from 'fast-check';
import { create, unitDependencies } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { mathjsLoaded, parseQuantity, type Quantity } from '../../src/core/units.js';

const AS_WRITTEN_LENGTH = ['mm', 'millimeter', 'millimeters'];
const AS_WRITTEN_ANGLE = ['deg', 'degree', 'degrees'];
const mj = create({ unitDependencies });
/** What mathjs alone says: the number converted to mm or deg, or why not. */
function reference(value: number, unit: string, q: Quantity): { ok: true; value: number } | { ok: false; reason: string } {
  // A value already in mm or degrees is taken as written (no round trip through SI: units.ts).
  if ((q === 'length' ? AS_WRITTEN_LENGTH : AS_WRITTEN_ANGLE).includes(unit)) return { ok: true, value };
  let u;
  try {
    u = mj.unit(value, unit);
  } catch {
    return { ok: false, reason: 'bad_unit' };
  }
  const canonical = q === 'length' ? 'mm' : 'deg';
  if (!u.equalBase(mj.unit(1, canonical))) return { ok: false, reason: 'wrong_dimension' };
  return { ok: true, value: u.toNumber(canonical) };
}

const EXACT_UNITS = ['m', 'meter', 'meters', 'cm', 'centimeter', 'centimeters', 'mm', 'millimeter', 'millimeters',
  'rad', 'radian', 'radians', 'deg', 'degree', 'degrees'];

describe('unit strings read without mathjs', () => {
  it('agree with mathjs bit for bit, in both dimensions, and never load it', () => {
    // Runs first in this file: mathjs must not have been loaded by parseQuantity yet.
    fc.assert(fc.property(
      fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: -12, max: 6 }), fc.constantFrom(...EXACT_UNITS),
      fc.constantFrom('', ' ', '\t', '\u00a0', '\n'), fc.boolean(), fc.constantFrom<Quantity>('length', 'angle'),
      (mantissa, e, unit, space, expForm, q) => {
        const number = expForm ? `${mantissa}e${e}` : String(mantissa * 10 ** e);
        const text = `${space}${number}${space}${unit}${space}`;
        const got = parseQuantity(text, q);
        const want = reference(Number(number), unit, q);
        if (want.ok) {
          expect(got.ok).toBe(true);
          expect(Object.is((got as { value: number }).value, want.value)).toBe(true);
        } else expect(got).toEqual(want);
      }), { numRuns: 4000 });
    expect(mathjsLoaded()).toBe(false);
  });

  it('spot values: 4.5 cm, 0.045 m, 1 meter, 0.26 rad, -15 deg', () => {
    expect(parseQuantity('4.5 cm', 'length')).toEqual({ ok: true, value: 45 });
    expect(parseQuantity('0.045 m', 'length')).toEqual({ ok: true, value: 0.045 / 0.001 });
    expect(parseQuantity('1 meter', 'length')).toEqual({ ok: true, value: 1000 });
    expect(parseQuantity('-15 deg', 'angle')).toEqual({ ok: true, value: -15 });
    expect(parseQuantity('1 rad', 'angle')).toEqual({ ok: true, value: 180 / Math.PI });
    expect(parseQuantity('1 cm', 'angle')).toEqual({ ok: false, reason: 'wrong_dimension' });
    expect(parseQuantity('1 rad', 'length')).toEqual({ ok: false, reason: 'wrong_dimension' });
    expect(parseQuantity('15', 'angle')).toEqual({ ok: false, reason: 'no_unit' });
    expect(mathjsLoaded()).toBe(false);
  });

  it('any other unit loads mathjs on first use and gives its value', () => {
    for (const [text, q] of [['1 in', 'length'], ['2 inch', 'length'], ['1e3 um', 'length'], ['30 arcmin', 'angle'], ['0.5 turn', 'angle'], ['1 km', 'length']] as const) {
      const m = /^(\S+) (.+)$/.exec(text)!;
      expect(parseQuantity(text, q)).toEqual(reference(Number(m[1]), m[2], q));
    }
    expect(parseQuantity('1 in', 'angle')).toEqual({ ok: false, reason: 'wrong_dimension' });
    expect(parseQuantity('1 metre', 'length')).toEqual({ ok: false, reason: 'bad_unit' }); // mathjs refuses it
    expect(parseQuantity('1 furlongs', 'length')).toEqual({ ok: false, reason: 'bad_unit' });
    expect(mathjsLoaded()).toBe(true);
  });
});
