/** Phantom QA without Node-only parts (browsers too): phantoms, sessions, analysis, status, HTML report. */
export { PhantomQA, NotAnalysedError, analyzeSession, qaSession, qaText, makeCheck, roundingAllowance, CHECK_NAMES,
  type Check, type CheckName, type QAResult, type QAResultData, type QAMeasurementResult, type QAPoints, type QASummary, type AxisSummary, type AnalyzeOptions } from './analysis.js';
export { parseSession, utcToday, DEFAULT_TOLERANCE, DEFAULT_CALCULATION_TOLERANCE, MAX_MARK_RESOLUTION, type QASessionInput, type QAUnit, type QALimits, type QAFacility, type QATeam, type PerAxis, type SessionKind, type ParseOptions } from './session.js';
export { shippedPhantoms, checkPhantom, checkPhantoms, phantomLibrary, type Phantom, type PhantomTarget } from './phantoms.js';
export { unitStatus, unitHistory, subtractMonths, surveyStatus, driftWarnings, DEFAULT_WINDOW_MONTHS, SURVEY_MONTHS, DRIFT_SESSIONS, type SurveyRow, type SurveyStatus, type DriftWarning, type ServiceEntry, type StatusReport, type UnitStatusRow, type UnitStatus, type StoredSession, type StoredUnit, type HistoryReport } from './history.js';
export { qaReportHtml, reportContent, reportHtml, localTime, type ReportContent, type ReportOptions } from './report.js';
export { errorsSpec, trendSpec, renderSvg } from './figures.js';
export { parseConsoleCsv, parseConsoleJson, parseConsoleFile, mergeConsole, type ConsoleRow } from './console-import.js';
export { STEREOTAX_VERSION } from './version.js';
