import { DataSource, QueryRunner } from 'typeorm';

/** Advisory lock key of the calls sync: one run at a time across every instance on the database. */
export const CALLS_SYNC_LOCK = 727_101;

/**
 * A session-level PostgreSQL advisory lock held on its own connection for as long as a run lasts.
 * If the process dies, the connection closes and PostgreSQL releases the lock.
 */
export class SyncLock {
  private constructor(private readonly runner: QueryRunner, private readonly key: number) {}

  static async tryAcquire(dataSource: DataSource, key: number): Promise<SyncLock | null> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key])) as { locked: boolean }[];
      if (row.locked) return new SyncLock(runner, key);
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
