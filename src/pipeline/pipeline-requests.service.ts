import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Call } from '../calls/entities/call.entity';
import { resolveDateRange } from '../common/periods';
import { SettingsService } from '../settings/settings.service';
import { CallProcessingQueue } from './call-processing-queue';
import { CallQueueStateDto, ReanalyzeDto } from './dto/process.dto';
import { CostsDto } from './dto/costs.dto';
import { LlmBudget, monthRange } from './llm-budget';

const PENDING_BATCH = 10_000;

/** What the API asks of the pipeline: queue one call, every waiting call, re-scoring, and the month's cost. */
@Injectable()
export class PipelineRequests {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CallProcessingQueue) private readonly queue: CallProcessingQueue,
    private readonly settings: SettingsService,
    private readonly budget: LlmBudget,
  ) {}

  async processOne(id: number, force: boolean): Promise<CallQueueStateDto> {
    const call = await this.findCall(id);
    const nothingToDo = call.status === 'analyzed' && !force;
    const queued = nothingToDo ? false : (await this.queue.enqueue([id], { force })) > 0;
    const now = await this.findCall(id);
    return { id, queued, status: now.status, statusReason: now.statusReason };
  }

  /** `new` calls not waiting for a recording, `transcribed` calls waiting for analysis, and optionally `error` calls. */
  async processPending(includeErrors: boolean): Promise<number> {
    const rows: { id: number }[] = await this.dataSource.query(`
      SELECT id FROM calls
      WHERE (status = 'new' AND status_reason IS DISTINCT FROM 'awaiting_recording')
         OR (status = 'transcribed' AND status_reason IS DISTINCT FROM 'analyzing')
         OR ($1 AND status = 'error')
      ORDER BY id LIMIT ${PENDING_BATCH}`, [includeErrors]);
    return this.queue.enqueue(rows.map((row) => row.id));
  }

  /** Analysis only, on calls that have a transcript; the transcripts are reused. */
  async reanalyze(filter: ReanalyzeDto): Promise<number> {
    const { timeZone } = await this.settings.get();
    const range = resolveDateRange({ from: filter.from, to: filter.to }, timeZone);
    const query = this.dataSource.getRepository(Call).createQueryBuilder('c').select('c.id', 'id')
      .where('EXISTS (SELECT 1 FROM transcripts t WHERE t.call_id = c.id)')
      .andWhere("c.status NOT IN ('in_progress', 'audio_downloaded')")
      .orderBy('c.id').limit(PENDING_BATCH);
    if (range) query.andWhere('c.started_at >= :from AND c.started_at < :to', { from: range.from, to: range.to });
    if (filter.employeeId) query.andWhere('c.employee_id = :employeeId', { employeeId: filter.employeeId });
    if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
    const rows: { id: number }[] = await query.getRawMany();
    return this.queue.enqueue(rows.map((row) => Number(row.id)), { analysisOnly: true, force: Boolean(filter.force) });
  }

  async costs(month?: string): Promise<CostsDto> {
    const settings = await this.settings.get();
    const range = monthRange(settings.timeZone, month);
    const [spentUsd, usage, paused] = await Promise.all([this.budget.spent(range), this.callUsage(range), this.pausedCalls()]);
    const budgetUsd = settings.analysis.monthlyBudgetUsd ?? null;
    return {
      month: range.month,
      timeZone: settings.timeZone,
      spentUsd: round(spentUsd),
      ...usage,
      costPerAnalyzedMinuteUsd: usage.analyzedMinutes > 0 ? round(usage.callsSpentUsd / usage.analyzedMinutes) : null,
      budgetUsd,
      remainingUsd: budgetUsd === null ? null : round(Math.max(0, budgetUsd - spentUsd)),
      paused: budgetUsd !== null && spentUsd >= budgetUsd,
      pausedCalls: paused,
    };
  }

  private async callUsage(range: { from: Date; to: Date }) {
    const [row]: { analyses: number; calls: number; seconds: string; spent: string }[] = await this.dataSource.query(`
      SELECT count(*)::int AS analyses, count(DISTINCT a.call_id)::int AS calls,
             coalesce(sum(coalesce(c.audio_duration_sec, c.duration_sec)), 0) AS seconds, coalesce(sum(a.cost_usd), 0) AS spent
      FROM analyses a JOIN calls c ON c.id = a.call_id
      WHERE a.created_at >= $1 AND a.created_at < $2`, [range.from, range.to]);
    return { callAnalyses: row.analyses, callsAnalyzed: row.calls, analyzedMinutes: round(Number(row.seconds) / 60, 2), callsSpentUsd: Number(row.spent) };
  }

  private async pausedCalls(): Promise<number> {
    return this.dataSource.getRepository(Call).countBy({ status: 'transcribed', statusReason: 'budget_paused' });
  }

  private async findCall(id: number): Promise<Call> {
    const call = await this.dataSource.getRepository(Call).findOneBy({ id });
    if (!call) throw new NotFoundException(`Call ${id} not found`);
    return call;
  }
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
