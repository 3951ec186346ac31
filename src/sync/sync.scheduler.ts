import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SettingsService } from '../settings/settings.service';
import { CallSyncService, StartedRun } from './call-sync.service';
import { SyncClock } from './sync-clock';
import { SyncRunsRepository } from './sync-runs.repository';

export const CALLS_SYNC_CRON = 'calls-sync';

/**
 * Every minute: starts a sync when `sync.intervalMinutes` have passed since the last run began, so a change of
 * the setting takes effect at the next tick. The advisory lock keeps other instances out.
 */
@Injectable()
export class SyncScheduler {
  private readonly logger = new Logger('CallSyncSchedule');

  constructor(
    private readonly sync: CallSyncService,
    private readonly runs: SyncRunsRepository,
    private readonly settings: SettingsService,
    private readonly clock: SyncClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_MINUTE, { name: CALLS_SYNC_CRON })
  async onTick(): Promise<void> {
    await this.tick().catch((error: Error) => this.logger.warn(`Scheduled calls sync did not start: ${error.message}`));
  }

  /** The run it started, or null when none was due (or another run holds the lock). */
  async tick(): Promise<StartedRun | null> {
    if (this.config.role === 'api') return null;
    if (!this.sync.configured) {
      this.logger.debug('Bitrix24 is not configured: no scheduled calls sync');
      return null;
    }
    const { enabled, intervalMinutes } = (await this.settings.get()).sync;
    if (!enabled || !(await this.due(intervalMinutes))) return null;
    const run = await this.sync.startScheduled(() => this.due(intervalMinutes));
    if (!run) this.logger.debug('Scheduled calls sync skipped: another run holds the lock or ran meanwhile');
    return run;
  }

  private async due(intervalMinutes: number): Promise<boolean> {
    const last = await this.runs.lastStartedAt();
    return !last || this.clock.now().getTime() - last.getTime() >= intervalMinutes * 60_000;
  }
}
