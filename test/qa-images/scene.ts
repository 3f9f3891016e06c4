/** A phantom exposure set built with the forward model: files (DICOM bytes) and the truth they were rendered from. */
import { placeTargets, renderView, type ImageStyle, type Miscalibration, type P3, type Pose, type Profile, type Unit } from './forward.js';
import { writeNative, writeEncapsulated, type ImageHeader } from './dicom-image.js';
import { encode, type Syntax } from './encode.js';

export const UNIT: Unit = { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 };

export const PHANTOM = {
  id: 'bead-block-9', name: 'nine-bead test block', source: 'test forward model',
  beads: { diameter: 1.0 },
  targets: [
    { label: 'A', position: [0, 0, 8] }, { label: 'B', position: [12, 3, 15] }, { label: 'C', position: [-10, 8, 22] },
    { label: 'D', position: [5, -12, 30] }, { label: 'E', position: [-14, -6, 12] }, { label: 'F', position: [16, -9, 25] },
    { label: 'G', position: [-4, 15, 35] }, { label: 'H', position: [9, 13, 5] }, { label: 'I', position: [-16, 14, 18] },
  ] as { label: string; position: P3 }[],
};

export function profileFor(style: ImageStyle, extra: Partial<Profile> = {}): Profile {
  return {
    id: 'room-2', rotationAxisHeight: UNIT.rotationAxisHeight, angleSign: 1,
    detector: { origin: { col: style.columns / 2, row: style.rows / 2 }, colAxis: '+x', rowAxis: '+y' }, ...extra,
  };
}

export const STYLE: ImageStyle = {
  columns: 900, rows: 800, spacing: [0.1, 0.1], photometric: 'MONOCHROME2', bitsStored: 12,
  background: 1200, gradient: [0.4, -0.3], contrast: 800, mu: 2, noise: 12, supersample: 5,
};

export interface SetOptions {
  unit?: Unit;
  style?: Partial<ImageStyle>;
  angles?: number[];
  pose?: Partial<Pose>;
  mis?: Partial<Miscalibration>;
  phantom?: typeof PHANTOM;
  profile?: Partial<Profile>;
  seed?: number;
  thickness?: number;
  /** Per view: header overrides. */
  headers?: Partial<ImageHeader>[];
  implicit?: boolean;
}

export function renderSet(o: SetOptions = {}) {
  const unit = o.unit ?? UNIT;
  const style: ImageStyle = { ...STYLE, ...o.style };
  const phantom = o.phantom ?? PHANTOM;
  const pose: Pose = { turn: 0, tilt: 0, tiltAxis: 0, translation: [0, 0, 2], ...o.pose };
  const angles = o.angles ?? [15, -15];
  const mis: Miscalibration = { angle: angles.map(() => 0), sourceToSupport: 0, rotationAxisHeight: 0, ...o.mis };
  const profile = profileFor(style, { rotationAxisHeight: unit.rotationAxisHeight, ...o.profile });
  const centres = placeTargets(phantom.targets.map((t) => t.position), pose);
  const views = angles.map((a, k) => renderView(unit, mis, k, a, profile, style, centres, phantom.beads.diameter, (o.seed ?? 1) * 1000 + k));
  const names = angles.map((a) => (a > 0 ? `plus${a}.dcm` : a < 0 ? `minus${-a}.dcm` : 'scout.dcm'));
  const headers = views.map((v, k): ImageHeader => ({
      angle: profile.angleSign * v.angle, sourceToDetector: unit.sourceToDetector, sourceToSupport: unit.sourceToSupport,
      thickness: o.thickness ?? 50, role: v.angle > 0 ? 'STEREO_PLUS' : v.angle < 0 ? 'STEREO_MINUS' : 'STEREO_SCOUT', ...o.headers?.[k],
  }));
  const files = views.map((v, k) => ({ name: names[k], bytes: writeNative(style, headers[k], v.pixels, o.implicit) }));
  return { files, views, centres, pose, unit, style, profile, phantom, mis, angles, headers, names };
}

/** The same set with its pixel data encoded in another transfer syntax. */
export async function renderSetAs(syntax: Syntax, o: SetOptions = {}) {
  const set = renderSet(o);
  const files = [];
  for (const [k, v] of set.views.entries()) {
    const e = await encode(syntax, v.pixels, set.style);
    files.push({ name: set.names[k], bytes: writeEncapsulated(set.style, set.headers[k], e.syntax, e.fragments) });
  }
  return { ...set, files };
}
