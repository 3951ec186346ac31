import request from 'supertest';
import { FakeBitrix24, RestError, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cursorValue, NOW, settled, startSyncApp, SyncApp } from './sync-support';

const DAY = 86_400_000;
const recent = { since: new Date(NOW.getTime() - 10 * DAY), files: false } as const;

async function storedIds(t: SyncApp): Promise<number[]> {
  return (await t.dataSource.query('SELECT bitrix_stat_id::int AS id FROM calls ORDER BY bitrix_stat_id')).map((row: { id: number }) => row.id);
}

describe('Calls sync: faults, rate limits and credentials', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  it('resumes after a failure half-way from the last stored row: no gaps, no duplicates', async () => {
    const fake = await startFakeBitrix24();
    seedPortal(fake, { calls: 6_000, users: 20, ...recent });
    const t = await startSyncApp(fake);
    open.push(fake, t);
    fake.failMethod('voximplant.statistic.get', new RestError(400, 'ERROR_CORE', 'SQL query error!'), { afterCalls: 70, times: 1 });

    const failed = await request(t.server).post('/api/calls/sync').expect(502);
    expect(failed.body.message).toMatch(/ERROR_CORE/);
    const all = fake.state.statistics.map((row) => Number(row.ID));
    const cursor = await cursorValue(t);
    expect(cursor).toBe(all[70 * 50 - 1]);
    expect(await storedIds(t)).toEqual(all.slice(0, 70 * 50));
    const [run] = await t.dataSource.query(`SELECT status, error, fetched, cursor_to FROM sync_runs ORDER BY id DESC LIMIT 1`);
    expect(run).toMatchObject({ status: 'failed', fetched: 3_500, cursor_to: String(cursor) });
    expect(run.error).toMatch(/ERROR_CORE/);

    const resumed = await request(t.server).post('/api/calls/sync').expect(200);
    expect(resumed.body).toMatchObject({ synced: 2_500, created: 2_500, updated: 0 });
    expect(await storedIds(t)).toEqual(all);
    expect(await cursorValue(t)).toBe(all[all.length - 1]);
  });

  it('backs off when the portal answers 503 QUERY_LIMIT_EXCEEDED and still stores every row', async () => {
    const fake = await startFakeBitrix24({ rateLimit: { requestsPerSecond: 4, burst: 2 } });
    seedPortal(fake, { calls: 400, users: 8, ...recent });
    const t = await startSyncApp(fake, { client: { requestsPerSecond: 100, burst: 100 } });
    open.push(fake, t);
    fake.injectFault({ kind: 'status', status: 503 }, { times: 2 });
    const res = await request(t.server).post('/api/calls/sync').expect(200);
    expect(res.body).toMatchObject({ synced: 400, created: 400 });
    expect(fake.requests.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(2);
    expect(res.body.requestsUsed).toBe(fake.requestCount);
    expect(await storedIds(t)).toEqual(fake.state.statistics.map((row) => Number(row.ID)));
  });

  it('reports bad credentials clearly, without the secret, and stores nothing', async () => {
    const fake = await startFakeBitrix24({ secret: 'realsecret123' });
    seedPortal(fake, { calls: 100, users: 5, ...recent });
    const t = await startSyncApp(fake, { webhookUrl: `${fake.url}/rest/1/revokedsecret99` });
    open.push(fake, t);
    const res = await request(t.server).post('/api/calls/sync').expect(502);
    expect(res.body.message).toMatch(/INVALID_CREDENTIALS.*check BITRIX_WEBHOOK_URL/);
    expect(JSON.stringify(res.body)).not.toContain('revokedsecret99');
    const [run] = await t.dataSource.query(`SELECT status, error FROM sync_runs`);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^auth: .*INVALID_CREDENTIALS/);
    expect(run.error).not.toContain('revokedsecret99');
    expect(await cursorValue(t)).toBeNull();
    for (const table of ['calls', 'employees', 'departments']) {
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    }
    const health = await request(t.server).get('/api/health').expect(200);
    expect(health.body.integrations.bitrix.lastError).toMatch(/auth: .*INVALID_CREDENTIALS/);
    expect(health.body.integrations.bitrix.failingSince).toEqual(expect.any(String));
    expect(health.body.sync.lastRun).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(health.body)).not.toContain('revokedsecret99');
  });
});

describe('Calls sync: one run at a time', () => {
  let fake: FakeBitrix24;
  let database: TestDatabase;
  let a: SyncApp;
  let b: SyncApp;

  beforeAll(async () => {
    fake = await startFakeBitrix24({ latencyMs: 150 });
    seedPortal(fake, { calls: 3_000, users: 10, ...recent });
    database = await createTestDatabase();
    a = await startSyncApp(fake, { database, replyWaitMs: 100 });
    b = await startSyncApp(fake, { database, replyWaitMs: 100 });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
    await fake.close();
  });

  it('answers 202 with the runId for a long run and 409 with the same runId to a second request, on any instance', async () => {
    const first = await request(a.server).post('/api/calls/sync').expect(202);
    expect(first.body).toEqual({ ok: true, runId: expect.any(Number), status: 'running' });
    const same = await request(a.server).post('/api/calls/force-sync').expect(409);
    expect(same.body).toMatchObject({ statusCode: 409, runId: first.body.runId });
    const other = await request(b.server).post('/api/calls/sync').expect(409);
    expect(other.body).toMatchObject({ runId: first.body.runId, message: expect.stringMatching(/already running/) });
    await settled(a);
    const runs = await request(b.server).get('/api/calls/sync/runs').expect(200);
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0]).toMatchObject({ id: first.body.runId, status: 'succeeded', fetched: 3_000 });
  });

  it('lets only one of two instances run a scheduled sync that is due on both', async () => {
    a.clock.advance(DAY);
    b.clock.advance(DAY);
    const started = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    const runs = started.filter((run) => run !== null);
    expect(runs).toHaveLength(1);
    await runs[0]!.done;
    expect(await a.dataSource.query(`SELECT trigger, count(*)::int AS n FROM sync_runs WHERE trigger = 'cron' GROUP BY trigger`)).toEqual([{ trigger: 'cron', n: 1 }]);
  });

  it('follows a change of sync.intervalMinutes at the next tick, and sync.enabled off stops it', async () => {
    await a.settings.update({ sync: { intervalMinutes: 30 } }, 'test');
    a.clock.advance(10 * 60_000);
    expect(await a.scheduler.tick()).toBeNull();
    await request(a.server).post('/api/settings').send({ sync: { intervalMinutes: 5 } }).expect(201);
    const run = await a.scheduler.tick();
    expect(run).not.toBeNull();
    await run!.done;
    a.clock.advance(6 * 60_000);
    await a.settings.update({ sync: { enabled: false } }, 'test');
    expect(await a.scheduler.tick()).toBeNull();
    await a.settings.update({ sync: { enabled: true } }, 'test');
    const next = await a.scheduler.tick();
    expect(next).not.toBeNull();
    await next!.done;
  });
});
