// The records requests' one definition (src/records/schema.ts), from outside:
// - the published schemas (schema/records-*-request.schema.json, read with ajv) accept every
//   request of the corpus the engine accepts, and refuse every one the engine refuses for a
//   reason a schema can state (a wrong type, an unknown or missing field, too few or many items);
// - for every numeric leaf of each kind's requests, the published minimum/maximum (or exclusive
//   bounds) are where the validator's range is: at each bound accepted or refused as declared,
//   one step beyond refused, and random values (integers mapped to mm) refused exactly when
//   outside (property, fast-check).
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publishedSchema, type SchemaName } from '../../src/schemas/index.js';
import { axillary } from '../../src/records/axillary.js';
import { mriGrid } from '../../src/records/mri-grid.js';
import { ultrasound } from '../../src/records/ultrasound.js';
import { runCli } from '../helpers/fake-io.js';
import { BASES, corpus, PARSERS, type Kind } from './refusal-corpus.js';
import { issuesOf } from '../helpers/refusal.js';

type Json = Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
const NAMES: Record<Kind, SchemaName[]> = {
  appropriateness: ['records-appropriateness-request'],
  axillary: ['records-axillary-request'],
  'mri-grid': ['records-mri-grid-request'],
  ultrasound: ['records-ultrasound-request'],
  record: ['records-report-request', 'records-coding-request'],
};
const KINDS = Object.keys(NAMES) as Kind[];
const validator = new Map<SchemaName, (doc: unknown) => boolean>();
const schemaAccepts = (name: SchemaName, doc: unknown): boolean => {
  let v = validator.get(name);
  if (!v) validator.set(name, (v = ajv.compile(publishedSchema(name)) as (doc: unknown) => boolean));
  return v(doc);
};

/** The engine's issues for a request ([] when accepted). */
function issues(kind: Kind, request: unknown): readonly { code: string; path: string; expected: string }[] {
  return issuesOf(() => PARSERS[kind](request));
}

/** Refusals a JSON Schema states by itself (the others are the engine's rules: units, references, rules between fields). */
const STRUCTURAL = (i: { code: string; expected: string }) =>
  ['unknown_field', 'invalid_type', 'too_few_items', 'too_many_items', 'forbidden_key'].includes(i.code) || (i.code === 'missing_field' && i.expected === 'a value');

describe('[API-020] the published records schemas agree with the engine', () => {
  for (const kind of KINDS) {
    it(`${kind}: every corpus request the engine accepts validates; every structural refusal is refused`, () => {
      let accepted = 0, structural = 0;
      for (const raw of corpus(kind)) {
        // As JSON carries it (NaN becomes null, undefined fields go): what a file would hold.
        if (raw === undefined) continue;
        const doc = JSON.parse(JSON.stringify(raw));
        const found = issues(kind, doc);
        for (const name of NAMES[kind]) {
          const ok = schemaAccepts(name, doc);
          if (!found.length) expect(ok, `${name} refuses what the engine accepts: ${JSON.stringify(doc)}`).toBe(true);
          else if (found.some(STRUCTURAL)) expect(ok, `${name} accepts ${JSON.stringify(doc)}, refused by the engine: ${JSON.stringify(found)}`).toBe(false);
        }
        if (!found.length) accepted++;
        else if (found.some(STRUCTURAL)) structural++;
      }
      expect(accepted).toBeGreaterThan(20);
      expect(structural).toBeGreaterThan(100);
    });
  }

  it('an array of requests validates as the CLI takes it; an empty array does not', () => {
    for (const kind of KINDS) for (const name of NAMES[kind]) {
      expect(schemaAccepts(name, BASES[kind])).toBe(true);
      expect(schemaAccepts(name, [])).toBe(false);
    }
  });
});

// ---------------------------------------------------------------- ranges

interface Leaf { path: (string | number)[]; integer: boolean; min?: number; max?: number; above?: number; below?: number }

/** Resolves `$ref` into the document's $defs. */
const deref = (doc: Json, s: Json): Json => (typeof s.$ref === 'string' ? deref(doc, (doc.$defs as Json)[s.$ref.replace('#/$defs/', '')] as Json) : s);

/** The branch of an anyOf/oneOf a value is meant for: the object branch that allows its keys, or the one of its type. */
function branch(doc: Json, s: Json, value: unknown): Json {
  const options = ((s.anyOf ?? s.oneOf) as Json[] | undefined)?.map((o) => deref(doc, o));
  if (!options) return s;
  const fits = options.find((o) => {
    if (typeof value === 'number') return o.type === 'number' || o.type === 'integer';
    if (typeof value === 'string') return o.type === 'string';
    if (Array.isArray(value)) return o.type === 'array';
    if (value && typeof value === 'object') return o.type === 'object' && Object.keys(value).every((k) => k in ((o.properties ?? {}) as Json));
    return false;
  });
  return fits ? branch(doc, fits, value) : s;
}

/** Every number in a request with a published range: where it is and what the schema says. */
function leaves(doc: Json, s: Json, value: unknown, path: (string | number)[] = []): Leaf[] {
  const here = branch(doc, deref(doc, s), value);
  if (typeof value === 'number') {
    const r: Leaf = { path, integer: here.type === 'integer' };
    for (const [k, to] of [['minimum', 'min'], ['maximum', 'max'], ['exclusiveMinimum', 'above'], ['exclusiveMaximum', 'below']] as const) {
      if (typeof here[k] === 'number') r[to] = here[k] as number;
    }
    return (r.min ?? r.max ?? r.above ?? r.below) === undefined ? [] : [r];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(doc, here.items as Json, v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (here.properties && (here.properties as Json)[k] ? leaves(doc, (here.properties as Json)[k] as Json, v, [...path, k]) : []));
  }
  return [];
}

function setAt(root: unknown, path: (string | number)[], v: unknown): unknown {
  const r = structuredClone(root) as Json;
  let o = r as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = v;
  return r;
}

const pathText = (p: (string | number)[]) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

/** Bases whose rules between fields do not also hold a leaf (depth up to chestWallDepth, say). */
const RANGE_BASES: Record<Kind, unknown[]> = {
  ...BASES,
  ultrasound: [
    { breast: 'left', position: { x: 20, z: 10 }, depth: 10, chestWallDepth: 300, subareolarRadius: 5 },
    { breast: 'right', clock: 3, distanceCm: 4, depthThird: 'middle', chestWallDepth: 30 },
  ],
};

describe('the published ranges are the validator\'s', () => {
  for (const kind of KINDS) {
    it(`${kind}: each bound as declared, one step beyond refused, random values refused exactly outside (property)`, () => {
      const doc = publishedSchema(NAMES[kind][0]);
      const root = (doc.anyOf as Json[])[0];
      let count = 0;
      for (const base of RANGE_BASES[kind]) {
        for (const leaf of leaves(doc, root, base)) {
          count++;
          const where = pathText(leaf.path);
          const refusedHere = (x: number) => issues(kind, setAt(base, leaf.path, x)).some((i) => i.path === where && i.code === 'out_of_range');
          const inside = (x: number) => !((leaf.min !== undefined && x < leaf.min) || (leaf.max !== undefined && x > leaf.max)
            || (leaf.above !== undefined && x <= leaf.above) || (leaf.below !== undefined && x >= leaf.below));
          const step = leaf.integer ? 1 : 1e-3;
          for (const bound of [leaf.min, leaf.max, leaf.above, leaf.below]) {
            if (bound === undefined) continue;
            for (const x of [bound, bound - step, bound + step]) expect(refusedHere(x), `${kind} ${where} = ${x}`).toBe(!inside(x));
          }
          const lo = leaf.min ?? leaf.above ?? -1e4, hi = leaf.max ?? leaf.below ?? 1e4;
          const span = Math.max(1, hi - lo);
          const scale = leaf.integer ? 1 : 1000;
          fc.assert(fc.property(fc.integer({ min: Math.floor((lo - span) * scale), max: Math.ceil((hi + span) * scale) }).map((i) => i / scale), (x) => {
            expect(refusedHere(x), `${kind} ${where} = ${x}`).toBe(!inside(x));
          }), { numRuns: 40 });
        }
      }
      expect(count).toBeGreaterThanOrEqual(kind === 'appropriateness' ? 1 : 5);
    });
  }
});

// ---------------------------------------------------------------- rules between fields

const refusedAt = (kind: Kind, request: unknown) => issues(kind, request).map((i) => `${i.code} ${i.path}`);

describe('the rules between fields, at their limits', () => {
  const [annotate, locate] = RANGE_BASES.ultrasound as Json[];
  const [mri] = BASES['mri-grid'] as Json[];
  const [ax] = BASES.axillary as Json[];
  const grid = mri.grid as Json;
  const block = grid.block as Json;

  it('ultrasound: depth up to chestWallDepth; depth and chestWallDepth together; not clock and region', () => {
    expect(refusedAt('ultrasound', { ...annotate, depth: 30, chestWallDepth: 30 })).toEqual([]);
    expect(refusedAt('ultrasound', { ...annotate, depth: 30.001, chestWallDepth: 30 })).toEqual(['out_of_range depth']);
    expect(refusedAt('ultrasound', { ...annotate, depth: undefined })).toEqual(['missing_field depth']);
    expect(refusedAt('ultrasound', { ...locate, region: 'subareolar' })).toEqual(['invalid_value clock']);
    expect(refusedAt('ultrasound', { ...locate, depthThird: undefined })).toEqual(['missing_field depthThird']);
  });

  it('mri-grid: the block\'s holes inside one square (exclusive), the other in-plane axis, the lesion off the fiducial\'s x', () => {
    const holes = (holePitch: number, squarePitch: number) => ({ ...mri, grid: { ...grid, squarePitch, block: { ...block, holePitch } } });
    expect(refusedAt('mri-grid', holes(5, 10.001))).toEqual([]);
    expect(refusedAt('mri-grid', holes(5, 10))).toEqual(['invalid_geometry grid.block.holePitch']);
    expect(refusedAt('mri-grid', { ...mri, grid: { ...grid, columnAxis: '+z' } })).toEqual(['invalid_value grid.columnAxis']);
    expect(refusedAt('mri-grid', { ...mri, lesion: [-60, 1, 1] })).toEqual(['degenerate_input lesion[0]']);
    expect(refusedAt('mri-grid', { ...mri, lesion: [-59.999, 1, 1] })).toEqual([]);
  });

  it('axillary: surgery on or after placement; an assay only for an I-125 seed; the clip retrieved when a node holds it', () => {
    const plan = ax.plan as Json;
    expect(refusedAt('axillary', { ...ax, plan: { ...plan, surgeryDate: '2026-01-02' } })).toEqual([]);
    expect(refusedAt('axillary', { ...ax, plan: { ...plan, surgeryDate: '2026-01-01', assay: undefined } })).toEqual(['invalid_value plan.surgeryDate']);
    expect(refusedAt('axillary', { ...ax, plan: { ...plan, device: 'magnetic-seed', guidance: 'ultrasound' } })).toEqual(['invalid_value plan.assay']);
    expect(refusedAt('axillary', { ...ax, reconcile: { ...(ax.reconcile as Json), clipRetrieved: false } })).toEqual(['invalid_value reconcile.clipRetrieved']);
    expect(refusedAt('axillary', { ...ax, reconcile: { ...(ax.reconcile as Json), specimenImaged: false } })).toEqual(['invalid_value reconcile.clipOnSpecimenImage']);
  });

  it('record: labels used once, a clock hour or a region, nothing else when no mammogram was done', () => {
    const [rec] = BASES.record as Json[];
    const lesions = rec.lesions as Json[];
    expect(refusedAt('record', { ...rec, lesions: [lesions[0], { ...lesions[1], label: 'A' }] })).toEqual(['duplicate_value lesions[1].label']);
    expect(refusedAt('record', { ...rec, lesions: [{ location: { clock: 3, region: 'central' } }] })).toEqual(['invalid_value lesions[0].location.region']);
    expect(refusedAt('record', { ...rec, postProcedureMammogram: { done: false, accurate: true } })).toEqual(['invalid_value postProcedureMammogram.accurate']);
    expect(refusedAt('record', { ...rec, incision: { made: false, lengthMm: 2 } })).toEqual(['invalid_value incision.lengthMm']);
  });
});

describe('the guide\'s records examples', () => {
  it('every JSON request in docs/guide/records.md is accepted by its command and validates', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../docs/guide/records.md', import.meta.url), 'utf8');
    let n = 0;
    for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
      let doc: unknown;
      try { doc = JSON.parse(m[1]); } catch { continue; }
      const kind = KINDS.find((k) => !issues(k, doc).length);
      expect(kind, m[1]).toBeDefined();
      for (const name of NAMES[kind!]) expect(schemaAccepts(name, doc), `${name}: ${m[1]}`).toBe(true);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(3);
  });
});

describe('the published records results describe what the engine prints', () => {
  const RESULT: Partial<Record<Kind, { name: SchemaName; command: string; compute: (request: unknown) => unknown }>> = {
    'mri-grid': { name: 'records-mri-grid-result', command: 'mri-grid', compute: mriGrid },
    ultrasound: { name: 'records-ultrasound-result', command: 'ultrasound', compute: ultrasound },
    axillary: { name: 'records-axillary-result', command: 'axillary', compute: axillary },
  };
  for (const [kind, r] of Object.entries(RESULT) as [Kind, NonNullable<(typeof RESULT)[Kind]>][]) {
    it(`${kind}: the result of every corpus request the engine accepts validates; so does a CLI array with an error element`, async () => {
      let n = 0;
      for (const raw of corpus(kind)) {
        if (raw === undefined || issues(kind, raw).length) continue;
        const printed = JSON.parse(JSON.stringify(r.compute(raw)));
        expect(schemaAccepts(r.name, printed), `${r.name}: ${JSON.stringify(printed)}`).toBe(true);
        n++;
      }
      expect(n).toBeGreaterThan(20);
      const cli = await runCli([r.command, '-'], JSON.stringify([BASES[kind][0], { nonsense: 1 }]));
      const out = JSON.parse(cli.out);
      expect(out[1].error.code).toBe('unknown_field');
      expect(schemaAccepts(r.name, out)).toBe(true);
      // and it is not a schema that accepts anything: a result missing its findings is refused
      const { findings: _, ...noFindings } = out[0];
      expect(schemaAccepts(r.name, noFindings)).toBe(false);
    });
  }
});
