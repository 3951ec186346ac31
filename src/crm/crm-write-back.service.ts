import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundWork } from '../common/background-work';
import { IntegrationError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BitrixClient } from '../integrations/bitrix/bitrix.client';
import { AnalysedEvent, AnalysisEvents } from '../pipeline/analysis-events';
import { SettingsService } from '../settings/settings.service';
import { CommentSubject, commentMarker, formatCrmComment, timelineEntityType } from './crm-comment';

/** Attempts before a comment is left `failed` for good. */
export const MAX_COMMENT_ATTEMPTS = 5;
/** An attempt holds its row this long, so the sweep never sends beside a request still waiting for its answer. */
const LEASE_MINUTES = 5;
const SWEEP_BATCH = 20;
/** Failures after which the comment may or may not exist: the portal may have run the request. */
const AMBIGUOUS = new Set(['unavailable', 'timeout', 'bad_response']);
/** Failures a retry cannot mend: the entity is gone or the request is wrong. */
const PERMANENT = new Set(['not_found', 'bad_request']);

export interface CommentPayload {
  entityType: string;
  entityId: number;
  comment: string;
  kind: 'call' | 'chat';
  subjectId: number;
  analysisId: number;
  commentId?: number;
}

interface CommentRow {
  id: number;
  attempts: number;
  payload: CommentPayload;
}

type Target = Omit<CommentSubject, 'recommendations'> & { recommendations: unknown; crmEntityType: string | null; crmEntityId: number | null };

/**
 * CRM write-back (setting `crm.writeBack`, off by default): each analysis version of a call or chat bound to a CRM
 * entity adds one timeline comment. The `notifications` row keyed `crm-comment:<analysisId>` is claimed before
 * sending, so a republished event sends nothing twice; failures are retried by a sweep with back-off. A request
 * whose answer was lost (5xx, timeout) may have added the comment, so before sending again the entity's timeline
 * is searched for the comment's marker, and a comment found there counts as sent.
 */
@Injectable()
export class CrmWriteBack implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CrmWriteBack');
  private readonly background = new BackgroundWork();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: AnalysisEvents,
    private readonly settings: SettingsService,
    private readonly client: BitrixClient,
  ) {}

  onModuleInit(): void {
    this.events.onAnalysed('crm-write-back', (event) => this.onAnalysed(event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.background.settled();
  }

  /** Claims the comment of this analysis and sends it in the background: the pipeline never waits for Bitrix24. */
  async onAnalysed(event: AnalysedEvent): Promise<void> {
    if (!(await this.settings.get()).crm.writeBack) return;
    const target = await this.loadTarget(event);
    const entityType = timelineEntityType(target?.crmEntityType ?? null);
    if (!target || !entityType || !target.crmEntityId) return;
    const subject = { ...target, recommendations: toStrings(target.recommendations) };
    const row = await this.claimNew({
      entityType, entityId: target.crmEntityId, comment: formatCrmComment(subject, this.config.frontendUrl),
      kind: event.kind, subjectId: event.subjectId, analysisId: event.analysisId,
    });
    if (row) this.background.add(this.deliver(row));
  }

  /** Sends the due comments (failed ones after their back-off); returns how many went out. */
  async retryDue(): Promise<number> {
    let sent = 0;
    for (let index = 0; index < SWEEP_BATCH; index++) {
      const row = await this.claimDue();
      if (!row) break;
      if (await this.deliver(row)) sent++;
    }
    return sent;
  }

  /** One attempt; never throws. A row tried before is first looked for on the timeline. */
  async deliver(row: CommentRow): Promise<boolean> {
    const { payload } = row;
    try {
      const found = row.attempts > 1 ? await this.findOnTimeline(payload) : null;
      const commentId = found ?? (await this.client.addTimelineComment({ entityType: payload.entityType, entityId: payload.entityId, comment: payload.comment }));
      await this.record(row.id, 'sent', found ? 'found on the timeline after an unanswered attempt' : null, { commentId, leaseUntil: null });
      return true;
    } catch (error) {
      await this.recordFailure(row, error).catch((storeError: Error) => this.logger.error(`CRM comment ${row.id}: ${storeError.message}`));
      return false;
    }
  }

  private async loadTarget(event: AnalysedEvent): Promise<Target | undefined> {
    const subject = event.kind === 'call'
      ? { table: 'calls', key: 'call_id', channel: 'NULL' }
      : { table: 'chats', key: 'chat_id', channel: 's.channel' };
    const rows: Target[] = await this.dataSource.query(
      `SELECT s.id AS "subjectId", a.id AS "analysisId", a.version, a.score_overall AS score, a.risk_level AS "riskLevel",
              a.result ->> 'summary' AS summary, a.result -> 'recommendations' AS recommendations, ${subject.channel} AS channel,
              s.crm_entity_type AS "crmEntityType", s.crm_entity_id AS "crmEntityId"
         FROM analyses a JOIN ${subject.table} s ON s.id = a.${subject.key}
        WHERE a.id = $1`,
      [event.analysisId],
    );
    return rows[0] ? { ...rows[0], kind: event.kind } : undefined;
  }

  private async claimNew(payload: CommentPayload): Promise<CommentRow | undefined> {
    const rows: CommentRow[] = await this.dataSource.query(
      `INSERT INTO notifications (channel, kind, dedupe_key, payload, status, attempts)
       VALUES ('crm', 'crm-comment', $1, $2 || jsonb_build_object('leaseUntil', now() + make_interval(mins => $3)), 'pending', 1)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, attempts, payload`,
      [`crm-comment:${payload.analysisId}`, payload, LEASE_MINUTES],
    );
    return rows[0];
  }

  /** Due: not sent, attempts left, back-off (1, 3, 7, 15 minutes after creation) passed, no attempt holding it. */
  private async claimDue(): Promise<CommentRow | undefined> {
    const [rows]: [CommentRow[], number] = await this.dataSource.query(
      `UPDATE notifications SET attempts = attempts + 1,
              payload = payload || jsonb_build_object('leaseUntil', now() + make_interval(mins => $2))
        WHERE id = (SELECT id FROM notifications
                     WHERE channel = 'crm' AND status IN ('pending', 'failed') AND attempts < $1
                       AND created_at + (power(2, attempts) - 1) * interval '1 minute' <= now()
                       AND coalesce((payload ->> 'leaseUntil')::timestamptz, '-infinity') < now()
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, attempts, payload`,
      [MAX_COMMENT_ATTEMPTS, LEASE_MINUTES],
    );
    return rows[0];
  }

  /** Our comment on the entity's timeline, found by its marker among the latest comments. */
  private async findOnTimeline(payload: CommentPayload): Promise<number | null> {
    const response = await this.client.call<{ ID: string; COMMENT?: string }[]>('crm.timeline.comment.list', {
      filter: { ENTITY_ID: payload.entityId, ENTITY_TYPE: payload.entityType }, select: ['ID', 'COMMENT'], order: { ID: 'DESC' },
    });
    const marker = commentMarker(payload.analysisId);
    const found = (response.result ?? []).find((comment) => String(comment.COMMENT ?? '').includes(`${marker} `));
    return found ? Number(found.ID) : null;
  }

  private async recordFailure(row: CommentRow, error: unknown): Promise<void> {
    const failure = error instanceof IntegrationError ? error.failure : 'unknown';
    const message = error instanceof IntegrationError ? error.message : (error as Error).message;
    const permanent = PERMANENT.has(failure);
    const note = AMBIGUOUS.has(failure) ? ' (the portal may have added it: the timeline is checked before sending again)' : '';
    const reason = `${message}${note}${permanent ? ' (not retried)' : ''}`;
    this.logger.warn(`CRM comment ${row.id} (${row.payload.kind} ${row.payload.subjectId}) failed, attempt ${row.attempts}: ${reason}`);
    await this.record(row.id, 'failed', reason, { leaseUntil: null }, permanent);
  }

  private async record(id: number, status: 'sent' | 'failed', error: string | null, payload: Record<string, unknown>, final = false): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET status = $2::varchar, last_error = $3::text, payload = payload || $4::jsonb,
              attempts = CASE WHEN $5 THEN greatest(attempts, $6) ELSE attempts END,
              sent_at = CASE WHEN $2::varchar = 'sent' THEN now() ELSE sent_at END
        WHERE id = $1`,
      [id, status, error, payload, final, MAX_COMMENT_ATTEMPTS],
    );
  }
}

function toStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
