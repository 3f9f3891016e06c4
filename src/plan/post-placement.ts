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
import type { Checker, Path } from '../core/validate.js';
import { parseValue } from '../core/schema/index.js';
import { checkStereoPair, PostPlacement } from './request-schema.js';

export { DEFAULT_SUCCESS_DISTANCE } from './request-schema.js';

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

/** The post-placement block, checked against its definition (request-schema.ts). */
export function checkPostPlacement(c: Checker, value: unknown, path: Path): PostPlacementInput | undefined {
  const p = parseValue(c, PostPlacement, value, path);
  if (!p) return undefined;
  const criterion = p.criterion!;
  if (p.stereo) return { method: 'stereo', criterion, targetRequest: p.stereo.target, deviceRequest: p.stereo.device };
  const views = p.orthogonal!.views.map((v): OrthogonalView => ({
    projection: v.projection, target: [v.target[0], v.target[1]], device: [v.device[0], v.device[1]], ...(v.label ? { label: v.label } : {}),
  }));
  return { method: 'orthogonal', criterion, views: views as [OrthogonalView, OrthogonalView] };
}

/** Checks the two stereo requests up front, so that bad input is refused before any computation (checkPostPlacement does it too). */
export function checkStereoRequests(c: Checker, input: PostPlacementInput, path: Path): void {
  if (input.method === 'stereo') checkStereoPair(c, { target: input.targetRequest, device: input.deviceRequest }, path);
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
