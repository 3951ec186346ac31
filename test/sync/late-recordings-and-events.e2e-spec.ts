import request from 'supertest';
import { IntegrationError } from '../../src/common/errors';
import { FakeBitrix24, FakeRow, generateCallRows, portalDate, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';
import { NOW, startSyncApp, SyncApp } from './sync-support';

const HOUR = 3_600_000;

/** A recent answered call whose recording the telephony attaches later. */
function unrecordedCall(id: number, userId: number, startedAt: Date): FakeRow {
  const [row] = generateCallRows({ count: 1, userIds: [userId], firstId: id, withoutRecording: 1, missed: 0, seed: id });
  return { ...row, CALL_START_DATE: portalDate(startedAt), CALL_DURATION: '120' };
}

function attachRecording(row: FakeRow): void {
  row.RECORD_FILE_ID = 90_000 + Number(row.ID);
  row.CALL_RECORD_URL = `https://storage.example/${row.ID}.mp3`;
}

describe('Late recordings and single calls (ONVOXIMPLANTCALLEND)', () => {
  let fake: FakeBitrix24;
  let t: SyncApp;

  beforeAll(async () => {
    fake = await startFakeBitrix24();
    seedPortal(fake, { calls: 10, users: 5, departments: 2, firstId: 1, since: new Date(NOW.getTime() - 5 * HOUR), withoutRecording: 0, missed: 0, files: false });
    t = await startSyncApp(fake);
    await request(t.server).post('/api/calls/sync').expect(200);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const status = async (callId: string) =>
    (await t.dataSource.query('SELECT id, status, status_reason, awaiting_recording_since FROM calls WHERE bitrix_call_id = $1', [callId]))[0];

  it('keeps a call without its recording new / awaiting_recording, then queues it once a later sync finds the recording', async () => {
    const row = unrecordedCall(100, 1, new Date(NOW.getTime() - 10 * 60_000));
    fake.addStatistics([row]);
    const queued = t.queue.ids.length;
    await request(t.server).post('/api/calls/sync').expect(200);
    const waiting = await status(String(row.CALL_ID));
    expect(waiting).toMatchObject({ status: 'new', status_reason: 'awaiting_recording' });
    expect(waiting.awaiting_recording_since).toEqual(expect.any(Date));
    expect(t.queue.ids.length).toBe(queued);

    t.clock.advance(HOUR);
    attachRecording(row);
    const res = await request(t.server).post('/api/calls/sync').expect(200);
    expect(res.body).toMatchObject({ synced: 0, updated: 1 });
    expect(await status(String(row.CALL_ID))).toMatchObject({ status: 'new', status_reason: null, awaiting_recording_since: null });
    expect(t.queue.ids.slice(queued)).toEqual([waiting.id]);
  });

  it('gives up after 24 hours without a recording: skipped / no_recording', async () => {
    const row = unrecordedCall(101, 2, t.clock.now());
    fake.addStatistics([row]);
    await request(t.server).post('/api/calls/sync').expect(200);
    t.clock.advance(23 * HOUR);
    await request(t.server).post('/api/calls/sync').expect(200);
    expect(await status(String(row.CALL_ID))).toMatchObject({ status: 'new', status_reason: 'awaiting_recording' });
    t.clock.advance(2 * HOUR);
    await request(t.server).post('/api/calls/sync').expect(200);
    expect(await status(String(row.CALL_ID))).toMatchObject({ status: 'skipped', status_reason: 'no_recording' });
  });

  it('syncCall stores one call by CALL_ID, links its employee, queues it, and is idempotent', async () => {
    const row: FakeRow = { ...generateCallRows({ count: 1, userIds: [3], firstId: 200, withoutRecording: 0, missed: 0, seed: 5 })[0], CALL_START_DATE: portalDate(t.clock.now()) };
    fake.addStatistics([row]);
    const queued = t.queue.ids.length;
    const first = await t.sync.syncCall(String(row.CALL_ID));
    expect(first).toEqual({ callId: expect.any(Number), created: true, queued: true });
    expect(t.queue.ids.slice(queued)).toEqual([first!.callId]);
    const [call] = await t.dataSource.query(
      'SELECT c.employee_id, c.manager_name, e.bitrix_user_id FROM calls c JOIN employees e ON e.id = c.employee_id WHERE c.id = $1', [first!.callId]);
    expect(call).toMatchObject({ bitrix_user_id: 3, manager_name: expect.stringMatching(/^[А-ЯЁ]/) });

    expect(await t.sync.syncCall(String(row.CALL_ID))).toEqual({ callId: first!.callId, created: false, queued: false });
    expect(t.queue.ids.length).toBe(queued + 1);
    const later = await request(t.server).post('/api/calls/sync').expect(200);
    expect(later.body).toMatchObject({ created: 0, updated: 0 });
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM calls WHERE bitrix_call_id = $1', [row.CALL_ID])).toEqual([{ n: 1 }]);
  });

  it('syncCall of a call whose employee is new refreshes the employees first; an unknown CALL_ID gives null', async () => {
    fake.state.users.push({ ID: '77', ACTIVE: true, NAME: 'Ёлкина', LAST_NAME: 'Софья', WORK_POSITION: 'Стажёр', UF_DEPARTMENT: [2], USER_TYPE: 'employee' });
    const row = unrecordedCall(300, 77, t.clock.now());
    fake.addStatistics([row]);
    const result = await t.sync.syncCall(String(row.CALL_ID));
    expect(result).toMatchObject({ created: true, queued: false });
    expect(await status(String(row.CALL_ID))).toMatchObject({ status: 'new', status_reason: 'awaiting_recording' });
    const [call] = await t.dataSource.query('SELECT manager_name FROM calls WHERE id = $1', [result!.callId]);
    expect(call.manager_name).toBe('Ёлкина Софья');
    expect(await t.sync.syncCall('no-such-call')).toBeNull();
  });

  it('with analysis.autoProcess off, new calls stay new and nothing is queued', async () => {
    await t.settings.update({ analysis: { autoProcess: false } }, 'test');
    const queued = t.queue.ids.length;
    fake.addStatistics(generateCallRows({ count: 5, userIds: [1], firstId: 400, since: t.clock.now(), withoutRecording: 0, missed: 0, seed: 6 }));
    const res = await request(t.server).post('/api/calls/sync').expect(200);
    expect(res.body.created).toBe(5);
    expect(t.queue.ids.length).toBe(queued);
    const rows = await t.dataSource.query(`SELECT status, status_reason FROM calls WHERE bitrix_stat_id >= 400 AND bitrix_stat_id < 500`);
    expect(rows).toEqual(Array(5).fill({ status: 'new', status_reason: null }));
    await t.settings.update({ analysis: { autoProcess: true } }, 'test');
  });
});

describe('Without BITRIX_WEBHOOK_URL', () => {
  let t: SyncApp;

  beforeAll(async () => {
    t = await startSyncApp(null);
  });
  afterAll(() => t.close());

  it('answers the sync routes with 503 and a clear message, records no run, and the schedule stays quiet', async () => {
    for (const path of ['sync', 'force-sync']) {
      const res = await request(t.server).post(`/api/calls/${path}`).expect(503);
      expect(res.body.message).toMatch(/not configured.*BITRIX_WEBHOOK_URL/);
    }
    expect(await t.scheduler.tick()).toBeNull();
    await expect(t.sync.syncCall('x')).rejects.toMatchObject({ failure: 'not_configured' } satisfies Partial<IntegrationError>);
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM sync_runs')).toEqual([{ n: 0 }]);
    const health = await request(t.server).get('/api/health').expect(200);
    expect(health.body.sync).toEqual({ configured: false, lastRun: null });
  });
});
