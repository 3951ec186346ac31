import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Chat } from '../../src/chats/entities/chat.entity';
import { AnalysisEvents } from '../../src/pipeline/analysis-events';
import { CallAlertsService } from '../../src/alerts/call-alerts.service';
import { IntegrationAlertsService } from '../../src/alerts/integration-alerts.service';
import { NotificationOutbox } from '../../src/alerts/notification-outbox';
import { DigestService } from '../../src/reports/digest.service';
import { dueDigests } from '../../src/reports/digest-schedule';
import { SettingsService } from '../../src/settings/settings.service';
import { defaultSettings } from '../../src/settings/settings.defaults';
import { FakeTelegram, startFakeTelegram } from '../fakes/telegram';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysis, addCall, addEmployee } from '../support/fixtures';

describe('call and integration alerts, digests', () => {
  let telegram: FakeTelegram;
  let t: TestApp;
  let events: AnalysisEvents;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    t = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_CHAT_ID: telegram.chatId, TELEGRAM_API_ROOT: telegram.apiRoot, FRONTEND_URL: 'https://crm.example' });
    events = t.app.get(AnalysisEvents);
  });

  afterAll(async () => {
    await t.close();
    await telegram.close();
  });

  beforeEach(async () => {
    telegram.state.messages.length = 0;
    telegram.state.chats.set(telegram.chatId, 'ok');
    await t.dataSource.query('DELETE FROM notifications');
    await t.app.get(SettingsService).update({ alerts: { enabled: true, minRiskLevel: 'high', maxPerHour: 2 } }, 'test');
  });

  async function analysedCall(riskLevel: 'low' | 'medium' | 'high', score = 30) {
    const manager = await addEmployee(t.dataSource, 'Анна Смирнова');
    const call = await addCall(t.dataSource, { employeeId: manager.id, clientPhone: '+7 999 123-45-67', scoreOverall: score, riskLevel });
    const analysis = await addAnalysis(t.dataSource, call, {
      conflict: { level: riskLevel, detected: true, reasons: ['Клиент <угрожал> уйти'] },
      checklist: [{ id: 'closing', title: 'Следующий шаг', passed: false }, { id: 'greeting', title: 'Приветствие', passed: true }],
      summary: 'Конфликт из-за сроков',
    });
    await t.dataSource.query('UPDATE analyses SET risk_level = $2, score_overall = $3 WHERE id = $1', [analysis.id, riskLevel, score]);
    return { call, analysis, event: { kind: 'call' as const, subjectId: call.id, analysisId: analysis.id, version: 1 } };
  }

  it('alerts once per analysis with score, manager, masked phone, reasons and a link, even when the event is republished', async () => {
    const { call, event } = await analysedCall('high', 28);

    await events.publish(event);
    await events.publish(event);

    expect(telegram.state.messages).toHaveLength(1);
    const { plainText, text } = telegram.state.messages[0];
    expect(plainText).toContain(`Звонок с высоким риском · звонок #${call.id}`);
    expect(plainText).toContain('Менеджер: Анна Смирнова');
    expect(plainText).toContain('Клиент: +7 999 ***-**-67');
    expect(plainText).toContain('Оценка: 28/100');
    expect(plainText).toContain('• Клиент <угрожал> уйти\n• Не выполнено: Следующий шаг');
    expect(text).toContain(`<a href="https://crm.example/calls/${call.id}">`);
    const rows = await t.dataSource.query(`SELECT status, attempts, dedupe_key FROM notifications`);
    expect(rows).toEqual([{ status: 'sent', attempts: 1, dedupe_key: `call-alert:${event.analysisId}` }]);
  });

  it('alerts on a high-risk chat with its channel, client name and a link to the chat', async () => {
    const chat = await t.dataSource.getRepository(Chat).save({ channel: 'whatsapp', clientName: 'Ольга <Клиент>', managerName: 'Иван Петров', startedAt: new Date(), closed: true });
    const analysis = await t.dataSource.getRepository(Analysis).save({
      chatId: chat.id, version: 1, scoreOverall: 20, riskLevel: 'high', model: 'gpt-4o', promptVersion: 'p', criteriaVersion: 'c', inputHash: `chat-${chat.id}`,
      result: { conflict: { level: 'high', detected: true, reasons: ['Клиент грубит'] }, summary: 'Жалоба в чате' },
    });

    await events.publish({ kind: 'chat', subjectId: chat.id, analysisId: analysis.id, version: 1 });

    expect(telegram.state.messages).toHaveLength(1);
    const { plainText, text } = telegram.state.messages[0];
    expect(plainText).toContain(`чат #${chat.id} (whatsapp)`);
    expect(plainText).toContain('Клиент: Ольга <Клиент>');
    expect(plainText).toContain('• Клиент грубит');
    expect(text).toContain(`<a href="https://crm.example/chats/${chat.id}">Открыть чат</a>`);
  });

  it('ignores calls below the alert level, disabled alerts and events of another kind', async () => {
    const medium = await analysedCall('medium', 55);
    await events.publish(medium.event);
    await events.publish({ ...medium.event, kind: 'chat' });
    await t.app.get(SettingsService).update({ alerts: { enabled: false } }, 'test');
    await events.publish((await analysedCall('high')).event);

    expect(telegram.state.messages).toHaveLength(0);
  });

  it('suppresses alerts past the hourly cap and later sends one summary for the hour', async () => {
    for (let index = 0; index < 4; index++) await events.publish((await analysedCall('high')).event);

    expect(telegram.state.messages).toHaveLength(2);
    const statuses = await t.dataSource.query(`SELECT status, count(*)::int AS n FROM notifications GROUP BY 1 ORDER BY 1`);
    expect(statuses).toEqual([{ status: 'sent', n: 2 }, { status: 'suppressed', n: 2 }]);

    await t.dataSource.query(`UPDATE notifications SET created_at = date_trunc('hour', now()) - interval '30 minutes'`);
    await t.app.get(CallAlertsService).sendSuppressedSummaries();
    await t.app.get(CallAlertsService).sendSuppressedSummaries();

    expect(telegram.state.messages).toHaveLength(3);
    expect(telegram.state.messages[2].plainText).toContain('Ещё 2 оповещения за час не отправлено');
  });

  it('records a failed delivery without failing the pipeline and retries it with back-off', async () => {
    telegram.state.chats.set(telegram.chatId, 'blocked');
    const { event } = await analysedCall('high');

    expect(await events.publish(event)).toEqual([]);
    const [failed] = await t.dataSource.query(`SELECT id, status, attempts, last_error FROM notifications`);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/blocked by the user/) });

    telegram.state.chats.set(telegram.chatId, 'ok');
    const outbox = t.app.get(NotificationOutbox);
    expect(await outbox.retryDue()).toBe(0);
    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '2 minutes'`);
    expect(await outbox.retryDue()).toBe(1);
    expect(await t.dataSource.query(`SELECT status, attempts FROM notifications`)).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  it('alerts once per failure episode of an integration failing for an hour or refused access', async () => {
    await t.dataSource.query(`
      INSERT INTO integration_status (name, last_error, last_error_at, failing_since) VALUES
        ('bitrix', 'Bitrix24 answered 401: the webhook was revoked', now(), now() - interval '5 minutes'),
        ('openai', 'The model timed out', now(), now() - interval '2 hours'),
        ('transcription', 'Worker crashed', now(), now() - interval '10 minutes')
      ON CONFLICT (name) DO UPDATE SET last_error = EXCLUDED.last_error, failing_since = EXCLUDED.failing_since`);
    const integrationAlerts = t.app.get(IntegrationAlertsService);

    expect(await integrationAlerts.check()).toBe(2);
    expect(await integrationAlerts.check()).toBe(0);

    const texts = telegram.state.messages.map((message) => message.plainText).join('\n');
    expect(texts).toContain('Bitrix24 не работает');
    expect(texts).toContain('the webhook was revoked. Доступ запрещён: проверьте ключи доступа или вебхук.');
    expect(texts).toContain('LLM (OpenAI) не работает');
    expect(texts).not.toContain('Распознавание речи');
    await t.dataSource.query(`UPDATE integration_status SET failing_since = now() - interval '3 hours' WHERE name = 'openai'`);
    expect(await integrationAlerts.check()).toBe(1);
  });

  describe('digests', () => {
    const reports = defaultSettings().reports;

    it('are due at their local time: daily every day, weekly on its weekday covering the week before', () => {
      // 19:00 in Moscow is 16:00 UTC; 2026-03-09 is a Monday.
      expect(dueDigests(new Date('2026-03-10T15:59:00Z'), reports, 'Europe/Moscow')).toEqual([]);
      expect(dueDigests(new Date('2026-03-10T16:00:00Z'), reports, 'Europe/Moscow')).toEqual([
        { kind: 'daily', day: '2026-03-10', from: '2026-03-10', to: '2026-03-10' },
      ]);
      expect(dueDigests(new Date('2026-03-09T06:00:00Z'), reports, 'Europe/Moscow')).toEqual([
        { kind: 'weekly', day: '2026-03-09', from: '2026-03-02', to: '2026-03-08' },
      ]);
      expect(dueDigests(new Date('2026-03-09T05:59:00Z'), reports, 'Europe/Moscow')).toEqual([]);
      expect(dueDigests(new Date('2026-03-10T16:00:00Z'), { ...reports, dailyDigestEnabled: false }, 'Europe/Moscow')).toEqual([]);
    });

    it('go out once per day even when several instances check at the same time', async () => {
      const digests = t.app.get(DigestService);
      const now = new Date('2026-03-10T16:05:00Z');

      const results = await Promise.all([digests.runDue(now), digests.runDue(now), digests.runDue(now)]);

      expect(results.flat()).toHaveLength(1);
      expect(await digests.runDue(now)).toEqual([]);
      const sent = telegram.state.messages.filter((message) => message.plainText?.includes('Дайджест'));
      expect(sent).toHaveLength(1);
      expect(await t.dataSource.query(`SELECT dedupe_key, status FROM notifications WHERE kind = 'digest'`)).toEqual([
        { dedupe_key: 'digest:daily:2026-03-10', status: 'sent' },
      ]);
    });

    it('resend their chart with the text when a failed delivery is retried', async () => {
      const manager = await addEmployee(t.dataSource, 'Борис Кузнецов');
      await addCall(t.dataSource, { employeeId: manager.id, startedAt: new Date('2026-03-11T09:00:00Z'), scoreOverall: 20, riskLevel: 'high' });
      telegram.state.chats.set(telegram.chatId, 'blocked');

      await t.app.get(DigestService).runDue(new Date('2026-03-11T16:05:00Z'));

      expect(await t.dataSource.query(`SELECT status FROM notifications WHERE kind = 'digest'`)).toEqual([{ status: 'failed' }]);
      expect(telegram.state.messages).toHaveLength(0);
      telegram.state.chats.set(telegram.chatId, 'ok');
      await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '2 minutes'`);

      expect(await t.app.get(NotificationOutbox).retryDue()).toBe(1);

      expect(telegram.state.messages.map((message) => message.kind)).toEqual(['photo', 'message']);
      expect(telegram.state.messages[0].photoBytes).toBeGreaterThan(1000);
      expect(telegram.state.messages[0].plainText).toBe('Проблемные звонки по менеджерам · Дайджест');
      expect(telegram.state.messages[1].plainText).toContain('Дайджест\n11.03.2026');
    });
  });
});
