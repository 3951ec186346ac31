import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Chat } from '../../chats/entities/chat.entity';
import { Call } from './call.entity';
import { numeric } from '../../database/transformers';
import type { RiskLevel } from '../../settings/settings.types';

/** One analysis of a call or a chat. Re-analysis adds a version; earlier ones stay as history. */
@Entity('analyses')
@Index('UQ_analyses_call_version', ['callId', 'version'], { unique: true })
@Index('UQ_analyses_chat_version', ['chatId', 'version'], { unique: true })
@Index('IDX_analyses_created_at', ['createdAt'])
@Check('CHK_analyses_subject', '(call_id IS NULL) <> (chat_id IS NULL)')
export class Analysis {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int', nullable: true })
  callId: number | null;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id' })
  call?: Call;

  @Column({ type: 'int', nullable: true })
  chatId: number | null;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id' })
  chat?: Chat;

  @Column({ type: 'int' })
  version: number;

  /** The parsed analysis as the frontend reads it. */
  @Column({ type: 'jsonb' })
  result: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  metrics: Record<string, unknown> | null;

  @Column({ type: 'smallint', nullable: true })
  scoreOverall: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  riskLevel: RiskLevel | null;

  @Column({ type: 'varchar', length: 64 })
  model: string;

  @Column({ type: 'varchar', length: 32 })
  promptVersion: string;

  @Column({ type: 'varchar', length: 32 })
  criteriaVersion: string;

  /** Hash of the model input; a retry with the same input reuses this row instead of paying again. */
  @Column({ type: 'varchar', length: 64 })
  inputHash: string;

  @Column({ type: 'int', default: 0 })
  promptTokens: number;

  @Column({ type: 'int', default: 0 })
  cachedPromptTokens: number;

  @Column({ type: 'int', default: 0 })
  completionTokens: number;

  @Column({ type: 'numeric', precision: 12, scale: 6, default: 0, transformer: numeric })
  costUsd: number;

  /** When the "analysed" event went out; set once per version. */
  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
