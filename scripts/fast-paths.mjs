// npm run fast-paths: writes src/targeting/fast-path.generated.ts, the targeting request's
// fast path, from its definition (src/targeting/request-schema.ts: StereoRequest and
// FAST_PATH). Ahead of time, as plain code: vendor consoles run under a Content-Security-
// Policy without 'unsafe-eval', so nothing is compiled at run time (no new Function, no eval).
//
// What it writes, in the style the hand-written fast path had: each object's keys scanned
// with for-in into a bit mask (an unknown key: step aside), each field read once into a
// local, typeof and range checks with the definition's bounds as literals, unit strings
// through fastQuantity, defaults from the definition, the cross-field rules as calls of the
// predicates the definition's rules use, the input built by the same functions as the
// complete check's. Anything else returns undefined and the complete check decides.
// FAST_PATH_OUT: another directory (the test writes there and compares with src/targeting/).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const out = await build({
  entryPoints: ['src/targeting/request-schema.ts'], bundle: true, format: 'esm', platform: 'neutral', external: ['node:*'], write: false, logLevel: 'error',
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
const spec = mod.FAST_PATH;

const Kind = Symbol.for('TypeBox.Kind');
const OptionalKind = Symbol.for('TypeBox.Optional');
const QUANTITY = Symbol.for('stereotax.quantity');
const SELECT = Symbol.for('stereotax.select');
const ORDER = Symbol.for('stereotax.order');

const lit = (v) => JSON.stringify(v);
const fail = (what) => {
  throw new Error(`fast-paths: ${what}`);
};

/** The range test of a number schema, as code over `x` (false for NaN). */
function rangeTest(s, x) {
  const parts = [];
  if (typeof s.exclusiveMinimum === 'number') parts.push(`${x} > ${lit(s.exclusiveMinimum)}`);
  if (typeof s.minimum === 'number') parts.push(`${x} >= ${lit(s.minimum)}`);
  if (typeof s.exclusiveMaximum === 'number') parts.push(`${x} < ${lit(s.exclusiveMaximum)}`);
  if (typeof s.maximum === 'number') parts.push(`${x} <= ${lit(s.maximum)}`);
  // Without a bound on each side Infinity would pass: the complete check's not_finite.
  const low = parts.some((p) => p.includes('>')), high = parts.some((p) => p.includes('<'));
  if (!low || !high) fail(`a number without bounds on both sides (${JSON.stringify(s)})`);
  return parts.join(' && ');
}

const scans = [];
const scanned = new Set();

/** The key scan of an object: a bit per field the fast path reads, 0 past any other key. */
function keyScan(name, keys) {
  if (scanned.has(name)) return;
  scanned.add(name);
  if (keys.length > 30) fail(`${name}: too many fields for a bit mask`);
  const lines = [`function ${name}Keys(o: Plain): number {`, `  let seen = ${1 << keys.length};`, '  for (const k in o) {', '    switch (k) {'];
  keys.forEach((k, i) => lines.push(`      case ${lit(k)}: seen |= ${1 << i}; break;`));
  lines.push('      default: return UNKNOWN;', '    }', '  }', '  return seen;', '}');
  scans.push(lines.join('\n'));
}

/**
 * Statements that check object `src` against schema `s` (named `name` in FAST_PATH) and
 * leave the built value in local `result`; `prefix` names its fields' locals.
 */
function emitObject(s, name, src, prefix, result, ind) {
  if (s[Kind] !== 'Object') fail(`${name}: not an object`);
  const props = s.properties;
  const declared = Object.keys(props);
  const skip = spec.skip[name] ?? [];
  const keys = declared.filter((k) => !skip.includes(k));
  keyScan(name, keys);
  const local = (k) => `${prefix}${k}`;
  const L = [];
  const seen = `${prefix || name + '_'}seen`;
  L.push(`if (!isPlainObject(${src})) return undefined;`);
  L.push(`const ${seen} = ${name}Keys(${src});`);
  L.push(`if (${seen} === UNKNOWN) return undefined;`);
  keys.forEach((k, i) => L.push(`const ${local(k)}0 = ${seen} & ${1 << i} ? ${src}.${k} : undefined;`));
  const order = (s[ORDER] ?? declared).filter((k) => keys.includes(k));
  for (const k of order) L.push(...emitField(props[k], k, local(k), name));
  for (const rule of spec.rules[name] ?? []) {
    L.push(`if (!(${rule.replace(/\$(\w+)/g, (_, f) => local(f))})) return undefined;`);
  }
  const make = spec.build[name] ?? fail(`${name}: no build function`);
  L.push(`const ${result} = ${make}(${keys.map((k) => `${local(k)}${castOf(props[k])}`).join(', ')});`);
  return L.map((l) => ind + l);
}

/** The TypeScript type a checked local has (typeof checks on `unknown` do not narrow through the generated tests). */
function castOf(s) {
  const opt = s[OptionalKind] === 'Optional' && s.default === undefined ? ' | undefined' : '';
  if (s[QUANTITY]) return '';
  if (s.enum) return ` as ${s.enum.map(lit).join(' | ')}${opt}`;
  switch (s[Kind]) {
    case 'String': return ` as string${opt}`;
    case 'Number': case 'Integer': return ` as number${opt}`;
    default: return '';
  }
}

/** Statements that check one field (its raw value in `${loc}0`) and leave it in `loc`. */
function emitField(s, key, loc, owner) {
  const raw = `${loc}0`;
  const optional = s[OptionalKind] === 'Optional';
  const dflt = s.default;
  const L = [];
  const absent = (value) => (optional ? `${raw} === undefined ? ${value} : ` : '');
  // A field read as it is: its default when absent (an absent optional one stays undefined).
  const plain = () => (optional && dflt !== undefined ? `${raw} === undefined ? ${lit(dflt)} : ${raw}` : raw);
  const guard = (test) => (optional && dflt === undefined ? `${loc} !== undefined && !(${test})` : `!(${test})`);
  if (s[QUANTITY]) {
    const num = s.anyOf[0];
    L.push(`const ${loc} = ${absent(dflt === undefined ? 'undefined' : lit(dflt))}qty(${raw}, ${lit(s[QUANTITY])});`);
    L.push(`if (${guard(rangeTest(num, loc))}) return undefined;`);
    return L;
  }
  if (s.enum) {
    const allowed = spec.only[key] ?? s.enum;
    L.push(`const ${loc} = ${plain()};`);
    L.push(`if (${guard(allowed.map((v) => `${loc} === ${lit(v)}`).join(' || '))}) return undefined;`);
    return L;
  }
  switch (s[Kind]) {
    case 'String': {
      if (s.pattern !== undefined || s.minLength !== undefined) fail(`${key}: a string pattern or minLength`);
      L.push(`const ${loc} = ${plain()};`);
      L.push(`if (${guard(`typeof ${loc} === 'string' && ${loc}.length <= ${lit(s.maxLength ?? Infinity)}`)}) return undefined;`);
      return L;
    }
    case 'Number':
    case 'Integer': {
      const int = s[Kind] === 'Integer' ? ` && Number.isInteger(${loc})` : '';
      L.push(`const ${loc} = ${plain()};`);
      L.push(`if (${guard(`typeof ${loc} === 'number'${int} && ${rangeTest(s, loc)}`)}) return undefined;`);
      return L;
    }
    case 'Object': {
      if (dflt !== undefined) fail(`${key}: an object default`);
      const inner = emitObject(s, key, raw, `${key}_`, loc + (optional ? '1' : ''), '  ');
      if (!optional) return inner.map((l) => l.slice(2));
      L.push(`let ${loc}: ReturnType<typeof ${spec.build[key]}> | undefined;`);
      L.push(`if (${raw} !== undefined) {`, ...inner, `  ${loc} = ${loc}1;`, '}');
      return L;
    }
    case 'Array': {
      if (optional) fail(`${key}: an optional array`);
      const itemName = spec.items[key] ?? fail(`${key}: no item name`);
      let item = s.items;
      if (item[SELECT]) item = item.anyOf[spec.branch[key] ?? fail(`${key}: no branch`)];
      const min = s.minItems ?? 0, max = s.maxItems ?? fail(`${key}: no maxItems`);
      L.push(`if (!Array.isArray(${raw})) return undefined;`);
      L.push(`const ${key}_n = ${raw}.length;`);
      L.push(`if (${key}_n < ${min} || ${key}_n > ${max}) return undefined;`);
      L.push(`const ${loc}: ReturnType<typeof ${spec.build[itemName]}>[] = new Array(${key}_n);`);
      L.push(`for (let k = 0; k < ${key}_n; k++) {`);
      L.push(`  // A hole reads as undefined and is refused as no object.`);
      L.push(`  const ${itemName} = ${raw}[k];`);
      L.push(...emitObject(item, itemName, itemName, `${itemName}_`, `${itemName}_built`, '  '));
      L.push(`  ${loc}[k] = ${itemName}_built;`, '}');
      return L;
    }
  }
  return fail(`${owner}.${key}: no fast check for kind ${String(s[Kind])}`);
}

const body = emitObject(spec.root, spec.name, 'request', '', 'input', '  ');
const imports = Object.entries(spec.imports).map(([from, names]) => `import { ${names.join(', ')} } from ${lit(from)};`);

const text = `// GENERATED by scripts/fast-paths.mjs (npm run fast-paths) from src/targeting/request-schema.ts:
// edit the definition, never this file; test/targeting/fast-path-generated.test.ts fails when it is stale.
//
// The single-request fast path: the common targeting request (marks in mm, a vertical needle
// or none, numbers or mm/cm/deg/rad strings) read field by field with no path built, every
// check of the complete path in the same ranges. Anything else, valid or not, returns
// undefined and the complete check (request.ts) decides and names every issue; a property
// test holds the two equal.
/* eslint-disable */
import { fastQuantity, type Quantity } from '../core/units.js';
import type { Plain } from '../core/validate.js';
import type { TargetingInput } from './types.js';
${imports.join('\n')}

function isPlainObject(o: unknown): o is Plain {
  return o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype;
}

// A key from for-in is the object's own when Object.prototype, the prototype of every
// object taken here, has no enumerable key: fastTargetingRequest checks that before (a
// getter could remove an inherited key after a scan) and after (a getter could add one
// before a later scan).
const UNKNOWN = 0;

${scans.join('\n\n')}

/** True when Object.prototype has an enumerable key (for-in would then list inherited keys). */
function prototypeTouched(): boolean {
  for (const _key in Object.prototype) return true;
  return false;
}

/** A number or a common unit string as mm/deg; NaN for anything else. */
function qty(v: unknown, q: Quantity): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? fastQuantity(v, q) : NaN;
}

/**
 * The common request checked field by field with no path built; undefined for anything
 * else, valid or not, and for anything that throws while read. Its result equals the
 * complete check's.
 */
export function fastTargetingRequest(request: unknown): TargetingInput | undefined {
  if (prototypeTouched()) return undefined;
  let input: TargetingInput | undefined;
  try {
    input = fastRequest(request);
  } catch {
    return undefined;
  }
  // A getter may have added an enumerable key to Object.prototype while it ran.
  return input && !prototypeTouched() ? input : undefined;
}

function fastRequest(request: unknown): TargetingInput | undefined {
${body.join('\n')}
  return input;
}
`;

const dir = process.env.FAST_PATH_OUT ?? 'src/targeting';
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/fast-path.generated.ts`, text);
console.log(`${dir}/fast-path.generated.ts`);
