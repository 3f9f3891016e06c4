/**
 * Phantom localization QA (spec qa.md section 3): per measurement the points
 * (console, triangulated target, triangulated needle, truth) and the checks
 * between them, findings, and the per-check summary. Every triangulation goes
 * through the targeting engine (`computeTargeting`).
 *
 * `PhantomQA` wraps it in the style of pylinac: construct with the session,
 * `analyze(options)`, then `results()` (text) and `resultsData()` (typed data).
 */
import { EngineError } from '../core/errors.js';
import { hasError, findingsText, type Finding } from '../core/findings.js';
import { exceedsMax, withinMax } from '../core/limits.js';
import { Checker } from '../core/validate.js';
import { loadEngine, type Engine, type LoadOptions } from '../engine/engine.js';
import type { UnitGeometry, Vec3 } from '../targeting/geometry.js';
import { computeTargeting, type TargetingInput, type TargetingResult } from '../targeting/targeting.js';
import type { Phantom } from './phantoms.js';
import { AXES, checkLimits, parseSession, type Axis, type ParseOptions, type PerAxis, type QAFacility, type QALimits, type QASessionInput, type QATeam, type QAUnit, type SessionKind } from './session.js';
import { STEREOTAX_VERSION } from './version.js';

export type CheckName = 'calculation' | 'localization' | 'consoleVsTruth' | 'targetVsTruth';
export const CHECK_NAMES: readonly CheckName[] = ['calculation', 'localization', 'consoleVsTruth', 'targetVsTruth'];

export interface Check {
  error: Vec3;
  abs: Vec3;
  /** The limit each axis was held to (calculation with markResolution: tolerance + roundingAllowance). */
  limit: Vec3;
  /** Calculation check with markResolution > 0: the largest error rounding the marks can cause, per axis (mm). */
  roundingAllowance?: Vec3;
  pass: { x: boolean; y: boolean; z: boolean };
  passed: boolean;
}

export interface QAPoints {
  console?: Vec3;
  target?: Vec3;
  needle?: Vec3;
  truth?: Vec3;
}

export interface QAMeasurementResult {
  target: string;
  points: QAPoints;
  checks: Partial<Record<CheckName, Check>>;
  /** What `localization` compared the needle with: the triangulated target, or the truth without targetMarks. */
  localizationReference?: 'target' | 'truth';
  /** Ray gaps of the two triangulations (mm), for the report. */
  rayGaps?: { target?: number; needle?: number };
}

export interface AxisSummary {
  maxAbs: number;
  mean: number;
  rms: number;
}

export type QASummary = Partial<Record<CheckName, Record<Axis, AxisSummary> & { count: number }>>;

export interface QAResult {
  unit: QAUnit;
  date: string;
  tester: string | null;
  kind: SessionKind;
  phantom: string;
  limits: QALimits;
  measurements: QAMeasurementResult[];
  summary: QASummary;
  passed: boolean;
  findings: Finding[];
  /** For the signed record: the session's notes, facility, phantom serial, team and time zone. */
  notes?: string | null;
  facility?: QAFacility | null;
  phantomSerial?: string | null;
  team?: QATeam | null;
  timeZone?: string;
  meta: { stereotaxVersion: string; analysedAt: string };
}

/** `resultsData()`: the result with the warnings spelled out, as pylinac's results_data. */
export interface QAResultData extends QAResult {
  warnings: string[];
}

const CHECK_FINDING: Record<CheckName, string> = {
  calculation: 'calculation_out_of_tolerance',
  localization: 'localization_out_of_tolerance',
  consoleVsTruth: 'truth_out_of_tolerance',
  targetVsTruth: 'truth_out_of_tolerance',
};

const CHECK_WORDS: Record<CheckName, string> = {
  calculation: 'console minus exact triangulation of the same marks',
  localization: 'needle minus target',
  consoleVsTruth: 'console minus phantom truth',
  targetVsTruth: 'triangulated target minus phantom truth',
};

function sub(a: Vec3, b: Vec3): Vec3 {
  return { x: a.x - b.x, y: a.y - b.y, z: a.z - b.z };
}

/** One check: an axis passes when |error| is within its limit (src/core/limits.ts: at the limit, to 1e-9 mm, passes). */
export function makeCheck(a: Vec3, b: Vec3, limit: PerAxis): Check {
  const error = sub(a, b);
  const abs = { x: Math.abs(error.x), y: Math.abs(error.y), z: Math.abs(error.z) };
  const pass = { x: withinMax(abs.x, limit.x), y: withinMax(abs.y, limit.y), z: withinMax(abs.z, limit.z) };
  return { error, abs, limit: { x: limit.x, y: limit.y, z: limit.z }, pass, passed: pass.x && pass.y && pass.z };
}

/**
 * The largest error in the triangulated target that reading the marks to `resolution`
 * mm can cause: each mark coordinate is off by at most resolution / 2, so through the
 * triangulation's Jacobian J (d target / d mark, the engine's own, exact for the
 * least-squares solution) the worst case over the corners of that rounding box is,
 * per axis i, sum_j |J_ij| * resolution / 2 (first order; the triangulation is
 * smooth: the exact corners differ by 1.5e-5 mm at 0.1 mm, growing with its square).
 */
export function roundingAllowance(engine: Engine, marks: TargetingInput, resolution: number): Vec3 {
  const u = computeTargeting(engine, { ...marks, imageSigma: 1 }).uncertainty;
  if (!u) throw new EngineError('internal_error', 'the triangulation gave no Jacobian for the rounding allowance');
  const half = resolution / 2;
  const [x, y, z] = u.jacobian.map((row) => row.reduce((s, v) => s + Math.abs(v), 0) * half);
  if (![x, y, z].every(Number.isFinite)) throw new EngineError('non_finite_result', 'the rounding allowance came out non-finite');
  return { x, y, z };
}

function finite(v: Vec3 | undefined): boolean {
  return !v || (Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.z));
}

export interface AnalyzeOptions {
  /** The analysis time stamped in meta.analysedAt (default now). */
  analysedAt?: Date;
  /** Overrides of the session's limits, validated like the session's own (pylinac's analyze(tolerance=...)). */
  tolerance?: unknown;
  action?: unknown;
  calculationTolerance?: unknown;
}

function fmt(x: number, d = 2): string {
  return (Object.is(x, -0) ? 0 : x).toFixed(d);
}

function triangulate(engine: Engine, input: TargetingInput): TargetingResult {
  return computeTargeting(engine, input);
}

/** Analyses a validated session with a loaded engine (synchronous). */
export function analyzeSession(engine: Engine, session: QASessionInput, options: AnalyzeOptions = {}): QAResult {
  let limits = session.limits;
  if (options.tolerance !== undefined || options.action !== undefined || options.calculationTolerance !== undefined) {
    const c = new Checker();
    const merged = {
      tolerance: options.tolerance ?? limits.tolerance,
      action: options.action !== undefined ? options.action : limits.action,
      calculationTolerance: options.calculationTolerance ?? limits.calculationTolerance,
      markResolution: limits.markResolution,
    };
    const l = checkLimits(c, merged);
    c.done();
    limits = l!;
  }
  const findings: Finding[] = [];
  if (session.thickness.from === 'assumed') {
    findings.push({
      code: 'phantom_thickness_assumed', severity: 'info', path: 'phantom.thickness', value: session.thickness.value,
      message: `the phantom has no thickness: the triangulations assumed ${fmt(session.thickness.value, 1)} mm (deepest target + 20 mm); only the target_outside_breast check depends on it. Give phantom.thickness or thickness.`,
    });
  }
  const measurements: QAMeasurementResult[] = session.measurements.map((m, i) => {
    const points: QAPoints = {};
    const rayGaps: { target?: number; needle?: number } = {};
    if (m.console) points.console = { ...m.console };
    for (const [key, which] of [['targetMarks', 'target'], ['needleMarks', 'needle']] as const) {
      const input = m[key];
      if (!input) continue;
      const t = triangulate(engine, input);
      points[which] = { ...t.target };
      if (t.rayGap !== undefined) rayGaps[which] = t.rayGap;
      for (const f of t.findings) {
        findings.push({ ...f, path: `measurements[${i}].${key}${f.path ? '.' + f.path : ''}`, message: `target ${m.target}, ${which} marks: ${f.message}` });
      }
    }
    if (m.truth) points.truth = { ...m.truth };
    for (const p of Object.values(points)) {
      if (!finite(p)) throw new EngineError('non_finite_result', `measurements[${i}]: a point came out non-finite; nothing is reported from it`);
    }
    const checks: QAMeasurementResult['checks'] = {};
    const out: QAMeasurementResult = { target: m.target, points, checks };
    if (points.console && points.target) {
      if (limits.markResolution > 0) {
        const allowance = roundingAllowance(engine, m.targetMarks!, limits.markResolution);
        const t = limits.calculationTolerance;
        checks.calculation = makeCheck(points.console, points.target, { x: t.x + allowance.x, y: t.y + allowance.y, z: t.z + allowance.z });
        checks.calculation.roundingAllowance = allowance;
      } else {
        checks.calculation = makeCheck(points.console, points.target, limits.calculationTolerance);
      }
    }
    if (points.needle && (points.target || points.truth)) {
      out.localizationReference = points.target ? 'target' : 'truth';
      checks.localization = makeCheck(points.needle, (points.target ?? points.truth)!, limits.tolerance);
    }
    if (points.console && points.truth) checks.consoleVsTruth = makeCheck(points.console, points.truth, limits.tolerance);
    if (points.target && points.truth) checks.targetVsTruth = makeCheck(points.target, points.truth, limits.tolerance);
    if (rayGaps.target !== undefined || rayGaps.needle !== undefined) out.rayGaps = rayGaps;

    for (const name of CHECK_NAMES) {
      const ch = checks[name];
      if (!ch) continue;
      for (const a of AXES) {
        const path = `measurements[${i}].checks.${name}.abs.${a}`;
        if (!ch.pass[a]) {
          findings.push({
            code: CHECK_FINDING[name], severity: 'error', path, value: ch.abs[a], limit: ch.limit[a],
            message: `target ${m.target}, ${name} (${CHECK_WORDS[name]}): ${a} error ${fmt(ch.error[a])} mm exceeds ±${fmt(ch.limit[a])} mm. ` +
              (name === 'calculation' ? `${ch.roundingAllowance ? `The limit is the calculation tolerance ${fmt(limits.calculationTolerance[a])} mm plus ${fmt(ch.roundingAllowance[a], 3)} mm that reading the marks to ${limits.markResolution} mm can cause. ` : ''}The console does not reproduce the exact solution from its own marks: check its geometry calibration.` : 'Out of tolerance: the unit must not be used for targeting until corrected and re-tested.'),
          });
        } else if (name !== 'calculation' && limits.action && exceedsMax(ch.abs[a], limits.action[a])) {
          findings.push({
            code: 'action_level', severity: 'warning', path, value: ch.abs[a], limit: limits.action[a],
            message: `target ${m.target}, ${name}: ${a} error ${fmt(ch.error[a])} mm is within tolerance (±${fmt(ch.limit[a])} mm) but above the action level ${fmt(limits.action[a])} mm: schedule a service check.`,
          });
        }
      }
    }
    return out;
  });

  const summary: QASummary = {};
  for (const name of CHECK_NAMES) {
    const with_ = measurements.map((m) => m.checks[name]).filter((c): c is Check => !!c);
    if (!with_.length) continue;
    const per = {} as Record<Axis, AxisSummary>;
    for (const a of AXES) {
      const e = with_.map((c) => c.error[a]);
      per[a] = {
        maxAbs: Math.max(...e.map(Math.abs)),
        mean: e.reduce((s, v) => s + v, 0) / e.length,
        rms: Math.sqrt(e.reduce((s, v) => s + v * v, 0) / e.length),
      };
    }
    summary[name] = { ...per, count: with_.length };
  }

  return {
    unit: session.unit,
    date: session.date,
    tester: session.tester,
    kind: session.kind,
    phantom: session.phantom.id,
    limits,
    measurements,
    summary,
    passed: !hasError(findings),
    findings,
    notes: session.notes,
    facility: session.facility,
    phantomSerial: session.phantomSerial,
    team: session.team,
    timeZone: session.timeZone,
    meta: { stereotaxVersion: STEREOTAX_VERSION, analysedAt: (options.analysedAt ?? new Date()).toISOString() },
  };
}

/** Validates and analyses one session (loads the engine on first use). */
export async function qaSession(request: unknown, options: ParseOptions & AnalyzeOptions & LoadOptions = {}): Promise<QAResult> {
  const session = parseSession(request, options);
  return analyzeSession(await loadEngine(options), session, options);
}

/** The readable summary (`--text`, `PhantomQA.results()`). */
export function qaText(r: QAResult): string {
  const lines: string[] = [];
  lines.push(`Phantom QA  ${r.passed ? 'PASSED' : 'FAILED'}`);
  lines.push(`  unit          ${r.unit.id}${r.unit.name ? ` (${r.unit.name})` : ''}${r.unit.site ? `, ${r.unit.site}` : ''}`);
  lines.push(`  date          ${r.date}   tester ${r.tester ?? '(not given)'}   kind ${r.kind}`);
  lines.push(`  phantom       ${r.phantom}`);
  const lim = (p: PerAxis | null) => (p ? `${fmt(p.x)}/${fmt(p.y)}/${fmt(p.z)} mm` : 'none');
  lines.push(`  limits (x/y/z) tolerance ${lim(r.limits.tolerance)}, action ${lim(r.limits.action)}, calculation ${lim(r.limits.calculationTolerance)}`);
  if (r.limits.markResolution > 0) {
    lines.push(`  marks read to ${r.limits.markResolution} mm: each calculation limit adds the largest error that rounding can cause (per target, through the triangulation)`);
  }
  lines.push('');
  lines.push('  target  check            error x   error y   error z   limit x/y/z         result');
  for (const m of r.measurements) {
    for (const name of CHECK_NAMES) {
      const c = m.checks[name];
      if (!c) continue;
      lines.push(`  ${m.target.padEnd(7)} ${name.padEnd(15)} ${fmt(c.error.x).padStart(8)}  ${fmt(c.error.y).padStart(8)}  ${fmt(c.error.z).padStart(8)}   ${`${fmt(c.limit.x)}/${fmt(c.limit.y)}/${fmt(c.limit.z)}`.padEnd(18)}  ${c.passed ? 'pass' : 'FAIL ' + AXES.filter((a) => !c.pass[a]).join('')}`);
    }
  }
  lines.push('');
  lines.push('  summary (mm)     max|x|  max|y|  max|z|   mean x  mean y  mean z    rms x   rms y   rms z   n');
  for (const name of CHECK_NAMES) {
    const s = r.summary[name];
    if (!s) continue;
    lines.push(`  ${name.padEnd(15)} ${AXES.map((a) => fmt(s[a].maxAbs).padStart(7)).join(' ')}  ${AXES.map((a) => fmt(s[a].mean).padStart(7)).join(' ')}  ${AXES.map((a) => fmt(s[a].rms).padStart(7)).join(' ')}  ${String(s.count).padStart(2)}`);
  }
  lines.push('');
  if (r.notes) lines.push(`  notes         ${r.notes.replace(/\n/g, '\n                ')}`, '');
  return lines.join('\n') + '\n' + findingsText(r.findings) + `  stereotax ${r.meta.stereotaxVersion}, analysed ${r.meta.analysedAt}\n`;
}

/** Thrown when results are read before `analyze()`. */
export class NotAnalysedError extends Error {
  override readonly name = 'NotAnalysedError';
  constructor() {
    super('PhantomQA: call analyze() before reading results');
  }
}

/**
 * A phantom QA session as an object, in the style of pylinac:
 *
 *     const qa = new PhantomQA(session);        // validates (StereotaxError on bad input)
 *     await qa.analyze({ tolerance: 1 });
 *     console.log(qa.results());                // text
 *     const data = qa.resultsData();            // typed: version, date, warnings, every number
 */
export class PhantomQA {
  readonly session: QASessionInput;
  private result: QAResult | undefined;

  constructor(request: unknown, options: ParseOptions = {}) {
    this.session = parseSession(request, options);
  }

  get phantom(): Phantom {
    return this.session.phantom;
  }

  get geometry(): UnitGeometry | undefined {
    return this.session.unit.geometry;
  }

  get analysed(): boolean {
    return this.result !== undefined;
  }

  /** Loads the engine (once) and analyses; returns this, for chaining. */
  async analyze(options: AnalyzeOptions & LoadOptions = {}): Promise<this> {
    return this.analyzeWith(await loadEngine(options), options);
  }

  /** Analyses with an engine already loaded (synchronous). */
  analyzeWith(engine: Engine, options: AnalyzeOptions = {}): this {
    this.result = analyzeSession(engine, this.session, options);
    return this;
  }

  private need(): QAResult {
    if (!this.result) throw new NotAnalysedError();
    return this.result;
  }

  /** The readable summary. */
  results(): string {
    return qaText(this.need());
  }

  /** The result as typed data, with the warnings' messages. */
  resultsData(): QAResultData {
    const r = this.need();
    return { ...structuredClone(r), warnings: r.findings.filter((f) => f.severity === 'warning').map((f) => f.message) };
  }

  get passed(): boolean {
    return this.need().passed;
  }
}
