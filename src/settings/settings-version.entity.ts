import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Settings } from './settings.types';

/** Every change of the settings is a new row; the highest id is in force. */
@Entity('settings_versions')
export class SettingsVersion {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'jsonb' })
  values: Settings;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  changedKeys: string[];

  /** Which credential made the change (`environment`, `api-token`, `open-api`…), never the secret. */
  @Column({ type: 'varchar', length: 64 })
  actor: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
