import { Module, OnModuleInit } from '@nestjs/common';
import { HealthContributors } from '../health/health-contributors';
import { BitrixModule } from '../integrations/bitrix/bitrix.module';
import { CallRowsStore } from './call-rows.store';
import { CallSyncService } from './call-sync.service';
import { toSyncRunDto } from './dto/sync-run.dto';
import { EmployeeDirectory } from './employee-directory';
import { SyncClock, SystemClock } from './sync-clock';
import { SyncOptions } from './sync-options';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncController } from './sync.controller';
import { SyncScheduler } from './sync.scheduler';

/**
 * Bitrix24 employees and calls into our database: scheduled, on demand and per call (`CallSyncService.syncCall`,
 * which the Bitrix24 event handler uses).
 */
@Module({
  /** Global: importing it here makes the one BitrixClient available to every module. */
  imports: [BitrixModule],
  controllers: [SyncController],
  providers: [
    CallSyncService,
    CallRowsStore,
    EmployeeDirectory,
    SyncRunsRepository,
    SyncScheduler,
    { provide: SyncClock, useClass: SystemClock },
    { provide: SyncOptions, useValue: new SyncOptions() },
  ],
  exports: [CallSyncService],
})
export class SyncModule implements OnModuleInit {
  constructor(
    private readonly health: HealthContributors,
    private readonly runs: SyncRunsRepository,
    private readonly sync: CallSyncService,
  ) {}

  onModuleInit(): void {
    this.health.register('sync', async () => {
      const last = await this.runs.latest();
      return { configured: this.sync.configured, lastRun: last ? toSyncRunDto(last) : null };
    });
  }
}
