/*
 * Latency of GET /api/analytics/employees and /api/analytics/trends on 1,000,000 calls (200 employees in 10
 * departments over 365 days, analyses for 90 %), for 30 and 365 days: the HTTP API under autocannon against
 * the same SQL run directly through a `pg` pool at the same concurrency. Prints p50/p99 and the ratio of medians.
 *
 *   export PATH=/opt/node24/bin:$PATH && npm run bench:analytics
 * Options (env): BENCH_CALLS (1000000), BENCH_CONNECTIONS (4), BENCH_REQUESTS (200 per case),
 * BENCH_DATABASE_URL (an existing server), BENCH_DATA_DIR (/tmp/crm-bench-analytics: an embedded server whose
 * seeded data set is kept for the next run). The data is seeded here with generate_series: bench/support/seed.ts
 * overflows int4 arithmetic at a million calls.
 */
import { Logger } from '@nestjs/common';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { AnalyticsService } from '../src/analytics/analytics.service';
import { employeesLeaderboardSql, periodTotalsSql, SqlQuery, trendMentionsSql, trendSeriesSql } from '../src/analytics/analytics.sql';
import { createApp } from '../src/bootstrap';
import { formatLocalDate, addDays, localDateOf } from '../src/common/time-zone';
import { loadAppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/data-source';
import { RunningDatabase, startEmbeddedDatabase } from '../src/database/embedded-database';
import { percentile } from './support/bench-database';

const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DATA_DIR = process.env.BENCH_DATA_DIR ?? '/tmp/crm-bench-analytics';
const EMPLOYEES = 200;
const DEPARTMENTS = 10;
const DAYS = 365;
const TIME_ZONE = 'Europe/Moscow';

interface Latency {
  p50: number;
  p99: number;
}

interface Case {
  name: string;
  path: string;
  queries: SqlQuery[];
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const database = await openDatabase();
  const config = loadAppConfig({ DATABASE_URL: database.url, DB_MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', TIME_ZONE, DB_POOL_SIZE: '10' });
  const pool = new Pool({ connectionString: database.url, max: CONNECTIONS });
  pool.on('error', () => undefined);
  try {
    await seed(pool);
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    try {
      const results = [];
      for (const benchCase of cases()) results.push({ name: benchCase.name, api: await measureApi(`${base}${benchCase.path}`), sql: await measureSql(pool, benchCase.queries) });
      printResults(results);
    } finally {
      await app.close();
    }
  } finally {
    await pool.end();
    await database.stop();
  }
}

function cases(): Case[] {
  const today = localDateOf(new Date(), TIME_ZONE);
  return [30, 365].flatMap((days) => {
    const from = formatLocalDate(addDays(today, 1 - days));
    const to = formatLocalDate(today);
    const scope = AnalyticsService.scopeOf({ from, to }, TIME_ZONE);
    const query = `from=${from}&to=${to}`;
    return [
      { name: `employees ${days} d`, path: `/api/analytics/employees?${query}`, queries: [employeesLeaderboardSql(scope)] },
      {
        name: `trends ${days} d`,
        path: `/api/analytics/trends?${query}&granularity=day`,
        queries: [trendSeriesSql(scope, 'day'), trendMentionsSql(scope, AnalyticsService.MENTIONS_LIMIT), periodTotalsSql(scope)],
      },
    ];
  });
}

async function measureApi(url: string): Promise<Latency> {
  await autocannon({ url, connections: CONNECTIONS, amount: CONNECTIONS * 5 });
  const result = await autocannon({ url, connections: CONNECTIONS, amount: REQUESTS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { p50: result.latency.p50, p99: result.latency.p99 };
}

/** The endpoint's statements, run as the service runs them (in parallel), by CONNECTIONS clients at once. */
async function measureSql(pool: Pool, queries: SqlQuery[]): Promise<Latency> {
  const once = () => Promise.all(queries.map((query) => pool.query(query.text, query.values)));
  for (let warm = 0; warm < CONNECTIONS * 5; warm++) await once();
  const timings: number[] = [];
  let left = REQUESTS;
  const worker = async () => {
    while (left-- > 0) {
      const started = performance.now();
      await once();
      timings.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
}

function printResults(results: { name: string; api: Latency; sql: Latency }[]): void {
  console.log(`\n${CALLS.toLocaleString('en')} calls, ${CONNECTIONS} connections, ${REQUESTS} requests per case`);
  console.log('case               API p50   API p99   SQL p50   SQL p99   ratio (p50)');
  for (const { name, api, sql } of results) {
    const cells = [api.p50, api.p99, sql.p50, sql.p99].map((ms) => `${ms.toFixed(1).padStart(6)} ms`);
    console.log(`${name.padEnd(17)} ${cells.join(' ')}   ${(api.p50 / sql.p50).toFixed(2)}`);
  }
}

async function openDatabase(): Promise<RunningDatabase> {
  let database: RunningDatabase = { url: process.env.BENCH_DATABASE_URL ?? '', stop: async () => undefined };
  if (!database.url) {
    database = await startEmbeddedDatabase(DATA_DIR);
  }
  await runMigrations(database.url);
  return database;
}

async function seed(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM calls');
  if (rows[0].count === CALLS) return console.log(`Reusing ${CALLS.toLocaleString('en')} seeded calls`);
  await pool.query('TRUNCATE calls, employees, departments, analyses RESTART IDENTITY CASCADE');
  const started = Date.now();
  for (const statement of seedStatements()) await pool.query(statement.text, statement.values);
  await pool.query('VACUUM ANALYZE');
  console.log(`Seeded ${CALLS.toLocaleString('en')} calls in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** product.md's data set: calls uniform over the days, 90 % analysed with a result document of realistic size. */
function seedStatements(): SqlQuery[] {
  const analysed = 'g % 10 <> 0';
  const score = '((g * 37) % 101)';
  return [
    { text: `INSERT INTO departments (name) SELECT 'Отдел ' || g FROM generate_series(1, $1) g`, values: [DEPARTMENTS] },
    {
      text: `INSERT INTO employees (name, department_ids)
             SELECT 'Менеджер ' || g, ARRAY[(SELECT min(id) FROM departments) + (g - 1) % $2] FROM generate_series(1, $1) g`,
      values: [EMPLOYEES, DEPARTMENTS],
    },
    {
      text: `INSERT INTO calls (id, source, bitrix_call_id, direction, started_at, duration_sec, employee_id, manager_name, client_phone,
                                missed, status, score_overall, risk_level, client_sentiment, tags, products, refusal_reasons,
                                metrics, latest_analysis_id, analyzed_at)
             SELECT g, 'bitrix', 'bench.' || g, (ARRAY['incoming', 'outgoing', 'callback'])[1 + g % 3],
                    now() - $2 * interval '1 day' + (g::float8 / $1) * $2 * interval '1 day',
                    CASE WHEN g % 20 = 0 THEN 0 ELSE 20 + (g * 7919) % 900 END,
                    (SELECT min(id) FROM employees) + (g * 31) % $3, 'Менеджер', '+7999' || lpad((g % 10000000)::text, 7, '0'),
                    g % 20 = 0,
                    CASE WHEN ${analysed} THEN 'analyzed' WHEN g % 20 = 0 THEN 'skipped' ELSE 'transcribed' END,
                    CASE WHEN ${analysed} THEN ${score} END,
                    CASE WHEN NOT (${analysed}) THEN NULL WHEN ${score} < 40 THEN 'high' WHEN ${score} < 60 THEN 'medium' ELSE 'low' END,
                    CASE WHEN ${analysed} THEN (ARRAY['positive', 'neutral', 'negative'])[1 + g % 3] END,
                    CASE WHEN ${analysed} THEN ARRAY['тег ' || g % 15, 'тег ' || g % 7] ELSE '{}' END,
                    CASE WHEN ${analysed} THEN ARRAY['Продукт ' || g % 12] ELSE '{}' END,
                    CASE WHEN ${analysed} AND g % 4 = 0 THEN ARRAY['Причина ' || g % 8] ELSE '{}' END,
                    CASE WHEN ${analysed} THEN jsonb_build_object('talkRatio', jsonb_build_object('manager', (g % 80) / 100.0 + 0.1, 'client', 0.9 - (g % 80) / 100.0)) END,
                    CASE WHEN ${analysed} THEN g END,
                    CASE WHEN ${analysed} THEN now() END
               FROM generate_series(1, $1::bigint) g`,
      values: [CALLS, DAYS, EMPLOYEES],
    },
    { text: `SELECT setval(pg_get_serial_sequence('calls', 'id'), $1)`, values: [CALLS] },
    {
      text: `INSERT INTO analyses (id, call_id, version, result, metrics, score_overall, risk_level, model, prompt_version, criteria_version, input_hash, published_at)
             SELECT c.id, c.id, 1,
                    jsonb_build_object(
                      'scores', jsonb_build_object('greeting', 1 + c.id % 5, 'needs', 1 + c.id % 4, 'presentation', 2 + c.id % 4,
                                                   'objections', 1 + c.id % 3, 'closing', 1 + c.id % 5, 'tone', 3 + c.id % 3, 'overall', c.score_overall),
                      'sentiment', jsonb_build_object('client', c.client_sentiment, 'manager', 'neutral', 'overall', 0),
                      'conflict', jsonb_build_object('level', c.risk_level, 'detected', c.risk_level = 'high', 'reasons', jsonb_build_array('Клиент недоволен ценой')),
                      'summary', 'Клиент интересовался условиями поставки, звонок ' || c.id,
                      'sections', jsonb_build_object('greeting', jsonb_build_object('how_it_was', repeat('Менеджер поздоровался и представился. ', 12 + c.id % 7), 'how_to_improve', repeat('Назвать компанию. ', 10))),
                      'recommendations', jsonb_build_array(repeat('Уточнить бюджет клиента. ', 8 + c.id % 5), repeat('Договориться о следующем шаге. ', 6))),
                    c.metrics, c.score_overall, c.risk_level, 'gpt-4o', 'p1', 'c1', md5(c.id::text), now()
               FROM calls c WHERE c.latest_analysis_id IS NOT NULL`,
      values: [],
    },
    { text: `SELECT setval(pg_get_serial_sequence('analyses', 'id'), $1)`, values: [CALLS] },
  ];
}

void main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
