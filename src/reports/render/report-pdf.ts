import PDFDocument from 'pdfkit';
import { Locale, localeOf } from '../../i18n/locale';
import { formatCell } from './cell-format';
import { chartHeightFor, renderChartPng } from './chart-png';
import { REPORT_FONTS } from './fonts';
import type { Box, LayoutRecorder } from './layout';
import { RenderableReport, ReportChart, ReportColumn, ReportTable } from './report.types';

type Pdf = PDFKit.PDFDocument;
type Font = 'regular' | 'bold';

export interface PdfOptions {
  /** Told every text laid out, with its box and page, for layout checks. */
  layout?: LayoutRecorder;
}

const MARGIN = 40;
const FOOTER_HEIGHT = 20;
const TABLE_FONT_SIZE = 9;
const LINE_HEIGHT = 11;
const CELL_PADDING = 4;
const ROW_PADDING = 3;
const MAX_CELL_LINES = 3;
const MIN_COLUMN_WIDTH = 36;
const MIN_WRAPPING_WIDTH = 160;
/** The table's name above it, in 13 pt bold, and the space under it. */
const TABLE_HEADING_HEIGHT = 20;
/** A table longer than a page starts on the current one only when this many rows fit there. */
const MIN_ROWS_BEFORE_BREAK = 3;
/** A page with this share of its height still free is not left empty for a table that would fit the next one. */
const MOSTLY_EMPTY = 0.4;
const CHART_ASPECT = 0.5;
/** A chart may lose this share of the height it wants, to keep tables with it. */
const CHART_SQUEEZE = 0.8;
const CHART_GAP = 14;
const TABLE_GAP = 12;
const MIN_CHART_HEIGHT = 180;
/** Chart pixels per point: its fonts come out at about 11 pt. */
const CHART_SCALE = 1.3;
const MUTED = '#6b7280';
const WIDE_TABLE_COLUMNS = 7;
const RIGHT_ALIGNED = new Set<ReportColumn['type']>(['integer', 'number', 'percent', 'duration']);

interface Cell {
  lines: string[];
  link?: string;
}

/** A table measured for the page: its cells already wrapped, so its height is known before it is drawn. */
interface PreparedTable {
  name: string;
  columns: ReportColumn[];
  widths: number[];
  header: Cell[];
  rows: Cell[][];
  heights: number[];
  /** Heading, header and every row. */
  height: number;
  /** No rows: one "no data" row across the table. */
  empty: boolean;
}

/** A4 PDF with DejaVu embedded so Cyrillic prints: heading, summary, the chart in the room left, then every table. */
export function renderReportPdf(report: RenderableReport, options: PdfOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', layout: isWide(report) ? 'landscape' : 'portrait', margin: MARGIN, bufferPages: true,
    info: { Title: report.title, Subject: report.subtitle ?? report.title, Creator: 'AI CRM Analytics', CreationDate: report.generatedAt },
  });
  doc.registerFont('regular', REPORT_FONTS.regular);
  doc.registerFont('bold', REPORT_FONTS.bold);
  const done = collect(doc);
  const writer = new PdfWriter(doc, localeOf(report.language), options.layout);
  const tables = report.tables.map((table) => writer.prepare(table, report.timeZone));
  writer.heading(report);
  writer.summary(report.summary);
  report.charts.forEach((chart, index) => writer.chart(chart, index === report.charts.length - 1 ? tables : []));
  for (const table of tables) writer.table(table);
  writer.pageNumbers();
  doc.end();
  return done;
}

/** Tables of many columns or with long text get a landscape page, so names and reasons stay readable. */
function isWide(report: RenderableReport): boolean {
  return report.tables.some((table) => table.columns.length > WIDE_TABLE_COLUMNS || table.columns.some((column) => column.wraps));
}

function collect(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

class PdfWriter {
  private page = 0;

  constructor(private readonly doc: Pdf, private readonly locale: Locale, private readonly layout?: LayoutRecorder) {}

  heading(report: RenderableReport): void {
    this.paragraph(report.title, 'bold', 18);
    if (report.subtitle) this.paragraph(report.subtitle, 'regular', 12);
    const generated = this.locale.format.dateTime(report.generatedAt, report.timeZone);
    this.doc.fillColor(MUTED);
    this.paragraph(this.locale.text.report.generated(generated, report.timeZone), 'regular', 9);
    this.doc.fillColor('black');
    this.doc.y += 10;
  }

  summary(lines: string[]): void {
    for (const line of lines) {
      this.font('regular', 11);
      if (this.room() < this.doc.heightOfString(line, { width: this.contentWidth() - 12 })) this.newPage();
      const y = this.doc.y;
      this.doc.circle(MARGIN + 3, y + 6, 2).fill('black');
      this.paragraph(line, 'regular', 11, MARGIN + 12);
      this.doc.y = Math.max(this.doc.y, y + 15);
    }
    this.doc.y += 10;
  }

  /**
   * As wide as the page and as tall as it needs, within the room left on the page; lower still when that lets
   * the whole tables after it fit under it, and on a new page only when too little room is left.
   */
  chart(chart: ReportChart, following: PreparedTable[]): void {
    const width = this.contentWidth();
    const wanted = Math.min(width * CHART_ASPECT, chartHeightFor(chart, width * CHART_SCALE) / CHART_SCALE);
    const lowest = Math.min(MIN_CHART_HEIGHT, wanted * CHART_SQUEEZE);
    if (this.room() < lowest) this.newPage();
    let reserved = 0;
    for (const table of following) {
      if (this.room() - CHART_GAP - reserved - table.height < lowest) break;
      reserved += table.height + TABLE_GAP;
    }
    const height = Math.min(wanted, this.room() - CHART_GAP - reserved);
    const size = { width: width * CHART_SCALE, height: height * CHART_SCALE };
    this.doc.image(renderChartPng(chart, size, { locale: this.locale, density: 2 }), MARGIN, this.doc.y, { width, height });
    this.doc.y += height + CHART_GAP;
  }

  /**
   * The room a table needs to start on this page: all of it when it fits a page and this page is mostly used (it
   * moves whole to the next), else its first few rows (a long table, or a page that would stay mostly empty).
   */
  private roomToStart(table: PreparedTable): number {
    const fullPage = this.doc.page.height - MARGIN * 2 - FOOTER_HEIGHT;
    const keptWhole = table.height <= fullPage && this.room() < fullPage * MOSTLY_EMPTY;
    return keptWhole ? table.height : table.height - sum(table.heights.slice(MIN_ROWS_BEFORE_BREAK));
  }

  /** Formats, wraps and measures a table. */
  prepare(table: ReportTable, timeZone: string): PreparedTable {
    const texts = table.rows.map((row) => table.columns.map((column) => formatCell(row[column.key], column.type, timeZone, this.locale.format)));
    const widths = this.columnWidths(table.columns, texts);
    const header = this.cells(table.columns, table.columns.map((column) => column.title), widths, {}, 'bold');
    const rows = texts.length > 0
      ? texts.map((cells, index) => this.cells(table.columns, cells, widths, table.rows[index], 'regular'))
      : [[{ lines: [this.locale.text.noData] }]];
    const heights = rows.map(rowHeight);
    const height = TABLE_HEADING_HEIGHT + rowHeight(header) + sum(heights);
    return { name: table.name, columns: table.columns, widths, header, rows, heights, height, empty: texts.length === 0 };
  }

  /** Kept whole on one page when it fits one; a longer table starts here only when a few rows fit. */
  table(table: PreparedTable): void {
    if (this.room() < this.roomToStart(table)) this.newPage();
    const top = this.doc.y;
    this.paragraph(table.name, 'bold', 13);
    this.doc.y = top + TABLE_HEADING_HEIGHT;
    const columns = table.empty ? [{ ...table.columns[0], type: 'string' as const }] : table.columns;
    const widths = table.empty ? [sum(table.widths)] : table.widths;
    this.row(table.header, table.widths, table.columns, 'bold', '#e5e7eb');
    table.rows.forEach((cells, index) => {
      if (this.room() < table.heights[index]) {
        this.newPage();
        this.row(table.header, table.widths, table.columns, 'bold', '#e5e7eb');
      }
      this.row(cells, widths, columns, 'regular', index % 2 === 1 ? '#f6f7f9' : undefined);
    });
    this.doc.y += TABLE_GAP;
  }

  /** "n / N" at the foot of every page. */
  pageNumbers(): void {
    const { start, count } = this.doc.bufferedPageRange();
    for (let page = start; page < start + count; page++) {
      this.doc.switchToPage(page);
      this.page = page - start;
      // Writing below the bottom margin would make pdfkit open a new page.
      const bottom = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc.fillColor(MUTED);
      this.place(`${page - start + 1} / ${count}`, { x: MARGIN, y: this.doc.page.height - MARGIN + 8, width: this.contentWidth(), height: 10 }, 'regular', 8, 'right');
      this.doc.page.margins.bottom = bottom;
    }
  }

  private cells(columns: ReportColumn[], texts: string[], widths: number[], row: Record<string, unknown>, font: Font): Cell[] {
    return texts.map((text, index) => {
      const column = columns[index];
      const width = widths[index] - CELL_PADDING * 2;
      const link = column.linkKey && typeof row[column.linkKey] === 'string' ? (row[column.linkKey] as string) : undefined;
      return { lines: this.wrap(text, width, column.wraps ? MAX_CELL_LINES : 1, font), link };
    });
  }

  private row(cells: Cell[], widths: number[], columns: ReportColumn[], font: Font, fill?: string): void {
    const top = this.doc.y;
    const height = rowHeight(cells);
    if (fill) this.doc.rect(MARGIN, top, sum(widths), height).fill(fill);
    let x = MARGIN;
    cells.forEach((cell, index) => {
      const align = RIGHT_ALIGNED.has(columns[index]?.type) ? 'right' : 'left';
      this.doc.fillColor(cell.link ? '#1d4ed8' : 'black');
      cell.lines.forEach((text, line) => {
        const box = { x: x + CELL_PADDING, y: top + ROW_PADDING + line * LINE_HEIGHT, width: widths[index] - CELL_PADDING * 2, height: LINE_HEIGHT };
        this.place(text, box, font, TABLE_FONT_SIZE, align, cell.link);
      });
      x += widths[index];
    });
    this.doc.fillColor('black');
    this.doc.x = MARGIN;
    this.doc.y = top + height;
  }

  /** Each column as wide as its longest text; when the page is narrower, only the widest columns give way. */
  private columnWidths(columns: ReportColumn[], rows: string[][]): number[] {
    const sample = rows.slice(0, 300);
    const wanted = columns.map((column, index) => {
      this.font('bold', TABLE_FONT_SIZE);
      const header = this.doc.widthOfString(column.title);
      this.font('regular', TABLE_FONT_SIZE);
      const widest = Math.max(header, ...sample.map((cells) => this.doc.widthOfString(cells[index])));
      const width = widest + CELL_PADDING * 2 + 1;
      return column.wraps ? Math.max(Math.min(width, MIN_WRAPPING_WIDTH), header + CELL_PADDING * 2 + 1) : width;
    });
    const widths = shareWidth(wanted, this.contentWidth());
    const spare = this.contentWidth() - sum(widths);
    const wrapping = columns.findIndex((column) => column.wraps);
    if (wrapping >= 0 && spare > 0) widths[wrapping] += spare;
    return widths;
  }

  /** Words on at most `maxLines` lines of `width`; the last line shown cut with an ellipsis when text remains. */
  private wrap(text: string, width: number, maxLines: number, font: Font): string[] {
    this.font(font, TABLE_FONT_SIZE);
    if (maxLines === 1) return [this.fit(text.replace(/\s+/g, ' '), width)];
    const lines: string[] = [];
    let current = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const candidate = current ? `${current} ${word}` : word;
      if (this.doc.widthOfString(candidate) <= width || !current) current = candidate;
      else {
        lines.push(current);
        current = word;
      }
    }
    lines.push(current);
    const shown = lines.slice(0, maxLines);
    const cut = lines.length > maxLines;
    shown[shown.length - 1] = this.fit(cut ? `${shown[shown.length - 1]}…` : shown[shown.length - 1], width);
    return shown.map((line, index) => (index < shown.length - 1 ? this.fit(line, width) : line));
  }

  private fit(text: string, width: number): string {
    if (this.doc.widthOfString(text) <= width) return text;
    let fitted = text.replace(/…$/, '');
    while (fitted.length > 1 && this.doc.widthOfString(`${fitted}…`) > width) fitted = fitted.slice(0, -1);
    return `${fitted.trimEnd()}…`;
  }

  /** Text that wraps within the content width from the current position; moves below it. */
  private paragraph(text: string, font: Font, size: number, x = MARGIN): void {
    this.font(font, size);
    const width = this.contentWidth() - (x - MARGIN);
    const height = this.doc.heightOfString(text, { width });
    if (this.room() < height) this.newPage();
    const box = { x, y: this.doc.y, width, height };
    this.doc.text(text, box.x, box.y, { width });
    this.layout?.text({ text, box, page: this.page });
    this.doc.x = MARGIN;
    this.doc.y = box.y + height;
  }

  /** One line of text in its box. */
  private place(text: string, box: Box, font: Font, size: number, align: 'left' | 'right', link?: string): void {
    this.font(font, size);
    this.doc.text(text, box.x, box.y, { width: box.width, align, lineBreak: false, ...(link ? { link } : {}) });
    this.layout?.text({ text, box, page: this.page });
  }

  private font(font: Font, size: number): void {
    this.doc.font(font).fontSize(size);
  }

  private newPage(): void {
    this.doc.addPage();
    this.page++;
  }

  private room(): number {
    return this.doc.page.height - MARGIN - FOOTER_HEIGHT - this.doc.y;
  }

  private contentWidth(): number {
    return this.doc.page.width - MARGIN * 2;
  }
}

function rowHeight(cells: Cell[]): number {
  return Math.max(...cells.map((cell) => cell.lines.length)) * LINE_HEIGHT + ROW_PADDING * 2;
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

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
