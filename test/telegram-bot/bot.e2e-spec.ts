import { Logger } from '@nestjs/common';
import request from 'supertest';
import { freePort } from '../../src/database/embedded-database';
import { seedDemo } from '../../src/seed/seed-demo';
import { SettingsService } from '../../src/settings/settings.service';
import { BOT_POLLING_TIMES } from '../../src/telegram-bot/bot-polling';
import { FakeTelegram, SentMessage, startFakeTelegram } from '../fakes/telegram';
import { ProviderOverride, startTestApp, TestApp } from '../support/app';
import { createTestDatabase } from '../support/database';

const NOW = new Date('2026-03-31T15:00:00Z');
const QUARTER = '2026-01-01 2026-03-31';
const PRIVATE_CHAT = '555001';
const FAST_POLLING: ProviderOverride = { provide: BOT_POLLING_TIMES, useValue: { pollSec: 1, standbyMs: 200, retryMs: 100 } };

function telegramEnv(telegram: FakeTelegram, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_CHAT_ID: telegram.chatId, TELEGRAM_API_ROOT: telegram.apiRoot,
    FRONTEND_URL: 'https://crm.example', TIME_ZONE: 'Europe/Moscow', ...extra,
  };
}

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends a message as a user and waits for the bot to have answered it with `count` messages. */
async function ask(telegram: FakeTelegram, text: string, count = 1, chatId = telegram.chatId, chatType?: 'private' | 'supergroup'): Promise<SentMessage[]> {
  const before = telegram.state.messages.length;
  telegram.state.pushMessage(chatId, text, chatType);
  return until(() => {
    const answers = telegram.state.messages.slice(before).filter((message) => message.chatId === chatId);
    return answers.length >= count ? answers : undefined;
  }, `an answer to ${text}`);
}

describe('Telegram bot, long polling', () => {
  let telegram: FakeTelegram;
  let t: TestApp;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    telegram.state.chats.set(PRIVATE_CHAT, 'ok');
    t = await startTestApp(telegramEnv(telegram, { TELEGRAM_BOT_CHAT_IDS: PRIVATE_CHAT }), undefined, [FAST_POLLING]);
    await seedDemo(t.dataSource, { now: NOW });
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await telegram.close();
  });

  it('offers its commands in Telegram\'s menu and answers /help in Russian', async () => {
    await until(() => telegram.state.commands.length > 0 || undefined, 'setMyCommands');
    expect(telegram.state.commands).toEqual(expect.arrayContaining([{ command: 'top', description: 'Рейтинг менеджеров' }]));

    const [help] = await ask(telegram, '/help');

    expect(help.plainText).toContain('/top [период] — рейтинг менеджеров с графиком');
    expect(help.plainText).toContain('/call <номер>');
  });

  it('/top: the leaderboard chart, then the best managers with their scores', async () => {
    const [photo, text] = await ask(telegram, `/top ${QUARTER}`, 2);

    expect(photo).toMatchObject({ kind: 'photo', plainText: 'Средний балл по менеджерам · 01.01.2026 – 31.03.2026' });
    expect(photo.photoBytes).toBeGreaterThan(5000);
    const lines = text.plainText!.split('\n');
    expect(lines[0]).toBe('Лучшие менеджеры · 01.01.2026 – 31.03.2026');
    expect(lines[1]).toMatch(/^1\. Анна Смирнова \(демо\) — \d+,\d \(\d+ звонк(а|ов)?\)$/);
    expect(lines).toHaveLength(7);
  });

  it('/worst: the lowest averages, how many problematic calls, the criteria missed and the conflicts', async () => {
    const [answer] = await ask(telegram, `/worst ${QUARTER}`);
    const report = await request(t.server).post('/api/reports/generate/problematic-calls').send({ from: '2026-01-01', to: '2026-03-31', send: false });
    const elena = report.body.data.report.tables[0].rows.filter((row: { managerName: string }) => row.managerName === 'Елена Волкова (демо)');

    const text = answer.plainText!;
    expect(text.split('\n')[0]).toBe('Кому нужна помощь · 01.01.2026 – 31.03.2026');
    expect(text).toMatch(new RegExp(`1\\. Елена Волкова \\(демо\\) — ср\\. балл \\d+,\\d · проблемных ${elena.length} / \\d+ звонк`));
    expect(text).toMatch(/Чаще всего не выполнено: [^\n]+ \(\d+\)/);
    expect(text).toMatch(/Конфликты: [^\n]+ \(\d+\)/);
  });

  it('/report: generates and stores the report and sends the PDF, and the workbook when asked', async () => {
    const [pdf, xlsx] = await ask(telegram, `/report trends ${QUARTER} xlsx`, 2);

    expect(pdf).toMatchObject({ kind: 'document', plainText: 'Динамика · 01.01.2026 – 31.03.2026' });
    expect(pdf.filename).toMatch(/^report-\d+-trends-2026-01-01_2026-03-31\.pdf$/);
    expect(pdf.file!.subarray(0, 5).toString()).toBe('%PDF-');
    expect(xlsx.filename).toMatch(/\.xlsx$/);
    expect(xlsx.file!.subarray(0, 2).toString()).toBe('PK');
    const stored = await request(t.server).get('/api/reports').query({ type: 'trends' }).expect(200);
    expect(stored.body.items[0]).toMatchObject({ from: '2026-01-01', to: '2026-03-31', deliveryStatus: 'not_sent' });

    const [onlyPdf] = await ask(telegram, '/report проблемные неделя');
    expect(onlyPdf.filename).toMatch(/problematic-calls.*\.pdf$/);
    expect((await ask(telegram, '/report погода'))[0].plainText).toMatch(/^Укажите тип отчёта/);
  });

  it('/call: summary, score, risk, main problems and a link to the call', async () => {
    const [call] = await t.dataSource.query(
      `SELECT id, summary, score_overall AS score FROM calls WHERE risk_level = 'high' AND summary IS NOT NULL ORDER BY id LIMIT 1`,
    );

    const [answer] = await ask(telegram, `/call ${call.id}`);

    const text = answer.plainText!;
    expect(text).toContain(`📞 Звонок #${call.id} · `);
    expect(text).toContain(`Оценка: ${call.score}/100 · риск: высокий`);
    expect(text).toContain(`Резюме\n${call.summary}`);
    expect(text).toMatch(/Главные проблемы\n• /);
    expect(answer.text).toContain(`<a href="https://crm.example/calls/${call.id}">Открыть звонок</a>`);
    expect((await ask(telegram, '/call 99999999'))[0].plainText).toBe('Звонок #99999999 не найден');
    expect((await ask(telegram, '/call'))[0].plainText).toBe('Укажите номер звонка, например: /call 123');
  });

  it('answers what it does not understand shortly, and plain talk only in a private chat', async () => {
    expect((await ask(telegram, '/weather'))[0].plainText).toBe('Не понимаю. Список команд — /help');
    expect((await ask(telegram, '/top вчера'))[0].plainText).toMatch(/^Не понимаю период «вчера»/);
    expect((await ask(telegram, 'привет', 1, PRIVATE_CHAT, 'private'))[0].plainText).toBe('Не понимаю. Список команд — /help');

    const before = telegram.state.messages.length;
    telegram.state.pushMessage(telegram.chatId, 'коллеги, всем привет');
    telegram.state.pushMessage(telegram.chatId, '/help@another_bot');
    await ask(telegram, '/help@crm_analytics_test_bot');
    expect(telegram.state.messages.slice(before)).toHaveLength(1);
  });

  it('ignores commands from chats it was not configured for, and logs them', async () => {
    const stranger = '-100777000';
    telegram.state.chats.set(stranger, 'ok');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      telegram.state.pushMessage(stranger, '/top');
      await ask(telegram, '/help');

      expect(telegram.state.messages.filter((message) => message.chatId === stranger)).toEqual([]);
      expect(warn).toHaveBeenCalledWith(`Ignored a message from chat ${stranger}, which is not a configured chat`);
    } finally {
      warn.mockRestore();
    }
  });

  it('answers in English when the settings say so', async () => {
    await t.app.get(SettingsService).update({ analysis: { language: 'en' } }, 'test');
    try {
      const [photo, text] = await ask(telegram, `/top ${QUARTER}`, 2);
      expect(photo.plainText).toBe('Average score by manager · 1 Jan 2026 – 31 Mar 2026');
      expect(text.plainText!.split('\n')[1]).toMatch(/^1\. Анна Смирнова \(демо\) — \d+\.\d \(\d+ calls\)$/);
      expect((await ask(telegram, '/weather'))[0].plainText).toBe('I do not understand. The commands: /help');
    } finally {
      await t.app.get(SettingsService).update({ analysis: { language: 'ru' } }, 'test');
    }
  });

  it('confirms each update once answered, so none is answered twice', async () => {
    await ask(telegram, '/help');
    const offsets = telegram.state.polls.map((poll) => poll.offset).filter((offset) => offset > 0);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(telegram.state.pollConflicts).toBe(0);
  });
});

describe('Telegram bot, several instances', () => {
  it('polls from one instance at a time; another takes over when it stops', async () => {
    const telegram = await startFakeTelegram();
    const database = await createTestDatabase();
    const first = await startTestApp(telegramEnv(telegram), database, [FAST_POLLING]);
    const second = await startTestApp(telegramEnv(telegram), database, [FAST_POLLING]);
    try {
      await ask(telegram, '/help');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(telegram.state.pollConflicts).toBe(0);

      await first.close();
      expect((await ask(telegram, '/help'))).toHaveLength(1);
      expect(telegram.state.pollConflicts).toBe(0);
    } finally {
      await second.close();
      await database.drop();
      await telegram.close();
    }
  });
});

describe('Telegram bot, webhook mode', () => {
  const SECRET = 'webhook-secret-0123456789';
  let telegram: FakeTelegram;
  let t: TestApp;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    const port = await freePort();
    t = await startTestApp(telegramEnv(telegram, { TELEGRAM_BOT_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }), undefined, [FAST_POLLING]);
    await t.app.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await telegram.close();
  });

  it('sets its webhook with the secret at start and does not poll', async () => {
    expect(telegram.state.webhook).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/telegram\/webhook$/), secret: SECRET });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(telegram.state.polls).toEqual([]);
  });

  it('answers commands Telegram posts to the webhook', async () => {
    const [help] = await ask(telegram, '/help');

    expect(help.plainText).toContain('/top [период]');
    expect(telegram.state.webhookDeliveries.at(-1)).toMatchObject({ status: 200 });
  });

  it('refuses an update without the right secret, with no detail', async () => {
    const update = { update_id: 1, message: { message_id: 1, chat: { id: Number(telegram.chatId), type: 'group' }, text: '/help' } };
    const before = telegram.state.messages.length;

    await request(t.server).post('/api/telegram/webhook').send(update).expect(404);
    const wrong = await request(t.server).post('/api/telegram/webhook').set('X-Telegram-Bot-Api-Secret-Token', 'not-the-secret-at-all').send(update).expect(404);

    expect(JSON.stringify(wrong.body)).not.toContain(SECRET);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(telegram.state.messages.length).toBe(before);
  });
});
