/**
 * Validation of the version 1.2 study fields (`sensitivity`, `replicates`), apart from their
 * computation (sensitivity.ts, replicates.ts) so that the scenario parser can check them
 * without importing the kernel.
 */
import { Checker, type Path } from '../core/validate.js';
import { normalCdf } from './normal.js';

import {
  DEFAULT_BOOTSTRAP, MAX_BOOTSTRAP, MAX_EVALUATIONS, MAX_OUTPUTS, MAX_REPLICATES, MAX_SAMPLES, MAX_SENSITIVITY_PARAMETERS, MIN_REPLICATES, MIN_SAMPLES,
} from './scenario-schema.js';

export {
  DEFAULT_BOOTSTRAP, MAX_BOOTSTRAP, MAX_EVALUATIONS, MAX_OUTPUTS, MAX_REPLICATES, MAX_SAMPLES, MAX_SENSITIVITY_PARAMETERS, MIN_REPLICATES, MIN_SAMPLES,
};

/** A parameter's distribution over the analysis: uniform on [low, high], or a normal (optionally truncated). */
export type ParameterDist = { uniform: [number, number] } | { normal: [number, number]; within?: [number, number] };

export interface SensitivityParameter {
  /** The dotted path of a scalar in the scenario ("marking.sigma", "unit.miscalibration.angle.0"). */
  path: string;
  dist: ParameterDist;
}

export interface SensitivitySpec {
  /** In the order declared (the order of the report). */
  parameters: SensitivityParameter[];
  samples: number;
  outputs: string[];
  bootstrap: number;
}


export function parseReplicates(value: unknown): number {
  const c = new Checker();
  const r = c.integer(value, ['replicates'], { min: MIN_REPLICATES, max: MAX_REPLICATES });
  c.done();
  return r!;
}

// ---- the scenario field ----

const NOT_PARAMETERS = new Set(['seed', 'trials', 'id', 'quantiles', 'sweep', 'sensitivity', 'replicates']);
const STAT = /^(targetingError|classicError|placementError)\.(x|y|z|r)\.(mean|sd|rms|p50|p95|p99|max)$/;
const PROPORTION = /^(hit|refused|strokeFailure)\.probability$/;

/** Whether a summary path names a number the analysis can take (rms on the axes, max on r only). */
export function isOutputPath(p: string): boolean {
  const m = STAT.exec(p);
  if (m) return !(m[3] === 'rms' && m[2] === 'r') && !(m[3] === 'max' && m[2] !== 'r');
  return PROPORTION.test(p);
}

const OUTPUT_EXPECTED = 'a statistic of the summary: "targetingError|classicError|placementError" . "x|y|z|r" . "mean|sd|rms|p50|p95|p99|max" (rms on x, y, z; max on r), or "hit|refused|strokeFailure.probability"';

function paramDist(c: Checker, value: unknown, path: Path): ParameterDist | undefined {
  const pair = (v: unknown, p: Path) => {
    const a = c.array(v, p, 2, 2);
    const x = a?.map((e, i) => c.number(e, [...p, i]));
    return x && x.every((e) => e !== undefined) ? (x as [number, number]) : undefined;
  };
  const expected = '[low, high], { "uniform": [low, high] }, { "normal": [mean, sd] } or { "normal": [mean, sd], "within": [low, high] }';
  if (Array.isArray(value)) {
    const lh = pair(value, path);
    if (!lh) return undefined;
    if (!(lh[1] > lh[0])) return c.add('invalid_value', [...path, 1], `more than the low end (${lh[0]})`, value[1]);
    return { uniform: lh };
  }
  if (value === null || typeof value !== 'object') return c.add('invalid_type', path, expected, value);
  const keys = Object.keys(value);
  if (keys.includes('uniform')) {
    const o = c.object(value, path, ['uniform'], ['uniform']);
    const lh = o && pair(o.uniform, [...path, 'uniform']);
    if (!lh) return undefined;
    if (!(lh[1] > lh[0])) return c.add('invalid_value', [...path, 'uniform', 1], `more than the low end (${lh[0]})`, (o!.uniform as unknown[])[1]);
    return { uniform: lh };
  }
  if (keys.includes('normal')) {
    const o = c.object(value, path, ['normal', 'within'], ['normal']);
    const ms = o && pair(o.normal, [...path, 'normal']);
    if (!ms) return undefined;
    if (!(ms[1] > 0)) return c.add('invalid_value', [...path, 'normal', 1], 'a standard deviation above 0 (a constant is not a parameter)', (o!.normal as unknown[])[1]);
    if (o!.within === undefined) return { normal: ms };
    const w = pair(o!.within, [...path, 'within']);
    if (!w) return undefined;
    if (!(w[1] > w[0])) return c.add('invalid_value', [...path, 'within', 1], `more than the low end (${w[0]})`, (o!.within as unknown[])[1]);
    const mass = normalCdf((w[1] - ms[0]) / ms[1]) - normalCdf((w[0] - ms[0]) / ms[1]);
    if (!(mass >= 0.01)) return c.add('invalid_value', [...path, 'within'], 'a range keeping at least 1 % of the normal', o!.within);
    return { normal: ms, within: w };
  }
  return c.add('invalid_type', path, expected, value);
}

/** Validates the `sensitivity` field (the parameters' paths are checked against the scenario when the design is built). */
export function parseSensitivity(value: unknown): SensitivitySpec {
  const c = new Checker();
  const o = c.object(value, ['sensitivity'], ['parameters', 'samples', 'output', 'bootstrap'], ['parameters', 'output']);
  c.done();
  const params: SensitivityParameter[] = [];
  const po = c.object(o!.parameters, ['sensitivity', 'parameters'], Object.keys((o!.parameters as object) ?? {}));
  if (po) {
    const entries = Object.entries(po);
    if (entries.length === 0) c.add('too_few_items', ['sensitivity', 'parameters'], 'at least one parameter ("path": [low, high])', po);
    if (entries.length > MAX_SENSITIVITY_PARAMETERS) c.add('too_many_items', ['sensitivity', 'parameters'], `at most ${MAX_SENSITIVITY_PARAMETERS} parameters`, `${entries.length} parameters`);
    for (const [path, v] of entries) {
      const p = ['sensitivity', 'parameters', path];
      if (!/^[A-Za-z]+(\.([A-Za-z]+|\d{1,2}))*$/.test(path) || NOT_PARAMETERS.has(path.split('.')[0])) {
        c.add('invalid_value', p, 'a dotted path to a scalar of the scenario such as "marking.sigma" or "unit.miscalibration.angle.0" (not seed, trials, id, quantiles, sweep, sensitivity or replicates)', path);
        continue;
      }
      const other = entries.find(([q]) => q !== path && path.startsWith(q + '.'));
      if (other) {
        c.add('invalid_value', p, `a path not inside another parameter's (${other[0]})`, path);
        continue;
      }
      const dist = paramDist(c, v, p);
      if (dist) params.push({ path, dist });
    }
  }
  const samples = c.optional(o, 'samples', (v) => c.integer(v, ['sensitivity', 'samples'], { min: MIN_SAMPLES, max: MAX_SAMPLES }), 256);
  const bootstrap = c.optional(o, 'bootstrap', (v) => c.integer(v, ['sensitivity', 'bootstrap'], { min: 0, max: MAX_BOOTSTRAP }), DEFAULT_BOOTSTRAP);
  let outputs: string[] | undefined;
  if (typeof o!.output === 'string') {
    if (isOutputPath(o!.output)) outputs = [o!.output];
    else c.add('invalid_value', ['sensitivity', 'output'], OUTPUT_EXPECTED, o!.output);
  } else {
    const list = c.array(o!.output, ['sensitivity', 'output'], 1, MAX_OUTPUTS);
    if (list) {
      outputs = [];
      list.forEach((x, i) => {
        if (typeof x !== 'string' || !isOutputPath(x)) c.add('invalid_value', ['sensitivity', 'output', i], OUTPUT_EXPECTED, x);
        else if (outputs!.includes(x)) c.add('duplicate_value', ['sensitivity', 'output', i], 'each output once', x);
        else outputs!.push(x);
      });
    }
  }
  c.done();
  const evaluations = samples! * (params.length + 2);
  if (evaluations > MAX_EVALUATIONS) {
    c.add('out_of_range', ['sensitivity', 'samples'], `a design of at most ${MAX_EVALUATIONS} runs (samples x (parameters + 2))`, `${samples} x ${params.length + 2} = ${evaluations} runs`);
  }
  c.done();
  return { parameters: params, samples: samples!, outputs: outputs!, bootstrap: bootstrap! };
}

