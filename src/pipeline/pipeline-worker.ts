import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HealthContributors } from '../health/health-contributors';
import { CallPipeline } from './call-pipeline';
import { CallStateStore } from './call-state.store';
import { PgBossCallQueue } from './pg-boss-call-queue';
import { PipelineLimits } from './pipeline-limits';
import { PipelineStatus } from './pipeline-status';

/** Works call jobs in processes whose role includes it (`worker`, `all`); an `api` process only queues. */
@Injectable()
export class PipelineWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('PipelineWorker');
  private working = false;

  constructor(
    private readonly queue: PgBossCallQueue,
    private readonly pipeline: CallPipeline,
    private readonly state: CallStateStore,
    private readonly status: PipelineStatus,
    private readonly health: HealthContributors,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get worksJobs(): boolean {
    return this.config.role !== 'api';
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('pipeline', async () => ({ role: this.config.role, working: this.working, ...(await this.status.snapshot()) }));
    if (!this.worksJobs) return;
    const slots = PipelineLimits.jobSlots(this.config);
    await this.state.warmUp().catch((error: Error) => this.logger.warn(`Could not open the progress connections ahead: ${error.message}`));
    await this.queue.work(slots, (job) => this.pipeline.process(job));
    this.working = true;
    const { downloadConcurrency, transcribeConcurrency, analysisConcurrency } = this.config.pipeline;
    this.logger.log(`Working call jobs: ${slots} slots (download ${downloadConcurrency}, transcription ${transcribeConcurrency}, analysis ${analysisConcurrency})`);
  }
}
