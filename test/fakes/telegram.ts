import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * One fake Telegram Bot API for the whole suite: `POST /bot<token>/<method>` with JSON, form or multipart
 * bodies, the real error answers, HTML parse-mode checks and scripted faults.
 */

export type ChatStatus = 'ok' | 'blocked' | 'not_member';

export interface FakeTelegramFault {
  /** Only this method fails; any method when absent. */
  method?: string;
  kind: 'rate_limited' | 'server_error' | 'disconnect';
  retryAfterSec?: number;
}

export interface SentMessage {
  messageId: number;
  kind: 'message' | 'photo' | 'document';
  chatId: string;
  /** What we sent, markup included (`text` or `caption`). */
  text?: string;
  /** The text a user sees, after Telegram parsed the markup. */
  plainText?: string;
  parseMode?: string;
  photoBytes?: number;
  /** Documents: the file's name and its bytes. */
  filename?: string;
  file?: Buffer;
}

export interface FakeWebhook {
  url: string;
  secret?: string;
}

/** An update POSTed to the webhook, and how the bot's server answered. */
export interface WebhookDelivery {
  updateId: number;
  status: number | 'unreachable';
}

export interface FakeTelegramRequest {
  method: string;
  tokenValid: boolean;
  contentType: string;
  at: number;
}

export interface FakeTelegramState {
  messages: SentMessage[];
  requests: FakeTelegramRequest[];
  chats: Map<string, ChatStatus>;
  faults: FakeTelegramFault[];
  commands: unknown[];
  /** Set by setWebhook: updates go there instead of to getUpdates. */
  webhook?: FakeWebhook;
  webhookDeliveries: WebhookDelivery[];
  /** Long polls as asked: offset and timeout of each getUpdates. */
  polls: { offset: number; timeoutSec: number }[];
  /** getUpdates refused with 409 because another poller was waiting: two instances polling the same bot. */
  pollConflicts: number;
  /** Queues an update (or posts it to the webhook) and returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** A text message from a user in a chat, with the `bot_command` entity Telegram adds to a leading command. */
  pushMessage(chatId: string | number, text: string, chatType?: 'private' | 'group' | 'supergroup'): number;
}

export interface FakeTelegramOptions {
  token?: string;
  chatId?: string;
  botUsername?: string;
}

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  chatId: string;
  state: FakeTelegramState;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Answer = { status: number; body: Record<string, unknown> };

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '700001:AAFakeTokenForTestsOnly_0123456789abc';
  const chatId = options.chatId ?? '-1001234567890';
  const bot = new FakeBot(token, options.botUsername ?? 'crm_analytics_test_bot');
  bot.state.chats.set(chatId, 'ok');
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => void bot.handle(req, res));
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    chatId,
    state: bot.state,
    close: async () => {
      bot.stopPolling();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class FakeBot {
  readonly state: FakeTelegramState;
  private nextMessageId = 1;
  private readonly updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private poller?: { wake: () => void; res: ServerResponse };

  constructor(private readonly token: string, private readonly botUsername: string) {
    this.state = {
      messages: [],
      requests: [],
      chats: new Map(),
      faults: [],
      commands: [],
      webhookDeliveries: [],
      polls: [],
      pollConflicts: 0,
      pushUpdate: (update) => this.pushUpdate(update),
      pushMessage: (chatId, text, chatType) => this.pushUpdate({ message: userMessage(this.nextUpdateId, chatId, text, chatType) }),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? '').split('?')[0]);
    if (!match) return reply(res, { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    const [, token, method] = match;
    const tokenValid = token === this.token;
    this.state.requests.push({ method, tokenValid, contentType: req.headers['content-type'] ?? '', at: Date.now() });
    if (!tokenValid) return reply(res, failure(401, 'Unauthorized'));
    const fault = this.takeFault(method);
    if (fault?.kind === 'disconnect') return void req.socket.destroy();
    if (fault) return reply(res, faultAnswer(fault));
    let params: Params;
    try {
      params = parseParams(req.headers['content-type'] ?? '', body, req.url ?? '');
    } catch {
      return reply(res, failure(400, 'Bad Request: invalid request body'));
    }
    if (method === 'getUpdates') return this.getUpdates(params, res);
    reply(res, this.call(method, params));
  }

  stopPolling(): void {
    this.poller?.wake();
  }

  private call(method: string, params: Params): Answer {
    switch (method) {
      case 'getMe':
        return success({ id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'CRM Analytics', username: this.botUsername });
      case 'sendMessage':
        return this.sendMessage(params);
      case 'sendPhoto':
        return this.sendPhoto(params);
      case 'sendDocument':
        return this.sendDocument(params);
      case 'setMyCommands':
        this.state.commands = Array.isArray(params.commands) ? params.commands : [];
        return success(true);
      case 'setWebhook':
        return this.setWebhook(params);
      case 'deleteWebhook':
        this.state.webhook = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') this.updates.length = 0;
        return success(true);
      case 'getWebhookInfo':
        return success({ url: this.state.webhook?.url ?? '', pending_update_count: this.updates.length });
      default:
        return failure(404, 'Not Found');
    }
  }

  private sendMessage(params: Params): Answer {
    const chatRefusal = this.checkChat(params.chat_id);
    if (chatRefusal) return chatRefusal;
    const text = typeof params.text === 'string' ? params.text : '';
    const parsed = parseText(text, params.parse_mode);
    if ('error' in parsed) return failure(400, `Bad Request: ${parsed.error}`);
    if (parsed.plain.trim() === '') return failure(400, 'Bad Request: message text is empty');
    if (parsed.plain.length > MAX_TEXT) return failure(400, 'Bad Request: message is too long');
    const message = this.record({ kind: 'message', chatId: String(params.chat_id), text, plainText: parsed.plain, parseMode: stringOrUndefined(params.parse_mode) });
    return success({ message_id: message.messageId, date: nowSec(), chat: { id: Number(params.chat_id), type: 'supergroup' }, text: parsed.plain });
  }

  private sendPhoto(params: Params): Answer {
    const chatRefusal = this.checkChat(params.chat_id);
    if (chatRefusal) return chatRefusal;
    if (!(params.photo instanceof Buffer) || params.photo.length === 0) {
      return failure(400, 'Bad Request: there is no photo in the request');
    }
    const caption = typeof params.caption === 'string' ? params.caption : undefined;
    const parsed = parseText(caption ?? '', params.parse_mode);
    if ('error' in parsed) return failure(400, `Bad Request: ${parsed.error}`);
    if (parsed.plain.length > MAX_CAPTION) return failure(400, 'Bad Request: message caption is too long');
    const message = this.record({
      kind: 'photo', chatId: String(params.chat_id), text: caption, plainText: parsed.plain,
      parseMode: stringOrUndefined(params.parse_mode), photoBytes: params.photo.length,
    });
    return success({ message_id: message.messageId, date: nowSec(), chat: { id: Number(params.chat_id), type: 'supergroup' }, photo: [{ file_id: `photo-${message.messageId}`, width: 1000, height: 560 }] });
  }

  private sendDocument(params: Params): Answer {
    const chatRefusal = this.checkChat(params.chat_id);
    if (chatRefusal) return chatRefusal;
    const document = params.document as { bytes: Buffer; filename?: string } | undefined;
    if (!(document?.bytes instanceof Buffer) || document.bytes.length === 0) return failure(400, 'Bad Request: there is no document in the request');
    const caption = typeof params.caption === 'string' ? params.caption : undefined;
    const parsed = parseText(caption ?? '', params.parse_mode);
    if ('error' in parsed) return failure(400, `Bad Request: ${parsed.error}`);
    const message = this.record({
      kind: 'document', chatId: String(params.chat_id), text: caption, plainText: parsed.plain, parseMode: stringOrUndefined(params.parse_mode),
      filename: document.filename, file: document.bytes,
    });
    return success({ message_id: message.messageId, date: nowSec(), chat: { id: Number(params.chat_id), type: 'supergroup' }, document: { file_name: document.filename } });
  }

  private setWebhook(params: Params): Answer {
    const url = typeof params.url === 'string' ? params.url : '';
    if (url === '') this.state.webhook = undefined;
    else if (!/^https?:\/\//.test(url)) return failure(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    else this.state.webhook = { url, secret: stringOrUndefined(params.secret_token) };
    this.poller?.wake();
    return success(true);
  }

  private checkChat(chatId: unknown): Answer | undefined {
    const status = this.state.chats.get(String(chatId));
    if (status === undefined) return failure(400, 'Bad Request: chat not found');
    if (status === 'blocked') return failure(403, 'Forbidden: bot was blocked by the user');
    if (status === 'not_member') return failure(403, 'Forbidden: bot is not a member of the supergroup chat');
    return undefined;
  }

  private record(message: Omit<SentMessage, 'messageId'>): SentMessage {
    const stored = { messageId: this.nextMessageId++, ...message };
    this.state.messages.push(stored);
    return stored;
  }

  private takeFault(method: string): FakeTelegramFault | undefined {
    const index = this.state.faults.findIndex((fault) => !fault.method || fault.method === method);
    return index < 0 ? undefined : this.state.faults.splice(index, 1)[0];
  }

  private getUpdates(params: Params, res: ServerResponse): void {
    if (this.state.webhook) {
      return reply(res, failure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"));
    }
    if (this.poller) {
      this.state.pollConflicts++;
      return reply(res, failure(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    }
    const offset = Number(params.offset ?? 0);
    if (offset > 0) this.dropConfirmedUpdates(offset);
    const timeoutSec = Math.min(Number(params.timeout ?? 0), 50);
    this.state.polls.push({ offset, timeoutSec });
    if (this.updates.length > 0 || timeoutSec <= 0) return reply(res, success([...this.updates]));
    const timer = setTimeout(() => this.poller?.wake(), timeoutSec * 1000);
    this.poller = {
      res,
      wake: () => {
        clearTimeout(timer);
        this.poller = undefined;
        if (!res.writableEnded && !res.destroyed) reply(res, success([...this.updates]));
      },
    };
    res.on('close', () => { if (this.poller?.res === res) { clearTimeout(timer); this.poller = undefined; } });
  }

  private dropConfirmedUpdates(offset: number): void {
    while (this.updates.length > 0 && Number(this.updates[0].update_id) < offset) this.updates.shift();
  }

  private pushUpdate(update: Record<string, unknown>): number {
    const updateId = this.nextUpdateId++;
    if (this.state.webhook) {
      void this.post(this.state.webhook, { update_id: updateId, ...update });
      return updateId;
    }
    this.updates.push({ update_id: updateId, ...update });
    this.poller?.wake();
    return updateId;
  }

  /** Delivers an update as Telegram does: a JSON POST with the secret in a header. */
  private async post(webhook: FakeWebhook, update: Record<string, unknown>): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.secret) headers['x-telegram-bot-api-secret-token'] = webhook.secret;
    const status = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(update) }).then((res) => res.status, () => 'unreachable' as const);
    this.state.webhookDeliveries.push({ updateId: Number(update.update_id), status });
  }
}

function userMessage(messageId: number, chatId: string | number, text: string, chatType = 'supergroup'): Record<string, unknown> {
  const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
  return {
    message_id: messageId, date: nowSec(), text,
    chat: { id: Number(chatId), type: chatType },
    from: { id: 4242, is_bot: false, first_name: 'Ольга', username: 'olga_sales' },
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
  };
}

export type ParsedText = { plain: string } | { error: string };

/** Telegram's HTML parse mode: supported tags only, balanced, and every `<`, `>`, `&` escaped. */
export function parseTelegramHtml(html: string): ParsedText {
  const stack: string[] = [];
  let plain = '';
  let index = 0;
  while (index < html.length) {
    const char = html[index];
    const offset = Buffer.byteLength(html.slice(0, index));
    if (char === '<') {
      const tag = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>=]+))?)*)\s*>/.exec(html.slice(index));
      if (!tag) return { error: `can't parse entities: Unsupported start tag at byte offset ${offset}` };
      const [raw, closing, rawName, attributes] = tag;
      const name = rawName.toLowerCase();
      if (!TAGS.has(name)) return { error: `can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}` };
      if (closing) {
        if (stack.pop() !== name) return { error: `can't parse entities: Unexpected end tag at byte offset ${offset}` };
      } else {
        if (name === 'a' && !/\bhref\s*=/.test(attributes)) return { error: `can't parse entities: Can't find href attribute of tag "a" at byte offset ${offset}` };
        stack.push(name);
      }
      index += raw.length;
    } else if (char === '&') {
      const entity = /^&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/.exec(html.slice(index));
      const decoded = entity && decodeEntity(entity[1]);
      if (!entity || decoded === undefined) return { error: `can't parse entities: Character '&' is reserved and must be escaped at byte offset ${offset}` };
      plain += decoded;
      index += entity[0].length;
    } else if (char === '>') {
      return { error: `can't parse entities: Character '>' is reserved and must be escaped at byte offset ${offset}` };
    } else {
      plain += char;
      index += 1;
    }
  }
  if (stack.length > 0) return { error: `can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  return { plain };
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
  return NAMED_ENTITIES[name.toLowerCase()];
}

function parseText(text: string, parseMode: unknown): ParsedText {
  if (parseMode === undefined) return { plain: text };
  if (parseMode !== 'HTML') return { error: `unsupported parse_mode ${String(parseMode)} in this fake` };
  return parseTelegramHtml(text);
}

function parseParams(contentType: string, body: Buffer, url: string): Params {
  const query = Object.fromEntries(new URL(url, 'http://fake').searchParams);
  if (body.length === 0) return query;
  if (contentType.startsWith('application/json')) return { ...query, ...(JSON.parse(body.toString('utf8')) as Params) };
  if (contentType.startsWith('application/x-www-form-urlencoded')) return { ...query, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  if (contentType.startsWith('multipart/form-data')) return { ...query, ...parseMultipart(contentType, body) };
  throw new Error(`unsupported content type ${contentType}`);
}

/** Text fields become strings (JSON-decoded where Telegram expects JSON), file fields stay bytes. */
function parseMultipart(contentType: string, body: Buffer): Params {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) throw new Error('multipart without boundary');
  const params: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (name) params[name] = filename === undefined ? jsonFieldOrText(name, content.toString('utf8')) : fileField(name, filename, Buffer.from(content));
    start = next;
  }
  return params;
}

/** A photo stays bare bytes (what tests of it read); a document keeps its file name. */
function fileField(name: string, filename: string, bytes: Buffer): unknown {
  return name === 'document' ? { bytes, filename } : bytes;
}

function jsonFieldOrText(name: string, value: string): unknown {
  return ['commands', 'reply_markup', 'entities', 'caption_entities'].includes(name) ? JSON.parse(value) : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function faultAnswer(fault: FakeTelegramFault): Answer {
  if (fault.kind === 'server_error') return { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } };
  const retryAfter = fault.retryAfterSec ?? 1;
  return { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } };
}

function success(result: unknown): Answer {
  return { status: 200, body: { ok: true, result } };
}

function failure(status: number, description: string): Answer {
  return { status, body: { ok: false, error_code: status, description } };
}

function reply(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer.body));
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
