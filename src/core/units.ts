/**
 * Lengths are millimetres and angles degrees everywhere. A field may also be a
 * string with its unit ("4.5 cm", "15 deg", "0.26 rad"). mm, cm, m, deg and rad (and
 * their names) are read here exactly as mathjs reads them, bit for bit; any other unit
 * ("1 in", "30 arcmin") loads mathjs on first use (mathjs-host.ts), so a start-up never
 * pays for it. A value already in mm or deg is taken as written, with no round trip through SI.
 */
import { loadMathjs, MATHJS_HINT } from './mathjs-host.js';

import type { MathjsUnits } from './mathjs-units.js';

export type { MathjsUnits };

export type Quantity = 'length' | 'angle';

/** What the unit reader calls on a mathjs instance. */
interface MathUnits {
  unit(value: number, unit: string): { equalBase(other: unknown): boolean; toNumber(unit: string): number };
}
let mathInstance: MathUnits | undefined;
let given: MathjsUnits | undefined;
/** mathjs with its units only, created the first time a unit string needs it; undefined when absent. */
function math(): MathUnits | undefined {
  if (!mathInstance) {
    const m = given ?? loadMathjs();
    if (!m) return undefined;
    mathInstance = m.create({ unitDependencies: m.unitDependencies }) as MathUnits;
  }
  return mathInstance;
}

/**
 * Hands mathjs to the unit reader, for units beyond mm, cm, m, deg and rad ("1 in",
 * "30 arcmin"): `import * as mathjs from 'mathjs'; useMathjsUnits(mathjs)`. Needed in a
 * browser; in Node an installed mathjs is found on its own.
 */
export function useMathjsUnits(mathjs: MathjsUnits): void {
  if (typeof mathjs?.create !== 'function' || mathjs.unitDependencies === undefined) {
    throw new TypeError('useMathjsUnits: expected the mathjs module (an object with create and unitDependencies)');
  }
  given = mathjs;
  mathInstance = undefined;
}

/** True once mathjs has been loaded (tests check that the common units never load it). */
export function mathjsLoaded(): boolean {
  return mathInstance !== undefined;
}
const CANONICAL: Record<Quantity, string> = { length: 'mm', angle: 'deg' };
const SAME: Record<Quantity, ReadonlySet<string>> = {
  length: new Set(['mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres']),
  angle: new Set(['deg', 'degree', 'degrees', '°']),
};
const NUMBER = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

/** needs_mathjs: a unit only mathjs knows, and mathjs is not installed (or not handed in). */
export type UnitParse = { ok: true; value: number } | { ok: false; reason: 'no_unit' | 'bad_unit' | 'wrong_dimension' | 'needs_mathjs' };

/** What to do about needs_mathjs, for the error's `expected`. */
export const NEEDS_MATHJS = `for units other than mm, cm, m, deg and rad, ${MATHJS_HINT}`;

/** mathjs's value of one degree in radians; 1 cm is 0.01 m and 1 mm 0.001 m there. */
const DEG_IN_RAD = Math.PI / 180;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9;

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The common unit strings ("4.5 cm", "-15deg", "0.26 rad", "1e1 mm", spaces and tabs
 * around) read without a regular expression or mathjs, with mathjs's own arithmetic
 * (x * 0.01 / 0.001, x * 1 / (pi / 180)), so the value is bit for bit the one mathjs
 * gives. NaN when the string is not one of them (parseQuantity then asks mathjs).
 */
export function fastQuantity(text: string, quantity: Quantity): number {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let c = i < n ? text.charCodeAt(i) : -1;
  let negative = false;
  if (c === 43 || c === 45) {
    negative = c === 45;
    c = ++i < n ? text.charCodeAt(i) : -1;
  }
  // The digits as an integer m and a power of ten, for the exact conversion below.
  let digits = 0;
  let m = 0;
  let fraction = 0;
  while (isDigit(c)) {
    digits++;
    m = m * 10 + (c - 48);
    c = ++i < n ? text.charCodeAt(i) : -1;
  }
  if (c === 46) {
    c = ++i < n ? text.charCodeAt(i) : -1;
    while (isDigit(c)) {
      digits++;
      fraction++;
      m = m * 10 + (c - 48);
      c = ++i < n ? text.charCodeAt(i) : -1;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  let exponentDigits = 0;
  if (c === 101 || c === 69) {
    c = ++i < n ? text.charCodeAt(i) : -1;
    let exponentSign = 1;
    if (c === 43 || c === 45) {
      exponentSign = c === 45 ? -1 : 1;
      c = ++i < n ? text.charCodeAt(i) : -1;
    }
    if (!isDigit(c)) return NaN;
    while (isDigit(c)) {
      exponentDigits++;
      exponent = exponent * 10 + (c - 48);
      c = ++i < n ? text.charCodeAt(i) : -1;
    }
    exponent *= exponentSign;
  }
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let last = n;
  while (last > i && isSpace(text.charCodeAt(last - 1))) last--;
  const len = last - i;
  if (len !== 2 && len !== 3) return NaN;
  const u0 = text.charCodeAt(i), u1 = text.charCodeAt(i + 1), u2 = len === 3 ? text.charCodeAt(i + 2) : -1;
  let unit = 0;
  if (len === 2 && u1 === 109 && (u0 === 109 || u0 === 99)) unit = u0 === 109 ? 1 : 2; // mm, cm
  else if (len === 3 && u0 === 100 && u1 === 101 && u2 === 103) unit = 3; // deg
  else if (len === 3 && u0 === 114 && u1 === 97 && u2 === 100) unit = 4; // rad
  if (unit === 0 || (unit <= 2) !== (quantity === 'length')) return NaN;
  // At most 15 digits make an exact integer m, and 10^k for |k| <= 22 is an exact double, so
  // one multiplication or division rounds once: the double nearest the decimal, as
  // parseFloat gives (Clinger's fast path). Anything else is left to parseFloat.
  const k = exponent - fraction;
  const x = digits <= 15 && exponentDigits <= 3 && k >= -22 && k <= 22
    ? (negative ? -1 : 1) * (k < 0 ? m / POW10[-k] : m * POW10[k])
    : parseFloat(text); // the same digits as Number(text.slice(start, end)): the grammar is checked above
  return unit === 1 || unit === 3 ? x : unit === 2 ? (x * 0.01) / 0.001 : (x * 1) / DEG_IN_RAD;
}

/**
 * Units read exactly without mathjs, beyond fastQuantity's symbols: the names mathjs gives
 * the same units, and any whitespace \\s matches. The factor is mathjs's unit value times its
 * prefix value, and the conversion is mathjs's own arithmetic: (x * factor) / 0.001 to mm,
 * (x * factor) / (pi / 180) to degrees. ("metre" and "centimetre" are not here: mathjs refuses them.)
 */
const EXACT: Record<Quantity, ReadonlyMap<string, number>> = {
  length: new Map([['m', 1], ['meter', 1], ['meters', 1], ['cm', 0.01], ['centimeter', 0.01], ['centimeters', 0.01]]),
  angle: new Map([['rad', 1], ['radian', 1], ['radians', 1]]),
};
/** Units of the other dimension that mathjs knows (so it would say wrong_dimension, not bad_unit). */
const OTHER_DIMENSION: Record<Quantity, ReadonlySet<string>> = {
  length: new Set(['deg', 'degree', 'degrees', 'rad', 'radian', 'radians']),
  angle: new Set(['mm', 'millimeter', 'millimeters', 'm', 'meter', 'meters', 'cm', 'centimeter', 'centimeters']),
};
const TO_CANONICAL: Record<Quantity, number> = { length: 0.001, angle: DEG_IN_RAD };

/** Converts "4.5 cm" to 45 (mm), "15 deg" to 15; the result may be non-finite for huge values. */
export function parseQuantity(text: string, quantity: Quantity): UnitParse {
  const fast = fastQuantity(text, quantity);
  if (fast === fast) return { ok: true, value: fast };
  const m = NUMBER.exec(text);
  if (!m) return { ok: false, reason: 'bad_unit' };
  const unitText = m[2];
  if (unitText === '') return { ok: false, reason: 'no_unit' };
  if (SAME[quantity].has(unitText)) return { ok: true, value: Number(m[1]) };
  const factor = EXACT[quantity].get(unitText);
  if (factor !== undefined) return { ok: true, value: (Number(m[1]) * factor) / TO_CANONICAL[quantity] };
  if (OTHER_DIMENSION[quantity].has(unitText)) return { ok: false, reason: 'wrong_dimension' };
  return mathjsQuantity(text, quantity);
}

/** parseQuantity through mathjs alone (every unit it knows); loads mathjs. */
export function mathjsQuantity(text: string, quantity: Quantity): UnitParse {
  const m = NUMBER.exec(text);
  if (!m) return { ok: false, reason: 'bad_unit' };
  const unitText = m[2];
  if (unitText === '') return { ok: false, reason: 'no_unit' };
  if (SAME[quantity].has(unitText)) return { ok: true, value: Number(m[1]) };
  const mj = math();
  if (!mj) return { ok: false, reason: 'needs_mathjs' };
  let parsed;
  try {
    parsed = mj.unit(Number(m[1]), unitText);
  } catch {
    return { ok: false, reason: 'bad_unit' };
  }
  if (!parsed.equalBase(mj.unit(1, CANONICAL[quantity]))) return { ok: false, reason: 'wrong_dimension' };
  return { ok: true, value: parsed.toNumber(CANONICAL[quantity]) };
}

export const UNIT_EXAMPLE: Record<Quantity, string> = { length: '"4.5 cm"', angle: '"15 deg"' };
