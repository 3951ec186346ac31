import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Analysis } from '../../calls/entities/analysis.entity';
import type { Call } from '../../calls/entities/call.entity';
import { Transcript } from '../../calls/entities/transcript.entity';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AnalysisOutcome, CallAnalyzer } from '../../integrations/analysis/call-analyzer.port';
import { isLlmConfigured } from '../../integrations/analysis/openai-call-analyzer';
import type { Settings } from '../../settings/settings.types';
import { AnalysisEvents } from '../analysis-events';
import { CallFields, CallStateStore } from '../call-state.store';
import { LlmBudget } from '../llm-budget';
import { PipelineLimits } from '../pipeline-limits';
import { recordStage, StageContext } from './stage-context';

/**
 * The LLM's verdict on the transcript, stored as a new analysis version. The same input (transcript, settings
 * that shape the answer, and for a forced re-run the job) reuses the stored analysis, so a retry after a crash
 * pays the model once; the "analysed" event goes out once per version.
 */
@Injectable()
export class AnalysisStage {
  private readonly logger = new Logger('AnalysisStage');

  constructor(
    private readonly state: CallStateStore,
    private readonly analyzer: CallAnalyzer,
    private readonly budget: LlmBudget,
    private readonly events: AnalysisEvents,
    private readonly limits: PipelineLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(context: StageContext): Promise<void> {
    const { call, settings } = context;
    const resting = call.status === 'analyzed' ? 'analyzed' : 'transcribed';
    if (!isLlmConfigured(this.config.openai)) return this.state.setStatus(call.id, resting, 'llm_not_configured');
    const transcript = await this.state.manager.getRepository(Transcript).findOneByOrFail({ callId: call.id });
    const nonce = context.force ? context.jobId : '';
    let analysis = await this.storedAnalysis(call.id, this.inputHash(call, transcript.segments, transcript.durationSec, settings, nonce));
    if (!analysis) {
      if (await this.budget.exhausted(settings)) return this.state.setStatus(call.id, resting, 'budget_paused');
      const shown = { status: resting, reason: 'analyzing' } as const;
      const outcome = await this.limits.analysis.use(() => recordStage(this.state, context, 'analysis', shown, () => this.analyze(call, transcript, settings)));
      const swapped = outcome.metrics.roleCheck === 'swapped' ? outcome.segments : null;
      // A swap rewrites the transcript, so the version is filed under the input it leaves behind: run again, it is found.
      const inputHash = this.inputHash(call, swapped ?? transcript.segments, transcript.durationSec, settings, nonce);
      analysis = await this.storeVersion(call.id, outcome, inputHash, swapped);
    }
    await this.applyToCall(call.id, analysis);
    await this.publish(analysis);
  }

  /** Sends the "analysed" event of a version that has not gone out yet, then marks it sent. */
  async publish(analysis: Pick<Analysis, 'id' | 'callId' | 'version' | 'publishedAt'>): Promise<void> {
    if (analysis.publishedAt || !analysis.callId) return;
    await this.events.publish({ kind: 'call', subjectId: analysis.callId, analysisId: analysis.id, version: analysis.version });
    await this.state.progress('UPDATE analyses SET published_at = now() WHERE id = $1 AND published_at IS NULL', [analysis.id]);
  }

  private analyze(call: Call, transcript: Transcript, settings: Settings): Promise<AnalysisOutcome> {
    return this.analyzer.analyze({
      kind: 'call',
      segments: transcript.segments,
      durationSec: transcript.durationSec ?? call.audioDurationSec ?? call.durationSec,
      direction: call.direction,
      managerName: call.managerName,
      settings,
    });
  }

  private inputHash(call: Call, segments: Transcript['segments'], durationSec: number | null, settings: Settings, nonce: string): string {
    const { model, language, checklist, riskThresholds, piiRedaction } = settings.analysis;
    const { products, competitors } = settings.dictionaries;
    const { autoSwapRoles } = settings.transcription;
    const input = {
      segments, durationSec, direction: call.direction, managerName: call.managerName,
      model: model || this.config.openai.model, language, checklist, riskThresholds, piiRedaction, products, competitors, autoSwapRoles, nonce,
    };
    return createHash('sha256').update(JSON.stringify(input)).digest('hex');
  }

  private storedAnalysis(callId: number, inputHash: string): Promise<Analysis | null> {
    return this.state.manager.getRepository(Analysis).findOne({ where: { callId, inputHash }, order: { version: 'DESC' } });
  }

  /** Stores the version, and with it the transcript's speakers when the analysis exchanged them. */
  private storeVersion(callId: number, outcome: AnalysisOutcome, inputHash: string, swappedSegments: Transcript['segments'] | null): Promise<Analysis> {
    return this.state.durable(async (manager) => {
      await manager.query('SELECT 1 FROM calls WHERE id = $1 FOR UPDATE', [callId]);
      if (swappedSegments) await manager.getRepository(Transcript).update({ callId }, { segments: swappedSegments });
      const version = await nextVersion(manager, callId);
      const { usage } = outcome;
      const analysis = await manager.getRepository(Analysis).save({
        callId, version, inputHash,
        result: outcome.analysis as unknown as Record<string, unknown>,
        metrics: outcome.metrics as unknown as Record<string, unknown>,
        scoreOverall: outcome.scoreOverall, riskLevel: outcome.riskLevel,
        model: usage.model, promptVersion: outcome.promptVersion, criteriaVersion: outcome.criteriaVersion,
        promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens, completionTokens: usage.completionTokens, costUsd: usage.costUsd,
      });
      this.logger.log(`Call ${callId}: analysis version ${version} (${usage.model}, $${usage.costUsd.toFixed(4)})${swappedSegments ? ', speakers exchanged' : ''}`);
      return analysis;
    });
  }

  private async applyToCall(callId: number, analysis: Analysis): Promise<void> {
    const result = analysis.result as { summary?: string; sentiment?: { client?: string }; tags?: string[]; products?: string[]; refusalReasons?: string[] };
    await this.state.setStatus(callId, 'analyzed', null, {
      scoreOverall: analysis.scoreOverall, riskLevel: analysis.riskLevel, summary: result.summary ?? null,
      clientSentiment: result.sentiment?.client ?? null, tags: result.tags ?? [], products: result.products ?? [],
      refusalReasons: result.refusalReasons ?? [], metrics: analysis.metrics as CallFields['metrics'], latestAnalysisId: analysis.id, analyzedAt: analysis.createdAt,
    });
  }
}

async function nextVersion(manager: EntityManager, callId: number): Promise<number> {
  const rows: { next: number }[] = await manager.query('SELECT coalesce(max(version), 0) + 1 AS next FROM analyses WHERE call_id = $1', [callId]);
  return Number(rows[0].next);
}
