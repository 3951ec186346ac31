import { TelegramApi, TelegramApiOptions } from './telegram-api';
import { telegramNotConfigured } from './telegram-errors';
import { TelegramNotifier } from './telegram-notifier.port';

export interface TelegrafNotifierOptions extends TelegramApiOptions {
  chatId?: string;
}

/** Alerts and reports to the one configured chat. */
export class TelegrafNotifier extends TelegramNotifier {
  private readonly api: TelegramApi;

  constructor(private readonly options: TelegrafNotifierOptions) {
    super();
    this.api = new TelegramApi(options);
  }

  isConfigured(): boolean {
    return this.api.hasToken && Boolean(this.options.chatId?.trim());
  }

  async sendHtml(html: string): Promise<number[]> {
    return this.api.sendHtml(this.chatId, html);
  }

  async sendPhoto(png: Buffer, captionHtml?: string): Promise<number> {
    return this.api.sendPhoto(this.chatId, png, captionHtml);
  }

  getBotUsername(): Promise<string> {
    return this.api.getMe();
  }

  private get chatId(): string {
    if (!this.isConfigured()) throw telegramNotConfigured();
    return this.options.chatId!.trim();
  }
}
