import request from 'supertest';
import { Call } from '../../src/calls/entities/call.entity';
import { SettingsService } from '../../src/settings/settings.service';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysis, addCall, addEmployee } from '../support/fixtures';

/** The daily rollups behind analytics must follow every change of the calls, whoever makes it. */
describe('daily analytics rollups', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TIME_ZONE: 'Europe/Moscow' });
  });
  afterAll(() => t.close());

  const rollupTotals = () => t.dataSource.query(
    `SELECT day::text, sum(calls)::int AS calls, sum(score_sum)::int AS score_sum, sum(missed)::int AS missed
       FROM call_daily_stats GROUP BY day HAVING sum(calls) <> 0 ORDER BY day`,
  );

  it('follow inserts, updates, bulk updates and deletes', async () => {
    const anna = await addEmployee(t.dataSource, 'Anna');
    const first = await addCall(t.dataSource, { employeeId: anna.id, startedAt: new Date('2026-05-01T10:00:00Z'), scoreOverall: 40 });
    const second = await addCall(t.dataSource, { employeeId: anna.id, startedAt: new Date('2026-05-01T11:00:00Z'), scoreOverall: 60 });
    expect(await rollupTotals()).toEqual([{ day: '2026-05-01', calls: 2, score_sum: 100, missed: 0 }]);

    await t.dataSource.getRepository(Call).update(first.id, { startedAt: new Date('2026-05-02T10:00:00Z'), scoreOverall: 50 });
    await t.dataSource.query(`UPDATE calls SET missed = true, status = 'skipped'`);
    await t.dataSource.getRepository(Call).delete(second.id);

    expect(await rollupTotals()).toEqual([{ day: '2026-05-02', calls: 1, score_sum: 50, missed: 1 }]);
    const { body } = await request(t.server).get('/api/analytics/summary?from=2026-05-01&to=2026-05-02');
    expect(body.calls.value).toBe(1);
    expect(body.missedCalls.value).toBe(1);
  });

  it('lose every measure of a call deleted on request, its criterion scores too', async () => {
    const startedAt = new Date('2026-06-03T10:00:00Z');
    const kept = await addCall(t.dataSource, { startedAt, scoreOverall: 80, metrics: { talkRatio: { manager: 0.5, client: 0.5 } } });
    const deleted = await addCall(t.dataSource, { startedAt, scoreOverall: 40, metrics: { talkRatio: { manager: 0.7, client: 0.3 } } });
    await addAnalysis(t.dataSource, kept, { scores: { greeting: 90, needs: 80, closing: 70 } });
    await addAnalysis(t.dataSource, deleted, { scores: { greeting: 30, needs: 20, closing: 10 } });
    const criteria = () => t.dataSource.query(
      `SELECT sum(greeting_sum)::int AS greeting_sum, sum(greeting_count)::int AS greeting_count, sum(closing_sum)::int AS closing_sum,
              round(sum(talk_sum)::numeric, 2)::float AS talk_sum, sum(analyzed)::int AS analyzed
         FROM call_daily_stats WHERE day = '2026-06-03'`,
    );
    expect(await criteria()).toEqual([{ greeting_sum: 120, greeting_count: 2, closing_sum: 80, talk_sum: 1.2, analyzed: 2 }]);

    await request(t.server).delete(`/api/calls/${deleted.id}`).expect(204);

    expect(await criteria()).toEqual([{ greeting_sum: 90, greeting_count: 1, closing_sum: 70, talk_sum: 0.5, analyzed: 1 }]);
  });

  it('are rebuilt in the new zone when the settings time zone changes', async () => {
    // 20:30 UTC on 9 May is 23:30 that day in Moscow and 06:30 on 10 May in Vladivostok (UTC+10).
    await addCall(t.dataSource, { startedAt: new Date('2026-05-09T20:30:00Z') });
    const moscow = await request(t.server).get('/api/analytics/trends?from=2026-05-09&to=2026-05-10');
    expect(moscow.body.series.map((point: { calls: number }) => point.calls)).toEqual([1, 0]);

    await t.app.get(SettingsService).update({ timeZone: 'Asia/Vladivostok' }, 'test');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const vladivostok = await request(t.server).get('/api/analytics/trends?from=2026-05-09&to=2026-05-10');

    expect(vladivostok.body.timeZone).toBe('Asia/Vladivostok');
    expect(vladivostok.body.series.map((point: { calls: number }) => point.calls)).toEqual([0, 1]);
    expect(await t.dataSource.query('SELECT time_zone FROM analytics_rollup_zone')).toEqual([{ time_zone: 'Asia/Vladivostok' }]);
  });
});
