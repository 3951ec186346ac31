import { MigrationInterface, QueryRunner } from 'typeorm';

/** A measure of `call_daily_stats`: its column and what one call (`d`, with its scores `s`) adds to it. */
const MEASURES: [string, string][] = [
  ['calls', '1'],
  ['analyzed', '(d.latest_analysis_id IS NOT NULL)::int'],
  ['missed', 'd.missed::int'],
  ['duration_sum', 'd.duration_sec'],
  ['answered', '(NOT d.missed)::int'],
  ['answered_duration_sum', 'CASE WHEN d.missed THEN 0 ELSE d.duration_sec END'],
  ['score_sum', 'coalesce(d.score_overall, 0)'],
  ['score_count', '(d.score_overall IS NOT NULL)::int'],
  ['risk_low', `(d.risk_level IS NOT DISTINCT FROM 'low')::int`],
  ['risk_medium', `(d.risk_level IS NOT DISTINCT FROM 'medium')::int`],
  ['risk_high', `(d.risk_level IS NOT DISTINCT FROM 'high')::int`],
  ['talk_sum', `coalesce(s.talk_ratio, jsonb_real(d.metrics #> '{talkRatio,manager}'), 0)`],
  ['talk_count', `(coalesce(s.talk_ratio, jsonb_real(d.metrics #> '{talkRatio,manager}')) IS NOT NULL)::int`],
  ...['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone'].flatMap((key): [string, string][] => [
    [`${key}_sum`, `coalesce(s.${key}, 0)`],
    [`${key}_count`, `(s.${key} IS NOT NULL)::int`],
  ]),
  ['sentiment_positive', `(d.client_sentiment IS NOT DISTINCT FROM 'positive')::int`],
  ['sentiment_neutral', `(d.client_sentiment IS NOT DISTINCT FROM 'neutral')::int`],
  ['sentiment_negative', `(d.client_sentiment IS NOT DISTINCT FROM 'negative')::int`],
];

const FLOAT_MEASURES = new Set(['talk_sum', 'greeting_sum', 'needs_sum', 'presentation_sum', 'objections_sum', 'closing_sum', 'tone_sum']);

/** Columns of a call whose change moves it between or within rollup rows. */
const TRACKED = ['started_at', 'employee_id', 'direction', 'missed', 'duration_sec', 'latest_analysis_id', 'score_overall', 'risk_level', 'client_sentiment', 'metrics', 'products', 'refusal_reasons', 'tags'];

/**
 * Per local day (in the zone of `analytics_rollup_zone`, kept equal to the settings time zone by the analytics
 * service), employee and direction: the sums behind the leaderboard, the series and the dashboard; and per day
 * the product, refusal-reason and tag counts. Statement-level triggers on `calls` apply each statement's rows as
 * one aggregated delta, whoever writes them (sync, pipeline, uploads, retention), so a bulk insert costs one upsert
 * per touched day. `call_rollups_rebuild(zone)` recomputes everything, e.g. after a time zone change.
 */
export class CallDailyRollups1764300000002 implements MigrationInterface {
  name = 'CallDailyRollups1764300000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = MEASURES.map(([name]) => `"${name}" ${FLOAT_MEASURES.has(name) ? 'double precision' : 'bigint'} NOT NULL DEFAULT 0`).join(', ');
    await queryRunner.query(`CREATE TABLE "analytics_rollup_zone" ("time_zone" text NOT NULL, "single" boolean PRIMARY KEY DEFAULT true CHECK ("single"))`);
    await queryRunner.query(`INSERT INTO "analytics_rollup_zone" ("time_zone") VALUES ('Europe/Moscow')`);
    await queryRunner.query(`
      CREATE TABLE "call_daily_stats" ("day" date NOT NULL, "employee_id" integer NOT NULL, "direction" varchar(16) NOT NULL, ${columns},
        PRIMARY KEY ("day", "employee_id", "direction"))`);
    await queryRunner.query(`CREATE INDEX "IDX_call_daily_stats_employee_day" ON "call_daily_stats" ("employee_id", "day")`);
    await queryRunner.query(`
      CREATE TABLE "call_daily_mentions" ("day" date NOT NULL, "kind" varchar(16) NOT NULL, "name" text NOT NULL, "count" integer NOT NULL,
        PRIMARY KEY ("day", "kind", "name"))`);
    await queryRunner.query(applyFunction());
    for (const [event, referencing] of [['INSERT', 'NEW TABLE AS new_rows'], ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'], ['DELETE', 'OLD TABLE AS old_rows']]) {
      await queryRunner.query(
        `CREATE TRIGGER "TRG_calls_rollups_${event.toLowerCase()}" AFTER ${event} ON "calls" REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION call_rollups_apply()`,
      );
    }
    await queryRunner.query(`
      CREATE FUNCTION call_rollups_rebuild(zone text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        LOCK TABLE call_daily_stats, call_daily_mentions IN EXCLUSIVE MODE;
        UPDATE analytics_rollup_zone SET time_zone = zone;
        TRUNCATE call_daily_stats, call_daily_mentions;
        ${addRows('SELECT 1 AS sign, r.* FROM calls r')}
      END $$`);
    await queryRunner.query(`SELECT call_rollups_rebuild('Europe/Moscow')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const event of ['insert', 'update', 'delete']) await queryRunner.query(`DROP TRIGGER "TRG_calls_rollups_${event}" ON "calls"`);
    await queryRunner.query(`DROP FUNCTION call_rollups_rebuild`);
    await queryRunner.query(`DROP FUNCTION call_rollups_apply`);
    await queryRunner.query(`DROP TABLE "call_daily_mentions"`);
    await queryRunner.query(`DROP TABLE "call_daily_stats"`);
    await queryRunner.query(`DROP TABLE "analytics_rollup_zone"`);
  }
}

/** Statements adding signed call rows (`sign` = 1 or -1, then the calls columns) from `delta` to both rollups. */
function addRows(delta: string): string {
  const names = MEASURES.map(([name]) => name);
  const sums = MEASURES.map(([, expression]) => `sum(d.sign * (${expression}))`);
  const updates = names.map((name) => `${name} = t.${name} + EXCLUDED.${name}`);
  const day = '(d.started_at AT TIME ZONE z.time_zone)::date';
  return `
    INSERT INTO call_daily_stats AS t (day, employee_id, direction, ${names.join(', ')})
    SELECT ${day}, coalesce(d.employee_id, 0), d.direction, ${sums.join(', ')}
      FROM (${delta}) d CROSS JOIN analytics_rollup_zone z
      LEFT JOIN analysis_scores s ON s.analysis_id = d.latest_analysis_id
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, employee_id, direction) DO UPDATE SET ${updates.join(', ')};
    INSERT INTO call_daily_mentions AS t (day, kind, name, count)
    SELECT ${day}, v.kind, m.name, sum(d.sign)
      FROM (${delta}) d CROSS JOIN analytics_rollup_zone z
     CROSS JOIN LATERAL (VALUES ('products', d.products), ('refusalReasons', d.refusal_reasons), ('tags', d.tags)) AS v(kind, names)
     CROSS JOIN LATERAL unnest(v.names) AS m(name)
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, kind, name) DO UPDATE SET count = t.count + EXCLUDED.count;`;
}

/** Transition tables are visible to the trigger function's own statements only, so the upserts are written out in it. */
function applyFunction(): string {
  const changed = `(${TRACKED.map((column) => `o.${column}`).join(', ')}) IS DISTINCT FROM (${TRACKED.map((column) => `n.${column}`).join(', ')})`;
  const changedRows = `FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ${changed}`;
  return `
    CREATE FUNCTION call_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${addRows('SELECT 1 AS sign, r.* FROM new_rows r')}
      ELSIF TG_OP = 'DELETE' THEN
        ${addRows('SELECT -1 AS sign, r.* FROM old_rows r')}
      ELSIF EXISTS (SELECT 1 ${changedRows}) THEN
        ${addRows(`SELECT -1 AS sign, o.* ${changedRows} UNION ALL SELECT 1, n.* ${changedRows}`)}
      END IF;
      RETURN NULL;
    END $fn$`;
}
