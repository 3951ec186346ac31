import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { BackgroundWork } from '../common/background-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { bitrixNotConfigured } from '../integrations/bitrix/bitrix-transport';
import { SettingsService } from '../settings/settings.service';
import type { SyncTrigger } from '../sync/sync-run.entity';
import { ChatAnalysisService } from './chat-analysis.service';
import { ChatSyncService } from './chat-sync.service';
import { ChatSyncReplyDto } from './dto/chat.dto';

/** A manual sync answers within this time, or with 202 while the run goes on. */
const REPLY_WITHIN_MS = 25_000;

/** Triggers of the chat sync (cron and the API), each followed by analysis of the chats that closed. */
@Injectable()
export class ChatSyncRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('ChatSync');
  private readonly background = new BackgroundWork();

  constructor(
    private readonly sync: ChatSyncService,
    private readonly analysis: ChatAnalysisService,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async runManual(): Promise<ChatSyncReplyDto> {
    if (!this.sync.configured) throw bitrixNotConfigured();
    const { runId, done } = await this.sync.start('manual');
    const finished = this.background.add(done.then((result) => { this.analyseLater(); return result; }));
    const timeout = new Promise<null>((resolve) => setTimeout(resolve, REPLY_WITHIN_MS, null).unref());
    const result = await Promise.race([finished, timeout]);
    if (!result) return { ok: true, runId, finished: false };
    return { ok: true, runId, finished: true, synced: result.fetched, created: result.created, updated: result.updated, reread: result.reread };
  }

  @Cron(CronExpression.EVERY_5_MINUTES, { name: 'chat-sync' })
  async tick(): Promise<void> {
    if (this.config.role === 'api' || !this.sync.configured || !(await this.settings.get()).sync.enabled) return;
    await this.runQuietly('cron');
    await this.analysis.analyzePending().catch((error: Error) => this.logger.error(`Chat analysis failed: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.background.settled();
  }

  private async runQuietly(trigger: SyncTrigger): Promise<void> {
    try {
      const { done } = await this.sync.start(trigger);
      await done;
    } catch (error) {
      // Another instance holding the lock is the normal case for a scheduled run.
      if ((error as { status?: number }).status !== 409) this.logger.warn(`Scheduled chat sync failed: ${(error as Error).message}`);
    }
  }

  private analyseLater(): void {
    this.background.add(this.analysis.analyzePending().catch((error: Error) => this.logger.error(`Chat analysis failed: ${error.message}`)));
  }
}
