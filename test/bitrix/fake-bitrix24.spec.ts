import { FakeBitrix24, generateCallRows, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';

async function post(url: string, body: string, contentType: string): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) };
}

describe('Fake Bitrix24 portal speaks the real protocol', () => {
  let fake: FakeBitrix24;

  beforeEach(async () => {
    fake = await startFakeBitrix24({ rateLimit: false });
    fake.addStatistics(generateCallRows({ count: 130, userIds: [1, 2, 3] }));
  });
  afterEach(() => fake.close());

  it('answers a wrong secret with 401 INVALID_CREDENTIALS and no time key', async () => {
    const { status, json } = await post(`${fake.url}/rest/1/nope/user.get.json`, '{}', 'application/json');
    expect(status).toBe(401);
    expect(json).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
  });

  it('reads PHP bracket form bodies, escapes slashes, and honours start=-1', async () => {
    const body = 'FILTER%5B%3EID%5D=60&SORT=ID&ORDER=ASC&start=-1';
    const { json, text } = await post(`${fake.webhookUrl}/voximplant.statistic.get.json`, body, 'application/x-www-form-urlencoded');
    expect(json.total).toBe(0);
    expect(json.next).toBeUndefined();
    expect(Number(json.result[0].ID)).toBeGreaterThan(60);
    expect(typeof json.result[0].CALL_DURATION).toBe('string');
    expect(text).toContain('https:\\/\\/');
  });

  it('treats invalid JSON as an empty body', async () => {
    const { status, json } = await post(`${fake.webhookUrl}/voximplant.statistic.get`, '{"FILTER":', 'application/json');
    expect(status).toBe(200);
    expect(json.total).toBe(130);
    expect(json.next).toBe(50);
  });

  it('ignores ORDER without a valid SORT and drops unknown filter keys', async () => {
    const { json } = await post(`${fake.webhookUrl}/voximplant.statistic.get`, JSON.stringify({ SORT: 'CALL_TYPE', ORDER: 'DESC', FILTER: { NOPE: 1 }, start: -1 }), 'application/json');
    expect(json.result[0].ID).toBe(fake.state.statistics[0].ID);
    const sorted = await post(`${fake.webhookUrl}/voximplant.statistic.get`, JSON.stringify({ SORT: 'ID', ORDER: 'DESC', start: 0 }), 'application/json');
    expect(sorted.json.result[0].ID).toBe(fake.state.statistics[129].ID);
  });

  it('filters by CALL_ID and by dates in any offset', async () => {
    const row = fake.state.statistics[77];
    const byCall = await post(`${fake.webhookUrl}/voximplant.statistic.get`, JSON.stringify({ FILTER: { CALL_ID: row.CALL_ID } }), 'application/json');
    expect(byCall.json.result).toEqual([row]);
    const instant = new Date(Date.parse(String(row.CALL_START_DATE))).toISOString().replace('.000Z', '+00:00');
    const byDate = await post(`${fake.webhookUrl}/voximplant.statistic.get`, JSON.stringify({ FILTER: { '>=CALL_START_DATE': instant, '<=CALL_START_DATE': instant } }), 'application/json');
    expect(byDate.json.result.map((r: { ID: string }) => r.ID)).toContain(row.ID);
  });

  it('resolves a reference past a short page to the whole page, which reads as a garbage cursor', async () => {
    const body = JSON.stringify({ halt: 1, cmd: {
      a: 'voximplant.statistic.get?FILTER[>ID]=100&SORT=ID&ORDER=ASC&start=-1',
      b: 'voximplant.statistic.get?FILTER[>ID]=$result[a][49][ID]&SORT=ID&ORDER=ASC&start=-1',
    } });
    const { json } = await post(`${fake.webhookUrl}/batch`, body, 'application/json');
    const shortPage = json.result.result.a;
    expect(shortPage.length).toBeLessThan(50);
    expect(Number(json.result.result.b[0].ID)).toBeLessThanOrEqual(Number(shortPage[0].ID));
    expect(json.result.result_error).toEqual([]);
  });

  it('refuses over 50 batch commands and nested batch per command', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`c${i}`, i === 0 ? 'batch' : 'department.get']));
    const { json } = await post(`${fake.webhookUrl}/batch`, JSON.stringify({ cmd }), 'application/json');
    expect(json.result.result_error.c0.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(json.result.result_error.c51.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
    expect(Object.keys(json.result.result)).toHaveLength(49);
  });

  it('encodes a list of commands as JSON lists, with holes as objects', async () => {
    const { json } = await post(`${fake.webhookUrl}/batch`, JSON.stringify({ cmd: ['department.get', 'no.such'] }), 'application/json');
    expect(Array.isArray(json.result.result)).toBe(true);
    expect(json.result.result_error).toEqual({ 1: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' } });
  });

  it('answers 503 QUERY_LIMIT_EXCEEDED past the burst and does not count refusals', async () => {
    const limited = await startFakeBitrix24({ rateLimit: { requestsPerSecond: 0.01, burst: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(`${limited.webhookUrl}/department.get`, '{}', 'application/json')).status);
    await limited.close();
    expect(statuses).toEqual([200, 200, 503, 503]);
    expect(limited.requestCount).toBe(4);
  });

  it('gives operating_reset_at per method: the end of the ten minutes its first call opened, in batches too', async () => {
    const first = await post(`${fake.webhookUrl}/voximplant.statistic.get.json`, '{}', 'application/json');
    const again = await post(`${fake.webhookUrl}/voximplant.statistic.get.json`, '{}', 'application/json');
    const batch = await post(`${fake.webhookUrl}/batch.json`, JSON.stringify({ cmd: { a: 'voximplant.statistic.get?start=0' } }), 'application/json');
    const reset = first.json.time.operating_reset_at;
    expect(reset - Math.floor(first.json.time.start)).toBeGreaterThanOrEqual(599);
    expect(reset - Math.floor(first.json.time.start)).toBeLessThanOrEqual(600);
    expect(again.json.time.operating_reset_at).toBe(reset);
    expect(batch.json.result.result_time.a.operating_reset_at).toBe(reset);
  });

  it('omits null user fields and total on an empty user.get', async () => {
    seedPortal(fake, { calls: 0, users: 3 });
    const { json } = await post(`${fake.webhookUrl}/user.get`, JSON.stringify({ FILTER: { ACTIVE: true } }), 'application/json');
    expect(json.result[0].ACTIVE).toBe(true);
    expect(json.result[0]).not.toHaveProperty('SECOND_NAME');
    const empty = await post(`${fake.webhookUrl}/user.get`, JSON.stringify({ FILTER: { ID: 999 } }), 'application/json');
    expect(empty.json).toEqual({ result: [], time: expect.any(Object) });
  });
});
