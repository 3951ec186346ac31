import ExcelJS from 'exceljs';
import { Locale, localeOf } from '../../i18n/locale';
import { isCalendarDay, toDate, wallClock } from './cell-format';
import { renderChartPng } from './chart-png';
import { RenderableReport, ReportChart, ReportColumn, ReportColumnType, ReportTable } from './report.types';

export const XLSX_FORMATS: Record<Exclude<ReportColumnType, 'string'>, string> = {
  integer: '#,##0',
  number: '#,##0.00',
  percent: '0.0%',
  date: 'dd.mm.yyyy hh:mm',
  duration: '[h]:mm:ss',
};
const DAY_FORMAT = 'dd.mm.yyyy';
const SECONDS_PER_DAY = 86_400;
const MAX_SHEET_NAME = 31;
const CHART_SIZE = { width: 900, height: 504 };
/** Rows of the default height a chart picture covers. */
const CHART_ROWS = 26;

/**
 * One sheet per table with typed cells, after a summary sheet; charts as pictures with their data beside them
 * (exceljs cannot write native Excel charts).
 */
export async function renderReportXlsx(report: RenderableReport): Promise<Buffer> {
  const locale = localeOf(report.language);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'AI CRM Analytics';
  workbook.created = report.generatedAt;
  workbook.title = report.title;
  const names = new Set<string>();
  addSummarySheet(workbook, report, locale, uniqueSheetName(locale.text.report.sheets.summary, names));
  for (const table of report.tables) addTableSheet(workbook, table, report.timeZone, uniqueSheetName(table.name, names));
  if (report.charts.length > 0) addChartSheet(workbook, report, locale, uniqueSheetName(locale.text.report.sheets.charts, names));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addSummarySheet(workbook: ExcelJS.Workbook, report: RenderableReport, locale: Locale, name: string): void {
  const sheet = workbook.addWorksheet(name);
  sheet.addRow([report.title]).font = { bold: true, size: 14 };
  if (report.subtitle) sheet.addRow([report.subtitle]);
  sheet.addRow([locale.text.report.generated(locale.format.dateTime(report.generatedAt, report.timeZone), report.timeZone)]);
  sheet.addRow([]);
  for (const line of report.summary) sheet.addRow([line]);
  sheet.getColumn(1).width = 80;
}

function addTableSheet(workbook: ExcelJS.Workbook, table: ReportTable, timeZone: string, name: string): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((column) => ({ key: column.key, width: columnWidth(column, table.rows) }));
  const header = sheet.addRow(table.columns.map((column) => column.title));
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
  for (const row of table.rows) {
    const sheetRow = sheet.addRow(table.columns.map((column) => cellValue(row[column.key], column.type, timeZone)));
    table.columns.forEach((column, index) => {
      const cell = sheetRow.getCell(index + 1);
      const format = cellFormat(row[column.key], column.type);
      if (format) cell.numFmt = format;
      const link = column.linkKey ? row[column.linkKey] : undefined;
      if (typeof link === 'string' && cell.value !== null) {
        cell.value = { text: String(cell.value), hyperlink: link };
        cell.font = { color: { argb: 'FF1D4ED8' }, underline: true };
      }
    });
  }
  if (table.columns.length > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
}

/** Each chart as a picture, with the numbers it shows in a table to its right, for a chart of one's own. */
function addChartSheet(workbook: ExcelJS.Workbook, report: RenderableReport, locale: Locale, name: string): void {
  const sheet = workbook.addWorksheet(name);
  let row = 0;
  for (const chart of report.charts) {
    // exceljs declares its own Buffer type, older than Node's.
    const png = renderChartPng(chart, CHART_SIZE, { locale });
    const imageId = workbook.addImage({ buffer: png as unknown as ExcelJS.Buffer, extension: 'png' });
    sheet.addImage(imageId, { tl: { col: 0, row }, ext: CHART_SIZE });
    addChartData(sheet, chart, row + 1);
    row += Math.max(CHART_ROWS, chart.labels.length + 2) + 1;
  }
}

/** The chart's labels and series from column M on, starting at `firstRow` (1-based). */
function addChartData(sheet: ExcelJS.Worksheet, chart: ReportChart, firstRow: number): void {
  const firstColumn = 13;
  const header = sheet.getRow(firstRow);
  header.getCell(firstColumn).value = chart.title;
  chart.series.forEach((series, index) => (header.getCell(firstColumn + 1 + index).value = series.name));
  header.font = { bold: true };
  chart.labels.forEach((label, index) => {
    const row = sheet.getRow(firstRow + 1 + index);
    row.getCell(firstColumn).value = label;
    chart.series.forEach((series, seriesIndex) => (row.getCell(firstColumn + 1 + seriesIndex).value = Number.isFinite(series.values[index]) ? series.values[index] : null));
  });
  sheet.getColumn(firstColumn).width = Math.min(40, Math.max(12, ...chart.labels.map((label) => label.length + 2)));
}

function cellValue(value: unknown, type: ReportColumnType, timeZone: string): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (type === 'string') return String(value);
  if (type === 'date') return excelDate(value, timeZone);
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  if (type === 'integer') return Math.round(number);
  if (type === 'duration') return number / SECONDS_PER_DAY;
  return number;
}

/** Excel has no time zones: the cell holds the wall-clock time of the report's zone. */
function excelDate(value: unknown, timeZone: string): Date | string {
  if (isCalendarDay(value)) return new Date(`${value}T00:00:00Z`);
  const date = toDate(value);
  if (!date) return String(value);
  const clock = wallClock(date, timeZone);
  return new Date(Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second));
}

function cellFormat(value: unknown, type: ReportColumnType): string | undefined {
  if (type === 'string') return undefined;
  if (type === 'date' && isCalendarDay(value)) return DAY_FORMAT;
  return XLSX_FORMATS[type];
}

function columnWidth(column: ReportColumn, rows: Record<string, unknown>[]): number {
  if (column.type === 'date') return Math.max(18, column.title.length + 2);
  const longest = rows.slice(0, 500).reduce((max, row) => Math.max(max, String(row[column.key] ?? '').length), column.title.length);
  return Math.min(60, Math.max(10, longest + 2));
}

/** Excel allows 31 characters, no `[]:*?/\`, and no two sheets with the same name. */
function uniqueSheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_SHEET_NAME).trimEnd() || 'Sheet';
  let name = base;
  for (let copy = 2; taken.has(name.toLowerCase()); copy++) {
    name = `${base.slice(0, MAX_SHEET_NAME - String(copy).length - 1).trimEnd()} ${copy}`;
  }
  taken.add(name.toLowerCase());
  return name;
}
