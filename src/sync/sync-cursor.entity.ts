import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Where an incremental sync continues: the last stored Bitrix24 row id per stream. */
@Entity('sync_cursors')
export class SyncCursor {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  value: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
