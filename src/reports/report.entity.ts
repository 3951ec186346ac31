import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const REPORT_TYPES = ['employees', 'problematic-calls', 'trends', 'digest'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

@Entity('reports')
@Index('IDX_reports_type_created_at', ['type', 'createdAt'])
export class Report {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  type: ReportType;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'timestamptz' })
  periodFrom: Date;

  @Column({ type: 'timestamptz' })
  periodTo: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params: Record<string, unknown>;

  /** Everything the report shows, as generated: downloads and re-sends read this. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'not_sent' })
  deliveryStatus: 'not_sent' | 'sent' | 'failed';

  @Column({ type: 'text', nullable: true })
  deliveryError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
