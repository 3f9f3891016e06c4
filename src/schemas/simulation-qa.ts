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
  lateralSetup: TARGETING_DEFS.lateralSetup,
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
      approach: enumOf(['vertical', 'lateral'], 'default "vertical"; lateral: the needle travels along x (docs/simulation.md, Lateral approach)'),
      lateral: ref('lateralSetup'),
      minClearance: length({ min: 0, max: 50 }, 'lateral: least clearance of the needle from support and paddle (default 0)'),
    }, ['device'], 'the needle; lateral: the device needs outerDiameter or a gauge with a table value', {
      if: { properties: { approach: { const: 'lateral' } }, required: ['approach'] },
      then: { required: ['lateral'] },
      else: { not: { anyOf: [{ required: ['lateral'] }, { required: ['minClearance'] }] } },
    }),
    tissue: obj({ displacement: ref('vectorError') }),
    sweep: record(arr({}, 1), 'dotted paths into the scenario, each with the values to sweep; the cartesian product is run, last key fastest'),
    replicates: int({ min: 2, max: 1000 }, 'independent runs with seeds derived from the seed (docs/simulation.md, Studies); not with sweep or sensitivity'),
    sensitivity: obj({
      parameters: record(oneOf([
        tuple(num(), 2, '[low, high]: uniform'),
        obj({ uniform: tuple(num(), 2, '[low, high]') }, ['uniform']),
        obj({ normal: tuple(num(), 2, '[mean, sd], sd > 0'), within: tuple(num(), 2, '[low, high]: truncated') }, ['normal']),
      ], "the parameter's distribution over the analysis"), 'dotted paths to scalars of the scenario (1-20; a number segment indexes a list), each with its range'),
      samples: int({ min: 8, max: 16384 }, 'N, rows of each Saltelli matrix (default 256); N (parameters + 2) runs, at most 10000'),
      output: oneOf([str(64), arr(str(64), 1, 8)], 'summary statistics such as "placementError.r.mean" or "hit.probability"'),
      bootstrap: int({ min: 0, max: 2000 }, 'resamples for the 95 % intervals (default 500)'),
    }, ['parameters', 'output'], 'Sobol first-order and total indices (docs/simulation.md, Studies); not with sweep or replicates'),
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

const tolerance = oneOf([length({ min: 0 }), obj({ x: length({ min: 0 }), y: length({ min: 0 }), z: length({ min: 0 }) }, ['x', 'y', 'z'])], 'mm: every axis, or per axis');
const xyz = tuple(length({ min: -1000, max: 1000 }), 3);

export const QA_DEFS: Record<string, JsonSchema> = {
  geometry: TARGETING_DEFS.geometry,
  view: TARGETING_DEFS.view,
  pixelSpacing: TARGETING_DEFS.pixelSpacing,
  pixel: TARGETING_DEFS.pixel,
  detector: TARGETING_DEFS.detector,
  phantom: obj({
    id: str(64), name: str(), typical: { type: 'boolean' }, source: str(400),
    targets: arr(obj({ label: str(60), position: xyz }, ['label', 'position']), 1),
  }, ['id', 'targets']),
  session: obj({
    unit: obj({ id: str(64), name: str(), site: str(), manufacturer: str(100), model: str(100), serial: str(100), geometry: ref('geometry') }, ['id', 'geometry']),
    date: DATE,
    tester: str(),
    kind: enumOf(['physicist', 'technologist']),
    phantom: oneOf([str(64, 'a shipped phantom id'), ref('phantom')]),
    placement: obj({ origin: xyz }, ['origin']),
    tolerance,
    action: tolerance,
    calculationTolerance: tolerance,
    markResolution: length({ min: 0, max: 2 }, 'how finely the marks were read (mm, default 0): the calculation limit adds the largest error this rounding can cause, per target and axis, through the triangulation'),
    notes: str(2000, 'shown in the text, HTML and PDF reports'),
    facility: obj({ name: str(200), accreditation: arr(str(100), 0, 10) }, ['name']),
    phantomSerial: str(100, 'serial number of the physical phantom used'),
    team: obj({ physicist: str(), technologist: str(), leadInterpretingPhysician: str() }, [], 'names printed under the report\'s signature lines'),
    timeZone: str(64, 'IANA time zone of the facility for the report\'s times (default UTC)'),
    minTargets: int({ min: 1 }, 'how many of the phantom\'s targets this session measures on purpose (default: all of them; fewer is refused)'),
    detector: ref('detector'),
    measurements: arr(obj({
      target: str(60, 'a label of the phantom'),
      console: xyz,
      targetMarks: arr(ref('view'), 2),
      needleMarks: arr(ref('view'), 2),
      detector: ref('detector'),
    }, ['target'], undefined, { anyOf: [{ required: ['console'] }, { required: ['targetMarks'] }, { required: ['needleMarks'] }] }), 1),
  }, ['unit', 'date', 'phantom', 'placement', 'measurements']),
};

const axes = (s: JsonSchema) => obj({ x: s, y: s, z: s }, ['x', 'y', 'z']);
const CHECK = obj({
  error: axes(n), abs: axes(n), limit: axes(n), pass: axes({ type: 'boolean' }), passed: { type: 'boolean' },
  roundingAllowance: { ...axes(n), description: 'calculation check with markResolution: the largest error rounding the marks can cause (mm), included in limit' },
}, ['error', 'abs', 'limit', 'pass', 'passed']);

export const QA_RESULT_DEFS: Record<string, JsonSchema> = {
  finding: FINDING,
  check: CHECK,
  point: axes(n),
  axisSummary: obj({ maxAbs: n, mean: n, rms: n }, ['maxAbs', 'mean', 'rms']),
  result: obj({
    unit: { type: 'object' },
    date: { type: 'string' },
    tester: { type: ['string', 'null'] },
    kind: enumOf(['physicist', 'technologist']),
    phantom: { type: 'string' },
    limits: obj({ tolerance: ref('point'), action: ref('point'), calculationTolerance: ref('point'), markResolution: n }),
    measurements: arr(obj({
      target: { type: 'string' },
      points: obj({ console: ref('point'), target: ref('point'), needle: ref('point'), truth: ref('point') }),
      checks: obj({ calculation: ref('check'), localization: ref('check'), consoleVsTruth: ref('check'), targetVsTruth: ref('check') }),
      localizationReference: enumOf(['target', 'truth']),
      rayGaps: obj({ target: n, needle: n }),
    }, ['target', 'points', 'checks'])),
    summary: record(obj({
      x: ref('axisSummary'), y: ref('axisSummary'), z: ref('axisSummary'), count: int({ min: 0 }, 'measurements the check had numbers for'),
    }, ['x', 'y', 'z', 'count']), 'per check name'),
    passed: { type: 'boolean' },
    findings: arr(ref('finding')),
    notes: { type: ['string', 'null'] },
    facility: { type: ['object', 'null'] },
    phantomSerial: { type: ['string', 'null'] },
    team: { type: ['object', 'null'] },
    timeZone: { type: 'string' },
    meta: obj({ stereotaxVersion: { type: 'string' }, analysedAt: { type: 'string' } }, ['stereotaxVersion', 'analysedAt']),
  }, ['unit', 'date', 'phantom', 'measurements', 'summary', 'passed', 'findings', 'meta']),
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
