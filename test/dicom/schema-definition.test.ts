/**
 * The unit profile is defined once (src/dicom/schema.ts): the published unit-profile
 * schema's ranges are the validator's, each bound held as declared, and the refusals
 * (codes, paths, order) are those parseUnitProfile always gave.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseUnitProfile } from '../../src/dicom/profile.js';
import { boundsHeld, publishedAsSpec, randomAgree, type Leaf } from '../helpers/published-range.js';
import { issuePaths } from '../helpers/refusal.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/unit-profile.schema.json', import.meta.url), 'utf8'));
const P = schema.$defs.profile.properties;
const base = (): Record<string, unknown> => ({ rotationAxisHeight: -20, angleSign: 1, detector: { origin: [0, 0] } });

const refusal = (v: unknown) => issuePaths(() => parseUnitProfile(v));
const numberOf = (s: { anyOf?: { type: string }[]; type?: string }) => ((s.anyOf ?? [s]).find((b) => b.type === 'number') ?? {}) as Record<string, number>;

// The spec's ranges (dicom.md section 2, the targeting geometry of targeting.md section 2).
const LEAVES: Leaf<Record<string, unknown>>[] = [
  { key: 'rotationAxisHeight', set: (p, v) => (p.rotationAxisHeight = v), path: 'profile.rotationAxisHeight', published: numberOf(P.rotationAxisHeight), spec: { minimum: -2000, maximum: 2000 } },
  { key: 'sourceToDetector', set: (p, v) => (p.sourceToDetector = v), path: 'profile.sourceToDetector', published: numberOf(P.sourceToDetector), spec: { minimum: 100, maximum: 2000 } },
  { key: 'sourceToSupport', set: (p, v) => (p.sourceToSupport = v), path: 'profile.sourceToSupport', published: numberOf(P.sourceToSupport), spec: { minimum: 50, maximum: 2000 } },
  { key: 'consoleTolerance', set: (p, v) => (p.consoleTolerance = v), path: 'profile.consoleTolerance', published: numberOf(P.consoleTolerance), spec: { minimum: 0, maximum: 100 } },
  { key: 'pixelSpacing', set: (p, v) => (p.pixelSpacing = [0.1, v]), path: 'profile.pixelSpacing[1]', published: numberOf(schema.$defs.pixelSpacing.oneOf[2].items), spec: { exclusiveMinimum: 0, maximum: 10 } },
  { key: 'detector.origin', set: (p, v) => (p.detector = { origin: { col: v, row: 0 } }), path: 'profile.detector.origin.col', published: numberOf(schema.$defs.pixel.oneOf[0].properties.col), spec: { minimum: -1e6, maximum: 1e6 } },
  { key: 'imageSigma', set: (p, v) => (p.imageSigma = v), path: 'profile.imageSigma', published: numberOf(P.imageSigma), spec: { minimum: 0, maximum: 10 } },
  { key: 'maxRayGap', set: (p, v) => (p.maxRayGap = v), path: 'profile.maxRayGap', published: numberOf(P.maxRayGap), spec: { exclusiveMinimum: 0, maximum: 100 } },
];

describe('the unit profile, defined once', () => {
  it('publishes the spec\'s ranges', () => publishedAsSpec(LEAVES));
  it('holds each bound as published, one step beyond refused', () => boundsHeld(LEAVES, base, refusal));
  it('accepts a random value exactly when the published range does (property)', () => randomAgree(LEAVES, base, refusal, 2_500_000));

  it('keeps the old refusals and defaults', () => {
    expect(refusal(null)).toEqual([{ code: 'invalid_type', path: 'profile' }]);
    expect(refusal({ angleSign: 2, detector: { colAxis: 'x' }, pixelSpacing: { col: 0 }, imageSigma: 20, consoleTolerance: -1, foo: 1 })).toEqual([
      { code: 'unknown_field', path: 'profile.foo' },
      { code: 'missing_field', path: 'profile.rotationAxisHeight' },
      { code: 'invalid_value', path: 'profile.angleSign' },
      { code: 'missing_field', path: 'profile.detector.origin' },
      { code: 'invalid_value', path: 'profile.detector.colAxis' },
      { code: 'missing_field', path: 'profile.pixelSpacing.row' },
      { code: 'out_of_range', path: 'profile.pixelSpacing.col' },
      { code: 'out_of_range', path: 'profile.consoleTolerance' },
      { code: 'out_of_range', path: 'profile.imageSigma' },
    ]);
    expect(refusal({ ...base(), angleSign: '1' })).toEqual([{ code: 'invalid_type', path: 'profile.angleSign' }]);
    const p = parseUnitProfile({ ...base(), pixelSpacing: [0.2, 0.1], detector: { origin: [12, 34] } });
    expect(p).toEqual({ rotationAxisHeight: -20, angleSign: 1, detector: { origin: { col: 12, row: 34 }, colAxis: '+x', rowAxis: '+y' }, consoleTolerance: 0.1, pixelSpacing: { col: 0.1, row: 0.2 } });
    expect([P.consoleTolerance.default, P.detector.properties.colAxis.default, P.detector.properties.rowAxis.default]).toEqual([0.1, '+x', '+y']);
  });
});
