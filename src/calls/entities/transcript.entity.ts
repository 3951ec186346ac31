import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UnmanagedIndex } from '../../database/unmanaged-index';
import type { ChannelLayout, TranscriptSegment } from '../../integrations/transcription/transcriber.port';
import { Call } from './call.entity';

@Entity('transcripts')
@UnmanagedIndex('IDX_transcripts_tsv', ['tsv'])
export class Transcript {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  callId: number;

  @OneToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id' })
  call?: Call;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  segments: TranscriptSegment[];

  @Column({ type: 'varchar', length: 16, nullable: true })
  language: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  engine: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  model: string | null;

  @Column({ type: 'real', nullable: true })
  durationSec: number | null;

  @Column({ type: 'int', default: 0 })
  droppedSegments: number;

  /** How the channels were recognised: `stereo` (a speaker each), `mono`, or `dual_mono` (one mix on both, recognised once). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  channelLayout: ChannelLayout | null;

  /** Seconds of audio sent to the engine: the speech of each channel, which hosted engines bill. */
  @Column({ type: 'real', nullable: true })
  sentAudioSec: number | null;

  /** The call's start time, copied by triggers so searches can order matches cheaply. */
  @Column({ type: 'timestamptz', nullable: true, select: false, insert: false, update: false })
  callStartedAt?: Date;

  /** Russian and English full-text vector, kept up to date by a trigger. */
  @Column({ type: 'tsvector', select: false, insert: false, update: false, nullable: true })
  tsv?: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
