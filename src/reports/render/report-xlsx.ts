import ExcelJS from 'exceljs';
import { formatDateTime, isCalendarDay, toDate, wallClock } from './cell-format';
import { renderChartPng } from './chart-png';
import { RenderableReport, ReportColumn, ReportColumnType, ReportTable } from './report.types';

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

/** One sheet per table with typed cells, after a summary sheet; charts as pictures on their own sheet. */
export async function renderReportXlsx(report: RenderableReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'AI CRM Analytics';
  workbook.created = report.generatedAt;
  workbook.title = report.title;
  const names = new Set<string>();
  addSummarySheet(workbook, report, uniqueSheetName('Summary', names));
  for (const table of report.tables) addTableSheet(workbook, table, report.timeZone, uniqueSheetName(table.name, names));
  if (report.charts.length > 0) addChartSheet(workbook, report, uniqueSheetName('Charts', names));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addSummarySheet(workbook: ExcelJS.Workbook, report: RenderableReport, name: string): void {
  const sheet = workbook.addWorksheet(name);
  sheet.addRow([report.title]).font = { bold: true, size: 14 };
  if (report.subtitle) sheet.addRow([report.subtitle]);
  sheet.addRow([`Generated ${formatDateTime(report.generatedAt, report.timeZone)} (${report.timeZone})`]);
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
      const format = cellFormat(row[column.key], column.type);
      if (format) sheetRow.getCell(index + 1).numFmt = format;
    });
  }
  if (table.columns.length > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
}

function addChartSheet(workbook: ExcelJS.Workbook, report: RenderableReport, name: string): void {
  const sheet = workbook.addWorksheet(name);
  report.charts.forEach((chart, index) => {
    // exceljs declares its own Buffer type, older than Node's.
    const imageId = workbook.addImage({ buffer: renderChartPng(chart, CHART_SIZE) as unknown as ExcelJS.Buffer, extension: 'png' });
    sheet.addImage(imageId, { tl: { col: 0, row: index * 27 }, ext: CHART_SIZE });
  });
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
