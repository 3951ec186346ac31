import { TelegramApi, TelegramApiOptions, TelegramFile } from './telegram-api';
import { BotCommandDescription, TelegramBotApi, TelegramUpdate } from './telegram-bot-api.port';

/** Seconds a long poll may take beyond its own timeout before the request is given up. */
const POLL_GRACE_SEC = 15;

export class TelegrafBotApi extends TelegramBotApi {
  private readonly api: TelegramApi;

  constructor(options: TelegramApiOptions) {
    super();
    this.api = new TelegramApi(options);
  }

  isConfigured(): boolean {
    return this.api.hasToken;
  }

  getUpdates(offset: number, timeoutSec: number, signal: AbortSignal): Promise<TelegramUpdate[]> {
    return this.api.call('getUpdates', '', (telegram, apiSignal) =>
      telegram.callApi('getUpdates', { offset, timeout: timeoutSec, allowed_updates: ['message'] }, { signal: apiSignal }) as Promise<TelegramUpdate[]>,
    { once: true, timeoutMs: (timeoutSec + POLL_GRACE_SEC) * 1000, signal });
  }

  async setWebhook(url: string, secret: string): Promise<void> {
    await this.api.call('setWebhook', '', (telegram, signal) =>
      telegram.callApi('setWebhook', { url, secret_token: secret, allowed_updates: ['message'] }, { signal }));
  }

  async deleteWebhook(): Promise<void> {
    await this.api.call('deleteWebhook', '', (telegram, signal) => telegram.callApi('deleteWebhook', { drop_pending_updates: false }, { signal }));
  }

  async setCommands(commands: BotCommandDescription[]): Promise<void> {
    await this.api.call('setMyCommands', '', (telegram, signal) => telegram.callApi('setMyCommands', { commands }, { signal }));
  }

  botUsername(): Promise<string> {
    return this.api.getMe();
  }

  sendHtml(chatId: string, html: string): Promise<number[]> {
    return this.api.sendHtml(chatId, html);
  }

  sendPhoto(chatId: string, png: Buffer, captionHtml: string): Promise<number> {
    return this.api.sendPhoto(chatId, png, captionHtml);
  }

  sendDocument(chatId: string, file: TelegramFile, captionHtml: string): Promise<number> {
    return this.api.sendDocument(chatId, file, captionHtml);
  }
}
