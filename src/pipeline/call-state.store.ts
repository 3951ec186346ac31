import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Call, CallStatus } from '../calls/entities/call.entity';
import { CallStage } from '../calls/entities/call-stage.entity';

export type CallFields = QueryDeepPartialEntity<Call>;
export type StageName = 'download' | 'transcription' | 'analysis';

/**
 * The call's row and its stage history as the pipeline changes them.
 *
 * Progress (statuses, attempts, stage history) commits without waiting for the WAL flush: a crash of the
 * application loses none of it, and a crash of the database server may only roll a call back to an earlier
 * step, which the pipeline redoes idempotently. Results that cost money to redo (the analysis) commit durably.
 */
@Injectable()
export class CallStateStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  load(callId: number): Promise<Call | null> {
    return this.dataSource.getRepository(Call).findOneBy({ id: callId });
  }

  async hasTranscript(callId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM transcripts WHERE call_id = $1', [callId]);
    return rows.length > 0;
  }

  /** Counts the attempt on the call; returns the attempt number. */
  beginAttempt(callId: number): Promise<number> {
    return this.progress(async (manager) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const [rows]: [{ attempts: number }[], number] = await manager.query(
        'UPDATE calls SET attempts = attempts + 1, updated_at = now() WHERE id = $1 RETURNING attempts',
        [callId],
      );
      return rows[0]?.attempts ?? 0;
    });
  }

  setStatus(callId: number, status: CallStatus, reason: string | null, fields: CallFields = {}): Promise<void> {
    return this.progress((manager) => this.updateCall(manager, callId, { ...fields, status, statusReason: reason }));
  }

  setReason(callId: number, reason: string): Promise<void> {
    return this.progress((manager) => this.updateCall(manager, callId, { statusReason: reason }));
  }

  fail(callId: number, stage: StageName, reason: string): Promise<void> {
    return this.progress((manager) => this.updateCall(manager, callId, { status: 'error', statusReason: `${stage}_failed`, error: reason, errorStage: stage }));
  }

  skip(callId: number, reason: string, stage: StageName): Promise<void> {
    return this.progress(async (manager) => {
      await this.updateCall(manager, callId, { status: 'skipped', statusReason: reason });
      await manager.getRepository(CallStage).insert({ callId, stage, outcome: 'skipped', finishedAt: new Date(), error: reason });
    });
  }

  /** Shows the call in the stage and opens the stage's history row. */
  stageStarted(callId: number, stage: StageName, attempt: number, shown: { status: CallStatus; reason: string }): Promise<number> {
    return this.progress(async (manager) => {
      await this.updateCall(manager, callId, { status: shown.status, statusReason: shown.reason });
      const result = await manager.getRepository(CallStage).insert({ callId, stage, outcome: 'started', attempt });
      return (result.identifiers[0] as { id: number }).id;
    });
  }

  stageFinished(stageId: number, error?: string): Promise<void> {
    return this.progress(async (manager) => {
      await manager.getRepository(CallStage).update(stageId, { outcome: error ? 'failed' : 'succeeded', finishedAt: new Date(), error: error ?? null });
    });
  }

  /** Progress writes, durable once the WAL reaches the disk a moment later. */
  progress<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL synchronous_commit = off');
      return work(manager);
    });
  }

  /** Results that cost money to redo: committed durably. */
  durable<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private async updateCall(manager: EntityManager, callId: number, fields: CallFields): Promise<void> {
    await manager.getRepository(Call).update(callId, fields);
  }
}
