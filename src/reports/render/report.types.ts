import type { Language } from '../../i18n/language';

/**
 * How a cell value is shown. `percent` values are fractions (0.42 is 42 %), `duration` values are seconds,
 * `date` values are Date objects or ISO strings; a `YYYY-MM-DD` string is a calendar day and is not shifted.
 */
export type ReportColumnType = 'string' | 'integer' | 'number' | 'percent' | 'date' | 'duration';

export interface ReportColumn {
  key: string;
  title: string;
  type: ReportColumnType;
  /** The row field holding an address the cell links to (the call in the frontend). */
  linkKey?: string;
  /** Long text (reasons): wraps over a few lines in the PDF instead of being cut at the column's width. */
  wraps?: boolean;
}

export interface ReportTable {
  name: string;
  columns: ReportColumn[];
  rows: Record<string, unknown>[];
}

export interface ReportChart {
  title: string;
  /** `bar`: one bar per label (managers), drawn horizontally so names stay readable; `line`: a time series. */
  kind: 'bar' | 'line';
  labels: string[];
  series: { name: string; values: number[] }[];
}

/** A generated report in a form every output (PDF, Excel, Telegram) can render. */
export interface RenderableReport {
  title: string;
  subtitle?: string;
  /** The language of its words, numbers and dates. */
  language: Language;
  generatedAt: Date;
  /** IANA zone, e.g. `Europe/Moscow`: every date is shown in it. */
  timeZone: string;
  summary: string[];
  tables: ReportTable[];
  charts: ReportChart[];
}
