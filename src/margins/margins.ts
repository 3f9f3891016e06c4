/**
 * Specimen margins (spec section 7): how close the lesion comes to the surface of
 * what was removed, per named margin, and whether the markers came out with it.
 *
 * Definitions used (mm, specimen frame):
 * - margins[name]: for the surface patch whose outward normal points most nearly
 *   along the direction mapped to `name`, the smallest distance from the lesion to
 *   that patch; negative when the lesion reaches through it (then: minus how far
 *   beyond the surface the lesion reaches, or for a solid lesion crossing the patch,
 *   minus the depth of the patch inside the lesion).
 * - closestMargin: the smallest of the six, i.e. the lesion's distance to the surface.
 * - status: "involved" when closestMargin <= 0 (ink on tumour); "close" when
 *   0 < closestMargin < threshold; "clear" when closestMargin >= threshold. Exactly
 *   at a positive threshold is therefore clear; with threshold 0 only > 0 is clear.
 */
import type { Engine } from '../engine/engine.js';
import { loadEngine, type LoadOptions } from '../engine/engine.js';
import { mm, type Finding } from '../core/findings.js';
import { Checker } from '../core/validate.js';
import { ellipsoidNearest, type V3 } from './distance.js';
import { EllipsoidDistanceBatch } from './ellipsoid-batch.js';
import { DIRECTIONS, directionAxis, minimizeOverSquare, patchOf, patchPoint, type Direction } from './patches.js';
import {
  checkLesion, checkPoint, checkSpecimen, ellipsoidAxes, lesionSignedDistance, solidSignedDistance,
  type LesionShape, type SpecimenShape,
} from './shapes.js';
import { checkTwoView, twoViewEstimate, type TwoViewEstimate } from './two-view.js';

export type Histology = 'invasive' | 'dcis';
/** Guideline thresholds: invasive "no ink on tumour" (SSO-ASTRO 2014); DCIS 2 mm (SSO-ASTRO-ASCO 2016). */
export const HISTOLOGY_THRESHOLDS: Record<Histology, number> = { invasive: 0, dcis: 2 };
export const DEFAULT_ORIENTATION: Record<Direction, string> = {
  '+x': '+x', '-x': '-x', '+y': '+y', '-y': '-y', '+z': '+z', '-z': '-z',
};

export interface Marker { name: string; point: V3 }

export interface MarginsInput {
  id?: string;
  specimen: SpecimenShape;
  lesion: LesionShape;
  orientation: Record<Direction, string>;
  histology?: Histology;
  threshold: number;
  thresholdSource: 'request' | Histology;
  markers: Marker[];
  twoView?: TwoViewEstimate;
}

export interface MarginsResult {
  id?: string;
  closestMargin: number;
  /** The named margin that is closest. */
  closestName: string;
  margins: Record<string, number>;
  threshold: number;
  thresholdSource: 'request' | Histology;
  status: 'involved' | 'close' | 'clear';
  markers: { name: string; inside: boolean; distance: number }[];
  /** With two-view input: the 3-D estimate and what each view can and cannot show. */
  twoView?: TwoViewEstimate;
  findings: Finding[];
}

const FIELDS = ['id', 'specimen', 'lesion', 'orientation', 'histology', 'threshold', 'markers', 'twoView'];

function checkOrientation(c: Checker, value: unknown): Record<Direction, string> | undefined {
  const o = c.object(value, ['orientation'], [...DIRECTIONS], [...DIRECTIONS]);
  if (!o) return undefined;
  const out = {} as Record<Direction, string>;
  const seen = new Map<string, Direction>();
  let ok = true;
  for (const d of DIRECTIONS) {
    if (o[d] === undefined) { ok = false; continue; }
    const name = c.string(o[d], ['orientation', d], 40);
    if (name === undefined) { ok = false; continue; }
    if (name.trim() === '') { c.add('invalid_value', ['orientation', d], 'a margin name', name); ok = false; continue; }
    const twice = seen.get(name);
    if (twice) {
      c.add('duplicate_value', ['orientation', d], `a name not already used (it names ${twice} too)`, name);
      ok = false;
    }
    seen.set(name, d);
    out[d] = name;
  }
  return ok ? out : undefined;
}

/** Checks a margins request completely; throws a StereotaxError listing every issue. */
export function parseMarginsRequest(request: unknown): MarginsInput {
  const c = new Checker();
  const r = c.object(request, [], FIELDS, []);
  if (!r) c.done();
  const req = r!;
  const id = c.optional(req, 'id', (v) => c.string(v, ['id']));
  const twoView = req.twoView === undefined ? undefined : checkTwoView(c, req.twoView, ['twoView']);
  if (req.twoView !== undefined && (req.specimen !== undefined || req.lesion !== undefined)) {
    c.add('invalid_value', ['twoView'], 'either twoView or specimen and lesion, not both', 'both');
  }
  if (req.twoView === undefined) {
    if (req.specimen === undefined) c.add('missing_field', ['specimen'], 'a specimen shape', undefined, 'specimen: required, missing (or give twoView)');
    if (req.lesion === undefined) c.add('missing_field', ['lesion'], 'a lesion shape', undefined, 'lesion: required, missing (or give twoView)');
  }
  const specimen = req.specimen === undefined ? undefined : checkSpecimen(c, req.specimen, ['specimen']);
  const lesion = req.lesion === undefined ? undefined : checkLesion(c, req.lesion, ['lesion']);
  const orientation = req.orientation === undefined ? DEFAULT_ORIENTATION : checkOrientation(c, req.orientation);
  const histology = c.optional(req, 'histology', (v) => c.oneOf(v, ['histology'], ['invasive', 'dcis'] as const));
  const threshold = c.optional(req, 'threshold', (v) => c.length(v, ['threshold'], { min: 0, max: 50 }));
  if (req.histology === undefined && req.threshold === undefined) {
    c.add('missing_field', ['histology'], 'histology ("invasive": 0 mm, "dcis": 2 mm) or a threshold in mm', undefined,
      'histology: required unless a threshold is given ("invasive" applies 0 mm, "dcis" 2 mm)');
  }
  const markers: Marker[] = [];
  const list = c.optional(req, 'markers', (v) => c.array(v, ['markers'], 0, 100));
  list?.forEach((m, i) => {
    const o = c.object(m, ['markers', i], ['name', 'point'], ['name', 'point']);
    const name = o && c.string(o.name, ['markers', i, 'name'], 60);
    const point = o && checkPoint(c, o.point, ['markers', i, 'point']);
    if (name !== undefined && point) markers.push({ name, point });
  });
  c.done();
  const est = twoView ? twoViewEstimate(twoView) : undefined;
  const input: MarginsInput = {
    specimen: est ? est.specimen : specimen!,
    lesion: est ? est.lesion : lesion!,
    orientation: orientation!,
    threshold: threshold ?? HISTOLOGY_THRESHOLDS[histology!],
    thresholdSource: threshold !== undefined ? 'request' : histology!,
    markers,
  };
  if (id !== undefined) input.id = id;
  if (histology) input.histology = histology;
  if (est) input.twoView = est;
  return input;
}

/** Exact distance from p to the face rectangle of a box specimen. */
function boxFaceDistance(s: Extract<SpecimenShape, { shape: 'box' }>, d: Direction, p: V3): number {
  const { axis, sign } = directionAxis(d);
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const h = s.size[i] / 2;
    const q = i === axis ? s.center[i] + sign * h : Math.min(s.center[i] + h, Math.max(s.center[i] - h, p[i]));
    sum += (p[i] - q) ** 2;
  }
  return Math.sqrt(sum);
}

/** Distance from p to the patch of direction d. */
function patchDistance(s: SpecimenShape, d: Direction, p: V3, nearest?: V3): number {
  if (s.shape === 'box') return boxFaceDistance(s, d, p);
  const near = nearest ?? ellipsoidNearest(s.center, ellipsoidAxes(s)!, p).point;
  if (patchOf(s, near) === d) return Math.hypot(p[0] - near[0], p[1] - near[1], p[2] - near[2]);
  const q: V3 = [0, 0, 0];
  return minimizeOverSquare((a, b) => {
    patchPoint(s, d, a, b, q);
    return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
  }).value;
}

interface Centre { p: V3; signed: number; nearest: V3 }

/** Signed distance to the specimen surface (positive outside) and the nearest surface point, for many points. */
function specimenDistances(engine: Engine, s: SpecimenShape, points: V3[]): Centre[] {
  const A = ellipsoidAxes(s);
  if (s.shape === 'box') {
    return points.map((p) => {
      const signed = solidSignedDistance(s, p);
      // The nearest face point: clamp into the box, then push the coordinate with the least slack to its face.
      const h = s.size.map((x) => x / 2);
      const q = p.map((x, i) => Math.min(s.center[i] + h[i], Math.max(s.center[i] - h[i], x))) as V3;
      if (signed < 0) {
        let best = 0, slack = Infinity;
        for (let i = 0; i < 3; i++) {
          const sl = h[i] - Math.abs(p[i] - s.center[i]);
          if (sl < slack) { slack = sl; best = i; }
        }
        q[best] = s.center[best] + Math.sign(p[best] - s.center[best] || 1) * h[best];
      }
      return { p, signed, nearest: q };
    });
  }
  if (!points.length) return [];
  const batch = new EllipsoidDistanceBatch(engine, { capacity: points.length, center: s.center, semiAxes: A! });
  try {
    const x = batch.x, y = batch.y, z = batch.z;
    points.forEach((p, i) => { x[i] = p[0]; y[i] = p[1]; z[i] = p[2]; });
    batch.run();
    const sd = batch.signed, nx = batch.nearestX, ny = batch.nearestY, nz = batch.nearestZ;
    return points.map((p, i) => ({ p, signed: sd[i], nearest: [nx[i], ny[i], nz[i]] as V3 }));
  } finally {
    batch.dispose();
  }
}

/** Named margins of a lesion made of balls (sphere, or points with a radius): exact per centre. */
function ballMargins(engine: Engine, s: SpecimenShape, centres: V3[], radius: number): Record<Direction, number> {
  const info = specimenDistances(engine, s, centres);
  const out = {} as Record<Direction, number>;
  for (const d of DIRECTIONS) out[d] = Infinity;
  // A centre outside the specimen reaches through the patch of its nearest surface point.
  for (const c of info) {
    // Inside, -signed is the depth below the surface; outside, it is minus the distance beyond it.
    const home = patchOf(s, c.nearest);
    const own = -c.signed - radius;
    if (own < out[home]) out[home] = own;
  }
  // Other patches: a centre is never closer to a patch than to the surface, so scan
  // centres by their surface distance and stop once that bound cannot win.
  const byDistance = [...info].sort((a, b) => Math.abs(a.signed) - Math.abs(b.signed));
  for (const d of DIRECTIONS) {
    for (const c of byDistance) {
      if (Math.abs(c.signed) - radius >= out[d]) break;
      if (patchOf(s, c.nearest) === d) continue;
      const v = patchDistance(s, d, c.p, c.nearest) - radius;
      if (v < out[d]) out[d] = v;
    }
  }
  return out;
}

/** Named margins of a solid lesion (box, ellipsoid) whose centre is inside the specimen. */
function solidMargins(s: SpecimenShape, l: Extract<LesionShape, { shape: 'box' | 'ellipsoid' }>): Record<Direction, number> {
  const out = {} as Record<Direction, number>;
  const q: V3 = [0, 0, 0];
  for (const d of DIRECTIONS) {
    out[d] = minimizeOverSquare((a, b) => lesionSignedDistance(l, patchPoint(s, d, a, b, q))).value;
  }
  return out;
}

/** The lowest specimen depth (positive inside) over a solid lesion: for a lesion lying outside. */
function deepestOutside(s: SpecimenShape, l: Extract<LesionShape, { shape: 'box' | 'ellipsoid' }>): { value: number; point: V3 } {
  let best = { value: Infinity, point: [0, 0, 0] as V3 };
  const q: V3 = [0, 0, 0];
  for (const d of DIRECTIONS) {
    const m = minimizeOverSquare((a, b) => -solidSignedDistance(s, patchPoint(l, d, a, b, q)));
    if (m.value < best.value) best = { value: m.value, point: [...patchPoint(l, d, m.alpha, m.beta)] as V3 };
  }
  return best;
}

export function computeMargins(engine: Engine, input: MarginsInput): MarginsResult {
  const { specimen: s, lesion: l } = input;
  let byDirection: Record<Direction, number>;
  if (l.shape === 'sphere') byDirection = ballMargins(engine, s, [l.center], l.radius);
  else if (l.shape === 'points') byDirection = ballMargins(engine, s, l.points, l.radius);
  else if (solidSignedDistance(s, l.center) <= 0) byDirection = solidMargins(s, l);
  else {
    // The lesion's centre is outside the specimen: it reaches through the patch nearest its deepest point outside.
    byDirection = solidMargins(s, l);
    const deep = deepestOutside(s, l);
    const home = patchOf(s, ellipsoidAxes(s) ? ellipsoidNearest(s.center, ellipsoidAxes(s)!, deep.point).point : deep.point);
    byDirection[home] = Math.min(byDirection[home], deep.value);
  }
  const margins: Record<string, number> = {};
  let closestMargin = Infinity;
  let closestName = '';
  for (const d of DIRECTIONS) {
    margins[input.orientation[d]] = byDirection[d];
    if (byDirection[d] < closestMargin) {
      closestMargin = byDirection[d];
      closestName = input.orientation[d];
    }
  }
  const threshold = input.threshold;
  const status = closestMargin <= 0 ? 'involved' : closestMargin < threshold ? 'close' : 'clear';
  const markerInfo = specimenDistances(engine, s, input.markers.map((m) => m.point));
  const markers = input.markers.map((m, i) => ({ name: m.name, inside: markerInfo[i].signed <= 0, distance: Math.abs(markerInfo[i].signed) }));

  const findings: Finding[] = [];
  for (const d of DIRECTIONS) {
    const name = input.orientation[d];
    const v = byDirection[d];
    if (v <= 0) {
      findings.push({ code: 'margin_involved', severity: 'error', path: `margins.${name}`, value: v, limit: 0,
        message: `${name} margin involved (${mm(v)}): the lesion reaches the ${name} surface (${d}). Consider taking more tissue from the ${name} side.` });
    } else if (v < threshold) {
      findings.push({ code: 'margin_close', severity: 'warning', path: `margins.${name}`, value: v, limit: threshold,
        message: `${name} margin ${mm(v)} is under ${mm(threshold)}${input.histology ? ` (${input.histology})` : ''}.` });
    }
  }
  markers.forEach((m, i) => {
    if (!m.inside) {
      findings.push({ code: 'marker_not_in_specimen', severity: 'error', path: `markers[${i}]`, value: m.distance, limit: 0,
        message: `${m.name} is ${mm(m.distance)} outside the specimen: the image must show it removed. Look for it in the cavity or the specimen radiograph.` });
    }
  });
  if (input.twoView) {
    findings.push({ code: 'two_view_estimate', severity: 'info', path: 'twoView',
      message: 'margins from a two-view specimen radiograph are estimates: 2-D measurements differ from pathology by about 5-6 mm on average, and a clear-looking margin is unreliable (NPV about 32 %) while a margin the lesion reaches is usually truly involved (PPV about 98 %; Graham, AJR 1994).' });
  }
  const result: MarginsResult = {
    ...(input.id !== undefined ? { id: input.id } : {}),
    closestMargin,
    closestName,
    margins,
    threshold,
    thresholdSource: input.thresholdSource,
    status,
    markers,
  } as MarginsResult;
  if (input.twoView) result.twoView = input.twoView;
  result.findings = findings;
  return result;
}

export async function margins(request: unknown, options: LoadOptions = {}): Promise<MarginsResult> {
  const input = parseMarginsRequest(request);
  return computeMargins(await loadEngine(options), input);
}

export function marginsWith(engine: Engine, request: unknown): MarginsResult {
  return computeMargins(engine, parseMarginsRequest(request));
}
