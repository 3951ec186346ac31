import { MigrationInterface, QueryRunner } from 'typeorm';

/** The channel a call's telephony says carries the employee; how a transcript's channels were recognised and how much was sent. */
export class ChannelRoles1764500000001 implements MigrationInterface {
  name = 'ChannelRoles1764500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calls" ADD "employee_channel" character varying(8)`);
    await queryRunner.query(`ALTER TABLE "transcripts" ADD "channel_layout" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "transcripts" ADD "sent_audio_sec" real`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcripts" DROP COLUMN "sent_audio_sec"`);
    await queryRunner.query(`ALTER TABLE "transcripts" DROP COLUMN "channel_layout"`);
    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "employee_channel"`);
  }
}
