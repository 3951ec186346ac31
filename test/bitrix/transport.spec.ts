import { Logger } from '@nestjs/common';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntegrationError } from '../../src/common/errors';
import { BitrixClient } from '../../src/integrations/bitrix/bitrix.client';
import { FakeBitrix24, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';

const quick = { retryBaseMs: 5, operatingLimitWaitMs: 5, requestsPerSecond: 1000, burst: 1000 };

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IntegrationError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Bitrix24 transport: envelopes, errors and retries', () => {
  let fake: FakeBitrix24;
  let client: BitrixClient;
  const opened: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    fake = await startFakeBitrix24({ rateLimit: false });
    seedPortal(fake, { calls: 120, users: 6 });
    client = new BitrixClient({ webhookUrl: fake.webhookUrl, ...quick, maxRetries: 3 });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
    await client.close();
    await fake.close();
  });

  it('reads result, total, next and time from a list envelope', async () => {
    const response = await client.call<{ ID: string }[]>('voximplant.statistic.get', { SORT: 'ID', ORDER: 'ASC', start: 0 });
    expect(response.result).toHaveLength(50);
    expect(response.total).toBe(120);
    expect(response.next).toBe(50);
    expect(typeof response.time?.start).toBe('number');
    expect(response.time?.date_start).toMatch(/\+03:00$/);
  });

  it('counts every HTTP request it sends, retries included', async () => {
    fake.injectFault({ kind: 'status', status: 500 }, { onRequest: 2 });
    await client.call('department.get');
    await client.call('department.get');
    expect(client.requestsUsed).toBe(3);
    expect(fake.requestCount).toBe(3);
  });

  it.each([
    ['500 INTERNAL_SERVER_ERROR', { kind: 'status', status: 500 } as const],
    ['503 QUERY_LIMIT_EXCEEDED', { kind: 'status', status: 503 } as const],
    ['429 OPERATION_TIME_LIMIT', { kind: 'status', status: 429 } as const],
    ['malformed JSON', { kind: 'malformedJson' } as const],
    ['an HTML gateway page', { kind: 'html', status: 502 } as const],
    ['a dropped connection', { kind: 'drop' } as const],
  ])('retries after %s and then succeeds', async (_name, fault) => {
    fake.injectFault(fault, { times: 2 });
    const response = await client.call<unknown[]>('department.get');
    expect(response.result.length).toBeGreaterThan(0);
    expect(fake.requests.map((r) => r.status)).toEqual([expect.any(Number), expect.any(Number), 200]);
  });

  it('after 429 OPERATION_TIME_LIMIT waits until the method\'s operating time resets, as its last answer said', async () => {
    const limited = await startFakeBitrix24({ rateLimit: false, operatingWindowSec: 2 });
    opened.push(limited);
    seedPortal(limited, { calls: 10, users: 2 });
    const patient = new BitrixClient({ webhookUrl: limited.webhookUrl, ...quick });
    opened.push(patient);
    const first = await patient.call('department.get');
    const resetAtMs = first.time!.operating_reset_at! * 1000;
    limited.injectFault({ kind: 'status', status: 429 }, { times: 1 });

    const asked = Date.now();
    await patient.call('department.get');

    expect(resetAtMs).toBeGreaterThan(asked);
    expect(Date.now()).toBeGreaterThanOrEqual(resetAtMs);
    expect(limited.requests.map((r) => r.status)).toEqual([200, 429, 200]);
  });

  it('retries a request that does not answer within timeoutMs', async () => {
    const impatient = new BitrixClient({ webhookUrl: fake.webhookUrl, ...quick, timeoutMs: 100 });
    opened.push(impatient);
    fake.injectFault({ kind: 'slow', delayMs: 400 }, { onRequest: 1 });
    const response = await impatient.call<unknown[]>('department.get');
    expect(response.result.length).toBeGreaterThan(0);
    expect(impatient.requestsUsed).toBe(2);
  });

  it('gives up after maxRetries with a retryable error', async () => {
    fake.injectFault({ kind: 'status', status: 500 }, { times: 10 });
    const error = await failure(client.call('department.get'));
    expect(error.failure).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(fake.requestCount).toBe(4);
  });

  it('does not retry a wrong webhook secret and never shows the secret', async () => {
    const wrong = new BitrixClient({ webhookUrl: fake.webhookUrl.replace(fake.secret, 'wrongsecret123'), ...quick });
    opened.push(wrong);
    const error = await failure(wrong.call('user.get'));
    expect(error.failure).toBe('auth');
    expect(error.message).toContain('INVALID_CREDENTIALS');
    expect(error.message).not.toContain('wrongsecret123');
    expect(fake.requests).toEqual([expect.objectContaining({ status: 401 })]);
  });

  it('reports a webhook URL without the user segment as a missing method, once', async () => {
    const broken = new BitrixClient({ webhookUrl: `${fake.url}/rest/${fake.secret}`, ...quick });
    opened.push(broken);
    const error = await failure(broken.call('user.get'));
    expect(error.failure).toBe('not_found');
    expect(error.message).not.toContain(fake.secret);
    expect(fake.requestCount).toBe(1);
  });

  it('does not retry insufficient_scope and names the missing grant', async () => {
    const limited = await startFakeBitrix24({ rateLimit: false, scopes: ['user'] });
    const scoped = new BitrixClient({ webhookUrl: limited.webhookUrl, ...quick });
    opened.push(scoped, limited);
    const error = await failure(scoped.call('voximplant.statistic.get'));
    expect(error.failure).toBe('scope');
    expect(error.message).toMatch(/insufficient_scope.*scope/);
    expect(error.message).not.toContain(limited.secret);
    expect(limited.requestCount).toBe(1);
  });

  it('does not retry a write the portal may have run, but does retry one it refused', async () => {
    fake.injectFault({ kind: 'status', status: 500 }, { onRequest: 1 });
    await expect(client.addTimelineComment({ entityType: 'contact', entityId: 15, comment: 'Оценка 8/10' })).rejects.toThrow(IntegrationError);
    expect(fake.requestCount).toBe(1);
    fake.injectFault({ kind: 'status', status: 503 }, { onRequest: 2 });
    await expect(client.addTimelineComment({ entityType: 'contact', entityId: 15, comment: 'Оценка 8/10' })).resolves.toBeGreaterThan(0);
    expect(fake.state.timelineComments).toHaveLength(1);
  });

  it('returns per-command results and errors of a batch', async () => {
    const outcome = await client.batch({
      calls: 'voximplant.statistic.get?SORT=ID&ORDER=ASC&start=-1',
      user: 'user.get?ID=$result[calls][0][PORTAL_USER_ID]',
      missing: 'no.such.method',
      history: 'imopenlines.session.history.get',
    });
    expect((outcome.result.calls as unknown[]).length).toBe(50);
    const calls = outcome.result.calls as { PORTAL_USER_ID: string }[];
    expect((outcome.result.user as { ID: string }[])[0].ID).toBe(calls[0].PORTAL_USER_ID);
    expect(outcome.errors.missing).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    expect(outcome.errors.history.error).toBe('MISSING_REQUIRED_PARAM');
  });

  it('stops a batch at the first failing command with halt', async () => {
    const outcome = await client.batch({ a: 'department.get', b: 'no.such.method', c: 'user.get' }, true);
    expect(Object.keys(outcome.result)).toEqual(['a']);
    expect(Object.keys(outcome.errors)).toEqual(['b']);
  });
  it('follows a renamed portal\'s 302 with the same POST, then calls the new address directly', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    fake.movePortal('/moved');
    const first = await client.call<{ ID: string }[]>('voximplant.statistic.get', { FILTER: { '>ID': 100 }, SORT: 'ID', ORDER: 'ASC' });
    const second = await client.call<unknown[]>('department.get');

    expect(first.result.length).toBeGreaterThan(0);
    expect(first.result.every((row) => Number(row.ID) > 100)).toBe(true);
    expect(second.result.length).toBeGreaterThan(0);
    expect(fake.requests.map((r) => [r.httpMethod, r.status])).toEqual([['POST', 302], ['POST', 200], ['POST', 200]]);
    const warned = warn.mock.calls.map(([message]) => String(message));
    warn.mockRestore();
    expect(warned).toEqual([expect.stringContaining('moved to http://127.0.0.1')]);
    expect(warned.join(' ')).not.toContain(fake.secret);
  });

  it('refuses a redirect away from its webhook and keeps the secret out of the error', async () => {
    const elsewhere = createServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/login?back=1' }).end());
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => elsewhere.close(() => resolve())) });
    const webhookUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/rest/1/${fake.secret}`;
    const moved = new BitrixClient({ webhookUrl, ...quick, maxRetries: 0 });
    opened.push(moved);

    const error = await failure(moved.call('department.get'));

    expect(error.failure).toBe('bad_response');
    expect(error.message).toMatch(/redirected to http:\/\/127\.0\.0\.1:9, which is not this webhook's new address/);
    expect(error.message).not.toContain(fake.secret);
  });
});

describe('Bitrix24 leaky bucket on both sides', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
  });
  it('the client keeps to the rate, so the portal never refuses', async () => {
    const fake = await startFakeBitrix24({ rateLimit: { requestsPerSecond: 20, burst: 5 } });
    const client = new BitrixClient({ webhookUrl: fake.webhookUrl, requestsPerSecond: 20, burst: 5, retryBaseMs: 5 });
    opened.push(client, fake);
    const started = Date.now();
    await Promise.all(Array.from({ length: 15 }, () => client.call('department.get')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(fake.requests.filter((r) => r.status === 503)).toHaveLength(0);
    expect(fake.requestCount).toBe(15);
  });

  it('the client backs off when the portal answers 503 QUERY_LIMIT_EXCEEDED and then succeeds', async () => {
    const fake = await startFakeBitrix24({ rateLimit: { requestsPerSecond: 10, burst: 3 } });
    const client = new BitrixClient({ webhookUrl: fake.webhookUrl, requestsPerSecond: 1000, burst: 1000, retryBaseMs: 50, maxRetries: 8 });
    opened.push(client, fake);
    const results = await Promise.all(Array.from({ length: 8 }, () => client.call<unknown[]>('department.get')));
    expect(results).toHaveLength(8);
    expect(fake.requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.status === 200)).toHaveLength(8);
  });
});
