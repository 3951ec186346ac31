import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BitrixCallFields, mapStatisticsRow } from '../integrations/bitrix/bitrix.mapping';
import type { StatisticsRow } from '../integrations/bitrix/bitrix.types';

export interface StoredCall {
  id: number;
  created: boolean;
  /** Has its recording and waits for processing: new now, or its recording just arrived. */
  ready: boolean;
}

export interface StoreOutcome {
  created: number;
  updated: number;
  /** Statistics IDs of rows that could not be read (e.g. a date without an offset); logged, not stored. */
  unreadable: number[];
  /** Only the calls created or really changed; unchanged rows are not returned. */
  calls: StoredCall[];
}

/** Columns taken from a statistics row, with the SQL type of their input array. */
const INPUT: [column: string, type: string, value: (call: BitrixCallFields) => unknown][] = [
  ['bitrix_call_id', 'text', (c) => c.bitrixCallId],
  ['bitrix_stat_id', 'bigint', (c) => c.statisticsId],
  ['bitrix_activity_id', 'int', (c) => c.bitrixActivityId],
  ['direction', 'text', (c) => c.direction ?? 'incoming'],
  ['started_at', 'timestamptz', (c) => c.startedAt.toISOString()],
  ['duration_sec', 'int', (c) => c.durationSec],
  ['bitrix_user_id', 'int', (c) => c.bitrixUserId],
  ['client_phone', 'text', (c) => c.clientPhone?.slice(0, 64) ?? null],
  ['portal_number', 'text', (c) => c.portalNumber?.slice(0, 64) ?? null],
  ['crm_entity_type', 'text', (c) => c.crmEntityType?.slice(0, 32) ?? null],
  ['crm_entity_id', 'int', (c) => c.crmEntityId],
  ['failed_code', 'text', (c) => c.failedCode?.slice(0, 16) ?? null],
  ['missed', 'boolean', (c) => c.missed],
  ['record_file_id', 'int', (c) => c.recordFileId],
  ['record_source_url', 'text', (c) => c.recordUrl],
];

/** A call whose status follows the portal's data; once the pipeline has it, the status is the pipeline's. */
const WAITING = `(calls.status = 'new' AND calls.status_reason = 'awaiting_recording')
  OR (calls.status = 'skipped' AND calls.status_reason IN ('no_recording', 'missed'))`;

/** What the portal's data says a call's status is ($1: now, $2: how long a recording may come late). */
const STATUS_OF = `
  CASE WHEN i.missed THEN 'skipped'
       WHEN i.record_file_id IS NOT NULL OR i.record_source_url IS NOT NULL THEN 'new'
       WHEN i.ended_at < $1::timestamptz - $2::interval THEN 'skipped'
       ELSE 'new' END`;
const REASON_OF = `
  CASE WHEN i.missed THEN 'missed'
       WHEN i.record_file_id IS NOT NULL OR i.record_source_url IS NOT NULL THEN NULL
       WHEN i.ended_at < $1::timestamptz - $2::interval THEN 'no_recording'
       ELSE 'awaiting_recording' END`;

const UPDATED: [column: string, expression: string][] = [
  ...INPUT.filter(([column]) => column !== 'bitrix_call_id').map(([column]): [string, string] => [column, `EXCLUDED.${column}`]),
  ['employee_id', 'coalesce(EXCLUDED.employee_id, calls.employee_id)'],
  ['manager_name', 'coalesce(EXCLUDED.manager_name, calls.manager_name)'],
  ['status', `CASE WHEN ${WAITING} THEN EXCLUDED.status ELSE calls.status END`],
  ['status_reason', `CASE WHEN ${WAITING} THEN EXCLUDED.status_reason ELSE calls.status_reason END`],
  ['awaiting_recording_since', `CASE WHEN ${WAITING} THEN EXCLUDED.awaiting_recording_since ELSE calls.awaiting_recording_since END`],
];

const UPSERT_SQL = `
  WITH input AS (
    SELECT t.*, least($1::timestamptz, t.started_at + make_interval(secs => t.duration_sec)) AS ended_at
      FROM unnest(${INPUT.map(([, type], index) => `$${index + 3}::${type}[]`).join(', ')}) AS t(${INPUT.map(([column]) => column).join(', ')})
  ),
  before AS (
    SELECT c.bitrix_call_id, c.status_reason FROM calls c JOIN input i USING (bitrix_call_id)
  ),
  upserted AS (
    INSERT INTO calls AS calls (source, ${INPUT.map(([column]) => column).join(', ')}, employee_id, manager_name, status, status_reason, awaiting_recording_since)
    SELECT 'bitrix', ${INPUT.map(([column]) => `i.${column}`).join(', ')}, e.id, e.name, ${STATUS_OF}, ${REASON_OF},
           CASE WHEN (${REASON_OF}) = 'awaiting_recording' THEN i.ended_at END
      FROM input i LEFT JOIN employees e ON e.bitrix_user_id = i.bitrix_user_id
    ON CONFLICT (bitrix_call_id) DO UPDATE SET ${UPDATED.map(([column, expression]) => `${column} = ${expression}`).join(', ')}, updated_at = now()
    WHERE (${UPDATED.map(([column]) => `calls.${column}`).join(', ')}) IS DISTINCT FROM (${UPDATED.map(([, expression]) => expression).join(', ')})
    RETURNING calls.id, calls.bitrix_call_id, (calls.xmax = 0) AS created, calls.status, calls.status_reason
  )
  SELECT u.id, u.created,
         (u.status = 'new' AND u.status_reason IS NULL
           AND (u.created OR b.status_reason IN ('awaiting_recording', 'no_recording', 'missed'))) AS ready
    FROM upserted u LEFT JOIN before b USING (bitrix_call_id)`;

/** Statistics rows into `calls`: one INSERT … ON CONFLICT per batch; rows that change nothing write nothing. */
@Injectable()
export class CallRowsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async upsert(rows: StatisticsRow[], now: Date, awaitingRecordingMs: number, manager: EntityManager = this.dataSource.manager): Promise<StoreOutcome> {
    const { calls: mapped, unreadable } = readRows(rows);
    const calls = latestPerCall(mapped);
    if (calls.length === 0) return { created: 0, updated: 0, unreadable, calls: [] };
    const columns = INPUT.map(([, , value]) => calls.map(value));
    const stored = (await manager.query(UPSERT_SQL, [now, `${awaitingRecordingMs} milliseconds`, ...columns]))
      .map((row: { id: number; created: boolean; ready: boolean }) => ({ id: Number(row.id), created: row.created, ready: row.ready }));
    const created = stored.filter((call: StoredCall) => call.created).length;
    return { created, updated: stored.length - created, unreadable, calls: stored };
  }

  /** Statistics IDs of Bitrix24 calls still waiting for their recording, oldest first. */
  async awaitingRecording(limit: number): Promise<number[]> {
    const rows: { bitrix_stat_id: string }[] = await this.dataSource.query(
      `SELECT bitrix_stat_id FROM calls
        WHERE status = 'new' AND status_reason = 'awaiting_recording' AND bitrix_stat_id IS NOT NULL
        ORDER BY awaiting_recording_since, id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => Number(row.bitrix_stat_id));
  }

  /** Calls that waited longer than the window (or vanished from the portal) give up: skipped / no_recording. */
  async expireAwaiting(now: Date, awaitingRecordingMs: number): Promise<number> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE calls SET status = 'skipped', status_reason = 'no_recording', awaiting_recording_since = NULL, updated_at = now()
        WHERE status = 'new' AND status_reason = 'awaiting_recording'
          AND awaiting_recording_since < $1::timestamptz - $2::interval`,
      [now, `${awaitingRecordingMs} milliseconds`],
    )) as [unknown, number];
    return affected;
  }

  async cursor(name: string): Promise<number | null> {
    const rows: { value: string }[] = await this.dataSource.query('SELECT value FROM sync_cursors WHERE name = $1', [name]);
    return rows.length ? Number(rows[0].value) : null;
  }

  /** Moves the cursor forward only; called in the transaction that stored the rows up to `lastId`. */
  async advanceCursor(manager: EntityManager, name: string, lastId: number): Promise<void> {
    await manager.query(
      `INSERT INTO sync_cursors (name, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
        WHERE sync_cursors.value::bigint < EXCLUDED.value::bigint`,
      [name, String(lastId)],
    );
  }
}

function readRows(rows: StatisticsRow[]): { calls: BitrixCallFields[]; unreadable: number[] } {
  const calls: BitrixCallFields[] = [];
  const unreadable: number[] = [];
  for (const row of rows) {
    try {
      calls.push(mapStatisticsRow(row));
    } catch {
      unreadable.push(Number(row.ID));
    }
  }
  return { calls, unreadable };
}

/** One INSERT … ON CONFLICT may not touch a row twice: a CALL_ID listed twice keeps its newest statistics row. */
function latestPerCall(calls: BitrixCallFields[]): BitrixCallFields[] {
  const byCallId = new Map<string, BitrixCallFields>();
  for (const call of calls) {
    const known = byCallId.get(call.bitrixCallId);
    if (!known || known.statisticsId < call.statisticsId) byCallId.set(call.bitrixCallId, call);
  }
  return [...byCallId.values()];
}
