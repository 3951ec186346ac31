import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';

const API_TOKEN = 'test-api-token-0123456789';

describe('HTTP behaviour', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  describe('with API_TOKEN set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ API_TOKEN, WEBHOOK_TOKEN: 'webhook-token-0123456789', CORS_ORIGINS: 'http://localhost:3000,https://crm.example.com' }, database);
    });
    afterAll(() => t.close());

    it('binds to all interfaces because the API is protected', () => {
      expect(t.config.host).toBe('0.0.0.0');
    });

    it('refuses a request without the token with 401 in the common error format', async () => {
      const res = await request(t.server).get('/api/calls').expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('Bearer') });
    });

    it('refuses a wrong token', async () => {
      await request(t.server).get('/api/calls').set('Authorization', `Bearer ${API_TOKEN}x`).expect(401);
      await request(t.server).get('/api/calls').set('Authorization', API_TOKEN).expect(401);
    });

    it('accepts the right token', async () => {
      await request(t.server).get('/api/calls').set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    });

    it('keeps health and the API documentation public', async () => {
      await request(t.server).get('/api/health').expect(200);
      await request(t.server).get('/api/docs-json').expect(200);
      await request(t.server).get('/api/docs/').expect(200);
    });

    it('answers /health without the token with the status alone, as a load balancer needs it', async () => {
      const anonymous = await request(t.server).get('/api/health').expect(200);
      const wrongToken = await request(t.server).get('/api/health').set('Authorization', `Bearer ${API_TOKEN}x`).expect(200);

      expect(anonymous.body).toEqual({ status: 'ok' });
      expect(wrongToken.body).toEqual({ status: 'ok' });
    });

    it('gives the token holder the details of /health', async () => {
      const res = await request(t.server).get('/api/health').set('Authorization', `Bearer ${API_TOKEN}`).expect(200);

      expect(res.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' } },
        integrations: { incomingWebhook: { configured: true } },
        pipeline: expect.any(Object),
        recordings: expect.any(Object),
      });
    });

    it('answers a CORS preflight from an allowed origin and ignores other origins', async () => {
      const allowed = await request(t.server)
        .options('/api/calls')
        .set('Origin', 'https://crm.example.com')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://crm.example.com');
      const other = await request(t.server).options('/api/calls').set('Origin', 'https://evil.example.org').set('Access-Control-Request-Method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('without API_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({}, database);
    });
    afterAll(() => t.close());

    it('listens on 127.0.0.1 only and serves without a token', async () => {
      expect(t.config.host).toBe('127.0.0.1');
      await request(t.server).get('/api/calls').expect(200);
    });

    it('reports the database and every integration in /health to anyone while the API is open', async () => {
      const res = await request(t.server).get('/api/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info.database.status).toBe('up');
      expect(res.body.integrations).toMatchObject({
        bitrix: { configured: false },
        openai: { configured: false },
        telegram: { configured: false },
        incomingWebhook: { configured: false },
      });
    });

    it('sets security headers and a request id', async () => {
      const res = await request(t.server).get('/api/health').set('X-Request-Id', 'req-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBeDefined();
      expect(res.headers['x-request-id']).toBe('req-123');
    });

    it('answers unknown routes and ids with 404 in the common format', async () => {
      const route = await request(t.server).get('/api/nothing-here').expect(404);
      expect(route.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      const call = await request(t.server).get('/api/calls/999999').expect(404);
      expect(call.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Call 999999 not found' });
      const bad = await request(t.server).get('/api/calls/abc').expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it.each([
      ['GET', '/'],
      ['GET', '/index.html'],
      ['POST', '/webhooks/incoming/x'],
      ['GET', '/apix/calls'],
      ['DELETE', '/api/nothing/here'],
    ])('answers %s %s, which no route serves, with 404 in the common format', async (method, path) => {
      const res = await request(t.server)[method.toLowerCase() as 'get'](path).expect(404);

      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: `Cannot ${method} ${path}` });
    });

    it('rejects malformed and oversized JSON bodies with a clear 4xx and no stack trace', async () => {
      const malformed = await request(t.server).post('/api/calls').set('Content-Type', 'application/json').send('{"a":');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
      const huge = await request(t.server).post('/api/calls').set('Content-Type', 'application/json').send(JSON.stringify({ text: 'x'.repeat(2_000_000) }));
      expect(huge.status).toBe(413);
      expect(huge.body.message).toBe('Request body is too large');
      expect(JSON.stringify(huge.body)).not.toMatch(/at .*\.js/);
    });

    it('documents every route with Bearer auth declared', async () => {
      const res = await request(t.server).get('/api/docs-json').expect(200);
      expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/calls', '/api/calls/{id}', '/api/calls/{id}/audio', '/api/employees', '/api/departments', '/api/health']));
    });

    it('marks the incoming webhook URL of the settings as a credential', async () => {
      const res = await request(t.server).get('/api/docs-json').expect(200);

      expect(res.body.components.schemas.SettingsDto.properties.incomingWebhookUrl.description).toMatch(/^Carries a credential/);
    });
  });
});
