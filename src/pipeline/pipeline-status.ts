import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CALL_STATUSES, CallStatus } from '../calls/entities/call.entity';
import { PgBossCallQueue } from './pg-boss-call-queue';

export interface PipelineSnapshot {
  statuses: Record<CallStatus, number>;
  reasons: Record<string, number>;
  queue: { queued: number; active: number; retrying: number };
}

/** Progress for /api/health: calls per status and finer reason, and the queue's own counts. */
@Injectable()
export class PipelineStatus {
  constructor(@InjectDataSource() private readonly dataSource: DataSource, private readonly queue: PgBossCallQueue) {}

  async snapshot(): Promise<PipelineSnapshot> {
    const [rows, queue] = await Promise.all([
      this.dataSource.query('SELECT status, status_reason AS reason, count(*)::int AS n FROM calls GROUP BY status, status_reason') as Promise<{ status: CallStatus; reason: string | null; n: number }[]>,
      this.queue.counts(),
    ]);
    const statuses = Object.fromEntries(CALL_STATUSES.map((status) => [status, 0])) as Record<CallStatus, number>;
    const reasons: Record<string, number> = {};
    for (const row of rows) {
      statuses[row.status] = (statuses[row.status] ?? 0) + row.n;
      if (row.reason) reasons[row.reason] = (reasons[row.reason] ?? 0) + row.n;
    }
    return { statuses, reasons, queue };
  }
}
