/** Where alerts and reports go: one Telegram chat. Messages are HTML (Telegram's parse mode). */
export abstract class TelegramNotifier {
  /** A bot token and a chat are set; nothing is sent otherwise. */
  abstract isConfigured(): boolean;

  /** Sends HTML, split into several messages when longer than Telegram allows; returns their ids. */
  abstract sendHtml(html: string): Promise<number[]>;

  abstract sendPhoto(png: Buffer, captionHtml?: string): Promise<number>;

  /** Checks the token with Telegram, for the health report. */
  abstract getBotUsername(): Promise<string>;
}
