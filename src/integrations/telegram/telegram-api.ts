import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegraf, Telegram } from 'telegraf';
import { IntegrationError } from '../../common/errors';
import { splitHtml } from './split-html';
import { telegramNotConfigured, toTelegramIntegrationError } from './telegram-errors';

export interface TelegramApiOptions {
  botToken?: string;
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

/** A file to upload, as Telegram's multipart form takes it. */
export interface TelegramFile {
  source: Buffer;
  filename: string;
}

const CAPTION_LIMIT = 1024;

/** telegraf types its signal as the `abort-controller` polyfill; node-fetch takes the built-in one. */
export type ApiSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/**
 * The Bot API through telegraf's client, in our error vocabulary: retried with back-off after a 429 (as long as
 * Telegram asks), a 5xx or a network failure, every request with a time limit.
 */
export class TelegramApi {
  private readonly logger = new Logger(TelegramApi.name);
  private readonly telegram?: Telegram;

  constructor(private readonly options: TelegramApiOptions) {
    if (options.botToken?.trim()) this.telegram = new Telegraf(options.botToken.trim(), { telegram: { apiRoot: options.apiRoot || undefined } }).telegram;
  }

  get hasToken(): boolean {
    return this.telegram !== undefined;
  }

  /** HTML split into as many messages as it takes; their ids. */
  async sendHtml(chatId: string, html: string): Promise<number[]> {
    const ids: number[] = [];
    for (const part of splitHtml(html)) {
      const message = await this.call('sendMessage', chatId, (telegram, signal) =>
        telegram.callApi('sendMessage', { chat_id: chatId, text: part, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }, { signal }),
      );
      ids.push(message.message_id);
    }
    return ids;
  }

  /** A caption longer than Telegram allows follows the photo as a message. */
  async sendPhoto(chatId: string, png: Buffer, captionHtml?: string): Promise<number> {
    const fitsCaption = captionHtml !== undefined && captionHtml.length <= CAPTION_LIMIT;
    const message = await this.call('sendPhoto', chatId, (telegram, signal) =>
      telegram.callApi('sendPhoto', {
        chat_id: chatId,
        photo: { source: png, filename: 'chart.png' },
        ...(fitsCaption ? { caption: captionHtml, parse_mode: 'HTML' as const } : {}),
      }, { signal }),
    );
    if (captionHtml !== undefined && !fitsCaption) await this.sendHtml(chatId, captionHtml);
    return message.message_id;
  }

  async sendDocument(chatId: string, file: TelegramFile, captionHtml?: string): Promise<number> {
    const message = await this.call('sendDocument', chatId, (telegram, signal) =>
      telegram.callApi('sendDocument', {
        chat_id: chatId, document: file, ...(captionHtml ? { caption: captionHtml.slice(0, CAPTION_LIMIT), parse_mode: 'HTML' as const } : {}),
      }, { signal }),
    );
    return message.message_id;
  }

  async getMe(): Promise<string> {
    const me = await this.call('getMe', '', (telegram, signal) => telegram.callApi('getMe', {}, { signal }));
    return me.username;
  }

  /**
   * Any request, retried like the rest. `chatId` names the chat in errors; `once` leaves retrying to the caller
   * (long polling), `timeoutMs` overrides the request time limit and `signal` cancels it.
   */
  async call<T>(
    method: string, chatId: string, request: (telegram: Telegram, signal: ApiSignal) => Promise<T>,
    { once = false, timeoutMs, signal }: { once?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    if (!this.telegram) throw telegramNotConfigured();
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(this.telegram, this.signal(timeoutMs, signal));
      } catch (caught) {
        if (signal?.aborted) throw caught;
        const error = toTelegramIntegrationError(caught, chatId);
        const delayMs = once ? undefined : this.retryDelay(error, attempt);
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

  private signal(timeoutMs = this.options.requestTimeoutMs ?? 30_000, cancel?: AbortSignal): ApiSignal {
    const timeout = AbortSignal.timeout(timeoutMs);
    return (cancel ? AbortSignal.any([timeout, cancel]) : timeout) as unknown as ApiSignal;
  }
}
