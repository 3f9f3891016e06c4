/**
 * stereotax: stereotactic geometry and needle targeting for breast biopsy and
 * preoperative localization. Millimetres and degrees everywhere; the frame is
 * DICOM's breast biopsy target frame (z = 0 on the support, +z toward the source).
 */
export { StereotaxError, EngineError, formatPath, type Issue, type IssueCode } from './errors.js';
export { Engine, loadEngine, simdSupported, type LoadOptions, type KernelChoice } from './engine/engine.js';
export type { KernelKind } from './engine/kernels.js';
export { TriangulationBatch, COVARIANCE_TERMS, type TriangulationBatchOptions, type CovarianceTerm } from './engine/triangulation-batch.js';
export {
  detectorGap, detectorPlaneZ, rotationRadius, sourcePosition, TYPICAL_GEOMETRIES,
  type UnitGeometry, type Vec3,
} from './geometry.js';
export { hasError, type Finding, type Severity } from './findings.js';
export {
  target, targetWith, computeTargeting, parseTargetingRequest, pixelToDetector,
  DEFAULT_MAX_RAY_GAP,
  type TargetingInput, type TargetingResult, type ViewMark, type DetectorCalibration,
} from './targeting.js';
export {
  verticalNeedle, verticalNeedleFindings, DEFAULT_MIN_STROKE_MARGIN, DEFAULT_WARN_STROKE_MARGIN,
  type NeedleDevice, type NeedleOptions, type VerticalNeedleResult,
} from './needle.js';
export { symmetricEigen3, ellipsoid95, CHI2_3DOF_95, type Uncertainty, type Matrix3 } from './uncertainty.js';
export { parseQuantity, type Quantity } from './units.js';
export { Checker, parseJson } from './validate.js';
export {
  margins, marginsWith, computeMargins, parseMarginsRequest, HISTOLOGY_THRESHOLDS, DEFAULT_ORIENTATION,
  type MarginsInput, type MarginsResult, type Marker, type Histology,
} from './margins/margins.js';
export { EllipsoidDistanceBatch } from './margins/ellipsoid-batch.js';
export { ellipsoidNearest, ellipsoidSignedDistance, boxSignedDistance, sphereSignedDistance, type V3 } from './margins/distance.js';
export { DIRECTIONS, type Direction } from './margins/patches.js';
export type { SpecimenShape, LesionShape } from './margins/shapes.js';
export { TWO_VIEW_CAVEAT, type TwoViewInput, type TwoViewEstimate } from './margins/two-view.js';
