import { Inject, Injectable } from '@nestjs/common';
import { AnalyticsService, ProblematicCall, ResolvedScope } from '../analytics/analytics.service';
import type { EmployeeStatsDto, MentionDto, MetricChangeDto, SummaryDto, TrendsDto } from '../analytics/dto/analytics.dto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { escapeHtml, link } from '../integrations/telegram/html';
import { maskPhone } from '../integrations/telegram/messages';
import { SettingsService } from '../settings/settings.service';
import type { GenerateReportDto } from './dto/report.dto';
import type { RenderableReport, ReportColumn, ReportTable } from './render/report.types';
import type { ReportType } from './report.entity';

/** A report ready to store, render and send; `linksHtml` follows the message in Telegram (links do not fit a table). */
export interface BuiltReport {
  scope: ResolvedScope;
  report: RenderableReport;
  linksHtml?: string;
}

const MESSAGE_LINKS = 10;
const TOP_IN_DIGEST = 3;

const col = (key: string, title: string, type: ReportColumn['type'] = 'string'): ReportColumn => ({ key, title, type });

const LEADERBOARD_COLUMNS = [
  col('rank', '#', 'integer'), col('name', 'Manager'), col('department', 'Department'), col('calls', 'Calls', 'integer'),
  col('analyzedCalls', 'Analysed', 'integer'), col('missedCalls', 'Missed', 'integer'), col('avgScore', 'Avg score', 'number'),
  col('scoreDelta', 'Δ score', 'number'), col('highRisk', 'High risk', 'integer'), col('talkRatio', 'Talk share', 'percent'),
  col('avgDurationSec', 'Avg duration', 'duration'),
];

const PROBLEM_COLUMNS = [
  col('callId', 'Call', 'integer'), col('startedAt', 'Started', 'date'), col('managerName', 'Manager'), col('client', 'Client'),
  col('score', 'Score', 'integer'), col('riskLevel', 'Risk'), col('reasons', 'Reasons'), col('url', 'Link'),
];

const MENTION_COLUMNS = [col('name', 'Name'), col('count', 'Count', 'integer'), col('previousCount', 'Previous', 'integer'), col('change', 'Change', 'integer')];

/** Turns analytics into the tables, charts and summary lines every output shares. */
@Injectable()
export class ReportBuilder {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(type: ReportType, params: GenerateReportDto, now = new Date()): Promise<BuiltReport> {
    const query = type === 'digest' && !params.period && !params.from && !params.to ? { ...params, period: 'today' as const } : params;
    const scope = await this.analytics.scope(query, now);
    switch (type) {
      case 'employees':
        return this.employees(scope, query, now);
      case 'problematic-calls':
        return this.problematicCalls(scope, query, now);
      case 'trends':
        return this.trends(scope, query, now);
      case 'digest':
        return this.digest(scope, query, now);
    }
  }

  private async employees(scope: ResolvedScope, query: GenerateReportDto, now: Date): Promise<BuiltReport> {
    const { items } = await this.analytics.employees(query, now);
    const scored = items.filter((item) => item.avgScore !== null);
    const report = this.frame('Leaderboard of managers', scope, now, [
      `Managers: ${items.length}, with scored calls: ${scored.length}`,
      `Calls: ${sum(items.map((item) => item.calls))}, analysed: ${sum(items.map((item) => item.analyzedCalls))}`,
    ]);
    report.tables.push({ name: 'Managers', columns: LEADERBOARD_COLUMNS, rows: items.map(leaderboardRow) });
    report.charts.push({
      title: 'Average score by manager', kind: 'bar',
      labels: scored.slice(0, 20).map((item) => item.name),
      series: [{ name: 'Avg score', values: scored.slice(0, 20).map((item) => item.avgScore!) }],
    });
    return { scope, report };
  }

  private async problematicCalls(scope: ResolvedScope, query: GenerateReportDto, now: Date): Promise<BuiltReport> {
    const settings = await this.settings.get();
    const maxScore = query.maxScore ?? settings.analysis.riskThresholds.mediumBelowScore;
    const calls = await this.analytics.problematicCalls(scope, maxScore);
    const report = this.frame('Problematic calls', scope, now, [
      `High-risk calls and calls scoring below ${maxScore}: ${calls.length}`,
    ]);
    report.tables.push({ name: 'Calls', columns: PROBLEM_COLUMNS, rows: calls.map((call) => this.problemRow(call)) });
    report.charts.push(managerChart(calls));
    return { scope, report, linksHtml: this.callLinks(calls) };
  }

  private async trends(scope: ResolvedScope, query: GenerateReportDto, now: Date): Promise<BuiltReport> {
    const trends = await this.analytics.trends(query, query.granularity ?? 'day', now);
    const report = this.frame('Trends', scope, now, [
      `Calls: ${sum(trends.series.map((point) => point.calls))}, high risk: ${sum(trends.series.map((point) => point.highRiskCalls))}`,
      `Client sentiment: ${trends.sentiment.positive} positive, ${trends.sentiment.neutral} neutral, ${trends.sentiment.negative} negative`,
    ]);
    report.tables.push(seriesTable(trends), mentionTable('Products', trends.products), mentionTable('Refusal reasons', trends.refusalReasons), mentionTable('Tags', trends.tags));
    report.charts.push({
      title: 'Calls', kind: 'line', labels: trends.series.map((point) => point.date),
      series: [{ name: 'Calls', values: trends.series.map((point) => point.calls) }, { name: 'High risk', values: trends.series.map((point) => point.highRiskCalls) }],
    });
    return { scope, report };
  }

  private async digest(scope: ResolvedScope, query: GenerateReportDto, now: Date): Promise<BuiltReport> {
    const settings = await this.settings.get();
    const [summary, { items }, calls, trends] = await Promise.all([
      this.analytics.summary(query, now),
      this.analytics.employees(query, now),
      this.analytics.problematicCalls(scope, settings.analysis.riskThresholds.highBelowScore, MESSAGE_LINKS),
      this.analytics.trends(query, 'day', now),
    ]);
    const scored = items.filter((item) => item.avgScore !== null);
    const report = this.frame('Digest', scope, now, summaryLines(summary));
    report.tables.push(
      { name: 'Best managers', columns: LEADERBOARD_COLUMNS, rows: scored.slice(0, TOP_IN_DIGEST).map(leaderboardRow) },
      { name: 'Managers to help', columns: LEADERBOARD_COLUMNS, rows: scored.slice(-TOP_IN_DIGEST).reverse().map(leaderboardRow) },
      mentionTable('Refusal reasons', trends.refusalReasons.slice(0, 5)),
    );
    report.charts.push(managerChart(calls));
    return { scope, report, linksHtml: this.callLinks(calls) };
  }

  private frame(title: string, scope: ResolvedScope, now: Date, summary: string[]): RenderableReport {
    const { from, to } = scope.period;
    return { title, subtitle: from === to ? from : `${from} – ${to}`, generatedAt: now, timeZone: scope.timeZone, summary, tables: [], charts: [] };
  }

  private problemRow(call: ProblematicCall): Record<string, unknown> {
    return {
      callId: call.callId, startedAt: new Date(call.startedAt).toISOString(), managerName: call.managerName, client: maskPhone(call.clientPhone),
      score: call.score, riskLevel: call.riskLevel, reasons: reasonsOf(call).join('; '), url: this.callUrl(call.callId),
    };
  }

  private callLinks(calls: ProblematicCall[]): string | undefined {
    if (calls.length === 0) return undefined;
    const lines = calls.slice(0, MESSAGE_LINKS).map((call) => {
      const reason = reasonsOf(call)[0];
      const score = call.score === null ? 'no score' : `${call.score}/100`;
      return `• ${link(this.callUrl(call.callId), `#${call.callId}`)} ${escapeHtml(call.managerName ?? 'unknown')}, ${score}${reason ? ` — ${escapeHtml(reason)}` : ''}`;
    });
    return [`<b>Calls to review</b>`, ...lines].join('\n');
  }

  private callUrl(callId: number): string {
    return `${this.config.frontendUrl}/calls/${callId}`;
  }
}

function leaderboardRow(item: EmployeeStatsDto): Record<string, unknown> {
  return { ...item, highRisk: item.riskCounts.high };
}

function reasonsOf(call: ProblematicCall): string[] {
  const reasons = [...call.conflictReasons, ...call.failedChecks.map((title) => `Not done: ${title}`)];
  return reasons.length > 0 ? reasons : call.summary ? [call.summary] : [];
}

function seriesTable(trends: TrendsDto): ReportTable {
  return {
    name: 'Series',
    columns: [col('date', 'Date', 'date'), col('calls', 'Calls', 'integer'), col('analyzedCalls', 'Analysed', 'integer'),
      col('avgScore', 'Avg score', 'number'), col('highRiskCalls', 'High risk', 'integer'), col('avgDurationSec', 'Avg duration', 'duration')],
    rows: trends.series.map((point) => ({ ...point })),
  };
}

function mentionTable(name: string, mentions: MentionDto[]): ReportTable {
  return { name, columns: MENTION_COLUMNS, rows: mentions.map((mention) => ({ ...mention })) };
}

function managerChart(calls: ProblematicCall[]) {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.managerName ?? 'unknown', (counts.get(call.managerName ?? 'unknown') ?? 0) + 1);
  return { title: 'Problematic calls by manager', kind: 'bar' as const, labels: [...counts.keys()], series: [{ name: 'Calls', values: [...counts.values()] }] };
}

function summaryLines(summary: SummaryDto): string[] {
  const line = (title: string, metric: MetricChangeDto) => {
    const value = metric.value ?? '—';
    if (metric.change === null) return `${title}: ${value}`;
    return `${title}: ${value} (${metric.change >= 0 ? '+' : ''}${metric.change} vs ${metric.previous})`;
  };
  return [
    line('Calls', summary.calls), line('Analysed', summary.analyzedCalls), line('Average score', summary.avgScore),
    line('High-risk calls', summary.highRiskCalls), line('Missed calls', summary.missedCalls),
  ];
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
