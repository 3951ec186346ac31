import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { calendarPeriod, DateRange, previousRange, resolveDateRange } from '../common/periods';
import { LOCK_KEYS } from '../database/advisory-locks';
import { SettingsService } from '../settings/settings.service';
import {
  AnalyticsScope, employeesLeaderboardSql, Granularity, periodTotalsSql, problematicCallsByManagerSql, problematicCallsSql, SqlQuery, trendMentionsSql,
  trendSeriesSql,
} from './analytics.sql';
import type { AnalyticsQueryDto } from './dto/analytics-query.dto';
import { EmployeesAnalyticsDto, EmployeeStatsDto, MentionDto, MetricChangeDto, PeriodDto, SummaryDto, TrendPointDto, TrendsDto } from './dto/analytics.dto';

/** A scope with the calendar days it covers, for the response. */
export interface ResolvedScope extends AnalyticsScope {
  period: PeriodDto;
  previous: PeriodDto;
}

export interface ProblematicCall {
  callId: number;
  startedAt: Date;
  managerName: string | null;
  clientPhone: string | null;
  score: number | null;
  riskLevel: string | null;
  conflictReasons: string[];
  failedChecks: string[];
  summary: string | null;
}

export interface ProblematicCallCount {
  employeeId: number | null;
  managerName: string | null;
  calls: number;
}

type MentionRow = { kind: 'products' | 'refusalReasons' | 'tags'; name: string; count: number; previousCount: number };
type TotalsRow = Record<string, number | null>;

/** Leaderboard, trends and dashboard totals; every number is computed by PostgreSQL. */
@Injectable()
export class AnalyticsService {
  static readonly MENTIONS_LIMIT = 20;
  private readonly logger = new Logger(AnalyticsService.name);
  private rollupZone?: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
  ) {}

  /** The period of the query (the current month without one), the previous equal period and the filters. */
  static scopeOf(query: AnalyticsQueryDto, timeZone: string, now = new Date()): ResolvedScope {
    const range = resolveDateRange(query, timeZone, now) ?? calendarPeriod('month', timeZone, now);
    const previous = previousRange(range, timeZone);
    return {
      from: range.from,
      to: range.to,
      previousFrom: previous.from,
      firstDay: range.firstDay,
      lastDay: range.lastDay,
      previousFirstDay: previous.firstDay,
      previousLastDay: previous.lastDay,
      timeZone,
      employeeId: query.employeeId,
      department: query.department,
      direction: query.direction,
      period: days(range),
      previous: days(previous),
    };
  }

  async scope(query: AnalyticsQueryDto, now = new Date()): Promise<ResolvedScope> {
    const { timeZone } = await this.settings.get();
    await this.ensureRollupZone(timeZone);
    return AnalyticsService.scopeOf(query, timeZone, now);
  }

  /** The daily rollups count days in one zone; after the settings zone changes they are rebuilt once, by one instance. */
  private async ensureRollupZone(timeZone: string): Promise<void> {
    if (this.rollupZone === timeZone) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.rollups]);
      const [{ zone }] = await manager.query('SELECT time_zone AS zone FROM analytics_rollup_zone');
      if (zone !== timeZone) {
        this.logger.log(`Rebuilding the daily analytics rollups for the time zone ${timeZone} (was ${zone})`);
        await manager.query('SELECT call_rollups_rebuild($1)', [timeZone]);
      }
    });
    this.rollupZone = timeZone;
  }

  async employees(query: AnalyticsQueryDto, now = new Date()): Promise<EmployeesAnalyticsDto> {
    const scope = await this.scope(query, now);
    const items = await this.run<EmployeeStatsDto>(employeesLeaderboardSql(scope));
    return { ...scope.period, timeZone: scope.timeZone, previous: scope.previous, items };
  }

  async trends(query: AnalyticsQueryDto, granularity: Granularity, now = new Date()): Promise<TrendsDto> {
    const scope = await this.scope(query, now);
    const [series, mentions, [totals]] = await Promise.all([
      this.run<TrendPointDto>(trendSeriesSql(scope, granularity)),
      this.run<MentionRow>(trendMentionsSql(scope, AnalyticsService.MENTIONS_LIMIT)),
      this.run<TotalsRow>(periodTotalsSql(scope)),
    ]);
    const of = (kind: MentionRow['kind']): MentionDto[] =>
      mentions.filter((row) => row.kind === kind).map(({ name, count, previousCount }) => ({ name, count, previousCount, change: count - previousCount }));
    return {
      ...scope.period,
      timeZone: scope.timeZone,
      granularity,
      previous: scope.previous,
      series,
      products: of('products'),
      refusalReasons: of('refusalReasons'),
      tags: of('tags'),
      sentiment: { positive: totals.sentimentPositive ?? 0, neutral: totals.sentimentNeutral ?? 0, negative: totals.sentimentNegative ?? 0 },
    };
  }

  async summary(query: AnalyticsQueryDto, now = new Date()): Promise<SummaryDto> {
    const scope = await this.scope(query, now);
    const [totals] = await this.run<TotalsRow>(periodTotalsSql(scope));
    const metric = (name: string) => change(totals[name], totals[`${name}Previous`]);
    return {
      ...scope.period,
      timeZone: scope.timeZone,
      previous: scope.previous,
      calls: metric('calls'),
      analyzedCalls: metric('analyzedCalls'),
      avgScore: metric('avgScore'),
      highRiskCalls: metric('highRiskCalls'),
      missedCalls: metric('missedCalls'),
    };
  }

  problematicCalls(scope: AnalyticsScope, maxScore: number, limit = 200): Promise<ProblematicCall[]> {
    return this.run<ProblematicCall>(problematicCallsSql(scope, maxScore, limit));
  }

  /** The same calls as `problematicCalls`, all of them, counted per manager. */
  problematicCallsByManager(scope: AnalyticsScope, maxScore: number): Promise<ProblematicCallCount[]> {
    return this.run<ProblematicCallCount>(problematicCallsByManagerSql(scope, maxScore));
  }

  private run<T>(query: SqlQuery): Promise<T[]> {
    return this.dataSource.query(query.text, query.values);
  }
}

function days(range: DateRange): PeriodDto {
  return { from: range.firstDay, to: range.lastDay };
}

export function change(value: number | null | undefined, previous: number | null | undefined): MetricChangeDto {
  const current = value ?? null;
  const before = previous ?? null;
  const difference = current !== null && before !== null ? Math.round((current - before) * 10) / 10 : null;
  const percent = difference !== null && before ? Math.round((difference / before) * 1000) / 10 : null;
  return { value: current, previous: before, change: difference, changePercent: percent };
}
