import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Call } from '../calls/entities/call.entity';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SettingsService } from '../settings/settings.service';
import { CallStateStore, StageName } from './call-state.store';
import { CallJob } from './pg-boss-call-queue';
import { isRetryable, reasonOf } from './pipeline-errors';
import { AnalysisStage } from './stages/analysis.stage';
import { DownloadStage } from './stages/download.stage';
import { StageContext } from './stages/stage-context';
import { TranscriptionStage } from './stages/transcription.stage';

/**
 * One call from wherever it stands to a resting status. Work already done is not redone: a call with its
 * recording skips the download, a transcribed call skips recognition. A failure is retried by the queue with
 * back-off while attempts remain, then the call becomes `error` with the reason and the failing stage.
 */
@Injectable()
export class CallPipeline {
  private readonly logger = new Logger('CallPipeline');

  constructor(
    private readonly state: CallStateStore,
    private readonly settings: SettingsService,
    private readonly download: DownloadStage,
    private readonly transcription: TranscriptionStage,
    private readonly analysis: AnalysisStage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async process(job: CallJob): Promise<void> {
    const call = await this.state.claim(job.data.callId);
    if (!call) return;
    const attempt = call.attempts;
    const context: StageContext = { call, attempt, settings: await this.settings.get(), jobId: job.id, force: Boolean(job.data.force) };
    if (attempt > this.attemptCeiling()) return this.giveUp(call, attempt);
    let stage: StageName = 'download';
    try {
      stage = await this.runStages(context, (next) => (stage = next));
    } catch (error) {
      await this.onFailure(job, call, stage, error);
    }
  }

  /** Runs the stages still to do; returns the last one started. */
  private async runStages(context: StageContext, entering: (stage: StageName) => void): Promise<StageName> {
    const id = context.call.id;
    if (!context.call.recordingPath || context.call.recordingDeletedAt) {
      entering('download');
      if (!(await this.download.run(context))) return 'download';
      context.call = (await this.state.load(id))!;
    }
    if (!(await this.state.hasTranscript(id))) {
      entering('transcription');
      if (!(await this.transcription.run(context))) return 'transcription';
      context.call = (await this.state.load(id))!;
    }
    entering('analysis');
    await this.analysis.run(context);
    return 'analysis';
  }

  private async onFailure(job: CallJob, call: Call, stage: StageName, error: unknown): Promise<void> {
    const reason = reasonOf(error);
    const final = !isRetryable(error) || job.retryCount >= job.retryLimit;
    if (final) {
      this.logger.warn(`Call ${call.id}: ${stage} failed for good: ${reason}`);
      await this.state.fail(call.id, stage, reason);
      return;
    }
    this.logger.warn(`Call ${call.id}: ${stage} failed (attempt ${job.retryCount + 1} of ${job.retryLimit + 1}), retrying: ${reason}`);
    await this.state.setReason(call.id, 'retrying');
    throw error;
  }

  /** Attempts the queue's retries allow, twice over: beyond that the call keeps killing its worker. */
  private attemptCeiling(): number {
    return (this.config.pipeline.retryLimit + 1) * 2;
  }

  private async giveUp(call: Call, attempt: number): Promise<void> {
    const stage: StageName = call.status === 'transcribed' || call.status === 'analyzed' ? 'analysis' : call.status === 'audio_downloaded' ? 'transcription' : 'download';
    await this.state.fail(call.id, stage, `Processing stopped ${attempt - 1} times without finishing (the worker may have crashed on this call)`);
  }
}
