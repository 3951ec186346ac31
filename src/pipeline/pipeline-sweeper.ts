import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Analysis } from '../calls/entities/analysis.entity';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LOCK_KEYS } from '../database/advisory-locks';
import { isLlmConfigured } from '../integrations/analysis/openai-call-analyzer';
import { SettingsService } from '../settings/settings.service';
import { LlmBudget } from './llm-budget';
import { PgBossCallQueue } from './pg-boss-call-queue';
import { AnalysisStage } from './stages/analysis.stage';
import { AWAIT_RECORDING_MS } from './stages/download.stage';

const BATCH = 500;
/** An analysis this old and still unpublished lost its event to a crash; younger ones may be in flight. */
const REPUBLISH_AFTER_SEC = 60;

export interface SweepResult {
  requeued: number;
  expired: number;
  resumed: number;
  republished: number;
}

/**
 * The pipeline's safety net, run by one instance at a time: re-queues calls whose jobs were lost, gives up
 * on recordings that never came, resumes calls parked by the budget or a missing LLM, and republishes
 * "analysed" events a crash swallowed.
 */
@Injectable()
export class PipelineSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PipelineSweeper');
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queue: PgBossCallQueue,
    private readonly budget: LlmBudget,
    private readonly settings: SettingsService,
    private readonly analysis: AnalysisStage,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    const timer = setInterval(() => void this.tick(), this.config.pipeline.sweepIntervalSec * 1000);
    this.scheduler.addInterval('pipeline-sweep', timer);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.scheduler.doesExist('interval', 'pipeline-sweep')) this.scheduler.deleteInterval('pipeline-sweep');
    await this.running;
  }

  /** One sweep, unless another instance is sweeping right now (then null). */
  sweep(): Promise<SweepResult | null> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [LOCK_KEYS.pipelineSweep])) as { locked: boolean }[];
      if (!locked) return null;
      return {
        requeued: await this.requeueLost(manager),
        expired: await this.expireAwaitingRecordings(manager),
        resumed: await this.resumeParked(manager),
        republished: await this.republish(manager),
      };
    });
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .then((result) => {
        if (result && Object.values(result).some(Boolean)) this.logger.log(`Sweep: ${JSON.stringify(result)}`);
      })
      .catch((error: Error) => this.logger.error(`Sweep failed: ${error.message}`))
      .finally(() => (this.running = undefined));
  }

  /** In progress for a while with no live job: the exclusive queue refuses the ones that still have one. */
  private async requeueLost(manager: EntityManager): Promise<number> {
    const ids = await this.ids(manager, `
      SELECT id FROM calls
      WHERE updated_at < now() - make_interval(mins => $1)
        AND (status IN ('in_progress', 'audio_downloaded')
          OR (status IN ('transcribed', 'analyzed') AND status_reason IN ('queued', 'analyzing', 'retrying'))
          OR (status = 'new' AND status_reason = 'awaiting_recording' AND (record_file_id IS NOT NULL OR record_source_url IS NOT NULL)))
      ORDER BY id LIMIT ${BATCH}`, [this.config.pipeline.staleMinutes]);
    return ids.length ? this.queue.requeue(ids) : 0;
  }

  private async expireAwaitingRecordings(manager: EntityManager): Promise<number> {
    const [, expired]: [unknown[], number] = await manager.query(`
      UPDATE calls SET status = 'skipped', status_reason = 'no_recording', updated_at = now()
      WHERE status = 'new' AND status_reason = 'awaiting_recording' AND awaiting_recording_since < now() - make_interval(secs => $1)
        AND record_file_id IS NULL AND record_source_url IS NULL AND recording_path IS NULL`, [AWAIT_RECORDING_MS / 1000]);
    return expired;
  }

  private async resumeParked(manager: EntityManager): Promise<number> {
    if (!isLlmConfigured(this.config.openai)) return 0;
    const parked = (await this.budget.exhausted(await this.settings.get())) ? ['llm_not_configured'] : ['llm_not_configured', 'budget_paused'];
    const ids = await this.ids(manager, `SELECT id FROM calls WHERE status = 'transcribed' AND status_reason = ANY($1) ORDER BY id LIMIT ${BATCH}`, [parked]);
    return ids.length ? this.queue.enqueue(ids) : 0;
  }

  private async republish(manager: EntityManager): Promise<number> {
    const stale = await manager.getRepository(Analysis).createQueryBuilder('a')
      .where('a.published_at IS NULL AND a.call_id IS NOT NULL')
      .andWhere(`a.created_at < now() - make_interval(secs => :age)`, { age: REPUBLISH_AFTER_SEC })
      .orderBy('a.id').limit(100).getMany();
    for (const analysis of stale) await this.analysis.publish(analysis);
    return stale.length;
  }

  private async ids(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number[]> {
    const rows: { id: number }[] = await manager.query(sql, parameters);
    return rows.map((row) => row.id);
  }
}
