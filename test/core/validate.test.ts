// src/core/validate.ts: the Checker that validates every request (objects, arrays, numbers, quantities, strings, booleans,
// enumerations), describeRange, isArray, guardParse, nestingTooDeep and parseJson.
// Each issue is compared whole (code, path, expected, received and, where the text is
// built by hand, message), each bound is tried exactly at it and just past it, and
// parseJson is fed strings with escapes and brackets, nesting at the limit and one past.
// (Written where a mutation run showed tests missing; the mutants judged equivalent follow.)
//
// Judged equivalent (no input can tell the mutant from the original):
// - 36:6, 37:6, 38:6, 39:6 ConditionalExpression "true" in inRange: `r.min !== undefined`
//   (and max/above/below) replaced by true leaves `x < undefined` (`>`, `<=`, `>=`), which
//   is false for every number, exactly what the guarded clause gives.
// - 136:17 and 141:15 BooleanLiteral (`!!this.add(...)` -> `this.add(...)`): add() always
//   returns undefined, so `ok` becomes undefined instead of false; `ok` is only ever read
//   as `ok ? out : undefined`, where both are falsy.
// - 247:19 EqualityOperator `i <= text.length` (outer loop of nestingTooDeep): the extra
//   pass at i === text.length reads charCodeAt(length) = NaN, which matches no branch.
// - 251:17 EqualityOperator `i <= text.length` (string-skipping loop): the extra pass reads
//   NaN (neither backslash nor quote), leaves i past the end, and the outer loop stops;
//   depth and the answer are unchanged.
import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { StereotaxError, makeIssue } from '../../src/core/errors.js';
import { Checker, MAX_JSON_DEPTH, describeRange, guardParse, isArray, nestingTooDeep, parseJson } from '../../src/core/validate.js';

type Seen = { code: string; path: string; expected: string; received: string; message: string };

/** Runs one checker on a fresh Checker: what it returns and every issue it recorded. */
function check<T>(fn: (c: Checker) => T): { out: T; issues: Seen[] } {
  const c = new Checker();
  const out = fn(c);
  return { out, issues: c.issues.map(({ code, path, expected, received, message }) => ({ code, path, expected, received, message })) };
}
/** The issue with the message makeIssue writes when none is given. */
const plain = (code: string, path: string, expected: string, received: string): Seen =>
  ({ code, path, expected, received, message: `${path || 'request'}: expected ${expected}, received ${received}` });

const THREW = 'a field whose reading threw';
const revoked = <T extends object>(target: T): T => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
/** JSON.parse's own message for text (it differs between engines). */
const jsonMessage = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
};

describe('describeRange', () => {
  it('no bound: "a finite number", with "in <unit>" only when there is a unit', () => {
    expect(describeRange({}, '')).toBe('a finite number');
    expect(describeRange({}, 'mm')).toBe('a finite number in mm');
  });
  it('each bound alone, with and without a unit', () => {
    expect(describeRange({ above: 0 }, 'mm')).toBe('> 0 mm');
    expect(describeRange({ min: 0 }, '')).toBe('>= 0');
    expect(describeRange({ min: -5 }, 'deg')).toBe('>= -5 deg');
    expect(describeRange({ below: 5 }, 'mm')).toBe('< 5 mm');
    expect(describeRange({ below: 5 }, '')).toBe('< 5');
    expect(describeRange({ max: 10 }, '')).toBe('<= 10');
  });
  it('all bounds, joined with "and" in the order >, >=, <, <=', () => {
    expect(describeRange({ max: 8, below: 9, min: 1, above: 0 }, 'mm')).toBe('> 0 and >= 1 and < 9 and <= 8 mm');
    expect(describeRange({ min: 0, max: 10 }, 'deg')).toBe('>= 0 and <= 10 deg');
  });
});

describe('Checker.number and integer', () => {
  it('inclusive bounds pass at the bound and fail just past it', () => {
    expect(check((c) => c.number(0, ['n'], { min: 0 }))).toEqual({ out: 0, issues: [] });
    expect(check((c) => c.number(10, ['n'], { max: 10 }))).toEqual({ out: 10, issues: [] });
    expect(check((c) => c.number(-0.5, ['n'], { min: 0 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'n', '>= 0', '-0.5')] });
    expect(check((c) => c.number(10.5, ['n'], { max: 10 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'n', '<= 10', '10.5')] });
  });
  it('exclusive bounds fail at the bound and pass just inside it', () => {
    expect(check((c) => c.number(0, ['n'], { above: 0 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'n', '> 0', '0')] });
    expect(check((c) => c.number(0.001, ['n'], { above: 0 }))).toEqual({ out: 0.001, issues: [] });
    expect(check((c) => c.number(5, ['n'], { below: 5 }, 'mm'))).toEqual({ out: undefined, issues: [plain('out_of_range', 'n', '< 5 mm', '5')] });
    expect(check((c) => c.number(4.999, ['n'], { below: 5 }, 'mm'))).toEqual({ out: 4.999, issues: [] });
  });
  it('any finite number passes with no range', () => {
    expect(check((c) => c.number(-1e300, ['n']))).toEqual({ out: -1e300, issues: [] });
  });
  it('a value that is not a number is invalid_type "a number" (or "a number in <unit>"), even a numeric string', () => {
    expect(check((c) => c.number('5', ['n']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'n', 'a number', '"5"')] });
    expect(check((c) => c.number('5', ['n'], {}, 'mm'))).toEqual({ out: undefined, issues: [plain('invalid_type', 'n', 'a number in mm', '"5"')] });
    expect(check((c) => c.number(null, ['a', 0]))).toEqual({ out: undefined, issues: [plain('invalid_type', 'a[0]', 'a number', 'null')] });
  });
  it('NaN and infinities are not_finite, with the range (or "a finite number") as expected', () => {
    expect(check((c) => c.number(NaN, ['n']))).toEqual({ out: undefined, issues: [plain('not_finite', 'n', 'a finite number', 'NaN')] });
    expect(check((c) => c.number(Infinity, ['n'], {}, 'deg'))).toEqual({ out: undefined, issues: [plain('not_finite', 'n', 'a finite number in deg', 'Infinity')] });
    expect(check((c) => c.number(-Infinity, ['n'], { min: 0 }))).toEqual({ out: undefined, issues: [plain('not_finite', 'n', '>= 0', '-Infinity')] });
  });
  it('integer: a fraction is invalid_value "a whole number"; a whole number in range passes', () => {
    expect(check((c) => c.integer(1.5, ['i']))).toEqual({ out: undefined, issues: [plain('invalid_value', 'i', 'a whole number', '1.5')] });
    expect(check((c) => c.integer(2, ['i'], { max: 2 }))).toEqual({ out: 2, issues: [] });
  });
  it('integer: a value refused as a number gets that one issue only, never "a whole number" too', () => {
    expect(check((c) => c.integer('x', ['i']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'i', 'a number', '"x"')] });
    expect(check((c) => c.integer(3, ['i'], { max: 2 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'i', '<= 2', '3')] });
  });
});

describe('Checker.length and angle', () => {
  it('lengths are in mm, angles in deg: the unit appears in the expected range', () => {
    expect(check((c) => c.angle(100, ['a'], { max: 90 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'a', '<= 90 deg', '100')] });
    expect(check((c) => c.length(-1, ['l'], { min: 0 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'l', '>= 0 mm', '-1')] });
    expect(check((c) => c.angle(Infinity, ['a']))).toEqual({ out: undefined, issues: [plain('not_finite', 'a', 'a finite number in deg', 'Infinity')] });
  });
  it('strings with units are converted; the original string is what is reported', () => {
    expect(check((c) => c.length('4.5 cm', ['l']))).toEqual({ out: 45, issues: [] });
    expect(check((c) => c.angle('15 deg', ['a'], { max: 15 }))).toEqual({ out: 15, issues: [] });
    expect(check((c) => c.angle('16 deg', ['a'], { max: 15 }))).toEqual({ out: undefined, issues: [plain('out_of_range', 'a', '<= 15 deg', '"16 deg"')] });
  });
  it('a unit of the wrong dimension: "a <quantity> unit"', () => {
    expect(check((c) => c.length('5 deg', ['l']))).toEqual({ out: undefined, issues: [plain('invalid_unit', 'l', 'a length unit', '"5 deg"')] });
    expect(check((c) => c.angle('5 mm', ['a']))).toEqual({ out: undefined, issues: [plain('invalid_unit', 'a', 'a angle unit', '"5 mm"')] });
  });
  it('no unit or an unknown unit: the full hint with an example', () => {
    expect(check((c) => c.length('5', ['l']))).toEqual({
      out: undefined, issues: [plain('invalid_unit', 'l', 'a number in mm or a string with a length unit such as "4.5 cm"', '"5"')],
    });
    expect(check((c) => c.angle('5 zorks', ['a']))).toEqual({
      out: undefined, issues: [plain('invalid_unit', 'a', 'a number in deg or a string with a angle unit such as "15 deg"', '"5 zorks"')],
    });
  });
  it('neither a number nor a string: invalid_type with the same hint', () => {
    expect(check((c) => c.angle(true, ['a']))).toEqual({
      out: undefined, issues: [plain('invalid_type', 'a', 'a number in deg or a string with a angle unit such as "15 deg"', 'true')],
    });
    expect(check((c) => c.length(null, ['l']))).toEqual({
      out: undefined, issues: [plain('invalid_type', 'l', 'a number in mm or a string with a length unit such as "4.5 cm"', 'null')],
    });
  });
});

describe('Checker.string, boolean, oneOf', () => {
  it('a string at the maximum length passes, one character more is out_of_range', () => {
    expect(check((c) => c.string('abc', ['s'], 3))).toEqual({ out: 'abc', issues: [] });
    expect(check((c) => c.string('abcd', ['s'], 3))).toEqual({ out: undefined, issues: [plain('out_of_range', 's', 'a string of at most 3 characters', '"abcd"')] });
  });
  it('the default maximum is 200 characters', () => {
    expect(check((c) => c.string('x'.repeat(200), ['s'])).issues).toEqual([]);
    const long = check((c) => c.string('x'.repeat(201), ['s']));
    expect(long.out).toBeUndefined();
    expect(long.issues).toEqual([plain('out_of_range', 's', 'a string of at most 200 characters', `"${'x'.repeat(57)}..."`)]);
  });
  it('a non-string is invalid_type "a string"', () => {
    expect(check((c) => c.string(5, ['s']))).toEqual({ out: undefined, issues: [plain('invalid_type', 's', 'a string', '5')] });
  });
  it('boolean: only true and false', () => {
    expect(check((c) => c.boolean(false, ['b']))).toEqual({ out: false, issues: [] });
    expect(check((c) => c.boolean('true', ['b']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'b', 'true or false', '"true"')] });
    expect(check((c) => c.boolean(1, ['b']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'b', 'true or false', '1')] });
  });
  it('oneOf: a listed string passes; another string is invalid_value, a non-string invalid_type', () => {
    expect(check((c) => c.oneOf('b', ['m'], ['a', 'b']))).toEqual({ out: 'b', issues: [] });
    expect(check((c) => c.oneOf('c', ['m'], ['a', 'b']))).toEqual({ out: undefined, issues: [plain('invalid_value', 'm', 'one of "a", "b"', '"c"')] });
    expect(check((c) => c.oneOf(1, ['m'], ['a', 'b']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'm', 'one of "a", "b"', '1')] });
  });
});

describe('Checker.object', () => {
  it('an array is invalid_type "an object"', () => {
    expect(check((c) => c.object([1], ['o'], ['a']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'o', 'an object', 'an array of 1')] });
    expect(check((c) => c.object([], [], []))).toEqual({ out: undefined, issues: [plain('invalid_type', '', 'an object', 'an array of 0')] });
  });
  it('an object that is not plain data is invalid_type "a plain object (JSON data)"; a null-prototype object is accepted', () => {
    class Foo { a = 1; }
    expect(check((c) => c.object(new Foo(), ['o'], ['a']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'o', 'a plain object (JSON data)', 'an instance of Foo')] });
    expect(check((c) => c.object(new Date(0), ['o'], []))).toEqual({ out: undefined, issues: [plain('invalid_type', 'o', 'a plain object (JSON data)', 'a Date')] });
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(check((c) => c.object(bare, ['o'], ['a']))).toEqual({ out: { a: 1 }, issues: [] });
  });
  it('a revoked proxy is invalid_value "an object whose fields can be read", no crash', () => {
    expect(check((c) => c.object(revoked({ a: 1 }), ['o'], ['a']))).toEqual({
      out: undefined, issues: [plain('invalid_value', 'o', 'an object whose fields can be read', THREW)],
    });
  });
  it('__proto__, constructor and prototype are forbidden keys, with their own message, and left out', () => {
    const r = check((c) => c.object(JSON.parse('{"a":1,"__proto__":{"x":1},"constructor":2}'), ['req'], ['a']));
    expect(r.issues).toEqual([
      { code: 'forbidden_key', path: 'req.__proto__', expected: 'no key named __proto__, constructor or prototype', received: '"__proto__"',
        message: 'req.__proto__: the key "__proto__" is not allowed' },
      { code: 'forbidden_key', path: 'req.constructor', expected: 'no key named __proto__, constructor or prototype', received: '"constructor"',
        message: 'req.constructor: the key "constructor" is not allowed' },
    ]);
    expect({ ...r.out }).toStrictEqual({ a: 1 });
    // The snapshot has no prototype: nothing inherited reads as a field.
    expect(Object.getPrototypeOf(r.out)).toBe(null);
    const top = check((c) => c.object(JSON.parse('{"prototype":0}'), [], []));
    expect(top.issues).toEqual([{ code: 'forbidden_key', path: 'prototype', expected: 'no key named __proto__, constructor or prototype',
      received: '"prototype"', message: 'prototype: the key "prototype" is not allowed' }]);
  });
  it('an unknown field lists the allowed ones, naming the enclosing object or "the request"', () => {
    const nested = check((c) => c.object({ a: 1, z: 2 }, ['req', 'sub'], ['a', 'b']));
    expect(nested.issues).toEqual([{ code: 'unknown_field', path: 'req.sub.z', expected: 'one of a, b', received: '"z"',
      message: 'req.sub.z: unknown field in req.sub; expected one of a, b' }]);
    const top = check((c) => c.object({ z: 2 }, [], ['a', 'b', 'c']));
    expect(top.issues).toEqual([{ code: 'unknown_field', path: 'z', expected: 'one of a, b, c', received: '"z"',
      message: 'z: unknown field in the request; expected one of a, b, c' }]);
  });
  it('a required field that is missing is reported once, with its own message', () => {
    expect(check((c) => c.object({ a: 1 }, ['o'], ['a', 'b'], ['a', 'b']))).toEqual({
      out: { a: 1 }, issues: [{ code: 'missing_field', path: 'o.b', expected: 'a value', received: 'nothing', message: 'o.b: required, missing' }],
    });
  });
  it('a getter that throws is invalid_value "a plain data value" at that field, and is not also reported missing', () => {
    const value = { a: 1, get b(): number { throw new Error('no'); } };
    expect(check((c) => c.object(value, ['o'], ['a', 'b'], ['a', 'b']))).toEqual({
      out: { a: 1 }, issues: [plain('invalid_value', 'o.b', 'a plain data value', THREW)],
    });
  });
  it('a getter that throws does not hide other missing required fields, whatever their names', () => {
    const value = { get b(): number { throw new Error('no'); } };
    const names = ['a', 'Stryker was here', 'x y'];
    const r = check((c) => c.object(value, ['o'], ['b', ...names], ['b', ...names]));
    expect(r.issues).toEqual([
      plain('invalid_value', 'o.b', 'a plain data value', THREW),
      { code: 'missing_field', path: 'o.a', expected: 'a value', received: 'nothing', message: 'o.a: required, missing' },
      { code: 'missing_field', path: 'o["Stryker was here"]', expected: 'a value', received: 'nothing', message: 'o["Stryker was here"]: required, missing' },
      { code: 'missing_field', path: 'o["x y"]', expected: 'a value', received: 'nothing', message: 'o["x y"]: required, missing' },
    ]);
  });
});

describe('Checker.array', () => {
  it('too few items: "at least 1 item" (singular) and "at least 2 items" (plural)', () => {
    expect(check((c) => c.array([], ['l'], 1))).toEqual({ out: undefined, issues: [plain('too_few_items', 'l', 'at least 1 item', 'an array of 0')] });
    expect(check((c) => c.array([1], ['l'], 2))).toEqual({ out: undefined, issues: [plain('too_few_items', 'l', 'at least 2 items', 'an array of 1')] });
    expect(check((c) => c.array([1, 2], ['l'], 2))).toEqual({ out: [1, 2], issues: [] });
  });
  it('too many items: "at most N items"', () => {
    expect(check((c) => c.array([1, 2, 3], ['l'], 0, 2))).toEqual({ out: undefined, issues: [plain('too_many_items', 'l', 'at most 2 items', 'an array of 3')] });
    expect(check((c) => c.array([1, 2], ['l'], 0, 2))).toEqual({ out: [1, 2], issues: [] });
  });
  it('a hole is invalid_value at its index and no array is handed on', () => {
    const holey: unknown[] = [1, 2, 3];
    delete holey[1];
    expect(check((c) => c.array(holey, ['l']))).toEqual({
      out: undefined, issues: [plain('invalid_value', 'l[1]', 'a value (JSON arrays have no holes)', 'a hole (an array element that is missing)')],
    });
  });
  it('an element whose reading throws is invalid_value at its index and no array is handed on', () => {
    const value = new Proxy([1, 2, 3], {
      get(t, k, r) {
        if (k === '1') throw new Error('no');
        return Reflect.get(t, k, r) as unknown;
      },
    });
    expect(check((c) => c.array(value, ['l']))).toEqual({ out: undefined, issues: [plain('invalid_value', 'l[1]', 'a plain data value', THREW)] });
  });
  it('a revoked proxy is invalid_value "an array whose elements can be read", no crash', () => {
    expect(check((c) => c.array(revoked([1]), ['l']))).toEqual({
      out: undefined, issues: [plain('invalid_value', 'l', 'an array whose elements can be read', THREW)],
    });
  });
  it('a non-array is invalid_type "an array"', () => {
    expect(check((c) => c.array({ 0: 1, length: 1 }, ['l']))).toEqual({ out: undefined, issues: [plain('invalid_type', 'l', 'an array', 'an object')] });
  });
});

describe('Checker.add and missing fields', () => {
  it('after missing_field, a later issue with nothing received at that path is dropped, but one with a value is kept', () => {
    const c = new Checker();
    c.add('missing_field', ['a'], 'a value', undefined);
    c.add('invalid_type', ['a'], 'a number', undefined);
    expect(c.issues.map((i) => [i.code, i.path, i.received])).toEqual([['missing_field', 'a', 'nothing']]);
    c.add('invalid_type', ['a'], 'a number', 'x');
    c.add('invalid_type', ['b'], 'a number', undefined);
    expect(c.issues.map((i) => [i.code, i.path, i.received])).toEqual([
      ['missing_field', 'a', 'nothing'], ['invalid_type', 'a', '"x"'], ['invalid_type', 'b', 'nothing'],
    ]);
  });
});

describe('isArray', () => {
  it('answers false for a revoked proxy instead of throwing', () => {
    expect(isArray(revoked([1, 2]))).toBe(false);
    expect(isArray([1])).toBe(true);
    expect(isArray({ length: 0 })).toBe(false);
  });
});

describe('guardParse', () => {
  const expected = 'JSON data (plain objects, arrays, strings, finite numbers, booleans, null)';
  const notJson = (detail: string) => ({
    code: 'invalid_value', path: '', expected, received: THREW, message: `the request is not JSON data: reading it threw (${detail})`,
  });
  const issues = (e: StereotaxError) => e.issues.map(({ code, path, expected, received, message }) => ({ code, path, expected, received, message }));

  it('returns what the parser returns', () => {
    expect(guardParse(() => ({ a: 1 }))).toEqual({ a: 1 });
  });
  it('passes a StereotaxError through unchanged', () => {
    const own = new StereotaxError([makeIssue('invalid_type', ['x'], 'a number', 'y')]);
    expect(refusal(() => guardParse(() => { throw own; }))).toBe(own);
  });
  it('turns any other error into one invalid_value issue for the whole request, with the error message', () => {
    const e = refusal(() => guardParse(() => { throw new TypeError('boom'); }));
    expect(issues(e)).toEqual([notJson('boom')]);
    expect(e.message).toBe('the request is not JSON data: reading it threw (boom)');
    expect(e.code).toBe('invalid_value');
  });
  it('a thrown non-Error is put into words as itself, null and undefined included', () => {
    expect(issues(refusal(() => guardParse(() => { throw 'plain text'; })))).toEqual([notJson('plain text')]);
    expect(issues(refusal(() => guardParse(() => { throw null; })))).toEqual([notJson('null')]);
    expect(issues(refusal(() => guardParse(() => { throw undefined; })))).toEqual([notJson('undefined')]);
  });
  it('the error message is cut to 100 characters', () => {
    const e = refusal(() => guardParse(() => { throw new Error('y'.repeat(150)); }));
    expect(issues(e)).toEqual([notJson('y'.repeat(100))]);
  });
});

describe('nestingTooDeep', () => {
  it('brackets after a string are still counted', () => {
    // { " k " : [ [  -> the second [ (index 6) is depth 3
    expect(nestingTooDeep('{"k":[[1]]}', 2)).toBe(6);
    expect(nestingTooDeep('["a",[[1]]]', 2)).toBe(6);
  });
  it('braces count like brackets', () => {
    expect(nestingTooDeep('{"a":{"b":{}}}', 2)).toBe(10);
    expect(nestingTooDeep('{"a":{"b":{}}}', 3)).toBe(-1);
  });
  it('characters between brackets change nothing; closing brackets and braces close', () => {
    expect(nestingTooDeep('[ [ [1]]]', 2)).toBe(4);
    expect(nestingTooDeep('[ [ [1]]]', 3)).toBe(-1);
    expect(nestingTooDeep('[[]] [[]]', 2)).toBe(-1);
    expect(nestingTooDeep('[[]] [[[]]]', 2)).toBe(7);
    expect(nestingTooDeep('{"a":{}} {"b":{}}', 2)).toBe(-1);
    expect(nestingTooDeep('{"a":{}},{"b":{"c":{}}}', 2)).toBe(19);
  });
  it('brackets inside strings, after escaped quotes and after escaped backslashes', () => {
    expect(nestingTooDeep('["a\\"[[[[", 1]', 1)).toBe(-1);
    // "\\" is a string holding one backslash; the brackets after it count.
    expect(nestingTooDeep('["\\\\", [[1]]]', 2)).toBe(8);
    expect(nestingTooDeep('["\\\\", [[1]]]', 3)).toBe(-1);
  });
});

describe('parseJson', () => {
  const issues = (e: StereotaxError) => e.issues.map(({ code, path, expected, received, message }) => ({ code, path, expected, received, message }));
  const tooDeep = (source: string, maxDepth: number, at: number) => ({
    code: 'nesting_too_deep', path: '', expected: `arrays and objects nested at most ${maxDepth} deep`, received: `deeper nesting at character ${at}`,
    message: `${source} nests arrays or objects more than ${maxDepth} deep (at character ${at}): no request is that deep`,
  });

  it('nesting exactly at the limit parses; one deeper is refused before parsing', () => {
    expect(parseJson('[[1]]', 'f.json', 2)).toEqual([[1]]);
    const e = refusal(() => parseJson('[[[1]]]', 'f.json', 2));
    expect(issues(e)).toEqual([tooDeep('f.json', 2, 2)]);
    expect(e.message).toBe('f.json nests arrays or objects more than 2 deep (at character 2): no request is that deep');
  });
  it('the default limit is MAX_JSON_DEPTH (64) and the default source "input"', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(parseJson('['.repeat(64) + ']'.repeat(64))).toEqual(JSON.parse('['.repeat(64) + ']'.repeat(64)));
    expect(issues(refusal(() => parseJson('['.repeat(65) + ']'.repeat(65))))).toEqual([tooDeep('input', 64, 64)]);
  });
  it('nesting too deep at the very first character is refused (maxDepth 0), also after a byte-order mark', () => {
    expect(issues(refusal(() => parseJson('[]', 'r', 0)))).toEqual([tooDeep('r', 0, 0)]);
    expect(issues(refusal(() => parseJson('\uFEFF{}', 'r', 0)))).toEqual([tooDeep('r', 0, 0)]);
    expect(parseJson('1', 'r', 0)).toBe(1);
  });
  it('brackets inside strings, escaped quotes and backslashes do not count', () => {
    expect(parseJson('["a\\"[[[[", 1]', 's', 1)).toEqual(['a"[[[[', 1]);
    expect(parseJson('{"k":"{{{{]]]]"}', 's', 1)).toEqual({ k: '{{{{]]]]' });
    expect(issues(refusal(() => parseJson('["\\\\", [[1]]]', 's', 2)))).toEqual([tooDeep('s', 2, 8)]);
    expect(issues(refusal(() => parseJson('{"k":[[1]]}', 's', 2)))).toEqual([tooDeep('s', 2, 6)]);
  });
  it('invalid JSON is invalid_json "well-formed JSON", naming the source', () => {
    const m = jsonMessage('');
    const e = refusal(() => parseJson('', 'req.json'));
    expect(issues(e)).toEqual([{ code: 'invalid_json', path: '', expected: 'well-formed JSON', received: JSON.stringify(`req.json: ${m}`), message: `req.json is not valid JSON: ${m}` }]);
    expect(e.message).toBe(`req.json is not valid JSON: ${m}`);
  });
  it('invalid JSON with the default source "input"', () => {
    const m = jsonMessage('[1,');
    expect(issues(refusal(() => parseJson('[1,')))).toEqual([{
      code: 'invalid_json', path: '', expected: 'well-formed JSON', received: JSON.stringify(`input: ${m}`), message: `input is not valid JSON: ${m}`,
    }]);
  });
});
