/**
 * The scenario's ranges are defined once (src/simulate/scenario-schema.ts): the published
 * simulation-scenario schema says the ranges parseScenario holds, each bound as declared
 * (one step beyond refused), the spec's figures (simulation.md section 1) pinned here.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/simulate/scenario.js';
import { boundsHeld, publishedAsSpec, randomAgree, type Leaf } from '../helpers/published-range.js';
import { issuePaths } from '../helpers/refusal.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/simulation-scenario.schema.json', import.meta.url), 'utf8'));
const S = schema.$defs.scenario.properties;
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const base = (): Any => ({
  trials: 10,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: 45 },
  lesion: { x: 0, y: 0, zFraction: 0.5 },
});

const paths = (sc: unknown) => issuePaths(() => parseScenario(sc));
/** The number branch of a published value (a number, a unit string, or a distribution's constant). */
function numberOf(s: Any): Any {
  if (s.type === 'number' || s.type === 'integer') return s;
  for (const k of ['anyOf', 'oneOf']) if (Array.isArray(s[k])) return numberOf(s[k][0]);
  throw new Error('no number branch');
}
const unitP = S.unit.properties;
const mis = unitP.miscalibration.properties;

const LEAVES: Leaf<Any>[] = [
  { key: 'angles', set: (s, v) => (s.unit.angles = [v, v === 0 ? 1 : 0]), path: 'unit.angles[0]', published: numberOf(unitP.angles.items), spec: { minimum: -60, maximum: 60 } },
  { key: 'sliceSpacing', set: (s, v) => (s.unit.tomosynthesis = { sliceSpacing: v }), path: 'unit.tomosynthesis.sliceSpacing', published: numberOf(unitP.tomosynthesis.properties.sliceSpacing), spec: { minimum: 0.1, maximum: 10 } },
  { key: 'miscalibration.sourceToDetector', set: (s, v) => {
    // A detector far enough below the support that the cross-field rule (true detector 1 mm below the support) holds at -50.
    s.unit.geometry = { sourceToDetector: 700, sourceToSupport: 600, rotationAxisHeight: -20 };
    s.unit.miscalibration = { sourceToDetector: v };
  }, path: 'unit.miscalibration.sourceToDetector', published: numberOf(mis.sourceToDetector), spec: { minimum: -50, maximum: 50 } },
  { key: 'miscalibration.detectorShift', set: (s, v) => (s.unit.miscalibration = { detectorShift: [0, v] }), path: 'unit.miscalibration.detectorShift[1]', published: numberOf(mis.detectorShift.items), spec: { minimum: -20, maximum: 20 } },
  { key: 'miscalibration.sourceToSupport', set: (s, v) => (s.unit.miscalibration = { sourceToSupport: v }), path: 'unit.miscalibration.sourceToSupport', published: numberOf(mis.sourceToSupport), spec: { minimum: -100, maximum: 100 } },
  { key: 'miscalibration.angle', set: (s, v) => (s.unit.miscalibration = { angle: [v, 0] }), path: 'unit.miscalibration.angle[0]', published: numberOf(mis.angle.items), spec: { minimum: -10, maximum: 10 } },
  { key: 'breast.thickness', set: (s, v) => (s.breast.thickness = v), path: 'breast.thickness', published: numberOf(S.breast.properties.thickness), spec: { exclusiveMinimum: 0, maximum: 200 } },
  { key: 'thicknessReadout.bias', set: (s, v) => (s.breast.thicknessReadout = { bias: v }), path: 'breast.thicknessReadout.bias', published: numberOf(S.breast.properties.thicknessReadout.properties.bias), spec: { minimum: -50, maximum: 50 } },
  { key: 'thicknessReadout.sigma', set: (s, v) => (s.breast.thicknessReadout = { sigma: v }), path: 'breast.thicknessReadout.sigma', published: numberOf(S.breast.properties.thicknessReadout.properties.sigma), spec: { minimum: 0, maximum: 10 } },
  { key: 'lesion.x', set: (s, v) => (s.lesion.x = v), path: 'lesion.x', published: numberOf(S.lesion.properties.x), spec: { minimum: -300, maximum: 300 } },
  { key: 'lesion.zFraction', set: (s, v) => (s.lesion.zFraction = v), path: 'lesion.zFraction', published: numberOf(S.lesion.properties.zFraction), spec: { minimum: 0, maximum: 1 } },
  { key: 'lesion.radius', set: (s, v) => (s.lesion.radius = v), path: 'lesion.radius', published: numberOf(S.lesion.properties.radius), spec: { minimum: 0, maximum: 50 } },
  { key: 'marking.sigma', set: (s, v) => (s.marking = { sigma: v }), path: 'marking.sigma', published: numberOf(S.marking.properties.sigma), spec: { minimum: 0, maximum: 10 } },
  { key: 'marking.bias', set: (s, v) => (s.marking = { bias: [v, 0] }), path: 'marking.bias[0]', published: numberOf(S.marking.properties.bias.oneOf[1].items), spec: { minimum: -20, maximum: 20 } },
  { key: 'needle.deflection', set: (s, v) => (s.needle = { device: 'vacuum-9g-20', deflection: v }), path: 'needle.deflection', published: numberOf(S.needle.properties.deflection), spec: { minimum: 0, maximum: 0.2 } },
  { key: 'needle.samplingRadius', set: (s, v) => (s.needle = { device: 'vacuum-9g-20', samplingRadius: v }), path: 'needle.samplingRadius', published: numberOf(S.needle.properties.samplingRadius), spec: { minimum: 0, maximum: 20 } },
  { key: 'needle.minStrokeMargin', set: (s, v) => (s.needle = { device: 'vacuum-9g-20', minStrokeMargin: v }), path: 'needle.minStrokeMargin', published: numberOf(S.needle.properties.minStrokeMargin), spec: { minimum: -50, maximum: 50 } },
  { key: 'deviation.sigma', set: (s, v) => (s.tissue = { displacement: { sigma: [v, 0, 0] } }), path: 'tissue.displacement.sigma[0]', published: numberOf(schema.$defs.vectorError.properties.sigma.items), spec: { minimum: 0, maximum: 10 } },
  { key: 'studentT', set: (s, v) => (s.tissue = { displacement: { sigma: [1, 1, 1], studentT: v } }), path: 'tissue.displacement.studentT', published: numberOf(schema.$defs.vectorError.properties.studentT), spec: { minimum: 3, maximum: 100 } },
  { key: 'trials', set: (s, v) => (s.trials = v), path: 'trials', published: numberOf(S.trials), spec: { minimum: 1, maximum: 1e10 } },
];

describe('the simulation scenario, defined once', () => {
  it('publishes the spec\'s ranges', () => publishedAsSpec(LEAVES));
  // A valid huge trial count is only parsed, never run; kept cheap all the same.
  it('holds each bound as published, one step beyond refused (the validator and the schema agree)', () =>
    boundsHeld(LEAVES, base, paths, (l, v) => l.key === 'trials' && v > 1e6));
  it('accepts a random value exactly when the published range does (property)', () =>
    randomAgree(LEAVES.filter((l) => l.published.type === 'number'), base, paths, 400_000));
});
