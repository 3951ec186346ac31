import { Module } from '@nestjs/common';
import { CallDeletionController, ChatDeletionController } from './data-deletion.controller';
import { DataDeletionService } from './data-deletion.service';
import { RecordingsDiskUsage } from './recordings-disk-usage';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Deletion on request, the nightly retention job and the disk use of recordings. */
@Module({
  controllers: [CallDeletionController, ChatDeletionController],
  providers: [DataDeletionService, RetentionService, RetentionScheduler, RecordingsDiskUsage],
  exports: [RetentionService, DataDeletionService],
})
export class RetentionModule {}
