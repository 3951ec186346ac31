/** A message as the bot receives it: only what command handling reads. */
export interface TelegramUpdate {
  update_id: number;
  message?: {
    message_id: number;
    chat: { id: number; type: string };
    from?: { id: number; username?: string };
    text?: string;
  };
}

export interface BotCommandDescription {
  command: string;
  description: string;
}

/** The Bot API as the command bot uses it: receiving updates, and answering in whichever chat a command came from. */
export abstract class TelegramBotApi {
  /** A bot token is set. */
  abstract isConfigured(): boolean;

  /** Long polling: waits up to `timeoutSec` for updates after `offset`; the offset also confirms the ones before it. */
  abstract getUpdates(offset: number, timeoutSec: number, signal: AbortSignal): Promise<TelegramUpdate[]>;

  abstract setWebhook(url: string, secret: string): Promise<void>;

  /** Ends webhook mode (keeping waiting updates), so long polling may start. */
  abstract deleteWebhook(): Promise<void>;

  abstract setCommands(commands: BotCommandDescription[]): Promise<void>;

  abstract botUsername(): Promise<string>;

  abstract sendHtml(chatId: string, html: string): Promise<number[]>;

  abstract sendPhoto(chatId: string, png: Buffer, captionHtml: string): Promise<number>;

  abstract sendDocument(chatId: string, file: { source: Buffer; filename: string }, captionHtml: string): Promise<number>;
}
