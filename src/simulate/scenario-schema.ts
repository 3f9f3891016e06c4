/**
 * The simulation scenario (spec simulation.md section 1), defined once: each block's
 * ranges and rules are here, one definition per block; scenario.ts's parseScenario checks
 * a scenario with them (the leaves through the schema walk, the distributions with the
 * rules below) and the published simulation-scenario schema is written from them.
 * Rules a schema cannot say (distinct angles, the source above the thickest breast, a
 * truncated normal keeping 1 % of its mass) are parseScenario's.
 */
// Named builders, not the `Type` namespace object, so a bundle keeps only those used.
import { Unsafe as TUnsafeOf, type TSchema } from '@sinclair/typebox';
import {
  Angle, Arr, Enum, Int, Length, Num, Obj, OneOf, Opt, Str, Tuple,
} from '../core/schema/build.js';
import type { JsonSchema } from '../core/schema/export.js';
import type { Range } from '../core/validate.js';
import { TARGETING_DEFS } from '../targeting/schema.js';

export const MAX_TRIALS = 1e10;
export const DEFAULT_TRIALS = 1e5;
export const MAX_VIEWS = 8;
export const MAX_QUANTILES = 20;
export const MAX_EMPIRICAL_VALUES = 256;

/** How a scenario scalar may be drawn: its range, the largest SD of a normal, whether a plain normal is truncated to the range. */
export interface DistRule {
  range: Range;
  /** Largest standard deviation a normal may have. */
  maxSd: number;
  /**
   * A bounded quantity (thickness, zFraction, radius): a plain normal is truncated to the
   * range (redrawn until inside), as if `within` were the range.
   */
  truncate?: boolean;
  quantity: 'length' | 'angle' | 'fraction';
}

/** A standard deviation of a per-axis or marking error (mm). */
export const SIGMA: Range = { min: 0, max: 10 };

// ---- top level ----
export const Id = Str(200);
export const Seed = Int({ min: 0, max: Number.MAX_SAFE_INTEGER }, 'default 0');
export const Trials = Int({ min: 1, max: MAX_TRIALS }, 'default 100000');
export const QUANTILE: Range = { above: 0, below: 1 };

// ---- unit ----
export const ANGLE: Range = { min: -60, max: 60 };
export const Tomosynthesis = Obj({ sliceSpacing: Length({ min: 0.1, max: 10 }, 'mm between reconstructed slices') },
  "tomosynthesis-guided depth: the estimate's z taken as its slice's centre");
export const MIS_ANGLE: DistRule = { range: { min: -10, max: 10 }, maxSd: 5, quantity: 'angle' };
/** Miscalibration of sourceToSupport and rotationAxisHeight. */
export const MIS_OFFSET: DistRule = { range: { min: -100, max: 100 }, maxSd: 10, quantity: 'length' };
export const MisSourceToDetector = Length({ min: -50, max: 50 }, 'true SID minus the believed (mm)');
export const DetectorShift = Tuple(Length({ min: -20, max: 20 }), 2, '[x, y] shift of the detector coordinates (mm)');

// ---- breast ----
export const THICKNESS: DistRule = { range: { above: 0, max: 200 }, maxSd: 100, truncate: true, quantity: 'length' };
export const READOUT_BIAS: DistRule = { range: { min: -50, max: 50 }, maxSd: 10, quantity: 'length' };
export const ReadoutSigma = Length(SIGMA, 'a standard deviation');

// ---- lesion ----
export const LESION_XY: DistRule = { range: { min: -300, max: 300 }, maxSd: 100, quantity: 'length' };
export const Z_FRACTION: DistRule = { range: { min: 0, max: 1 }, maxSd: 1, truncate: true, quantity: 'fraction' };
export const RADIUS: DistRule = { range: { min: 0, max: 50 }, maxSd: 50, truncate: true, quantity: 'length' };

// ---- marking ----
export const MARK_SIGMA: Range = SIGMA;
export const MARK_BIAS: Range = { min: -20, max: 20 };

// ---- needle ----
export const Deflection = Num({ min: 0, max: 0.2 }, 'lateral SD per mm of tissue crossed (mm/mm), from the top surface to the target');
export const SamplingRadius = Length({ min: 0, max: 20 });
export const MinStrokeMargin = Length({ min: -50, max: 50 });
export const Approach = Enum(['vertical', 'lateral'] as const, 'default "vertical"; lateral: the needle travels along x (docs/simulation.md, The lateral approach)');
export const MinClearance = Length({ min: 0, max: 50 }, 'lateral: least clearance of the needle from support and paddle (default 0)');

// ---- studies (version 1.2) ----
export const MIN_REPLICATES = 2;
export const MAX_REPLICATES = 1000;
export const REPLICATES: Range = { min: MIN_REPLICATES, max: MAX_REPLICATES };
export const MAX_SENSITIVITY_PARAMETERS = 20;
export const MIN_SAMPLES = 8;
export const MAX_SAMPLES = 16384;
/** Largest design, in runs of the scenario: N (d + 2). */
export const MAX_EVALUATIONS = 10000;
export const MAX_OUTPUTS = 8;
export const DEFAULT_BOOTSTRAP = 500;
export const MAX_BOOTSTRAP = 2000;

// ---- a 3-D error (needle deviation, tissue displacement) ----
export const STUDENT_T: Range = { min: 3, max: 100 };
export const LOGNORMAL_MEDIAN: Range = { above: 0, max: 50 };
export const LOGNORMAL_SD_LOG: Range = { min: 0, max: 1.5 };
export const EMPIRICAL_LENGTH: Range = { min: 0, max: 50 };

// ---- the published definition, from the ranges above ----

/** A reference to one of SIMULATION_DEFS (published only). */
const refTo = (name: string): TSchema => TUnsafeOf<unknown>({ $ref: `#/$defs/${name}` });

const scalar = (rule: DistRule, description?: string): TSchema =>
  (rule.quantity === 'fraction' ? Num(rule.range, description) : rule.quantity === 'angle' ? Angle(rule.range, description) : Length(rule.range, description));

/** A value, or a distribution drawn per trial (its sd at most maxSd). */
export function distribution(rule: DistRule): TSchema {
  const v = scalar(rule);
  // The mean and sd in the value's unit; their ranges (the value's, and [0, maxSd]) are checked by the engine.
  const pair = (what: string) => Tuple(scalar({ ...rule, range: {} }), 2, what);
  return OneOf([
    v,
    Obj({ uniform: Tuple(v, 2, '[min, max]') }),
    Obj({
      normal: pair(`[mean, sd]: the mean held to the value's range, sd in [0, ${rule.maxSd}]`),
      within: Opt(Tuple(v, 2, rule.truncate ? '[min, max]: truncated, redrawn until inside (default: the value\'s range)' : '[min, max]: truncated, redrawn until inside (docs/simulation.md)')),
    }),
  ], (raw) => (typeof raw === 'number' || typeof raw === 'string' ? 0 : raw !== null && typeof raw === 'object' && 'uniform' in raw ? 1 : 2),
  'a value, or a distribution drawn per trial');
}

const sigma3 = Tuple(Length(SIGMA, 'a standard deviation'), 3, 'per axis x, y, z');
export const VectorErrorSchema = Obj({
  sigma: Opt(sigma3),
  studentT: Opt(Int(STUDENT_T, "per-axis Student's t with these degrees of freedom, scaled to SD sigma")),
  length: Opt(OneOf([
    Obj({ lognormal: Arr(Num(), 2, 2, `[median mm in (${LOGNORMAL_MEDIAN.above}, ${LOGNORMAL_MEDIAN.max}], SD of the log in [${LOGNORMAL_SD_LOG.min}, ${LOGNORMAL_SD_LOG.max}]]`) }),
    Obj({ values: Arr(Length(EMPIRICAL_LENGTH), 1, MAX_EMPIRICAL_VALUES, 'lengths drawn uniformly from the list') }),
  ], (raw) => (raw !== null && typeof raw === 'object' && 'values' in raw ? 1 : 0), 'an isotropic error: its length from this distribution, its direction uniform')),
}, 'per axis (sigma, optionally studentT), or isotropic (length)');

/** Sobol indices over declared parameters (published; study-fields.ts checks it with these limits). */
export const SensitivitySchema = Obj({
  parameters: TUnsafeOf<Record<string, unknown>>({
    type: 'object', minProperties: 1, maxProperties: MAX_SENSITIVITY_PARAMETERS,
    additionalProperties: {
      oneOf: [
        { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[low, high]: uniform' },
        { type: 'object', properties: { uniform: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } }, required: ['uniform'], additionalProperties: false },
        { type: 'object', properties: { normal: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[mean, sd], sd > 0' }, within: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[low, high]: truncated' } }, required: ['normal'], additionalProperties: false },
      ],
      description: "the parameter's distribution over the analysis",
    },
    description: `dotted paths to scalars of the scenario (1-${MAX_SENSITIVITY_PARAMETERS}; a number segment indexes a list), each with its range`,
  }),
  samples: Opt(Int({ min: MIN_SAMPLES, max: MAX_SAMPLES }, `N, rows of each Saltelli matrix (default 256); N (parameters + 2) runs, at most ${MAX_EVALUATIONS}`)),
  output: OneOf([Str(64), Arr(Str(64), 1, MAX_OUTPUTS)], (raw) => (Array.isArray(raw) ? 1 : 0), 'summary statistics such as "placementError.r.mean" or "hit.probability"'),
  bootstrap: Opt(Int({ min: 0, max: MAX_BOOTSTRAP }, `resamples for the 95 % intervals (default ${DEFAULT_BOOTSTRAP})`)),
}, 'Sobol first-order and total indices (docs/simulation.md, Studies); not with sweep or replicates');

const perView = (range: Range, what: string) => OneOf([
  Length(range),
  Arr(OneOf([Length(range), Tuple(Length(range), 2, '[u, v]')], (raw) => (Array.isArray(raw) ? 1 : 0)), 2, MAX_VIEWS, 'per view'),
], (raw) => (Array.isArray(raw) ? 1 : 0), what);

export const ScenarioSchema = Obj({
  id: Opt(Id),
  seed: Opt(Seed),
  trials: Opt(Trials),
  quantiles: Opt(Arr(Num(QUANTILE), 1, MAX_QUANTILES, 'quantiles to report with 95 % intervals (signed errors on axes, the distance for r), each once')),
  unit: Obj({
    geometry: refTo('geometry'),
    angles: Arr(Angle(ANGLE), 2, MAX_VIEWS, 'at least two distinct angles'),
    miscalibration: Opt(Obj({
      angle: Opt(Arr(distribution(MIS_ANGLE), 0, MAX_VIEWS, 'per view, added to the nominal angle for the true source: a value or a distribution')),
      sourceToSupport: Opt(distribution(MIS_OFFSET)),
      rotationAxisHeight: Opt(distribution(MIS_OFFSET)),
      sourceToDetector: Opt(MisSourceToDetector),
      detectorShift: Opt(DetectorShift),
    })),
    tomosynthesis: Opt(Tomosynthesis),
  }),
  breast: Obj({
    thickness: distribution(THICKNESS),
    thicknessReadout: Opt(Obj({ bias: Opt(distribution(READOUT_BIAS)), sigma: Opt(ReadoutSigma) })),
  }),
  lesion: Obj({
    x: distribution(LESION_XY),
    y: distribution(LESION_XY),
    zFraction: distribution(Z_FRACTION),
    radius: Opt(distribution(RADIUS)),
  }),
  marking: Opt(Obj({
    sigma: Opt(perView(MARK_SIGMA, 'one SD for every view and axis, or per view (one, or [u, v])')),
    bias: Opt(perView(MARK_BIAS, 'systematic marking error (mm) added to every mark, or per view (one, or [u, v])')),
  })),
  needle: Opt(Obj({
    device: OneOf([Str(64, 'a catalog id'), refTo('device')], (raw) => (typeof raw === 'string' ? 0 : 1)),
    deviation: Opt(refTo('vectorError')),
    deflection: Opt(Deflection),
    samplingRadius: Opt(SamplingRadius),
    minStrokeMargin: Opt(MinStrokeMargin),
    approach: Opt(Approach),
    lateral: Opt(refTo('lateralSetup')),
    minClearance: Opt(MinClearance),
  }, 'the needle; lateral: the device needs outerDiameter or a gauge with a table value', {
    if: { properties: { approach: { const: 'lateral' } }, required: ['approach'] },
    then: { required: ['lateral'] },
    else: { not: { anyOf: [{ required: ['lateral'] }, { required: ['minClearance'] }] } },
  })),
  tissue: Opt(Obj({ displacement: Opt(refTo('vectorError')) })),
  sweep: Opt(TUnsafeOf<Record<string, unknown[]>>({
    type: 'object', additionalProperties: { type: 'array', minItems: 1 },
    description: 'dotted paths into the scenario, each with the values to sweep; the cartesian product is run, last key fastest',
  })),
  replicates: Opt(Int(REPLICATES, 'independent runs with seeds derived from the seed (docs/simulation.md, Studies); not with sweep or sensitivity')),
  sensitivity: Opt(SensitivitySchema),
});

export const SIMULATION_DEFS: Record<string, TSchema | JsonSchema> = {
  geometry: TARGETING_DEFS.geometry,
  device: TARGETING_DEFS.device,
  lateralSetup: TARGETING_DEFS.lateralSetup,
  vectorError: VectorErrorSchema,
  scenario: ScenarioSchema,
};
