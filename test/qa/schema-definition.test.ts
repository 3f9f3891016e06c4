/**
 * The QA session is defined once (src/qa/schema.ts): the validator and the published
 * qa-session schema must say the same ranges, and each bound must be held as declared
 * (at the bound as declared, one step beyond refused), for random values too.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseSession } from '../../src/qa/session.js';
import { boundsHeld, publishedAsSpec, randomAgree, type Leaf } from '../helpers/published-range.js';
import { issuePaths } from '../helpers/refusal.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/qa-session.schema.json', import.meta.url), 'utf8'));
const session = schema.$defs.session.properties;
const phantomDef = schema.$defs.phantom.properties;

const base = () => ({
  unit: { id: 'Room 1' },
  date: '2026-01-05',
  phantom: { id: 'cube', thickness: 40, targets: [{ label: 'A', position: [0, 0, 10] }] },
  placement: { origin: [0, 0, 0] },
  measurements: [{ target: 'A', console: [0.1, 0, 10] }],
});
type Req = ReturnType<typeof base> & Record<string, unknown>;

const refusal = (req: unknown) => issuePaths(() => parseSession(req, { today: '2026-06-01' }));

/** The number branch of a published length (number or unit string). */
const numberOf = (s: { anyOf?: { type: string }[]; oneOf?: unknown[] }) => (s.anyOf ?? []).find((b) => b.type === 'number') as unknown as Record<string, number>;

// Each numeric leaf: how to set it, where the issue lands, its published range, and the spec's range (qa.md section 2).
const LEAVES: Leaf<Req>[] = [
  { key: 'tolerance', set: (r, v) => (r.tolerance = v), path: 'tolerance', published: numberOf(session.tolerance.oneOf[0]), spec: { exclusiveMinimum: 0, maximum: 100 } },
  { key: 'calculationTolerance', set: (r, v) => (r.calculationTolerance = { x: v, y: v, z: v }), path: 'calculationTolerance.x', published: numberOf(session.calculationTolerance.oneOf[1].properties.x), spec: { exclusiveMinimum: 0, maximum: 100 } },
  { key: 'markResolution', set: (r, v) => (r.markResolution = v), path: 'markResolution', published: numberOf(session.markResolution), spec: { minimum: 0, maximum: 2 } },
  { key: 'thickness', set: (r, v) => (r.thickness = v), path: 'thickness', published: numberOf(session.thickness), spec: { exclusiveMinimum: 0, maximum: 300 } },
  { key: 'phantom thickness', set: (r, v) => (r.phantom.thickness = v), path: 'phantom.thickness', published: numberOf(phantomDef.thickness), spec: { exclusiveMinimum: 0, maximum: 300 } },
  { key: 'placement origin', set: (r, v) => (r.placement.origin = [v, 0, 0]), path: 'placement.origin[0]', published: numberOf(schema.$defs.point.oneOf[0].items), spec: { minimum: -1000, maximum: 1000 } },
  { key: 'target position', set: (r, v) => (r.phantom.targets[0].position = [0, v, 10]), path: 'phantom.targets[0].position[1]', published: numberOf(phantomDef.targets.items.properties.position.items), spec: { minimum: -1000, maximum: 1000 } },
];


describe('the QA session, defined once', () => {
  it('publishes the ranges the spec gives', () => publishedAsSpec(LEAVES));
  it('holds every bound as published: at the bound as declared, one step beyond refused', () => boundsHeld(LEAVES, () => base() as Req, refusal));
  it('accepts a random value exactly when the published range does (property)', () => randomAgree(LEAVES, () => base() as Req, refusal, 1_200_000));

  it('keeps the old refusals: codes, paths and their order', () => {
    expect(refusal({ ...base(), tolerance: 0, action: 2, markResolution: 3 })).toEqual([{ code: 'out_of_range', path: 'tolerance' }, { code: 'out_of_range', path: 'markResolution' }]);
    expect(refusal({ ...base(), tolerance: 1, action: 1 })).toEqual([{ code: 'out_of_range', path: 'action' }]);
    expect(refusal({ ...base(), tolerance: { x: 1, y: 1, z: 1 }, action: { x: 0.5, y: 1, z: 0.5 } })).toEqual([{ code: 'out_of_range', path: 'action.y' }]);
    expect(refusal({ ...base(), date: '2027-01-01', tester: ' ', kind: 'nurse', timeZone: 'Mars/Base', extra: 1 })).toEqual([
      { code: 'unknown_field', path: 'extra' },
      { code: 'out_of_range', path: 'date' },
      { code: 'invalid_value', path: 'tester' },
      { code: 'invalid_value', path: 'kind' },
      { code: 'invalid_value', path: 'timeZone' },
    ]);
    const dup = base();
    dup.phantom.targets.push({ label: 'A', position: [0, 0, 2000] });
    expect(refusal(dup)).toEqual([{ code: 'duplicate_value', path: 'phantom.targets[1].label' }, { code: 'out_of_range', path: 'phantom.targets[1].position[2]' }]);
    expect(refusal({ ...base(), unit: { id: '-x' }, minTargets: 2, measurements: [{ target: 'B' }] })).toEqual([
      { code: 'invalid_value', path: 'unit.id' },
      { code: 'unknown_reference', path: 'measurements[0].target' },
      { code: 'missing_field', path: 'measurements[0]' },
      { code: 'out_of_range', path: 'minTargets' },
    ]);
    expect(refusal({ ...base(), tester: null, notes: null, team: null, facility: null, timeZone: null, action: null })).toEqual([]);
  });

  it('applies the defaults the definition publishes', () => {
    const s = parseSession(base(), { today: '2026-06-01' });
    expect(session.tolerance.default).toBe(1);
    expect(session.calculationTolerance.default).toBe(0.1);
    expect(session.markResolution.default).toBe(0);
    expect(session.kind.default).toBe('physicist');
    expect(s.limits).toEqual({ tolerance: { x: 1, y: 1, z: 1 }, action: null, calculationTolerance: { x: 0.1, y: 0.1, z: 0.1 }, markResolution: 0 });
    expect(s.kind).toBe('physicist');
    expect(s.timeZone).toBe('UTC');
    expect(s.phantom).toMatchObject({ name: 'cube', typical: false, source: 'user phantom', thickness: 40 });
    expect(s.placement).toEqual({ origin: { x: 0, y: 0, z: 0 } });
  });
});
