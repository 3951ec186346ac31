import type { CallDirection } from '../calls/entities/call.entity';
import { departmentMembersSql } from '../employees/department-members';

/** What every analytics query is about: a period, the one before it, and optional filters. */
export interface AnalyticsScope {
  from: Date;
  to: Date;
  previousFrom: Date;
  /** The same periods as inclusive local days (YYYY-MM-DD), for the daily rollups. */
  firstDay: string;
  lastDay: string;
  previousFirstDay: string;
  previousLastDay: string;
  timeZone: string;
  employeeId?: number;
  /** Department id, or its name in any letter case. */
  department?: string;
  direction?: CallDirection[];
}

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** A statement and its bind parameters; no value is ever concatenated into the text. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

export const SCORE_CRITERIA = ['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone'] as const;

class Params {
  readonly values: unknown[] = [];

  bind(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

function departmentMembers(department: string, params: Params): string {
  return departmentMembersSql(department, (value) => params.bind(value));
}

/** Calls of the period (and of the previous one unless `currentOnly`) that pass the filters; `cur` tells them apart. */
function scopedCalls(scope: AnalyticsScope, params: Params, columns: string, currentOnly = false): string {
  const from = params.bind(scope.from);
  const where = [`c.started_at >= ${currentOnly ? from : params.bind(scope.previousFrom)}`, `c.started_at < ${params.bind(scope.to)}`];
  if (scope.employeeId) where.push(`c.employee_id = ${params.bind(scope.employeeId)}`);
  if (scope.department) where.push(`c.employee_id IN (${departmentMembers(scope.department, params)})`);
  if (scope.direction?.length) where.push(`c.direction = ANY(${params.bind(scope.direction)})`);
  return `SELECT ${columns}, c.started_at >= ${from} AS cur FROM calls c WHERE ${where.join(' AND ')}`;
}

const round = (expression: string, digits: number) => `round((${expression})::numeric, ${digits})::float8`;

/** Rollup rows of some days that pass the filters. */
function rollupFilter(scope: AnalyticsScope, params: Params, first: string, last: string): string {
  const where = [`r.day BETWEEN ${params.bind(first)}::date AND ${params.bind(last)}::date`];
  if (scope.employeeId) where.push(`r.employee_id = ${params.bind(scope.employeeId)}`);
  if (scope.department) where.push(`r.employee_id IN (${departmentMembers(scope.department, params)})`);
  if (scope.direction?.length) where.push(`r.direction = ANY(${params.bind(scope.direction)})`);
  return where.join(' AND ');
}

const ratio = (sum: string, count: string, digits: number) => `round(sum(${sum})::numeric / nullif(sum(${count}), 0), ${digits})::float8`;

const ROLLUP_TOTALS = {
  calls: 'sum(r.calls)::int',
  analyzed: 'sum(r.analyzed)::int',
  missed: 'sum(r.missed)::int',
  highRisk: 'sum(r.risk_high)::int',
  avgScore: ratio('r.score_sum', 'r.score_count', 1),
  avgDuration: ratio('r.answered_duration_sum', 'r.answered', 0),
};

/** Per employee: counts, durations, scores against the previous period, criteria, risk, talk share, rank. */
export function employeesLeaderboardSql(scope: AnalyticsScope): SqlQuery {
  const params = new Params();
  const current = rollupFilter(scope, params, scope.firstDay, scope.lastDay);
  const previous = rollupFilter(scope, params, scope.previousFirstDay, scope.previousLastDay);
  const memberFilters: string[] = [];
  if (scope.employeeId) memberFilters.push(`e.id = ${params.bind(scope.employeeId)}`);
  if (scope.department) memberFilters.push(`e.id IN (${departmentMembers(scope.department, params)})`);
  const criteria = SCORE_CRITERIA.map((key) => `'${key}', ${ratio(`r.${key}_sum`, `r.${key}_count`, 2)}`).join(', ');
  const text = `
    WITH stats AS (
      SELECT r.employee_id, ${ROLLUP_TOTALS.calls} AS calls, ${ROLLUP_TOTALS.analyzed} AS analyzed, ${ROLLUP_TOTALS.missed} AS missed,
             sum(r.duration_sum)::int AS total_duration, ${ROLLUP_TOTALS.avgDuration} AS avg_duration, ${ROLLUP_TOTALS.avgScore} AS avg_score,
             json_build_object(${criteria}) AS criteria,
             json_build_object('low', sum(r.risk_low), 'medium', sum(r.risk_medium), 'high', sum(r.risk_high)) AS risk_counts,
             ${ratio('r.talk_sum', 'r.talk_count', 3)} AS talk_ratio
        FROM call_daily_stats r
       WHERE r.employee_id <> 0 AND ${current}
       GROUP BY r.employee_id
      HAVING sum(r.calls) > 0
    ),
    previous AS (
      SELECT r.employee_id, ${ROLLUP_TOTALS.avgScore} AS avg_score FROM call_daily_stats r
       WHERE r.employee_id <> 0 AND ${previous} GROUP BY r.employee_id
    ),
    members AS (
      SELECT e.id, e.name, e.department_ids FROM employees e
       WHERE (e.active OR e.id IN (SELECT employee_id FROM stats))
         ${memberFilters.map((filter) => `AND ${filter}`).join(' ')}
    )
    SELECT m.id AS "employeeId", m.name,
           names.departments[1] AS department, coalesce(names.departments, '{}') AS departments,
           coalesce(st.calls, 0) AS calls, coalesce(st.analyzed, 0) AS "analyzedCalls", coalesce(st.missed, 0) AS "missedCalls",
           coalesce(st.total_duration, 0) AS "totalDurationSec", st.avg_duration AS "avgDurationSec",
           st.avg_score AS "avgScore", prev.avg_score AS "prevAvgScore",
           ${round('st.avg_score - prev.avg_score', 1)} AS "scoreDelta",
           coalesce(st.criteria, json_build_object(${SCORE_CRITERIA.map((key) => `'${key}', NULL`).join(', ')})) AS criteria,
           coalesce(st.risk_counts, json_build_object('low', 0, 'medium', 0, 'high', 0)) AS "riskCounts",
           st.talk_ratio AS "talkRatio",
           row_number() OVER (ORDER BY st.avg_score DESC NULLS LAST, coalesce(st.calls, 0) DESC, m.name, m.id)::int AS rank
      FROM members m
      LEFT JOIN stats st ON st.employee_id = m.id
      LEFT JOIN previous prev ON prev.employee_id = m.id
      LEFT JOIN LATERAL (
        SELECT array_agg(d.name ORDER BY array_position(m.department_ids, d.id)) AS departments
          FROM departments d WHERE d.id = ANY(m.department_ids)
      ) names ON true
     ORDER BY rank`;
  return { text, values: params.values };
}

/** Buckets of the period in the zone (weeks start on Monday), empty ones as zeros. */
export function trendSeriesSql(scope: AnalyticsScope, granularity: Granularity): SqlQuery {
  const params = new Params();
  const unit = params.bind(granularity);
  const first = params.bind(scope.firstDay);
  const filter = rollupFilter(scope, params, scope.firstDay, scope.lastDay);
  const text = `
    SELECT to_char(b.bucket, 'YYYY-MM-DD') AS date,
           coalesce(s.calls, 0) AS calls, coalesce(s.analyzed, 0) AS "analyzedCalls", s.avg_score AS "avgScore",
           coalesce(s.high_risk, 0) AS "highRiskCalls", s.avg_duration AS "avgDurationSec"
      FROM generate_series(date_trunc(${unit}, ${first}::date), ${params.bind(scope.lastDay)}::date, ('1 ' || ${unit})::interval) AS b(bucket)
      LEFT JOIN (
        SELECT date_trunc(${unit}, r.day) AS bucket, ${ROLLUP_TOTALS.calls} AS calls, ${ROLLUP_TOTALS.analyzed} AS analyzed,
               ${ROLLUP_TOTALS.avgScore} AS avg_score, ${ROLLUP_TOTALS.highRisk} AS high_risk, ${ROLLUP_TOTALS.avgDuration} AS avg_duration
          FROM call_daily_stats r
         WHERE ${filter}
         GROUP BY 1
      ) s ON s.bucket = b.bucket
     ORDER BY b.bucket`;
  return { text, values: params.values };
}

/**
 * Top products, refusal reasons and tags of the period with their counts in the previous one: from the daily
 * rollup without filters, from the calls themselves (through the employee or date index) with them.
 */
export function trendMentionsSql(scope: AnalyticsScope, limit: number): SqlQuery {
  if (!scope.employeeId && !scope.department && !scope.direction?.length) return rollupMentionsSql(scope, limit);
  const params = new Params();
  const calls = scopedCalls(scope, params, 'c.products, c.refusal_reasons, c.tags');
  const text = `
    SELECT kind, name, count, "previousCount" FROM (
      SELECT v.kind, m.name,
             count(*) FILTER (WHERE c.cur)::int AS count,
             count(*) FILTER (WHERE NOT c.cur)::int AS "previousCount",
             row_number() OVER (PARTITION BY v.kind ORDER BY count(*) FILTER (WHERE c.cur) DESC, count(*) DESC, m.name) AS position
        FROM (${calls}) c
       CROSS JOIN LATERAL (VALUES ('products', c.products), ('refusalReasons', c.refusal_reasons), ('tags', c.tags)) AS v(kind, names)
       CROSS JOIN LATERAL unnest(v.names) AS m(name)
       GROUP BY v.kind, m.name
    ) ranked
     WHERE position <= ${params.bind(limit)}
     ORDER BY kind, position`;
  return { text, values: params.values };
}

function rollupMentionsSql(scope: AnalyticsScope, limit: number): SqlQuery {
  const params = new Params();
  const first = params.bind(scope.firstDay);
  const text = `
    SELECT kind, name, count, "previousCount" FROM (
      SELECT r.kind, r.name,
             coalesce(sum(r.count) FILTER (WHERE r.day >= ${first}::date), 0)::int AS count,
             coalesce(sum(r.count) FILTER (WHERE r.day < ${first}::date), 0)::int AS "previousCount",
             row_number() OVER (PARTITION BY r.kind ORDER BY sum(r.count) FILTER (WHERE r.day >= ${first}::date) DESC NULLS LAST, sum(r.count) DESC, r.name) AS position
        FROM call_daily_mentions r
       WHERE r.day BETWEEN ${params.bind(scope.previousFirstDay)}::date AND ${params.bind(scope.lastDay)}::date AND r.count <> 0
       GROUP BY r.kind, r.name
      HAVING sum(r.count) > 0
    ) ranked
     WHERE position <= ${params.bind(limit)}
     ORDER BY kind, position`;
  return { text, values: params.values };
}

/**
 * Period totals against the previous period: calls, analysed, missed, high risk, average score, and the
 * client sentiment of the current period.
 */
export function periodTotalsSql(scope: AnalyticsScope): SqlQuery {
  const params = new Params();
  const current = rollupFilter(scope, params, scope.firstDay, scope.lastDay);
  const previous = rollupFilter(scope, params, scope.previousFirstDay, scope.previousLastDay);
  const totals = `${ROLLUP_TOTALS.calls} AS calls, ${ROLLUP_TOTALS.analyzed} AS analyzed, ${ROLLUP_TOTALS.missed} AS missed,
                  ${ROLLUP_TOTALS.highRisk} AS high_risk, ${ROLLUP_TOTALS.avgScore} AS avg_score`;
  const text = `
    SELECT coalesce(cur.calls, 0) AS calls, coalesce(prev.calls, 0) AS "callsPrevious",
           coalesce(cur.analyzed, 0) AS "analyzedCalls", coalesce(prev.analyzed, 0) AS "analyzedCallsPrevious",
           coalesce(cur.missed, 0) AS "missedCalls", coalesce(prev.missed, 0) AS "missedCallsPrevious",
           coalesce(cur.high_risk, 0) AS "highRiskCalls", coalesce(prev.high_risk, 0) AS "highRiskCallsPrevious",
           cur.avg_score AS "avgScore", prev.avg_score AS "avgScorePrevious",
           coalesce(cur.positive, 0) AS "sentimentPositive", coalesce(cur.neutral, 0) AS "sentimentNeutral", coalesce(cur.negative, 0) AS "sentimentNegative"
      FROM (SELECT ${totals}, sum(r.sentiment_positive)::int AS positive, sum(r.sentiment_neutral)::int AS neutral,
                   sum(r.sentiment_negative)::int AS negative
              FROM call_daily_stats r WHERE ${current}) cur,
           (SELECT ${totals} FROM call_daily_stats r WHERE ${previous}) prev`;
  return { text, values: params.values };
}

/**
 * The calls of the period that count as problematic: high risk, or scoring below `maxScore`. The problematic-calls
 * report, the digest's chart and the bot all take their calls from here.
 */
function problematicCalls(scope: AnalyticsScope, params: Params): string {
  return scopedCalls(scope, params, 'c.id, c.started_at, c.employee_id, c.manager_name, c.client_phone, c.score_overall, c.risk_level, c.latest_analysis_id', true);
}

const problematic = (maxScore: number, params: Params) => `(c.risk_level = 'high' OR c.score_overall < ${params.bind(maxScore)})`;

/**
 * Problematic calls, worst first, with the reasons their latest analysis gives: conflict reasons and the
 * checklist criteria that failed.
 */
export function problematicCallsSql(scope: AnalyticsScope, maxScore: number, limit: number): SqlQuery {
  const params = new Params();
  const calls = problematicCalls(scope, params);
  const text = `
    SELECT c.id AS "callId", c.started_at AS "startedAt", coalesce(e.name, c.manager_name) AS "managerName",
           c.client_phone AS "clientPhone", c.score_overall AS score, c.risk_level AS "riskLevel",
           CASE WHEN jsonb_typeof(a.result #> '{conflict,reasons}') = 'array'
                THEN ARRAY(SELECT jsonb_array_elements_text(a.result #> '{conflict,reasons}')) ELSE '{}' END AS "conflictReasons",
           CASE WHEN jsonb_typeof(a.result -> 'checklist') = 'array'
                THEN ARRAY(SELECT v ->> 'title' FROM jsonb_array_elements(a.result -> 'checklist') v WHERE v -> 'passed' = 'false'::jsonb)
                ELSE '{}' END AS "failedChecks",
           a.result ->> 'summary' AS summary
      FROM (${calls}) c
      LEFT JOIN employees e ON e.id = c.employee_id
      LEFT JOIN analyses a ON a.id = c.latest_analysis_id
     WHERE ${problematic(maxScore, params)}
     ORDER BY c.score_overall ASC NULLS LAST, c.started_at DESC, c.id DESC
     LIMIT ${params.bind(limit)}`;
  return { text, values: params.values };
}

/** How many problematic calls each manager had, most first; calls without a known manager count under null. */
export function problematicCallsByManagerSql(scope: AnalyticsScope, maxScore: number): SqlQuery {
  const params = new Params();
  const calls = problematicCalls(scope, params);
  const text = `
    SELECT c.employee_id AS "employeeId", coalesce(e.name, c.manager_name) AS "managerName", count(*)::int AS calls
      FROM (${calls}) c
      LEFT JOIN employees e ON e.id = c.employee_id
     WHERE ${problematic(maxScore, params)}
     GROUP BY 1, 2
     ORDER BY calls DESC, 2`;
  return { text, values: params.values };
}
