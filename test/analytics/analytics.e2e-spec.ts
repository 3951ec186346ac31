import request from 'supertest';
import { DeepPartial } from 'typeorm';
import { Call } from '../../src/calls/entities/call.entity';
import { Employee } from '../../src/employees/employee.entity';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysis, addCall, addDepartment, addEmployee } from '../support/fixtures';

const WEEK = 'from=2026-03-02&to=2026-03-08';

/**
 * A fixed data set in Europe/Moscow (UTC+3): the week 2 to 8 March 2026 and the week before it.
 * Calls near midnight check that days are Moscow days, not UTC days.
 */
describe('analytics over a fixed data set', () => {
  let t: TestApp;
  let anna: Employee;
  let boris: Employee;
  let gleb: Employee;
  let vera: Employee;

  async function analysedCall(fields: DeepPartial<Call>, scores: number[], talk = 0.5): Promise<Call> {
    const call = await addCall(t.dataSource, { ...fields, metrics: { talkRatio: { manager: talk, client: 1 - talk } } });
    const [greeting, needs, presentation, objections, closing, tone] = scores;
    await addAnalysis(t.dataSource, call, { scores: { greeting, needs, presentation, objections, closing, tone, overall: fields.scoreOverall } });
    return call;
  }

  beforeAll(async () => {
    t = await startTestApp({ TIME_ZONE: 'Europe/Moscow' });
    const sales = await addDepartment(t.dataSource, 'Sales');
    const support = await addDepartment(t.dataSource, 'Support');
    anna = await addEmployee(t.dataSource, 'Anna Smirnova', [sales]);
    boris = await addEmployee(t.dataSource, 'Boris Kuznetsov', [sales, support]);
    vera = await addEmployee(t.dataSource, 'Vera Ivanova', [support]);
    gleb = await addEmployee(t.dataSource, 'Gleb Orlov', [sales]);
    const ivan = await addEmployee(t.dataSource, 'Ivan Departed', [sales]);
    await t.dataSource.getRepository(Employee).update(ivan.id, { active: false });

    // 00:30 on 2 March in Moscow is still 1 March in UTC: it belongs to the week.
    await analysedCall({ employeeId: anna.id, startedAt: new Date('2026-03-01T21:30:00Z'), durationSec: 100, scoreOverall: 80, riskLevel: 'low',
      clientSentiment: 'positive', products: ['CRM'], tags: ['цена'] }, [5, 4, 4, 3, 4, 5], 0.6);
    await analysedCall({ employeeId: anna.id, direction: 'outgoing', startedAt: new Date('2026-03-04T10:00:00Z'), durationSec: 200, scoreOverall: 60,
      riskLevel: 'medium', clientSentiment: 'neutral', products: ['CRM', 'Телефония'], refusalReasons: ['дорого'] }, [3, 3, 3, 3, 3, 3], 0.4);
    await addCall(t.dataSource, { employeeId: anna.id, startedAt: new Date('2026-03-05T10:00:00Z'), durationSec: 0, missed: true, status: 'skipped' });
    // 23:30 on 1 March in Moscow: the previous week.
    await analysedCall({ employeeId: anna.id, startedAt: new Date('2026-03-01T20:30:00Z'), scoreOverall: 50, riskLevel: 'medium',
      products: ['CRM'], refusalReasons: ['дорого'] }, [2, 2, 2, 2, 2, 2]);

    // 23:30 on 8 March in Moscow: the last day of the week; 00:30 on 9 March is outside it.
    await analysedCall({ employeeId: boris.id, startedAt: new Date('2026-03-08T20:30:00Z'), durationSec: 300, scoreOverall: 30, riskLevel: 'high',
      clientSentiment: 'negative', tags: ['жалоба'], refusalReasons: ['дорого', 'нет бюджета'] }, [1, 2, 2, 1, 1, 2], 0.8);
    await addCall(t.dataSource, { employeeId: boris.id, direction: 'callback', startedAt: new Date('2026-03-03T12:00:00Z'), durationSec: 120, status: 'transcribed' });
    await analysedCall({ employeeId: boris.id, startedAt: new Date('2026-03-08T21:30:00Z'), scoreOverall: 99, riskLevel: 'low' }, [5, 5, 5, 5, 5, 5]);
    await analysedCall({ employeeId: boris.id, startedAt: new Date('2026-02-25T10:00:00Z'), scoreOverall: 40, riskLevel: 'medium' }, [2, 2, 2, 2, 2, 2]);

    await analysedCall({ employeeId: vera.id, startedAt: new Date('2026-02-24T10:00:00Z'), scoreOverall: 90, riskLevel: 'low' }, [5, 5, 5, 5, 5, 5]);
    // A call nobody is linked to counts in the totals, not on the leaderboard.
    await analysedCall({ employeeId: null, startedAt: new Date('2026-03-03T09:00:00Z'), durationSec: 50, scoreOverall: 70, riskLevel: 'low' }, [4, 4, 4, 4, 4, 4]);
  });

  afterAll(() => t.close());

  const get = (path: string) => request(t.server).get(`/api/analytics/${path}`);

  describe('GET /api/analytics/employees', () => {
    it('ranks employees by average score with counts, durations, criteria, risk and talk share', async () => {
      const { status, body } = await get(`employees?${WEEK}`);

      expect(status).toBe(200);
      expect(body).toMatchObject({ from: '2026-03-02', to: '2026-03-08', previous: { from: '2026-02-23', to: '2026-03-01' } });
      expect(body.items.map((item: { name: string }) => item.name)).toEqual(['Anna Smirnova', 'Boris Kuznetsov', 'Gleb Orlov', 'Vera Ivanova']);
      expect(body.items[0]).toEqual({
        employeeId: anna.id, name: 'Anna Smirnova', department: 'Sales', departments: ['Sales'],
        calls: 3, analyzedCalls: 2, missedCalls: 1, totalDurationSec: 300, avgDurationSec: 150,
        avgScore: 70, prevAvgScore: 50, scoreDelta: 20,
        criteria: { greeting: 4, needs: 3.5, presentation: 3.5, objections: 3, closing: 3.5, tone: 4 },
        riskCounts: { low: 1, medium: 1, high: 0 }, talkRatio: 0.5, rank: 1,
      });
      expect(body.items[1]).toMatchObject({
        employeeId: boris.id, department: 'Sales', departments: ['Sales', 'Support'], calls: 2, analyzedCalls: 1, missedCalls: 0,
        totalDurationSec: 420, avgDurationSec: 210, avgScore: 30, prevAvgScore: 40, scoreDelta: -10,
        criteria: { greeting: 1, needs: 2, presentation: 2, objections: 1, closing: 1, tone: 2 },
        riskCounts: { low: 0, medium: 0, high: 1 }, talkRatio: 0.8, rank: 2,
      });
    });

    it('lists active employees without calls with zeros, and the previous score when they had one', async () => {
      const { body } = await get(`employees?${WEEK}`);

      const zeros = { calls: 0, analyzedCalls: 0, missedCalls: 0, totalDurationSec: 0, avgDurationSec: null, avgScore: null, talkRatio: null,
        riskCounts: { low: 0, medium: 0, high: 0 }, criteria: { greeting: null, needs: null, presentation: null, objections: null, closing: null, tone: null } };
      expect(body.items[2]).toEqual({ ...zeros, employeeId: gleb.id, name: 'Gleb Orlov', department: 'Sales', departments: ['Sales'], prevAvgScore: null, scoreDelta: null, rank: 3 });
      expect(body.items[3]).toMatchObject({ ...zeros, employeeId: vera.id, prevAvgScore: 90, scoreDelta: null, rank: 4 });
      expect(body.items.map((item: { name: string }) => item.name)).not.toContain('Ivan Departed');
    });

    it('filters by department (any of an employee’s departments), direction and employee', async () => {
      const support = await get(`employees?${WEEK}&department=support`);
      expect(support.body.items.map((item: { name: string; rank: number }) => [item.name, item.rank])).toEqual([['Boris Kuznetsov', 1], ['Vera Ivanova', 2]]);

      const incoming = await get(`employees?${WEEK}&direction=incoming`);
      expect(incoming.body.items[0]).toMatchObject({ name: 'Anna Smirnova', calls: 2, analyzedCalls: 1, avgScore: 80, prevAvgScore: 50 });
      expect(incoming.body.items[1]).toMatchObject({ name: 'Boris Kuznetsov', calls: 1 });

      const one = await get(`employees?${WEEK}&employeeId=${boris.id}`);
      expect(one.body.items).toHaveLength(1);
      expect(one.body.items[0]).toMatchObject({ name: 'Boris Kuznetsov', calls: 2, rank: 1 });
    });

    it('answers an empty period with every active employee at zero', async () => {
      const { body } = await get('employees?from=2025-01-01&to=2025-01-03');

      expect(body.items).toHaveLength(4);
      for (const item of body.items) expect(item).toMatchObject({ calls: 0, avgScore: null, prevAvgScore: null });
    });
  });

  describe('GET /api/analytics/trends', () => {
    it('buckets by Moscow day, with empty days as zeros', async () => {
      const { status, body } = await get(`trends?${WEEK}&granularity=day`);

      expect(status).toBe(200);
      expect(body.series).toEqual([
        { date: '2026-03-02', calls: 1, analyzedCalls: 1, avgScore: 80, highRiskCalls: 0, avgDurationSec: 100 },
        { date: '2026-03-03', calls: 2, analyzedCalls: 1, avgScore: 70, highRiskCalls: 0, avgDurationSec: 85 },
        { date: '2026-03-04', calls: 1, analyzedCalls: 1, avgScore: 60, highRiskCalls: 0, avgDurationSec: 200 },
        { date: '2026-03-05', calls: 1, analyzedCalls: 0, avgScore: null, highRiskCalls: 0, avgDurationSec: null },
        { date: '2026-03-06', calls: 0, analyzedCalls: 0, avgScore: null, highRiskCalls: 0, avgDurationSec: null },
        { date: '2026-03-07', calls: 0, analyzedCalls: 0, avgScore: null, highRiskCalls: 0, avgDurationSec: null },
        { date: '2026-03-08', calls: 1, analyzedCalls: 1, avgScore: 30, highRiskCalls: 1, avgDurationSec: 300 },
      ]);
    });

    it('buckets by Monday-based week and by month', async () => {
      const week = await get(`trends?${WEEK}&granularity=week`);
      const month = await get(`trends?${WEEK}&granularity=month`);

      const whole = { calls: 6, analyzedCalls: 4, avgScore: 60, highRiskCalls: 1, avgDurationSec: 154 };
      expect(week.body.series).toEqual([{ date: '2026-03-02', ...whole }]);
      expect(month.body.series).toEqual([{ date: '2026-03-01', ...whole }]);
      const twoWeeks = await get('trends?from=2026-02-25&to=2026-03-03&granularity=week');
      expect(twoWeeks.body.series.map((point: { date: string }) => point.date)).toEqual(['2026-02-23', '2026-03-02']);
    });

    it('counts products, refusal reasons and tags against the previous period, and client sentiment', async () => {
      const { body } = await get(`trends?${WEEK}`);

      expect(body.products).toEqual([
        { name: 'CRM', count: 2, previousCount: 1, change: 1 },
        { name: 'Телефония', count: 1, previousCount: 0, change: 1 },
      ]);
      expect(body.refusalReasons).toEqual([
        { name: 'дорого', count: 2, previousCount: 1, change: 1 },
        { name: 'нет бюджета', count: 1, previousCount: 0, change: 1 },
      ]);
      expect(body.tags).toEqual([
        { name: 'жалоба', count: 1, previousCount: 0, change: 1 },
        { name: 'цена', count: 1, previousCount: 0, change: 1 },
      ]);
      expect(body.sentiment).toEqual({ positive: 1, neutral: 1, negative: 1 });
    });

    it('applies the employee filter to every part', async () => {
      const { body } = await get(`trends?${WEEK}&employeeId=${boris.id}&granularity=week`);

      expect(body.series).toEqual([{ date: '2026-03-02', calls: 2, analyzedCalls: 1, avgScore: 30, highRiskCalls: 1, avgDurationSec: 210 }]);
      expect(body.products).toEqual([]);
      expect(body.sentiment).toEqual({ positive: 0, neutral: 0, negative: 1 });
    });
  });

  describe('GET /api/analytics/summary', () => {
    it('gives each dashboard card with the previous period and the change', async () => {
      const { body } = await get(`summary?${WEEK}`);

      expect(body).toMatchObject({
        from: '2026-03-02', to: '2026-03-08',
        calls: { value: 6, previous: 3, change: 3, changePercent: 100 },
        analyzedCalls: { value: 4, previous: 3, change: 1, changePercent: 33.3 },
        avgScore: { value: 60, previous: 60, change: 0, changePercent: 0 },
        highRiskCalls: { value: 1, previous: 0, change: 1, changePercent: null },
        missedCalls: { value: 1, previous: 0, change: 1, changePercent: null },
      });
    });

    it('answers an empty period with zeros and no average', async () => {
      const { body } = await get('summary?from=2025-01-01&to=2025-01-03');

      expect(body.calls).toEqual({ value: 0, previous: 0, change: 0, changePercent: null });
      expect(body.avgScore).toEqual({ value: null, previous: null, change: null, changePercent: null });
    });
  });

  describe('bad input', () => {
    it.each([
      ['employees?period=decade', 'period'],
      ['employees?from=2026-13-01', 'from'],
      ['employees?from=2026-03-08&to=2026-03-01', 'from'],
      ['employees?period=week&from=2026-03-01', 'period'],
      ['employees?employeeId=abc', 'employeeId'],
      ['trends?granularity=hour', 'granularity'],
      ['trends?direction=sideways', 'direction'],
      ['summary?to=yesterday', 'to'],
    ])('GET %s is a 400 naming %s', async (path, parameter) => {
      const { status, body } = await get(path);

      expect(status).toBe(400);
      expect(body.message).toMatch(new RegExp(`^${parameter}\\b`));
    });
  });
});
