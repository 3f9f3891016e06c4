// The request path (issue 7 items 5-8, issue 10 part 4): a streaming CLI with bounded
// input, nesting and stderr; --text free of terminal controls; non-JSON values and
// sparse arrays refused at validation for every command; the fast path equal to the
// complete check; the unit fast path bit for bit equal to mathjs.
import fc from 'fast-check';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { StereotaxError, loadEngine, marginsWith, parseQuantity, planWith, targetWith } from '../../src/index.js';
import { checkTargetingRequest, fastTargetingRequest, parseTargetingRequest } from '../../src/targeting/targeting.js';
import { fastQuantity, mathjsQuantity } from '../../src/core/units.js';
import { escapeControls } from '../../src/core/text.js';
import { parseJson, nestingTooDeep, MAX_JSON_DEPTH } from '../../src/core/validate.js';
import { MAX_STDERR_ERRORS, defaultMaxInputBytes, readInput, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/fake-io.js';
import { refProject } from '../reference/independent.js';

const engine = await loadEngine();
const G = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const req = (z = 20, extra: Record<string, unknown> = {}) => ({
  geometry: G, thickness: 45, views: [15, -15].map((angle) => ({ angle, ...refProject(G, angle, [4, 30, z]) })), ...extra,
});
const planReq = () => ({ thickness: 45, target: [4, 30, 20], needle: { device: 'vacuum-9g-20' } });
const marginsReq = () => ({ histology: 'invasive', specimen: { shape: 'sphere', center: [0, 0, 0], radius: 25 }, lesion: { shape: 'sphere', center: [0, 0, 0], radius: 5 } });

describe('[API-009] CLI: streaming, bounded input, nesting and stderr', () => {
  it('[API-010] an array is written element by element and parses as the same JSON as one document', async () => {
    const chunks: string[] = [];
    const batch = Array.from({ length: 3000 }, (_, i) => req(10 + (i % 30)));
    const io: Io = { stdout: (t) => void chunks.push(t), stderr: () => {}, readStdin: async () => JSON.stringify(batch), stderrIsTTY: false };
    expect(await main(['target', '-'], io)).toBe(0);
    expect(chunks.length).toBeGreaterThan(10); // pieces of about 64 KiB, never one string
    const whole = chunks.join('');
    const parsed = JSON.parse(whole);
    expect(parsed).toHaveLength(3000);
    expect(whole).toBe(JSON.stringify(parsed, null, 2) + '\n');
    expect(parsed[2999].target.z).toBeCloseTo(10 + (2999 % 30), 9);
  });

  it('a promise from stdout (a full pipe) is awaited before the next piece', async () => {
    let inFlight = 0, maxInFlight = 0, out = '';
    const io: Io = {
      stdout: async (t) => { inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); await new Promise((r) => setTimeout(r, 1)); out += t; inFlight--; },
      stderr: () => {}, readStdin: async () => JSON.stringify(Array.from({ length: 2000 }, () => req())), stderrIsTTY: false,
    };
    expect(await main(['target', '-'], io)).toBe(0);
    expect(maxInFlight).toBe(1);
    expect(JSON.parse(out)).toHaveLength(2000);
  });

  it('stderr names the first 20 refused elements, then counts the rest; every error stays in the output', async () => {
    const r = await runCli(['target', '-'], JSON.stringify(Array.from({ length: 50 }, (_, i) => i)));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toHaveLength(50);
    expect(r.err.split('\n').filter((l) => l.startsWith('stereotax target: ['))).toHaveLength(MAX_STDERR_ERRORS);
    expect(r.err).toContain('30 more of the 50 elements refused (50 in all)');
    const few = await runCli(['target', '-'], JSON.stringify(Array.from({ length: 20 }, (_, i) => i)));
    expect(few.err).not.toContain('more of the');
  });

  it('input over the cap is refused with exit 2 before parsing (flag, environment, file and stdin)', async () => {
    const text = JSON.stringify(req());
    const small = await runCli(['target', '-', '--max-input-mb', String((text.length - 1) / 1024 / 1024)], text);
    expect(small.code).toBe(2);
    expect(JSON.parse(small.out).error.code).toBe('input_too_large');
    expect(small.err).toContain('--max-input-mb');
    const exact = await runCli(['target', '-', '--max-input-mb', String(text.length / 1024 / 1024)], text);
    expect(exact.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-'));
    const file = join(dir, 'r.json');
    writeFileSync(file, text);
    await expect(readInput({} as Io, file, text.length - 1)).rejects.toMatchObject({ code: 'input_too_large' });
    await expect(readInput({} as Io, file, text.length)).resolves.toEqual(JSON.parse(text));
    for (const bad of ['0', '-1', 'abc', '', '1e9']) expect((await runCli(['target', '-', '--max-input-mb', bad], text)).code).toBe(2);
    expect(defaultMaxInputBytes({})).toBe(64 * 1024 * 1024);
    expect(defaultMaxInputBytes({ STEREOTAX_MAX_INPUT_MB: '2' })).toBe(2 * 1024 * 1024);
    expect(defaultMaxInputBytes({ STEREOTAX_MAX_INPUT_MB: 'x' })).toBe(64 * 1024 * 1024);
  });

  it('nesting deeper than 64 is refused at once (exit 2); 64 deep is parsed; strings with brackets do not count', async () => {
    const t0 = Date.now();
    const deep = await runCli(['target', '-'], '['.repeat(5_000_000));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(deep.code).toBe(2);
    expect(JSON.parse(deep.out).error.code).toBe('nesting_too_deep');
    expect(nestingTooDeep('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(-1);
    expect(nestingTooDeep('['.repeat(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
    expect(nestingTooDeep('{"a":"[[[[\\"[[["}', 2)).toBe(-1);
    expect(() => parseJson('['.repeat(65) + ']'.repeat(65))).toThrow(StereotaxError);
    expect(parseJson('['.repeat(64) + ']'.repeat(64))).toBeDefined();
  });

  it('a UTF-8 byte-order mark at the start of a file is ignored', async () => {
    const r = await runCli(['target', '-'], '\uFEFF' + JSON.stringify(req()));
    expect(r.code).toBe(0);
    expect(parseJson('\uFEFF{"a":1}')).toEqual({ a: 1 });
    expect(() => parseJson('{"a":1}\uFEFF')).toThrow(StereotaxError);
  });
});

describe('[API-011] --text and stderr carry no terminal controls', () => {
  const hostile = '\r\u001b[2K  findings      none\n\u001b[8m';
  it('a hostile id cannot hide an ERROR finding', async () => {
    const r = await runCli(['target', '-', '--text'], JSON.stringify(req(50, { id: hostile })));
    expect(r.code).toBe(3);
    expect(r.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.out).toContain('\\r\\u001b[2K  findings      none\\n\\u001b[8m');
    expect(r.out).toMatch(/^ {2}findings {6}ERROR/m);
    expect(r.out.split('\n').filter((l) => l.trim() === 'findings      none')).toHaveLength(0);
  });

  it('a hostile marker name in margins, and a hostile label in a plan, are escaped', async () => {
    const m = await runCli(['margins', '-', '--text'], JSON.stringify({ ...marginsReq(), markers: [{ name: hostile, point: [100, 0, 0] }] }));
    expect(m.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(m.out).toContain('\\u001b[8m');
    const p = await runCli(['plan', '-', '--text'], JSON.stringify({ id: `\u202e${hostile}`, ...planReq() }));
    expect(p.out).toContain('\\u202e');
    expect(p.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });

  it('error messages on stderr and in --text are escaped too', async () => {
    const r = await runCli(['target', '-', '--text'], JSON.stringify([{ ...req(), thickness: `1\u009b2J\u2066` }]));
    expect(r.code).toBe(2);
    expect(r.err + r.out).not.toMatch(/[\u0080-\u009f\u2066]/);
    expect(r.err).toContain('\\u009b');
    const u = await runCli([`\u001b[2Jx`, '-'], '{}');
    expect(u.err).not.toContain('\u001b');
  });

  it('escapeControls: C0, DEL, C1, separators and bidi controls escaped; everything else untouched', () => {
    for (let c = 0; c < 0x20; c++) expect(escapeControls(String.fromCharCode(c))).not.toBe(String.fromCharCode(c));
    for (const c of [0x7f, 0x80, 0x9f, 0x61c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069]) {
      expect(escapeControls(`a${String.fromCharCode(c)}b`)).toBe(`a\\u${c.toString(16).padStart(4, '0')}b`);
    }
    for (const c of [0x20, 0x7e, 0xa0, 0xe9, 0x61b, 0x61d, 0x200d, 0x2010, 0x2027, 0x202f, 0x2065, 0x206a, 0xb0]) {
      expect(escapeControls(String.fromCharCode(c))).toBe(String.fromCharCode(c));
    }
    expect(escapeControls('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
  });
});

/** Things that are not JSON data, each placed where a number, an object or an array belongs. */
class Mark { angle = 15; u = 0; v = 0; }
function hostileValues(): [string, unknown][] {
  const throwing = {};
  Object.defineProperty(throwing, 'angle', { enumerable: true, get() { throw new Error('boom'); } });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trap = new Proxy({ angle: 15, u: 0, v: 0 }, { ownKeys() { throw new Error('trap'); } });
  const protoTrap = new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });
  return [
    ['undefined', undefined], ['a function', () => 1], ['a symbol', Symbol('s')], ['a bigint', 10n],
    ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['a Date', new Date(0)], ['a class instance', new Mark()],
    ['a Map', new Map()], ['a throwing getter', throwing], ['a revoked proxy', revoked.proxy], ['a proxy whose ownKeys throws', trap],
    ['a proxy whose getPrototypeOf throws', protoTrap], ['a boxed number', Object(5)],
  ];
}

describe('[API-004] validation refuses non-JSON values and sparse arrays, for every command', () => {
  // eslint-disable-next-line no-sparse-arrays
  const holes = (n: number, at: number, fill: unknown) => { const a = Array.from({ length: n }, () => fill); delete a[at]; return a; };

  it('sparse arrays: a target, views, points, positions', () => {
    const t = refusal(() => planWith(engine, { ...planReq(), target: holes(3, 0, 1) }));
    expect(t).toMatchObject({ code: 'invalid_value', path: 'target[0]' });
    expect(t.received).toContain('hole');
    const v = refusal(() => targetWith(engine, { ...req(), views: holes(2, 0, req().views[1]) }));
    expect(v).toMatchObject({ code: 'invalid_value', path: 'views[0]' });
    const p = refusal(() => marginsWith(engine, { ...marginsReq(), lesion: { shape: 'points', points: holes(5, 2, [1, 2, 3]) } }));
    expect(p.issues.map((i) => i.path)).toContain('lesion.points[2]');
    const l = refusal(() => planWith(engine, { thickness: 45, localization: { placementDate: '2026-11-20', surgeryDate: '2026-11-23', devices: [{ device: 'magnetic-seed', position: holes(3, 1, 5) }] } }));
    expect(l.path).toBe('localization.devices[0].position[1]');
  });

  it('every non-JSON value, wherever it sits, is a StereotaxError naming the field (target, plan, margins)', () => {
    for (const [name, bad] of hostileValues()) {
      const sites: [string, () => unknown, string][] = [
        ['thickness', () => targetWith(engine, { ...req(), thickness: bad }), 'thickness'],
        ['a view', () => targetWith(engine, { ...req(), views: [bad, req().views[1]] }), 'views[0]'],
        ['the geometry', () => targetWith(engine, { ...req(), geometry: bad }), 'geometry'],
        ['the plan target', () => planWith(engine, { ...planReq(), target: bad }), 'target'],
        ['the needle', () => planWith(engine, { ...planReq(), needle: bad }), 'needle'],
        ['the specimen', () => marginsWith(engine, { ...marginsReq(), specimen: bad }), 'specimen'],
        ['a lesion radius', () => marginsWith(engine, { ...marginsReq(), lesion: { shape: 'sphere', center: [0, 0, 0], radius: bad } }), 'lesion.radius'],
      ];
      for (const [where, fn, path] of sites) {
        const e = refusal(fn);
        expect(e.issues.some((i) => i.path === path || i.path.startsWith(path)), `${name} as ${where}: ${e.message}`).toBe(true);
        expect(e.received, `${name} as ${where}`).toBeTypeOf('string');
      }
    }
  });

  it('what was received is named: a Date, a class instance, a function, a getter that threw, a hole', () => {
    expect(refusal(() => targetWith(engine, { ...req(), geometry: new Date(0) })).received).toBe('a Date');
    expect(refusal(() => targetWith(engine, { ...req(), views: [new Mark(), req().views[1]] })).received).toBe('an instance of Mark');
    expect(refusal(() => targetWith(engine, { ...req(), thickness: () => 45 })).received).toBe('a function');
    expect(refusal(() => targetWith(engine, { ...req(), thickness: 45n })).received).toBe('a bigint');
    const throwing = { ...req() };
    Object.defineProperty(throwing, 'thickness', { enumerable: true, get() { throw new Error('boom'); } });
    expect(refusal(() => targetWith(engine, throwing))).toMatchObject({ code: 'invalid_value', path: 'thickness', received: 'a field whose reading threw' });
    expect(refusal(() => targetWith(engine, Object.create(null, { x: { value: 1, enumerable: true } }))).code).toBe('unknown_field');
  });

  it('[API-005] a getter is read once: validation and computation see the same value', () => {
    let reads = 0;
    const r = { ...req() };
    Object.defineProperty(r, 'thickness', { enumerable: true, get() { reads++; return reads === 1 ? 45 : NaN; } });
    const out = targetWith(engine, r);
    expect(reads).toBe(1);
    expect(Number.isFinite(out.depthFromSkin)).toBe(true);
  });

  it('a missing field is reported once', () => {
    const e = refusal(() => targetWith(engine, { ...req(), geometry: { sourceToDetector: 660, sourceToSupport: 640 } }));
    expect(e.issues.filter((i) => i.path === 'geometry.rotationAxisHeight').map((i) => i.code)).toEqual(['missing_field']);
    const d = refusal(() => targetWith(engine, { ...req(), needle: { device: { throw: 0, apertureLength: 20 } } }));
    expect(d.issues.filter((i) => i.path === 'needle.device.tipLength')).toHaveLength(1);
    const top = refusal(() => targetWith(engine, { geometry: G, views: req().views }));
    expect(top.issues).toHaveLength(1);
  });
});

describe('the symmetric pair and unit strings', () => {
  it('[API-043, TGT-008] a symmetric pair given in radians keeps classic, equal to the pair in degrees within 1e-9 mm', () => {
    const deg = targetWith(engine, req());
    const rad = targetWith(engine, { ...req(), views: req().views.map((v) => ({ ...v, angle: `${(v.angle * Math.PI) / 180} rad` })) });
    expect(rad.marks[1].angle).not.toBe(-15);
    expect(rad.classic).toBeDefined();
    for (const k of ['x', 'y', 'z'] as const) expect(Math.abs(rad.classic![k] - deg.classic![k])).toBeLessThan(1e-9);
    const off = targetWith(engine, { ...req(), views: [req().views[0], { ...req().views[1], angle: -15 - 2e-9 }] });
    expect(off.classic).toBeUndefined();
    const at = targetWith(engine, { ...req(), views: [req().views[0], { ...req().views[1], angle: -15 - 5e-10 }] });
    expect(at.classic).toBeDefined();
  });

  it('[API-001] mm, cm, deg and rad strings are read without mathjs, bit for bit as mathjs reads them', () => {
    const units = ['mm', 'cm', 'deg', 'rad'] as const;
    fc.assert(fc.property(
      fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: -12, max: 6 }), fc.constantFrom(...units),
      fc.constantFrom('', ' ', '  ', '\t'), fc.boolean(),
      (m, e, unit, space, expForm) => {
        const x = m * 10 ** e;
        const text = `${space}${expForm ? `${m}e${e}` : String(x)}${space}${unit}${space}`;
        const q = unit === 'mm' || unit === 'cm' ? 'length' : 'angle';
        const fast = fastQuantity(text, q);
        const slow = mathjsQuantity(text, q);
        expect(slow.ok).toBe(true);
        expect(Object.is(fast, (slow as { value: number }).value)).toBe(true);
        expect(Number.isNaN(fastQuantity(text, q === 'length' ? 'angle' : 'length'))).toBe(true);
      }), { numRuns: 3000 });
  });

  it('the decimal is converted to the double Number() gives, bit for bit, for every digit count and exponent', () => {
    // Up to 15 digits and |power| <= 22 take the exact integer-times-power route; longer or
    // farther ones take parseFloat: both must give what JavaScript's own parser gives.
    const digitString = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
    fc.assert(fc.property(
      fc.constantFrom('', '+', '-'), digitString(0, 20), fc.boolean(), digitString(0, 20),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })), { nil: undefined }),
      (sign, whole, dot, frac, exp) => {
        if (whole.length + (dot ? frac.length : 0) === 0) return;
        const num = `${sign}${whole}${dot ? `.${frac}` : ''}${exp ? `${exp[0]}${exp[1]}${exp[2]}` : ''}`;
        const expected = Number(num.endsWith('.') ? num.slice(0, -1) : num.replace(/^([+-]?)\./, '$10.').replace(/\.([eE])/, '$1'));
        expect(Object.is(fastQuantity(`${num} mm`, 'length'), expected)).toBe(true);
        expect(Object.is(fastQuantity(`${num}deg`, 'angle'), expected)).toBe(true);
      }), { numRuns: 5000 });
    // Both sides of the exact route's limits: 15 and 16 digits, powers 22 and 23.
    for (const t of ['123456789012345', '1234567890123456', '9007199254740993', '1e22', '1e23', '1e-22', '1e-23', '4.35', '0.1', '-0', '-0.0e5']) {
      expect(Object.is(fastQuantity(`${t} mm`, 'length'), Number(t))).toBe(true);
    }
  });

  it('anything else goes to mathjs (or is refused) exactly as before', () => {
    for (const s of ['1 in', '2 inch', '15 degrees', '1 m', '0.5 turn', '4.5 centimeters', '1e3 um']) {
      expect(Number.isNaN(fastQuantity(s, 'length')) && Number.isNaN(fastQuantity(s, 'angle'))).toBe(true);
      for (const q of ['length', 'angle'] as const) expect(parseQuantity(s, q)).toEqual(mathjsQuantity(s, q));
    }
    for (const s of ['mm', '1 mmm', '1 m m', '+ 1 mm', '1e mm', '. mm', '1..2 mm', '0x10 mm', 'Infinity mm', '1\u00a0mm', '--1 mm', '1 MM', '1 Deg', '1e+ mm']) {
      expect(Number.isNaN(fastQuantity(s, 'length'))).toBe(true);
    }
    expect(fastQuantity('.5mm', 'length')).toBe(0.5);
    expect(fastQuantity('+5. cm', 'length')).toBe(mathjsQuantity('+5. cm', 'length').ok && 50.00000000000001 === 50.00000000000001 ? (5 * 0.01) / 0.001 : NaN);
    expect(fastQuantity('-1E-2deg', 'angle')).toBe(-0.01);
  });
});

describe('[API-044] the fast path equals the complete check', () => {
  const num = (i: number) => i / 1000;
  const unitString = (x: number, unit: 'mm' | 'cm' | 'deg') => (unit === 'cm' ? `${x / 10} cm` : `${x} ${unit}`);
  it('valid requests: the same input, field for field, with or without unit strings, needle, id, labels', () => {
    fc.assert(fc.property(
      fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -60_000, max: 60_000 }),
      fc.integer({ min: 5_000, max: 25_000 }), fc.boolean(), fc.boolean(), fc.boolean(),
      (u, v, y, a, strings, needle, extras) => {
        const r: Record<string, unknown> = {
          geometry: strings ? { sourceToDetector: '66 cm', sourceToSupport: '640mm', rotationAxisHeight: '-20 mm' } : G,
          thickness: strings ? unitString(45, 'mm') : 45,
          views: [
            { angle: strings ? unitString(num(a), 'deg') : num(a), u: num(u), v: num(y), ...(extras ? { label: 'a' } : {}) },
            { angle: -num(a), u: strings ? unitString(num(v), 'cm') : num(v), v: num(y) },
          ],
        };
        if (needle) r.needle = { device: { throw: 22, apertureLength: 18, tipLength: 4, ...(extras ? { gauge: 14, name: 'gun', outerDiameter: 2.1 } : {}) }, ...(extras ? { minStrokeMargin: 3, warnStrokeMargin: 2, approach: 'vertical', minClearance: 1 } : {}) };
        if (extras) Object.assign(r, { id: 'case', imageSigma: 0.1, maxRayGap: '2 mm' });
        const fast = fastTargetingRequest(r);
        expect(fast).toBeDefined();
        expect(fast).toStrictEqual(checkTargetingRequest(r));
      }), { numRuns: 300 });
  });

  it('an enumerable key on Object.prototype, there before the request or added by a getter during it, sends the request to the complete check', () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.id = 'inherited';
      proto.label = 'inherited';
      // The fast path steps aside: the complete check reads own keys only (Object.keys).
      expect(fastTargetingRequest(req())).toBeUndefined();
    } finally {
      delete proto.id;
      delete proto.label;
    }
    try {
      const r: Record<string, unknown> = { ...req() };
      const views = r.views;
      Object.defineProperty(r, 'views', { enumerable: true, get() { proto.imageSigma = 0.5; return views; } });
      expect(fastTargetingRequest(r)).toBeUndefined();
      delete proto.imageSigma;
      expect(fastTargetingRequest(req())).toBeDefined();
      // A view lacking v, after a view whose getter adds v to Object.prototype: refused
      // (the complete check says missing_field).
      const [w0, w1] = req().views as Record<string, unknown>[];
      const adding = { ...w0 };
      Object.defineProperty(adding, 'u', { enumerable: true, get() { proto.v = w1.v; return w0.u; } });
      expect(fastTargetingRequest({ ...req(), views: [adding, { angle: w1.angle, u: w1.u }] })).toBeUndefined();
      delete proto.v;
      // An inherited id there at the start, removed by a getter before anything else is scanned.
      proto.id = 'inherited';
      const removing: Record<string, unknown> = { ...req() };
      Object.defineProperty(removing, 'geometry', { enumerable: true, get() { delete proto.id; return G; } });
      expect(fastTargetingRequest(removing)).toBeUndefined();
    } finally {
      delete proto.imageSigma;
      delete proto.id;
      delete proto.v;
    }
  });

  it('anything the fast path does not take is decided by the complete check (same result or same refusal)', () => {
    const variants: unknown[] = [
      { ...req(), detector: { pixelSpacing: 0.1, origin: [0, 0] } }, { ...req(), thickness: '4.5 centimeters' }, { ...req(), thickness: 0 },
      { ...req(), thickness: 300 }, { ...req(), views: [req().views[0]] }, { ...req(), needle: { approach: 'lateral', device: { throw: 0, apertureLength: 20, tipLength: 7, outerDiameter: 3 }, lateral: { side: '+x' } } },
      { ...req(), needle: { device: { throw: 0, apertureLength: 20, tipLength: 7, gauge: 9.5 } } }, { ...req(), extra: 1 }, Object.create(null), [], null,
      { ...req(), id: 'x'.repeat(201) }, { ...req(), imageSigma: 10 }, { ...req(), imageSigma: 10.0001 }, { ...req(), maxRayGap: 0 },
    ];
    for (const r of variants) {
      const fast = fastTargetingRequest(r);
      let complete: unknown, err: unknown;
      try { complete = checkTargetingRequest(r); } catch (e) { err = e; }
      if (fast) expect(fast).toStrictEqual(complete);
      if (err) {
        expect(fast).toBeUndefined();
        expect(() => parseTargetingRequest(r)).toThrow(StereotaxError);
      }
    }
  });
});
