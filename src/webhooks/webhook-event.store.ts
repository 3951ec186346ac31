import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WebhookEvent, WebhookEventStatus } from './webhook-event.entity';

/** Attempts at an event's work before it is left `failed` for good. */
export const MAX_EVENT_ATTEMPTS = 6;
/** An attempt in progress holds the event this long; a crashed one is taken again by the sweep afterwards. */
const LEASE_MINUTES = 5;

export interface NewWebhookEvent {
  kind: WebhookEvent['kind'];
  event: string | null;
  remoteAddress: string | null;
  payload: Record<string, unknown> | null;
  status: WebhookEventStatus;
  outcome?: string | null;
  externalId?: string | null;
  callId?: number | null;
  /** The work starts right away: the first attempt is counted and leased. */
  leased?: boolean;
}

export interface EventOutcome {
  status: Extract<WebhookEventStatus, 'processed' | 'ignored' | 'duplicate'>;
  outcome: string;
  callId?: number | null;
  chatId?: number | null;
}

/** `webhook_events`: what arrived, and what became of it. */
@Injectable()
export class WebhookEventStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(event: NewWebhookEvent): Promise<WebhookEvent> {
    const leased = event.leased ?? false;
    const repository = this.dataSource.getRepository(WebhookEvent);
    const saved = await repository.save(repository.create({
      kind: event.kind,
      event: event.event?.slice(0, 64) ?? null,
      remoteAddress: event.remoteAddress?.slice(0, 64) ?? null,
      payload: event.payload,
      status: event.status,
      outcome: event.outcome ?? null,
      externalId: event.externalId ?? null,
      callId: event.callId ?? null,
      attempts: leased ? 1 : 0,
      nextAttemptAt: leased ? new Date(Date.now() + LEASE_MINUTES * 60_000) : null,
      processedAt: event.status === 'accepted' ? null : new Date(),
    }));
    return saved;
  }

  async finish(id: number, result: EventOutcome): Promise<void> {
    await this.dataSource.getRepository(WebhookEvent).update(id, {
      status: result.status, outcome: result.outcome, callId: result.callId ?? undefined, chatId: result.chatId ?? undefined,
      processedAt: new Date(), nextAttemptAt: null,
    });
  }

  /** Records the failure; schedules another attempt with back-off (1, 2, 4, 8, 16 minutes) until the attempts run out. */
  async fail(event: Pick<WebhookEvent, 'id' | 'attempts'>, reason: string, callId?: number): Promise<void> {
    const givesUp = event.attempts >= MAX_EVENT_ATTEMPTS;
    const delayMinutes = 2 ** Math.max(0, event.attempts - 1);
    await this.dataSource.getRepository(WebhookEvent).update(event.id, {
      status: 'failed',
      ...(callId ? { callId } : {}),
      outcome: givesUp ? `${reason} (gave up after ${event.attempts} attempts)` : `${reason} (attempt ${event.attempts}, retried later)`,
      nextAttemptAt: givesUp ? null : new Date(Date.now() + delayMinutes * 60_000),
    });
  }

  /** A failure no retry can mend (the sender gets the error and may send again). */
  async giveUp(id: number, reason: string): Promise<void> {
    await this.dataSource.getRepository(WebhookEvent).update(id, { status: 'failed', outcome: reason, nextAttemptAt: null, processedAt: new Date() });
  }

  /** Takes the next due event for an attempt (SKIP LOCKED: instances share the work), counting and leasing it. */
  async claimDue(): Promise<WebhookEvent | undefined> {
    const [rows]: [Record<string, unknown>[], number] = await this.dataSource.query(
      `UPDATE webhook_events SET attempts = attempts + 1, next_attempt_at = now() + make_interval(mins => $1)
        WHERE id = (SELECT id FROM webhook_events
                     WHERE status IN ('accepted', 'failed') AND next_attempt_at <= now()
                     ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [LEASE_MINUTES],
    );
    if (!rows[0]) return undefined;
    return (await this.dataSource.getRepository(WebhookEvent).findOneBy({ id: Number(rows[0].id) })) ?? undefined;
  }
}
