import { DataSource, QueryRunner } from 'typeorm';

/**
 * Every PostgreSQL advisory lock key of the application, in one place: two uses sharing a key would wait for or
 * skip each other's work.
 */
export const LOCK_KEYS = {
  /** Held shared by every process using the embedded PostgreSQL, exclusively by the one that stops it. */
  embeddedServerUsers: 727_000,
  /** Migrations, one instance at a time. */
  migrations: 727_001,
  /** Seeding and updating the settings. */
  settings: 727_002,
  /** The sweep that re-queues lost pipeline jobs. */
  pipelineSweep: 727_010,
  /** The nightly retention run. */
  retention: 727_011,
  /** A calls sync run, held for the whole run. */
  callsSync: 727_101,
  /** The hourly cap of Telegram alerts. */
  alertCap: 727_102,
  /** A chats sync run, held for the whole run. */
  chatsSync: 727_201,
  /** Refreshing the analytics rollups. */
  rollups: 727_202,
  /** Long polling of the Telegram bot's updates: Telegram allows one poller per bot. */
  telegramBotPolling: 727_301,
} as const;

/**
 * A session-level PostgreSQL advisory lock held on its own connection for as long as a run lasts.
 * If the process dies, the connection closes and PostgreSQL releases the lock.
 */
export class AdvisoryLock {
  private constructor(private readonly runner: QueryRunner, private readonly key: number) {}

  static async tryAcquire(dataSource: DataSource, key: number): Promise<AdvisoryLock | null> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key])) as { locked: boolean }[];
      if (row.locked) return new AdvisoryLock(runner, key);
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return null;
  }

  /** Unlocks; if that fails, the connection is discarded so no pooled connection keeps holding the lock. */
  async release(): Promise<void> {
    try {
      await this.runner.query('SELECT pg_advisory_unlock($1)', [this.key]);
      await this.runner.release();
    } catch (error) {
      await (this.runner as QueryRunner & { releasePostgresConnection(err: Error): Promise<void> }).releasePostgresConnection(error as Error);
    }
  }
}
