import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AdvisoryLock, LOCK_KEYS } from '../database/advisory-locks';
import { TelegramBotApi } from '../integrations/telegram/telegram-bot-api.port';
import { TelegramBotService } from './telegram-bot.service';

/** How long a poll waits for updates, how often a standby instance tries to take over, the back-off after a failed poll. */
export interface BotPollingTimes {
  pollSec: number;
  standbyMs: number;
  retryMs: number;
}

export const BOT_POLLING_TIMES = Symbol('BOT_POLLING_TIMES');
export const DEFAULT_BOT_POLLING_TIMES: BotPollingTimes = { pollSec: 25, standbyMs: 15_000, retryMs: 5_000 };

/**
 * Long polling in the processes that serve the API: the instance holding the PostgreSQL advisory lock polls
 * (Telegram refuses a second poller of the same bot), the others wait to take over when it stops or dies.
 * An update is confirmed, by asking for the next ones, only after it was answered.
 */
@Injectable()
export class BotPolling implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BotPolling.name);
  private readonly stop = new AbortController();
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BOT_POLLING_TIMES) private readonly times: BotPollingTimes,
    private readonly api: TelegramBotApi,
    private readonly bot: TelegramBotService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.telegram.bot.mode !== 'polling' || !this.api.isConfigured() || this.config.role === 'worker') return;
    this.running = this.run().catch((error: Error) => this.logger.error(`Telegram polling stopped: ${error.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      const lock = await AdvisoryLock.tryAcquire(this.dataSource, LOCK_KEYS.telegramBotPolling);
      if (!lock) {
        await this.pause(this.times.standbyMs);
        continue;
      }
      try {
        await this.poll();
      } finally {
        await lock.release();
      }
    }
  }

  private async poll(): Promise<void> {
    this.logger.log('Polling Telegram for bot commands');
    await this.api.deleteWebhook().catch((error: Error) => this.logger.warn(`Could not leave webhook mode: ${error.message}`));
    await this.bot.registerCommands().catch((error: Error) => this.logger.warn(`Could not set the bot's commands: ${error.message}`));
    let offset = 0;
    while (!this.stop.signal.aborted) {
      try {
        for (const update of await this.api.getUpdates(offset, this.times.pollSec, this.stop.signal)) {
          await this.bot.handle(update);
          offset = update.update_id + 1;
        }
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.logger.warn(`Telegram polling failed, retrying in ${this.times.retryMs} ms: ${(error as Error).message}`);
        await this.pause(this.times.retryMs);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }
}
