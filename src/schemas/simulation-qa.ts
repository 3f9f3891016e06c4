/**
 * The simulation scenario and summary (shared/spec/simulation.md) and the QA session
 * and result (shared/spec/qa.md), written from the specs. Their validators belong to
 * other parts of the engine: these definitions should move next to them
 * (src/simulate/, src/qa/) once those exist, and be checked against them there.
 */
import {
  angle, arr, enumOf, FINDING, int, length, num, obj, oneOf, record, ref, str, tuple,
  type JsonSchema, type SchemaDocument,
} from '../core/schema-kit.js';
import { QA_DEFS, QA_RESULT_DEFS } from '../qa/schema.js';
import { TARGETING_DEFS } from '../targeting/schema.js';

const n = { type: 'number' };
const DATE = str(10, 'a calendar date, YYYY-MM-DD', '^\\d{4}-\\d{2}-\\d{2}$');

const distribution = (scalar: JsonSchema): JsonSchema => oneOf([
  scalar,
  obj({ uniform: tuple(scalar, 2, '[min, max]') }, ['uniform']),
  obj({ normal: tuple(scalar, 2, '[mean, sd]'), within: tuple(scalar, 2, '[min, max]: truncated, redrawn until inside (docs/simulation.md)') }, ['normal']),
], 'a value, or a distribution drawn per trial');
const sigma = length({ min: 0 }, 'a standard deviation');
const sigma3 = tuple(sigma, 3, 'per axis x, y, z');

export const SIMULATION_DEFS: Record<string, JsonSchema> = {
  geometry: TARGETING_DEFS.geometry,
  device: TARGETING_DEFS.device,
  length: distribution(length()),
  vectorError: obj({
    sigma: sigma3,
    studentT: int({ min: 3, max: 100 }, "per-axis Student's t with these degrees of freedom, scaled to SD sigma"),
    length: oneOf([
      obj({ lognormal: tuple(num(), 2, '[median mm, SD of the log]') }, ['lognormal']),
      obj({ values: arr(length({ min: 0, max: 50 }), 1, 256, 'lengths drawn uniformly from the list') }, ['values']),
    ], 'an isotropic error: its length from this distribution, its direction uniform'),
  }, [], 'per axis (sigma, optionally studentT), or isotropic (length)'),
  scenario: obj({
    id: str(),
    seed: int({ min: 0 }, 'default 0'),
    trials: int({ min: 1, max: 1e10 }, 'default 100000'),
    quantiles: arr(num({ above: 0, below: 1 }), 1, 20, 'quantiles to report with 95 % intervals (signed errors on axes, the distance for r), each once'),
    unit: obj({
      geometry: ref('geometry'),
      angles: arr(angle({ above: -90, below: 90 }), 2, undefined, 'at least two distinct angles'),
      tomosynthesis: obj({ sliceSpacing: length({ min: 0.1, max: 10 }, 'mm between reconstructed slices') }, ['sliceSpacing'], "tomosynthesis-guided depth: the estimate's z taken as its slice's centre"),
      miscalibration: obj({
        angle: arr(distribution(angle()), 0, undefined, 'per view, added to the nominal angle for the true source: a value or a distribution'),
        sourceToSupport: length(), rotationAxisHeight: length(),
        sourceToDetector: length({ min: -50, max: 50 }, 'true SID minus the believed (mm)'),
        detectorShift: tuple(length({ min: -20, max: 20 }), 2, '[x, y] shift of the detector coordinates (mm)'),
      }),
    }, ['geometry', 'angles']),
    breast: obj({
      thickness: ref('length'),
      thicknessReadout: obj({ bias: length(), sigma }),
    }, ['thickness']),
    lesion: obj({
      x: ref('length'), y: ref('length'),
      zFraction: distribution(num({ min: 0, max: 1 })),
      radius: ref('length'),
    }, ['x', 'y', 'zFraction']),
    marking: obj({
      sigma: oneOf([sigma, arr(oneOf([sigma, tuple(sigma, 2, '[u, v]')]), 2, undefined, 'per view')], 'one SD for every view and axis, or per view (one, or [u, v])'),
      bias: oneOf([length(), arr(oneOf([length(), tuple(length(), 2, '[u, v]')]), 2, undefined, 'per view')], 'systematic marking error (mm) added to every mark, or per view (one, or [u, v])'),
    }),
    needle: obj({
      device: oneOf([str(64, 'a catalog id'), ref('device')]),
      deviation: ref('vectorError'),
      deflection: num({ min: 0, max: 0.2 }, 'lateral SD per mm of tissue crossed (mm/mm), from the top surface to the target'),
      samplingRadius: length({ min: 0 }),
      minStrokeMargin: length(),
    }, ['device']),
    tissue: obj({ displacement: ref('vectorError') }),
    sweep: record(arr({}, 1), 'dotted paths into the scenario, each with the values to sweep; the cartesian product is run, last key fastest'),
  }, ['unit', 'breast', 'lesion']),
};

const INTERVAL = { anyOf: [tuple(n, 2), { type: 'null' }] };
const INTERVALS = obj({ mean: INTERVAL, sd: INTERVAL }, ['mean', 'sd'], 'batch-means 95 % intervals; null with fewer than 2 batches');
const QUANTILES = arr(obj({ q: n, value: { type: ['number', 'null'] }, ci95: INTERVAL }, ['q', 'value', 'ci95']), 0, undefined, 'the requested quantiles, ascending, with order-statistic 95 % intervals');
const STATS = obj({ mean: n, sd: n, rms: n, p50: n, p95: n, p99: n, ci95: INTERVALS, quantiles: QUANTILES }, ['mean', 'sd', 'rms', 'p50', 'p95', 'p99'], 'signed error along one axis; percentiles of its absolute value');
const RSTATS = obj({ mean: n, sd: n, p50: n, p95: n, p99: n, max: n, ci95: INTERVALS, quantiles: QUANTILES }, ['mean', 'sd', 'p50', 'p95', 'p99', 'max'], 'the 3-D distance');
const PROPORTION = obj({
  count: int({ min: 0 }), of: int({ min: 0 }), probability: { type: ['number', 'null'] },
  ci95: { anyOf: [tuple(n, 2), { type: 'null' }], description: 'Wilson score interval; null when of is 0' },
}, ['count', 'of', 'probability', 'ci95']);

export const SIMULATION_SUMMARY_DEFS: Record<string, JsonSchema> = {
  stats: STATS,
  rstats: RSTATS,
  proportion: PROPORTION,
  errors: obj({ x: ref('stats'), y: ref('stats'), z: ref('stats'), r: ref('rstats') }, ['x', 'y', 'z', 'r']),
  summary: obj({
    id: { type: 'string' }, seed: n, trials: n,
    targetingError: ref('errors'),
    classicError: ref('errors'),
    placementError: ref('errors'),
    refused: ref('proportion'),
    hit: ref('proportion'),
    strokeFailure: ref('proportion'),
    manifest: { type: 'object', description: 'stereotax version, scenario hash, seed, trials, kernel, workers, elapsed seconds, trials per second' },
  }, ['seed', 'trials', 'targetingError', 'manifest']),
  sweep: obj({ sweep: arr(obj({ params: { type: 'object' }, summary: ref('summary') }, ['params', 'summary'])) }, ['sweep']),
};

export const SIMULATION_QA_SCHEMAS: SchemaDocument[] = [
  {
    name: 'simulation-scenario',
    title: 'stereotax simulation scenario',
    description: 'A population of simulated procedures on one unit (simulation.md section 1). Checked by the engine only: distinct angles, unit strings converted; the ranges of lengths given as distributions.',
    root: ref('scenario'),
    defs: SIMULATION_DEFS,
  },
  {
    name: 'simulation-summary',
    title: 'stereotax simulation summary',
    description: 'What `stereotax simulate` prints (simulation.md section 4): one summary, or a sweep of them. classicError only for a symmetric pair; placementError, hit, strokeFailure and refused only with a needle.',
    root: oneOf([ref('summary'), ref('sweep')]),
    defs: SIMULATION_SUMMARY_DEFS,
  },
  {
    name: 'qa-session',
    title: 'stereotax phantom QA session',
    description: 'One localization-accuracy session (qa.md section 2). Checked by the engine only: action below tolerance; each measurement names a phantom target; unit strings converted.',
    root: ref('session'),
    defs: QA_DEFS,
  },
  {
    name: 'qa-result',
    title: 'stereotax phantom QA result',
    description: 'What `stereotax qa` prints (qa.md sections 3 and 5). mm throughout.',
    root: ref('result'),
    defs: QA_RESULT_DEFS,
  },
];
