import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transcripts carry their call's start time, so a search can order its matches without reading
 * every matching call row; triggers keep the copy in step with the call.
 */
export class TranscriptSearchOrder1764000000001 implements MigrationInterface {
  name = 'TranscriptSearchOrder1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcripts" ADD "call_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "transcripts" t SET "call_started_at" = c."started_at" FROM "calls" c WHERE c."id" = t."call_id"`);
    await queryRunner.query(`
      CREATE FUNCTION transcript_call_started_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.call_started_at := (SELECT started_at FROM calls WHERE id = NEW.call_id);
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "TRG_transcripts_call_started_at" BEFORE INSERT OR UPDATE OF "call_id" ON "transcripts" FOR EACH ROW EXECUTE FUNCTION transcript_call_started_at()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION call_started_at_to_transcript() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE transcripts SET call_started_at = NEW.started_at WHERE call_id = NEW.id;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "TRG_calls_started_at" AFTER UPDATE OF "started_at" ON "calls" FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at) EXECUTE FUNCTION call_started_at_to_transcript()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_calls_started_at" ON "calls"`);
    await queryRunner.query(`DROP FUNCTION call_started_at_to_transcript`);
    await queryRunner.query(`DROP TRIGGER "TRG_transcripts_call_started_at" ON "transcripts"`);
    await queryRunner.query(`DROP FUNCTION transcript_call_started_at`);
    await queryRunner.query(`ALTER TABLE "transcripts" DROP COLUMN "call_started_at"`);
  }
}
