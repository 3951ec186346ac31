import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `accepted`: stored, its work not done yet; `failed`: the work failed and is retried while `nextAttemptAt` is set;
 * `ignored`: an event we do not act on; `rejected`: refused with a 4xx.
 */
export type WebhookEventStatus = 'accepted' | 'rejected' | 'processed' | 'duplicate' | 'failed' | 'ignored';

/** Every event that reached the incoming webhook, with what became of it. */
@Entity('webhook_events')
@Index('IDX_webhook_events_received_at', ['receivedAt'])
@Index('IDX_webhook_events_status_next_attempt_at', ['status', 'nextAttemptAt'])
export class WebhookEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'varchar', length: 16 })
  kind: 'generic' | 'bitrix' | 'unknown';

  @Column({ type: 'varchar', length: 64, nullable: true })
  event: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  remoteAddress: string | null;

  /** The body with credentials removed. */
  @Column({ type: 'jsonb', nullable: true })
  payload: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16 })
  status: WebhookEventStatus;

  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  externalId: string | null;

  @Column({ type: 'int', nullable: true })
  callId: number | null;

  @Column({ type: 'int', nullable: true })
  chatId: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** When the pending-event sweep may try the work again; null once it is done or given up. */
  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;
}
