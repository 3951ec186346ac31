import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Last success and failure of each integration, for `/health`, `/settings` and failure alerts. */
@Entity('integration_status')
export class IntegrationStatus {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** Start of the current run of failures; null while healthy. */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
