import { IntegrationError } from '../../src/common/errors';
import { localeOf } from '../../src/i18n/locale';
import { formatCallAlert, formatReportMessage } from '../../src/integrations/telegram/messages';
import { TelegrafNotifier, TelegrafNotifierOptions } from '../../src/integrations/telegram/telegraf-notifier';
import { RenderableReport } from '../../src/reports/render/report.types';
import { FakeTelegram, startFakeTelegram } from '../fakes/telegram';

describe('TelegrafNotifier against the fake Bot API', () => {
  let telegram: FakeTelegram;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
  });

  afterEach(async () => {
    await telegram.close();
  });

  function notifier(overrides: Partial<TelegrafNotifierOptions> = {}): TelegrafNotifier {
    return new TelegrafNotifier({
      botToken: telegram.token, chatId: telegram.chatId, apiRoot: telegram.apiRoot, maxRetries: 2, retryBaseMs: 10, ...overrides,
    });
  }

  async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }

  it('sends an HTML message to the configured chat and returns its id', async () => {
    const ids = await notifier().sendHtml('<b>Daily digest</b>\n12 calls');

    expect(ids).toEqual([1]);
    expect(telegram.state.messages).toEqual([
      expect.objectContaining({ kind: 'message', chatId: telegram.chatId, parseMode: 'HTML', plainText: 'Daily digest\n12 calls' }),
    ]);
  });

  it('uploads a photo as multipart with its bytes and an HTML caption', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(5000, 7)]);

    const id = await notifier().sendPhoto(png, '<b>Scores</b> by day');

    expect(id).toBe(1);
    expect(telegram.state.requests.at(-1)?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(telegram.state.messages).toEqual([
      expect.objectContaining({ kind: 'photo', photoBytes: png.length, plainText: 'Scores by day', parseMode: 'HTML', chatId: telegram.chatId }),
    ]);
  });

  it('sends a caption longer than Telegram allows as a message after the photo', async () => {
    const caption = `<b>Chart</b>\n${'long explanation '.repeat(100)}`;

    await notifier().sendPhoto(Buffer.alloc(100, 1), caption);

    expect(telegram.state.messages.map((message) => message.kind)).toEqual(['photo', 'message']);
    expect(telegram.state.messages[1].plainText).toContain('long explanation');
  });

  it('waits for retry_after when Telegram answers 429, then succeeds', async () => {
    telegram.state.faults.push({ method: 'sendMessage', kind: 'rate_limited', retryAfterSec: 1 });
    const started = Date.now();

    const ids = await notifier().sendHtml('after the limit');

    const attempts = telegram.state.requests.filter((request) => request.method === 'sendMessage');
    expect(ids).toHaveLength(1);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails as rate_limited without waiting when retry_after is longer than it may wait', async () => {
    telegram.state.faults.push({ kind: 'rate_limited', retryAfterSec: 120 });

    const error = await failureOf(notifier({ maxRetryAfterMs: 5000 }).sendHtml('x'));

    expect(error.failure).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(120_000);
    expect(telegram.state.requests).toHaveLength(1);
  });

  it('retries a 500 and a dropped connection with back-off', async () => {
    telegram.state.faults.push({ kind: 'server_error' }, { kind: 'disconnect' });

    await notifier().sendHtml('eventually delivered');

    expect(telegram.state.requests).toHaveLength(3);
    expect(telegram.state.messages).toHaveLength(1);
  });

  it('gives up as unavailable after the configured retries', async () => {
    telegram.state.faults.push({ kind: 'server_error' }, { kind: 'server_error' }, { kind: 'server_error' }, { kind: 'server_error' });

    const error = await failureOf(notifier({ maxRetries: 2 }).sendHtml('never delivered'));

    expect(error).toMatchObject({ integration: 'telegram', failure: 'unavailable' });
    expect(telegram.state.requests).toHaveLength(3);
    expect(telegram.state.messages).toHaveLength(0);
  });

  it('reports a bad token as auth, without the token in the error', async () => {
    const badToken = '700001:AAWrongTokenWrongTokenWrongToken_xyz';

    const error = await failureOf(notifier({ botToken: badToken }).sendHtml('test'));

    expect(error.failure).toBe('auth');
    expect(error.message).toMatch(/401 Unauthorized.*TELEGRAM_BOT_TOKEN/);
    expect(`${error.message} ${error.stack}`).not.toContain(badToken);
    expect(`${error.message} ${error.stack}`).not.toContain('AAWrongToken');
  });

  it('reports an unknown chat as not_found and names the chat', async () => {
    const error = await failureOf(notifier({ chatId: '-100999' }).sendHtml('test'));

    expect(error.failure).toBe('not_found');
    expect(error.message).toContain('chat -100999 not found');
    expect(error.retryable).toBe(false);
  });

  it('reports a bot blocked by the user as auth', async () => {
    telegram.state.chats.set('555', 'blocked');

    const error = await failureOf(notifier({ chatId: '555' }).sendHtml('test'));

    expect(error.failure).toBe('auth');
    expect(error.message).toContain('blocked by the user');
  });

  it('reports a bot that is not a member of the chat as scope', async () => {
    telegram.state.chats.set('-100777', 'not_member');

    const error = await failureOf(notifier({ chatId: '-100777' }).sendHtml('test'));

    expect(error.failure).toBe('scope');
    expect(error.message).toContain('add the bot to the chat');
  });

  it('refuses to send when not configured, without touching the network', async () => {
    const unconfigured = notifier({ botToken: '', chatId: undefined });

    expect(unconfigured.isConfigured()).toBe(false);
    expect((await failureOf(unconfigured.sendHtml('hi'))).failure).toBe('not_configured');
    expect(telegram.state.requests).toHaveLength(0);
  });

  it('reports an unreachable server as unavailable', async () => {
    const apiRoot = telegram.apiRoot;
    await telegram.close();

    const error = await failureOf(notifier({ apiRoot, maxRetries: 1 }).sendHtml('test'));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain('ECONNREFUSED');
    telegram = await startFakeTelegram();
  });

  it('reads the bot username to check the token', async () => {
    await expect(notifier().getBotUsername()).resolves.toBe('crm_analytics_test_bot');
  });

  it('splits a 10,000-character report into several valid messages of at most 4096 characters', async () => {
    const report = longReport();
    const html = formatReportMessage(report, { maxRowsPerTable: 1000 });
    expect(html.length).toBeGreaterThan(10_000);

    const ids = await notifier().sendHtml(html);

    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const message of telegram.state.messages) expect(message.text!.length).toBeLessThanOrEqual(4096);
    const delivered = telegram.state.messages.map((message) => message.plainText).join('\n');
    for (const row of report.tables[0].rows) expect(delivered).toContain(String(row.name));
  });

  it('delivers names with <, & and quotes exactly as written', async () => {
    const html = formatCallAlert({
      callId: 7, callUrl: 'https://crm.example/calls/7?tab=analysis&x="1"', score: 31, riskLevel: 'high',
      managerName: 'Ann <Sales> & "Partners"', clientPhone: '+7 (999) 123-45-67', reasons: ['Price < budget & no "next step"'],
      summary: 'Client said: <later>', startedAt: new Date('2026-03-10T09:30:00Z'), timeZone: 'Europe/Moscow',
    }, localeOf('en'));

    await notifier().sendHtml(html);

    const [message] = telegram.state.messages;
    expect(message.plainText).toContain('Manager: Ann <Sales> & "Partners"');
    expect(message.plainText).toContain('• Price < budget & no "next step"');
    expect(message.plainText).toContain('Client said: <later>');
    expect(message.text).toContain('href="https://crm.example/calls/7?tab=analysis&amp;x=&quot;1&quot;"');
  });
});

function longReport(): RenderableReport {
  return {
    title: 'Менеджеры за март',
    language: 'ru',
    generatedAt: new Date('2026-04-01T06:00:00Z'),
    timeZone: 'Europe/Moscow',
    summary: ['240 calls, 12 with high risk', 'Average score 71 & rising'],
    tables: [{
      name: 'Leaderboard',
      columns: [
        { key: 'name', title: 'Менеджер', type: 'string' },
        { key: 'calls', title: 'Calls', type: 'integer' },
        { key: 'score', title: 'Score', type: 'number' },
        { key: 'share', title: 'Talk', type: 'percent' },
      ],
      rows: Array.from({ length: 260 }, (_, index) => ({
        name: `Менеджер <${index}> & Co`, calls: 10 + index, score: 50 + (index % 50) / 3, share: (index % 10) / 10,
      })),
    }],
    charts: [],
  };
}
