import request from 'supertest';
import { FakeBitrix24, FakeRow, generateCallRows, portalDate, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';
import { callRows, cursorValue, NOW, startSyncApp, SyncApp } from './sync-support';

const DAY = 86_400_000;
const ids = (rows: FakeRow[]) => rows.map((row) => Number(row.ID));
const isMissed = (row: FakeRow) => row.CALL_FAILED_CODE !== '200' || row.CALL_DURATION === '0';
const isRecorded = (row: FakeRow) => row.RECORD_FILE_ID !== null || row.CALL_RECORD_URL !== '';

describe('Calls sync from Bitrix24: backfill, incremental, idempotent', () => {
  let fake: FakeBitrix24;
  let t: SyncApp;
  let inWindow: FakeRow[];

  beforeAll(async () => {
    fake = await startFakeBitrix24();
    fake.addStatistics(generateCallRows({ count: 20, userIds: [1, 2], firstId: 1, since: new Date(NOW.getTime() - 40 * DAY), seed: 3 }));
    seedPortal(fake, { calls: 300, users: 12, departments: 3, firstId: 100, since: new Date(NOW.getTime() - 3 * DAY), files: false });
    inWindow = fake.state.statistics.filter((row) => Number(row.ID) >= 100);
    t = await startSyncApp(fake);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const post = (path: string, body?: object) => request(t.server).post(`/api/calls/${path}`).send(body ?? {});

  it('backfills sync.backfillDays of history on the first sync and sets the cursor to the last row', async () => {
    const res = await post('sync').expect(200);
    expect(res.body).toMatchObject({ ok: true, synced: 300, created: 300, updated: 0 });
    expect(res.body.runId).toEqual(expect.any(Number));
    expect(res.body.requestsUsed).toBeLessThanOrEqual(4);
    expect(res.body.durationMs).toEqual(expect.any(Number));
    const calls = await callRows(t);
    expect(calls.map((call) => call.stat_id)).toEqual(ids(inWindow));
    expect(await cursorValue(t)).toBe(Math.max(...ids(inWindow)));
    const [run] = await t.dataSource.query(`SELECT trigger, status, range_from, cursor_to FROM sync_runs WHERE id = $1`, [res.body.runId]);
    expect(run).toMatchObject({ trigger: 'backfill', status: 'succeeded', cursor_to: String(Math.max(...ids(inWindow))) });
    expect(new Date(run.range_from).toISOString()).toBe(new Date(NOW.getTime() - 30 * DAY).toISOString());
  });

  it('stores employees with Russian names, positions, the active flag and our department ids, primary first', async () => {
    const departments: { id: number; bitrix_id: number; name: string; parent_id: number | null }[] =
      await t.dataSource.query('SELECT id, bitrix_id, name, parent_id FROM departments ORDER BY bitrix_id');
    expect(departments.map((d) => d.name)).toEqual(fake.state.departments.map((d) => d.NAME));
    const root = departments.find((d) => d.bitrix_id === 1)!;
    expect(departments.filter((d) => d.bitrix_id !== 1).every((d) => d.parent_id === root.id)).toBe(true);
    const employees: { bitrix_user_id: number; name: string; position: string; active: boolean; department_ids: number[] }[] =
      await t.dataSource.query('SELECT bitrix_user_id, name, position, active, department_ids FROM employees ORDER BY bitrix_user_id');
    expect(employees).toHaveLength(12);
    const user = fake.state.users[9];
    const stored = employees[9];
    expect(stored).toMatchObject({ name: `${user.NAME} ${user.LAST_NAME}`, position: user.WORK_POSITION, active: false });
    expect(stored.name).toMatch(/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
    const bitrixDepartment = (user.UF_DEPARTMENT as number[])[0];
    expect(stored.department_ids).toEqual([departments.find((d) => d.bitrix_id === bitrixDepartment)!.id]);
  });

  it('maps every row: employee link and name, UTC start, direction, missed and recording statuses', async () => {
    const calls = await callRows(t);
    const employees: { id: number; bitrix_user_id: number; name: string }[] = await t.dataSource.query('SELECT id, bitrix_user_id, name FROM employees');
    inWindow.forEach((row, index) => {
      const call = calls[index];
      const employee = employees.find((e) => e.bitrix_user_id === Number(row.PORTAL_USER_ID))!;
      expect(call).toMatchObject({ bitrix_call_id: row.CALL_ID, employee_id: employee.id, manager_name: employee.name });
      expect((call.started_at as Date).getTime()).toBe(Date.parse(String(row.CALL_START_DATE)));
      if (isMissed(row)) expect(call).toMatchObject({ status: 'skipped', status_reason: 'missed' });
      else if (isRecorded(row)) expect(call).toMatchObject({ status: 'new', status_reason: null });
      // Rows three days old that never got a recording are past the 24-hour wait already.
      else expect(call).toMatchObject({ status: 'skipped', status_reason: 'no_recording' });
    });
    expect(calls.some((call) => call.status_reason === 'missed')).toBe(true);
  });

  it('hands the new calls that have a recording to processing (autoProcess on)', async () => {
    const ready = (await callRows(t)).filter((call) => call.status === 'new').map((call) => call.id);
    expect(t.queue.ids.sort((a, b) => a - b)).toEqual(ready.sort((a, b) => (a as number) - (b as number)));
  });

  it('changes nothing when run again: from the cursor, and as a re-read of the whole period', async () => {
    const before = await callRows(t);
    const again = await post('sync').expect(200);
    expect(again.body).toMatchObject({ ok: true, synced: 0, created: 0, updated: 0 });
    const reread = await post('sync-range', { from: '2025-02-20', to: '2025-03-01' }).expect(200);
    expect(reread.body).toMatchObject({ synced: 300, created: 0, updated: 0 });
    expect(await callRows(t)).toEqual(before);
  });

  it('syncs only what is new after the cursor, and counts a real change of a known row as updated', async () => {
    const queuedBefore = t.queue.ids.length;
    const added = generateCallRows({ count: 40, userIds: [1, 2, 3], firstId: 1000, since: new Date(NOW.getTime() - 3_600_000), withoutRecording: 0, missed: 0, seed: 9 });
    fake.addStatistics(added);
    const res = await post('sync').expect(200);
    expect(res.body).toMatchObject({ synced: 40, created: 40, updated: 0 });
    expect(await cursorValue(t)).toBe(Math.max(...ids(added)));
    expect(t.queue.ids.length - queuedBefore).toBe(40);

    added[0].CRM_ENTITY_ID = '777';
    added[1].CALL_DURATION = '999';
    const forced = await post('force-sync').expect(200);
    expect(forced.body).toMatchObject({ created: 0, updated: 2 });
    const [changed] = await t.dataSource.query('SELECT crm_entity_id FROM calls WHERE bitrix_call_id = $1', [added[0].CALL_ID]);
    expect(changed.crm_entity_id).toBe(777);
    expect(t.queue.ids.length - queuedBefore).toBe(40);
  });

  it('reads the portal offset (+03:00) and stores UTC', async () => {
    const row = generateCallRows({ count: 1, userIds: [1], firstId: 2000, withoutRecording: 0, missed: 0, seed: 4 })[0];
    row.CALL_START_DATE = '2025-03-01T10:30:00+03:00';
    fake.addStatistics([row]);
    await post('sync').expect(200);
    const [call] = await t.dataSource.query('SELECT started_at FROM calls WHERE bitrix_call_id = $1', [row.CALL_ID]);
    expect((call.started_at as Date).toISOString()).toBe('2025-03-01T07:30:00.000Z');
  });

  it('syncs a date range, and refuses bad ranges with a 400 naming the field', async () => {
    const day = portalDate(new Date(NOW.getTime() - 3 * DAY)).slice(0, 10);
    const res = await post('sync-range', { from: day, to: day }).expect(200);
    expect(res.body.synced).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ created: 0, updated: 0 });
    const [run] = await t.dataSource.query(`SELECT trigger, range_from, range_to, cursor_from FROM sync_runs WHERE id = $1`, [res.body.runId]);
    expect(run).toMatchObject({ trigger: 'range', cursor_from: null });

    const bad = async (body: object, field: string) => {
      const reply = await post('sync-range', body).expect(400);
      expect(reply.body.message).toMatch(new RegExp(`^${field}`));
    };
    await bad({ to: '2025-02-01' }, 'from');
    await bad({ from: 'yesterday', to: '2025-02-01' }, 'from');
    await bad({ from: '2025-02-10', to: '2025-02-01' }, 'to');
    await bad({ from: '2023-01-01', to: '2025-02-01' }, 'to');
    await bad({ from: '2025-02-01', to: '2025-03-05' }, 'to');
    await bad({ from: '2025-03-04', to: '2025-03-05' }, 'from');
  });

  it('lists the runs latest first, paginated, and shows the last one in /api/health', async () => {
    const page = await request(t.server).get('/api/calls/sync/runs').query({ page: 1, pageSize: 2 }).expect(200);
    expect(page.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(page.body.total).toBeGreaterThanOrEqual(7);
    expect(page.body.items).toHaveLength(2);
    const [latest, previous] = page.body.items;
    expect(latest.id).toBeGreaterThan(previous.id);
    expect(latest).toMatchObject({ trigger: 'range', status: 'succeeded', error: null });
    expect(latest.instance).toEqual(expect.any(String));
    await request(t.server).get('/api/calls/sync/runs').query({ pageSize: 0 }).expect(400);
    const health = await request(t.server).get('/api/health').expect(200);
    expect(health.body.sync).toMatchObject({ configured: true, lastRun: { id: latest.id, status: 'succeeded' } });
    expect(health.body.integrations.bitrix).toMatchObject({ configured: true, failingSince: null });
    expect(health.body.integrations.bitrix.lastSuccessAt).toEqual(expect.any(String));
  });
});
