import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "employees" ("id" SERIAL NOT NULL, "bitrix_user_id" integer, "name" character varying(255) NOT NULL, "position" character varying(255), "email" character varying(255), "active" boolean NOT NULL DEFAULT true, "department_ids" integer array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3bf85e7a668729746c9e9c41b81" UNIQUE ("bitrix_user_id"), CONSTRAINT "PK_b9535a98350d5b26e7eb0c26af4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "chats" ("id" SERIAL NOT NULL, "bitrix_session_id" integer, "bitrix_activity_id" integer, "channel" character varying(32) NOT NULL, "employee_id" integer, "bitrix_user_id" integer, "manager_name" character varying(255), "client_name" character varying(255), "crm_entity_type" character varying(32), "crm_entity_id" integer, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "closed" boolean NOT NULL DEFAULT false, "message_count" integer NOT NULL DEFAULT '0', "status" character varying(24) NOT NULL DEFAULT 'new', "status_reason" character varying(48), "error" text, "attempts" integer NOT NULL DEFAULT '0', "score_overall" smallint, "risk_level" character varying(8), "summary" text, "tags" text array NOT NULL DEFAULT '{}', "metrics" jsonb, "latest_analysis_id" integer, "analyzed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f9c1e87ddf94a430838151acb34" UNIQUE ("bitrix_session_id"), CONSTRAINT "UQ_08aebe6e82d7ad53955740f290b" UNIQUE ("bitrix_activity_id"), CONSTRAINT "PK_0117647b3c4a4e5ff198aeb6206" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_chats_channel" ON "chats"  ("channel") `);
    await queryRunner.query(`CREATE INDEX "IDX_chats_employee_started_at" ON "chats"  ("employee_id", "started_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_chats_started_at" ON "chats"  ("started_at", "id") `);
    await queryRunner.query(`CREATE TABLE "calls" ("id" SERIAL NOT NULL, "source" character varying(16) NOT NULL, "bitrix_call_id" character varying(128), "external_id" character varying(128), "bitrix_stat_id" bigint, "bitrix_activity_id" integer, "direction" character varying(16) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_sec" integer NOT NULL DEFAULT '0', "employee_id" integer, "bitrix_user_id" integer, "manager_name" character varying(255), "client_phone" character varying(64), "portal_number" character varying(64), "crm_entity_type" character varying(32), "crm_entity_id" integer, "failed_code" character varying(16), "missed" boolean NOT NULL DEFAULT false, "status" character varying(24) NOT NULL DEFAULT 'new', "status_reason" character varying(48), "error" text, "error_stage" character varying(24), "attempts" integer NOT NULL DEFAULT '0', "record_file_id" integer, "record_source_url" text, "recording_path" text, "recording_bytes" bigint, "recording_mime" character varying(64), "audio_duration_sec" real, "audio_channels" smallint, "recording_deleted_at" TIMESTAMP WITH TIME ZONE, "awaiting_recording_since" TIMESTAMP WITH TIME ZONE, "score_overall" smallint, "risk_level" character varying(8), "summary" text, "client_sentiment" character varying(8), "tags" text array NOT NULL DEFAULT '{}', "products" text array NOT NULL DEFAULT '{}', "refusal_reasons" text array NOT NULL DEFAULT '{}', "metrics" jsonb, "latest_analysis_id" integer, "analyzed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6656e5b9010dc1364db78227319" UNIQUE ("bitrix_call_id"), CONSTRAINT "UQ_3c8443bb7a183e889c7d278ce56" UNIQUE ("external_id"), CONSTRAINT "PK_d9171d91f8dd1a649659f1b6a20" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_calls_crm_entity" ON "calls"  ("crm_entity_id", "crm_entity_type") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_client_phone" ON "calls"  ("client_phone") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_risk_level_started_at" ON "calls"  ("risk_level", "started_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_status" ON "calls"  ("status") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_employee_started_at" ON "calls"  ("employee_id", "started_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_started_at" ON "calls"  ("started_at", "id") `);
    await queryRunner.query(`CREATE TABLE "analyses" ("id" SERIAL NOT NULL, "call_id" integer, "chat_id" integer, "version" integer NOT NULL, "result" jsonb NOT NULL, "metrics" jsonb, "score_overall" smallint, "risk_level" character varying(8), "model" character varying(64) NOT NULL, "prompt_version" character varying(32) NOT NULL, "criteria_version" character varying(32) NOT NULL, "input_hash" character varying(64) NOT NULL, "prompt_tokens" integer NOT NULL DEFAULT '0', "cached_prompt_tokens" integer NOT NULL DEFAULT '0', "completion_tokens" integer NOT NULL DEFAULT '0', "cost_usd" numeric(12,6) NOT NULL DEFAULT '0', "published_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_analyses_subject" CHECK ((call_id IS NULL) <> (chat_id IS NULL)), CONSTRAINT "PK_91421900ca225ed9865d016a940" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_analyses_created_at" ON "analyses"  ("created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_analyses_chat_version" ON "analyses"  ("chat_id", "version") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_analyses_call_version" ON "analyses"  ("call_id", "version") `);
    await queryRunner.query(`CREATE TABLE "call_stages" ("id" SERIAL NOT NULL, "call_id" integer NOT NULL, "stage" character varying(24) NOT NULL, "outcome" character varying(16) NOT NULL, "attempt" integer NOT NULL DEFAULT '1', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "error" text, CONSTRAINT "PK_5bc3de8740150cbc119fb5f9f70" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_call_stages_call" ON "call_stages"  ("call_id", "id") `);
    await queryRunner.query(`CREATE TABLE "transcripts" ("id" SERIAL NOT NULL, "call_id" integer NOT NULL, "text" text NOT NULL, "segments" jsonb NOT NULL DEFAULT '[]', "language" character varying(16), "engine" character varying(32), "model" character varying(64), "duration_sec" real, "dropped_segments" integer NOT NULL DEFAULT '0', "tsv" tsvector, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "REL_2dfb21b71e2d51baa64ec6ff40" UNIQUE ("call_id"), CONSTRAINT "PK_40c75f89c1fc953cd33e702247d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "chat_messages" ("id" SERIAL NOT NULL, "chat_id" integer NOT NULL, "bitrix_message_id" bigint NOT NULL, "author_role" character varying(16) NOT NULL, "author_id" integer, "author_name" character varying(255), "text" text NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "tsv" tsvector, CONSTRAINT "PK_40c55ee0e571e268b0d3cd37d10" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_chat_messages_chat_sent_at" ON "chat_messages"  ("chat_id", "sent_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_chat_messages_bitrix_id" ON "chat_messages"  ("chat_id", "bitrix_message_id") `);
    await queryRunner.query(`CREATE TABLE "departments" ("id" SERIAL NOT NULL, "bitrix_id" integer, "name" character varying(255) NOT NULL, "parent_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_215556fb34e057cad60059ba89e" UNIQUE ("bitrix_id"), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "integration_status" ("name" character varying(32) NOT NULL, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_error_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "failing_since" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e11f98d3553cd17249f40851bea" PRIMARY KEY ("name"))`);
    await queryRunner.query(`CREATE TABLE "notifications" ("id" SERIAL NOT NULL, "channel" character varying(16) NOT NULL, "kind" character varying(32) NOT NULL, "dedupe_key" character varying(128) NOT NULL, "payload" jsonb NOT NULL DEFAULT '{}', "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_1ce34a3c9fd97cd56bcb734ca9e" UNIQUE ("dedupe_key"), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_kind_created_at" ON "notifications"  ("kind", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_notifications_status_created_at" ON "notifications"  ("status", "created_at") `);
    await queryRunner.query(`CREATE TABLE "reports" ("id" SERIAL NOT NULL, "type" character varying(32) NOT NULL, "title" character varying(255) NOT NULL, "period_from" TIMESTAMP WITH TIME ZONE NOT NULL, "period_to" TIMESTAMP WITH TIME ZONE NOT NULL, "params" jsonb NOT NULL DEFAULT '{}', "data" jsonb NOT NULL, "delivery_status" character varying(16) NOT NULL DEFAULT 'not_sent', "delivery_error" text, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d9013193989303580053c0b5ef6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_reports_type_created_at" ON "reports"  ("type", "created_at") `);
    await queryRunner.query(`CREATE TABLE "settings_versions" ("id" SERIAL NOT NULL, "values" jsonb NOT NULL, "changed_keys" text array NOT NULL DEFAULT '{}', "actor" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_446b4c756f34bc96fe08748e3a0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "sync_cursors" ("name" character varying(32) NOT NULL, "value" character varying(64) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_40cfc93429c7b74850dc2476ab6" PRIMARY KEY ("name"))`);
    await queryRunner.query(`CREATE TABLE "sync_runs" ("id" SERIAL NOT NULL, "kind" character varying(16) NOT NULL, "trigger" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'running', "range_from" TIMESTAMP WITH TIME ZONE, "range_to" TIMESTAMP WITH TIME ZONE, "cursor_from" character varying(64), "cursor_to" character varying(64), "fetched" integer NOT NULL DEFAULT '0', "created" integer NOT NULL DEFAULT '0', "updated" integer NOT NULL DEFAULT '0', "requests_used" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "error" text, "instance" character varying(128), CONSTRAINT "PK_adf13fff41a683b3b991fb90b11" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_sync_runs_kind_started_at" ON "sync_runs"  ("kind", "started_at") `);
    await queryRunner.query(`CREATE TABLE "webhook_events" ("id" SERIAL NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "kind" character varying(16) NOT NULL, "event" character varying(64), "remote_address" character varying(64), "payload" jsonb, "status" character varying(16) NOT NULL, "outcome" text, "external_id" character varying(128), "call_id" integer, "chat_id" integer, "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_received_at" ON "webhook_events"  ("received_at") `);
    await queryRunner.query(`ALTER TABLE "chats" ADD CONSTRAINT "FK_7134864e34f7d43dbba5f854836" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "calls" ADD CONSTRAINT "FK_e6c769d65d5615795d7d539c22f" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD CONSTRAINT "FK_09d4f11d7f7a4d4e9e25021505e" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "analyses" ADD CONSTRAINT "FK_d898760bbf17a1b060f87a381c5" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "call_stages" ADD CONSTRAINT "FK_66a17091e4429ef475b0d0172dc" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "transcripts" ADD CONSTRAINT "FK_2dfb21b71e2d51baa64ec6ff408" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "chat_messages" ADD CONSTRAINT "FK_9f5c0b96255734666b7b4bc98c3" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "IDX_calls_tags" ON "calls" USING GIN ("tags")`);
    await queryRunner.query(`CREATE INDEX "IDX_calls_products" ON "calls" USING GIN ("products")`);
    await queryRunner.query(`CREATE INDEX "IDX_calls_manager_name_trgm" ON "calls" USING GIN ("manager_name" gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "IDX_employees_department_ids" ON "employees" USING GIN ("department_ids")`);
    await queryRunner.query(`CREATE INDEX "IDX_transcripts_tsv" ON "transcripts" USING GIN ("tsv")`);
    await queryRunner.query(`CREATE INDEX "IDX_chat_messages_tsv" ON "chat_messages" USING GIN ("tsv")`);
    // The 'russian' configuration stems Cyrillic words with the Russian stemmer and Latin words with
    // the English one, so one vector serves both languages.
    await queryRunner.query(`
      CREATE FUNCTION text_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.tsv := to_tsvector('pg_catalog.russian', coalesce(NEW.text, ''));
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "TRG_transcripts_tsv" BEFORE INSERT OR UPDATE OF "text" ON "transcripts" FOR EACH ROW EXECUTE FUNCTION text_search_vector()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "TRG_chat_messages_tsv" BEFORE INSERT OR UPDATE OF "text" ON "chat_messages" FOR EACH ROW EXECUTE FUNCTION text_search_vector()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP TABLE "sync_runs"`);
    await queryRunner.query(`DROP TABLE "sync_cursors"`);
    await queryRunner.query(`DROP TABLE "settings_versions"`);
    await queryRunner.query(`DROP TABLE "reports"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP TABLE "integration_status"`);
    await queryRunner.query(`DROP TABLE "chat_messages"`);
    await queryRunner.query(`DROP TABLE "transcripts"`);
    await queryRunner.query(`DROP TABLE "call_stages"`);
    await queryRunner.query(`DROP TABLE "analyses"`);
    await queryRunner.query(`DROP TABLE "calls"`);
    await queryRunner.query(`DROP TABLE "chats"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP TABLE "employees"`);
    await queryRunner.query(`DROP FUNCTION text_search_vector`);
  }
}
