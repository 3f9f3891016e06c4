/**
 * The QA report as a PDF for signing (pdfkit): the same content as the HTML report,
 * with a running header and "page n of N" on every page, the notes, a corrective-
 * action box and signature lines for the physicist, the technologist and the lead
 * interpreting physician. Text is set in DejaVu Sans (the dejavu-fonts-ttf package),
 * embedded as a subset: Latin, Greek and Cyrillic print as typed. A character the
 * font lacks is never left to garble: it is replaced by U+FFFD and a warning finding
 * in the PDF (and `substituted` in the answer) names it. The figures are drawn from the
 * same SVG as vectors (svg-to-pdfkit).
 */
import type PDFDocumentCtor from 'pdfkit';
import { CHECK_NAMES } from './analysis.js';
import { loadOptional, optionalFile } from './optional.js';
import { CHECK_TITLES, limitText, num, resultWord, type ReportContent } from './report.js';
import type { Finding } from '../core/findings.js';

type Doc = PDFKit.PDFDocument;
type SvgToPdf = (doc: Doc, svg: string, x: number, y: number, o?: object) => void;
interface PdfParts { PDFDocument: typeof PDFDocumentCtor; SVGtoPDF: SvgToPdf; regular: string; bold: string }

let parts: Promise<PdfParts> | undefined;
/** Loads the optional packages the PDF needs (call it before anything is stored: a missing one is `optional_dependency_missing`). */
export function loadPdfParts(): Promise<PdfParts> {
  parts ??= (async () => {
    const [PDFDocument, SVGtoPDF] = await Promise.all([loadOptional<typeof PDFDocumentCtor>('pdfkit'), loadOptional<SvgToPdf>('svg-to-pdfkit')]);
    return {
      PDFDocument, SVGtoPDF,
      regular: optionalFile('dejavu-fonts-ttf', 'ttf/DejaVuSans.ttf'),
      bold: optionalFile('dejavu-fonts-ttf', 'ttf/DejaVuSans-Bold.ttf'),
    };
  })();
  parts.catch(() => (parts = undefined));
  return parts;
}

const PAGE = { size: 'A4' as const, margins: { top: 58, bottom: 54, left: 42, right: 42 } };
const RED = '#c92a2a';
const GREEN = '#2b8a3e';
const REPLACEMENT = '\uFFFD';

function svgSize(svg: string): { w: number; h: number } {
  const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 600);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 300);
  return { w, h };
}

export interface PdfReport {
  bytes: Uint8Array;
  /** Characters the embedded font lacks, replaced by U+FFFD (each once, as "U+XXXX"). */
  substituted: string[];
}

/** Renders the report content to PDF bytes. */
export async function reportPdf(c: ReportContent): Promise<Uint8Array> {
  return (await renderPdf(c)).bytes;
}

/** Renders the report content; says which characters had to be substituted. */
export async function renderPdf(content: ReportContent): Promise<PdfReport> {
  const { PDFDocument, SVGtoPDF, regular, bold } = await loadPdfParts();
  const doc: Doc = new PDFDocument({ ...PAGE, bufferPages: true, autoFirstPage: true, info: { Title: content.title, Creator: 'stereotax', Subject: content.header } });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  doc.font('body');
  // The glyph coverage of the embedded fonts (fontkit's, through pdfkit's embedded font).
  const fonts = ['body', 'bold'].map((name) => {
    doc.font(name);
    return (doc as unknown as { _font: { font: { hasGlyphForCodePoint(cp: number): boolean } } })._font.font;
  });
  const missing = new Set<string>();
  /** Every string goes through here: a character either font lacks becomes U+FFFD, and is reported. */
  const t = (s: string): string => {
    let out = '';
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 && ch !== '\n') out += ' ';
      else if (ch === '\n' || fonts.every((f) => f.hasGlyphForCodePoint(cp))) out += ch;
      else {
        missing.add(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
        out += REPLACEMENT;
      }
    }
    return out;
  };
  // Sweep the content once first, so the substitution finding can be listed with the others.
  const sweep = (v: unknown): void => {
    if (typeof v === 'string') t(v);
    else if (Array.isArray(v)) v.forEach(sweep);
    else if (v && typeof v === 'object') Object.values(v).forEach(sweep);
  };
  sweep({ ...content, errorsSvg: undefined, trendSvg: undefined });
  const findings: Finding[] = [...content.findings];
  if (missing.size) {
    findings.push({ code: 'pdf_character_substituted', severity: 'warning',
      message: `the embedded font (DejaVu Sans) has no glyph for ${[...missing].join(', ')}: printed as ${REPLACEMENT} in this PDF; the HTML report and the stored record keep the text as typed.` });
  }

  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  const left = PAGE.margins.left;
  const width = doc.page.width - PAGE.margins.left - PAGE.margins.right;
  const bottom = () => doc.page.height - PAGE.margins.bottom;
  const need = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const heading = (s: string) => {
    need(40);
    doc.moveDown(0.6).font('bold').fontSize(12).fillColor('#111').text(t(s), left, doc.y);
    const y = doc.y + 1;
    doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).strokeColor('#999').stroke();
    doc.moveDown(0.4);
  };
  const keyValues = (rows: [string, string][]) => {
    for (const [k, v] of rows) {
      need(16);
      const y = doc.y;
      doc.font('bold').fontSize(9).fillColor('#111').text(t(k), left, y, { width: 150 });
      const afterKey = doc.y;
      doc.font('body').text(t(v), left + 155, y, { width: width - 155 });
      doc.y = Math.max(doc.y, afterKey) + 2;
    }
  };
  const table = (head: string[], widths: number[], rows: { cells: string[]; colour?: string; numeric?: boolean[] }[]) => {
    const rowH = 13;
    const drawHead = () => {
      let x = left;
      const y = doc.y;
      doc.rect(left, y - 2, width, rowH).fillColor('#eef0f2').fill();
      doc.font('bold').fontSize(8).fillColor('#111');
      head.forEach((h, i) => {
        doc.text(t(h), x + 2, y, { width: widths[i] - 4, lineBreak: false, align: rows[0]?.numeric?.[i] ? 'right' : 'left' });
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
      r.cells.forEach((cell, i) => {
        const last = i === r.cells.length - 1;
        doc.fillColor(last && r.colour ? r.colour : '#111').font(last && r.colour === RED ? 'bold' : 'body').fontSize(8);
        doc.text(t(cell), x + 2, y, { width: widths[i] - 4, lineBreak: false, align: r.numeric?.[i] ? 'right' : 'left' });
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
    SVGtoPDF(doc, fitted, left, doc.y + 4, { width: w * scale, height: h * scale, assumePt: true, preserveAspectRatio: 'xMinYMin meet', fontCallback: () => 'body' });
    doc.y += h * scale + 8;
    doc.x = left;
  };
  const paragraph = (s: string, size = 9, colour = '#111') => {
    doc.font('body').fontSize(size).fillColor(colour).text(t(s), left, doc.y, { width });
  };

  doc.font('bold').fontSize(16).fillColor('#111').text(t(content.title), left, PAGE.margins.top);
  doc.moveDown(0.4);
  const vy = doc.y;
  const ok = content.verdict === 'PASSED';
  doc.roundedRect(left, vy, 110, 26, 3).lineWidth(1.5).fillAndStroke(ok ? '#d3f9d8' : '#ffe3e3', ok ? GREEN : RED);
  doc.font('bold').fontSize(14).fillColor(ok ? '#1b5e20' : '#8a1111').text(content.verdict, left, vy + 6, { width: 110, align: 'center' });
  doc.y = vy + 32;
  doc.x = left;

  heading('Session');
  keyValues(content.facts);
  heading('Limits');
  keyValues(content.limits);
  heading('Errors per target and axis (mm)');
  const cols = [40, 92, 50, 50, 50, 44, 102, width - 428];
  table(['target', 'check', 'error x', 'error y', 'error z', '3-D', 'limit', 'result'], cols, content.rows.map((r) => ({
    cells: [r.target, r.check, num(r.error.x), num(r.error.y), num(r.error.z), num(r.error3d), limitText(r.limit) + (r.roundingAllowance ? ' +r' : ''), resultWord(r)],
    colour: r.passed ? GREEN : RED,
    numeric: [false, false, true, true, true, true, true, false],
  })));
  const legend = CHECK_NAMES.filter((n) => content.rows.some((r) => r.check === n)).map((n) => `${n}: ${CHECK_TITLES[n]}`).join('; ')
    + '. An axis passes when |error| <= limit. 3-D: length of the error vector.' + (content.rows.some((r) => r.roundingAllowance) ? ' +r: the limit includes the mark-rounding allowance.' : '');
  doc.moveDown(0.2);
  paragraph(legend, 7.5, '#555');
  figure(content.errorsSvg);
  heading('Summary (mm)');
  table(['check', 'axis', 'max |error|', 'mean', 'rms', 'n'], [130, 50, 80, 70, 70, width - 400], content.summary.map((s) => ({
    cells: [s.check, s.axis, num(s.maxAbs), num(s.mean), num(s.rms), String(s.count)],
    numeric: [false, false, true, true, true, true],
  })));
  heading('Findings');
  if (!findings.length) paragraph('None.');
  for (const f of findings) {
    need(24);
    doc.font('bold').fontSize(8.5).fillColor(f.severity === 'error' ? '#8a1111' : f.severity === 'warning' ? '#8a5a00' : '#111')
      .text(t(`${f.severity.toUpperCase()} ${f.code}${f.path ? ` (${f.path})` : ''}: `), left, doc.y, { continued: true, width })
      .font('body').fillColor('#111').text(t(f.message), { width });
    doc.moveDown(0.2);
  }
  if (content.trendSvg) {
    heading('Trend');
    paragraph(content.trendNote ?? '', 9, '#555');
    figure(content.trendSvg);
  }
  if (content.drift.length) {
    heading('Drift');
    for (const d of content.drift) paragraph(`WARNING ${d}`, 8.5, '#8a5a00');
  }
  if (content.service.length) {
    heading('Service log');
    table(['date', 'action'], [80, width - 80], content.service.map((e) => ({ cells: [e.date, e.text] })));
  }
  heading('Notes');
  paragraph(content.notes ?? 'None.');
  need(150);
  heading('Corrective action');
  paragraph(content.actionNeeded ? 'Required: a check failed or reached the action level. Describe the action taken and the re-test:' : 'Describe any action taken:', 8.5, content.actionNeeded ? '#8a1111' : '#444');
  const boxY = doc.y + 3;
  doc.rect(left, boxY, width, 80).lineWidth(content.actionNeeded ? 1.5 : 0.8).strokeColor(content.actionNeeded ? RED : '#333').stroke();
  doc.y = boxY + 86;
  need(110);
  heading('Signatures');
  doc.moveDown(2.2);
  const sy = doc.y;
  const colW = (width - 2 * 18) / 3;
  content.signatures.forEach((s, i) => {
    const x = left + i * (colW + 18);
    doc.moveTo(x, sy).lineTo(x + colW, sy).lineWidth(0.8).strokeColor('#333').stroke();
    doc.font('bold').fontSize(8.5).fillColor('#222').text(t(s.role), x, sy + 3, { width: colW });
    doc.font('body').fontSize(8.5).fillColor('#444').text(t(`${s.name ?? 'name:'}`), x, doc.y, { width: colW });
    doc.text('signature, date', x, doc.y, { width: colW });
  });
  doc.x = left;
  doc.moveDown(1.5);
  paragraph(content.footer, 7, '#666');

  // Running header and page numbers on every page, now that the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing in the margins must not start new pages.
    const margins = doc.page.margins;
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    const top = 24;
    doc.font('body').fontSize(7.5).fillColor('#555');
    let head = t(content.header);
    while (head.length > 8 && doc.widthOfString(head) > width - 90) head = head.slice(0, -2).trimEnd() + '…';
    doc.text(head, left, top, { lineBreak: false });
    doc.text(`page ${i - range.start + 1} of ${range.count}`, left + width - 80, top, { width: 80, align: 'right', lineBreak: false });
    doc.moveTo(left, top + 12).lineTo(left + width, top + 12).lineWidth(0.4).strokeColor('#bbb').stroke();
    const foot = doc.page.height - 34;
    doc.text(`${t(content.title)} · page ${i - range.start + 1} of ${range.count}`, left, foot, { width, align: 'center', lineBreak: false });
    doc.page.margins = margins;
  }
  doc.end();
  await done;
  return { bytes: new Uint8Array(Buffer.concat(chunks)), substituted: [...missing] };
}
