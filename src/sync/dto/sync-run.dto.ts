import { ApiProperty } from '@nestjs/swagger';
import type { SyncRun, SyncRunStatus, SyncTrigger } from '../sync-run.entity';

export class SyncRunDto {
  /** @example 42 */
  id: number;

  /** What started it: `cron`, `manual`, `force` (last 24 h), `range`, `backfill` (first sync). */
  @ApiProperty({ enum: ['cron', 'manual', 'force', 'range', 'backfill', 'event'], example: 'cron' })
  trigger: SyncTrigger;

  @ApiProperty({ enum: ['running', 'succeeded', 'failed'], example: 'succeeded' })
  status: SyncRunStatus;

  /** Date range of a range, force or backfill run (ISO 8601 UTC). @example "2025-01-01T00:00:00.000Z" */
  rangeFrom: string | null;

  /** @example "2025-01-31T23:59:59.000Z" */
  rangeTo: string | null;

  /** Statistics row ID the run continued from (runs that follow the cursor). @example "10450" */
  cursorFrom: string | null;

  /** Last statistics row ID stored. @example "10990" */
  cursorTo: string | null;

  /** Statistics rows read. @example 540 */
  fetched: number;

  /** @example 512 */
  created: number;

  /** Calls whose data really changed. @example 3 */
  updated: number;

  /** HTTP requests sent to Bitrix24 (a batch is one). @example 4 */
  requestsUsed: number;

  /** @example "2025-02-01T09:00:00.000Z" */
  startedAt: string;

  /** @example "2025-02-01T09:00:03.512Z" */
  finishedAt: string | null;

  /** @example 3512 */
  durationMs: number | null;

  /** Why it failed; never carries a secret. @example null */
  error: string | null;

  /** Host and process that ran it. @example "app-1:4211" */
  instance: string | null;
}

export class SyncRunPageDto {
  items: SyncRunDto[];

  /** @example 1 */
  page: number;

  /** @example 20 */
  pageSize: number;

  /** @example 57 */
  total: number;
}

export class SyncResultDto {
  /** @example true */
  ok: boolean;

  /** @example 42 */
  runId: number;

  /** Statistics rows read. @example 540 */
  synced: number;

  /** @example 512 */
  created: number;

  /** @example 3 */
  updated: number;

  /** @example 4 */
  requestsUsed: number;

  /** @example 3512 */
  durationMs: number;
}

export class SyncRunningDto {
  /** @example true */
  ok: boolean;

  /** The run going on; follow it in GET /api/calls/sync/runs. @example 42 */
  runId: number;

  /** @example "running" */
  status: 'running';
}

export function toSyncRunDto(run: SyncRun): SyncRunDto {
  const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    rangeFrom: iso(run.rangeFrom),
    rangeTo: iso(run.rangeTo),
    cursorFrom: run.cursorFrom,
    cursorTo: run.cursorTo,
    fetched: run.fetched,
    created: run.created,
    updated: run.updated,
    requestsUsed: run.requestsUsed,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: iso(run.finishedAt),
    durationMs: run.finishedAt ? new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime() : null,
    error: run.error,
    instance: run.instance,
  };
}
