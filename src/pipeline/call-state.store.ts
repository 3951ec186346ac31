import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Call, CallStatus } from '../calls/entities/call.entity';

export type CallFields = QueryDeepPartialEntity<Call>;
export type StageName = 'download' | 'transcription' | 'analysis';

/** Connections for progress writes: each is one short statement, so a few serve every job slot. */
const PROGRESS_CONNECTIONS = 6;

const SHOW_AND_OPEN_STAGE_SQL = `
  WITH shown AS (UPDATE calls SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1)
  INSERT INTO call_stages (call_id, stage, outcome, attempt, finished_at, error)
  VALUES ($1, $4, $5::varchar, $6, CASE WHEN $5::varchar = 'started' THEN NULL ELSE now() END, $7)
  RETURNING id`;

/**
 * The call's row and its stage history as the pipeline changes them.
 *
 * Progress (statuses, attempts, stage history) is written one statement at a time on connections that commit
 * without waiting for the WAL flush: a crash of the application loses none of it, and a crash of the database
 * server may only roll a call back to an earlier step, which the pipeline redoes idempotently. Results that
 * cost money to redo (transcripts, analyses) commit durably.
 */
@Injectable()
export class CallStateStore implements OnModuleDestroy {
  private readonly logger = new Logger('CallStateStore');
  private readonly progressPool: Pool;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const { url } = dataSource.options as { url?: string };
    this.progressPool = new Pool({ connectionString: url, max: PROGRESS_CONNECTIONS, options: '-c synchronous_commit=off', application_name: 'ai-crm-analytics:progress' });
    // An idle connection the server closes (restart, failover) must not take the process down.
    this.progressPool.on('error', (error: Error) => this.logger.warn(`Progress connection lost: ${error.message}`));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async onModuleDestroy(): Promise<void> {
    await this.progressPool.end();
  }

  /**
   * Opens the progress connections before jobs arrive, each with one statement that fires the triggers on `calls`
   * and changes nothing: a new server process plans them on first use, which would otherwise fall on the first jobs.
   */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: PROGRESS_CONNECTIONS }, () => this.progress('UPDATE calls SET attempts = attempts WHERE false', [])));
  }

  async load(callId: number): Promise<Call | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query('SELECT * FROM calls WHERE id = $1', [callId]);
    return rows[0] ? this.toEntity(rows[0]) : null;
  }

  /** Counts a new attempt on the call and returns the call with it, in one statement; null when the call is gone. */
  async claim(callId: number): Promise<Call | null> {
    const rows = await this.progress<Record<string, unknown>>('UPDATE calls SET attempts = attempts + 1, updated_at = now() WHERE id = $1 RETURNING *', [callId]);
    return rows[0] ? this.toEntity(rows[0]) : null;
  }

  async hasTranscript(callId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM transcripts WHERE call_id = $1', [callId]);
    return rows.length > 0;
  }

  async setStatus(callId: number, status: CallStatus, reason: string | null, fields: CallFields = {}): Promise<void> {
    await this.updateCall(callId, { ...fields, status, statusReason: reason });
  }

  async setReason(callId: number, reason: string): Promise<void> {
    await this.progress('UPDATE calls SET status_reason = $2, updated_at = now() WHERE id = $1', [callId, reason]);
  }

  async fail(callId: number, stage: StageName, reason: string): Promise<void> {
    await this.progress(
      `UPDATE calls SET status = 'error', status_reason = $2, error = $3, error_stage = $4, updated_at = now() WHERE id = $1`,
      [callId, `${stage}_failed`, reason, stage],
    );
  }

  async skip(callId: number, reason: string, stage: StageName): Promise<void> {
    await this.progress(SHOW_AND_OPEN_STAGE_SQL, [callId, 'skipped', reason, stage, 'skipped', 1, reason]);
  }

  /** Shows the call in the stage and opens the stage's history row, in one statement. */
  async stageStarted(callId: number, stage: StageName, attempt: number, shown: { status: CallStatus; reason: string }): Promise<number> {
    const rows = await this.progress<{ id: number }>(SHOW_AND_OPEN_STAGE_SQL, [callId, shown.status, shown.reason, stage, 'started', attempt, null]);
    return rows[0].id;
  }

  async stageFinished(stageId: number, error?: string): Promise<void> {
    await this.progress('UPDATE call_stages SET outcome = $2, finished_at = now(), error = $3 WHERE id = $1', [stageId, error ? 'failed' : 'succeeded', error ?? null]);
  }

  /** A progress write: one statement, durable once the WAL reaches the disk a moment later. */
  async progress<T = unknown>(sql: string, params: unknown[]): Promise<T[]> {
    const result = await this.progressPool.query(sql, params);
    return result.rows as T[];
  }

  /** Results that cost money to redo: committed durably. */
  durable<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** A row of `calls` as the entity, with the value conversions TypeORM applies when it reads one. */
  private toEntity(row: Record<string, unknown>): Call {
    const metadata = this.dataSource.getMetadata(Call);
    const call = metadata.create() as Call;
    for (const column of metadata.columns) {
      column.setEntityValue(call, this.dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return call;
  }

  /** Any of the call's fields, with the column names and value conversions of the entity. */
  private async updateCall(callId: number, fields: CallFields): Promise<void> {
    const [sql, params] = this.dataSource.createQueryBuilder().update(Call).set(fields).where('id = :callId', { callId }).getQueryAndParameters();
    await this.progress(sql, params);
  }
}
