import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { findPage } from '../database/find-page';
import { SyncRun, SyncTrigger } from './sync-run.entity';

export interface NewSyncRun {
  trigger: SyncTrigger;
  startedAt: Date;
  rangeFrom?: Date | null;
  rangeTo?: Date | null;
  cursorFrom?: string | null;
}

export interface PageCounts {
  fetched: number;
  created: number;
  updated: number;
  cursorTo: string | null;
  requestsUsed: number;
}

const INSTANCE = `${hostname()}:${process.pid}`.slice(0, 128);

/** The `sync_runs` record of calls syncs: what ran, when, where, with which counts and error. */
@Injectable()
export class SyncRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create(run: NewSyncRun): Promise<SyncRun> {
    return this.dataSource.getRepository(SyncRun).save({ kind: 'calls', status: 'running', instance: INSTANCE, ...run });
  }

  /** Adds one stored page's counts, inside the page's transaction so counts and data never disagree. */
  async addPage(manager: EntityManager, runId: number, counts: PageCounts): Promise<void> {
    await manager.query(
      `UPDATE sync_runs SET fetched = fetched + $2, created = created + $3, updated = updated + $4,
              cursor_to = coalesce($5, cursor_to), requests_used = $6 WHERE id = $1`,
      [runId, counts.fetched, counts.created, counts.updated, counts.cursorTo, counts.requestsUsed],
    );
  }

  /** Calls changed outside the page pass (re-read late recordings). */
  async addChanges(runId: number, changes: { created: number; updated: number }): Promise<void> {
    await this.dataSource.query('UPDATE sync_runs SET created = created + $2, updated = updated + $3 WHERE id = $1', [runId, changes.created, changes.updated]);
  }

  async finish(runId: number, outcome: { finishedAt: Date; requestsUsed: number; error?: string }): Promise<SyncRun> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = $2, finished_at = $3, requests_used = $4, error = $5 WHERE id = $1`,
      [runId, outcome.error ? 'failed' : 'succeeded', outcome.finishedAt, outcome.requestsUsed, outcome.error?.slice(0, 2000) ?? null],
    );
    return this.dataSource.getRepository(SyncRun).findOneByOrFail({ id: runId });
  }

  /** Runs left `running` by a process that died. Called only by the holder of the sync lock. */
  async failAbandoned(at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'failed', finished_at = $1,
              error = 'interrupted: the process running it stopped before it finished'
        WHERE kind = 'calls' AND status = 'running'`,
      [at],
    );
  }

  async runningId(): Promise<number | null> {
    const run = await this.dataSource.getRepository(SyncRun).findOne({ where: { kind: 'calls', status: 'running' }, order: { id: 'DESC' } });
    return run?.id ?? null;
  }

  async lastStartedAt(): Promise<Date | null> {
    return (await this.latest())?.startedAt ?? null;
  }

  latest(): Promise<SyncRun | null> {
    return this.dataSource.getRepository(SyncRun).findOne({ where: { kind: 'calls' }, order: { startedAt: 'DESC', id: 'DESC' } });
  }

  /** Latest first. */
  async page(page: number, pageSize: number): Promise<{ items: SyncRun[]; total: number }> {
    return findPage(this.dataSource.getRepository(SyncRun), { where: { kind: 'calls' }, order: { startedAt: 'DESC', id: 'DESC' } }, page, pageSize);
  }
}
