// The published schemas (schema/*.schema.json) against the engine, with an independent
// validator (ajv, draft 2020-12): the files are what `npm run schemas` generates; every
// README example and fixture the engine accepts validates, and so does what the engine
// prints for it; every mutation of them the engine refuses for a structural reason is
// refused by the schema too, and the schema never refuses what the engine accepts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { StereotaxError, formatPath, type Issue } from '../../src/core/errors.js';
import { loadEngine, type Engine } from '../../src/engine/engine.js';
import { computeTargeting, parseTargetingRequest } from '../../src/targeting/targeting.js';
import { computePlan, parsePlanRequest } from '../../src/plan/plan.js';
import { computeMargins, parseMarginsRequest } from '../../src/margins/margins.js';
import { parseUnitProfile } from '../../src/dicom/profile.js';
import { dicomTargetsWith } from '../../src/dicom/stereo-set.js';
import { DEMO_REQUEST } from '../../src/cli/demo-request.js';
import { SCHEMA_NAMES, publishedSchema, schemaFileText, type SchemaName } from '../../src/schemas/index.js';
import { baseSpec, makeSet } from '../helpers/stereo-set.js';

const root = new URL('../../', import.meta.url);
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
const validators = new Map<SchemaName, ReturnType<typeof ajv.compile>>();
const schemaAccepts = (name: SchemaName, doc: unknown) => {
  let v = validators.get(name);
  if (!v) validators.set(name, (v = ajv.compile(publishedSchema(name))));
  return { ok: v(doc) as boolean, errors: v.errors };
};

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

describe('[API-020] the committed files are what npm run schemas generates', () => {
  for (const name of SCHEMA_NAMES) {
    it(`schema/${name}.schema.json`, () => {
      expect(readFileSync(new URL(`schema/${name}.schema.json`, root), 'utf8')).toBe(schemaFileText(name));
      expect(schemaAccepts(name, {}).errors).not.toBeNull();
      expect(publishedSchema(name).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    });
  }

  it('npm run schemas writes exactly the committed files', () => {
    const out = mkdtempSync(join(tmpdir(), 'stereotax-schemas-'));
    execFileSync(process.execPath, ['scripts/schemas.mjs'], { cwd: fileURLToPath(root), env: { ...process.env, SCHEMA_OUT: out }, stdio: 'pipe' });
    expect(readdirSync(out).sort()).toEqual(SCHEMA_NAMES.map((n) => `${n}.schema.json`).sort());
    for (const name of SCHEMA_NAMES) {
      expect(readFileSync(join(out, `${name}.schema.json`), 'utf8')).toBe(readFileSync(new URL(`schema/${name}.schema.json`, root), 'utf8'));
    }
  });

  it('the package ships them', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    expect(pkg.files).toContain('schema');
    expect(pkg.scripts.schemas).toBe('node scripts/schemas.mjs');
  });
});

// ---------------------------------------------------------------- examples

type Domain = 'targeting' | 'plan' | 'margins' | 'profile';
const REQUEST_SCHEMA: Record<Domain, SchemaName> = { targeting: 'targeting-request', plan: 'plan-request', margins: 'margins-request', profile: 'unit-profile' };
const PARSE: Record<Domain, (r: unknown) => unknown> = {
  targeting: parseTargetingRequest, plan: parsePlanRequest, margins: parseMarginsRequest, profile: parseUnitProfile,
};

/** The README and the guide's pages (docs/guide/), whose examples the schemas must accept. */
const DOC_FILES = ['README.md', ...readdirSync(new URL('docs/guide/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/guide/${f}`)];

/** The JSON blocks of the README and the guide that parse as whole documents, with where they start. */
function readmeBlocks(): { where: string; doc: unknown }[] {
  const out: { where: string; doc: unknown }[] = [];
  for (const file of DOC_FILES) {
    const text = readFileSync(new URL(file, root), 'utf8');
    const re = /```json\n([\s\S]*?)```/g;
    for (let m; (m = re.exec(text)); ) {
      try {
        out.push({ where: `${file} line ${text.slice(0, m.index).split('\n').length}`, doc: JSON.parse(m[1]) });
      } catch {
        // Abbreviated results ("...") and fragments are not documents.
      }
    }
  }
  return out;
}

/** Which validator accepts the document, if any. */
function domainOf(doc: unknown): Domain | undefined {
  for (const d of ['targeting', 'margins', 'plan', 'profile'] as Domain[]) {
    try {
      PARSE[d](doc);
      return d;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const g = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };
const fixtures = JSON.parse(readFileSync(new URL('test/fixtures/targeting-cases.json', root), 'utf8')) as { cases: { request: unknown }[] };
const profile = { id: 'prone-table-2', rotationAxisHeight: -20, angleSign: 1, detector: { origin: { col: 1024, row: 0 }, colAxis: '+x', rowAxis: '+y' } };

/** Requests beyond the README: fixtures and one of each kind the README does not show. */
const EXTRA: [Domain, unknown][] = [
  ['targeting', DEMO_REQUEST],
  ['targeting', { id: 'px', geometry: g, thickness: '4.5 cm', views: [{ angle: '15 deg', col: 1000, row: 300, label: 'plus' }, { angle: -15, col: 1180, row: 300 }, { angle: 0, col: 1090, row: 300 }],
    detector: { pixelSpacing: [0.1, 0.1], origin: [1024, 0], colAxis: '-x', rowAxis: '+y' }, imageSigma: 0.1, maxRayGap: 2 }],
  ['targeting', { geometry: g, thickness: 16, views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }],
    needle: { approach: 'lateral', device: { name: '9G', gauge: 9, throw: 0, apertureLength: 12, tipLength: 5 }, lateral: { side: '+x', nearSkinX: 60, farSkinX: -60 }, minClearance: 0.5 } }],
  ['targeting', { id: 't', thickness: 45, imageSigma: 0.1, tomosynthesis: { slice: 21, col: 1100, row: 300, sliceSpacing: 1, firstSliceHeight: 0.5, sliceCount: 60, pixelSpacing: 0.1, origin: { col: 1024, row: 0 } },
    needle: { device: { throw: 0, apertureLength: 20, tipLength: 7 } } }],
  ['targeting', { thickness: 40, tomosynthesis: { slice: 2, col: 10, row: 20, firstSlice: 1, frames: [{ z: 1 }, { z: 2, pixelSpacing: { col: 0.1, row: 0.1 } }, { z: 3 }], pixelSpacing: 0.1, origin: [0, 0], colAxis: '-x', rowAxis: '-y', depthResolution: 2 } }],
  ['plan', { thickness: 40, target: { x: 5, y: 30, z: 10 }, needle: { device: { gauge: 14, throw: 22, apertureLength: 18, tipLength: 4 }, minVerticalThickness: 15, mitigations: false } }],
  ['plan', { geometry: g, thickness: 45, views: [{ angle: 15, u: -5.41, v: 32.36 }, { angle: -15, u: 15.98, v: 32.36 }], needle: { device: 'gun-14g-22' },
    postPlacement: { criterion: 8, orthogonal: { views: [{ projection: 'z', label: 'CC', target: [1, 2], device: [2, 3] }, { projection: 'x', label: 'ML', target: [2, 10], device: [3, 11] }] } } }],
  ['margins', { id: 'm', specimen: { shape: 'box', center: [0, 0, 0], size: [40, 30, 20] }, lesion: { shape: 'points', points: [[1, 2, 3], [2, 3, 4]], radius: 0.5 }, threshold: '1 mm' }],
  ['margins', { twoView: { specimenShape: 'box', views: [{ projection: 'z', specimen: { min: [-20, -15], max: [20, 15] }, lesion: { min: [-2, -2], max: [3, 3] } },
    { projection: 'x', specimen: { min: [-15, -10], max: [15, 10] }, calcifications: [[0, 0], [1, 1]] }] }, histology: 'invasive' }],
  ['profile', profile],
  ['profile', { ...profile, detector: { origin: [1024, 0], colAxis: '-x', rowAxis: '-y' }, angleSign: -1, sourceToDetector: '66 cm', sourceToSupport: 640, pixelSpacing: [0.1, 0.1], imageSigma: 0.1, maxRayGap: 1, consoleTolerance: 0.2,
    needle: { device: { throw: 0, apertureLength: 20, tipLength: 7 } } }],
];

function allExamples(): { where: string; domain: Domain; doc: unknown }[] {
  const fromReadme = readmeBlocks().flatMap(({ where, doc }) => {
    const domain = domainOf(doc);
    return domain ? [{ where, domain, doc }] : [];
  });
  const fromFixtures = fixtures.cases.map((c, i) => ({ where: `fixture ${i}`, domain: 'targeting' as Domain, doc: c.request }));
  return [...fromReadme, ...fromFixtures, ...EXTRA.map(([domain, doc], i) => ({ where: `example ${i} (${domain})`, domain, doc }))];
}

function compute(domain: Domain, doc: unknown): unknown {
  if (domain === 'targeting') return computeTargeting(engine, parseTargetingRequest(doc));
  if (domain === 'plan') return computePlan(engine, parsePlanRequest(doc));
  if (domain === 'margins') return computeMargins(engine, parseMarginsRequest(doc));
  return undefined;
}

describe('every example the engine accepts validates, and so does its result', () => {
  it('the README and the guide show requests of every kind, each accepted by the engine', () => {
    const kinds = new Set(readmeBlocks().map(({ doc }) => domainOf(doc)));
    for (const d of ['targeting', 'plan', 'margins', 'profile'] as Domain[]) expect(kinds).toContain(d);
  });

  it('[TGT-010] requests against the request schemas, results against the result schemas', () => {
    const examples = allExamples();
    expect(examples.length).toBeGreaterThan(20);
    for (const { where, domain, doc } of examples) {
      const r = schemaAccepts(REQUEST_SCHEMA[domain], doc);
      expect(r.ok, `${where}: ${JSON.stringify(r.errors)}`).toBe(true);
      const result = compute(domain, doc);
      if (result === undefined) continue;
      const name = `${domain}-result` as SchemaName;
      const rr = schemaAccepts(name, JSON.parse(JSON.stringify(result)));
      expect(rr.ok, `${where} result: ${JSON.stringify(rr.errors)}`).toBe(true);
    }
  });

  it('arrays of requests and of results with error elements in place', () => {
    const reqs = EXTRA.filter(([d]) => d === 'targeting').slice(0, 3).map(([, doc]) => doc);
    expect(schemaAccepts('targeting-request', reqs).ok).toBe(true);
    const results = [computeTargeting(engine, parseTargetingRequest(reqs[0])), { error: { code: 'invalid_type', message: 'x', path: 'views', expected: 'an array', received: '2' } }];
    expect(schemaAccepts('targeting-result', JSON.parse(JSON.stringify(results))).ok).toBe(true);
  });

  it('stereotax dicom output (results with a dicom block and error elements) validates as targeting results', () => {
    const spec = baseSpec();
    spec.points[1] = { ...spec.points[1], on: [0] };
    const set = makeSet(spec);
    const out = JSON.parse(JSON.stringify(dicomTargetsWith(engine, set.files, { ...set.profile, imageSigma: 0.1 })));
    expect(out.some((e: object) => 'error' in e)).toBe(true);
    const r = schemaAccepts('targeting-result', out);
    expect(r.ok, JSON.stringify(r.errors)).toBe(true);
  });

  it('a result with an unknown field, or a NaN serialised as null, is refused', () => {
    const result = JSON.parse(JSON.stringify(computeTargeting(engine, parseTargetingRequest(DEMO_REQUEST))));
    expect(schemaAccepts('targeting-result', { ...result, extra: 1 }).ok).toBe(false);
    expect(schemaAccepts('targeting-result', { ...result, target: { ...result.target, z: null } }).ok).toBe(false);
  });
});

describe('bad-input fixtures: refused by the engine and by the schema', () => {
  const bad = JSON.parse(readFileSync(new URL('test/fixtures/bad-requests.json', root), 'utf8')) as { cases: { schema: SchemaName; code: string; path: string; request: unknown }[] };
  const domainOfSchema = Object.fromEntries(Object.entries(REQUEST_SCHEMA).map(([d, n]) => [n, d as Domain]));
  for (const c of bad.cases) {
    it(`${c.schema}: ${c.code} at ${c.path || 'the request'}`, () => {
      const issues = engineIssues(domainOfSchema[c.schema], c.request);
      expect(issues?.[0]).toMatchObject({ code: c.code, path: c.path });
      expect(schemaAccepts(c.schema, c.request).ok).toBe(false);
    });
  }
});

// ---------------------------------------------------------------- drift by mutation

/** Rules a schema cannot express: the engine may refuse these where the schema accepts (each listed in the schema's description). */
const CROSS_FIELD: Record<Domain, RegExp[]> = {
  targeting: [
    /^invalid_geometry /, /^duplicate_value views\[\d+\]\.angle$/, /^invalid_unit /, /^not_finite /, /^degenerate_input /,
    /^out_of_range views\[\d+\]\.(col|row)$/, /^missing_field detector$/,
    /^out_of_range tomosynthesis\.(slice|depthResolution)$/, /^invalid_value tomosynthesis\.frames\[\d+\]\.z$/, /^missing_field tomosynthesis\.pixelSpacing$/,
    /^missing_field needle\.device\.outerDiameter$/, /^invalid_value needle\.lateral\.farSkinX$/,
  ],
  plan: [
    /^invalid_geometry /, /^duplicate_value /, /^invalid_unit /, /^not_finite /, /^degenerate_input /, /^unknown_reference /,
    /^out_of_range views\[\d+\]\.(col|row)$/, /^missing_field (detector|target|thickness)$/, /^missing_field needle\.device\.outerDiameter$/,
    /^out_of_range localization\.devices\[\d+\]\.position\[2\]$/, /^invalid_value localization\.(surgeryDate|placementDate|devices\[\d+\]\.assay\.date)$/,
    /^missing_field localization\.devices/, /^out_of_range catalog\.localizationDevices\[\d+\]\.assayRangeMBq\[1\]$/, /^invalid_value needle\.lateral\.farSkinX$/,
    /^missing_field catalog\.(bio|local)/,
  ],
  margins: [/^duplicate_value /, /^invalid_unit /, /^not_finite /, /^out_of_range twoView\.views\[\d\]\.(specimen|lesion)\.max\[\d\]$/, /^invalid_geometry /, /^(out_of_range|invalid_geometry) twoView\.(specimen|lesion)\./],
  profile: [/^invalid_unit /, /^not_finite /, /^missing_field profile\.needle\.device\.outerDiameter$/, /^invalid_value profile\.needle\.lateral\.farSkinX$/],
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type PathKey = (string | number)[];

function leaves(doc: Json, path: PathKey = []): { path: PathKey; value: Json }[] {
  const out = [{ path, value: doc }];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...leaves(v, [...path, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...leaves(v, [...path, k]));
  return out;
}

function setAt(doc: Json, path: PathKey, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  if (!path.length) return value as Json;
  let node = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** Every bound the schemas state, with the values just either side. */
function probeNumbers(): number[] {
  const bounds = new Set<number>();
  const walk = (s: unknown) => {
    if (Array.isArray(s)) s.forEach(walk);
    else if (s && typeof s === 'object') {
      for (const [k, v] of Object.entries(s)) {
        if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems'].includes(k) && typeof v === 'number') bounds.add(v);
        else walk(v);
      }
    }
  };
  for (const name of SCHEMA_NAMES) walk(publishedSchema(name));
  const out = new Set<number>([-1, 0.5, 1.5, 2, 1e7, -1e7]);
  for (const b of bounds) {
    const eps = Math.max(Math.abs(b) * 1e-9, 1e-9);
    out.add(b); out.add(b - eps); out.add(b + eps);
  }
  return [...out];
}

/** A mutation; unitAt: where it put a unit string, whose converted value only the engine holds to the range. */
function mutations(doc: Json): { what: string; doc: Json; unitAt?: string }[] {
  const nums = probeNumbers();
  const out: { what: string; doc: Json; unitAt?: string }[] = [];
  for (const { path, value } of leaves(doc)) {
    const at = JSON.stringify(path);
    if (path.length) out.push({ what: `delete ${at}`, doc: setAt(doc, path, undefined) });
    for (const other of [null, true, 'x', '4.5 cm', '15 deg', [], {}, 3] as Json[]) {
      if (JSON.stringify(other) !== JSON.stringify(value)) out.push({ what: `${at} = ${JSON.stringify(other)}`, doc: setAt(doc, path, other), unitAt: typeof other === 'string' ? formatPath(path) : undefined });
    }
    if (typeof value === 'number') for (const x of nums) out.push({ what: `${at} = ${x}`, doc: setAt(doc, path, x) });
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push({ what: `${at} + unknown`, doc: setAt(doc, [...path, 'zzUnknown'], 1) });
    if (Array.isArray(value) && value.length) out.push({ what: `${at} + one more`, doc: setAt(doc, [...path, value.length], structuredClone(value[value.length - 1])) });
  }
  return out;
}

function engineIssues(domain: Domain, doc: unknown): Issue[] | undefined {
  try {
    PARSE[domain](doc);
    return undefined;
  } catch (e) {
    if (!(e instanceof StereotaxError)) throw e;
    return [...e.issues];
  }
}

describe('[API-020] drift: schema and engine agree on every mutation of every example', () => {
  // One fixture stands for all of them: they share one shape.
  const seeds = () => allExamples().filter((e) => !/^fixture [1-9]/.test(e.where));

  for (const domain of ['targeting', 'plan', 'margins', 'profile'] as Domain[]) {
    it(`${domain}: accepted by the engine => accepted by the schema; refused for a structural reason => refused by the schema`, () => {
      const schema = REQUEST_SCHEMA[domain];
      let checked = 0;
      let structural = 0;
      const problems: string[] = [];
      for (const ex of seeds().filter((e) => e.domain === domain)) {
        for (const m of mutations(ex.doc as Json)) {
          const issues = engineIssues(domain, m.doc);
          const s = schemaAccepts(schema, m.doc);
          checked++;
          if (!issues) {
            if (!s.ok) problems.push(`${ex.where}, ${m.what}: the engine accepts, the schema refuses: ${ajv.errorsText(s.errors)}`);
          } else {
            const prefix = domain === 'profile' ? 'profile.' : '';
            const crossField = issues.every((i) => CROSS_FIELD[domain].some((re) => re.test(`${i.code} ${i.path}`))
              || (i.code === 'out_of_range' && m.unitAt !== undefined && i.path === prefix + m.unitAt));
            if (!crossField) {
              structural++;
              if (s.ok) problems.push(`${ex.where}, ${m.what}: the engine refuses (${issues.map((i) => `${i.code} ${i.path}`).join('; ')}), the schema accepts`);
            }
          }
        }
      }
      expect(problems.slice(0, 15).join('\n')).toBe('');
      expect(checked).toBeGreaterThan(200);
      expect(structural).toBeGreaterThan(50);
    });
  }
});

describe('the shipped research scenarios and the simulation schema agree', () => {
  const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`scenarios/${file}: accepted by the engine and by simulation-scenario.schema.json`, async () => {
      const { parseScenario } = await import('../../src/simulate/scenario.js');
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      expect(() => parseScenario(doc)).not.toThrow();
      const r = schemaAccepts('simulation-scenario', doc);
      expect(r.errors ?? []).toEqual([]);
      expect(r.ok).toBe(true);
    });
  }
});

describe('the QA guide\'s example and the QA schemas agree', () => {
  // The session on the guide's Phantom QA page (its second JSON block; the first is a phantom).
  const page = readFileSync(fileURLToPath(new URL('../../docs/guide/qa.md', import.meta.url)), 'utf8');
  const blocks = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));

  it('the session validates, computes, and its result validates', async () => {
    const { qaSession } = await import('../../src/qa/analysis.js');
    const session = blocks.find((b) => b.measurements);
    expect(session).toBeDefined();
    expect(schemaAccepts('qa-session', session).errors ?? []).toEqual([]);
    const result = JSON.parse(JSON.stringify(await qaSession(session)));
    const r = schemaAccepts('qa-result', result);
    expect(r.errors ?? []).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
