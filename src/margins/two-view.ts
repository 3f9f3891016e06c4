/**
 * A specimen radiographed in two orthogonal projections. In each view the reader
 * marks the extent of the specimen outline and of the lesion (or the calcification
 * positions) along the two axes the image shows; the engine builds a 3-D estimate.
 * A projection along an axis shows the four margins across the beam and cannot show
 * the two along it. Coordinates are in the specimen frame, mm.
 */
import type { Checker, Path } from '../core/validate.js';
import type { V3 } from './distance.js';
import type { Direction } from './patches.js';
import type { LesionShape, SpecimenShape } from './shapes.js';

type Axis = 'x' | 'y' | 'z';
const AXES: Axis[] = ['x', 'y', 'z'];
/** The frame axes an image shows for a beam along each axis, in this order. */
const IMAGE_AXES: Record<Axis, [Axis, Axis]> = { x: ['y', 'z'], y: ['x', 'z'], z: ['x', 'y'] };

export interface TwoViewView {
  /** The axis the x-ray beam travels along. */
  projection: Axis;
  specimen: { min: [number, number]; max: [number, number] };
  lesion?: { min: [number, number]; max: [number, number] };
  calcifications?: [number, number][];
}

export interface TwoViewInput {
  specimenShape: 'ellipsoid' | 'box';
  lesionShape: 'ellipsoid' | 'box';
  views: [TwoViewView, TwoViewView];
}

export interface TwoViewEstimate {
  specimen: SpecimenShape;
  lesion: LesionShape;
  /** Per frame axis: the extents used (mean of the views that show it) and how far those views disagree. */
  axes: Record<Axis, { specimen: [number, number]; lesion: [number, number]; seenBy: number[]; disagreement: number }>;
  /** Per view: the directions of the margins it shows and those it cannot. */
  views: { projection: Axis; shows: Direction[]; cannotShow: Direction[] }[];
  caveat: string;
}

export const TWO_VIEW_CAVEAT =
  'a 2-D margin is an estimate: specimen-radiograph margins differ from pathology by about 5-6 mm on average (NPV about 32 %, PPV about 98 %: Graham, AJR 1994). Pathology decides.';

function checkExtent(c: Checker, value: unknown, path: Path): { min: [number, number]; max: [number, number] } | undefined {
  const o = c.object(value, path, ['min', 'max'], ['min', 'max']);
  if (!o) return undefined;
  const pair = (v: unknown, p: Path) => {
    const a = c.array(v, p, 2, 2);
    const xs = a?.map((x, i) => c.length(x, [...p, i], { min: -1000, max: 1000 }));
    return xs && xs.every((x) => x !== undefined) ? (xs as [number, number]) : undefined;
  };
  const min = pair(o.min, [...path, 'min']);
  const max = pair(o.max, [...path, 'max']);
  if (!min || !max) return undefined;
  for (let i = 0; i < 2; i++) {
    if (!(max[i] > min[i])) {
      c.add('out_of_range', [...path, 'max', i], `greater than min[${i}] (${min[i]} mm)`, max[i]);
      return undefined;
    }
  }
  return { min, max };
}

export function checkTwoView(c: Checker, value: unknown, path: Path): TwoViewInput | undefined {
  const o = c.object(value, path, ['specimenShape', 'lesionShape', 'views'], ['views']);
  if (!o) return undefined;
  const specimenShape = o.specimenShape === undefined ? 'ellipsoid' : c.oneOf(o.specimenShape, [...path, 'specimenShape'], ['ellipsoid', 'box'] as const);
  const lesionShape = o.lesionShape === undefined ? 'ellipsoid' : c.oneOf(o.lesionShape, [...path, 'lesionShape'], ['ellipsoid', 'box'] as const);
  const list = c.array(o.views, [...path, 'views'], 2, 2);
  if (!list) return undefined;
  const views: TwoViewView[] = [];
  list.forEach((item, k) => {
    const p = [...path, 'views', k];
    const v = c.object(item, p, ['projection', 'specimen', 'lesion', 'calcifications'], ['projection', 'specimen']);
    if (!v) return;
    const projection = c.oneOf(v.projection, [...p, 'projection'], AXES);
    const specimen = checkExtent(c, v.specimen, [...p, 'specimen']);
    let lesion, calcifications: [number, number][] | undefined;
    if ((v.lesion === undefined) === (v.calcifications === undefined)) {
      c.add('missing_field', [...p, 'lesion'], 'either lesion (extent) or calcifications (positions)', undefined,
        `${'views'}[${k}]: give either lesion (its extent) or calcifications (their positions)`);
    } else if (v.lesion !== undefined) lesion = checkExtent(c, v.lesion, [...p, 'lesion']);
    else {
      const pts = c.array(v.calcifications, [...p, 'calcifications'], 1, 100_000);
      calcifications = [];
      pts?.forEach((pt, i) => {
        const a = c.array(pt, [...p, 'calcifications', i], 2, 2);
        const xs = a?.map((x, j) => c.length(x, [...p, 'calcifications', i, j], { min: -1000, max: 1000 }));
        if (xs && xs.every((x) => x !== undefined)) calcifications!.push(xs as [number, number]);
      });
    }
    if (projection && specimen) views.push({ projection, specimen, ...(lesion ? { lesion } : {}), ...(calcifications ? { calcifications } : {}) });
  });
  if (views.length === 2 && views[0].projection === views[1].projection) {
    c.add('duplicate_value', [...path, 'views', 1, 'projection'], `a projection orthogonal to views[0] (not ${views[0].projection})`, views[1].projection);
    return undefined;
  }
  if (views.length !== 2 || !specimenShape || !lesionShape) return undefined;
  return { specimenShape, lesionShape, views: views as [TwoViewView, TwoViewView] };
}

function lesionExtent(v: TwoViewView, i: 0 | 1): [number, number] {
  if (v.lesion) return [v.lesion.min[i], v.lesion.max[i]];
  const xs = v.calcifications!.map((p) => p[i]);
  return [Math.min(...xs), Math.max(...xs)];
}

export function twoViewEstimate(t: TwoViewInput): TwoViewEstimate {
  const axes = {} as TwoViewEstimate['axes'];
  for (const axis of AXES) {
    const seenBy: number[] = [];
    const spec: [number, number][] = [];
    const les: [number, number][] = [];
    t.views.forEach((v, k) => {
      const i = IMAGE_AXES[v.projection].indexOf(axis);
      if (i < 0) return;
      seenBy.push(k);
      spec.push([v.specimen.min[i], v.specimen.max[i]]);
      les.push(lesionExtent(v, i as 0 | 1));
    });
    const mean = (xs: [number, number][]) => [xs.reduce((s, x) => s + x[0], 0) / xs.length, xs.reduce((s, x) => s + x[1], 0) / xs.length] as [number, number];
    const spread = (xs: [number, number][]) => (xs.length < 2 ? 0 : Math.max(Math.abs(xs[0][0] - xs[1][0]), Math.abs(xs[0][1] - xs[1][1])));
    axes[axis] = { specimen: mean(spec), lesion: mean(les), seenBy, disagreement: Math.max(spread(spec), spread(les)) };
  }
  const center = (k: 'specimen' | 'lesion') => AXES.map((a) => (axes[a][k][0] + axes[a][k][1]) / 2) as V3;
  const half = (k: 'specimen' | 'lesion') => AXES.map((a) => (axes[a][k][1] - axes[a][k][0]) / 2) as V3;
  const specimen: SpecimenShape = t.specimenShape === 'box'
    ? { shape: 'box', center: center('specimen'), size: half('specimen').map((h) => 2 * h) as V3 }
    : { shape: 'ellipsoid', center: center('specimen'), semiAxes: half('specimen') };
  const lesion: LesionShape = t.lesionShape === 'box'
    ? { shape: 'box', center: center('lesion'), size: half('lesion').map((h) => 2 * h) as V3 }
    : { shape: 'ellipsoid', center: center('lesion'), semiAxes: half('lesion') };
  const views = t.views.map((v) => {
    const along = v.projection;
    const dirs: Direction[] = ['+x', '-x', '+y', '-y', '+z', '-z'];
    return { projection: along, shows: dirs.filter((d) => d[1] !== along), cannotShow: dirs.filter((d) => d[1] === along) };
  });
  return { specimen, lesion, axes, views, caveat: TWO_VIEW_CAVEAT };
}
