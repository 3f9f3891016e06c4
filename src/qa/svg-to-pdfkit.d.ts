declare module 'svg-to-pdfkit' {
  /** Draws an SVG document into a pdfkit document at (x, y). */
  function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options?: Record<string, unknown>): void;
  export = SVGtoPDF;
}
