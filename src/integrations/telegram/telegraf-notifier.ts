import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegraf, Telegram } from 'telegraf';
import { IntegrationError } from '../../common/errors';
import { bold, escapeHtml } from './html';
import { splitHtml } from './split-html';
import { telegramNotConfigured, toTelegramIntegrationError } from './telegram-errors';
import { TelegramNotifier } from './telegram-notifier.port';

export interface TelegrafNotifierOptions {
  botToken?: string;
  chatId?: string;
  /** A local Bot API server or a fake; Telegram's own by default. */
  apiRoot?: string;
  /** Retries after a 429, a 5xx or a network failure. */
  maxRetries: number;
  /** First back-off delay; doubles with each retry. */
  retryBaseMs: number;
  /** Longest `retry_after` worth waiting for; a longer one fails as `rate_limited` for the caller to reschedule. */
  maxRetryAfterMs?: number;
  requestTimeoutMs?: number;
}

const CAPTION_LIMIT = 1024;

/** telegraf types its signal as the `abort-controller` polyfill; node-fetch takes the built-in one. */
type ApiSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

export class TelegrafNotifier extends TelegramNotifier {
  private readonly logger = new Logger(TelegrafNotifier.name);
  private readonly telegram?: Telegram;

  constructor(private readonly options: TelegrafNotifierOptions) {
    super();
    if (this.isConfigured()) {
      const apiRoot = options.apiRoot || undefined;
      this.telegram = new Telegraf(options.botToken!, { telegram: { apiRoot } }).telegram;
    }
  }

  isConfigured(): boolean {
    return Boolean(this.options.botToken?.trim() && this.options.chatId?.trim());
  }

  async sendHtml(html: string): Promise<number[]> {
    const ids: number[] = [];
    for (const part of splitHtml(html)) ids.push(await this.sendMessagePart(part));
    return ids;
  }

  async sendPhoto(png: Buffer, captionHtml?: string): Promise<number> {
    const fitsCaption = captionHtml !== undefined && captionHtml.length <= CAPTION_LIMIT;
    const message = await this.call('sendPhoto', (telegram, signal) =>
      telegram.callApi('sendPhoto', {
        chat_id: this.chatId,
        photo: { source: png, filename: 'chart.png' },
        ...(fitsCaption ? { caption: captionHtml, parse_mode: 'HTML' as const } : {}),
      }, { signal }),
    );
    if (captionHtml !== undefined && !fitsCaption) await this.sendHtml(captionHtml);
    return message.message_id;
  }

  async sendTest(): Promise<number> {
    const [id] = await this.sendHtml(
      `✅ ${bold('AI CRM Analytics')}\n${escapeHtml('Test message: call alerts and reports will arrive in this chat.')}`,
    );
    return id;
  }

  async getBotUsername(): Promise<string> {
    const me = await this.call('getMe', (telegram, signal) => telegram.callApi('getMe', {}, { signal }));
    return me.username;
  }

  private sendMessagePart(html: string): Promise<number> {
    return this.call('sendMessage', async (telegram, signal) => {
      const message = await telegram.callApi('sendMessage', {
        chat_id: this.chatId,
        text: html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      }, { signal });
      return message.message_id;
    });
  }

  private async call<T>(method: string, request: (telegram: Telegram, signal: ApiSignal) => Promise<T>): Promise<T> {
    if (!this.telegram) throw telegramNotConfigured();
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(this.telegram, this.timeoutSignal());
      } catch (caught) {
        const error = toTelegramIntegrationError(caught, this.chatId);
        const delayMs = this.retryDelay(error, attempt);
        if (delayMs === undefined) throw error;
        this.logger.warn(`Telegram ${method} failed (${error.failure}: ${error.message}); retry ${attempt + 1} of ${this.options.maxRetries} in ${delayMs} ms`);
        await sleep(delayMs);
      }
    }
  }

  /** How long to wait before the next attempt, or undefined when the error should reach the caller. */
  private retryDelay(error: IntegrationError, attempt: number): number | undefined {
    if (!error.retryable || attempt >= this.options.maxRetries) return undefined;
    if (error.retryAfterMs === undefined) return this.options.retryBaseMs * 2 ** attempt;
    return error.retryAfterMs <= (this.options.maxRetryAfterMs ?? 60_000) ? error.retryAfterMs : undefined;
  }

  private timeoutSignal(): ApiSignal {
    return AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000) as unknown as ApiSignal;
  }

  private get chatId(): string {
    return this.options.chatId!.trim();
  }
}
