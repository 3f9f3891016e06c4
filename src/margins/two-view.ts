/**
 * A specimen radiographed in two orthogonal projections. In each view the reader
 * marks the extent of the specimen outline and of the lesion (or the calcification
 * positions) along the two axes the image shows; the engine builds a 3-D estimate.
 * A projection along an axis shows the four margins across the beam and cannot show
 * the two along it. Coordinates are in the specimen frame, mm.
 */
import type { Checker, Path } from '../core/validate.js';
import { parseValue } from '../core/schema/index.js';
import { TwoView, type TwoViewParsed } from './schema.js';
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

/** The two-view block, checked against its definition (schema.ts): the views, their extents, orthogonal projections. */
export function checkTwoView(c: Checker, value: unknown, path: Path): TwoViewInput | undefined {
  const t = parseValue(c, TwoView, value, path);
  return t && twoViewInput(t);
}

/** The validated two-view block as the estimate's input. */
export function twoViewInput(t: TwoViewParsed): TwoViewInput {
  const extent = (e: { min: number[]; max: number[] }) => ({ min: [e.min[0], e.min[1]] as [number, number], max: [e.max[0], e.max[1]] as [number, number] });
  const views = t.views.map((v): TwoViewView => ({
    projection: v.projection,
    specimen: extent(v.specimen),
    ...(v.lesion ? { lesion: extent(v.lesion) } : {}),
    ...(v.calcifications ? { calcifications: v.calcifications.map((p) => [p[0], p[1]] as [number, number]) } : {}),
  }));
  return { specimenShape: t.specimenShape!, lesionShape: t.lesionShape!, views: views as [TwoViewView, TwoViewView] };
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
