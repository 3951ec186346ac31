import request from 'supertest';
import { CallProcessingQueue } from '../../src/pipeline/call-processing-queue';
import { SettingsService } from '../../src/settings/settings.service';
import { WebhookEventProcessor } from '../../src/webhooks/webhook-event.processor';
import { addOpenLinesSession, eventForm, FakeBitrix24, generateCallRows, RestError, startFakeBitrix24 } from '../fakes/bitrix24';
import { startTestApp, TestApp } from '../support/app';
import { addEmployee } from '../support/fixtures';
import { eventually, RecordingQueue } from './webhook-support';

const TOKEN = 'webhook-token-0123456789abcdef';
const APP_TOKEN = 'jvh9y1ulvt2m6k5or90v9mg8nn32ozas';
const URL = `/api/webhooks/incoming/${TOKEN}`;
const FORM = 'application/x-www-form-urlencoded';

interface EventRow {
  id: number;
  kind: string;
  event: string | null;
  status: string;
  outcome: string | null;
  payload: Record<string, any> | null;
  call_id: number | null;
  chat_id: number | null;
  attempts: number;
  next_attempt_at: Date | null;
}

describe('incoming webhook', () => {
  let bitrix: FakeBitrix24;
  let t: TestApp;
  const queue = new RecordingQueue();

  const events = (): Promise<EventRow[]> => t.dataSource.query('SELECT * FROM webhook_events ORDER BY id');
  const calls = (): Promise<Record<string, any>[]> => t.dataSource.query('SELECT * FROM calls ORDER BY id');
  const callEvent = (fields: Record<string, unknown> = {}) => ({
    type: 'call', externalId: 'pbx-1', clientPhone: '+7 916 123-45-67', managerName: 'анна смирнова',
    startedAt: '2026-11-20T12:15:00+03:00', durationSec: 184, direction: 'outgoing', recordUrl: 'https://pbx.example.com/rec/1.mp3?sig=SECRET', ...fields,
  });

  beforeAll(async () => {
    bitrix = await startFakeBitrix24({ rateLimit: false });
    t = await startTestApp(
      { WEBHOOK_TOKEN: TOKEN, BITRIX_APP_TOKEN: APP_TOKEN, BITRIX_WEBHOOK_URL: bitrix.webhookUrl, BODY_LIMIT: '16kb', TRUST_PROXY: 'loopback' },
      undefined,
      [{ provide: CallProcessingQueue, useValue: queue }],
    );
  });

  afterAll(async () => {
    await t.close();
    await bitrix.close();
  });

  beforeEach(async () => {
    await t.dataSource.query('TRUNCATE webhook_events, calls, chats, employees CASCADE');
    queue.ids.length = 0;
    await t.app.get(SettingsService).update({ analysis: { autoProcess: true } }, 'test');
  });

  describe('generic JSON call events', () => {
    it('create a webhook call linked to the employee by name, queue it and record the event', async () => {
      const employee = await addEmployee(t.dataSource, 'Анна Смирнова');

      const res = await request(t.server).post(URL).send(callEvent()).expect(200);

      expect(res.body).toMatchObject({ ok: true, status: 'processed', created: true, queued: true });
      const [call] = await calls();
      expect(call).toMatchObject({
        id: res.body.callId, source: 'webhook', external_id: 'pbx-1', client_phone: '+7 916 123-45-67', manager_name: 'анна смирнова',
        employee_id: employee.id, duration_sec: 184, direction: 'outgoing', record_source_url: 'https://pbx.example.com/rec/1.mp3?sig=SECRET',
      });
      expect(call.started_at.toISOString()).toBe('2026-11-20T09:15:00.000Z');
      expect(queue.ids).toEqual([call.id]);
      const [event] = await events();
      expect(event).toMatchObject({ kind: 'generic', status: 'processed', call_id: call.id });
      expect(JSON.stringify(event.payload)).not.toContain('SECRET');
    });

    it('store the channel that the telephony says carries the employee, and refuse one it cannot mean', async () => {
      await request(t.server).post(URL).send(callEvent({ externalId: 'right', employeeChannel: 'right' })).expect(200);
      await request(t.server).post(URL).send(callEvent({ externalId: 'unsaid' })).expect(200);
      const refused = await request(t.server).post(URL).send(callEvent({ externalId: 'centre', employeeChannel: 'centre' })).expect(400);

      expect(refused.body.message).toContain('employeeChannel');
      expect((await calls()).map((call) => [call.external_id, call.employee_channel])).toEqual([['right', 'right'], ['unsaid', null]]);
    });

    it('turn a duplicate delivery into one call, updated', async () => {
      const first = await request(t.server).post(URL).send(callEvent()).expect(200);
      const second = await request(t.server).post(URL).send(callEvent({ durationSec: 200 })).expect(200);

      expect(second.body).toMatchObject({ callId: first.body.callId, created: false, status: 'duplicate' });
      const rows = await calls();
      expect(rows).toHaveLength(1);
      expect(rows[0].duration_sec).toBe(200);
      expect((await events()).map((event) => event.status)).toEqual(['processed', 'duplicate']);
    });

    it('keep one call when the same event arrives several times at once', async () => {
      await Promise.all(Array.from({ length: 5 }, () => request(t.server).post(URL).send(callEvent()).expect(200)));
      expect(await calls()).toHaveLength(1);
    });

    it('queue only when autoProcess says so, defaulting to the analysis.autoProcess setting', async () => {
      await request(t.server).post(URL).send(callEvent({ externalId: 'a', autoProcess: false })).expect(200);
      await t.app.get(SettingsService).update({ analysis: { autoProcess: false } }, 'test');
      const byDefault = await request(t.server).post(URL).send(callEvent({ externalId: 'b' })).expect(200);
      const forced = await request(t.server).post(URL).send(callEvent({ externalId: 'c', autoProcess: true })).expect(200);

      expect(byDefault.body.queued).toBe(false);
      expect(queue.ids).toEqual([forced.body.callId]);
      expect(await calls()).toHaveLength(3);
    });

    it('record a queue failure on the event and queue the call on a later sweep', async () => {
      queue.failures = 1;
      const res = await request(t.server).post(URL).send(callEvent()).expect(200);
      expect(res.body).toMatchObject({ status: 'failed', queued: false });
      const [failed] = await events();
      expect(failed).toMatchObject({ status: 'failed', call_id: res.body.callId });
      expect(failed.outcome).toContain('queue unavailable');

      await t.dataSource.query('UPDATE webhook_events SET next_attempt_at = now()');
      await t.app.get(WebhookEventProcessor).sweep();

      expect(queue.ids).toEqual([res.body.callId]);
      expect((await events())[0]).toMatchObject({ status: 'processed', next_attempt_at: null });
    });
  });

  describe('refused requests', () => {
    it('answer a wrong token with a bare 404 and store nothing', async () => {
      const res = await request(t.server).post('/api/webhooks/incoming/not-the-token-0123456789').send(callEvent()).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found' });
      expect(await events()).toHaveLength(0);
      expect(await calls()).toHaveLength(0);
    });

    it.each([
      ['bad JSON', '{"type":"call",', 'application/json', 400, 'Request body is not valid JSON'],
      ['wrong field types', JSON.stringify(callEvent({ durationSec: 'long', clientPhone: 79161234567 })), 'application/json', 400, 'durationSec'],
      ['an unknown event type', JSON.stringify(callEvent({ type: 'sms' })), 'application/json', 400, 'must be "call"'],
      ['a missing recordUrl', JSON.stringify(callEvent({ recordUrl: undefined })), 'application/json', 400, 'recordUrl'],
      ['a body that is no event at all', JSON.stringify({ hello: 'world' }), 'application/json', 400, 'must be a call event'],
      ['an oversized body', JSON.stringify(callEvent({ managerName: 'я'.repeat(20_000) })), 'application/json', 413, 'too large'],
    ])('refuse %s with a clear 4xx and store only the rejected event', async (_name, body, type, status, message) => {
      const res = await request(t.server).post(URL).set('Content-Type', type).send(body).expect(status);

      expect(res.body.message).toContain(message);
      const stored = await events();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ status: 'rejected' });
      expect(stored[0].outcome).toContain(message);
      expect(await calls()).toHaveLength(0);
      expect(queue.ids).toEqual([]);
    });

    it.each([
      ['file:///etc/passwd', 'http(s)'],
      ['ftp://pbx.example.com/1.mp3', 'http(s)'],
      ['http://127.0.0.1:8080/api/calls', 'private'],
      ['http://169.254.169.254/latest/meta-data', 'private'],
      ['http://user:pass@pbx.example.com/1.mp3', 'credentials'],
    ])('refuse the recordUrl %s (no server-side request forgery)', async (recordUrl, why) => {
      const res = await request(t.server).post(URL).send(callEvent({ recordUrl })).expect(400);
      expect(res.body.message).toMatch(/recordUrl/);
      expect(res.body.message).toContain(why);
      expect(await calls()).toHaveLength(0);
      expect((await events())[0].status).toBe('rejected');
    });

    it('refuse a Bitrix24 event with a wrong application_token with a bare 403', async () => {
      const res = await request(t.server).post(URL).set('Content-Type', FORM)
        .send(eventForm('ONVOXIMPLANTCALLEND', { CALL_ID: 'x.1' }, 'wrong-application-token')).expect(403);

      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Forbidden' });
      const [event] = await events();
      expect(event).toMatchObject({ kind: 'bitrix', event: 'ONVOXIMPLANTCALLEND', status: 'rejected', outcome: 'wrong application_token' });
      expect(JSON.stringify(event.payload)).not.toContain('wrong-application-token');
      expect(bitrix.requests.filter((entry) => entry.method === 'voximplant.statistic.get')).toHaveLength(0);
    });
  });

  describe('Bitrix24 events', () => {
    function statisticsRow(callId: string) {
      const [row] = generateCallRows({ count: 1, userIds: [15], firstId: 9001, missed: 0, withoutRecording: 0, seed: 5 });
      row.CALL_ID = callId;
      bitrix.addStatistics([row]);
      return row;
    }

    it('ONVOXIMPLANTCALLEND: answers at once, then fetches the call, stores and queues it', async () => {
      const row = statisticsRow('11018129443EB80D.1705303800.11438214');
      const res = await request(t.server).post(URL).set('Content-Type', FORM)
        .send(eventForm('ONVOXIMPLANTCALLEND', { CALL_ID: row.CALL_ID, CALL_TYPE: '2', PORTAL_USER_ID: '15' })).expect(200);
      expect(res.body).toMatchObject({ ok: true, status: 'accepted' });

      const event = await eventually(async () => (await events()).find((item) => item.status === 'processed'));
      const [call] = await calls();
      expect(call).toMatchObject({ source: 'bitrix', bitrix_call_id: row.CALL_ID });
      expect(event).toMatchObject({ id: res.body.eventId, call_id: call.id, attempts: 1 });
      expect(event.payload!.auth).toEqual(expect.objectContaining({ domain: 'example.bitrix24.ru' }));
      expect(JSON.stringify(event.payload)).not.toContain(APP_TOKEN);
      expect(queue.ids).toEqual([call.id]);
    });

    it('records a failed fetch on the event and retries it from the sweep', async () => {
      const row = statisticsRow('11018129443EB80D.1705303900.11438215');
      bitrix.failMethod('voximplant.statistic.get', new RestError(400, 'ERROR_CORE', 'Temporary portal trouble'));

      await request(t.server).post(URL).set('Content-Type', FORM).send(eventForm('ONVOXIMPLANTCALLEND', { CALL_ID: row.CALL_ID })).expect(200);
      const failed = await eventually(async () => (await events()).find((item) => item.status === 'failed'));
      expect(failed.outcome).toContain('Temporary portal trouble');
      expect(failed.next_attempt_at).not.toBeNull();
      expect(await calls()).toHaveLength(0);

      await t.dataSource.query('UPDATE webhook_events SET next_attempt_at = now()');
      await t.app.get(WebhookEventProcessor).sweep();

      expect((await events())[0]).toMatchObject({ status: 'processed', attempts: 2 });
      expect((await calls())[0].bitrix_call_id).toBe(row.CALL_ID);
    });

    it('ONCRMACTIVITYADD of an Open Lines session syncs that chat; of a call activity, nothing', async () => {
      addOpenLinesSession(bitrix.state, {
        activityId: 7001, sessionId: 4001, chatId: 1801, operatorId: 15, connector: 'whatsappbyedna', start: new Date('2026-11-20T09:00:00Z'), open: true,
        messages: [{ fromClient: true, text: 'Здравствуйте, где мой заказ?' }],
      });
      bitrix.state.activities.push({ ID: '7002', TYPE_ID: '2', PROVIDER_ID: 'VOXIMPLANT_CALL', ORIGIN_ID: 'VI_x.1', OWNER_ID: '5', OWNER_TYPE_ID: '3' });

      await request(t.server).post(URL).set('Content-Type', FORM).send(eventForm('ONCRMACTIVITYADD', { FIELDS: { ID: '7001' } })).expect(200);
      await request(t.server).post(URL).set('Content-Type', FORM).send(eventForm('onCrmActivityAdd', { FIELDS: { ID: '7002' } })).expect(200);

      const done = await eventually(async () => {
        const rows = await events();
        return rows.every((row) => row.status !== 'accepted') && rows;
      });
      const [chat] = await t.dataSource.query('SELECT * FROM chats');
      expect(chat).toMatchObject({ bitrix_activity_id: 7001, bitrix_session_id: 4001, channel: 'whatsapp', closed: false, message_count: 1 });
      expect(done.map((row) => [row.status, row.chat_id])).toEqual([['processed', chat.id], ['ignored', null]]);
    });

    it('stores events it does not handle as ignored and answers 200', async () => {
      const res = await request(t.server).post(URL).set('Content-Type', FORM).send(eventForm('ONCRMDEALADD', { FIELDS: { ID: '15' } })).expect(200);
      expect(res.body.status).toBe('ignored');
      expect((await events())[0]).toMatchObject({ kind: 'bitrix', event: 'ONCRMDEALADD', status: 'ignored' });
    });

    it('refuses an event without the id it needs', async () => {
      const res = await request(t.server).post(URL).set('Content-Type', FORM).send(eventForm('ONVOXIMPLANTCALLEND', { CALL_TYPE: '2' })).expect(400);
      expect(res.body.message).toContain('data[CALL_ID]');
      expect((await events())[0].status).toBe('rejected');
    });
  });

  it('rate-limits an address that keeps sending wrong tokens, never a valid token', async () => {
    // Loopback is a trusted proxy here (TRUST_PROXY), so requests may name their client: one address for this test alone.
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    const wrong = () => request(t.server).post('/api/webhooks/incoming/guess-0123456789abcdef').set(from('203.0.113.7')).send(callEvent());
    for (let miss = 0; miss < 10; miss++) await wrong().expect(404);

    const limited = await wrong().expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(t.server).post('/api/webhooks/incoming/guess-0123456789abcdef').set(from('203.0.113.7'))
      .set('Content-Type', 'application/json').send('{bad').expect(429);
    await request(t.server).post('/api/webhooks/incoming/guess-0123456789abcdef').set(from('203.0.113.8')).send(callEvent()).expect(404);
    for (let valid = 0; valid < 12; valid++) await request(t.server).post(URL).set(from('203.0.113.7')).send(callEvent()).expect(200);
    expect(await calls()).toHaveLength(1);
    expect((await events()).map((event) => event.status)).toEqual(['processed', ...Array(11).fill('duplicate')]);
  });
});
