/**
 * The simulation scenario and summary (shared/spec/simulation.md) and the QA session
 * and result (shared/spec/qa.md). The scenario is defined next to its validator
 * (src/simulate/scenario-schema.ts), the QA session and result in src/qa/schema.ts;
 * the summary, which only the engine writes, is still written here.
 */
import {
  arr, int, obj, oneOf, ref, tuple,
  type JsonSchema, type SchemaDocument,
} from '../core/schema-kit.js';
import { QA_DEFS, QA_RESULT_DEFS } from '../qa/schema.js';
import { SIMULATION_DEFS } from '../simulate/scenario-schema.js';

const n = { type: 'number' };

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
  replicates: obj({
    replicates: obj({
      count: int({ min: 2 }), seedDerivation: { type: 'string' },
      runs: arr(obj({ replicate: int({ min: 1 }), seed: int({ min: 0 }), summary: ref('summary') }, ['replicate', 'seed', 'summary'])),
      between: obj({ mean: { type: 'object' }, sd: { type: 'object' } }, ['mean', 'sd'], "each statistic's mean and sample SD over the replicates, shaped as a summary"),
    }, ['count', 'seedDerivation', 'runs', 'between']),
  }, ['replicates']),
  sensitivity: obj({
    sensitivity: obj({
      samples: int({ min: 1 }), evaluations: int({ min: 1 }), bootstrap: int({ min: 0 }),
      design: { type: 'string' }, estimators: { type: 'string' }, intervals: { type: 'string' },
      seed: n, trialsPerRun: n,
      outputs: arr(obj({
        output: { type: 'string' }, mean: n, variance: n,
        indices: arr(obj({
          parameter: { type: 'string' }, distribution: { type: 'object' },
          firstOrder: { type: ['number', 'null'] }, firstOrderCi95: INTERVAL,
          total: { type: ['number', 'null'] }, totalCi95: INTERVAL,
        }, ['parameter', 'distribution', 'firstOrder', 'firstOrderCi95', 'total', 'totalCi95'])),
      }, ['output', 'mean', 'variance', 'indices'])),
      manifest: { type: 'object' },
    }, ['samples', 'evaluations', 'bootstrap', 'design', 'estimators', 'intervals', 'seed', 'trialsPerRun', 'outputs', 'manifest']),
  }, ['sensitivity']),
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
    description: 'What `stereotax simulate` prints (simulation.md section 4): one summary, a sweep of them, replicates or a sensitivity analysis (docs/simulation.md, Studies). classicError only for a symmetric pair; placementError, hit, strokeFailure and refused only with a needle.',
    root: oneOf([ref('summary'), ref('sweep'), ref('replicates'), ref('sensitivity')]),
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
