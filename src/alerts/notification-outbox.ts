import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { IntegrationError } from '../common/errors';
import { TelegramNotifier } from '../integrations/telegram/telegram-notifier.port';
import type { Notification, NotificationStatus } from '../notifications/notification.entity';
import { ChartPhoto, chartPhotoPng } from '../reports/render/chart-photo';

/** Attempts before a message is left `failed` for good. */
export const MAX_ATTEMPTS = 5;
const RETRY_BATCH = 20;

export interface OutgoingMessage {
  kind: string;
  dedupeKey: string;
  /** Absent for a marker whose text is written when it is known (`complete`); the retry skips it until then. */
  html?: string;
  status?: Extract<NotificationStatus, 'pending' | 'suppressed'>;
  payload?: Record<string, unknown>;
}

/** A stored message; `photo` (a digest's chart) goes before the text on every attempt. */
type Row = Pick<Notification, 'id' | 'kind' | 'attempts'> & { html: string | null; photo?: ChartPhoto | null };

const ROW_COLUMNS = `id, kind, attempts, payload ->> 'html' AS html, payload -> 'photo' AS photo`;

/**
 * Telegram messages as `notifications` rows: the unique dedupe key sends each once, whoever asks twice;
 * a failed delivery stays `failed` with its error and is retried with back-off (1, 3, 7, 15 minutes after it
 * was created) by whichever instance gets to it first.
 */
@Injectable()
export class NotificationOutbox {
  private readonly logger = new Logger(NotificationOutbox.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly telegram: TelegramNotifier,
  ) {}

  /** Stores the message, claimed for a first attempt when pending; undefined when its key was seen before. */
  async add(message: OutgoingMessage, manager: EntityManager = this.dataSource.manager): Promise<Row | undefined> {
    const status = message.status ?? 'pending';
    const rows: Row[] = await manager.query(
      `INSERT INTO notifications (channel, kind, dedupe_key, payload, status, attempts)
       VALUES ('telegram', $1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING ${ROW_COLUMNS}`,
      [message.kind, message.dedupeKey, { ...message.payload, ...(message.html === undefined ? {} : { html: message.html }) }, status, status === 'pending' ? 1 : 0],
    );
    return rows[0];
  }

  /** Sends a stored message; records the outcome and never throws. */
  async deliver(row: Row): Promise<boolean> {
    if (!this.telegram.isConfigured()) {
      await this.record(row.id, 'failed', 'Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID');
      return false;
    }
    try {
      if (row.photo) await this.telegram.sendPhoto(chartPhotoPng(row.photo), row.photo.captionHtml);
      await this.telegram.sendHtml(row.html ?? '');
      await this.record(row.id, 'sent', null);
      return true;
    } catch (error) {
      const reason = error instanceof IntegrationError ? error.message : 'Telegram delivery failed';
      this.logger.warn(`Notification ${row.id} (${row.kind}) not delivered, attempt ${row.attempts}: ${reason}`);
      await this.record(row.id, 'failed', reason).catch(() => undefined);
      return false;
    }
  }

  /** Claims due `pending`/`failed` messages one by one (SKIP LOCKED: instances share the work) and sends them. */
  async retryDue(): Promise<number> {
    let delivered = 0;
    for (let index = 0; index < RETRY_BATCH; index++) {
      const row = await this.claimDue();
      if (!row) break;
      if (await this.deliver(row)) delivered++;
    }
    return delivered;
  }

  async record(id: number, status: NotificationStatus, error: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET status = $2::varchar, last_error = $3::text, sent_at = CASE WHEN $2::varchar = 'sent' THEN now() ELSE sent_at END
        WHERE id = $1`,
      [id, status, error],
    );
  }

  /** Records the outcome of a message sent by someone else (a digest), with the text a retry would send. */
  async complete(id: number, status: NotificationStatus, error: string | null, payload: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET payload = payload || $2 WHERE id = $1`, [id, payload]);
    await this.record(id, status, error);
  }

  private async claimDue(): Promise<Row | undefined> {
    const [rows]: [Row[], number] = await this.dataSource.query(
      `UPDATE notifications SET attempts = attempts + 1
        WHERE id = (SELECT id FROM notifications
                     WHERE status IN ('pending', 'failed') AND channel = 'telegram' AND attempts < $1 AND payload ? 'html'
                       AND created_at + (power(2, attempts) - 1) * interval '1 minute' <= now()
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${ROW_COLUMNS}`,
      [MAX_ATTEMPTS],
    );
    return rows[0];
  }
}
