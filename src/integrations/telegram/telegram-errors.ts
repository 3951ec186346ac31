import { IntegrationError } from '../../common/errors';

interface TelegramApiFailure {
  code: number;
  description: string;
  retryAfterSec?: number;
}

/** Turns whatever telegraf threw into our error vocabulary, with a message that names the fix. */
export function toTelegramIntegrationError(error: unknown, chatId: string): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const api = apiFailure(error);
  if (api) return fromApiFailure(api, chatId);
  return fromTransportFailure(error);
}

export function telegramNotConfigured(): IntegrationError {
  return new IntegrationError('telegram', 'not_configured', 'Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID');
}

function fromApiFailure({ code, description, retryAfterSec }: TelegramApiFailure, chatId: string): IntegrationError {
  const text = description.toLowerCase();
  if (code === 401) return telegramError('auth', 'Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN');
  if (code === 404) return telegramError('auth', 'Telegram does not know this bot (404): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT');
  if (code === 429) return telegramError('rate_limited', 'Telegram asks to slow down (429 Too Many Requests)', (retryAfterSec ?? 1) * 1000);
  if (code >= 500) return telegramError('unavailable', `Telegram is unavailable (${code})`);
  if (text.includes('chat not found')) {
    return telegramError('not_found', `Telegram chat ${chatId} not found: check TELEGRAM_CHAT_ID and that the bot was added to the chat or started by the user`);
  }
  if (text.includes('blocked by the user')) {
    return telegramError('auth', `The bot was blocked by the user of chat ${chatId}: unblock the bot in Telegram`);
  }
  if (code === 403) {
    return telegramError('scope', `The bot may not write to chat ${chatId} (${description}): add the bot to the chat and let it post`);
  }
  return telegramError('bad_request', `Telegram refused the request (${code}): ${description}`);
}

/** node-fetch errors: only their code and type are used, their message holds the URL with the token. */
function fromTransportFailure(error: unknown): IntegrationError {
  const { name, type, code } = (error ?? {}) as { name?: string; type?: string; code?: string };
  if (name === 'AbortError' || name === 'TimeoutError' || type === 'request-timeout') {
    return telegramError('timeout', 'Telegram did not answer in time');
  }
  if (type === 'invalid-json' || error instanceof SyntaxError) return telegramError('bad_response', 'Telegram sent an answer that is not JSON');
  return telegramError('unavailable', `Telegram is unreachable (${code ?? type ?? name ?? 'network error'})`);
}

function apiFailure(error: unknown): TelegramApiFailure | undefined {
  const response = (error as { response?: { error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown } } })?.response;
  if (!response || typeof response.error_code !== 'number') return undefined;
  const retryAfter = response.parameters?.retry_after;
  return {
    code: response.error_code,
    description: String(response.description ?? ''),
    retryAfterSec: typeof retryAfter === 'number' ? retryAfter : undefined,
  };
}

function telegramError(failure: IntegrationError['failure'], message: string, retryAfterMs?: number): IntegrationError {
  return new IntegrationError('telegram', failure, message, retryAfterMs);
}
