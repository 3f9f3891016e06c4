/**
 * stereotax: stereotactic geometry and needle targeting for breast biopsy and
 * preoperative localization. Millimetres and degrees everywhere; the frame is
 * DICOM's breast biopsy target frame (z = 0 on the support, +z toward the source).
 */
export { StereotaxError, EngineError, formatPath, type Issue, type IssueCode } from './core/errors.js';
export { Engine, loadEngine, simdSupported, type LoadOptions, type KernelChoice } from './engine/engine.js';
export type { KernelKind } from './engine/kernels.js';
export { createPool, WorkerPool, withTransfer, type WorkerPoolOptions, type RunOptions } from './workers/index.js';
export { TriangulationBatch, COVARIANCE_TERMS, type TriangulationBatchOptions, type CovarianceTerm } from './targeting/batch.js';
export {
  detectorGap, detectorPlaneZ, rotationRadius, sourcePosition, TYPICAL_GEOMETRIES,
  type UnitGeometry, type Vec3,
} from './targeting/geometry.js';
export { hasError, type Finding, type Severity } from './core/findings.js';
export {
  target, targetWith, computeTargeting, parseTargetingRequest, pixelToDetector,
  DEFAULT_MAX_RAY_GAP,
  type TargetingInput, type TargetingResult, type ViewMark, type DetectorCalibration,
} from './targeting/targeting.js';
export {
  verticalNeedle, verticalNeedleFindings, DEFAULT_MIN_STROKE_MARGIN, DEFAULT_WARN_STROKE_MARGIN,
  type NeedleDevice, type NeedleOptions, type VerticalNeedleResult,
} from './needle/vertical.js';
export { symmetricEigen3, ellipsoid95, CHI2_3DOF_95, type Uncertainty, type Matrix3 } from './targeting/uncertainty.js';
export { parseQuantity, type Quantity } from './core/units.js';
export { Checker, parseJson } from './core/validate.js';
export {
  margins, marginsWith, computeMargins, parseMarginsRequest, HISTOLOGY_THRESHOLDS, DEFAULT_ORIENTATION,
  type MarginsInput, type MarginsResult, type Marker, type Histology,
} from './margins/margins.js';
export { EllipsoidDistanceBatch } from './margins/ellipsoid-batch.js';
export { ellipsoidNearest, ellipsoidSignedDistance, boxSignedDistance, sphereSignedDistance, type V3 } from './margins/distance.js';
export { DIRECTIONS, type Direction } from './margins/patches.js';
export type { SpecimenShape, LesionShape } from './margins/shapes.js';
export { TWO_VIEW_CAVEAT, type TwoViewInput, type TwoViewEstimate } from './margins/two-view.js';
export { plan, planWith, computePlan, parsePlanRequest, type PlanInput, type PlanResult } from './plan/plan.js';
export { checkVertical, checkLateral, DEFAULT_LIMITS, type NeedleLimits, type LateralSetup, type NeedleBlock, type VerticalBlock, type LateralBlock } from './needle/checks.js';
export { mitigate, runChecks, type Mitigation, type NeedleScenario } from './plan/mitigations.js';
export { planLocalization, type LocalizationInput, type LocalizationResult, type Guidance } from './plan/localization.js';
export { checkPlacement, DEFAULT_SUCCESS_DISTANCE, type PostPlacementInput, type PostPlacementResult } from './plan/post-placement.js';
export { decayedActivity } from './plan/dates.js';
export {
  shippedCatalog, checkCatalog, mergeCatalogs, GAUGE_OUTER_DIAMETER,
  type Catalog, type BiopsyDevice, type LocalizationDevice, type BiopsyKind, type LocalizationKind,
} from './devices/catalog.js';

// Engine: memory, ranges and threads (issue 7.1, issue 10).
export { createEngine, createSharedEngine, type CreateEngineOptions, type SharedEngineHandle } from './engine/engine.js';
export { BlockAllocator, ADDRESS_LIMIT, MAX_WASM_PAGES, WASM_PAGE_BYTES, type AllocatorHost } from './engine/allocator.js';
export { batchBytes } from './targeting/batch.js';
export {
  triangulateParallel, triangulateRangeTask, triangulateSharedTask, DEFAULT_CHUNK,
  type ParallelOptions, type TriangulateRangePayload, type TriangulateRangeResult, type TriangulateSharedPayload,
} from './targeting/batch-parallel.js';

// DICOM stereo sets, tomosynthesis targeting and the published schemas (dicom-schemas).
export {
  dicomTargets, dicomTargetsWith, readStereoSet, buildStereoRequests, SET_AGREEMENT,
  type DicomElement, type DicomTargetResult, type DicomErrorElement, type DicomBlock, type DicomTargetRequest,
} from './dicom/stereo-set.js';
export { readStereoImage, type DicomFile, type StereoImage, type DicomTargetMark } from './dicom/read.js';
export { parseUnitProfile, DEFAULT_CONSOLE_TOLERANCE, type UnitProfile } from './dicom/profile.js';
export { TAGS as DICOM_TAGS } from './dicom/tags.js';
export { readTomosynthesisFrames, type TomosynthesisFrames, type FrameAnchor } from './dicom/tomosynthesis-frames.js';
export {
  parseTomosynthesisRequest, computeTomosynthesis,
  type TomosynthesisInput, type TomosynthesisSetup, type TomosynthesisResult, type TomosynthesisUncertainty, type TomosynthesisBlock,
} from './targeting/tomosynthesis.js';

// --- Clinical records: report, coding, appropriateness, MRI grid, ultrasound, axillary (src/records) ---
export { codeFor, shippedCodes, type Coded, type Laterality, type Point3 } from './records/common.js';
export { parseProcedureRecord, GUIDANCES, type ProcedureRecord, type RecordLesion, type RecordGuidance, type EmbeddedResult } from './records/record.js';
export {
  procedureReport, buildReport, checkCompleteness, reportText, reportHtml, ACR_IMAGE_LABEL_ITEMS, ACR_REPORT_ITEMS, ACR_DOCUMENTATION_SOURCE,
  type ProcedureReport, type Completeness, type MissingItem, type AcrItem, type ReportLesion,
} from './records/report.js';
export { coding, codeRecord, codingText, CPT_CODES, CODING_RULES, CODING_NOT_SHIPPED, CODING_WARNING, type CodingResult, type CodedLine, type CptCode, type CodingRule } from './records/coding.js';
export {
  appropriateness, appropriatenessTable, lookupAppropriateness, parseAppropriatenessQuery, appropriatenessText, ratingCategory,
  MORPHOLOGIES, DISTRIBUTIONS, APPROPRIATENESS_SOURCE,
  type AppropriatenessResult, type AppropriatenessVariant, type AppropriatenessQuery, type ProcedureRating, type RatingCategory,
} from './records/appropriateness.js';
export { mriGrid, computeMriGrid, parseMriGridRequest, mriGridText, shippedGrids, MRI_GRID_CONVENTIONS, type MriGridRequest, type MriGridResult, type GridDevice } from './records/mri-grid.js';
export {
  ultrasound, annotate, locate, hourOf, mirrorHour, depthThird, parseUltrasoundRequest, computeUltrasound, ultrasoundText, ULTRASOUND_CONVENTIONS,
  type UltrasoundAnnotation, type UltrasoundPosition, type UltrasoundResult, type DepthThird,
} from './records/ultrasound.js';
export { axillary, computeAxillary, parseAxillaryRequest, axillaryText, AXILLARY_FACTS, type AxillaryRequest, type AxillaryResult } from './records/axillary.js';

// Phantom QA (spec qa.md); the history store and the PDF need Node: `stereotax/qa`.
export * from './qa/index.js';

// ---- research scenarios (stereotax simulate) ----
export { simulate, simulatePart, mergeParts, shardBlocks, type SimulateOptions, type SimulationResult, type SimulationPart, type SweepResult, type TaskRunner } from './simulate/run.js';
export { parseScenario, expandScenario, scenarioHash, canonicalJson, type Scenario, type Dist, type SweepPoint } from './simulate/scenario.js';
export { proportion, WILSON_Z, type Summary, type Stats, type RStats, type ErrorStats, type Proportion, type Manifest } from './simulate/summary.js';
export { BLOCK_SIZE } from './simulate/kernel.js';
export { toCsv } from './simulate/csv.js';

// Phantom QA from the images (qa-images.md); in Node, 'stereotax/qa-images' adds the wasm codecs.
export { qaFromImages, analyseImages, imagesPassed, type QAImagesOptions, type QAImagesResult, type Codecs } from './qa-images/index.js';
