import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Call } from './call.entity';

export type StageOutcome = 'started' | 'succeeded' | 'failed' | 'skipped';

/** One attempt of one pipeline stage of a call: the call's visible history. */
@Entity('call_stages')
@Index('IDX_call_stages_call', ['callId', 'id'])
export class CallStage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  callId: number;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id' })
  call?: Call;

  @Column({ type: 'varchar', length: 24 })
  stage: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: StageOutcome;

  @Column({ type: 'int', default: 1 })
  attempt: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
