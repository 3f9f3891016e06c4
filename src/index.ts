/**
 * stereotax: stereotactic geometry and needle targeting for breast biopsy and
 * preoperative localization. Millimetres and degrees everywhere; the frame is
 * DICOM's breast biopsy target frame (z = 0 on the support, +z toward the source).
 *
 * The main entry exports the documented API only (docs/embedding.md lists every name and
 * its stability); phantom QA's full API and what needs Node for it is `stereotax/qa`.
 * Browsers and bundlers get the same names through the `browser` condition, where the
 * worker pool (Node only) rejects with EngineError `threads_unavailable`.
 *
 * @module stereotax
 */

// ---- errors: stable codes (string unions), path, expected, received ----
export { StereotaxError, EngineError, type Issue, type IssueCode, type EngineErrorCode } from './core/errors.js';
export { hasError, type Finding, type Severity } from './core/findings.js';
export { parseJson, Checker } from './core/validate.js';
export { parseQuantity, useMathjsUnits, type Quantity, type MathjsUnits } from './core/units.js';

// ---- the interchange format (generated from schema/*.schema.json) ----
export type {
  TargetingRequest, PlanRequest, MarginsRequest, SimulationScenario, QASessionRequest, UnitProfileRequest,
  TargetingResultDocument, PlanResultDocument, MarginsResultDocument, SimulationSummaryDocument, QAResultDocument,
  AppropriatenessRequestDocument, AxillaryRequestDocument, MriGridRequestDocument, UltrasoundRequestDocument, ReportRequestDocument, CodingRequestDocument,
  MriGridResultDocument, UltrasoundResultDocument, AxillaryResultDocument,
} from './interchange.generated.js';

// ---- the engine ----
export { Engine, loadEngine, createEngine, createSharedEngine, simdSupported, type LoadOptions, type KernelChoice, type CreateEngineOptions } from './engine/engine.js';
export type { KernelKind } from './engine/kernels.js';
export { BlockAllocator, ADDRESS_LIMIT } from './engine/allocator.js';
export { createPool, WorkerPool, type WorkerPoolOptions, type RunOptions } from './workers/index.js';

// ---- targeting ----
export { TYPICAL_GEOMETRIES, detectorPlaneZ, sourcePosition, type UnitGeometry, type Vec3 } from './targeting/geometry.js';

// ---- clinical limits: one rule for every limit (at the limit passes, 1e-9 mm for rounding) ----
export { LIMIT_SLACK_MM, withinMax, exceedsMax, meetsMin, belowMin } from './core/limits.js';

export {
  target, targetWith, parseTargetingRequest,
  type TargetingInput, type TargetingResult, type ViewMark, type DetectorCalibration,
} from './targeting/targeting.js';
export { TriangulationBatch, batchBytes, type TriangulationBatchOptions, type CovarianceTerm } from './targeting/batch.js';
export { triangulateParallel, triangulateRangeTask, triangulateSharedTask, type ParallelOptions } from './targeting/batch-parallel.js';
export { symmetricEigen3, ellipsoid95, CHI2_3DOF_95, type Uncertainty, type Matrix3 } from './targeting/uncertainty.js';
export { readTomosynthesisFrames, type TomosynthesisFrames, type FrameAnchor } from './dicom/tomosynthesis-frames.js';
export type { TomosynthesisInput, TomosynthesisResult } from './targeting/tomosynthesis.js';

// ---- needle and planning ----
export { verticalNeedle, verticalNeedleFindings, type NeedleDevice, type NeedleOptions, type VerticalNeedleResult } from './needle/vertical.js';
export { checkVertical, checkLateral, DEFAULT_LIMITS, type NeedleLimits, type LateralSetup, type NeedleBlock } from './needle/checks.js';
export { plan, planWith, type PlanInput, type PlanResult } from './plan/plan.js';
export { runChecks, type Mitigation, type NeedleScenario } from './plan/mitigations.js';
export { decayedActivity } from './plan/dates.js';
export { shippedCatalog, GAUGE_OUTER_DIAMETER, type Catalog, type BiopsyDevice, type LocalizationDevice } from './devices/catalog.js';

// ---- specimen margins ----
export { margins, marginsWith, computeMargins, parseMarginsRequest, type MarginsInput, type MarginsResult, type Marker, type Histology } from './margins/margins.js';
export { EllipsoidDistanceBatch } from './margins/ellipsoid-batch.js';
export { ellipsoidNearest, ellipsoidSignedDistance, type V3 } from './margins/distance.js';

// ---- DICOM stereo sets ----
export {
  dicomTargets, dicomTargetsWith, dicomSecondOpinionWith,
  type DicomElement, type DicomTargetResult, type DicomErrorElement, type SecondOpinion,
} from './dicom/stereo-set.js';
export type { DicomFile, ImageIdentity } from './dicom/read.js';
export { writeSecondOpinionSR, useDcmjs } from './dicom/sr-load.js';
export type { SrOptions, DcmjsModule } from './dicom/sr.js';
export type { ByteSource } from './dicom/parse.js';
export type { UnitProfile } from './dicom/profile.js';

// ---- clinical records ----
export { procedureReport, reportText, reportHtml, ACR_IMAGE_LABEL_ITEMS, ACR_REPORT_ITEMS, type ProcedureReport } from './records/report.js';
export type { ProcedureRecord } from './records/record.js';
export { coding, CPT_CODES, CODING_RULES, CODING_WARNING, type CodingResult } from './records/coding.js';
export {
  appropriateness, appropriatenessTable, ratingCategory, MORPHOLOGIES,
  type AppropriatenessResult, type AppropriatenessQuery, type RatingCategory,
} from './records/appropriateness.js';
export { mriGrid, shippedGrids, type MriGridRequest, type MriGridResult } from './records/mri-grid.js';
export { ultrasound, annotate, locate, hourOf, mirrorHour, depthThird, type UltrasoundRequest, type UltrasoundResult } from './records/ultrasound.js';
export { axillary, type AxillaryRequest, type AxillaryResult } from './records/axillary.js';

// ---- phantom QA (everything else, and what needs Node, in `stereotax/qa`) ----
export { PhantomQA, NotAnalysedError, type QAResult } from './qa/analysis.js';
export type { QASessionInput } from './qa/session.js';

// ---- research scenarios ----
export { simulate, simulatePart, mergeParts, type SimulateOptions, type SimulationResult, type SimulationPart } from './simulate/run.js';
export { parseScenario, scenarioHash, type Scenario } from './simulate/scenario.js';

// ---- phantom QA from the images (qa-images.md); in Node, 'stereotax/qa-images' adds the wasm codecs ----
export { qaFromImages, analyseImages, imagesPassed, type QAImagesOptions, type QAImagesResult, type Codecs } from './qa-images/index.js';
