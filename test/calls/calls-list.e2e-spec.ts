import request from 'supertest';
import { addCall, addDepartment, addEmployee, addTranscript } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/app';
import { Call } from '../../src/calls/entities/call.entity';

describe('GET /api/calls', () => {
  let t: TestApp;
  const ids: Record<string, number> = {};
  let annaId: number;

  beforeAll(async () => {
    t = await startTestApp({ TIME_ZONE: 'Europe/Moscow' });
    const sales = await addDepartment(t.dataSource, 'Отдел продаж');
    const support = await addDepartment(t.dataSource, 'Support');
    const anna = await addEmployee(t.dataSource, 'Анна Смирнова', [sales]);
    const boris = await addEmployee(t.dataSource, 'Boris Petrov', [support]);
    annaId = anna.id;
    const now = Date.now();
    const day = 86_400_000;
    const add = async (key: string, fields: Partial<Call>) => (ids[key] = (await addCall(t.dataSource, fields)).id);
    await add('annaToday', { employeeId: anna.id, managerName: 'Анна Смирнова', startedAt: new Date(now - 60_000), scoreOverall: 90, riskLevel: 'low', status: 'analyzed', tags: ['скидка'], products: ['CRM Pro'], clientPhone: '+79161234567', crmEntityId: 501, crmEntityType: 'DEAL', direction: 'outgoing' });
    await add('annaOld', { employeeId: anna.id, managerName: 'Анна Смирнова', startedAt: new Date(now - 400 * day), scoreOverall: 30, riskLevel: 'high', status: 'analyzed', durationSec: 600 });
    await add('borisError', { employeeId: boris.id, managerName: 'Boris Petrov', startedAt: new Date(now - 2 * 60_000), status: 'error', source: 'upload', durationSec: 10 });
    await add('unknown', { managerName: 'Неизвестный', startedAt: new Date(now - 3 * 60_000), status: 'new', source: 'webhook', direction: 'callback' });
    const withTranscript = await t.dataSource.getRepository(Call).findOneByOrFail({ id: ids.annaToday });
    await addTranscript(t.dataSource, withTranscript, 'Клиенту понравились скидки на годовую подписку, обсудили pricing');
  });

  afterAll(() => t.close());

  const list = (query: Record<string, string | number>) => request(t.server).get('/api/calls').query(query);
  const idsOf = (body: { items: { id: number }[] }) => body.items.map((item) => item.id);

  it('returns the page, the page size and the total, newest first by default', async () => {
    const res = await list({}).expect(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20, total: 4 });
    expect(idsOf(res.body)).toEqual([ids.annaToday, ids.borisError, ids.unknown, ids.annaOld]);
    expect(res.body.items[0]).toMatchObject({ managerName: 'Анна Смирнова', direction: 'outgoing', scoreOverall: 90, riskLevel: 'low', tags: ['скидка'], products: ['CRM Pro'], refusalReasons: [] });
    expect(res.body.items[0].startedAt).toMatch(/Z$/);
  });

  it.each([
    ['employeeId', () => ({ employeeId: annaId }), ['annaToday', 'annaOld']],
    ['managerName substring, any case', () => ({ managerName: 'смирн' }), ['annaToday', 'annaOld']],
    ['department by name', () => ({ department: 'отдел продаж' }), ['annaToday', 'annaOld']],
    ['status list', () => ({ status: 'error,new' }), ['borisError', 'unknown']],
    ['riskLevel', () => ({ riskLevel: 'high' }), ['annaOld']],
    ['direction', () => ({ direction: 'callback' }), ['unknown']],
    ['source', () => ({ source: 'upload' }), ['borisError']],
    ['clientPhone in another format', () => ({ clientPhone: '8 (916) 123-45-67' }), ['annaToday']],
    ['crmEntityId', () => ({ crmEntityId: 501 }), ['annaToday']],
    ['tag', () => ({ tag: 'скидка' }), ['annaToday']],
    ['product', () => ({ product: 'CRM Pro' }), ['annaToday']],
    ['minScore', () => ({ minScore: 50 }), ['annaToday']],
    ['maxScore', () => ({ maxScore: 50 }), ['annaOld']],
    ['period today', () => ({ period: 'today' }), ['annaToday', 'borisError', 'unknown']],
    ['full-text search with Russian word forms', () => ({ q: 'скидка подписки' }), ['annaToday']],
    ['full-text search in English', () => ({ q: 'price' }), ['annaToday']],
  ])('filters by %s', async (_name, query, expected) => {
    const res = await list(query() as Record<string, string | number>).expect(200);
    expect(idsOf(res.body).sort()).toEqual(expected.map((key) => ids[key]).sort());
    expect(res.body.total).toBe(expected.length);
  });

  it('combines full-text search with other filters and sorts', async () => {
    const withFilter = await list({ q: 'скидки', managerName: 'анна' }).expect(200);
    expect(idsOf(withFilter.body)).toEqual([ids.annaToday]);
    const otherManager = await list({ q: 'скидки', managerName: 'boris' }).expect(200);
    expect(otherManager.body).toMatchObject({ items: [], total: 0 });
    const byScore = await list({ q: 'скидки', sort: '-scoreOverall' }).expect(200);
    expect(idsOf(byScore.body)).toEqual([ids.annaToday]);
  });

  it('orders search results by call start, following a changed start time, and pages through them to the end', async () => {
    const older = await addCall(t.dataSource, { startedAt: new Date(Date.now() - 10 * 86_400_000) });
    const newer = await addCall(t.dataSource, { startedAt: new Date(Date.now() - 5 * 86_400_000) });
    await addTranscript(t.dataSource, older, 'Обсудили рассрочку платежа');
    await addTranscript(t.dataSource, newer, 'Клиент попросил рассрочку');
    const firstPage = await list({ q: 'рассрочка', pageSize: 1 }).expect(200);
    expect(firstPage.body).toMatchObject({ total: 2, items: [{ id: newer.id }] });
    await t.dataSource.getRepository(Call).update(older.id, { startedAt: new Date() });
    const reordered = await list({ q: 'рассрочка' }).expect(200);
    expect(idsOf(reordered.body)).toEqual([older.id, newer.id]);
    const ascending = await list({ q: 'рассрочка', sort: 'startedAt', page: 2, pageSize: 1 }).expect(200);
    expect(idsOf(ascending.body)).toEqual([older.id]);
    const past = await list({ q: 'рассрочка', page: 3, pageSize: 1 }).expect(200);
    expect(past.body).toMatchObject({ items: [], page: 3, total: 2 });
    await t.dataSource.getRepository(Call).delete([older.id, newer.id]);
  });

  it('filters by department id', async () => {
    const departments = await request(t.server).get('/api/departments').expect(200);
    const support = departments.body.find((d: { name: string }) => d.name === 'Support');
    const res = await list({ department: support.id }).expect(200);
    expect(idsOf(res.body)).toEqual([ids.borisError]);
  });

  it('filters by an inclusive from/to date range in the portal time zone', async () => {
    const old = await t.dataSource.getRepository(Call).findOneByOrFail({ id: ids.annaOld });
    const day = new Date(old.startedAt.getTime() + 3 * 3600_000).toISOString().slice(0, 10);
    const res = await list({ from: day, to: day }).expect(200);
    expect(idsOf(res.body)).toEqual([ids.annaOld]);
  });

  it.each([
    ['scoreOverall', ['annaOld', 'annaToday', 'borisError', 'unknown']],
    ['-scoreOverall', ['annaToday', 'annaOld', 'unknown', 'borisError']],
    ['durationSec', ['borisError', 'annaToday', 'unknown', 'annaOld']],
    ['startedAt', ['annaOld', 'unknown', 'borisError', 'annaToday']],
  ])('sorts by %s', async (sort, expected) => {
    const res = await list({ sort }).expect(200);
    expect(idsOf(res.body)).toEqual(expected.map((key) => ids[key]));
  });

  it('pages through the results and returns an empty page past the end', async () => {
    const first = await list({ page: 1, pageSize: 3 }).expect(200);
    const second = await list({ page: 2, pageSize: 3 }).expect(200);
    const past = await list({ page: 9, pageSize: 3 }).expect(200);
    expect(first.body.items).toHaveLength(3);
    expect(second.body.items).toHaveLength(1);
    expect(past.body).toMatchObject({ items: [], page: 9, total: 4 });
  });

  it.each([
    [{ pageSize: 0 }, 'pageSize'],
    [{ pageSize: 201 }, 'pageSize'],
    [{ page: 'abc' }, 'page'],
    [{ page: 0 }, 'page'],
    [{ status: 'done' }, 'status'],
    [{ period: 'decade' }, 'period'],
    [{ from: '2026-13-45' }, 'from'],
    [{ from: '2026-05-02', to: '2026-05-01' }, 'from'],
    [{ period: 'week', from: '2026-05-01' }, 'period'],
    [{ sort: 'name' }, 'sort'],
    [{ minScore: 101 }, 'minScore'],
    [{ minScore: 80, maxScore: 20 }, 'minScore'],
    [{ unknownFilter: 1 }, 'unknownFilter'],
  ])('rejects %p with a 400 naming %s', async (query, parameter) => {
    const res = await list(query as Record<string, string | number>).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(parameter) });
  });

  it('answers JSON whose every item carries the same fields and values as the call details', async () => {
    const retained = await addCall(t.dataSource, { recordingPath: 'recordings/x.mp3', recordingDeletedAt: new Date(), startedAt: new Date(1_000), refusalReasons: ['дорого'], summary: 'Итог "в кавычках"\n', error: 'ошибка' });
    const res = await list({ pageSize: 100 }).expect('Content-Type', 'application/json; charset=utf-8').expect(200);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    const detailOnly = ['transcriptText', 'transcript', 'analysis', 'metrics', 'analysisHistory', 'stages', 'audioDurationSec', 'audioChannels', 'employeeChannel'];
    for (const item of res.body.items) {
      const details = (await request(t.server).get(`/api/calls/${item.id}`).expect(200)).body;
      for (const field of detailOnly) delete details[field];
      expect({ ...item, recordUrl: item.recordUrl?.replace(/token=.*/, '') }).toEqual({ ...details, recordUrl: details.recordUrl?.replace(/token=.*/, '') });
    }
    expect(res.body.items.find((item: { id: number }) => item.id === retained.id)).toMatchObject({ hasRecording: false, recordUrl: null, refusalReasons: ['дорого'] });
    await t.dataSource.getRepository(Call).delete(retained.id);
  });

  it('never exposes the Bitrix24 recording link, only its own audio URL', async () => {
    const call = await addCall(t.dataSource, { recordSourceUrl: 'https://portal.bitrix24.ru/rest/1/secret123/download?id=5', startedAt: new Date(0) });
    const res = await list({ sort: 'startedAt', pageSize: 1 }).expect(200);
    expect(res.body.items[0]).toMatchObject({ id: call.id, hasRecording: true });
    expect(res.body.items[0].recordUrl).toMatch(new RegExp(`^http://localhost:8080/api/calls/${call.id}/audio\\?token=`));
    expect(JSON.stringify(res.body)).not.toContain('secret123');
    await t.dataSource.getRepository(Call).delete(call.id);
  });
});
