import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundWork } from '../common/background-work';
import { IntegrationError } from '../common/errors';
import { AdvisoryLock, LOCK_KEYS } from '../database/advisory-locks';
import { BitrixClient, StatisticsFilter, VerifiedPage } from '../integrations/bitrix/bitrix.client';
import { bitrixNotConfigured } from '../integrations/bitrix/bitrix-transport';
import type { StatisticsRow } from '../integrations/bitrix/bitrix.types';
import { IntegrationStatusService } from '../integrations/integration-status.service';
import { CallProcessingQueue } from '../pipeline/call-processing-queue';
import { SettingsService } from '../settings/settings.service';
import { CallRowsStore, StoreOutcome } from './call-rows.store';
import { EmployeeDirectory } from './employee-directory';
import { SyncClock } from './sync-clock';
import { SyncOptions } from './sync-options';
import type { SyncRun, SyncTrigger } from './sync-run.entity';
import { SyncRunsRepository } from './sync-runs.repository';

export const CALLS_CURSOR = 'calls';
const DAY_MS = 86_400_000;
/** Calls re-read per run while they wait for a recording (one batch request per 2,500). */
const AWAITING_PER_RUN = 10_000;
/** One fast-export request brings up to 50 pages; they are stored in one transaction. */
const PAGES_PER_TRANSACTION = 50;

export type SyncRequest =
  | { trigger: 'cron' | 'manual' }
  | { trigger: 'force' }
  | { trigger: 'range'; from: Date; to: Date };

export interface SyncOutcome {
  runId: number;
  synced: number;
  created: number;
  updated: number;
  requestsUsed: number;
  durationMs: number;
}

export interface SyncedCall {
  callId: number;
  /** First time we see this call. */
  created: boolean;
  /** Handed to processing now (its recording is there and `analysis.autoProcess` is on). */
  queued: boolean;
}

export interface StartedRun {
  runId: number;
  /** Settles when the run ends; it goes on whether anyone waits for it or not. */
  done: Promise<SyncOutcome>;
}

/** Another run holds the sync lock (in this process or another instance). */
export class SyncAlreadyRunningError extends Error {
  constructor(readonly runId: number | null) {
    super(runId ? `A calls sync is already running (run ${runId})` : 'A calls sync is already running');
  }
}

/** How one run reads the portal: from the ID cursor (advancing it) or over a date range (leaving it alone). */
interface RunPlan {
  trigger: SyncTrigger;
  cursor: number;
  advancesCursor: boolean;
  filter: StatisticsFilter;
}

/**
 * Bitrix24 calls into our database: runs guarded by an advisory lock and recorded in `sync_runs`, pages stored
 * with the cursor in one transaction, late recordings looked at again, new calls handed to processing.
 */
@Injectable()
export class CallSyncService implements OnApplicationShutdown {
  private readonly logger = new Logger('CallSync');
  private readonly background = new BackgroundWork();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: BitrixClient,
    private readonly store: CallRowsStore,
    private readonly directory: EmployeeDirectory,
    private readonly runs: SyncRunsRepository,
    private readonly settings: SettingsService,
    private readonly queue: CallProcessingQueue,
    private readonly integrationStatus: IntegrationStatusService,
    private readonly clock: SyncClock,
    private readonly options: SyncOptions,
  ) {}

  get configured(): boolean {
    return this.client.configured;
  }

  /**
   * Starts a run unless one is running anywhere (SyncAlreadyRunningError). Without Bitrix24 configured it
   * throws the `not_configured` IntegrationError.
   */
  async start(request: SyncRequest): Promise<StartedRun> {
    if (!this.client.configured) throw bitrixNotConfigured();
    const lock = await AdvisoryLock.tryAcquire(this.dataSource, LOCK_KEYS.callsSync);
    if (!lock) throw new SyncAlreadyRunningError(await this.runs.runningId());
    return this.launch(lock, request);
  }

  /**
   * A scheduled run: `isDue` is asked while the lock is held, so two instances that both found a run due
   * cannot run one after the other. Null when another run holds the lock or the run is not due.
   */
  async startScheduled(isDue: () => Promise<boolean>): Promise<StartedRun | null> {
    if (!this.client.configured) throw bitrixNotConfigured();
    const lock = await AdvisoryLock.tryAcquire(this.dataSource, LOCK_KEYS.callsSync);
    if (!lock) return null;
    const due = await isDue().catch(async (error: unknown) => {
      await lock.release();
      throw error;
    });
    if (due) return this.launch(lock, { trigger: 'cron' });
    await lock.release();
    return null;
  }

  private async launch(lock: AdvisoryLock, request: SyncRequest): Promise<StartedRun> {
    let run: SyncRun;
    let plan: RunPlan;
    try {
      await this.runs.failAbandoned(this.clock.now());
      plan = await this.plan(request);
      run = await this.runs.create({
        trigger: plan.trigger,
        startedAt: this.clock.now(),
        rangeFrom: toDate(plan.filter.from),
        rangeTo: toDate(plan.filter.to),
        cursorFrom: plan.advancesCursor ? String(plan.cursor) : null,
      });
    } catch (error) {
      await lock.release();
      throw error;
    }
    const done = this.execute(run, plan).finally(() => lock.release());
    this.background.add(done);
    return { runId: run.id, done };
  }

  /**
   * One call by its Bitrix24 CALL_ID (after an ONVOXIMPLANTCALLEND event): fetched, stored, linked to its
   * employee and queued when its recording is there. Null when the portal has no statistics row for it yet.
   * Without a recording it stays `new` / `awaiting_recording` and later syncs look at it again.
   */
  async syncCall(bitrixCallId: string): Promise<SyncedCall | null> {
    try {
      const row = await this.client.statisticByCallId(bitrixCallId);
      if (!row) return null;
      await this.ensureEmployee(row);
      const outcome = await this.store.upsert([row], this.clock.now(), this.options.awaitingRecordingMs);
      const queued = await this.enqueueReady(outcome, (await this.settings.get()).analysis.autoProcess);
      await this.integrationStatus.recordSuccess('bitrix');
      const stored = outcome.calls[0];
      if (stored) return { callId: stored.id, created: stored.created, queued: queued.length > 0 };
      const [existing] = (await this.dataSource.query('SELECT id FROM calls WHERE bitrix_call_id = $1', [bitrixCallId])) as { id: number }[];
      return existing ? { callId: existing.id, created: false, queued: false } : null;
    } catch (error) {
      if (error instanceof IntegrationError && error.integration === 'bitrix') await this.recordFailure(error);
      throw error;
    }
  }

  /** Stops between pages on shutdown; the cursor stays at the last stored page. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.background.settled();
  }

  private async plan(request: SyncRequest): Promise<RunPlan> {
    const now = this.clock.now();
    if (request.trigger === 'range') return { trigger: 'range', cursor: 0, advancesCursor: false, filter: { from: request.from, to: request.to } };
    if (request.trigger === 'force') return { trigger: 'force', cursor: 0, advancesCursor: false, filter: { from: new Date(now.getTime() - DAY_MS), to: now } };
    const cursor = await this.store.cursor(CALLS_CURSOR);
    if (cursor !== null) return { trigger: request.trigger, cursor, advancesCursor: true, filter: {} };
    const { backfillDays } = (await this.settings.get()).sync;
    return { trigger: 'backfill', cursor: 0, advancesCursor: true, filter: { from: new Date(now.getTime() - backfillDays * DAY_MS) } };
  }

  private async execute(run: SyncRun, plan: RunPlan): Promise<SyncOutcome> {
    const startedMs = Date.now();
    const requestsBefore = this.client.requestsUsed;
    const requestsUsed = () => this.client.requestsUsed - requestsBefore;
    try {
      await this.directory.refresh();
      const autoProcess = (await this.settings.get()).analysis.autoProcess;
      const counts = await this.readPages(run, plan, autoProcess, requestsUsed);
      const late = await this.recheckAwaiting(autoProcess);
      await this.runs.addChanges(run.id, late);
      await this.store.expireAwaiting(this.clock.now(), this.options.awaitingRecordingMs);
      const finished = await this.runs.finish(run.id, { finishedAt: this.clock.now(), requestsUsed: requestsUsed() });
      await this.integrationStatus.recordSuccess('bitrix');
      const outcome = { runId: run.id, synced: counts.fetched, created: finished.created, updated: finished.updated, requestsUsed: requestsUsed(), durationMs: Date.now() - startedMs };
      this.logger.log(`Calls sync run ${run.id} (${plan.trigger}) finished: ${outcome.synced} rows, ${outcome.created} new, ${outcome.updated} updated, ${outcome.requestsUsed} requests, ${outcome.durationMs} ms`);
      return outcome;
    } catch (error) {
      const message = this.describe(error);
      this.logger.error(`Calls sync run ${run.id} (${plan.trigger}) failed: ${message}`);
      await this.runs.finish(run.id, { finishedAt: this.clock.now(), requestsUsed: requestsUsed(), error: message }).catch(() => undefined);
      if (error instanceof IntegrationError && error.integration === 'bitrix') await this.recordFailure(error);
      throw error;
    }
  }

  /**
   * Verified pages are stored together with the cursor and the run's counts in one transaction per fetched
   * batch (up to 2,500 rows). Pages already fetched are stored before a failure is passed on.
   */
  private async readPages(run: SyncRun, plan: RunPlan, autoProcess: boolean, requestsUsed: () => number): Promise<{ fetched: number }> {
    const pending: VerifiedPage<StatisticsRow>[] = [];
    const progress = { fetched: 0, loggedAt: Date.now() };
    const flush = async () => {
      if (pending.length === 0) return;
      await this.storePages(run, plan, pending.splice(0), autoProcess, requestsUsed);
      this.logProgress(run, progress, requestsUsed);
    };
    try {
      for await (const page of this.client.statisticsAfter(plan.cursor, plan.filter)) {
        if (this.stopping) throw new Error('interrupted: the application is shutting down');
        pending.push(page);
        progress.fetched += page.rows.length;
        if (pending.length >= PAGES_PER_TRANSACTION) await flush();
      }
    } catch (error) {
      await flush();
      throw error;
    }
    await flush();
    return { fetched: progress.fetched };
  }

  private async storePages(
    run: SyncRun, plan: RunPlan, pages: VerifiedPage<StatisticsRow>[], autoProcess: boolean, requestsUsed: () => number,
  ): Promise<void> {
    const rows = pages.flatMap((page) => page.rows);
    const lastId = pages[pages.length - 1].lastId;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const stored = await this.store.upsert(rows, this.clock.now(), this.options.awaitingRecordingMs, manager);
      if (plan.advancesCursor) await this.store.advanceCursor(manager, CALLS_CURSOR, lastId);
      await this.runs.addPage(manager, run.id, {
        fetched: rows.length, created: stored.created, updated: stored.updated, cursorTo: String(lastId), requestsUsed: requestsUsed(),
      });
      return stored;
    });
    if (outcome.unreadable.length) this.logger.warn(`Calls sync run ${run.id}: unreadable statistics rows skipped: ${outcome.unreadable.join(', ')}`);
    await this.enqueueReady(outcome, autoProcess);
  }

  private logProgress(run: SyncRun, progress: { fetched: number; loggedAt: number }, requestsUsed: () => number): void {
    if (Date.now() - progress.loggedAt < this.options.progressLogMs) return;
    progress.loggedAt = Date.now();
    this.logger.log(`Calls sync run ${run.id}: ${progress.fetched} rows so far, ${requestsUsed()} requests`);
  }

  /** Calls still waiting for a recording are read again; those that got one become ready. */
  private async recheckAwaiting(autoProcess: boolean): Promise<{ created: number; updated: number }> {
    const ids = await this.store.awaitingRecording(AWAITING_PER_RUN);
    if (ids.length === 0) return { created: 0, updated: 0 };
    const rows: StatisticsRow[] = await this.client.statisticsByIds(ids);
    const outcome = await this.store.upsert(rows, this.clock.now(), this.options.awaitingRecordingMs);
    await this.enqueueReady(outcome, autoProcess);
    return { created: outcome.created, updated: outcome.updated };
  }

  /** Ids of the calls handed to processing. */
  private async enqueueReady(outcome: StoreOutcome, autoProcess: boolean): Promise<number[]> {
    const ready = outcome.calls.filter((call) => call.ready).map((call) => call.id);
    if (!autoProcess || ready.length === 0) return [];
    await this.queue.enqueue(ready);
    return ready;
  }

  /** A call whose employee we do not know yet refreshes the directory first (a new hire, say). */
  private async ensureEmployee(row: StatisticsRow): Promise<void> {
    const userId = Number(row.PORTAL_USER_ID);
    if (!row.PORTAL_USER_ID || !Number.isSafeInteger(userId) || (await this.directory.knows(userId))) return;
    await this.directory.refresh().catch((error: Error) => this.logger.warn(`Employee refresh for call ${row.CALL_ID} failed: ${this.describe(error)}`));
  }

  private async recordFailure(error: IntegrationError): Promise<void> {
    await this.integrationStatus.recordFailure('bitrix', this.describe(error)).catch(() => undefined);
  }

  /** Error text for logs and `sync_runs.error`, with any webhook secret removed. */
  private describe(error: unknown): string {
    const text = error instanceof IntegrationError ? `${error.failure}: ${error.message}` : error instanceof Error ? error.message : String(error);
    return this.client.redact(text);
  }
}

function toDate(value: Date | string | undefined): Date | null {
  return value === undefined ? null : new Date(value);
}
