/** Phantom QA without Node-only parts (browsers too): phantoms, sessions, analysis, status, HTML report. */
export { PhantomQA, NotAnalysedError, analyzeSession, qaSession, qaText, makeCheck, CHECK_NAMES,
  type Check, type CheckName, type QAResult, type QAResultData, type QAMeasurementResult, type QAPoints, type QASummary, type AxisSummary, type AnalyzeOptions } from './analysis.js';
export { parseSession, DEFAULT_TOLERANCE, DEFAULT_CALCULATION_TOLERANCE, type QASessionInput, type QAUnit, type QALimits, type PerAxis, type SessionKind, type ParseOptions } from './session.js';
export { shippedPhantoms, checkPhantom, checkPhantoms, phantomLibrary, type Phantom, type PhantomTarget } from './phantoms.js';
export { unitStatus, unitHistory, subtractMonths, DEFAULT_WINDOW_MONTHS, type StatusReport, type UnitStatusRow, type UnitStatus, type StoredSession, type StoredUnit, type HistoryReport } from './history.js';
export { qaReportHtml, reportContent, reportHtml, type ReportContent, type ReportOptions } from './report.js';
export { errorsSpec, trendSpec, renderSvg } from './figures.js';
export { parseConsoleCsv, parseConsoleJson, parseConsoleFile, mergeConsole, type ConsoleRow } from './console-import.js';
export { STEREOTAX_VERSION } from './version.js';
