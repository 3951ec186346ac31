import { Module } from '@nestjs/common';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { RecordingLinks } from './recording-links';

@Module({
  controllers: [CallsController],
  providers: [CallsService, RecordingLinks],
  exports: [CallsService, RecordingLinks],
})
export class CallsModule {}
