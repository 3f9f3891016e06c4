/**
 * Post-placement check: where did the device land relative to the target? From two
 * orthogonal mammograms (each shows two frame axes: a beam along z shows x and y)
 * or from a stereo pair (both triangulated). Success by default: within 10 mm in
 * every plane (NHSBSP audit standard for wire localization), overridable.
 */
import type { Engine } from '../engine/engine.js';
import { mm, type Finding } from '../core/findings.js';
import { withinMax } from '../core/limits.js';
import type { Vec3 } from '../targeting/geometry.js';
import { computeTargeting, parseTargetingRequest } from '../targeting/targeting.js';
import { formatPath, type StereotaxError } from '../core/errors.js';
import type { Checker, Path } from '../core/validate.js';

export const DEFAULT_SUCCESS_DISTANCE = 10;

type Axis = 'x' | 'y' | 'z';
const IMAGE_AXES: Record<Axis, [Axis, Axis]> = { x: ['y', 'z'], y: ['x', 'z'], z: ['x', 'y'] };

export interface OrthogonalView { projection: Axis; label?: string; target: [number, number]; device: [number, number] }

export type PostPlacementInput =
  | { method: 'orthogonal'; criterion: number; views: [OrthogonalView, OrthogonalView] }
  | { method: 'stereo'; criterion: number; targetRequest: unknown; deviceRequest: unknown };

export interface PostPlacementResult {
  method: 'orthogonal' | 'stereo';
  target: Vec3;
  device: Vec3;
  /** device - target per axis (mm). */
  offset: Vec3;
  distance: number;
  /** The distance seen in each plane: each view for orthogonal mammograms, the xy, xz and yz planes for stereo. */
  planes: { plane: string; distance: number }[];
  criterion: number;
  success: boolean;
}

function pair(c: Checker, v: unknown, p: Path): [number, number] | undefined {
  const a = c.array(v, p, 2, 2);
  const xs = a?.map((x, i) => c.length(x, [...p, i], { min: -1000, max: 1000 }));
  return xs && xs.every((x) => x !== undefined) ? (xs as [number, number]) : undefined;
}

export function checkPostPlacement(c: Checker, value: unknown, path: Path): PostPlacementInput | undefined {
  const o = c.object(value, path, ['criterion', 'orthogonal', 'stereo'], []);
  if (!o) return undefined;
  const criterion = o.criterion === undefined ? DEFAULT_SUCCESS_DISTANCE : c.length(o.criterion, [...path, 'criterion'], { above: 0, max: 100 });
  if ((o.orthogonal === undefined) === (o.stereo === undefined)) {
    c.add('missing_field', [...path, 'orthogonal'], 'either orthogonal (two mammograms) or stereo (a stereo pair), one of them', undefined);
    return undefined;
  }
  if (o.stereo !== undefined) {
    const s = c.object(o.stereo, [...path, 'stereo'], ['target', 'device'], ['target', 'device']);
    if (!s || criterion === undefined) return undefined;
    return { method: 'stereo', criterion, targetRequest: s.target, deviceRequest: s.device };
  }
  const ortho = c.object(o.orthogonal, [...path, 'orthogonal'], ['views'], ['views']);
  const list = ortho && c.array(ortho.views, [...path, 'orthogonal', 'views'], 2, 2);
  const views: OrthogonalView[] = [];
  list?.forEach((item, k) => {
    const p = [...path, 'orthogonal', 'views', k];
    const v = c.object(item, p, ['projection', 'label', 'target', 'device'], ['projection', 'target', 'device']);
    if (!v) return;
    const projection = c.oneOf(v.projection, [...p, 'projection'], ['x', 'y', 'z'] as const);
    const label = v.label === undefined ? undefined : c.string(v.label, [...p, 'label'], 20);
    const target = pair(c, v.target, [...p, 'target']);
    const device = pair(c, v.device, [...p, 'device']);
    if (projection && target && device) views.push({ projection, target, device, ...(label ? { label } : {}) });
  });
  if (views.length === 2 && views[0].projection === views[1].projection) {
    c.add('duplicate_value', [...path, 'orthogonal', 'views', 1, 'projection'], `a projection orthogonal to views[0] (not ${views[0].projection})`, views[1].projection);
  }
  if (views.length !== 2 || criterion === undefined || views[0].projection === views[1].projection) return undefined;
  return { method: 'orthogonal', criterion, views: views as [OrthogonalView, OrthogonalView] };
}

/** Checks the two stereo requests up front, so that bad input is refused before any computation. */
export function checkStereoRequests(c: Checker, input: PostPlacementInput, path: Path): void {
  if (input.method !== 'stereo') return;
  for (const [who, req] of [['target', input.targetRequest], ['device', input.deviceRequest]] as const) {
    try {
      parseTargetingRequest(req);
    } catch (e) {
      for (const issue of (e as StereotaxError).issues ?? []) {
        const where = formatPath([...path, who]) + (issue.path ? (issue.path.startsWith('[') ? '' : '.') + issue.path : '');
        c.issues.push({ ...issue, path: where, message: `${where}: expected ${issue.expected}, received ${issue.received}` });
      }
    }
  }
}

export function checkPlacement(engine: Engine, input: PostPlacementInput): { result: PostPlacementResult; findings: Finding[] } {
  let target: Vec3, device: Vec3;
  let planes: { plane: string; distance: number }[];
  const findings: Finding[] = [];
  if (input.method === 'stereo') {
    const t = computeTargeting(engine, parseTargetingRequest(input.targetRequest));
    const d = computeTargeting(engine, parseTargetingRequest(input.deviceRequest));
    for (const [who, r] of [['target', t], ['device', d]] as const) {
      for (const f of r.findings) if (f.severity === 'error') findings.push({ ...f, path: `postPlacement.stereo.${who}.${f.path ?? ''}` });
    }
    target = t.target;
    device = d.target;
    const o = { x: device.x - target.x, y: device.y - target.y, z: device.z - target.z };
    planes = [['xy', o.x, o.y], ['xz', o.x, o.z], ['yz', o.y, o.z]].map(([plane, a, b]) => ({ plane: plane as string, distance: Math.hypot(a as number, b as number) }));
  } else {
    // Each frame axis from the view(s) that show it; the shared axis is the mean of both.
    const acc: Record<Axis, { t: number[]; d: number[] }> = { x: { t: [], d: [] }, y: { t: [], d: [] }, z: { t: [], d: [] } };
    for (const v of input.views) {
      IMAGE_AXES[v.projection].forEach((axis, i) => {
        acc[axis].t.push(v.target[i]);
        acc[axis].d.push(v.device[i]);
      });
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    target = { x: mean(acc.x.t), y: mean(acc.y.t), z: mean(acc.z.t) };
    device = { x: mean(acc.x.d), y: mean(acc.y.d), z: mean(acc.z.d) };
    planes = input.views.map((v) => ({
      plane: v.label ?? `view along ${v.projection}`,
      distance: Math.hypot(v.device[0] - v.target[0], v.device[1] - v.target[1]),
    }));
  }
  const offset = { x: device.x - target.x, y: device.y - target.y, z: device.z - target.z };
  const distance = Math.hypot(offset.x, offset.y, offset.z);
  const success = planes.every((p) => withinMax(p.distance, input.criterion));
  if (!success) {
    const worst = planes.reduce((a, b) => (b.distance > a.distance ? b : a));
    findings.push({ code: 'device_far_from_target', severity: 'error', path: 'postPlacement', value: worst.distance, limit: input.criterion,
      message: `the device lies ${mm(worst.distance)} from the target in the ${worst.plane} plane (criterion: within ${mm(input.criterion)} in every plane; 3-D distance ${mm(distance)}).` });
  }
  return { result: { method: input.method, target, device, offset, distance, planes, criterion: input.criterion, success }, findings };
}
