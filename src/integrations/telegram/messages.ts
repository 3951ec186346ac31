import { IntegrationName } from '../../common/errors';
import type { Locale } from '../../i18n/locale';
import { localeOf } from '../../i18n/locale';
import { formatCell } from '../../reports/render/cell-format';
import { RenderableReport, ReportColumn, ReportTable } from '../../reports/render/report.types';
import { bold, escapeHtml, italic, link } from './html';

export type AlertRiskLevel = 'low' | 'medium' | 'high';

export interface CallAlert {
  /** A call (the default) or an Open Lines chat. */
  kind?: 'call' | 'chat';
  callId: number;
  callUrl: string;
  score: number | null;
  riskLevel: AlertRiskLevel;
  managerName: string | null;
  clientPhone: string | null;
  reasons: string[];
  summary?: string | null;
  startedAt: Date;
  timeZone: string;
  /** Chats: who wrote and through which connector. */
  clientName?: string | null;
  channel?: string | null;
}

export interface IntegrationAlert {
  integration: IntegrationName;
  problem: string;
  since: Date;
  timeZone?: string;
}

export interface ReportMessageOptions {
  /** Rows past this many are left to the PDF and Excel files. */
  maxRowsPerTable?: number;
  /** Wider cells are cut so a row fits a phone screen. */
  maxCellWidth?: number;
}

const RIGHT_ALIGNED = new Set<ReportColumn['type']>(['integer', 'number', 'percent', 'duration']);

export function formatCallAlert(alert: CallAlert, locale: Locale = localeOf('ru')): string {
  const words = locale.text.alerts;
  const chat = alert.kind === 'chat';
  const subject = chat ? words.chat(alert.callId, alert.channel ?? null) : words.call(alert.callId);
  const client = chat ? alert.clientName?.trim() || locale.text.unknown : maskPhone(alert.clientPhone, locale);
  const score = alert.score === null ? words.notScored : `${bold(locale.format.number(Math.round(alert.score)))}/100`;
  const lines = [
    `${bold(words.heading[alert.riskLevel])} · ${escapeHtml(subject)}`,
    `${words.manager}: ${bold(alert.managerName?.trim() || locale.text.unknown)}`,
    `${words.client}: ${escapeHtml(client)}`,
    `${words.started}: ${escapeHtml(locale.format.dateTime(alert.startedAt, alert.timeZone))}`,
    `${words.score}: ${score}`,
  ];
  if (alert.reasons.length > 0) lines.push('', bold(words.why), ...alert.reasons.map((reason) => `• ${escapeHtml(reason)}`));
  if (alert.summary?.trim()) lines.push('', italic(alert.summary.trim()));
  lines.push('', link(alert.callUrl, chat ? words.openChat : words.openCall));
  return lines.join('\n');
}

export function formatIntegrationAlert(alert: IntegrationAlert, locale: Locale = localeOf('ru')): string {
  const words = locale.text.alerts;
  const since = locale.format.dateTime(alert.since, alert.timeZone ?? 'UTC');
  return [
    `⚠️ ${bold(words.integrationDown(locale.text.integration[alert.integration]))}`,
    escapeHtml(alert.problem),
    `${words.since}: ${escapeHtml(since)}`,
  ].join('\n');
}

/** The report as one HTML text; `sendHtml` splits it when it is longer than one message. */
export function formatReportMessage(report: RenderableReport, options: ReportMessageOptions = {}): string {
  const locale = localeOf(report.language);
  const blocks = [reportHeading(report, locale)];
  if (report.summary.length > 0) blocks.push(report.summary.map((line) => `• ${escapeHtml(line)}`).join('\n'));
  for (const table of report.tables) blocks.push(tableBlock(table, report.timeZone, options, locale));
  return blocks.join('\n\n');
}

/** `+7 999 ***-**-67`: enough to recognise a client, not enough to call them. */
export function maskPhone(phone: string | null | undefined, locale: Locale = localeOf('ru')): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length < 6) return digits ? '***' : locale.text.unknown;
  if (digits.length === 11 && /^[78]/.test(digits)) return `+7 ${digits.slice(1, 4)} ***-**-${digits.slice(-2)}`;
  const visibleHead = Math.min(4, digits.length - 4);
  const prefix = phone?.trim().startsWith('+') ? '+' : '';
  return `${prefix}${digits.slice(0, visibleHead)}${'*'.repeat(digits.length - visibleHead - 2)}${digits.slice(-2)}`;
}

function reportHeading(report: RenderableReport, locale: Locale): string {
  const lines = [bold(report.title)];
  if (report.subtitle) lines.push(italic(report.subtitle));
  lines.push(escapeHtml(locale.text.report.generated(locale.format.dateTime(report.generatedAt, report.timeZone), report.timeZone)));
  return lines.join('\n');
}

function tableBlock(table: ReportTable, timeZone: string, options: ReportMessageOptions, locale: Locale): string {
  const maxRows = options.maxRowsPerTable ?? 50;
  const heading = bold(table.name);
  if (table.rows.length === 0) return `${heading}\n${italic(locale.text.noData)}`;
  const shown = table.rows.slice(0, maxRows);
  const text = alignedTable(table.columns, shown, timeZone, options.maxCellWidth ?? 24, locale);
  const rest = table.rows.length - shown.length;
  const more = rest > 0 ? `\n${italic(locale.text.report.moreRows(locale.format, rest))}` : '';
  return `${heading}\n<pre>${escapeHtml(text)}</pre>${more}`;
}

function alignedTable(columns: ReportColumn[], rows: Record<string, unknown>[], timeZone: string, maxWidth: number, locale: Locale): string {
  const cells = [
    columns.map((column) => truncate(column.title, maxWidth)),
    ...rows.map((row) => columns.map((column) => truncate(formatCell(row[column.key], column.type, timeZone, locale.format), maxWidth))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  const align = (text: string, index: number) =>
    RIGHT_ALIGNED.has(columns[index].type) ? text.padStart(widths[index]) : text.padEnd(widths[index]);
  const lines = cells.map((line) => line.map(align).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((width) => '─'.repeat(width)).join('  '));
  return lines.join('\n');
}

function truncate(text: string, maxWidth: number): string {
  const singleLine = text.replace(/\s+/g, ' ');
  return singleLine.length <= maxWidth ? singleLine : `${singleLine.slice(0, maxWidth - 1)}…`;
}
