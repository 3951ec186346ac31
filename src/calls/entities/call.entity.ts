import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UnmanagedIndex } from '../../database/unmanaged-index';
import { Employee } from '../../employees/employee.entity';
import { numeric } from '../../database/transformers';
import type { RiskLevel } from '../../settings/settings.types';

export const CALL_STATUSES = ['new', 'in_progress', 'audio_downloaded', 'transcribed', 'analyzed', 'error', 'skipped'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const CALL_SOURCES = ['bitrix', 'webhook', 'upload'] as const;
export type CallSource = (typeof CALL_SOURCES)[number];
export const CALL_DIRECTIONS = ['incoming', 'outgoing', 'callback'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];
/** The channel of a stereo recording that carries the employee; `mono`: the channels are one mix. */
export const EMPLOYEE_CHANNELS = ['left', 'right', 'mono'] as const;
export type EmployeeChannel = (typeof EMPLOYEE_CHANNELS)[number];

@Entity('calls')
@Index('IDX_calls_started_at', ['startedAt', 'id'])
@Index('IDX_calls_employee_started_at', ['employeeId', 'startedAt'])
@Index('IDX_calls_status', ['status'])
@Index('IDX_calls_risk_level_started_at', ['riskLevel', 'startedAt'])
@Index('IDX_calls_client_phone', ['clientPhone'])
@Index('IDX_calls_crm_entity', ['crmEntityId', 'crmEntityType'])
@UnmanagedIndex('IDX_calls_tags', ['tags'])
@UnmanagedIndex('IDX_calls_products', ['products'])
@UnmanagedIndex('IDX_calls_manager_name_trgm', ['managerName'])
export class Call {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  source: CallSource;

  /** Bitrix24 `CALL_ID`; webhook events with the same id are the same call. */
  @Column({ type: 'varchar', length: 128, nullable: true, unique: true })
  bitrixCallId: string | null;

  /** Id given by a generic webhook sender. */
  @Column({ type: 'varchar', length: 128, nullable: true, unique: true })
  externalId: string | null;

  /** Row `ID` of `voximplant.statistic.get`: the sync cursor. */
  @Column({ type: 'bigint', nullable: true, transformer: numeric })
  bitrixStatId: number | null;

  @Column({ type: 'int', nullable: true })
  bitrixActivityId: number | null;

  @Column({ type: 'varchar', length: 16 })
  direction: CallDirection;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'int', default: 0 })
  durationSec: number;

  @Column({ type: 'int', nullable: true })
  employeeId: number | null;

  @ManyToOne(() => Employee, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'employee_id' })
  employee?: Employee | null;

  @Column({ type: 'int', nullable: true })
  bitrixUserId: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  managerName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientPhone: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  portalNumber: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  crmEntityType: string | null;

  @Column({ type: 'int', nullable: true })
  crmEntityId: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  failedCode: string | null;

  @Column({ type: 'boolean', default: false })
  missed: boolean;

  @Column({ type: 'varchar', length: 24, default: 'new' })
  status: CallStatus;

  @Column({ type: 'varchar', length: 48, nullable: true })
  statusReason: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  errorStage: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Bitrix24 Drive file of the recording (`RECORD_FILE_ID`). */
  @Column({ type: 'int', nullable: true })
  recordFileId: number | null;

  /** Where the recording comes from. May carry a portal secret: never leaves the process. */
  @Column({ type: 'text', nullable: true })
  recordSourceUrl: string | null;

  /** Path of the stored recording under `DATA_DIR/recordings`. */
  @Column({ type: 'text', nullable: true })
  recordingPath: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: numeric })
  recordingBytes: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  recordingMime: string | null;

  @Column({ type: 'real', nullable: true })
  audioDurationSec: number | null;

  @Column({ type: 'smallint', nullable: true })
  audioChannels: number | null;

  /** Where the telephony said the employee is; null: the `transcription.employeeChannel` setting of the source. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  employeeChannel: EmployeeChannel | null;

  @Column({ type: 'timestamptz', nullable: true })
  recordingDeletedAt: Date | null;

  /** Since when a row without a recording has been waiting for one. */
  @Column({ type: 'timestamptz', nullable: true })
  awaitingRecordingSince: Date | null;

  @Column({ type: 'smallint', nullable: true })
  scoreOverall: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  riskLevel: RiskLevel | null;

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  clientSentiment: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  products: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  refusalReasons: string[];

  /** Conversation metrics computed in code from the transcript. */
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
