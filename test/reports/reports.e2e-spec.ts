import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import request from 'supertest';
import { Report } from '../../src/reports/report.entity';
import { SettingsService } from '../../src/settings/settings.service';
import { FakeTelegram, startFakeTelegram } from '../fakes/telegram';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysis, addCall, addDepartment, addEmployee } from '../support/fixtures';

const PERIOD = { from: '2026-03-02', to: '2026-03-08' };

function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('reports', () => {
  let telegram: FakeTelegram;
  let t: TestApp;
  let riskyCallId: number;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    t = await startTestApp({
      TIME_ZONE: 'Europe/Moscow', TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_CHAT_ID: telegram.chatId, TELEGRAM_API_ROOT: telegram.apiRoot,
      FRONTEND_URL: 'https://crm.example',
    });
    const sales = await addDepartment(t.dataSource, 'Отдел продаж');
    const anna = await addEmployee(t.dataSource, 'Анна Смирнова', [sales]);
    const boris = await addEmployee(t.dataSource, 'Борис <Кузнецов>', [sales]);
    const good = await addCall(t.dataSource, { employeeId: anna.id, startedAt: new Date('2026-03-03T09:00:00Z'), scoreOverall: 85, riskLevel: 'low', refusalReasons: ['дорого'] });
    await addAnalysis(t.dataSource, good, { scores: { greeting: 5, needs: 4, presentation: 4, objections: 4, closing: 4, tone: 5 } });
    const risky = await addCall(t.dataSource, { employeeId: boris.id, startedAt: new Date('2026-03-04T09:00:00Z'), scoreOverall: 25, riskLevel: 'high', clientPhone: '+79991234567' });
    await addAnalysis(t.dataSource, risky, {
      scores: { greeting: 1, needs: 1, presentation: 2, objections: 1, closing: 1, tone: 2 },
      conflict: { level: 'high', detected: true, reasons: ['Клиент повысил голос & угрожал уйти'] },
      checklist: [{ id: 'closing', title: 'Следующий шаг', passed: false }],
      summary: 'Клиент недоволен сроками',
    });
    riskyCallId = risky.id;
  });

  afterAll(async () => {
    await t.close();
    await telegram.close();
  });

  beforeEach(() => {
    telegram.state.messages.length = 0;
    telegram.state.faults.length = 0;
    telegram.state.chats.set(telegram.chatId, 'ok');
  });

  const generate = (type: string, body: Record<string, unknown> = {}) => request(t.server).post(`/api/reports/generate/${type}`).send({ ...PERIOD, ...body });

  it('generates the leaderboard in Russian, stores it with its data and sends the chart and the HTML text', async () => {
    const { status, body } = await generate('employees');

    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'employees', title: 'Рейтинг менеджеров', from: '2026-03-02', to: '2026-03-08', deliveryStatus: 'sent', deliveryError: null });
    expect(body.delivery).toEqual({ status: 'sent', error: null, messageIds: [1, 2] });
    expect(telegram.state.messages.map((message) => message.kind)).toEqual(['photo', 'message']);
    expect(telegram.state.messages[0].photoBytes).toBeGreaterThan(1000);
    expect(telegram.state.messages[0].plainText).toBe('Средний балл по менеджерам · Рейтинг менеджеров');
    const text = telegram.state.messages[1].plainText!;
    expect(text).toContain('Рейтинг менеджеров\n02.03.2026 – 08.03.2026\nСформирован');
    expect(text).toContain('Менеджеров: 2, с оценёнными звонками: 2');
    expect(text).toMatch(/Менеджер\s+Отдел\s+Звонки/);
    expect(text).toContain('Анна Смирнова');
    expect(text).toContain('Борис <Кузнецов>');
    const stored = await t.dataSource.getRepository(Report).findOneByOrFail({ id: body.id });
    expect(stored.deliveryStatus).toBe('sent');
    expect(JSON.stringify(stored.data)).toContain('Анна Смирнова');
  });

  it('lists problematic calls with their reasons, a masked phone and a link to the call', async () => {
    const { body } = await generate('problematic-calls');

    const rows = body.data.report.tables[0].rows;
    expect(rows).toEqual([expect.objectContaining({
      callId: riskyCallId, score: 25, riskLevel: 'высокий', client: '+7 999 ***-**-67',
      reasons: 'Клиент повысил голос & угрожал уйти; Не выполнено: Следующий шаг', url: `https://crm.example/calls/${riskyCallId}`,
    })]);
    const message = telegram.state.messages.find((sent) => sent.kind === 'message')!;
    expect(message.text).toContain(`<a href="https://crm.example/calls/${riskyCallId}">#${riskyCallId}</a>`);
    expect(message.plainText).toContain('Клиент повысил голос & угрожал уйти');
    expect(message.plainText).not.toContain('1234567');
  });

  it('keeps the report and says so when Telegram refuses: bot blocked (403) or chat not found (400)', async () => {
    telegram.state.chats.set(telegram.chatId, 'blocked');
    const blocked = await generate('trends');
    telegram.state.chats.delete(telegram.chatId);
    const missing = await generate('digest');

    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ deliveryStatus: 'failed', delivery: { status: 'failed' } });
    expect(blocked.body.deliveryError).toMatch(/blocked by the user/);
    expect(missing.body.deliveryError).toMatch(/chat -1001234567890 not found: check TELEGRAM_CHAT_ID/);
    expect(await t.dataSource.getRepository(Report).countBy({ deliveryStatus: 'failed' })).toBeGreaterThanOrEqual(2);
  });

  it('waits out a 429 with retry_after and then delivers', async () => {
    telegram.state.faults.push({ method: 'sendPhoto', kind: 'rate_limited', retryAfterSec: 1 });

    const { body } = await generate('employees');

    expect(body.delivery.status).toBe('sent');
    expect(telegram.state.messages.map((message) => message.kind)).toEqual(['photo', 'message']);
  });

  it('does not send with send:false, and rejects an unknown type or parameter', async () => {
    const quiet = await generate('trends', { send: false, granularity: 'week' });
    expect(quiet.body).toMatchObject({ deliveryStatus: 'not_sent', delivery: { status: 'not_sent' } });
    expect(quiet.body.data.report.tables[0].rows).toEqual([expect.objectContaining({ date: '2026-03-02', calls: 2 })]);
    expect(telegram.state.messages).toHaveLength(0);

    expect((await generate('weather', { send: false })).body.message).toMatch(/^type: must be one of employees/);
    expect((await generate('employees', { send: 'yes' })).body.message).toMatch(/^send\b/);
    expect((await generate('employees', { period: 'decade' })).status).toBe(400);
  });

  it('writes every word, number and date in English when the settings say so', async () => {
    await t.app.get(SettingsService).update({ analysis: { language: 'en' } }, 'test');
    try {
      const leaderboard = await generate('employees');
      const problems = await generate('problematic-calls', { send: false });

      expect(leaderboard.body.title).toBe('Leaderboard of managers');
      const text = telegram.state.messages.find((sent) => sent.kind === 'message')!.plainText!;
      expect(text).toContain('Leaderboard of managers\n2 Mar 2026 – 8 Mar 2026\nGenerated');
      expect(text).toContain('Managers: 2, with scored calls: 2');
      expect(text).toMatch(/Manager\s+Department\s+Calls/);
      expect(problems.body.data.report.tables[0].rows[0]).toMatchObject({ riskLevel: 'high', reasons: 'Клиент повысил голос & угрожал уйти; Not done: Следующий шаг' });
    } finally {
      await t.app.get(SettingsService).update({ analysis: { language: 'ru' } }, 'test');
    }
  });

  it('sizes the trends buckets by the period: days for a month, weeks for a quarter, months for a year', async () => {
    const days = await generate('trends', { send: false, from: '2026-03-01', to: '2026-03-31' });
    const weeks = await generate('trends', { send: false, from: '2026-01-01', to: '2026-03-31' });
    const months = await generate('trends', { send: false, from: '2025-04-01', to: '2026-03-31' });

    const series = (body: { data: { report: { tables: { name: string; rows: unknown[] }[]; charts: { labels: string[] }[] } } }) =>
      ({ name: body.data.report.tables[0].name, rows: body.data.report.tables[0].rows.length, labels: body.data.report.charts[0].labels });
    expect(series(days.body)).toMatchObject({ name: 'По дням', rows: 31 });
    expect(series(days.body).labels.slice(0, 2)).toEqual(['01.03', '02.03']);
    expect(series(weeks.body)).toMatchObject({ name: 'По неделям', rows: 14 });
    expect(series(weeks.body).labels[0]).toBe('29.12');
    expect(series(months.body)).toMatchObject({ name: 'По месяцам', rows: 12 });
    expect(series(months.body).labels[0]).toBe('апр 2025');
  });

  it('lists stored reports newest first, paginated and filtered by type, and shows one', async () => {
    await generate('digest', { send: false });

    const page = await request(t.server).get('/api/reports?pageSize=2');
    const digests = await request(t.server).get('/api/reports?type=digest');

    expect(page.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(3);
    expect(page.body.items[0].id).toBeGreaterThan(page.body.items[1].id);
    expect(page.body.items[0].data).toBeUndefined();
    expect(digests.body.items.every((item: { type: string }) => item.type === 'digest')).toBe(true);
    const one = await request(t.server).get(`/api/reports/${page.body.items[0].id}`);
    expect(one.body.data.report.title).toBe('Дайджест');
    expect((await request(t.server).get('/api/reports/999999')).status).toBe(404);
    expect((await request(t.server).get('/api/reports?type=weekly')).status).toBe(400);
  });

  it('downloads a PDF with Cyrillic tables and a chart image', async () => {
    const { body: report } = await generate('employees', { send: false });

    const response = await request(t.server).get(`/api/reports/${report.id}/download?format=pdf`).buffer(true).parse(binary);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="report-${report.id}-employees-2026-03-02_2026-03-08.pdf"`);
    const parser = new PDFParse({ data: new Uint8Array(response.body) });
    try {
      const text = (await parser.getText()).text;
      expect(text).toContain('Рейтинг менеджеров');
      expect(text).toContain('Сформирован');
      expect(text).toContain('Анна Смирнова');
      expect(text).toContain('Отдел продаж');
      const images = await parser.getImage({ imageThreshold: 0, imageDataUrl: false });
      expect(images.pages.flatMap((page) => page.images).length).toBeGreaterThanOrEqual(1);
    } finally {
      await parser.destroy();
    }
  });

  it('downloads an Excel workbook with one sheet per table and typed cells', async () => {
    const { body: report } = await generate('employees', { send: false });

    const response = await request(t.server).get(`/api/reports/${report.id}/download?format=xlsx`).buffer(true).parse(binary);

    expect(response.headers['content-disposition']).toMatch(/filename="report-\d+-employees-2026-03-02_2026-03-08\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.body as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Сводка', 'Менеджеры', 'Графики']);
    const sheet = workbook.getWorksheet('Менеджеры')!;
    expect(sheet.getRow(1).getCell(2).value).toBe('Менеджер');
    expect(sheet.getRow(2).getCell(2).value).toBe('Анна Смирнова');
    expect(sheet.getRow(2).getCell(4).value).toBe(1);
    expect(sheet.getRow(2).getCell(7).value).toBe(85);
    expect((await request(t.server).get(`/api/reports/${report.id}/download?format=doc`)).body.message).toMatch(/^format\b/);
  });

  describe('POST /api/reports/test-telegram', () => {
    it('answers ok with the message id', async () => {
      const { status, body } = await request(t.server).post('/api/reports/test-telegram');

      expect(status).toBe(200);
      expect(body).toEqual({ ok: true, messageId: expect.any(Number) });
      expect(telegram.state.messages.at(-1)?.plainText).toContain('Тестовое сообщение');
    });

    it('is a 502 naming the chat when Telegram does not know it', async () => {
      telegram.state.chats.delete(telegram.chatId);

      const { status, body } = await request(t.server).post('/api/reports/test-telegram');

      expect(status).toBe(502);
      expect(body.message).toMatch(/chat -1001234567890 not found/);
    });
  });
});

describe('test-telegram without or with a wrong configuration', () => {
  it('is a 503 naming the variables when Telegram is not configured', async () => {
    const t = await startTestApp();
    try {
      const { status, body } = await request(t.server).post('/api/reports/test-telegram');

      expect(status).toBe(503);
      expect(body.message).toBe('Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID');
    } finally {
      await t.close();
    }
  });

  it('is a 502 about the token when Telegram rejects it, without the token in the answer', async () => {
    const telegram = await startFakeTelegram();
    const wrongToken = '700001:AAWrongTokenWrongTokenWrongToken123';
    const t = await startTestApp({ TELEGRAM_BOT_TOKEN: wrongToken, TELEGRAM_CHAT_ID: telegram.chatId, TELEGRAM_API_ROOT: telegram.apiRoot });
    try {
      const { status, body, text } = await request(t.server).post('/api/reports/test-telegram');

      expect(status).toBe(502);
      expect(body.message).toMatch(/rejected the bot token.*TELEGRAM_BOT_TOKEN/);
      expect(text).not.toContain('AAWrongToken');
    } finally {
      await t.close();
      await telegram.close();
    }
  });
});

describe('problematic calls: one definition for the report, its chart and the digest', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TIME_ZONE: 'Europe/Moscow' });
    const managers = await Promise.all(['Анна', 'Борис', 'Вера', 'Глеб', 'Дина', 'Егор'].map((name) => addEmployee(t.dataSource, name)));
    const calls: [number, number | null, 'low' | 'medium' | 'high' | null][] = [];
    // Scores under the high-risk threshold, between it and the medium one, high risk with a fair score, and good calls.
    managers.forEach((_, index) => {
      calls.push([index, 20 + index, 'high'], [index, 50, 'medium'], [index, 75, 'low'], [index, 90, 'low']);
      if (index % 2 === 0) calls.push([index, 65, 'high'], [index, 55, 'medium']);
    });
    calls.push([0, null, null]);
    for (const [index, [manager, score, risk]] of calls.entries()) {
      await addCall(t.dataSource, { employeeId: managers[manager].id, startedAt: new Date(Date.UTC(2026, 3, 1 + (index % 28), 9)), scoreOverall: score, riskLevel: risk });
    }
  });
  afterAll(() => t.close());

  it('counts the same calls per manager in the digest chart as the problematic-calls report lists', async () => {
    const period = { from: '2026-04-01', to: '2026-04-30', send: false };
    const report = (await request(t.server).post('/api/reports/generate/problematic-calls').send(period)).body.data.report;
    const digest = (await request(t.server).post('/api/reports/generate/digest').send(period)).body.data.report;

    const listed = new Map<string, number>();
    for (const row of report.tables[0].rows as { managerName: string }[]) listed.set(row.managerName, (listed.get(row.managerName) ?? 0) + 1);
    const chartCounts = (chart: { labels: string[]; series: { values: number[] }[] }) => Object.fromEntries(chart.labels.map((label, index) => [label, chart.series[0].values[index]]));
    expect(report.tables[0].rows).toHaveLength(6 * 2 + 3 * 2);
    expect(chartCounts(report.charts[0])).toEqual(Object.fromEntries(listed));
    expect(chartCounts(digest.charts[0])).toEqual(chartCounts(report.charts[0]));
    expect(report.summary[0]).toBe('Звонков с высоким риском или баллом ниже 60: 18');
  });
});
