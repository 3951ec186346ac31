import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { IntegrationStatusService } from '../../src/integrations/integration-status.service';

const BITRIX_WEBHOOK_URL = 'https://portal.example.com/rest/1/bitrixsecret0123456789/';
const OPENAI_API_KEY = 'sk-test-openai-secret-0123456789';
const TELEGRAM_BOT_TOKEN = '123456:telegramSecretToken0123456789';
const API_TOKEN = 'api-token-secret-0123456789';
const WEBHOOK_TOKEN = 'webhook-token-0123456789abcdef';
const SECRETS = [BITRIX_WEBHOOK_URL, 'bitrixsecret0123456789', OPENAI_API_KEY, TELEGRAM_BOT_TOKEN, API_TOKEN];

describe('Settings with integrations and an API token', () => {
  let t: TestApp;
  const auth = { Authorization: `Bearer ${API_TOKEN}` };

  beforeAll(async () => {
    t = await startTestApp({
      API_TOKEN,
      WEBHOOK_TOKEN,
      BITRIX_WEBHOOK_URL,
      OPENAI_API_KEY,
      TELEGRAM_BOT_TOKEN,
      TELEGRAM_CHAT_ID: '-100123',
      PUBLIC_BASE_URL: 'https://crm.example.com/',
    });
    const status = t.app.get(IntegrationStatusService);
    await status.recordSuccess('openai');
    await status.recordFailure('bitrix', `auth: the portal refused ${BITRIX_WEBHOOK_URL}profile.json`);
  });

  afterAll(() => t.close());

  it('needs the API token', async () => {
    await request(t.server).get('/api/settings').expect(401);
    await request(t.server).post('/api/settings').send({ timeZone: 'UTC' }).expect(401);
    await request(t.server).get('/api/settings/history').expect(401);
  });

  it('shows which integrations are configured and how they last went, never a secret', async () => {
    const res = await request(t.server).get('/api/settings').set(auth).expect(200);
    const { integrations } = res.body;
    expect(integrations.bitrix).toMatchObject({ configured: true, reachable: false, failingSince: expect.any(String) });
    expect(integrations.bitrix.lastError).toContain('the portal refused');
    expect(integrations.openai).toMatchObject({ configured: true, reachable: true, lastSuccessAt: expect.any(String), lastError: null, detail: 'model gpt-4o' });
    expect(integrations.telegram).toMatchObject({ configured: true, reachable: null });
    expect(integrations.incomingWebhook.configured).toBe(true);
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
  });

  it('builds the incoming webhook URL from the public base URL and the webhook token', async () => {
    const { body } = await request(t.server).get('/api/settings').set(auth).expect(200);
    expect(body.incomingWebhookUrl).toBe(`https://crm.example.com/api/webhooks/incoming/${WEBHOOK_TOKEN}`);
    expect(body.incomingWebhookHint).toBeNull();
  });

  it('records that a change was made with the API token', async () => {
    const res = await request(t.server).post('/api/settings').set(auth).send({ crm: { writeBack: true } }).expect(201);
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
    const { body } = await request(t.server).get('/api/settings/history').set(auth).expect(200);
    expect(body.items[0]).toMatchObject({ actor: 'api-token', changedKeys: ['crm.writeBack'] });
    expect(body.items[0].values.crm.writeBack).toBe(true);
    for (const secret of [...SECRETS, WEBHOOK_TOKEN]) expect(JSON.stringify(body)).not.toContain(secret);
  });
});
