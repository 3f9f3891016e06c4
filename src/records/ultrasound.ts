/**
 * Ultrasound annotation: a position relative to the nipple becomes the breast, the
 * clock face (whole hours, seen facing the patient), the distance from the nipple in
 * cm and the depth third; and back. Conventions and their sources: ultrasound.json.
 */
import { Checker } from '../core/validate.js';
import { field, requestObject } from './fields.js';
import { DEPTH_THIRDS, UltrasoundFields } from './schema.js';
import { findingsText, type Finding } from '../core/findings.js';
import { codeFor, type Coded, type Laterality } from './common.js';
import conventions from './ultrasound.json' with { type: 'json' };

export const ULTRASOUND_CONVENTIONS = conventions;
export type DepthThird = 'anterior' | 'middle' | 'posterior';
const THIRDS: readonly DepthThird[] = DEPTH_THIRDS;

/** sin and cos of whole hours (30-degree steps), exact where they can be. */
const S3 = Math.sqrt(3) / 2;
const HOUR_SIN = [0, 0.5, S3, 1, S3, 0.5, 0, -0.5, -S3, -1, -S3, -0.5];
const HOUR_COS = [1, S3, 0.5, 0, -0.5, -S3, -1, -S3, -0.5, 0, 0.5, S3];

export interface NipplePosition {
  /** mm toward the patient's left. */
  x: number;
  /** mm toward the head. */
  z: number;
}

export interface UltrasoundAnnotation {
  breast: Laterality;
  /** 1..12, or null in the subareolar region. */
  clock: number | null;
  region: 'clock' | 'subareolar';
  /** Exact direction, degrees clockwise from 12 o'clock as seen facing the patient. */
  angle: number | null;
  /** How far the exact direction is from the reported hour (degrees, signed, within +/-15). */
  hourOffset: number | null;
  /** Which side of the breast the direction points to, for the 3 and 9 o'clock half. */
  side: 'lateral' | 'medial' | 'midline' | null;
  distanceCm: number;
  depthThird: DepthThird | null;
  label: string;
  codes: { laterality: Coded | null; location: Coded | null; depth: Coded | null };
}

/** Whole hour of a direction: half hours go away from 12 o'clock, symmetric under mirroring. */
export function hourOf(x: number, z: number): { hour: number; angle: number; offset: number } {
  const signed = (Math.atan2(x, z) * 180) / Math.PI; // (-180, 180], clockwise from 12 seen facing
  const steps = Math.floor(Math.abs(signed) / 30 + 0.5); // 0..6
  const h = signed < 0 ? 12 - steps : steps;
  const hour = h === 0 ? 12 : h;
  const angle = signed < 0 ? signed + 360 : signed;
  const offset = Math.sign(signed) * (Math.abs(signed) - steps * 30);
  return { hour, angle, offset: offset === 0 ? 0 : offset };
}

/** The clock hour seen on the other breast for the mirrored position (x -> -x). */
export function mirrorHour(hour: number): number {
  return hour === 12 || hour === 6 ? hour : 12 - hour;
}

/** Depth third of a depth below the skin, given the skin-to-chest-wall distance there. */
export function depthThird(depth: number, chestWallDepth: number): DepthThird {
  if (3 * depth < chestWallDepth) return 'anterior';
  if (3 * depth < 2 * chestWallDepth) return 'middle';
  return 'posterior';
}

function sideOf(breast: Laterality, x: number): 'lateral' | 'medial' | 'midline' {
  if (x === 0) return 'midline';
  // +x is the patient's left: lateral on the left breast, medial on the right.
  return (x > 0) === (breast === 'left') ? 'lateral' : 'medial';
}

function label(breast: Laterality, clock: number | null, distanceCm: number, third: DepthThird | null): string {
  const where = clock === null ? 'subareolar' : `${clock} o'clock`;
  const depth = third ? `, ${third} third` : '';
  return `${breast === 'left' ? 'Left' : 'Right'} breast, ${where}, ${distanceCm.toFixed(1)} cm from the nipple${depth}`;
}

export interface AnnotateInput {
  breast: Laterality;
  position: NipplePosition;
  depth?: number;
  chestWallDepth?: number;
  /** Within this distance of the nipple (mm), the finding is subareolar and has no clock. */
  subareolarRadius: number;
}

export function annotate(input: AnnotateInput): UltrasoundAnnotation {
  const { breast, position } = input;
  const d = Math.hypot(position.x, position.z);
  const third = input.depth !== undefined && input.chestWallDepth !== undefined ? depthThird(input.depth, input.chestWallDepth) : null;
  const distanceCm = d / 10;
  const depthCode = third ? codeFor(`depth.${third}`) : null;
  if (d <= input.subareolarRadius) {
    return {
      breast, clock: null, region: 'subareolar', angle: null, hourOffset: null, side: null, distanceCm, depthThird: third,
      label: label(breast, null, distanceCm, third),
      codes: { laterality: codeFor(`laterality.${breast}`), location: codeFor('region.subareolar'), depth: depthCode },
    };
  }
  const { hour, angle, offset } = hourOf(position.x, position.z);
  return {
    breast, clock: hour, region: 'clock', angle, hourOffset: offset, side: sideOf(breast, position.x), distanceCm, depthThird: third,
    label: label(breast, hour, distanceCm, third),
    codes: { laterality: codeFor(`laterality.${breast}`), location: codeFor(`clock.${hour}`), depth: depthCode },
  };
}

export interface LocateInput {
  breast: Laterality;
  clock: number | null;
  distanceCm: number;
  depthThird?: DepthThird;
  chestWallDepth?: number;
}

export interface UltrasoundPosition {
  breast: Laterality;
  /** The point on the hour's centre line at the given distance (mm from the nipple). */
  position: NipplePosition;
  /** How far the true position may lie from `position` (mm): the hour spans +/-15 degrees. */
  maxAngularMiss: number;
  side: 'lateral' | 'medial' | 'midline' | null;
  depthThird: DepthThird | null;
  /** The depth range (mm below the skin) of the third, when chestWallDepth is given. */
  depthRange: [number, number] | null;
}

export function locate(input: LocateInput): UltrasoundPosition {
  const dmm = input.distanceCm * 10;
  const k = input.clock === null ? -1 : input.clock % 12;
  const position = k < 0 ? { x: 0, z: 0 } : { x: dmm * HOUR_SIN[k], z: dmm * HOUR_COS[k] };
  const third = input.depthThird ?? null;
  let depthRange: [number, number] | null = null;
  if (third && input.chestWallDepth !== undefined) {
    const i = THIRDS.indexOf(third);
    depthRange = [(i * input.chestWallDepth) / 3, ((i + 1) * input.chestWallDepth) / 3];
  }
  return {
    breast: input.breast,
    position: { x: position.x === 0 ? 0 : position.x, z: position.z === 0 ? 0 : position.z },
    // the chord between the hour's centre line and its edge (15 degrees) at that distance
    maxAngularMiss: k < 0 ? dmm : 2 * dmm * Math.sin(Math.PI / 24),
    side: k < 0 ? null : sideOf(input.breast, HOUR_SIN[k]),
    depthThird: third,
    depthRange,
  };
}

export type UltrasoundRequest =
  | { id?: string; kind: 'annotate'; input: AnnotateInput }
  | { id?: string; kind: 'locate'; input: LocateInput };

export type UltrasoundResult = { id?: string; findings: Finding[] } & ({ annotation: UltrasoundAnnotation } | { located: UltrasoundPosition });

/**
 * Either `position` ({ x, z } mm from the nipple) to annotate, or `clock` (1-12) or
 * `region: "subareolar"` with `distanceCm` to locate; every field as defined in schema.ts.
 */
export function parseUltrasoundRequest(value: unknown): UltrasoundRequest {
  const S = UltrasoundFields;
  const c = new Checker();
  const req = requestObject(c, S, value);
  const breast = field(c, S, req, 'breast', []);
  const id = field(c, S, req, 'id', []);
  const chestWallDepth = field(c, S, req, 'chestWallDepth', []);
  field(c, S, req, 'transducerOrientation', []);
  const hasPosition = req.position !== undefined;
  const hasClock = req.clock !== undefined || req.region !== undefined;
  if (hasPosition === hasClock) {
    c.add(hasPosition ? 'invalid_value' : 'missing_field', hasPosition ? ['clock'] : ['position'],
      'either position (to annotate) or clock/region with distanceCm (to locate), not both', hasPosition ? req.clock ?? req.region : undefined);
    c.done();
  }
  if (hasPosition) {
    for (const k of ['distanceCm', 'depthThird'] as const) if (req[k] !== undefined) c.add('unknown_field', [k], 'no ' + k + ' with position (it is computed)', req[k]);
    const position = field(c, S, req, 'position', []);
    const depth = field(c, S, req, 'depth', []);
    if ((depth === undefined) !== (chestWallDepth === undefined) && c.ok) {
      c.add('missing_field', depth === undefined ? ['depth'] : ['chestWallDepth'], 'depth and chestWallDepth together (the depth third needs both)', undefined);
    }
    if (depth !== undefined && chestWallDepth !== undefined && depth > chestWallDepth) {
      c.add('out_of_range', ['depth'], `at most chestWallDepth (${chestWallDepth} mm)`, req.depth);
    }
    const subareolarRadius = field(c, S, req, 'subareolarRadius', []);
    c.done();
    return {
      ...(id !== undefined ? { id } : {}), kind: 'annotate',
      input: { breast: breast!, position: { x: position!.x, z: position!.z }, subareolarRadius: subareolarRadius!, ...(depth !== undefined ? { depth, chestWallDepth } : {}) },
    };
  }
  for (const k of ['depth', 'subareolarRadius'] as const) if (req[k] !== undefined) c.add('unknown_field', [k], `no ${k} with clock (give position to annotate)`, req[k]);
  let clock: number | null | undefined = null;
  if (req.region !== undefined) {
    field(c, S, req, 'region', []);
    if (req.clock !== undefined) c.add('invalid_value', ['clock'], 'no clock with region "subareolar"', req.clock);
  } else clock = field(c, S, req, 'clock', []);
  const distanceCm = req.distanceCm === undefined
    ? c.add('missing_field', ['distanceCm'], 'the distance from the nipple in cm', undefined)
    : field(c, S, req, 'distanceCm', []);
  const third = field(c, S, req, 'depthThird', []);
  if (chestWallDepth !== undefined && third === undefined && c.ok) c.add('missing_field', ['depthThird'], 'depthThird with chestWallDepth', undefined);
  c.done();
  return {
    ...(id !== undefined ? { id } : {}), kind: 'locate',
    input: { breast: breast!, clock: clock!, distanceCm: distanceCm!, ...(third ? { depthThird: third } : {}), ...(chestWallDepth !== undefined ? { chestWallDepth } : {}) },
  };
}

export function computeUltrasound(req: UltrasoundRequest): UltrasoundResult {
  const findings: Finding[] = [];
  const id = req.id !== undefined ? { id: req.id } : {};
  if (req.kind === 'annotate') {
    const annotation = annotate(req.input);
    if (annotation.region === 'subareolar') {
      findings.push({ code: 'subareolar_no_clock', severity: 'info', path: 'position', value: annotation.distanceCm * 10, limit: req.input.subareolarRadius,
        message: `The finding lies within ${req.input.subareolarRadius} mm of the nipple: it is annotated as subareolar, with no clock hour.` });
    }
    return { ...id, annotation, findings };
  }
  if (req.input.clock !== null && req.input.distanceCm === 0) {
    findings.push({ code: 'zero_distance', severity: 'warning', path: 'distanceCm', value: 0,
      message: 'A clock hour at 0 cm from the nipple has no direction: the position is the nipple itself.' });
  }
  return { ...id, located: locate(req.input), findings };
}

export function ultrasound(request: unknown): UltrasoundResult {
  return computeUltrasound(parseUltrasoundRequest(request));
}

export function ultrasoundText(r: UltrasoundResult): string {
  let s = `stereotax ultrasound${r.id ? ` ${r.id}` : ''}\n`;
  if ('annotation' in r) {
    const a = r.annotation;
    s += `  annotation    ${a.label}\n`;
    if (a.angle !== null) s += `  direction     ${a.angle.toFixed(1)} deg clockwise from 12 (seen facing the patient), ${a.side}\n`;
    const codes = [a.codes.laterality, a.codes.location, a.codes.depth].filter((x): x is Coded => !!x);
    s += `  codes         ${codes.map((x) => `${x.scheme} ${x.code} ${x.meaning}`).join('; ')}\n`;
  } else {
    const p = r.located;
    s += `  position      x ${p.position.x.toFixed(1)} mm (toward the patient's left), z ${p.position.z.toFixed(1)} mm (toward the head) from the nipple\n`;
    s += `  uncertainty   the hour spans +/-15 degrees: up to ${p.maxAngularMiss.toFixed(1)} mm across\n`;
    if (p.depthRange) s += `  depth         ${p.depthThird} third: ${p.depthRange[0].toFixed(1)}-${p.depthRange[1].toFixed(1)} mm below the skin\n`;
  }
  return s + findingsText(r.findings);
}
