/**
 * The unit's geometry in the DICOM breast-biopsy frame (mm): z = 0 on the breast
 * support, +z toward the source, x the parallax axis. The tube turns about an axis
 * parallel to y at (x = 0, z = rotationAxisHeight); the detector is stationary.
 */

export interface UnitGeometry {
  /** Focal spot to the detector's image plane at 0 degrees (DICOM 0018,1110). */
  sourceToDetector: number;
  /** Focal spot to the breast-support surface at 0 degrees (DICOM 0018,1111). */
  sourceToSupport: number;
  /** z of the tube's rotation axis; negative is below the support. */
  rotationAxisHeight: number;
}

export type { Vec3 } from '../core/vec3.js';
import type { Vec3 } from '../core/vec3.js';

/** Air gap between the breast support and the detector's image plane. */
export function detectorGap(g: UnitGeometry): number {
  return g.sourceToDetector - g.sourceToSupport;
}

/** z of the detector's image plane. */
export function detectorPlaneZ(g: UnitGeometry): number {
  return -(g.sourceToDetector - g.sourceToSupport);
}

/** Distance from the rotation axis to the focal spot. */
export function rotationRadius(g: UnitGeometry): number {
  return g.sourceToSupport - g.rotationAxisHeight;
}

const RAD = Math.PI / 180;

/** The focal spot for a view at `angle` degrees (positive: source on the +x side). */
export function sourcePosition(out: Vec3, g: UnitGeometry, angle: number): Vec3 {
  const r = rotationRadius(g);
  const a = angle * RAD;
  out.x = r * Math.sin(a);
  out.y = 0;
  out.z = g.rotationAxisHeight + r * Math.cos(a);
  return out;
}

export function tanDeg(angle: number): number {
  return Math.tan(angle * RAD);
}

/** Typical units, for examples and defaults; a unit's own documentation always wins. */
export const TYPICAL_GEOMETRIES = {
  /** SID 660 mm, 20 mm air gap, rotation axis in the detector plane. */
  default: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  /** Hologic Selenia Dimensions-like: SID 700 mm, 25 mm gap, pivot at the detector (LAVI-USP DBT parameter files). */
  hologicDimensionsLike: { sourceToDetector: 700, sourceToSupport: 675, rotationAxisHeight: -25 },
  /** GE Senographe Essential-like: SID 660 mm, 22 mm gap, pivot 40 mm above the detector (LAVI-USP DBT parameter files). */
  geEssentialLike: { sourceToDetector: 660, sourceToSupport: 638, rotationAxisHeight: 18 },
} as const satisfies Record<string, UnitGeometry>;
