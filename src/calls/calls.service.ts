import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAbsolute, join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { assertScoreRange } from '../common/dto/period-query.dto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { poolOf, preparedQuery } from '../database/prepared-query';
import { SettingsService } from '../settings/settings.service';
import { buildCallListSql, CallListSql } from './calls.query';
import { callListItemJson, CallListRow, toCallDetailsDto } from './call.mapper';
import { CallDetailsDto } from './dto/call.dto';
import { ListCallsQuery } from './dto/list-calls.query';
import { Analysis } from './entities/analysis.entity';
import { Call } from './entities/call.entity';
import { CallStage } from './entities/call-stage.entity';
import { Transcript } from './entities/transcript.entity';
import { RecordingLinks } from './recording-links';

export interface StoredRecording {
  path: string;
  mime: string;
}

/**
 * Runs the list SQL: one round trip, the total riding on the page's rows. A page past the end has no rows,
 * so its total is counted alone; an empty first page means no call matches.
 */
export async function fetchCallPage(pool: Pool, sql: CallListSql, page: number): Promise<{ rows: CallListRow[]; total: number }> {
  const rows = await preparedQuery<CallListRow & { total: number }>(pool, sql.listSql, sql.listParams);
  if (rows.length || page === 1) return { rows, total: rows[0]?.total ?? 0 };
  const [{ total }] = await preparedQuery<{ total: number }>(pool, sql.countSql, sql.countParams);
  return { rows, total };
}

@Injectable()
export class CallsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
    private readonly links: RecordingLinks,
  ) {}

  /** A page of calls as the JSON text of a `CallListDto`: the items come from PostgreSQL as JSON already. */
  async listJson(query: ListCallsQuery): Promise<string> {
    assertScoreRange(query);
    const { timeZone } = await this.settings.get();
    const sql = buildCallListSql(query, timeZone);
    const { rows, total } = await fetchCallPage(poolOf(this.dataSource), sql, query.page);
    const items = rows.map((row) => callListItemJson(row, (id) => this.links.urlFor(id)));
    return `{"items":[${items.join(',')}],"page":${query.page},"pageSize":${query.pageSize},"total":${total}}`;
  }

  async details(id: number): Promise<CallDetailsDto> {
    const call = await this.find(id);
    const [transcript, analyses, stages] = await Promise.all([
      this.dataSource.getRepository(Transcript).findOne({ where: { callId: id } }),
      this.dataSource.getRepository(Analysis).find({ where: { callId: id }, order: { version: 'DESC' } }),
      this.dataSource.getRepository(CallStage).find({ where: { callId: id }, order: { id: 'ASC' } }),
    ]);
    return toCallDetailsDto({ call, transcript, analyses, stages }, (callId) => this.links.urlFor(callId));
  }

  /** The stored recording of a call, or a 404 saying why there is none. */
  async recording(id: number): Promise<StoredRecording> {
    const call = await this.find(id);
    if (call.recordingDeletedAt) throw new NotFoundException(`The recording of call ${id} was deleted by the retention policy`);
    if (!call.recordingPath) throw new NotFoundException(`The recording of call ${id} has not been downloaded yet`);
    const path = isAbsolute(call.recordingPath) ? call.recordingPath : join(this.config.dataDir, call.recordingPath);
    return { path, mime: call.recordingMime ?? 'application/octet-stream' };
  }

  private async find(id: number): Promise<Call> {
    const call = await this.dataSource.getRepository(Call).findOne({ where: { id } });
    if (!call) throw new NotFoundException(`Call ${id} not found`);
    return call;
  }
}
