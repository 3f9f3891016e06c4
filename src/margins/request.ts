/** The margins request, checked completely (every issue with its path), two-view input turned into solids. */
import { Checker } from '../core/validate.js';
import { DIRECTIONS, type Direction } from './patches.js';
import { checkLesion, checkPoint, checkSpecimen } from './shapes.js';
import { checkTwoView, twoViewEstimate } from './two-view.js';
import { DEFAULT_ORIENTATION, HISTOLOGY_THRESHOLDS, type MarginsInput, type Marker } from './types.js';

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
  if (est) {
    // The solids built from the two views must lie in the same range as given ones
    // (for example a single calcification gives a lesion of no extent).
    const derived = new Checker();
    checkSpecimen(derived, est.specimen, ['twoView', 'specimen']);
    checkLesion(derived, est.lesion, ['twoView', 'lesion']);
    derived.done();
  }
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
