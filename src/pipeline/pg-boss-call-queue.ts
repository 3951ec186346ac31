import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool, PoolClient } from 'pg';
import { PgBoss } from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallProcessingQueue, EnqueueOptions } from './call-processing-queue';

export const CALL_QUEUE = 'call-processing';
const BOSS_SCHEMA = 'pgboss';
/** A stage may run this long (a long recording on a slow recogniser); heartbeats catch dead workers far sooner. */
const JOB_EXPIRE_SECONDS = 4 * 3600;
/** Calls queued per transaction: one commit for many jobs. */
const ENQUEUE_CHUNK = 100;
/** Job fetchers started at a time, and the pause before the next few. */
const FETCHERS_PER_STEP = 4;
const FETCHER_STEP_MS = 50;

export interface CallJobData {
  callId: number;
  force?: boolean;
  analysisOnly?: boolean;
}

/** The part of a pg-boss job (fetched with its metadata) the pipeline reads. */
export interface CallJob {
  id: string;
  data: CallJobData;
  /** Attempts before this one. */
  retryCount: number;
  retryLimit: number;
}

type BossDatabase = NonNullable<NonNullable<Parameters<PgBoss['insert']>[2]>['db']>;

/** The status a queued call shows: the work already done stays visible. */
const QUEUED_STATUS_SQL = `
  UPDATE calls SET
    status = CASE
      WHEN recording_path IS NULL OR recording_deleted_at IS NOT NULL THEN 'in_progress'
      WHEN NOT EXISTS (SELECT 1 FROM transcripts t WHERE t.call_id = calls.id) THEN 'audio_downloaded'
      WHEN status = 'analyzed' THEN 'analyzed'
      ELSE 'transcribed' END,
    status_reason = 'queued', error = NULL, error_stage = NULL, updated_at = now(),
    attempts = CASE WHEN $2 THEN attempts ELSE 0 END
  WHERE id = ANY($1::int[])`;

/**
 * The durable call queue on pg-boss, in its own schema of the application database. One job per call,
 * `exclusive` per call: a call that is queued or being worked on anywhere is not queued again, so no two
 * workers (in any process) ever hold the same call. Jobs are retried with exponential back-off, and a
 * job whose worker stops sending heartbeats (a killed process) is retried as well.
 */
@Injectable()
export class PgBossCallQueue extends CallProcessingQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CallQueue');
  private readonly boss: PgBoss;
  private readonly pool: Pool;
  private started?: Promise<void>;
  private rampUp?: Promise<void>;
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    const { heartbeatSec } = config.pipeline;
    this.boss = new PgBoss({
      connectionString: config.database.url,
      schema: BOSS_SCHEMA,
      max: 6,
      application_name: 'ai-crm-analytics:queue',
      // Claims and completions are progress: after a database crash a job at worst runs again, and every stage is idempotent.
      options: '-c synchronous_commit=off',
      useListenNotify: true,
      superviseIntervalSeconds: Math.max(2, Math.floor(heartbeatSec / 3)),
      monitorIntervalSeconds: 60,
      registerInstance: false,
    });
    this.boss.on('error', (error: Error) => this.logger.error(`Queue error: ${error.message}`));
    this.pool = new Pool({ connectionString: config.database.url, max: 4, application_name: 'ai-crm-analytics:enqueue' });
    // An idle connection the server closes (restart, failover) must not take the process down.
    this.pool.on('error', (error: Error) => this.logger.warn(`Enqueue connection lost: ${error.message}`));
  }

  onModuleInit(): Promise<void> {
    return this.ready();
  }

  /** Starts the queue once; callers that enqueue during start-up wait for it. */
  ready(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.rampUp;
    if (this.started) await this.boss.stop({ graceful: true, timeout: 10_000 }).catch((error: Error) => this.logger.warn(error.message));
    await this.pool.end();
  }

  async enqueue(callIds: number[], options: EnqueueOptions = {}): Promise<number> {
    return this.send(callIds, options, false);
  }

  /** Queues calls whose job was lost; their attempt count carries on, so a call that kills its worker ends in `error`. */
  requeue(callIds: number[]): Promise<number> {
    return this.send(callIds, {}, true);
  }

  /**
   * Registers the handler that works jobs in this process. The fetchers start a few at a time, so a process that
   * starts over a backlog does not claim a job for every slot at the same instant, on connections still opening.
   */
  async work(concurrency: number, handler: (job: CallJob) => Promise<void>): Promise<void> {
    await this.ready();
    await this.addFetchers(Math.min(FETCHERS_PER_STEP, concurrency), handler);
    this.rampUp = this.addRemainingFetchers(concurrency - FETCHERS_PER_STEP, handler);
  }

  /** Queued and running jobs, counted in the queue's own table. */
  async counts(): Promise<{ queued: number; active: number; retrying: number }> {
    const { rows } = await this.pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active') GROUP BY state`,
      [CALL_QUEUE],
    );
    const of = (state: string) => rows.find((row) => row.state === state)?.n ?? 0;
    return { queued: of('created'), active: of('active'), retrying: of('retry') };
  }

  private async addRemainingFetchers(remaining: number, handler: (job: CallJob) => Promise<void>): Promise<void> {
    try {
      for (; remaining > 0; remaining -= FETCHERS_PER_STEP) {
        await delay(FETCHER_STEP_MS);
        if (this.stopping) return;
        await this.addFetchers(Math.min(FETCHERS_PER_STEP, remaining), handler);
      }
    } catch (error) {
      this.logger.error(`Could not start all call job fetchers: ${(error as Error).message}`);
    }
  }

  private async addFetchers(count: number, handler: (job: CallJob) => Promise<void>): Promise<void> {
    await this.boss.work<CallJobData>(
      CALL_QUEUE,
      { localConcurrency: count, batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 },
      async ([job]) => handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: (job as { retryLimit?: number }).retryLimit ?? this.config.pipeline.retryLimit }),
    );
  }

  private async start(): Promise<void> {
    await this.boss.start();
    const { retryLimit, retryDelaySec, heartbeatSec } = this.config.pipeline;
    const options = {
      policy: 'exclusive' as const,
      retryLimit,
      retryDelay: retryDelaySec,
      retryBackoff: true,
      retryDelayMax: 3600,
      expireInSeconds: JOB_EXPIRE_SECONDS,
      heartbeatSeconds: heartbeatSec,
      deleteAfterSeconds: 7 * 24 * 3600,
      notify: true,
    };
    if (await this.boss.getQueue(CALL_QUEUE)) {
      const { policy: _policy, ...changeable } = options;
      await this.boss.updateQueue(CALL_QUEUE, changeable);
    } else {
      await this.boss.createQueue(CALL_QUEUE, options).catch(async (error: Error) => {
        if (!(await this.boss.getQueue(CALL_QUEUE))) throw error;
      });
    }
  }

  private async send(callIds: number[], options: EnqueueOptions, keepAttempts: boolean): Promise<number> {
    await this.ready();
    const unique = [...new Set(callIds)];
    let queued = 0;
    for (let offset = 0; offset < unique.length; offset += ENQUEUE_CHUNK) {
      queued += await this.enqueueChunk(unique.slice(offset, offset + ENQUEUE_CHUNK), options, keepAttempts);
    }
    return queued;
  }

  /** Jobs and the calls' queued status commit together, so a worker never sees one without the other. */
  private async enqueueChunk(callIds: number[], options: EnqueueOptions, keepAttempts: boolean): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const existing = await client.query<{ id: number }>('SELECT id FROM calls WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [callIds]);
      const queued = await this.insertJobs(client, existing.rows.map((row) => row.id), options);
      if (queued.length) await client.query(QUEUED_STATUS_SQL, [queued, keepAttempts]);
      await client.query('COMMIT');
      return queued.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** One insert for all the calls; returns those that got a job (a call already queued or running keeps its one). */
  private async insertJobs(client: PoolClient, callIds: number[], options: EnqueueOptions): Promise<number[]> {
    if (!callIds.length) return [];
    const callOfJob = new Map<string, number>(callIds.map((callId) => [randomUUID(), callId]));
    const jobs = [...callOfJob].map(([id, callId]) => ({ id, data: jobData(callId, options), singletonKey: String(callId) }));
    const inserted = await this.boss.insert(CALL_QUEUE, jobs, { db: asBossDatabase(client), returnId: true });
    return (inserted ?? []).map((id) => callOfJob.get(id)!);
  }
}

function jobData(callId: number, options: EnqueueOptions): CallJobData {
  return { callId, ...(options.force ? { force: true } : {}), ...(options.analysisOnly ? { analysisOnly: true } : {}) };
}

function asBossDatabase(client: PoolClient): BossDatabase {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
}
