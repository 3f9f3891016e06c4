/**
 * `stereotax/qa`: phantom QA with what needs Node (the history store on an SQLite
 * file or a PostgreSQL server, the PDF report, files written atomically), plus
 * everything the main entry exports about QA.
 *
 * @module stereotax/qa
 */
import { writeAtomic } from './store.js';
import { reportContent, reportHtml, type ReportOptions } from './report.js';
import { reportPdf } from './pdf.js';
import type { QAResult } from './analysis.js';

export * from './index.js';
export { QAStore, writeAtomic, canonicalJson, sessionId, APPLICATION_ID, DEFAULT_BUSY_TIMEOUT_MS, type OpenOptions } from './store.js';
export { reportPdf, renderPdf, type PdfReport } from './pdf.js';
export { OPTIONAL_PACKAGES } from './optional.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index.js';

/** Writes the HTML report (and the PDF, when `pdfPath` is given) of an analysed session. */
export async function writeReports(result: QAResult, htmlPath: string | undefined, pdfPath: string | undefined, options: ReportOptions = {}): Promise<void> {
  const content = await reportContent(result, options);
  if (htmlPath) await writeAtomic(htmlPath, new TextEncoder().encode(reportHtml(content)));
  if (pdfPath) await writeAtomic(pdfPath, await reportPdf(content));
}
