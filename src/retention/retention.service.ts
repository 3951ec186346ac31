import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AdvisoryLock, LOCK_KEYS } from '../database/advisory-locks';
import { SettingsService } from '../settings/settings.service';
import { removeRecording } from './recording-files';
import { RecordingsDiskUsage } from './recordings-disk-usage';

const BATCH = 500;
const DAY_MS = 86_400_000;
/** Conversations being processed right now are left for the next run. */
const IN_FLIGHT = ['in_progress', 'audio_downloaded'];

export interface RetentionOutcome {
  /** False when another instance holds the lock and did the work. */
  ran: boolean;
  recordingsDeleted: number;
  transcriptsDeleted: number;
  chatMessagesDeleted: number;
}

/**
 * Deletes recordings and transcripts (chat messages for chats) of conversations older than the retention
 * settings. Scores, risk, summaries, tags, metrics and analyses stay.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
    private readonly diskUsage: RecordingsDiskUsage,
  ) {}

  /** One run under an advisory lock, so only one instance does it. `now` is the clock it judges age by. */
  async run(now: Date = new Date()): Promise<RetentionOutcome> {
    const lock = await AdvisoryLock.tryAcquire(this.dataSource, LOCK_KEYS.retention);
    if (!lock) return { ran: false, recordingsDeleted: 0, transcriptsDeleted: 0, chatMessagesDeleted: 0 };
    try {
      return await this.apply(now);
    } finally {
      await lock.release();
    }
  }

  private async apply(now: Date): Promise<RetentionOutcome> {
    const { recordingsDays, transcriptsDays } = (await this.settings.get()).retention;
    const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const outcome: RetentionOutcome = {
      ran: true,
      recordingsDeleted: recordingsDays > 0 ? await this.deleteRecordings(cutoff(recordingsDays), now) : 0,
      transcriptsDeleted: transcriptsDays > 0 ? await this.deleteTranscripts(cutoff(transcriptsDays)) : 0,
      chatMessagesDeleted: transcriptsDays > 0 ? await this.deleteChatMessages(cutoff(transcriptsDays)) : 0,
    };
    if (outcome.recordingsDeleted > 0) this.diskUsage.invalidate();
    this.logger.log(
      `Retention: ${outcome.recordingsDeleted} recordings, ${outcome.transcriptsDeleted} transcripts, ${outcome.chatMessagesDeleted} chat messages deleted`,
    );
    return outcome;
  }

  private async deleteRecordings(before: Date, now: Date): Promise<number> {
    let deleted = 0;
    for (let afterId = 0; ; ) {
      const calls = await this.dataSource.query<{ id: number; recording_path: string }[]>(
        `SELECT id, recording_path FROM calls
         WHERE recording_path IS NOT NULL AND started_at < $1 AND status <> ALL($2) AND id > $3
         ORDER BY id LIMIT $4`,
        [before, IN_FLIGHT, afterId, BATCH],
      );
      if (calls.length === 0) return deleted;
      afterId = calls[calls.length - 1].id;
      const removed = await this.removeFiles(calls);
      await this.dataSource.query(
        `UPDATE calls SET recording_path = NULL, recording_deleted_at = $2, updated_at = now() WHERE id = ANY($1::int[])`,
        [removed, now],
      );
      deleted += removed.length;
    }
  }

  /** Ids whose file is gone; a file that cannot be removed keeps its row for the next run. */
  private async removeFiles(calls: { id: number; recording_path: string }[]): Promise<number[]> {
    const results = await Promise.all(
      calls.map(async (call) => {
        try {
          await removeRecording(this.config.dataDir, call.recording_path);
          return call.id;
        } catch (error) {
          this.logger.error(`Call ${call.id}: the recording file could not be removed (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
          return undefined;
        }
      }),
    );
    return results.filter((id): id is number => id !== undefined);
  }

  private deleteTranscripts(before: Date): Promise<number> {
    return this.deleteInBatches(
      `DELETE FROM transcripts WHERE id IN (
         SELECT t.id FROM transcripts t JOIN calls c ON c.id = t.call_id
         WHERE c.started_at < $1 AND c.status <> ALL($2) LIMIT $3)`,
      before,
    );
  }

  private deleteChatMessages(before: Date): Promise<number> {
    return this.deleteInBatches(
      `DELETE FROM chat_messages WHERE id IN (
         SELECT m.id FROM chat_messages m JOIN chats c ON c.id = m.chat_id
         WHERE c.started_at < $1 AND c.status <> ALL($2) LIMIT $3)`,
      before,
    );
  }

  private async deleteInBatches(sql: string, before: Date): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown[], number]>(sql, [before, IN_FLIGHT, BATCH]);
      deleted += count;
      if (count < BATCH) return deleted;
    }
  }
}
