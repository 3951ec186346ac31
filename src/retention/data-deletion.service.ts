import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { removeRecording } from './recording-files';
import { RecordingsDiskUsage } from './recordings-disk-usage';

/** Data-protection requests: a call or a chat removed with everything stored about it. */
@Injectable()
export class DataDeletionService {
  private readonly logger = new Logger(DataDeletionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly diskUsage: RecordingsDiskUsage,
  ) {}

  /** Removes the call row (transcript, analyses and stages go with it by cascade), then its recording file. */
  async deleteCall(id: number): Promise<void> {
    const [rows] = await this.dataSource.query<[{ recording_path: string | null }[], number]>(
      'DELETE FROM calls WHERE id = $1 RETURNING recording_path',
      [id],
    );
    if (rows.length === 0) throw new NotFoundException(`Call ${id} not found`);
    const removed = await removeRecording(this.config.dataDir, rows[0].recording_path).catch((error: NodeJS.ErrnoException) => {
      this.logger.error(`Call ${id}: the recording file could not be removed (${error.code ?? 'error'})`);
      return false;
    });
    if (removed) this.diskUsage.invalidate();
    this.logger.log(`Call ${id} deleted on request${removed ? ' with its recording' : ''}`);
  }

  /** Removes the chat row; its messages and analyses go with it by cascade. */
  async deleteChat(id: number): Promise<void> {
    const [rows] = await this.dataSource.query<[{ id: number }[], number]>('DELETE FROM chats WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw new NotFoundException(`Chat ${id} not found`);
    this.logger.log(`Chat ${id} deleted on request`);
  }
}
