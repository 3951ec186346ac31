import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

const TOKEN = 'webhook-token-0123456789abcdef';
const WRONG = 'guess-0123456789abcdef';
const LIMIT = 10;

const event = { type: 'call', externalId: 'pbx-1', clientPhone: '+79161234567', managerName: 'Анна', startedAt: '2026-11-20T12:15:00+03:00', durationSec: 60, direction: 'outgoing', recordUrl: 'https://pbx.example.com/1.mp3' };

describe('wrong incoming-webhook tokens and the limiter', () => {
  describe('without TRUST_PROXY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ WEBHOOK_TOKEN: TOKEN });
    });
    afterAll(() => t.close());

    it('counts misses by the connecting address: a rotating X-Forwarded-For does not escape the limit', async () => {
      const guess = (n: number) => request(t.server).post(`/api/webhooks/incoming/${WRONG}`).set('X-Forwarded-For', `203.0.113.${n}`).send(event);
      for (let n = 1; n <= LIMIT; n++) await guess(n).expect(404);

      const limited = await guess(LIMIT + 1).expect(429);

      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('behind a proxy named in TRUST_PROXY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ WEBHOOK_TOKEN: TOKEN, TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    const from = (address: string) => ({ 'X-Forwarded-For': address });

    it('answers an upper-case path with a wrong token and an unreadable body 404, and counts it', async () => {
      const guess = () => request(t.server).post(`/API/WEBHOOKS/INCOMING/${WRONG.toUpperCase()}`).set(from('198.51.100.1'))
        .set('Content-Type', 'application/json').send('{"type":');
      for (let miss = 0; miss < LIMIT; miss++) {
        const res = await guess().expect(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found' });
      }

      await guess().expect(429);
    });

    it('limits the client the proxy names, not the proxy itself', async () => {
      const guess = (address: string) => request(t.server).post(`/api/webhooks/incoming/${WRONG}`).set(from(address)).send(event);
      for (let miss = 0; miss < LIMIT; miss++) await guess('198.51.100.2').expect(404);

      await guess('198.51.100.2').expect(429);
      await guess('198.51.100.3').expect(404);
    });
  });
});
