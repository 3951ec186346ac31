import { IntegrationError } from '../../common/errors';
import { BitrixClientOptions, BitrixTransport, DriveDownload } from './bitrix-transport';
import type {
  BitrixDepartment, BitrixResponse, BitrixUser, CrmActivity, DiskFile, SessionHistory, StatisticsRow,
} from './bitrix.types';
import { exportAfter, MAX_BATCH_COMMANDS, PAGE_SIZE, VerifiedPage } from './id-cursor-export';
import { encodePhpQuery, PhpValue } from './php-query';

export type { BitrixClientOptions, DriveDownload } from './bitrix-transport';
export type { VerifiedPage } from './id-cursor-export';

export interface StatisticsFilter {
  /** Inclusive bounds on CALL_START_DATE, for re-syncing a date range. */
  from?: Date | string;
  to?: Date | string;
  /** Further `voximplant.statistic.get` FILTER keys, e.g. `{ CALL_TYPE: 2 }`. */
  extra?: Record<string, PhpValue>;
}

export interface ExportOptions {
  /** Pages per `batch` request (1–50); 50 brings up to 2,500 rows per request. */
  pagesPerRequest?: number;
}

export interface TimelineComment {
  /** `lead`, `deal`, `contact`, `company` or `dynamic_<typeId>`. */
  entityType: string;
  entityId: number;
  comment: string;
}

const OPEN_LINES_SELECT = [
  'ID', 'OWNER_ID', 'OWNER_TYPE_ID', 'TYPE_ID', 'PROVIDER_ID', 'PROVIDER_TYPE_ID', 'PROVIDER_PARAMS',
  'ASSOCIATED_ENTITY_ID', 'ORIGIN_ID', 'SUBJECT', 'START_TIME', 'END_TIME', 'COMPLETED', 'DIRECTION',
  'RESPONSIBLE_ID', 'RESULT_SOURCE_ID', 'RESULT_STATUS',
];

/** Our thin Bitrix24 REST client, speaking to one incoming webhook. */
export class BitrixClient {
  private readonly transport: BitrixTransport;

  constructor(options: BitrixClientOptions) {
    this.transport = new BitrixTransport(options);
  }

  /** HTTP requests sent so far (a batch is one; retries count). */
  get requestsUsed(): number {
    return this.transport.requestsUsed;
  }

  /** False when built without a webhook URL; every method then fails with a `not_configured` IntegrationError. */
  get configured(): boolean {
    return this.transport.configured;
  }

  call<T>(method: string, params: object = {}): Promise<BitrixResponse<T>> {
    return this.transport.call<T>(method, params);
  }

  batch(commands: Record<string, string>, halt = false) {
    return this.transport.batch(commands, halt);
  }

  /** Every employee, active or not, in two requests for up to 2,550 users. */
  users(): Promise<BitrixUser[]> {
    return this.listAll<BitrixUser>('user.get', { FILTER: { USER_TYPE: 'employee' }, SORT: 'ID', ORDER: 'ASC' });
  }

  departments(): Promise<BitrixDepartment[]> {
    return this.listAll<BitrixDepartment>('department.get', { sort: 'ID', order: 'ASC' });
  }

  /**
   * Call statistics after `cursorId` in ID order, as verified pages. Rows of a page are never repeated or
   * skipped; a failure throws after the pages already yielded, so the caller resumes from its last `lastId`.
   */
  statisticsAfter(cursorId: number, filter: StatisticsFilter = {}, options: ExportOptions = {}): AsyncGenerator<VerifiedPage<StatisticsRow>> {
    const constant = statisticsFilter(filter);
    return exportAfter<StatisticsRow>(this.transport, {
      method: 'voximplant.statistic.get',
      params: (cursor) => ({ FILTER: { '>ID': cursor, ...constant }, SORT: 'ID', ORDER: 'ASC', start: -1 }),
    }, cursorId, pagesPerRequest(options));
  }

  /** The statistics row of one call, e.g. after an ONVOXIMPLANTCALLEND event; null when the portal has none. */
  async statisticByCallId(callId: string): Promise<StatisticsRow | null> {
    const response = await this.transport.call<StatisticsRow[]>('voximplant.statistic.get', { FILTER: { CALL_ID: callId } });
    return response.result?.[0] ?? null;
  }

  /** The current rows of many statistics IDs (calls still waiting for a recording), up to 2,500 per request. */
  async statisticsByIds(ids: number[]): Promise<StatisticsRow[]> {
    const rows: StatisticsRow[] = [];
    const perRequest = PAGE_SIZE * MAX_BATCH_COMMANDS;
    for (let offset = 0; offset < ids.length; offset += perRequest) {
      const chunk = ids.slice(offset, offset + perRequest);
      const commands: Record<string, string> = {};
      for (let start = 0; start < chunk.length; start += PAGE_SIZE) {
        const filter = { FILTER: { ID: chunk.slice(start, start + PAGE_SIZE) }, SORT: 'ID', ORDER: 'ASC', start: -1 };
        commands[`i${start}`] = `voximplant.statistic.get?${encodePhpQuery(filter)}`;
      }
      const outcome = await this.transport.batch(commands, true);
      for (const key of Object.keys(commands)) {
        const error = outcome.errors[key];
        if (error) throw this.transport.subCallError('voximplant.statistic.get', error);
        rows.push(...((outcome.result[key] as StatisticsRow[] | undefined) ?? []));
      }
    }
    return rows;
  }

  /** Open Lines session activities after `cursorId`, the same fast way as call statistics. */
  openLinesSessionsAfter(cursorId: number, options: ExportOptions = {}): AsyncGenerator<VerifiedPage<CrmActivity>> {
    return exportAfter<CrmActivity>(this.transport, {
      method: 'crm.activity.list',
      params: (cursor) => ({
        filter: { '>ID': cursor, PROVIDER_ID: 'IMOPENLINES_SESSION' },
        order: { ID: 'ASC' },
        select: OPEN_LINES_SELECT,
        start: -1,
      }),
    }, cursorId, pagesPerRequest(options));
  }

  async sessionHistory(sessionId: number): Promise<SessionHistory> {
    const response = await this.transport.call<SessionHistory>('imopenlines.session.history.get', { SESSION_ID: sessionId });
    return response.result;
  }

  /** Histories of many sessions, 50 per request; a session the portal refuses maps to its error. */
  async sessionHistories(sessionIds: number[]): Promise<Map<number, SessionHistory | IntegrationError>> {
    const histories = new Map<number, SessionHistory | IntegrationError>();
    for (let offset = 0; offset < sessionIds.length; offset += MAX_BATCH_COMMANDS) {
      const chunk = sessionIds.slice(offset, offset + MAX_BATCH_COMMANDS);
      const commands = Object.fromEntries(chunk.map((id) => [`s${id}`, `imopenlines.session.history.get?SESSION_ID=${id}`]));
      const outcome = await this.transport.batch(commands, false);
      for (const id of chunk) {
        const error = outcome.errors[`s${id}`];
        histories.set(id, error
          ? this.transport.subCallError('imopenlines.session.history.get', error)
          : (outcome.result[`s${id}`] as SessionHistory));
      }
    }
    return histories;
  }

  /** File metadata; `DOWNLOAD_URL` carries the webhook secret, so it must not be logged or returned. */
  async diskFile(fileId: number): Promise<DiskFile> {
    const response = await this.transport.call<DiskFile>('disk.file.get', { id: fileId });
    return response.result;
  }

  /** Downloads a file by its ID (e.g. RECORD_FILE_ID) through `open`: the secret-bearing link goes nowhere else. */
  async downloadFile<T>(fileId: number, open: (download: DriveDownload) => Promise<T>): Promise<T> {
    const file = await this.diskFile(fileId);
    return this.transport.download(file.DOWNLOAD_URL, open);
  }

  /** Adds a comment to a CRM entity's timeline; returns its ID. Not retried once the portal may have run it. */
  async addTimelineComment(comment: TimelineComment): Promise<number> {
    const response = await this.transport.call<number | string>('crm.timeline.comment.add', {
      fields: { ENTITY_ID: comment.entityId, ENTITY_TYPE: comment.entityType, COMMENT: comment.comment },
    }, { idempotent: false });
    return Number(response.result);
  }

  redact(text: string): string {
    return this.transport.redact(text);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** One counted request learns `total`; one batch then fetches up to 50 further pages by offset. */
  private async listAll<T extends { ID: string }>(method: string, params: Record<string, PhpValue>): Promise<T[]> {
    const first = await this.transport.call<T[]>(method, { ...params, start: 0 });
    const rows = [...(first.result ?? [])];
    const offsets: number[] = [];
    for (let start = first.next ?? 0; first.next && start < (first.total ?? 0); start += PAGE_SIZE) offsets.push(start);
    for (let index = 0; index < offsets.length; index += MAX_BATCH_COMMANDS) {
      const chunk = offsets.slice(index, index + MAX_BATCH_COMMANDS);
      const commands = Object.fromEntries(chunk.map((start) => [`o${start}`, `${method}?${encodePhpQuery({ ...params, start })}`]));
      const outcome = await this.transport.batch(commands, true);
      for (const start of chunk) {
        const error = outcome.errors[`o${start}`];
        if (error) throw this.transport.subCallError(method, error);
        rows.push(...((outcome.result[`o${start}`] as T[] | undefined) ?? []));
      }
    }
    return uniqueById(rows);
  }
}

function statisticsFilter(filter: StatisticsFilter): Record<string, PhpValue> {
  const constant: Record<string, PhpValue> = { ...(filter.extra ?? {}) };
  if (filter.from !== undefined) constant['>=CALL_START_DATE'] = toBitrixDate(filter.from);
  if (filter.to !== undefined) constant['<=CALL_START_DATE'] = toBitrixDate(filter.to);
  return constant;
}

/** ISO 8601 with an explicit offset and no fraction, the form the portal parses reliably. */
export function toBitrixDate(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date: ${String(value)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function pagesPerRequest(options: ExportOptions): number {
  return Math.min(MAX_BATCH_COMMANDS, Math.max(1, Math.floor(options.pagesPerRequest ?? MAX_BATCH_COMMANDS)));
}

/** Offset pages can repeat a row when the list changes between them. */
function uniqueById<T extends { ID: string }>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(String(row.ID)) && seen.add(String(row.ID)) !== undefined);
}
