import { MigrationInterface, QueryRunner } from 'typeorm';

/** Incoming-webhook events whose work failed are retried by a sweep: attempts and the time of the next one. */
export class WebhookEventRetries1764400000001 implements MigrationInterface {
  name = 'WebhookEventRetries1764400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD "attempts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD "next_attempt_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_status_next_attempt_at" ON "webhook_events" ("status", "next_attempt_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_events_status_next_attempt_at"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP COLUMN "next_attempt_at"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP COLUMN "attempts"`);
  }
}
