import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { IntegrationError } from '../common/errors';
import { AdvisoryLock, LOCK_KEYS } from '../database/advisory-locks';
import { BitrixClient } from '../integrations/bitrix/bitrix.client';
import { mapOpenLinesActivity, mapSessionMessages } from '../integrations/bitrix/bitrix.mapping';
import type { CrmActivity, SessionHistory } from '../integrations/bitrix/bitrix.types';
import { SyncCursor } from '../sync/sync-cursor.entity';
import { SyncRun, SyncTrigger } from '../sync/sync-run.entity';
import { ChatStore, SavedChat, SessionSnapshot } from './chat.store';

export const CHAT_CURSOR = 'chats';
const OPEN_LINES_PROVIDER = 'IMOPENLINES_SESSION';
/** Open sessions read again per run, 50 per request. */
const REREAD_LIMIT = 500;
const PAGE = 50;

interface RunCounts {
  fetched: number;
  created: number;
  updated: number;
}

export interface ChatSyncResult extends RunCounts {
  runId: number;
  /** Open sessions read again. */
  reread: number;
}

/**
 * Open Lines sessions from Bitrix24: new ones by the activity ID cursor (`crm.activity.list`, PROVIDER_ID
 * IMOPENLINES_SESSION), open ones read again until they close, messages through `imopenlines.session.history.get`.
 * A PostgreSQL advisory lock keeps two instances from syncing at once.
 */
@Injectable()
export class ChatSyncService {
  private readonly logger = new Logger('ChatSync');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: BitrixClient,
    private readonly store: ChatStore,
  ) {}

  get configured(): boolean {
    return this.client.configured;
  }

  /**
   * Starts a run under the lock and returns its id with the run's completion; a run already going on is a 409
   * naming it. The lock is held until the run ends.
   */
  async start(trigger: SyncTrigger): Promise<{ runId: number; done: Promise<ChatSyncResult> }> {
    const lock = await AdvisoryLock.tryAcquire(this.dataSource, LOCK_KEYS.chatsSync);
    if (!lock) throw new ConflictException(`A chat sync is already running (run ${await this.runningRunId()})`);
    try {
      const run = await this.openRun(trigger);
      return { runId: run.id, done: this.execute(run).finally(() => lock.release()) };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** The chat of one session activity (an ONCRMACTIVITYADD event); null when the activity is not an Open Lines session. */
  async syncActivity(activityId: number): Promise<SavedChat | null> {
    const response = await this.client.call<CrmActivity>('crm.activity.get', { id: activityId });
    const activity = response.result;
    if (!activity || String(activity.PROVIDER_ID).toUpperCase() !== OPEN_LINES_PROVIDER) return null;
    const [saved] = await this.storeSessions([activity]);
    return saved ?? null;
  }

  private async execute(run: SyncRun): Promise<ChatSyncResult> {
    const counts: RunCounts = { fetched: 0, created: 0, updated: 0 };
    const requestsBefore = this.client.requestsUsed;
    const seen = new Set<number>();
    try {
      await this.syncNewSessions(run, counts, seen);
      const reread = await this.rereadUnfinished(counts, seen);
      await this.closeRun(run.id, counts, this.client.requestsUsed - requestsBefore, null);
      this.logger.log(`Chat sync ${run.id}: ${counts.fetched} sessions read, ${counts.created} new, ${reread} open ones read again`);
      return { runId: run.id, ...counts, reread };
    } catch (error) {
      const reason = error instanceof IntegrationError ? `bitrix: ${error.message}` : (error as Error).message;
      await this.closeRun(run.id, counts, this.client.requestsUsed - requestsBefore, reason);
      this.logger.warn(`Chat sync ${run.id} failed after ${counts.fetched} sessions: ${reason}`);
      throw error;
    }
  }

  /** The cursor advances only past pages whose sessions are stored, so a failed run resumes without gaps. */
  private async syncNewSessions(run: SyncRun, counts: RunCounts, seen: Set<number>): Promise<void> {
    const cursor = Number(run.cursorFrom ?? 0);
    for await (const page of this.client.openLinesSessionsAfter(cursor)) {
      const sessions = page.rows.filter((row) => String(row.PROVIDER_ID ?? OPEN_LINES_PROVIDER).toUpperCase() === OPEN_LINES_PROVIDER);
      this.count(counts, await this.storeSessions(sessions));
      sessions.forEach((row) => seen.add(Number(row.ID)));
      await this.saveCursor(page.lastId);
      await this.dataSource.getRepository(SyncRun).update(run.id, { cursorTo: String(page.lastId), ...counts });
    }
  }

  private async rereadUnfinished(counts: RunCounts, seen: Set<number>): Promise<number> {
    const ids = await this.store.unfinishedActivityIds(seen, REREAD_LIMIT);
    for (let offset = 0; offset < ids.length; offset += PAGE) {
      const chunk = ids.slice(offset, offset + PAGE);
      const response = await this.client.call<CrmActivity[]>('crm.activity.list', {
        filter: { '@ID': chunk, PROVIDER_ID: OPEN_LINES_PROVIDER }, order: { ID: 'ASC' }, select: ['*'], start: -1,
      });
      this.count(counts, await this.storeSessions(response.result ?? []));
    }
    return ids.length;
  }

  private async storeSessions(activities: CrmActivity[]): Promise<SavedChat[]> {
    const sessions = activities.map(mapOpenLinesActivity).filter((session) => session.sessionId !== null);
    if (sessions.length === 0) return [];
    const histories = await this.client.sessionHistories(sessions.map((session) => session.sessionId!));
    const saved: SavedChat[] = [];
    for (const session of sessions) saved.push(await this.store.save(snapshotOf(session, histories.get(session.sessionId!))));
    return saved;
  }

  private count(counts: RunCounts, saved: SavedChat[]): void {
    counts.fetched += saved.length;
    counts.created += saved.filter((chat) => chat.created).length;
    counts.updated += saved.filter((chat) => !chat.created).length;
  }

  private async openRun(trigger: SyncTrigger): Promise<SyncRun> {
    // Holding the lock, no other run can be going on: a run still marked running was cut short by a crash.
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'failed', error = 'interrupted (the process stopped)', finished_at = now() WHERE kind = 'chats' AND status = 'running'`,
    );
    const cursor = await this.dataSource.getRepository(SyncCursor).findOneBy({ name: CHAT_CURSOR });
    const repository = this.dataSource.getRepository(SyncRun);
    return repository.save(repository.create({
      kind: 'chats', trigger, status: 'running', cursorFrom: cursor?.value ?? '0', instance: `${hostname()}:${process.pid}`.slice(0, 128),
    }));
  }

  private async closeRun(runId: number, counts: RunCounts, requestsUsed: number, error: string | null): Promise<void> {
    await this.dataSource.getRepository(SyncRun).update(runId, {
      ...counts, requestsUsed, error, status: error ? 'failed' : 'succeeded', finishedAt: new Date(),
    });
  }

  private async saveCursor(lastId: number): Promise<void> {
    await this.dataSource.getRepository(SyncCursor).upsert({ name: CHAT_CURSOR, value: String(lastId) }, ['name']);
  }

  private async runningRunId(): Promise<number | null> {
    const run = await this.dataSource.getRepository(SyncRun).findOne({ where: { kind: 'chats', status: 'running' }, order: { id: 'DESC' } });
    return run?.id ?? null;
  }
}

function snapshotOf(session: SessionSnapshot['session'], history: SessionHistory | IntegrationError | undefined): SessionSnapshot {
  if (!history) return { session, messages: null, historyError: 'the portal returned no history for this session' };
  if (history instanceof IntegrationError) return { session, messages: null, historyError: `bitrix: ${history.message}` };
  try {
    return { session, messages: mapSessionMessages(history) };
  } catch (error) {
    return { session, messages: null, historyError: `unreadable history: ${(error as Error).message}` };
  }
}
