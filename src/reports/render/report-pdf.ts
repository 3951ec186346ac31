import PDFDocument from 'pdfkit';
import { formatCell, formatDateTime } from './cell-format';
import { renderChartPng } from './chart-png';
import { REPORT_FONTS } from './fonts';
import { RenderableReport, ReportColumn, ReportTable } from './report.types';

type Pdf = PDFKit.PDFDocument;

const MARGIN = 40;
const FOOTER_HEIGHT = 20;
const TABLE_FONT_SIZE = 9;
const ROW_HEIGHT = 16;
const CELL_PADDING = 4;
const MIN_COLUMN_WIDTH = 36;
const CHART_SIZE = { width: 1000, height: 560 };
const MUTED = '#6b7280';
const WIDE_TABLE_COLUMNS = 7;
const RIGHT_ALIGNED = new Set<ReportColumn['type']>(['integer', 'number', 'percent', 'duration']);

/** A4 PDF with DejaVu embedded so Cyrillic prints: heading, summary, charts, then every table. */
export function renderReportPdf(report: RenderableReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', layout: isWide(report) ? 'landscape' : 'portrait', margin: MARGIN, bufferPages: true,
    info: { Title: report.title, Subject: report.subtitle ?? report.title, Creator: 'AI CRM Analytics', CreationDate: report.generatedAt },
  });
  doc.registerFont('regular', REPORT_FONTS.regular);
  doc.registerFont('bold', REPORT_FONTS.bold);
  const done = collect(doc);
  writeHeading(doc, report);
  writeSummary(doc, report.summary);
  for (const chart of report.charts) writeChart(doc, renderChartPng(chart, CHART_SIZE));
  for (const table of report.tables) writeTable(doc, table, report.timeZone);
  writePageNumbers(doc);
  doc.end();
  return done;
}

/** Tables of many columns get a landscape page, so names stay readable. */
function isWide(report: RenderableReport): boolean {
  return report.tables.some((table) => table.columns.length > WIDE_TABLE_COLUMNS);
}

function collect(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function writeHeading(doc: Pdf, report: RenderableReport): void {
  doc.font('bold').fontSize(18).fillColor('black').text(report.title);
  if (report.subtitle) doc.font('regular').fontSize(12).text(report.subtitle);
  const generated = `Generated ${formatDateTime(report.generatedAt, report.timeZone)} (${report.timeZone})`;
  doc.font('regular').fontSize(9).fillColor(MUTED).text(generated).fillColor('black');
  doc.moveDown();
}

function writeSummary(doc: Pdf, summary: string[]): void {
  if (summary.length === 0) return;
  doc.font('regular').fontSize(11).list(summary, { bulletRadius: 2, textIndent: 10 });
  doc.moveDown();
}

function writeChart(doc: Pdf, png: Buffer): void {
  const width = contentWidth(doc);
  const height = (width * CHART_SIZE.height) / CHART_SIZE.width;
  ensureRoom(doc, height + 10);
  doc.image(png, MARGIN, doc.y, { width, height });
  doc.y += height + 10;
}

function writeTable(doc: Pdf, table: ReportTable, timeZone: string): void {
  ensureRoom(doc, 24 + ROW_HEIGHT * 2);
  doc.x = MARGIN;
  doc.font('bold').fontSize(13).text(table.name);
  doc.moveDown(0.3);
  const rows = table.rows.map((row) => table.columns.map((column) => formatCell(row[column.key], column.type, timeZone)));
  const widths = columnWidths(doc, table.columns, rows);
  writeHeaderRow(doc, table.columns, widths);
  if (rows.length === 0) writeRow(doc, ['No data'], [contentWidth(doc)], [table.columns[0]], false);
  rows.forEach((cells, index) => {
    if (!hasRoom(doc, ROW_HEIGHT)) {
      doc.addPage();
      writeHeaderRow(doc, table.columns, widths);
    }
    writeRow(doc, cells, widths, table.columns, index % 2 === 1);
  });
  doc.x = MARGIN;
  doc.moveDown();
}

function writeHeaderRow(doc: Pdf, columns: ReportColumn[], widths: number[]): void {
  doc.rect(MARGIN, doc.y, sum(widths), ROW_HEIGHT).fill('#e5e7eb');
  drawCells(doc, columns.map((column) => column.title), widths, columns, 'bold');
}

function writeRow(doc: Pdf, cells: string[], widths: number[], columns: ReportColumn[], shaded: boolean): void {
  if (shaded) doc.rect(MARGIN, doc.y, sum(widths), ROW_HEIGHT).fill('#f6f7f9');
  drawCells(doc, cells, widths, columns, 'regular');
}

function drawCells(doc: Pdf, cells: string[], widths: number[], columns: ReportColumn[], font: 'regular' | 'bold'): void {
  const top = doc.y;
  doc.font(font).fontSize(TABLE_FONT_SIZE).fillColor('black');
  let x = MARGIN;
  cells.forEach((cell, index) => {
    const width = widths[index] - CELL_PADDING * 2;
    const align = RIGHT_ALIGNED.has(columns[index]?.type) ? 'right' : 'left';
    doc.text(fitToWidth(doc, cell, width), x + CELL_PADDING, top + 4, { width, align, lineBreak: false });
    x += widths[index];
  });
  doc.x = MARGIN;
  doc.y = top + ROW_HEIGHT;
}

/** Each column as wide as its longest text; when the page is narrower, only the widest columns give way. */
function columnWidths(doc: Pdf, columns: ReportColumn[], rows: string[][]): number[] {
  const sample = rows.slice(0, 300);
  const wanted = columns.map((column, index) => {
    const header = doc.font('bold').fontSize(TABLE_FONT_SIZE).widthOfString(column.title);
    doc.font('regular');
    const widest = Math.max(header, ...sample.map((cells) => doc.widthOfString(cells[index])));
    return widest + CELL_PADDING * 2 + 1;
  });
  return shareWidth(wanted, contentWidth(doc));
}

function shareWidth(wanted: number[], available: number): number[] {
  if (sum(wanted) <= available) return wanted;
  const widths = [...wanted];
  let open = wanted.map((_, index) => index);
  let remaining = available;
  for (;;) {
    const share = remaining / open.length;
    const narrow = open.filter((index) => wanted[index] <= share);
    if (narrow.length === 0) {
      for (const index of open) widths[index] = Math.max(MIN_COLUMN_WIDTH, share);
      return widths;
    }
    remaining -= sum(narrow.map((index) => wanted[index]));
    open = open.filter((index) => !narrow.includes(index));
  }
}

function fitToWidth(doc: Pdf, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let fitted = text;
  while (fitted.length > 1 && doc.widthOfString(`${fitted}…`) > width) fitted = fitted.slice(0, -1);
  return `${fitted.trimEnd()}…`;
}

function writePageNumbers(doc: Pdf): void {
  const { start, count } = doc.bufferedPageRange();
  for (let page = start; page < start + count; page++) {
    doc.switchToPage(page);
    // Writing below the bottom margin would make pdfkit open a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(8).fillColor(MUTED)
      .text(`${page - start + 1} / ${count}`, MARGIN, doc.page.height - MARGIN + 8, { width: contentWidth(doc), align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

function ensureRoom(doc: Pdf, height: number): void {
  if (!hasRoom(doc, height)) doc.addPage();
}

function hasRoom(doc: Pdf, height: number): boolean {
  return doc.y + height <= doc.page.height - MARGIN - FOOTER_HEIGHT;
}

function contentWidth(doc: Pdf): number {
  return doc.page.width - MARGIN * 2;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
