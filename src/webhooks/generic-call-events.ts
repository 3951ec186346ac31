import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Call } from '../calls/entities/call.entity';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallProcessingQueue } from '../pipeline/call-processing-queue';
import { UnsafeUrlError, UrlGuard } from '../pipeline/recording/ssrf-guard';
import { SettingsService } from '../settings/settings.service';
import { GenericCallEventDto } from './dto/generic-call-event.dto';

export interface StoredGenericCall {
  callId: number;
  created: boolean;
  /** Whether the call should go to processing (the event's `autoProcess`, else the setting). */
  autoProcess: boolean;
}

/** Calls that are done (or given up on) are not queued again by a repeated event. */
const SETTLED = new Set(['analyzed', 'skipped']);

/** A call from the generic JSON event: created, or updated when its `externalId` is known. */
@Injectable()
export class GenericCallEvents {
  private readonly logger = new Logger('IncomingWebhook');
  private readonly urls: UrlGuard;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly settings: SettingsService,
    private readonly queue: CallProcessingQueue,
  ) {
    this.urls = new UrlGuard(config.recordings.allowedHosts);
  }

  /** What can be checked before connecting; the pipeline checks the resolved address again when it downloads. */
  assertSafeRecordUrl(recordUrl: string): void {
    try {
      this.urls.check(recordUrl);
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw new BadRequestException(`recordUrl: ${error.message}`);
      throw error;
    }
  }

  async store(event: GenericCallEventDto): Promise<StoredGenericCall> {
    const autoProcess = event.autoProcess ?? (await this.settings.get()).analysis.autoProcess;
    const { callId, created } = await this.dataSource.transaction(async (manager) => {
      const employeeId = await this.employeeNamed(manager, event.managerName);
      const existing = event.externalId ? await this.sameCall(manager, event.externalId) : null;
      if (existing) return { callId: await this.update(manager, existing, event, employeeId), created: false };
      return this.insert(manager, event, employeeId);
    });
    return { callId, created, autoProcess };
  }

  /** Queues the call unless it is already done; the queue itself never holds a call twice. */
  async queueIfWanted(stored: StoredGenericCall): Promise<boolean> {
    if (!stored.autoProcess) return false;
    const call = await this.dataSource.getRepository(Call).findOne({ where: { id: stored.callId }, select: { id: true, status: true } });
    if (!call || SETTLED.has(call.status)) return false;
    return (await this.queue.enqueue([call.id])) > 0;
  }

  private async employeeNamed(manager: EntityManager, name: string): Promise<number | null> {
    const rows: { id: number }[] = await manager.query(
      'SELECT id FROM employees WHERE lower(name) = lower($1) ORDER BY active DESC, id LIMIT 1', [name.trim()],
    );
    return rows[0]?.id ?? null;
  }

  /** The call of an earlier delivery, or the Bitrix24 call with that id (the same call by two roads). */
  private async sameCall(manager: EntityManager, externalId: string): Promise<Call | null> {
    return manager.getRepository(Call).createQueryBuilder('c')
      .where('c.external_id = :id OR c.bitrix_call_id = :id', { id: externalId })
      .orderBy('c.external_id = :id', 'DESC').setLock('pessimistic_write').getOne();
  }

  private async update(manager: EntityManager, call: Call, event: GenericCallEventDto, employeeId: number | null): Promise<number> {
    if (call.source !== 'webhook') {
      // A synced call keeps the portal's data; the webhook only adds its id and, lacking one, a recording.
      const recordSourceUrl = call.recordSourceUrl ?? (call.recordFileId ? null : event.recordUrl);
      await manager.getRepository(Call).update(call.id, { externalId: event.externalId, recordSourceUrl });
      return call.id;
    }
    await manager.getRepository(Call).update(call.id, this.fields(event, employeeId, call.startedAt));
    return call.id;
  }

  private async insert(manager: EntityManager, event: GenericCallEventDto, employeeId: number | null): Promise<{ callId: number; created: boolean }> {
    const columns = { source: 'webhook', externalId: event.externalId ?? null, status: 'new', ...this.fields(event, employeeId) };
    // A concurrent delivery of the same id may win the insert: then this one is an update of that call.
    const result = await manager.createQueryBuilder().insert().into(Call).values(columns as QueryDeepPartialEntity<Call>)
      .orUpdate(['updated_at'], ['external_id']).returning('id, (xmax = 0) AS inserted').execute();
    const row = result.raw[0] as { id: number; inserted: boolean };
    if (!row.inserted) this.logger.log(`Call with externalId ${event.externalId} arrived twice at once; kept one`);
    return { callId: row.id, created: row.inserted };
  }

  private fields(event: GenericCallEventDto, employeeId: number | null, previousStart?: Date): QueryDeepPartialEntity<Call> {
    return {
      clientPhone: event.clientPhone,
      managerName: event.managerName,
      employeeId,
      startedAt: event.startedAt ? new Date(event.startedAt) : (previousStart ?? new Date()),
      durationSec: event.durationSec ?? 0,
      direction: event.direction ?? 'incoming',
      employeeChannel: event.employeeChannel ?? null,
      recordSourceUrl: event.recordUrl,
    };
  }
}
