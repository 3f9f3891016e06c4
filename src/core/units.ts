/**
 * Lengths are millimetres and angles degrees everywhere. A field may also be a
 * string with its unit ("4.5 cm", "15 deg", "0.26 rad"), converted with mathjs.
 * A value already in mm or deg is taken as written, with no round trip through SI.
 */
import { create, unitDependencies } from 'mathjs';

export type Quantity = 'length' | 'angle';

const math = create({ unitDependencies });
const CANONICAL: Record<Quantity, string> = { length: 'mm', angle: 'deg' };
const SAME: Record<Quantity, ReadonlySet<string>> = {
  length: new Set(['mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres']),
  angle: new Set(['deg', 'degree', 'degrees', '°']),
};
const NUMBER = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

export type UnitParse = { ok: true; value: number } | { ok: false; reason: 'no_unit' | 'bad_unit' | 'wrong_dimension' };

/** Converts "4.5 cm" to 45 (mm), "15 deg" to 15; the result may be non-finite for huge values. */
export function parseQuantity(text: string, quantity: Quantity): UnitParse {
  const m = NUMBER.exec(text);
  if (!m) return { ok: false, reason: 'bad_unit' };
  const unitText = m[2];
  if (unitText === '') return { ok: false, reason: 'no_unit' };
  if (SAME[quantity].has(unitText)) return { ok: true, value: Number(m[1]) };
  let parsed;
  try {
    parsed = math.unit(Number(m[1]), unitText);
  } catch {
    return { ok: false, reason: 'bad_unit' };
  }
  if (!parsed.equalBase(math.unit(1, CANONICAL[quantity]))) return { ok: false, reason: 'wrong_dimension' };
  return { ok: true, value: parsed.toNumber(CANONICAL[quantity]) };
}

export const UNIT_EXAMPLE: Record<Quantity, string> = { length: '"4.5 cm"', angle: '"15 deg"' };
