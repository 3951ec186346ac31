import { Client } from 'pg';

export interface BenchDataOptions {
  calls: number;
  employees: number;
  departments: number;
  days: number;
  /** Share of calls with an analysis. */
  analysedShare: number;
  /** Share of calls with a transcript. */
  transcriptShare: number;
}

export const DEFAULT_BENCH_DATA: BenchDataOptions = {
  calls: 1_000_000,
  employees: 200,
  departments: 10,
  days: 365,
  analysedShare: 0.9,
  transcriptShare: 0.1,
};

/** The word that about 1% of transcripts contain, for full-text benchmarks. */
export const RARE_TERM = 'рассрочка';

/**
 * Fills a migrated, empty database with the benchmark data set of product.md: calls spread
 * uniformly over `days` up to now, employees in departments, analyses and transcripts for the
 * given shares, a Bitrix24 recording for every answered call. Pure SQL (generate_series), so a
 * million calls take a minute or two.
 */
export async function seedBenchDatabase(url: string, options: Partial<BenchDataOptions> = {}): Promise<BenchDataOptions> {
  const o = { ...DEFAULT_BENCH_DATA, ...options };
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`INSERT INTO departments (name, bitrix_id) SELECT 'Отдел ' || d, d FROM generate_series(1, $1) d`, [o.departments]);
    await client.query(
      `INSERT INTO employees (name, bitrix_user_id, department_ids)
       SELECT 'Менеджер ' || e, e, ARRAY[(SELECT id FROM departments ORDER BY id OFFSET (e % $2) LIMIT 1)]
         FROM generate_series(1, $1) e`,
      [o.employees, o.departments],
    );
    await client.query(
      `INSERT INTO calls (source, bitrix_call_id, bitrix_stat_id, direction, started_at, duration_sec, employee_id, bitrix_user_id,
                          manager_name, client_phone, status, missed, score_overall, risk_level, tags, products, refusal_reasons,
                          client_sentiment, metrics, record_file_id)
       SELECT 'bitrix', 'call.' || i, i,
              (ARRAY['incoming','outgoing','callback'])[1 + i % 3],
              now() - ($2::float8 * 86400 * i / $1) * interval '1 second',
              CASE WHEN m THEN 0 ELSE 20 + (i::bigint * 7919) % 900 END,
              e.id, e.bitrix_user_id, e.name,
              '+7916' || lpad(((i::bigint * 104729) % 10000000)::text, 7, '0'),
              CASE WHEN m THEN 'skipped' WHEN a THEN 'analyzed' ELSE 'transcribed' END,
              m,
              CASE WHEN a THEN 20 + (i::bigint * 31) % 81 END,
              CASE WHEN NOT a THEN NULL WHEN (i::bigint * 31) % 81 < 20 THEN 'high' WHEN (i::bigint * 31) % 81 < 40 THEN 'medium' ELSE 'low' END,
              CASE WHEN a THEN ARRAY[(ARRAY['цена','доставка','скидка','повторный','жалоба'])[1 + i % 5]] ELSE '{}' END,
              CASE WHEN a THEN ARRAY[(ARRAY['CRM Pro','CRM Start','Телефония','Обучение'])[1 + i % 4]] ELSE '{}' END,
              CASE WHEN a AND i % 3 = 0 THEN ARRAY[(ARRAY['дорого','нет бюджета','выбрали конкурента'])[1 + i % 3]] ELSE '{}' END,
              CASE WHEN a THEN (ARRAY['positive','neutral','negative'])[1 + i % 3] END,
              CASE WHEN a THEN jsonb_build_object('talkRatio', jsonb_build_object('manager', 0.3 + (i % 40) / 100.0, 'client', 0.7 - (i % 40) / 100.0)) END,
              CASE WHEN NOT m THEN i END
         FROM generate_series(1, $1) i
         JOIN employees e ON e.bitrix_user_id = 1 + i % $3
         CROSS JOIN LATERAL (SELECT (i % 1000) < $4::float8 * 1000 AS a) analysed
         CROSS JOIN LATERAL (SELECT NOT a AND i % 2 = 0 AS m) missed`,
      [o.calls, o.days, o.employees, o.analysedShare],
    );
    await client.query(
      `INSERT INTO analyses (call_id, version, result, score_overall, risk_level, model, prompt_version, criteria_version, input_hash, cost_usd, published_at, created_at)
       SELECT c.id, 1,
              jsonb_build_object('scores', jsonb_build_object('greeting', 1 + c.id % 5, 'needs', 1 + (c.id / 3) % 5, 'presentation', 1 + (c.id / 7) % 5,
                                                              'objections', 1 + (c.id / 11) % 5, 'closing', 1 + (c.id / 13) % 5, 'tone', 1 + (c.id / 17) % 5,
                                                              'overall', c.score_overall),
                                 'summary', 'Клиент интересовался тарифами'),
              c.score_overall, c.risk_level, 'gpt-4o', 'bench', 'bench', md5(c.id::text), 0.01, c.started_at, c.started_at
         FROM calls c WHERE c.status = 'analyzed'`,
    );
    await client.query(`UPDATE calls c SET latest_analysis_id = a.id, summary = 'Клиент интересовался тарифами', analyzed_at = a.created_at FROM analyses a WHERE a.call_id = c.id`);
    await client.query(
      `INSERT INTO transcripts (call_id, text, segments, language, engine, model)
       SELECT c.id,
              'Здравствуйте, компания Альфа, меня зовут ' || c.manager_name || '. Клиент спросил про ' ||
              (ARRAY['тарифы','доставку','интеграцию','обучение','скидки'])[1 + c.id % 5] ||
              CASE WHEN (c.id / $2) % 100 = 0 THEN ', возможна ли ' || $1 || ' платежа' ELSE '' END || '. Договорились созвониться.',
              '[]', 'ru', 'bench', 'bench'
         FROM calls c WHERE c.id % $2 = 0`,
      [RARE_TERM, Math.round(1 / o.transcriptShare)],
    );
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
  return o;
}
