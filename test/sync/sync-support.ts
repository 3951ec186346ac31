import { SchedulerRegistry } from '@nestjs/schedule';
import { BitrixClient } from '../../src/integrations/bitrix/bitrix.client';
import { CallProcessingQueue, EnqueueOptions } from '../../src/pipeline/call-processing-queue';
import { SettingsService } from '../../src/settings/settings.service';
import { CallSyncService } from '../../src/sync/call-sync.service';
import { SyncClock } from '../../src/sync/sync-clock';
import { SyncOptions } from '../../src/sync/sync-options';
import { CALLS_SYNC_CRON, SyncScheduler } from '../../src/sync/sync.scheduler';
import type { FakeBitrix24 } from '../fakes/bitrix24';
import { startTestApp, TestApp } from '../support/app';
import type { TestDatabase } from '../support/database';

/** Remembers what sync hands to processing instead of queueing it. */
export class RecordingQueue extends CallProcessingQueue {
  readonly batches: number[][] = [];

  async enqueue(callIds: number[], _options?: EnqueueOptions): Promise<number> {
    this.batches.push([...callIds]);
    return callIds.length;
  }

  get ids(): number[] {
    return this.batches.flat();
  }
}

export class FakeClock extends SyncClock {
  constructor(public time: Date) {
    super();
  }

  now(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

export interface SyncApp extends TestApp {
  queue: RecordingQueue;
  clock: FakeClock;
  sync: CallSyncService;
  scheduler: SyncScheduler;
  settings: SettingsService;
  client: BitrixClient;
}

export interface SyncAppOptions {
  env?: Record<string, string>;
  database?: TestDatabase;
  now?: Date;
  replyWaitMs?: number;
  /** The webhook the app uses; the fake's own by default. */
  webhookUrl?: string | null;
  client?: { requestsPerSecond?: number; burst?: number };
}

export const NOW = new Date('2025-03-01T12:00:00Z');

/**
 * The real application wired to the fake portal, with a recording queue and a clock the test moves. The
 * minute cron is removed so only the test decides when the scheduler ticks.
 */
export async function startSyncApp(fake: FakeBitrix24 | null, options: SyncAppOptions = {}): Promise<SyncApp> {
  const queue = new RecordingQueue();
  const clock = new FakeClock(options.now ?? NOW);
  const syncOptions = Object.assign(new SyncOptions(), { replyWaitMs: options.replyWaitMs ?? 20_000 });
  const webhookUrl = options.webhookUrl === undefined ? fake?.webhookUrl : options.webhookUrl ?? undefined;
  const client = new BitrixClient({ webhookUrl: webhookUrl ?? '', retryBaseMs: 50, operatingLimitWaitMs: 50, ...options.client });
  const env = { ...(webhookUrl ? { BITRIX_WEBHOOK_URL: webhookUrl } : {}), ...options.env };
  const app = await startTestApp(env, options.database, [
    { provide: CallProcessingQueue, useValue: queue },
    { provide: SyncClock, useValue: clock },
    { provide: SyncOptions, useValue: syncOptions },
    { provide: BitrixClient, useValue: client },
  ]);
  app.app.get(SchedulerRegistry).deleteCronJob(CALLS_SYNC_CRON);
  return {
    ...app,
    queue,
    clock,
    client,
    sync: app.app.get(CallSyncService),
    scheduler: app.app.get(SyncScheduler),
    settings: app.app.get(SettingsService),
  };
}

export async function callRows(app: TestApp): Promise<Record<string, unknown>[]> {
  return app.dataSource.query(
    `SELECT id, bitrix_call_id, bitrix_stat_id::int AS stat_id, employee_id, manager_name, status, status_reason, started_at,
            awaiting_recording_since, record_file_id, direction, missed, updated_at
       FROM calls ORDER BY bitrix_stat_id`,
  );
}

export async function cursorValue(app: TestApp): Promise<number | null> {
  const rows: { value: string }[] = await app.dataSource.query(`SELECT value FROM sync_cursors WHERE name = 'calls'`);
  return rows.length ? Number(rows[0].value) : null;
}

/** Waits until no calls sync run is running. */
export async function settled(app: TestApp, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [{ running }] = await app.dataSource.query(`SELECT count(*)::int AS running FROM sync_runs WHERE status = 'running'`);
    if (running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('a sync run is still running');
}
