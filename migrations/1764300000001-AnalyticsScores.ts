import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The six criterion scores and the manager's talk share of every analysis in a narrow table, so the leaderboard
 * averages them without reading (and decompressing) the whole analysis document of every call. A trigger keeps
 * it in step with `analyses` whoever writes there; TypeORM does not model it, so the drift check leaves it alone.
 */
export class AnalyticsScores1764300000001 implements MigrationInterface {
  name = 'AnalyticsScores1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION jsonb_real(value jsonb) RETURNS real LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::real END
      $$`);
    await queryRunner.query(`
      CREATE TABLE "analysis_scores" (
        "analysis_id" integer PRIMARY KEY REFERENCES "analyses"("id") ON DELETE CASCADE,
        "greeting" real, "needs" real, "presentation" real, "objections" real, "closing" real, "tone" real,
        "talk_ratio" real
      )`);
    await queryRunner.query(`
      CREATE FUNCTION analysis_scores_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE scores jsonb := NEW.result -> 'scores';
      BEGIN
        INSERT INTO analysis_scores (analysis_id, greeting, needs, presentation, objections, closing, tone, talk_ratio)
        VALUES (NEW.id, jsonb_real(scores -> 'greeting'), jsonb_real(scores -> 'needs'), jsonb_real(scores -> 'presentation'),
                jsonb_real(scores -> 'objections'), jsonb_real(scores -> 'closing'), jsonb_real(scores -> 'tone'),
                jsonb_real(NEW.metrics #> '{talkRatio,manager}'))
        ON CONFLICT (analysis_id) DO UPDATE SET
          greeting = EXCLUDED.greeting, needs = EXCLUDED.needs, presentation = EXCLUDED.presentation,
          objections = EXCLUDED.objections, closing = EXCLUDED.closing, tone = EXCLUDED.tone, talk_ratio = EXCLUDED.talk_ratio;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "TRG_analyses_scores" AFTER INSERT OR UPDATE OF "result", "metrics" ON "analyses" FOR EACH ROW EXECUTE FUNCTION analysis_scores_upsert()`,
    );
    await queryRunner.query(`
      INSERT INTO analysis_scores (analysis_id, greeting, needs, presentation, objections, closing, tone, talk_ratio)
      SELECT a.id, jsonb_real(a.result #> '{scores,greeting}'), jsonb_real(a.result #> '{scores,needs}'),
             jsonb_real(a.result #> '{scores,presentation}'), jsonb_real(a.result #> '{scores,objections}'),
             jsonb_real(a.result #> '{scores,closing}'), jsonb_real(a.result #> '{scores,tone}'),
             jsonb_real(a.metrics #> '{talkRatio,manager}')
        FROM analyses a`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_analyses_scores" ON "analyses"`);
    await queryRunner.query(`DROP FUNCTION analysis_scores_upsert`);
    await queryRunner.query(`DROP TABLE "analysis_scores"`);
    await queryRunner.query(`DROP FUNCTION jsonb_real`);
  }
}
