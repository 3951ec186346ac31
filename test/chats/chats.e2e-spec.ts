import request from 'supertest';
import { ChatAnalysisService } from '../../src/chats/chat-analysis.service';
import { AnalysedEvent, AnalysisEvents } from '../../src/pipeline/analysis-events';
import { SettingsService } from '../../src/settings/settings.service';
import { addOpenLinesSession, closeOpenLinesSession, FakeBitrix24, OpenLinesSessionSpec, startFakeBitrix24 } from '../fakes/bitrix24';
import { createFakeChat, FakeChat } from '../fakes/openai-chat';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../webhooks/webhook-support';

const START = new Date('2026-11-20T09:00:00Z');

function session(activityId: number, fields: Partial<OpenLinesSessionSpec> = {}): OpenLinesSessionSpec {
  return {
    activityId, sessionId: activityId - 1000, chatId: activityId + 500, operatorId: 15, start: START, connector: 'telegrambot',
    messages: [
      { fromClient: true, text: 'Здравствуйте! Когда будет доставка заказа?', atSec: 0 },
      { fromClient: false, text: 'Добрый день! Доставим завтра до 18:00.', atSec: 90 },
      { fromClient: true, text: 'Спасибо', atSec: 120 },
    ],
    ...fields,
  };
}

describe('chats from Bitrix24 Open Lines', () => {
  let bitrix: FakeBitrix24;
  let openai: FakeOpenAI;
  let llm: FakeChat;
  let t: TestApp;
  const published: AnalysedEvent[] = [];

  const chats = (): Promise<Record<string, any>[]> => t.dataSource.query('SELECT * FROM chats ORDER BY bitrix_activity_id');
  const sync = () => request(t.server).post('/api/chats/sync').expect(200);
  const analysis = () => t.app.get(ChatAnalysisService);

  beforeAll(async () => {
    bitrix = await startFakeBitrix24({ rateLimit: false });
    llm = createFakeChat();
    openai = await startFakeOpenAI({ 'POST /v1/chat/completions': llm.handler });
    t = await startTestApp({ BITRIX_WEBHOOK_URL: bitrix.webhookUrl, OPENAI_API_KEY: 'sk-chat-test', OPENAI_BASE_URL: openai.baseURL });
    t.app.get(AnalysisEvents).onAnalysed('test-recorder', async (event) => { published.push(event); });
    await t.dataSource.query(`INSERT INTO employees (name, bitrix_user_id) VALUES ('Анна Смирнова', 15), ('Пётр Волков', 16)`);
  });

  afterAll(async () => {
    await t.close();
    await openai.close();
    await bitrix.close();
  });

  it('sync sessions incrementally with channel, employee, Russian messages and metrics; open ones are read again until they close', async () => {
    addOpenLinesSession(bitrix.state, session(5001));
    addOpenLinesSession(bitrix.state, session(5002, { connector: 'whatsappbyedna', operatorId: 16, open: true, messages: [{ fromClient: true, text: 'Есть ли скидка на диван?' }] }));
    addOpenLinesSession(bitrix.state, session(5004, { connector: 'fbinstagramdirect' }));
    bitrix.state.activities.push({ ID: '5003', TYPE_ID: '2', PROVIDER_ID: 'VOXIMPLANT_CALL', ORIGIN_ID: 'VI_x.1', OWNER_ID: '5', OWNER_TYPE_ID: '3' });

    const first = await sync();
    expect(first.body).toMatchObject({ ok: true, finished: true, synced: 3, created: 3 });
    const stored = await chats();
    expect(stored.map((chat) => [chat.bitrix_activity_id, chat.channel, chat.closed, chat.message_count])).toEqual([
      [5001, 'telegram', true, 3], [5002, 'whatsapp', false, 1], [5004, 'instagram', true, 3],
    ]);
    expect(stored[0]).toMatchObject({ bitrix_session_id: 4001, manager_name: 'Анна Смирнова', client_name: 'Клиент Telegram', crm_entity_type: 'CONTACT', crm_entity_id: 4201 });
    expect(stored[0].metrics).toMatchObject({ firstResponseSec: 90, avgResponseSec: 90, unansweredClientMessages: 1, messages: { client: 2, manager: 1 } });
    const [cursor] = await t.dataSource.query(`SELECT value FROM sync_cursors WHERE name = 'chats'`);
    expect(cursor.value).toBe('5004');
    const [run] = await t.dataSource.query(`SELECT * FROM sync_runs WHERE kind = 'chats' ORDER BY id DESC LIMIT 1`);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', fetched: 3, created: 3, cursor_to: '5004' });

    addOpenLinesSession(bitrix.state, session(5005, { connector: 'vkgroup' }));
    closeOpenLinesSession(bitrix.state, 5002, new Date('2026-11-20T09:20:00Z'), [{ fromClient: false, text: 'Да, скидка 10% до пятницы.', atSec: 300 }]);
    const second = await sync();

    expect(second.body).toMatchObject({ synced: 2, created: 1, updated: 1, reread: 1 });
    const whatsapp = (await chats()).find((chat) => chat.bitrix_activity_id === 5002)!;
    expect(whatsapp).toMatchObject({ closed: true, message_count: 2, employee_id: expect.any(Number) });
    expect(whatsapp.closed_at.toISOString()).toBe('2026-11-20T09:20:00.000Z');
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM chat_messages')).toEqual([{ n: 11 }]);

    const third = await sync();
    expect(third.body).toMatchObject({ synced: 0, created: 0, reread: 0 });
  });

  it('list chats with filters and full-text search in Russian word forms', async () => {
    const all = await request(t.server).get('/api/chats').expect(200);
    expect(all.body).toMatchObject({ page: 1, pageSize: 20, total: 4 });

    const telegram = await request(t.server).get('/api/chats?channel=telegram,vk').expect(200);
    expect(telegram.body.items.map((chat: { channel: string }) => chat.channel).sort()).toEqual(['telegram', 'vk']);

    const discount = await request(t.server).get(`/api/chats?q=${encodeURIComponent('скидки')}`).expect(200);
    expect(discount.body.items.map((chat: { bitrixActivityId: number }) => chat.bitrixActivityId)).toEqual([5002]);
    expect(discount.body.total).toBe(1);

    const [petr] = await t.dataSource.query(`SELECT id FROM employees WHERE bitrix_user_id = 16`);
    const byEmployee = await request(t.server).get(`/api/chats?employeeId=${petr.id}`).expect(200);
    expect(byEmployee.body.items).toHaveLength(1);

    const bad = await request(t.server).get('/api/chats?riskLevel=extreme&pageSize=500').expect(400);
    expect(bad.body.message).toMatch(/riskLevel/);
    expect(bad.body.message).toMatch(/pageSize/);
    await request(t.server).get('/api/chats?minScore=80&maxScore=20').expect(400);
    await request(t.server).get('/api/chats?period=decade').expect(400);
    await request(t.server).get('/api/chats/999999').expect(404);
    await request(t.server).get('/api/chats/abc').expect(400);
  });

  it('analyse each closed chat once with the chat prompt (after each sync), store a version and publish it once', async () => {
    await eventually(async () => (await chats()).every((chat) => chat.status === 'analyzed'));

    expect(llm.received).toHaveLength(4);
    expect(llm.received[0].request.messages.map((message) => message.content).join('\n')).toContain('written chat');
    const rows = await chats();
    expect(rows.every((chat) => chat.status === 'analyzed' && chat.score_overall !== null && chat.risk_level && chat.latest_analysis_id)).toBe(true);
    const analyses = await t.dataSource.query('SELECT chat_id, version, published_at FROM analyses WHERE chat_id IS NOT NULL ORDER BY chat_id');
    expect(analyses).toHaveLength(4);
    expect(analyses.every((row: { version: number; published_at: Date | null }) => row.version === 1 && row.published_at)).toBe(true);
    expect(published.filter((event) => event.kind === 'chat')).toHaveLength(4);

    expect(await analysis().analyzePending()).toBe(0);
    expect(await analysis().analyze(rows[0].id)).toBe(false);
    expect(llm.received).toHaveLength(4);
    expect(published).toHaveLength(4);

    const details = await request(t.server).get(`/api/chats/${rows[0].id}`).expect(200);
    expect(details.body).toMatchObject({ id: rows[0].id, channel: 'telegram', status: 'analyzed', metrics: { firstResponseSec: 90 } });
    expect(details.body.messages.map((message: { authorRole: string; offsetSec: number }) => [message.authorRole, message.offsetSec]))
      .toEqual([['client', 0], ['manager', 90], ['client', 120]]);
    expect(details.body.analysis.scores.overall).toBe(details.body.scoreOverall);
    expect(details.body.analysisVersions).toHaveLength(1);
    const risky = await request(t.server).get(`/api/chats?riskLevel=${details.body.riskLevel}&minScore=0&maxScore=100`).expect(200);
    expect(risky.body.items.length).toBeGreaterThan(0);
  });

  it('leave an open chat alone, and record a failing analysis for a later attempt', async () => {
    addOpenLinesSession(bitrix.state, session(5006, { open: true }));
    addOpenLinesSession(bitrix.state, session(5007));
    llm.script({ kind: 'unauthorized' });
    await sync();

    await eventually(async () => (await chats()).find((chat) => chat.bitrix_activity_id === 5007 && chat.status === 'error'));
    const [open, failed] = (await chats()).filter((chat) => chat.bitrix_activity_id >= 5006);
    expect(open).toMatchObject({ status: 'new', latest_analysis_id: null });
    expect(failed).toMatchObject({ status: 'error', status_reason: 'analysis_failed' });
    expect(failed.error).toMatch(/openai/);
  });

  it('pause analysis past the monthly LLM budget and resume once it is raised', async () => {
    const settings = t.app.get(SettingsService);
    await settings.update({ analysis: { monthlyBudgetUsd: 0.000001 } }, 'test');
    addOpenLinesSession(bitrix.state, session(5008));
    await sync();
    await analysis().analyzePending();
    const paused = await eventually(async () => (await chats()).find((chat) => chat.bitrix_activity_id === 5008 && chat.status_reason === 'budget_paused'));
    expect(paused).toMatchObject({ status: 'transcribed', latest_analysis_id: null });

    await settings.update({ analysis: { monthlyBudgetUsd: null } }, 'test');
    await analysis().analyzePending();
    const resumed = (await chats()).find((chat) => chat.bitrix_activity_id === 5008);
    expect(resumed).toMatchObject({ status: 'analyzed' });
  });
});

describe('chats without an LLM', () => {
  it('stop at llm_not_configured', async () => {
    const bitrix = await startFakeBitrix24({ rateLimit: false });
    const t = await startTestApp({ BITRIX_WEBHOOK_URL: bitrix.webhookUrl });
    try {
      addOpenLinesSession(bitrix.state, session(6001));
      await request(t.server).post('/api/chats/sync').expect(200);
      await t.app.get(ChatAnalysisService).analyzePending();
      const chat = await eventually(async () => {
        const [row] = await t.dataSource.query('SELECT status, status_reason, latest_analysis_id FROM chats');
        return row.status !== 'in_progress' && row;
      });
      expect(chat).toEqual({ status: 'transcribed', status_reason: 'llm_not_configured', latest_analysis_id: null });
    } finally {
      await t.close();
      await bitrix.close();
    }
  });

  it('answer a sync request without Bitrix24 with 503', async () => {
    const t = await startTestApp();
    try {
      const res = await request(t.server).post('/api/chats/sync').expect(503);
      expect(res.body.message).toMatch(/not configured/);
    } finally {
      await t.close();
    }
  });
});
