import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Analysis } from '../calls/entities/analysis.entity';
import { IntegrationError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AnalysisOutcome, CallAnalyzer, TranscriptSegment } from '../integrations/analysis/call-analyzer.port';
import { isLlmConfigured } from '../integrations/analysis/openai-call-analyzer';
import { LlmBudget } from '../pipeline/llm-budget';
import { AnalysisEvents } from '../pipeline/analysis-events';
import { SettingsService } from '../settings/settings.service';
import type { Settings } from '../settings/settings.types';
import { Chat } from './entities/chat.entity';
import { ChatMessage } from './entities/chat-message.entity';

/** Attempts before a chat whose analysis keeps failing is left in `error`. */
export const MAX_ANALYSIS_ATTEMPTS = 3;
/** A chat `in_progress` this long was left by a process that died. */
const STALE_MINUTES = 15;

/**
 * Each closed session is analysed once with the same analyzer and checklist as calls (its chat prompt): the
 * messages become segments, the verdict is stored as an analysis version, and "analysed" goes out once per version.
 */
@Injectable()
export class ChatAnalysisService {
  private readonly logger = new Logger('ChatAnalysis');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly analyzer: CallAnalyzer,
    private readonly events: AnalysisEvents,
    private readonly settings: SettingsService,
    private readonly budget: LlmBudget,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Analyses the closed chats that wait for it, oldest first; returns how many were analysed. */
  async analyzePending(limit = 20): Promise<number> {
    const llm = isLlmConfigured(this.config.openai);
    const rows: { id: number }[] = await this.dataSource.query(
      `SELECT id FROM chats
        WHERE closed AND message_count > 0 AND attempts < $1
          AND (status = 'new' OR (status = 'error' AND status_reason = 'analysis_failed')
               OR (status = 'transcribed' AND status_reason IN ('llm_not_configured', 'budget_paused') AND $2)
               OR (status = 'in_progress' AND updated_at < now() - make_interval(mins => $3)))
        ORDER BY id LIMIT $4`,
      [MAX_ANALYSIS_ATTEMPTS, llm, STALE_MINUTES, limit],
    );
    let analysed = 0;
    for (const { id } of rows) if (await this.analyze(id)) analysed++;
    return analysed;
  }

  /** Analyses one closed chat unless it is analysed already; true when a version is in force afterwards. */
  async analyze(chatId: number): Promise<boolean> {
    const chat = await this.claim(chatId);
    if (!chat) return false;
    if (!isLlmConfigured(this.config.openai)) {
      await this.setState(chatId, { status: 'transcribed', statusReason: 'llm_not_configured', attempts: Math.max(0, chat.attempts - 1) });
      return false;
    }
    try {
      const settings = await this.settings.get();
      if (await this.budget.exhausted(settings)) {
        await this.setState(chatId, { status: 'transcribed', statusReason: 'budget_paused', attempts: Math.max(0, chat.attempts - 1) });
        return false;
      }
      const segments = await this.segmentsOf(chatId);
      const inputHash = this.inputHash(segments, chat, settings);
      const analysis = (await this.stored(chatId, inputHash)) ?? (await this.storeVersion(chat, await this.run(chat, segments, settings), inputHash));
      await this.apply(chat, analysis);
      await this.publish(analysis);
      return true;
    } catch (error) {
      await this.recordFailure(chat, error);
      return false;
    }
  }

  /** Sends "analysed" for a version that has not gone out yet, then marks it sent. */
  async publish(analysis: Pick<Analysis, 'id' | 'chatId' | 'version' | 'publishedAt'>): Promise<void> {
    if (analysis.publishedAt || !analysis.chatId) return;
    await this.events.publish({ kind: 'chat', subjectId: analysis.chatId, analysisId: analysis.id, version: analysis.version });
    await this.dataSource.query('UPDATE analyses SET published_at = now() WHERE id = $1 AND published_at IS NULL', [analysis.id]);
  }

  private async claim(chatId: number): Promise<Chat | undefined> {
    const [rows]: [{ id: number }[], number] = await this.dataSource.query(
      `UPDATE chats SET status = 'in_progress', status_reason = 'analyzing', attempts = attempts + 1, updated_at = now()
        WHERE id = $1 AND closed AND status <> 'analyzed'
          AND (status <> 'in_progress' OR updated_at < now() - make_interval(mins => $2))
        RETURNING id`,
      [chatId, STALE_MINUTES],
    );
    if (!rows[0]) return undefined;
    return (await this.dataSource.getRepository(Chat).findOneBy({ id: chatId })) ?? undefined;
  }

  /** Client and manager messages as segments: `start` is seconds since the first message, each lasting until the next. */
  private async segmentsOf(chatId: number): Promise<TranscriptSegment[]> {
    const messages = await this.dataSource.getRepository(ChatMessage).find({ where: { chatId }, order: { sentAt: 'ASC', bitrixMessageId: 'ASC' } });
    return toSegments(messages);
  }

  private run(chat: Chat, segments: TranscriptSegment[], settings: Settings): Promise<AnalysisOutcome> {
    const durationSec = segments.length ? segments[segments.length - 1].end : 0;
    return this.analyzer.analyze({ kind: 'chat', segments, durationSec, direction: null, managerName: chat.managerName, settings });
  }

  private inputHash(segments: TranscriptSegment[], chat: Chat, settings: Settings): string {
    const { model, language, checklist, riskThresholds, piiRedaction } = settings.analysis;
    const input = { kind: 'chat', segments, managerName: chat.managerName, model: model || this.config.openai.model, language, checklist, riskThresholds, piiRedaction };
    return createHash('sha256').update(JSON.stringify(input)).digest('hex');
  }

  private stored(chatId: number, inputHash: string): Promise<Analysis | null> {
    return this.dataSource.getRepository(Analysis).findOne({ where: { chatId, inputHash }, order: { version: 'DESC' } });
  }

  private storeVersion(chat: Chat, outcome: AnalysisOutcome, inputHash: string): Promise<Analysis> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chat.id]);
      const version = await nextVersion(manager, chat.id);
      const { usage } = outcome;
      const analysis = await manager.getRepository(Analysis).save({
        chatId: chat.id, version, inputHash,
        result: outcome.analysis as unknown as Record<string, unknown>,
        metrics: chat.metrics,
        scoreOverall: outcome.scoreOverall, riskLevel: outcome.riskLevel,
        model: usage.model, promptVersion: outcome.promptVersion, criteriaVersion: outcome.criteriaVersion,
        promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens, completionTokens: usage.completionTokens, costUsd: usage.costUsd,
      });
      this.logger.log(`Chat ${chat.id}: analysis version ${version} (${usage.model}, $${usage.costUsd.toFixed(4)})`);
      return analysis;
    });
  }

  private async apply(chat: Chat, analysis: Analysis): Promise<void> {
    const result = analysis.result as { summary?: string; tags?: string[] };
    await this.setState(chat.id, {
      status: 'analyzed', statusReason: null, error: null, scoreOverall: analysis.scoreOverall, riskLevel: analysis.riskLevel,
      summary: result.summary ?? null, tags: result.tags ?? [], latestAnalysisId: analysis.id, analyzedAt: analysis.createdAt,
    });
  }

  private async recordFailure(chat: Chat, error: unknown): Promise<void> {
    const permanent = error instanceof IntegrationError && !error.retryable;
    const reason = error instanceof IntegrationError ? `${error.integration}: ${error.message}` : (error as Error).message;
    this.logger.warn(`Chat ${chat.id}: analysis failed (attempt ${chat.attempts}): ${reason}`);
    await this.setState(chat.id, {
      status: 'error', statusReason: 'analysis_failed', error: reason, ...(permanent ? { attempts: MAX_ANALYSIS_ATTEMPTS } : {}),
    });
  }

  private async setState(chatId: number, fields: QueryDeepPartialEntity<Chat>): Promise<void> {
    await this.dataSource.getRepository(Chat).update(chatId, fields);
  }
}

export function toSegments(messages: Pick<ChatMessage, 'authorRole' | 'sentAt' | 'text'>[]): TranscriptSegment[] {
  const spoken = messages.filter((message) => message.authorRole !== 'system' && message.text.trim() !== '');
  const first = spoken[0]?.sentAt.getTime() ?? 0;
  const starts = spoken.map((message) => Math.round((message.sentAt.getTime() - first) / 100) / 10);
  return spoken.map((message, index) => ({
    start: starts[index],
    end: (starts[index + 1] ?? 0) > starts[index] ? starts[index + 1] : starts[index] + 1,
    speaker: message.authorRole === 'manager' ? 'manager' : 'client',
    text: message.text,
  }));
}

async function nextVersion(manager: EntityManager, chatId: number): Promise<number> {
  const rows: { next: number }[] = await manager.query('SELECT coalesce(max(version), 0) + 1 AS next FROM analyses WHERE chat_id = $1', [chatId]);
  return Number(rows[0].next);
}
