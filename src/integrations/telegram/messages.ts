import { IntegrationName } from '../../common/errors';
import { formatCell, formatDateTime } from '../../reports/render/cell-format';
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

const RISK_HEADINGS: Record<AlertRiskLevel, string> = {
  high: '🔴 High-risk call',
  medium: '🟠 Medium-risk call',
  low: '🟢 Low-risk call',
};

const INTEGRATION_NAMES: Record<IntegrationName, string> = {
  bitrix: 'Bitrix24',
  openai: 'LLM (OpenAI)',
  telegram: 'Telegram',
  transcription: 'Transcription',
};

const RIGHT_ALIGNED = new Set<ReportColumn['type']>(['integer', 'number', 'percent', 'duration']);

export function formatCallAlert(alert: CallAlert): string {
  const chat = alert.kind === 'chat';
  const subject = chat ? `chat #${alert.callId}${alert.channel ? ` (${alert.channel})` : ''}` : `call #${alert.callId}`;
  const client = chat ? alert.clientName?.trim() || 'unknown' : maskPhone(alert.clientPhone);
  const lines = [
    `${bold(RISK_HEADINGS[alert.riskLevel])} · ${escapeHtml(subject)}`,
    `Manager: ${bold(alert.managerName?.trim() || 'unknown')}`,
    `Client: ${escapeHtml(client)}`,
    `Started: ${escapeHtml(formatDateTime(alert.startedAt, alert.timeZone))}`,
    `Score: ${alert.score === null ? 'not scored' : `${bold(String(Math.round(alert.score)))}/100`}`,
  ];
  if (alert.reasons.length > 0) lines.push('', bold('Why:'), ...alert.reasons.map((reason) => `• ${escapeHtml(reason)}`));
  if (alert.summary?.trim()) lines.push('', italic(alert.summary.trim()));
  lines.push('', link(alert.callUrl, chat ? 'Open the chat' : 'Open the call'));
  return lines.join('\n');
}

export function formatIntegrationAlert(alert: IntegrationAlert): string {
  const since = formatDateTime(alert.since, alert.timeZone ?? 'UTC');
  return [
    `⚠️ ${bold(`${INTEGRATION_NAMES[alert.integration]} is not working`)}`,
    escapeHtml(alert.problem),
    `Since: ${escapeHtml(since)}`,
  ].join('\n');
}

/** The report as one HTML text; `sendHtml` splits it when it is longer than one message. */
export function formatReportMessage(report: RenderableReport, options: ReportMessageOptions = {}): string {
  const blocks = [reportHeading(report)];
  if (report.summary.length > 0) blocks.push(report.summary.map((line) => `• ${escapeHtml(line)}`).join('\n'));
  for (const table of report.tables) blocks.push(tableBlock(table, report.timeZone, options));
  return blocks.join('\n\n');
}

/** `+7 999 ***-**-67`: enough to recognise a client, not enough to call them. */
export function maskPhone(phone: string | null | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length < 6) return digits ? '***' : 'unknown';
  if (digits.length === 11 && /^[78]/.test(digits)) return `+7 ${digits.slice(1, 4)} ***-**-${digits.slice(-2)}`;
  const visibleHead = Math.min(4, digits.length - 4);
  const prefix = phone?.trim().startsWith('+') ? '+' : '';
  return `${prefix}${digits.slice(0, visibleHead)}${'*'.repeat(digits.length - visibleHead - 2)}${digits.slice(-2)}`;
}

function reportHeading(report: RenderableReport): string {
  const lines = [bold(report.title)];
  if (report.subtitle) lines.push(italic(report.subtitle));
  lines.push(`Generated ${escapeHtml(formatDateTime(report.generatedAt, report.timeZone))} (${escapeHtml(report.timeZone)})`);
  return lines.join('\n');
}

function tableBlock(table: ReportTable, timeZone: string, options: ReportMessageOptions): string {
  const maxRows = options.maxRowsPerTable ?? 50;
  const heading = bold(table.name);
  if (table.rows.length === 0) return `${heading}\n${italic('No data')}`;
  const shown = table.rows.slice(0, maxRows);
  const text = alignedTable(table.columns, shown, timeZone, options.maxCellWidth ?? 24);
  const rest = table.rows.length - shown.length;
  const more = rest > 0 ? `\n${italic(`…and ${rest} more rows in the PDF and Excel files`)}` : '';
  return `${heading}\n<pre>${escapeHtml(text)}</pre>${more}`;
}

function alignedTable(columns: ReportColumn[], rows: Record<string, unknown>[], timeZone: string, maxWidth: number): string {
  const cells = [
    columns.map((column) => truncate(column.title, maxWidth)),
    ...rows.map((row) => columns.map((column) => truncate(formatCell(row[column.key], column.type, timeZone), maxWidth))),
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
