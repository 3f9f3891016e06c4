// npm run schema-types: writes src/interchange.generated.ts, the TypeScript types of the
// interchange format, from the published schemas (schema/*.schema.json), so the types a vendor
// compiles against say exactly what the schemas say. test/package/schema-types.test.ts fails
// when the committed file differs from what this script generates.
//
// Covers the keywords the schemas use (src/core/schema-kit.ts): type, properties, required,
// additionalProperties, items, minItems = maxItems (a tuple), enum, const, anyOf, oneOf, $ref.
// Ranges and patterns have no TypeScript form: they are in the doc comments, and the engine checks them.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pascal = (s) => s.replace(/(^|[-_ ])([a-z0-9])/gi, (_, __, c) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** The exported name of each schema's root type, and the def it stands for when the root is "one or an array". */
const ROOTS = {
  'targeting-request': 'TargetingRequest',
  'targeting-result': 'TargetingResultDocument',
  'plan-request': 'PlanRequest',
  'plan-result': 'PlanResultDocument',
  'margins-request': 'MarginsRequest',
  'margins-result': 'MarginsResultDocument',
  'simulation-scenario': 'SimulationScenario',
  'simulation-summary': 'SimulationSummaryDocument',
  'qa-session': 'QASessionRequest',
  'qa-result': 'QAResultDocument',
  'unit-profile': 'UnitProfileRequest',
  'records-appropriateness-request': 'AppropriatenessRequestDocument',
  'records-axillary-request': 'AxillaryRequestDocument',
  'records-mri-grid-request': 'MriGridRequestDocument',
  'records-ultrasound-request': 'UltrasoundRequestDocument',
  'records-report-request': 'ReportRequestDocument',
  'records-coding-request': 'CodingRequestDocument',
  'records-mri-grid-result': 'MriGridResultDocument',
  'records-ultrasound-result': 'UltrasoundResultDocument',
  'records-axillary-result': 'AxillaryResultDocument',
};

const comment = (text, indent) => {
  if (!text) return '';
  const clean = String(text).replace(/\*\//g, '* /');
  return `${indent}/** ${clean} */\n`;
};

/** Range and pattern notes for a doc comment (the engine checks them; TypeScript cannot). */
function notes(s) {
  const parts = [];
  const walk = (x) => {
    if (x.minimum !== undefined) parts.push(`>= ${x.minimum}`);
    if (x.exclusiveMinimum !== undefined) parts.push(`> ${x.exclusiveMinimum}`);
    if (x.maximum !== undefined) parts.push(`<= ${x.maximum}`);
    if (x.exclusiveMaximum !== undefined) parts.push(`< ${x.exclusiveMaximum}`);
  };
  walk(s);
  for (const o of s.anyOf ?? []) walk(o);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

function typeOf(s, prefix, indent) {
  if (s === true || s === undefined) return 'unknown';
  if (s === false) return 'never';
  if (s.$ref) return prefix(s.$ref.replace('#/$defs/', ''));
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  // anyOf/oneOf of `required` lists only (one of these fields must be given) constrain the object
  // beside them; TypeScript keeps the fields optional and the engine holds the rule.
  const isConstraint = (o) => !['type', '$ref', 'enum', 'const', 'anyOf', 'oneOf', 'items'].some((k) => k in o);
  const options = [s.anyOf, s.oneOf].find((o) => o && !o.every(isConstraint));
  if (options) {
    const parts = [...new Set(options.map((o) => typeOf(o, prefix, indent)))];
    return parts.length === 1 ? parts[0] : parts.map((p) => (p.includes('\n') ? p : p)).join(' | ');
  }
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => typeOf({ ...s, type: t }, prefix, indent)).join(' | ');
  switch (types[0]) {
    case 'string': return 'string';
    case 'number': case 'integer': return 'number';
    case 'boolean': return 'boolean';
    case 'null': return 'null';
    case 'array': {
      const item = typeOf(s.items, prefix, indent);
      const wrapped = /[|&\n]/.test(item) ? `(${item})` : item;
      // readonly: a caller's `as const` data (and any mutable array) is assignable.
      if (s.minItems !== undefined && s.minItems === s.maxItems && s.minItems <= 16) return `readonly [${Array(s.minItems).fill(item).join(', ')}]`;
      return `readonly ${wrapped}[]`;
    }
    case 'object': return objectType(s, prefix, indent);
    default: return 'unknown';
  }
}

function objectType(s, prefix, indent) {
  const inner = indent + '  ';
  const required = new Set(s.required ?? []);
  let body = '';
  for (const [key, value] of Object.entries(s.properties ?? {})) {
    const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
    body += comment(value.description ? value.description + notes(value) : notes(value).trim(), inner);
    body += `${inner}${name}${required.has(key) ? '' : '?'}: ${typeOf(value, prefix, inner)};\n`;
  }
  const extra = s.additionalProperties;
  if (extra && extra !== false) body += `${inner}[key: string]: ${extra === true ? 'unknown' : typeOf(extra, prefix, inner)};\n`;
  if (!body) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n${body}${indent}}`;
}

/**
 * Defs that several schemas hold alike (targeting's geometry, view, needle, ... in plan too) are
 * written once, unprefixed: a def is shared when its JSON is the same in every schema holding it
 * and every def it refers to is shared too.
 */
function sharedDefs(docs) {
  // Groups of (name, identical JSON) held by two or more schemas; one such group per name is shared.
  const groups = new Map();
  for (const { base, doc } of docs) for (const [name, def] of Object.entries(doc.$defs ?? {})) {
    const key = `${name}\u0000${JSON.stringify(def)}`;
    const g = groups.get(key) ?? { name, def, bases: new Set() };
    g.bases.add(base);
    groups.set(key, g);
  }
  const multi = [...groups.values()].filter((g) => g.bases.size > 1);
  const perName = new Map();
  for (const g of multi) perName.set(g.name, (perName.get(g.name) ?? 0) + 1);
  let shared = multi.filter((g) => perName.get(g.name) === 1);
  // A shared def's refs must be shared too, and held by the same schemas.
  for (let changed = true; changed;) {
    changed = false;
    const byName = new Map(shared.map((g) => [g.name, g]));
    shared = shared.filter((g) => {
      const refs = [...JSON.stringify(g.def).matchAll(/"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]);
      const ok = refs.every((r) => byName.has(r) && [...g.bases].every((b) => byName.get(r).bases.has(b)));
      if (!ok) changed = true;
      return ok;
    });
  }
  const isShared = (base, name) => shared.some((g) => g.name === name && g.bases.has(base));
  return { shared, isShared };
}

export function generate(dir = 'schema') {
  let out = '// Generated by scripts/schema-types.mjs from schema/*.schema.json: do not edit.\n' +
    '// The interchange format as TypeScript types (lengths mm, angles degrees, or strings with a unit).\n' +
    '// Ranges, patterns and cross-field rules are not types: the engine checks them (see each schema).\n';
  const docs = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort()
    .map((file) => ({ file, base: file.replace('.schema.json', ''), doc: JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
  const { shared, isShared } = sharedDefs(docs);
  const sharedName = (def) => 'Shared' + pascal(def);
  out += '\n// ---- defs the schemas share ----\n';
  for (const g of [...shared].sort((a, b) => a.name.localeCompare(b.name))) {
    out += comment(g.def.description, '');
    out += `export type ${sharedName(g.name)} = ${typeOf(g.def, sharedName, '')};\n`;
  }
  for (const { file, base, doc } of docs) {
    const root = ROOTS[base];
    if (!root) throw new Error(`schema-types: no root type name for ${file} (add it to ROOTS)`);
    const name = (def) => (isShared(base, def) ? sharedName(def) : `${pascal(base)}_${pascal(def)}`);
    out += `\n// ---- ${file} ----\n`;
    for (const [def, schema] of Object.entries(doc.$defs ?? {})) {
      if (isShared(base, def)) continue;
      out += comment(schema.description, '');
      out += `export type ${name(def)} = ${typeOf(schema, name, '')};\n`;
    }
    // "One or an array" roots: the exported type is one element (an array is `T[]`).
    const oneOrMany = doc.anyOf?.length === 2 && doc.anyOf[0].$ref && doc.anyOf[1].type === 'array' && doc.anyOf[1].items?.$ref === doc.anyOf[0].$ref;
    const { $schema, $id, title, description, $defs, ...rootSchema } = doc;
    out += comment(`${title}: ${description}`, '');
    out += `export type ${root} = ${typeOf(oneOrMany ? doc.anyOf[0] : rootSchema, name, '')};\n`;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('src/interchange.generated.ts', generate());
  console.log('src/interchange.generated.ts');
}
