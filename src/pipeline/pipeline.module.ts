import { Global, Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AnalysisEvents } from './analysis-events';
import { AudioPreparer, FfmpegAudioPreparer } from './audio/audio-preparer';
import { CallPipeline } from './call-pipeline';
import { CallProcessingQueue } from './call-processing-queue';
import { CallStateStore } from './call-state.store';
import { CostsController } from './costs.controller';
import { LlmBudget } from './llm-budget';
import { PgBossCallQueue } from './pg-boss-call-queue';
import { PipelineController } from './pipeline.controller';
import { PipelineLimits } from './pipeline-limits';
import { PipelineRequests } from './pipeline-requests.service';
import { PipelineStatus } from './pipeline-status';
import { PipelineSweeper } from './pipeline-sweeper';
import { PipelineWorker } from './pipeline-worker';
import { BitrixClientRecordings, BitrixRecordings } from './recording/bitrix-recordings';
import { HttpRecordingFetcher, RecordingFetcher } from './recording/recording-fetcher';
import { RecordingStore } from './recording/recording-store';
import { AnalysisStage } from './stages/analysis.stage';
import { DownloadStage } from './stages/download.stage';
import { TranscriptionStage } from './stages/transcription.stage';
import { UploadService } from './upload.service';

/** The call processing pipeline: a durable queue from recording to analysed call, and its triggers. */
@Global()
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: diskStorage({ destination: join(config.dataDir, 'recordings', '.partial') }),
        limits: { fileSize: config.recordings.maxBytes, files: 1, fields: 20 },
      }),
    }),
  ],
  controllers: [PipelineController, CostsController],
  providers: [
    AnalysisEvents,
    PgBossCallQueue,
    { provide: CallProcessingQueue, useExisting: PgBossCallQueue },
    CallStateStore,
    PipelineLimits,
    LlmBudget,
    { provide: RecordingStore, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new RecordingStore(config.dataDir) },
    {
      provide: BitrixRecordings,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new BitrixClientRecordings(config.bitrix, config.recordings.downloadTimeoutMs),
    },
    {
      provide: RecordingFetcher,
      inject: [APP_CONFIG, RecordingStore, BitrixRecordings],
      useFactory: (config: AppConfig, store: RecordingStore, bitrix: BitrixRecordings) => new HttpRecordingFetcher(config.recordings, store, bitrix),
    },
    { provide: AudioPreparer, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new FfmpegAudioPreparer(join(config.dataDir, 'work')) },
    DownloadStage,
    TranscriptionStage,
    AnalysisStage,
    CallPipeline,
    PipelineStatus,
    PipelineWorker,
    PipelineSweeper,
    PipelineRequests,
    UploadService,
  ],
  exports: [AnalysisEvents, CallProcessingQueue, LlmBudget],
})
export class PipelineModule {}
