import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { setTimeout as delay } from 'node:timers/promises';
import { errorBody } from '../common/http-error.filter';
import { SettingsService } from '../settings/settings.service';
import { CallSyncService, SyncAlreadyRunningError, SyncRequest } from './call-sync.service';
import { SyncClock } from './sync-clock';
import { SyncOptions } from './sync-options';
import { resolveSyncRange } from './sync-range';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncRangeDto } from './dto/sync-range.dto';
import { SyncResultDto, SyncRunningDto, SyncRunPageDto, toSyncRunDto } from './dto/sync-run.dto';
import { ListSyncRunsQuery } from './dto/sync-runs.query';

type SyncReply = SyncResultDto | SyncRunningDto | ReturnType<typeof errorBody> & { runId: number | null };

@ApiTags('sync')
@Controller('calls')
export class SyncController {
  constructor(
    private readonly sync: CallSyncService,
    private readonly runs: SyncRunsRepository,
    private readonly settings: SettingsService,
    private readonly clock: SyncClock,
    private readonly options: SyncOptions,
  ) {}

  @Post('sync')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sync calls from Bitrix24 from where the last sync stopped (the first sync backfills sync.backfillDays)' })
  @ApiOkResponse({ type: SyncResultDto, description: 'The run finished within about 25 s' })
  @ApiAcceptedResponse({ type: SyncRunningDto, description: 'The run goes on in the background; see GET /api/calls/sync/runs' })
  @ApiConflictResponse({ description: 'A sync is already running; the body carries its runId' })
  @ApiServiceUnavailableResponse({ description: 'Bitrix24 is not configured (BITRIX_WEBHOOK_URL)' })
  syncFromCursor(@Res({ passthrough: true }) res: Response): Promise<SyncReply> {
    return this.run({ trigger: 'manual' }, res);
  }

  @Post('force-sync')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sync again every Bitrix24 call of the last 24 hours' })
  @ApiOkResponse({ type: SyncResultDto })
  @ApiAcceptedResponse({ type: SyncRunningDto })
  @ApiConflictResponse({ description: 'A sync is already running' })
  @ApiServiceUnavailableResponse({ description: 'Bitrix24 is not configured' })
  forceSync(@Res({ passthrough: true }) res: Response): Promise<SyncReply> {
    return this.run({ trigger: 'force' }, res);
  }

  @Post('sync-range')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sync the Bitrix24 calls that started in a date range (at most 366 days, not in the future)' })
  @ApiOkResponse({ type: SyncResultDto })
  @ApiAcceptedResponse({ type: SyncRunningDto })
  @ApiConflictResponse({ description: 'A sync is already running' })
  async syncRange(@Body() body: SyncRangeDto, @Res({ passthrough: true }) res: Response): Promise<SyncReply> {
    const range = resolveSyncRange(body, (await this.settings.get()).timeZone, this.clock.now());
    return this.run({ trigger: 'range', ...range }, res);
  }

  @Get('sync/runs')
  @ApiOperation({ summary: 'Calls sync runs, latest first' })
  @ApiOkResponse({ type: SyncRunPageDto })
  async listRuns(@Query() query: ListSyncRunsQuery): Promise<SyncRunPageDto> {
    const { items, total } = await this.runs.page(query.page, query.pageSize);
    return { items: items.map(toSyncRunDto), page: query.page, pageSize: query.pageSize, total };
  }

  /** Waits for the run for a while; a long one answers 202 and goes on. */
  private async run(request: SyncRequest, res: Response): Promise<SyncReply> {
    try {
      const run = await this.sync.start(request);
      const outcome = await within(run.done, this.options.replyWaitMs);
      if (outcome) return { ok: true, ...outcome };
      res.status(HttpStatus.ACCEPTED);
      return { ok: true, runId: run.runId, status: 'running' };
    } catch (error) {
      if (!(error instanceof SyncAlreadyRunningError)) throw error;
      res.status(HttpStatus.CONFLICT);
      return { ...errorBody(HttpStatus.CONFLICT, error.message), runId: error.runId };
    }
  }
}

/** The promise's value, or null once `ms` have passed first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, delay(ms, null, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
