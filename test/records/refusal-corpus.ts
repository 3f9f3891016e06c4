/**
 * A corpus of records requests, valid and broken, for pinning what the validators say:
 * each base request of each kind, every field replaced by each of a set of wrong values
 * (or removed), an unknown field added to each object, and seeded random pairs and
 * triples of such changes (the order of several issues). The golden answers
 * (test/fixtures/records/refusals.json) were taken from the hand-written validators
 * before the requests were defined as schemas: the schema-driven parse must answer the same.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { StereotaxError } from '../../src/core/errors.js';
import { parseAppropriatenessQuery } from '../../src/records/appropriateness.js';
import { parseAxillaryRequest } from '../../src/records/axillary.js';
import { parseMriGridRequest } from '../../src/records/mri-grid.js';
import { parseProcedureRecord } from '../../src/records/record.js';
import { parseUltrasoundRequest } from '../../src/records/ultrasound.js';

export type Kind = 'appropriateness' | 'axillary' | 'mri-grid' | 'ultrasound' | 'record';

export const PARSERS: Record<Kind, (r: unknown) => unknown> = {
  appropriateness: parseAppropriatenessQuery,
  axillary: parseAxillaryRequest,
  'mri-grid': parseMriGridRequest,
  ultrasound: parseUltrasoundRequest,
  record: parseProcedureRecord,
};

const grid = {
  id: 'g1', name: 'Grid one', illustrative: false, squarePitch: 20, rows: 6, columns: 5, rowAxis: '-z', columnAxis: '+y', firstSquare: { y: 10, z: -10 },
  fiducialToSkin: 5, block: { holePitch: 5, holeRows: 3, holeColumns: 3, faceOffset: 25 }, needleStopOffset: 0, maxDepthSetting: 120, source: 'test',
};

export const BASES: Record<Kind, unknown[]> = {
  appropriateness: [{ variant: 4 }, { id: 'q', morphology: 'amorphous', distribution: 'regional' }, { morphology: 'punctate' }],
  axillary: [
    {
      id: 'ax', laterality: 'left',
      plan: { clip: [0, 0, 0], node: { center: [1, 1, 1], radius: 6 }, device: 'i125-seed', position: [3, 4, 0], depthFromSkin: 25, guidance: 'mri',
        placementDate: '2026-01-02', surgeryDate: '2026-01-09', assay: { activityMBq: 7, date: '2026-01-01' }, maxDistanceFromClip: 10 },
      reconcile: { clipRetrieved: true, devices: [{ device: 'magnetic-seed', retrieved: false }], sentinelNodes: [{ label: 'SLN1', containsClip: true, containsDevice: false }, {}],
        specimenImaged: true, clipOnSpecimenImage: true },
    },
    { laterality: 'right', plan: { clip: ['1 cm', 0, 0], device: 'magnetic-seed', position: [3, 4, 0], depthFromSkin: '2.5 cm' } },
    { laterality: 'right', reconcile: { clipRetrieved: false, devices: [], sentinelNodes: [], specimenImaged: false } },
  ],
  'mri-grid': [
    { id: 'm', breast: 'left', fiducial: [-60, 0, 0], lesion: [10, 20, -30], grid, device: 'magnetic-seed', lesionRadius: 5, targetOffset: 2 },
    { breast: 'right', fiducial: [60, 0, 0], lesion: ['1 cm', 0, 0], grid: 'illustrative-grid-20', device: 'gun-14g-22' },
  ],
  ultrasound: [
    { id: 'u', breast: 'left', position: { x: 20, z: 10 }, depth: 10, chestWallDepth: 30, subareolarRadius: 5, transducerOrientation: 'radial' },
    { breast: 'right', clock: 3, distanceCm: 4, depthThird: 'middle', chestWallDepth: 30 },
    { breast: 'left', region: 'subareolar', distanceCm: 0.5 },
  ],
  record: [
    {
      id: 'LOC-1', patient: { givenName: 'Jane', familyName: 'Example', id: 'MRN-1', birthDate: '1961-04-02' }, facility: { name: 'Centre', location: 'Room 3' },
      examDate: '2026-11-23', technologist: 'AB', physician: 'Dr R', timeOut: true, anaesthesia: { agent: 'lidocaine 1%', volumeMl: 5 }, incision: { made: true, lengthMm: 4 },
      lesions: [
        { label: 'A', site: 'breast', laterality: 'left', procedure: 'localization', guidance: 'stereotactic', description: 'calcifications', location: { clock: 2, distanceCm: 4, depthThird: 'middle', text: 'near clip' },
          approach: 'craniocaudal', device: 'hook-wire', deviceCount: 1, views: ['CC', 'ML'], transducerOrientation: 'radial' },
        { procedure: 'biopsy', guidance: 'ultrasound', location: { region: 'subareolar' } },
      ],
      postProcedureMammogram: { done: true, views: ['CC', 'ML'], accurate: true, deviceCount: 1, relation: 'wire tip lateral' },
      complications: [{ description: 'haematoma', treatment: 'pressure' }], specimenImaging: { done: true, separateReport: false, targetRemoved: true, deviceRemoved: true },
      targeting: { target: { x: 1, y: 2, z: 3 }, depthFromSkin: 20, rayGap: 0.1, needle: { strokeMargin: 3 }, findings: [{ code: 'c', severity: 'info', message: 'm' }] },
      plan: { needle: { strokeMargin: 2, approach: 'lateral' }, findings: [] },
      margins: { closestMargin: 1, closestName: 'superior', status: 'close', findings: [{ code: 'close', severity: 'warning', message: 'w' }] },
    },
    { lesions: [{}], anaesthesia: { none: true }, incision: { made: false }, postProcedureMammogram: { done: false } },
  ],
};

/** Replacement values tried at every place (undefined = the field removed). */
const WRONG: unknown[] = [undefined, null, 'x', '', true, false, 0, -1, 1, 1.5, 13, 101, 301, 1e9, -1e9, Number.NaN, Number.POSITIVE_INFINITY, [], [1, 2, 3], {}, { a: 1 },
  '5 cm', '5 deg', '2026-13-01', 'left', 'subareolar', 'a'.repeat(130)];

type Json = unknown;
type Place = (string | number)[];

function places(v: Json, at: Place = [], out: Place[] = []): Place[] {
  if (at.length) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => places(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) places((v as Record<string, Json>)[k], [...at, k], out);
  return out;
}

function objects(v: Json, at: Place = [], out: Place[] = []): Place[] {
  if (Array.isArray(v)) v.forEach((x, i) => objects(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') {
    out.push(at);
    for (const k of Object.keys(v)) objects((v as Record<string, Json>)[k], [...at, k], out);
  }
  return out;
}

const clone = (v: Json): Json => (v === undefined ? undefined : structuredClone(v));

function setAt(root: Json, at: Place, value: unknown): Json {
  if (!at.length) return value;
  const r = clone(root) as Record<string | number, unknown>;
  let o = r;
  for (const k of at.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') return r;
    o = o[k] as Record<string | number, unknown>;
  }
  const last = at[at.length - 1];
  if (value === undefined && !Array.isArray(o)) delete o[last];
  else o[last] = value;
  return r;
}

export function corpus(kind: Kind): Json[] {
  const out: Json[] = [];
  for (const base of BASES[kind]) {
    out.push(base);
    const ps = places(base);
    for (const p of ps) for (const w of WRONG) out.push(setAt(base, p, w));
    for (const o of objects(base)) out.push(setAt(base, [...o, 'extra'], 1));
    for (const w of [null, 'x', [], 7, { extra: 1 }]) out.push(w);
    // Seeded: the corpus is the same on every run.
    const changes = fc.sample(fc.array(fc.tuple(fc.nat(), fc.nat({ max: WRONG.length - 1 })), { minLength: 2, maxLength: 3 }), { seed: kind.length * 1000 + out.length, numRuns: 400 });
    for (const change of changes) {
      let doc: Json = base;
      for (const [where, what] of change) {
        const here = places(doc);
        if (!here.length) break;
        doc = setAt(doc, here[where % here.length], WRONG[what]);
      }
      out.push(doc);
    }
  }
  return out;
}

const hash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 12);

/**
 * What a parser answers: the issues (code and path in order, then a hash of their expected
 * texts) or a hash of the parsed value; `full` gives the expected texts themselves.
 */
export function answer(kind: Kind, request: Json, full = false): string {
  try {
    const parsed = PARSERS[kind](request);
    return 'ok ' + hash(JSON.stringify(parsed));
  } catch (e) {
    if (!(e instanceof StereotaxError)) return `threw ${String(e)}`;
    const expected = e.issues.map((i) => i.expected).join(' | ');
    return e.issues.map((i) => `${i.code} ${i.path}`).join(' | ') + ' # ' + (full ? expected : hash(expected));
  }
}
