import request from 'supertest';
import { CallProcessingQueue } from '../../src/pipeline/call-processing-queue';
import { startTestApp, TestApp } from '../support/app';
import { addDepartment, addEmployee } from '../support/fixtures';
import { RecordingQueue } from '../webhooks/webhook-support';

const WEBHOOK_TOKEN = 'bad-values-webhook-token-0123456789';
const WEBHOOK = `/api/webhooks/incoming/${WEBHOOK_TOKEN}`;
const FORM = 'application/x-www-form-urlencoded';
const TOO_DEEP = 'Request body is nested more than 32 levels deep';

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('bad values answer 400 naming the parameter, never 500', () => {
  let t: TestApp;

  const expect400 = async (test: request.Test, parameter: string) => {
    const res = await test;
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(new RegExp(`^${parameter.replace(/[.[\]]/g, '\\$&')}:`)) });
  };
  const callEvent = (fields: Record<string, unknown> = {}) => ({
    type: 'call', clientPhone: '+79161234567', managerName: 'Анна Смирнова', recordUrl: 'https://pbx.example.com/rec/1.mp3', ...fields,
  });
  const rows = (table: string): Promise<Record<string, any>[]> => t.dataSource.query(`SELECT * FROM ${table} ORDER BY id`);

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_TOKEN }, undefined, [{ provide: CallProcessingQueue, useValue: new RecordingQueue() }]);
  });
  afterAll(() => t.close());
  beforeEach(() => t.dataSource.query('TRUNCATE webhook_events, calls, employees, departments RESTART IDENTITY CASCADE'));

  describe('integers beyond the int4 columns', () => {
    it.each([
      ['GET', '/api/calls/-2147483649'],
      ['GET', '/api/calls/2147483648'],
      ['GET', '/api/calls/2147483648/audio'],
      ['POST', '/api/calls/2147483648/process'],
      ['DELETE', '/api/calls/2147483648'],
      ['GET', '/api/chats/2147483648'],
      ['DELETE', '/api/chats/-1'],
      ['GET', '/api/reports/99999999999'],
      ['GET', '/api/reports/2147483648/download?format=pdf'],
    ])('%s %s', async (method, path) => {
      await expect400(request(t.server)[method.toLowerCase() as 'get'](path).send({}), 'id');
    });

    it('still looks up the largest id there can be', async () => {
      await request(t.server).get('/api/calls/2147483647').expect(404);
      await request(t.server).get('/api/chats/0002147483647').expect(404);
    });

    it.each([
      ['/api/calls?employeeId=2147483648', 'employeeId'],
      ['/api/calls?crmEntityId=99999999999', 'crmEntityId'],
      ['/api/calls?department=99999999999', 'department'],
      ['/api/chats?employeeId=2147483648', 'employeeId'],
      ['/api/analytics/summary?employeeId=2147483648', 'employeeId'],
      ['/api/analytics/trends?department=2147483648', 'department'],
    ])('GET %s', async (path, parameter) => {
      await expect400(request(t.server).get(path), parameter);
    });

    it('in bodies too', async () => {
      await expect400(request(t.server).post('/api/calls/reanalyze').send({ employeeId: 2147483648 }), 'employeeId');
      await expect400(request(t.server).post('/api/reports/generate/employees').send({ send: false, employeeId: 1e10 }), 'employeeId');
    });

    it('as the activity id of a Bitrix24 event', async () => {
      const res = await request(t.server).post(WEBHOOK).type(FORM).send('event=ONCRMACTIVITYADD&data[FIELDS][ID]=9999999999').expect(400);
      expect(res.body.message).toMatch(/^data\[FIELDS\]\[ID\]/);
    });

    it('takes a department by a numeric id within range, or by name', async () => {
      const department = await addDepartment(t.dataSource, '2147483648');
      await addEmployee(t.dataSource, 'Анна', [department]);
      await request(t.server).get(`/api/calls?department=${department.id}`).expect(200);
      await request(t.server).get('/api/analytics/summary').query({ department: 'Отдел продаж' }).expect(200);
    });
  });

  describe('NUL and lone surrogates in text', () => {
    it.each(['q', 'managerName', 'department', 'tag', 'product'])('calls list %s', async (parameter) => {
      await expect400(request(t.server).get(`/api/calls?${parameter}=ab%00cd`), parameter);
    });

    it('chats q and analytics department', async () => {
      await expect400(request(t.server).get('/api/chats?q=ab%00cd'), 'q');
      await expect400(request(t.server).get('/api/analytics/employees?department=%00'), 'department');
    });

    it('in a settings update, which changes nothing', async () => {
      const before = (await request(t.server).get('/api/settings').expect(200)).body;
      const patch = '{"dictionaries":{"products":["CRM Pro","\\ud800"]}}';
      await expect400(request(t.server).patch('/api/settings').set('Content-Type', 'application/json').send(patch), 'dictionaries.products.1');
      await expect400(request(t.server).patch('/api/settings').send({ analysis: { checklist: [{ id: 'greeting', title: 'При\0вет', description: '', weight: 1 }] } }), 'analysis.checklist.0.title');
      expect((await request(t.server).get('/api/settings').expect(200)).body).toEqual(before);
    });

    it.each([
      ['managerName', { managerName: 'Анна\u0000' }],
      ['externalId', { externalId: 'pbx-\ud800' }],
      ['clientPhone', { clientPhone: '+7916\u0000' }],
      ['recordUrl', { recordUrl: 'https://pbx.example.com/\u0000.mp3' }],
    ])('in the generic webhook event: %s', async (parameter, fields) => {
      await expect400(request(t.server).post(WEBHOOK).send(callEvent(fields)), parameter);
      expect(await rows('calls')).toEqual([]);
      expect(await rows('webhook_events')).toEqual([expect.objectContaining({ kind: 'generic', status: 'rejected', payload: null, outcome: expect.stringContaining(parameter) })]);
    });

    it('in a Bitrix24 form-encoded event', async () => {
      await expect400(request(t.server).post(WEBHOOK).type(FORM).send('event=ONVOXIMPLANTCALLEND&data[CALL_ID]=a%00b'), 'data.CALL_ID');
      await expect400(request(t.server).post(WEBHOOK).type(FORM).send('event=ONCRMACTIVITYADD%00&data[FIELDS][ID]=5'), 'event');
      expect((await rows('webhook_events')).map((event) => [event.kind, event.status, event.payload])).toEqual([['bitrix', 'rejected', null], ['bitrix', 'rejected', null]]);
    });

    it('in upload metadata', async () => {
      const upload = request(t.server).post('/api/calls/upload').field('managerName', 'Анна\u0000').attach('file', Buffer.from('RIFF'), 'call.wav');
      await expect400(upload, 'managerName');
    });
  });

  describe('a Bitrix24 CALL_ID longer than the column that keeps it', () => {
    it('is a 400 naming it', async () => {
      await expect400(request(t.server).post(WEBHOOK).type(FORM).send(`event=ONVOXIMPLANTCALLEND&data[CALL_ID]=${'x'.repeat(129)}`), 'data[CALL_ID]');
      expect(await rows('webhook_events')).toEqual([expect.objectContaining({ status: 'rejected' })]);
    });
  });

  describe('pages beyond any list', () => {
    it.each(['/api/calls', '/api/chats', '/api/reports', '/api/calls/sync/runs', '/api/settings/history'])('%s?page=1e308', async (path) => {
      await expect400(request(t.server).get(`${path}?page=1e308`), 'page');
      await expect400(request(t.server).get(`${path}?page=1000001`), 'page');
    });

    it.each(['/api/reports', '/api/calls/sync/runs', '/api/settings/history'])('%s answers the last page there can be', async (path) => {
      const res = await request(t.server).get(`${path}?page=1000000&pageSize=100`).expect(200);
      expect(res.body).toMatchObject({ items: [], page: 1000000, pageSize: 100 });
    });
  });

  describe('dates outside 2000 to five years ahead', () => {
    const lastYear = new Date().getUTCFullYear() + 5;

    it.each([
      ['/api/analytics/summary?from=0001-01-01', 'from'],
      ['/api/analytics/summary?to=9999-12-31', 'to'],
      ['/api/analytics/trends?from=1999-12-31', 'from'],
      ['/api/analytics/employees?to=0000-01-01', 'to'],
      ['/api/calls?from=0001-01-01', 'from'],
      ['/api/chats?to=9999-12-31', 'to'],
      [`/api/calls?to=${lastYear + 1}-01-01`, 'to'],
      ['/api/analytics/costs?month=0001-01', 'month'],
      ['/api/analytics/costs?month=9999-12', 'month'],
    ])('GET %s', async (path, parameter) => {
      await expect400(request(t.server).get(path), parameter);
    });

    it('in bodies', async () => {
      await expect400(request(t.server).post('/api/calls/reanalyze').send({ from: '0001-01-01' }), 'from');
      await expect400(request(t.server).post('/api/reports/generate/employees').send({ send: false, to: '9999-12-31' }), 'to');
    });

    it('takes the first and the last day of the window', async () => {
      await request(t.server).get(`/api/analytics/summary?from=2000-01-01&to=${lastYear}-12-31`).expect(200);
      await request(t.server).get(`/api/analytics/costs?month=${lastYear}-12`).expect(200);
    });
  });

  describe('startedAt of a call', () => {
    const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

    it.each([
      ['in the year 9999', '9999-12-31T00:00:00Z'],
      ['before 2000', '1999-12-31T23:59:59Z'],
      ['25 hours ahead', inHours(25)],
      ['as an ISO week date', '2026-W01-1'],
    ])('%s is refused by the webhook', async (_when, startedAt) => {
      await expect400(request(t.server).post(WEBHOOK).send(callEvent({ startedAt })), 'startedAt');
      expect(await rows('calls')).toEqual([]);
    });

    it('up to a day ahead (clocks and zones differ) is taken', async () => {
      await request(t.server).post(WEBHOOK).send(callEvent({ startedAt: inHours(23) })).expect(200);
      expect(await rows('calls')).toHaveLength(1);
    });

    it('9999-12-31 is refused by the upload', async () => {
      const upload = request(t.server).post('/api/calls/upload').field('managerName', 'Анна').field('startedAt', '9999-12-31T00:00:00Z').attach('file', Buffer.from('RIFF'), 'call.wav');
      await expect400(upload, 'startedAt');
    });
  });

  describe('bodies nested 10,000 levels deep', () => {
    it.each([['arrays', deepArrays(10_000)], ['objects', deepObjects(10_000)]])('of %s, at the webhook, are refused and recorded', async (_shape, body) => {
      const res = await request(t.server).post(WEBHOOK).set('Content-Type', 'application/json').send(body).expect(400);
      expect(res.body.message).toBe(TOO_DEEP);
      expect(await rows('webhook_events')).toEqual([expect.objectContaining({ status: 'rejected', outcome: TOO_DEEP })]);
    });

    it('inside a call event, and form-encoded, and on any other route', async () => {
      expect((await request(t.server).post(WEBHOOK).set('Content-Type', 'application/json').send(`{"type":"call","x":${deepArrays(10_000)}}`).expect(400)).body.message).toBe(TOO_DEEP);
      expect((await request(t.server).post(WEBHOOK).type(FORM).send(`event=X&data${'[a]'.repeat(10_000)}=1`).expect(400)).body.message).toBe(TOO_DEEP);
      expect((await request(t.server).patch('/api/settings').set('Content-Type', 'application/json').send(`{"analysis":${deepObjects(10_000)}}`).expect(400)).body.message).toBe(TOO_DEEP);
    });

    it('take 32 levels', async () => {
      const res = await request(t.server).post(WEBHOOK).set('Content-Type', 'application/json').send(`{"type":"call","x":${deepArrays(31)}}`).expect(400);
      expect(res.body.message).toContain('x: property x should not exist');
    });

    it('with a wrong token answer 404 like any wrong token', async () => {
      await request(t.server).post('/api/webhooks/incoming/wrong-token').set('Content-Type', 'application/json').send(deepObjects(10_000)).expect(404);
      await request(t.server).post('/api/webhooks/incoming/wrong-token').type(FORM).send(`data${'[a]'.repeat(100)}=1`).expect(404);
      expect(await rows('webhook_events')).toEqual([]);
    });
  });

  describe('a token that is not percent-encoded right', () => {
    it('is a wrong token: 404, with a broken body or a good one', async () => {
      const broken = await request(t.server).post('/api/webhooks/incoming/%ZZ').set('Content-Type', 'application/json').send('{"a":').expect(404);
      expect(broken.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found' });
      await request(t.server).post('/api/webhooks/incoming/%E0%A4').send(callEvent()).expect(404);
      expect(await rows('webhook_events')).toEqual([]);
    });
  });
});
