import { Inject, Injectable } from '@nestjs/common';
import { AnalyticsService, ProblematicCall, ProblematicCallCount, ResolvedScope } from '../analytics/analytics.service';
import type { Granularity } from '../analytics/analytics.sql';
import type { EmployeeStatsDto, MentionDto, MetricChangeDto, SummaryDto, TrendsDto } from '../analytics/dto/analytics.dto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Locale } from '../i18n/locale';
import { localeOf } from '../i18n/locale';
import { escapeHtml, link } from '../integrations/telegram/html';
import { maskPhone } from '../integrations/telegram/messages';
import { SettingsService } from '../settings/settings.service';
import type { GenerateReportDto } from './dto/report.dto';
import type { RenderableReport, ReportChart, ReportColumn, ReportTable } from './render/report.types';
import type { ReportType } from './report.entity';

/** A report ready to store, render and send; `linksHtml` follows the message in Telegram (links do not fit a table). */
export interface BuiltReport {
  scope: ResolvedScope;
  report: RenderableReport;
  linksHtml?: string;
}

interface Context {
  scope: ResolvedScope;
  query: GenerateReportDto;
  now: Date;
  locale: Locale;
  /** Below this score a call is problematic (with every high-risk one). */
  problemScore: number;
}

const MESSAGE_LINKS = 10;
const TOP_IN_DIGEST = 3;
const CHART_BARS = 20;
const DAY_MS = 86_400_000;

const col = (key: string, title: string, type: ReportColumn['type'] = 'string', extra: Partial<ReportColumn> = {}): ReportColumn => ({ key, title, type, ...extra });

function leaderboardColumns({ text }: Locale): ReportColumn[] {
  const c = text.report.columns;
  return [
    col('rank', c.rank, 'integer'), col('name', c.manager), col('department', c.department), col('calls', c.calls, 'integer'),
    col('analyzedCalls', c.analysed, 'integer'), col('missedCalls', c.missed, 'integer'), col('avgScore', c.avgScore, 'number'),
    col('scoreDelta', c.scoreDelta, 'number'), col('highRisk', c.highRisk, 'integer'), col('talkRatio', c.talkShare, 'percent'),
    col('avgDurationSec', c.avgDuration, 'duration'),
  ];
}

function problemColumns({ text }: Locale): ReportColumn[] {
  const c = text.report.columns;
  return [
    col('callId', c.call, 'integer', { linkKey: 'url' }), col('startedAt', c.started, 'date'), col('managerName', c.manager), col('client', c.client),
    col('score', c.score, 'integer'), col('riskLevel', c.risk), col('reasons', c.reasons, 'string', { wraps: true }),
  ];
}

/** Day buckets for up to a month, weeks up to half a year, months beyond: a dozen or two points either way. */
export function granularityFor(firstDay: string, lastDay: string): Granularity {
  const days = (Date.parse(lastDay) - Date.parse(firstDay)) / DAY_MS + 1;
  return days <= 31 ? 'day' : days <= 184 ? 'week' : 'month';
}

/** Turns analytics into the tables, charts and summary lines every output shares, in the settings' language. */
@Injectable()
export class ReportBuilder {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(type: ReportType, params: GenerateReportDto, now = new Date()): Promise<BuiltReport> {
    const query = type === 'digest' && !params.period && !params.from && !params.to ? { ...params, period: 'today' as const } : params;
    const { analysis } = await this.settings.get();
    const context: Context = {
      scope: await this.analytics.scope(query, now), query, now, locale: localeOf(analysis.language), problemScore: analysis.riskThresholds.mediumBelowScore,
    };
    switch (type) {
      case 'employees':
        return this.employees(context);
      case 'problematic-calls':
        return this.problematicCalls({ ...context, problemScore: query.maxScore ?? context.problemScore });
      case 'trends':
        return this.trends(context);
      case 'digest':
        return this.digest(context);
    }
  }

  private async employees(context: Context): Promise<BuiltReport> {
    const { locale } = context;
    const { items } = await this.analytics.employees(context.query, context.now);
    const scored = items.filter((item) => item.avgScore !== null);
    const lines = locale.text.report.lines;
    const report = this.frame('employees', context, [
      lines.managers(items.length, scored.length),
      lines.calls(locale.format.number(sum(items.map((item) => item.calls))), locale.format.number(sum(items.map((item) => item.analyzedCalls)))),
    ]);
    report.tables.push({ name: locale.text.report.tables.managers, columns: leaderboardColumns(locale), rows: items.map(leaderboardRow) });
    report.charts.push(scoreChart(scored, locale));
    return { scope: context.scope, report };
  }

  private async problematicCalls(context: Context): Promise<BuiltReport> {
    const { locale, scope, problemScore } = context;
    const [calls, counts] = await Promise.all([
      this.analytics.problematicCalls(scope, problemScore),
      this.analytics.problematicCallsByManager(scope, problemScore),
    ]);
    const total = sum(counts.map((count) => count.calls));
    const report = this.frame('problematic-calls', context, [locale.text.report.lines.problematic(problemScore, locale.format.number(total))]);
    report.tables.push({ name: locale.text.report.tables.calls, columns: problemColumns(locale), rows: calls.map((call) => this.problemRow(call, locale)) });
    report.charts.push(problemChart(counts, locale));
    return { scope, report, linksHtml: this.callLinks(calls, locale) };
  }

  private async trends(context: Context): Promise<BuiltReport> {
    const { locale, scope, query } = context;
    const granularity = query.granularity ?? granularityFor(scope.period.from, scope.period.to);
    const trends = await this.analytics.trends(query, granularity, context.now);
    const lines = locale.text.report.lines;
    const count = (values: number[]) => locale.format.number(sum(values));
    const report = this.frame('trends', context, [
      lines.risky(count(trends.series.map((point) => point.calls)), count(trends.series.map((point) => point.highRiskCalls))),
      lines.sentiment(count([trends.sentiment.positive]), count([trends.sentiment.neutral]), count([trends.sentiment.negative])),
    ]);
    const tables = locale.text.report.tables;
    report.tables.push(
      seriesTable(trends, locale),
      mentionTable(tables.products, trends.products, locale),
      mentionTable(tables.refusalReasons, trends.refusalReasons, locale),
      mentionTable(tables.tags, trends.tags, locale),
    );
    const charts = locale.text.report.charts;
    report.charts.push({
      title: charts.calls, kind: 'line', labels: trends.series.map((point) => bucketLabel(point.date, granularity, locale)),
      series: [
        { name: charts.calls, values: trends.series.map((point) => point.calls) },
        { name: charts.highRisk, values: trends.series.map((point) => point.highRiskCalls) },
      ],
    });
    return { scope, report };
  }

  private async digest(context: Context): Promise<BuiltReport> {
    const { locale, scope, query, now, problemScore } = context;
    const [summary, { items }, calls, counts, trends] = await Promise.all([
      this.analytics.summary(query, now),
      this.analytics.employees(query, now),
      this.analytics.problematicCalls(scope, problemScore, MESSAGE_LINKS),
      this.analytics.problematicCallsByManager(scope, problemScore),
      this.analytics.trends(query, 'month', now),
    ]);
    const scored = items.filter((item) => item.avgScore !== null);
    const report = this.frame('digest', context, summaryLines(summary, locale));
    const tables = locale.text.report.tables;
    report.tables.push(
      { name: tables.best, columns: leaderboardColumns(locale), rows: scored.slice(0, TOP_IN_DIGEST).map(leaderboardRow) },
      { name: tables.toHelp, columns: leaderboardColumns(locale), rows: scored.slice(TOP_IN_DIGEST).slice(-TOP_IN_DIGEST).reverse().map(leaderboardRow) },
      mentionTable(tables.refusalReasons, trends.refusalReasons.slice(0, 5), locale),
    );
    report.charts.push(problemChart(counts, locale));
    return { scope, report, linksHtml: this.callLinks(calls, locale) };
  }

  private frame(type: ReportType, { scope, now, locale }: Context, summary: string[]): RenderableReport {
    return {
      title: locale.text.report.titles[type], subtitle: locale.format.period(scope.period.from, scope.period.to), language: locale.language,
      generatedAt: now, timeZone: scope.timeZone, summary, tables: [], charts: [],
    };
  }

  private problemRow(call: ProblematicCall, locale: Locale): Record<string, unknown> {
    return {
      callId: call.callId, startedAt: new Date(call.startedAt).toISOString(), managerName: call.managerName ?? locale.text.unknown,
      client: maskPhone(call.clientPhone, locale), score: call.score, riskLevel: call.riskLevel ? (locale.text.risk[call.riskLevel] ?? call.riskLevel) : null,
      reasons: reasonsOf(call, locale).join('; '), url: this.callUrl(call.callId),
    };
  }

  private callLinks(calls: ProblematicCall[], locale: Locale): string | undefined {
    if (calls.length === 0) return undefined;
    const lines = calls.slice(0, MESSAGE_LINKS).map((call) => {
      const reason = reasonsOf(call, locale)[0];
      const score = call.score === null ? locale.text.noScore : `${call.score}/100`;
      const manager = escapeHtml(call.managerName ?? locale.text.unknown);
      return `• ${link(this.callUrl(call.callId), `#${call.callId}`)} ${manager}, ${score}${reason ? ` — ${escapeHtml(reason)}` : ''}`;
    });
    return [`<b>${escapeHtml(locale.text.report.callsToReview)}</b>`, ...lines].join('\n');
  }

  private callUrl(callId: number): string {
    return `${this.config.frontendUrl}/calls/${callId}`;
  }
}

/** The best-scored managers' average scores, as bars. */
export function scoreChart(scored: EmployeeStatsDto[], locale: Locale): ReportChart {
  const charts = locale.text.report.charts;
  const shown = scored.slice(0, CHART_BARS);
  return { title: charts.scoreByManager, kind: 'bar', labels: shown.map((item) => item.name), series: [{ name: charts.avgScore, values: shown.map((item) => item.avgScore!) }] };
}

/** Problematic calls per manager, as bars: the same counts as the problematic-calls report. */
export function problemChart(counts: ProblematicCallCount[], locale: Locale): ReportChart {
  const charts = locale.text.report.charts;
  const shown = counts.slice(0, CHART_BARS);
  return {
    title: charts.problemsByManager, kind: 'bar', labels: shown.map((count) => count.managerName ?? locale.text.unknown),
    series: [{ name: charts.calls, values: shown.map((count) => count.calls) }],
  };
}

export function reasonsOf(call: Pick<ProblematicCall, 'conflictReasons' | 'failedChecks' | 'summary'>, locale: Locale): string[] {
  const reasons = [...call.conflictReasons, ...(call.failedChecks.length > 0 ? [locale.text.notDone(call.failedChecks.join(', '))] : [])];
  return reasons.length > 0 ? reasons : call.summary ? [call.summary] : [];
}

function leaderboardRow(item: EmployeeStatsDto): Record<string, unknown> {
  return { ...item, highRisk: item.riskCounts.high };
}

function bucketLabel(day: string, granularity: Granularity, locale: Locale): string {
  return granularity === 'month' ? locale.format.month(day) : locale.format.shortDay(day);
}

function seriesTable(trends: TrendsDto, locale: Locale): ReportTable {
  const c = locale.text.report.columns;
  const byMonth = trends.granularity === 'month';
  return {
    name: locale.text.report.tables.series[trends.granularity],
    columns: [col('date', c.period[trends.granularity], byMonth ? 'string' : 'date'), col('calls', c.calls, 'integer'), col('analyzedCalls', c.analysed, 'integer'),
      col('avgScore', c.avgScore, 'number'), col('highRiskCalls', c.highRisk, 'integer'), col('avgDurationSec', c.avgDuration, 'duration')],
    rows: trends.series.map((point) => ({ ...point, date: byMonth ? locale.format.month(point.date) : point.date })),
  };
}

function mentionTable(name: string, mentions: MentionDto[], locale: Locale): ReportTable {
  const c = locale.text.report.columns;
  const columns = [col('name', c.name), col('count', c.count, 'integer'), col('previousCount', c.previous, 'integer'), col('change', c.change, 'integer')];
  return { name, columns, rows: mentions.map((mention) => ({ ...mention })) };
}

function summaryLines(summary: SummaryDto, locale: Locale): string[] {
  const { format } = locale;
  const lines = locale.text.report.lines;
  const line = (title: string, metric: MetricChangeDto, digits = 0) => {
    const value = metric.value === null ? '—' : format.number(metric.value, digits);
    if (metric.change === null || metric.previous === null) return `${title}: ${value}`;
    const change = `${metric.change >= 0 ? '+' : ''}${format.number(metric.change, digits)}`;
    return `${title}: ${value} (${lines.versus(change, format.number(metric.previous, digits))})`;
  };
  return [
    line(lines.callsMetric, summary.calls), line(lines.analysedMetric, summary.analyzedCalls), line(lines.avgScoreMetric, summary.avgScore, 1),
    line(lines.highRiskMetric, summary.highRiskCalls), line(lines.missedMetric, summary.missedCalls),
  ];
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
