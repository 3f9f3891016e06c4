import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Angle, Arr, Bool, Enum, Int, Length, MapOf, Nullable, Num, Obj, OneOf, Opt, Str, Tuple, parseWith, schemaDocument, withRules,
  type Static, type StaticDecode,
} from '../../src/core/schema/index.js';
import { StereotaxError } from '../../src/core/errors.js';
import { refusal as refusalOf } from '../helpers/refusal.js';

const Spacing = OneOf([Length({ above: 0, max: 10 }), Obj({ col: Length({ above: 0, max: 10 }), row: Length({ above: 0, max: 10 }) })],
  (raw) => (typeof raw === 'number' || typeof raw === 'string' ? 0 : 1));
const Probe = withRules(Obj({
  near: Length({ min: 0, max: 100 }),
  far: Length({ min: 0, max: 100 }),
  tilt: Opt(Angle({ above: -90, below: 90 })),
  count: Opt(Int({ min: 1, max: 5 })),
  side: Opt(Enum(['+x', '-x'] as const)),
  spacing: Opt(Spacing),
  label: Opt(Str(8)),
  on: Opt(Bool()),
  points: Opt(Arr(Tuple(Num({ min: -1, max: 1 }), 3), 1, 3)),
  notes: Opt(MapOf(Str(20))),
  last: Opt(Nullable(Num())),
}), (v, c, path, raw) => {
  if (v.far <= v.near) c.add('invalid_geometry', [...path, 'far'], 'beyond near', raw.far);
});

type ProbeIn = Static<typeof Probe>;
type ProbeOut = StaticDecode<typeof Probe>;

// Every probe here must be refused: refusalOf fails the test on a result.
const refusal = (value: unknown) => refusalOf(() => parseWith(Probe, value)).issues.map(({ code, path }) => ({ code, path }));

describe('a request defined once', () => {
  it('parses, converting units and keeping the types', () => {
    const raw: ProbeIn = { near: '1 cm', far: 20, tilt: '0.5 rad', spacing: { col: 0.1, row: '0.2 mm' }, points: [[0, 0.5, -1]], last: null };
    const out: ProbeOut = parseWith(Probe, raw);
    expect(out.near).toBe(10);
    expect(out.tilt).toBeCloseTo(28.64788975654116, 12);
    expect(out.spacing).toEqual({ col: 0.1, row: 0.2 });
    expect(out.points).toEqual([[0, 0.5, -1]]);
    expect(out.last).toBeNull();
  });

  it('reports every issue with code and path', () => {
    expect(refusal({ near: -1, far: 'x', count: 2.5, side: '+z', spacing: 0, label: 'abcdefghi', extra: 1, points: [[0, 0]], notes: { a: 3 }, on: 1 })).toEqual([
      { code: 'unknown_field', path: 'extra' },
      { code: 'out_of_range', path: 'near' },
      { code: 'invalid_unit', path: 'far' },
      { code: 'invalid_value', path: 'count' },
      { code: 'invalid_value', path: 'side' },
      { code: 'out_of_range', path: 'spacing' },
      { code: 'out_of_range', path: 'label' },
      { code: 'invalid_type', path: 'on' },
      { code: 'too_few_items', path: 'points[0]' },
      { code: 'invalid_type', path: 'notes.a' },
    ]);
    expect(refusal({ near: 1 })).toEqual([{ code: 'missing_field', path: 'far' }]);
    expect(refusal({ near: 1, far: 2, spacing: { col: 1 } })).toEqual([{ code: 'missing_field', path: 'spacing.row' }]);
    expect(refusal(null)).toEqual([{ code: 'invalid_type', path: '' }]);
  });

  it('runs the cross-field rule only on valid fields, at the limit exclusive', () => {
    expect(refusal({ near: 5, far: 5 })).toEqual([{ code: 'invalid_geometry', path: 'far' }]);
    expect(parseWith(Probe, { near: 5, far: 5.000001 }).far).toBe(5.000001);
    expect(refusal({ near: 5, far: 'x' })).toEqual([{ code: 'invalid_unit', path: 'far' }]);
  });

  it('holds every range bound as declared (property)', () => {
    fc.assert(fc.property(fc.integer({ min: -2000, max: 2000 }).map((i) => i / 10), (near) => {
      const ok = near >= 0 && near <= 100 && near < 100;
      let accepted = true;
      try { parseWith(Probe, { near, far: 100 }); } catch { accepted = false; }
      expect(accepted).toBe(ok);
    }));
  });

  it('refuses a throwing proxy as a whole request, never throws raw', () => {
    const p = new Proxy({}, { ownKeys() { throw new Error('boom'); } });
    expect(() => parseWith(Probe, p)).toThrow(StereotaxError);
  });

  it('publishes JSON Schema with oneOf and $defs refs, no symbols', () => {
    const doc = schemaDocument({ name: 'probe', title: 'Probe', description: 'test', root: Probe, defs: { probe: Probe, spacing: Spacing } });
    expect(doc.$ref).toBe('#/$defs/probe');
    const defs = doc.$defs as Record<string, Record<string, unknown>>;
    expect((defs.probe.properties as Record<string, unknown>).spacing).toEqual({ $ref: '#/$defs/spacing' });
    expect(defs.spacing.oneOf).toHaveLength(2);
    expect(defs.probe.additionalProperties).toBe(false);
    expect(defs.probe.required).toEqual(['near', 'far']);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
