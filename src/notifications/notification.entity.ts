import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type NotificationChannel = 'telegram' | 'crm';
export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

/**
 * An outgoing message (Telegram alert, report, CRM timeline comment). The unique dedupe key makes
 * each one go out once per analysis version, whatever retries happen.
 */
@Entity('notifications')
@Index('IDX_notifications_status_created_at', ['status', 'createdAt'])
@Index('IDX_notifications_kind_created_at', ['kind', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  channel: NotificationChannel;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  dedupeKey: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: NotificationStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
