import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeTelegram, startFakeTelegram } from '../fakes/telegram';

/** The fake must refuse what the real Bot API refuses, or the adapter's tests prove nothing. */
describe('fake Telegram Bot API', () => {
  let telegram: FakeTelegram;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
  });

  afterEach(async () => {
    await telegram.close();
  });

  async function call(method: string, body: Record<string, unknown> = {}, token = telegram.token) {
    const response = await fetch(`${telegram.apiRoot}/bot${token}/${method}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function sendHtml(text: string) {
    return call('sendMessage', { chat_id: telegram.chatId, text, parse_mode: 'HTML' });
  }

  it('answers 401 Unauthorized to a wrong token', async () => {
    expect(await call('getMe', {}, '1:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it.each([
    ['<b>unclosed', /Can't find end tag corresponding to start tag "b"/],
    ['<b><i>crossed</b></i>', /Unexpected end tag/],
    ['<div>block</div>', /Unsupported start tag "div"/],
    ['a < b', /Unsupported start tag/],
    ['fish & chips', /Character '&' is reserved/],
    ['<a>no href</a>', /href/],
    ['<a href="x"y">bad quote</a>', /Unsupported start tag/],
  ])('rejects the invalid HTML %s', async (text, description) => {
    const { status, body } = await sendHtml(text);

    expect(status).toBe(400);
    expect(body.description).toMatch(/^Bad Request: can't parse entities: /);
    expect(body.description).toMatch(description);
    expect(telegram.state.messages).toHaveLength(0);
  });

  it('counts the length after parsing and refuses more than 4096 characters', async () => {
    expect((await sendHtml(`<b>${'&amp;'.repeat(4096)}</b>`)).status).toBe(200);

    const { status, body } = await sendHtml('x'.repeat(4097));

    expect(status).toBe(400);
    expect(body.description).toBe('Bad Request: message is too long');
  });

  it('accepts form-encoded bodies like the real API', async () => {
    const response = await fetch(`${telegram.apiRoot}/bot${telegram.token}/sendMessage`, {
      method: 'POST', body: new URLSearchParams({ chat_id: telegram.chatId, text: 'from a form' }),
    });

    expect(response.status).toBe(200);
    expect(telegram.state.messages[0]).toMatchObject({ text: 'from a form', chatId: telegram.chatId });
  });

  it('records commands set with setMyCommands', async () => {
    await call('setMyCommands', { commands: [{ command: 'report', description: 'Send a report' }] });

    expect(telegram.state.commands).toEqual([{ command: 'report', description: 'Send a report' }]);
  });

  it('serves queued updates, forgets confirmed ones and refuses a second poller with 409', async () => {
    const firstPoll = call('getUpdates', { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const secondPoll = await call('getUpdates', { timeout: 5 });
    telegram.state.pushUpdate({ message: { message_id: 1, text: '/start', chat: { id: 1, type: 'private' } } });

    expect(secondPoll.status).toBe(409);
    expect(secondPoll.body.description).toMatch(/^Conflict: terminated by other getUpdates request/);
    const first = await firstPoll;
    expect(first.body.result).toEqual([expect.objectContaining({ update_id: 1 })]);
    expect((await call('getUpdates', { offset: 2 })).body.result).toEqual([]);
  });

  it('posts updates to a webhook with its secret, and refuses getUpdates until the webhook is deleted', async () => {
    const received: { secret: unknown; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'], body });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      expect((await call('setWebhook', { url, secret_token: 'secret-123' })).body.result).toBe(true);

      telegram.state.pushMessage(telegram.chatId, '/top week');
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(received).toHaveLength(1);
      expect(received[0].secret).toBe('secret-123');
      expect(JSON.parse(received[0].body)).toMatchObject({
        message: { text: '/top week', chat: { id: Number(telegram.chatId) }, entities: [{ type: 'bot_command', offset: 0, length: 4 }] },
      });
      expect((await call('getUpdates')).status).toBe(409);
      await call('deleteWebhook');
      expect((await call('getUpdates')).body.result).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('takes a document as multipart with its file name and caption', async () => {
    const form = new FormData();
    form.append('chat_id', telegram.chatId);
    form.append('caption', '<b>Отчёт</b>');
    form.append('parse_mode', 'HTML');
    form.append('document', new Blob([Buffer.from('%PDF-1.7')]), 'report-1.pdf');

    const response = await fetch(`${telegram.apiRoot}/bot${telegram.token}/sendDocument`, { method: 'POST', body: form });

    expect(response.status).toBe(200);
    expect(telegram.state.messages).toEqual([expect.objectContaining({ kind: 'document', filename: 'report-1.pdf', plainText: 'Отчёт', file: Buffer.from('%PDF-1.7') })]);
  });

  it('fails scripted requests with 429 and retry_after, then answers normally', async () => {
    telegram.state.faults.push({ kind: 'rate_limited', retryAfterSec: 3 });

    expect(await call('getMe')).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } },
    });
    expect((await call('getMe')).status).toBe(200);
  });
});
