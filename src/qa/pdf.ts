/**
 * The QA report as a PDF for signing (pdfkit, pure JavaScript): the same content as
 * the HTML report (session, limits, the table per target and axis, the figures,
 * the summary, the findings, the trend, signature lines), the figures drawn from
 * the same SVG as vectors (svg-to-pdfkit).
 */
import { CHECK_NAMES } from './analysis.js';
import type PDFDocumentCtor from 'pdfkit';
import { loadOptional } from './optional.js';
import { CHECK_TITLES, limitText, num, resultWord, type ReportContent } from './report.js';

type Doc = PDFKit.PDFDocument;

const PAGE = { size: 'A4' as const, margin: 42 };
const RED = '#c92a2a';
const GREEN = '#2b8a3e';

function svgSize(svg: string): { w: number; h: number } {
  const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 600);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 300);
  return { w, h };
}

type SvgToPdf = (doc: Doc, svg: string, x: number, y: number, o?: object) => void;
interface PdfParts { PDFDocument: typeof PDFDocumentCtor; SVGtoPDF: SvgToPdf }

let parts: Promise<PdfParts> | undefined;
/** Loads the optional packages the PDF needs (call it before anything is stored: a missing one is `dependency_missing`). */
export function loadPdfParts(): Promise<PdfParts> {
  parts ??= Promise.all([loadOptional<typeof PDFDocumentCtor>('pdfkit'), loadOptional<SvgToPdf>('svg-to-pdfkit')])
    .then(([PDFDocument, SVGtoPDF]) => ({ PDFDocument, SVGtoPDF }));
  parts.catch(() => (parts = undefined));
  return parts;
}

/** Renders the report content to PDF bytes. */
export async function reportPdf(c: ReportContent): Promise<Uint8Array> {
  const { PDFDocument, SVGtoPDF } = await loadPdfParts();
  const doc: Doc = new PDFDocument({ ...PAGE, info: { Title: c.title, Creator: 'stereotax', Subject: c.facts[0]?.[1] ?? '' } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  const left = PAGE.margin;
  const width = doc.page.width - 2 * PAGE.margin;
  const bottom = () => doc.page.height - PAGE.margin;
  const need = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const heading = (t: string) => {
    need(40);
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12.5).fillColor('#111').text(t, left, doc.y);
    const y = doc.y + 1;
    doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).strokeColor('#999').stroke();
    doc.moveDown(0.4);
  };
  const keyValues = (rows: [string, string][]) => {
    for (const [k, v] of rows) {
      need(16);
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(9.5).fillColor('#111').text(k, left, y, { width: 150 });
      const afterKey = doc.y;
      doc.font('Helvetica').text(v, left + 155, y, { width: width - 155 });
      doc.y = Math.max(doc.y, afterKey) + 2;
    }
  };
  const table = (head: string[], widths: number[], rows: { cells: string[]; colour?: string; numeric?: boolean[] }[]) => {
    const rowH = 13;
    const drawHead = () => {
      let x = left;
      const y = doc.y;
      doc.rect(left, y - 2, width, rowH).fillColor('#eef0f2').fill();
      doc.font('Helvetica-Bold').fontSize(8.5).fillColor('#111');
      head.forEach((h, i) => {
        doc.text(h, x + 2, y, { width: widths[i] - 4, lineBreak: false, align: rows[0]?.numeric?.[i] ? 'right' : 'left' });
        x += widths[i];
      });
      doc.y = y + rowH;
    };
    need(rowH * 3);
    drawHead();
    for (const r of rows) {
      if (doc.y + rowH > bottom()) {
        doc.addPage();
        drawHead();
      }
      let x = left;
      const y = doc.y;
      doc.font('Helvetica').fontSize(8.5);
      r.cells.forEach((cell, i) => {
        const last = i === r.cells.length - 1;
        doc.fillColor(last && r.colour ? r.colour : '#111').font(last && r.colour === RED ? 'Helvetica-Bold' : 'Helvetica');
        doc.text(cell, x + 2, y, { width: widths[i] - 4, lineBreak: false, align: r.numeric?.[i] ? 'right' : 'left' });
        x += widths[i];
      });
      doc.moveTo(left, y + rowH - 2).lineTo(left + width, y + rowH - 2).lineWidth(0.3).strokeColor('#ccc').stroke();
      doc.y = y + rowH;
    }
    doc.x = left;
  };
  const figure = (svg: string) => {
    const { w, h } = svgSize(svg);
    const scale = Math.min(1, width / w);
    need(h * scale + 8);
    // The root's own width/height would fix its size: without them the viewBox fits the viewport given.
    const fitted = svg.replace(/<svg([^>]*?)\swidth="[\d.]+"([^>]*?)\sheight="[\d.]+"/, '<svg$1$2');
    SVGtoPDF(doc, fitted, left, doc.y + 4, { width: w * scale, height: h * scale, assumePt: true, preserveAspectRatio: 'xMinYMin meet' });
    doc.y += h * scale + 8;
    doc.x = left;
  };

  doc.font('Helvetica-Bold').fontSize(17).fillColor('#111').text(c.title, left, PAGE.margin);
  doc.moveDown(0.4);
  const vy = doc.y;
  const ok = c.verdict === 'PASSED';
  doc.roundedRect(left, vy, 110, 26, 3).lineWidth(1.5).fillAndStroke(ok ? '#d3f9d8' : '#ffe3e3', ok ? GREEN : RED);
  doc.font('Helvetica-Bold').fontSize(15).fillColor(ok ? '#1b5e20' : '#8a1111').text(c.verdict, left, vy + 6, { width: 110, align: 'center' });
  doc.y = vy + 32;
  doc.x = left;

  heading('Session');
  keyValues(c.facts);
  heading('Limits');
  keyValues(c.limits);
  heading('Errors per target and axis (mm)');
  const cols = [60, 110, 62, 62, 62, 80, width - 436];
  table(['target', 'check', 'error x', 'error y', 'error z', 'limit', 'result'], cols, c.rows.map((r) => ({
    cells: [r.target, r.check, num(r.error.x), num(r.error.y), num(r.error.z), limitText(r.limit), resultWord(r)],
    colour: r.passed ? GREEN : RED,
    numeric: [false, false, true, true, true, true, false],
  })));
  doc.font('Helvetica').fontSize(8).fillColor('#555')
    .text(CHECK_NAMES.filter((n) => c.rows.some((r) => r.check === n)).map((n) => `${n}: ${CHECK_TITLES[n]}`).join('; ') + '. An axis passes when |error| <= limit.', left, doc.y + 3, { width });
  figure(c.errorsSvg);
  heading('Summary (mm)');
  table(['check', 'axis', 'max |error|', 'mean', 'rms', 'n'], [130, 50, 80, 70, 70, width - 400], c.summary.map((s) => ({
    cells: [s.check, s.axis, num(s.maxAbs), num(s.mean), num(s.rms), String(s.count)],
    numeric: [false, false, true, true, true, true],
  })));
  heading('Findings');
  if (!c.findings.length) doc.font('Helvetica').fontSize(9.5).fillColor('#111').text('None.', left, doc.y);
  for (const f of c.findings) {
    need(24);
    doc.font('Helvetica-Bold').fontSize(9).fillColor(f.severity === 'error' ? '#8a1111' : f.severity === 'warning' ? '#8a5a00' : '#111')
      .text(`${f.severity.toUpperCase()} ${f.code}${f.path ? ` (${f.path})` : ''}: `, left, doc.y, { continued: true, width })
      .font('Helvetica').fillColor('#111').text(f.message, { width });
    doc.moveDown(0.2);
  }
  if (c.trendSvg) {
    heading('Trend');
    doc.font('Helvetica').fontSize(9).fillColor('#555').text(c.trendNote ?? '', left, doc.y, { width });
    figure(c.trendSvg);
  }
  need(70);
  doc.moveDown(2.5);
  const sy = doc.y;
  doc.moveTo(left, sy).lineTo(left + width * 0.6, sy).moveTo(left + width * 0.7, sy).lineTo(left + width, sy).lineWidth(0.8).strokeColor('#333').stroke();
  doc.font('Helvetica').fontSize(9).fillColor('#444').text('Qualified medical physicist: name, signature', left, sy + 3);
  doc.text('Date', left + width * 0.7, sy + 3);
  doc.moveDown(1.5);
  doc.fontSize(7.5).fillColor('#666').text(c.footer, left, doc.y, { width });
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
