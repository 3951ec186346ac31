import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type WebhookEventStatus = 'accepted' | 'rejected' | 'processed' | 'duplicate' | 'failed';

/** Every event that reached the incoming webhook, with what became of it. */
@Entity('webhook_events')
@Index('IDX_webhook_events_received_at', ['receivedAt'])
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
}
