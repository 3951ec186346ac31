import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Employee } from '../../employees/employee.entity';
import type { CallStatus } from '../../calls/entities/call.entity';
import type { RiskLevel } from '../../settings/settings.types';

/** An Open Lines session (WhatsApp, Instagram, Telegram, site chat…) from Bitrix24. */
@Entity('chats')
@Index('IDX_chats_started_at', ['startedAt', 'id'])
@Index('IDX_chats_employee_started_at', ['employeeId', 'startedAt'])
@Index('IDX_chats_channel', ['channel'])
export class Chat {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int', nullable: true, unique: true })
  bitrixSessionId: number | null;

  /** `crm.activity.list` row id of the session: the chat sync cursor. */
  @Column({ type: 'int', nullable: true, unique: true })
  bitrixActivityId: number | null;

  @Column({ type: 'varchar', length: 32 })
  channel: string;

  @Column({ type: 'int', nullable: true })
  employeeId: number | null;

  @ManyToOne(() => Employee, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'employee_id' })
  employee?: Employee | null;

  @Column({ type: 'int', nullable: true })
  bitrixUserId: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  managerName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  clientName: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  crmEntityType: string | null;

  @Column({ type: 'int', nullable: true })
  crmEntityId: number | null;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'boolean', default: false })
  closed: boolean;

  @Column({ type: 'int', default: 0 })
  messageCount: number;

  @Column({ type: 'varchar', length: 24, default: 'new' })
  status: CallStatus;

  @Column({ type: 'varchar', length: 48, nullable: true })
  statusReason: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'smallint', nullable: true })
  scoreOverall: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  riskLevel: RiskLevel | null;

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  /** Chat metrics computed in code: response times, unanswered messages. */
  @Column({ type: 'jsonb', nullable: true })
  metrics: Record<string, unknown> | null;

  @Column({ type: 'int', nullable: true })
  latestAnalysisId: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  analyzedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
