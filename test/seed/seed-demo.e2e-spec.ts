import request from 'supertest';
import { seedDemo } from '../../src/seed/seed-demo';
import { addCall } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/app';

describe('demo seed', () => {
  let t: TestApp;
  let ownCallId: number;

  beforeAll(async () => {
    t = await startTestApp();
    ownCallId = (await addCall(t.dataSource, { managerName: 'Реальный менеджер' })).id;
    await seedDemo(t.dataSource);
    await seedDemo(t.dataSource);
  });
  afterAll(() => t.close());

  it('fills labelled demo calls once, however often it runs, and keeps other data', async () => {
    const demo = await request(t.server).get('/api/calls').query({ tag: 'demo', pageSize: 1 }).expect(200);
    expect(demo.body.total).toBe(150);
    await request(t.server).get(`/api/calls/${ownCallId}`).expect(200);
    const employees = await request(t.server).get('/api/employees').expect(200);
    expect(employees.body.every((employee: { name: string }) => employee.name.endsWith('(демо)'))).toBe(true);
    expect(employees.body).toHaveLength(6);
  });

  it('gives analysed calls a transcript, an analysis and metrics the frontend can show', async () => {
    const list = await request(t.server).get('/api/calls').query({ tag: 'demo', status: 'analyzed', pageSize: 1 }).expect(200);
    const details = await request(t.server).get(`/api/calls/${list.body.items[0].id}`).expect(200);
    expect(details.body.transcript.segments.length).toBeGreaterThan(3);
    expect(details.body.analysis.scores).toEqual(expect.objectContaining({ greeting: expect.any(Number), overall: details.body.scoreOverall }));
    expect(details.body.metrics.talkRatio.manager).toBeGreaterThan(0);
    const search = await request(t.server).get('/api/calls').query({ q: 'предложение', tag: 'demo' }).expect(200);
    expect(search.body.total).toBeGreaterThan(0);
  });
});
