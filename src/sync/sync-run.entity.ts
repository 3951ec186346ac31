import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type SyncKind = 'calls' | 'chats';
export type SyncTrigger = 'cron' | 'manual' | 'force' | 'range' | 'backfill' | 'event';
export type SyncRunStatus = 'running' | 'succeeded' | 'failed';

@Entity('sync_runs')
@Index('IDX_sync_runs_kind_started_at', ['kind', 'startedAt'])
export class SyncRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  kind: SyncKind;

  @Column({ type: 'varchar', length: 16 })
  trigger: SyncTrigger;

  @Column({ type: 'varchar', length: 16, default: 'running' })
  status: SyncRunStatus;

  @Column({ type: 'timestamptz', nullable: true })
  rangeFrom: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  rangeTo: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  cursorFrom: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  cursorTo: string | null;

  @Column({ type: 'int', default: 0 })
  fetched: number;

  @Column({ type: 'int', default: 0 })
  created: number;

  @Column({ type: 'int', default: 0 })
  updated: number;

  @Column({ type: 'int', default: 0 })
  requestsUsed: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Host and pid of the process that ran it. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  instance: string | null;
}
