/**
 * How a cell value is shown. `percent` values are fractions (0.42 is 42 %), `duration` values are seconds,
 * `date` values are Date objects or ISO strings; a `YYYY-MM-DD` string is a calendar day and is not shifted.
 */
export type ReportColumnType = 'string' | 'integer' | 'number' | 'percent' | 'date' | 'duration';

export interface ReportColumn {
  key: string;
  title: string;
  type: ReportColumnType;
}

export interface ReportTable {
  name: string;
  columns: ReportColumn[];
  rows: Record<string, unknown>[];
}

export interface ReportChart {
  title: string;
  kind: 'bar' | 'line';
  labels: string[];
  series: { name: string; values: number[] }[];
}

/** A generated report in a form every output (PDF, Excel, Telegram) can render. */
export interface RenderableReport {
  title: string;
  subtitle?: string;
  generatedAt: Date;
  /** IANA zone, e.g. `Europe/Moscow`: every date is shown in it. */
  timeZone: string;
  summary: string[];
  tables: ReportTable[];
  charts: ReportChart[];
}
