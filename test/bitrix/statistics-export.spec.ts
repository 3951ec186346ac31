import { IntegrationError } from '../../src/common/errors';
import { BitrixClient, VerifiedPage } from '../../src/integrations/bitrix/bitrix.client';
import type { StatisticsRow } from '../../src/integrations/bitrix/bitrix.types';
import { FakeBitrix24, generateCallRows, RestError, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';

async function collect(pages: AsyncIterable<VerifiedPage<StatisticsRow>>, into: StatisticsRow[] = []): Promise<StatisticsRow[]> {
  for await (const page of pages) {
    expect(page.lastId).toBe(Number(page.rows[page.rows.length - 1].ID));
    into.push(...page.rows);
  }
  return into;
}

function ids(rows: object[]): number[] {
  return rows.map((row) => Number((row as { ID: unknown }).ID));
}

describe('Fast export of call statistics', () => {
  let fake: FakeBitrix24;
  let client: BitrixClient;
  const opened: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    fake = await startFakeBitrix24({ operatingWindowSec: 1 });
    seedPortal(fake, { calls: 12_345, users: 40, files: false });
    client = new BitrixClient({ webhookUrl: fake.webhookUrl, retryBaseMs: 5, operatingLimitWaitMs: 5 });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
    await client.close();
    await fake.close();
  });

  it('yields every row once, in ID order, in about one request per 2,500 rows', async () => {
    const rows = await collect(client.statisticsAfter(0));
    expect(ids(rows)).toEqual(ids(fake.state.statistics));
    expect(client.requestsUsed).toBe(Math.ceil(12_345 / 2_500));
    expect(fake.requests.every((r) => r.method === 'batch' && r.status === 200)).toBe(true);
  });

  it('sends the fast query: SORT=ID, ORDER=ASC, a >ID cursor, start=-1, chained by $result', async () => {
    for await (const page of client.statisticsAfter(0, {}, { pagesPerRequest: 3 })) {
      expect(page.rows).toHaveLength(50);
      break;
    }
    const cmd = (fake.requests[0].params.cmd ?? {}) as Record<string, string>;
    expect(decodeURIComponent(cmd.p0)).toBe('voximplant.statistic.get?FILTER[>ID]=0&SORT=ID&ORDER=ASC&start=-1');
    expect(decodeURIComponent(cmd.p1)).toContain('FILTER[>ID]=$result[p0][49][ID]');
  });

  it('stops at the first short page and never yields the garbage a dangling reference brings', async () => {
    const small = await startFakeBitrix24();
    small.addStatistics(generateCallRows({ count: 120, userIds: [1, 2] }));
    const smallClient = new BitrixClient({ webhookUrl: small.webhookUrl });
    opened.push(smallClient, small);
    const pages: VerifiedPage<StatisticsRow>[] = [];
    for await (const page of smallClient.statisticsAfter(0)) pages.push(page);
    expect(pages.map((p) => p.rows.length)).toEqual([50, 50, 20]);
    expect(ids(pages.flatMap((p) => p.rows))).toEqual(ids(small.state.statistics));
    expect(smallClient.requestsUsed).toBe(1);
  });

  it('after a failure mid-way keeps the pages yielded and resumes from the last ID without gaps or duplicates', async () => {
    const fragile = new BitrixClient({ webhookUrl: fake.webhookUrl, maxRetries: 0 });
    opened.push(fragile);
    fake.injectFault({ kind: 'status', status: 500 }, { onRequest: 3 });
    const seen: StatisticsRow[] = [];
    let cursor = 0;
    const failure = await (async () => {
      try {
        for await (const page of fragile.statisticsAfter(cursor)) {
          seen.push(...page.rows);
          cursor = page.lastId;
        }
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(IntegrationError);
    expect(seen).toHaveLength(5_000);
    await collect(fragile.statisticsAfter(cursor), seen);
    expect(ids(seen)).toEqual(ids(fake.state.statistics));
  });

  it('retries from the last verified page when a sub-call is refused mid-batch', async () => {
    fake.failMethod('voximplant.statistic.get', new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'), { afterCalls: 70 });
    const rows = await collect(client.statisticsAfter(0));
    expect(ids(rows)).toEqual(ids(fake.state.statistics));
    expect(client.requestsUsed).toBe(Math.ceil(12_345 / 2_500) + 1);
  });

  it('throws a refused scope mid-batch after yielding the pages before it', async () => {
    fake.failMethod('voximplant.statistic.get', new RestError(401, 'insufficient_scope', ''), { afterCalls: 10 });
    const seen: StatisticsRow[] = [];
    await expect(collect(client.statisticsAfter(0), seen)).rejects.toMatchObject({ failure: 'scope' });
    expect(ids(seen)).toEqual(ids(fake.state.statistics.slice(0, 500)));
  });

  it('picks up rows added later with backdated call dates, by ID', async () => {
    const first = await collect(client.statisticsAfter(0));
    const lastId = Number(first[first.length - 1].ID);
    const backdated = generateCallRows({ count: 70, userIds: [3], firstId: lastId + 1, since: new Date('2023-06-01T09:00:00Z'), seed: 9 });
    fake.addStatistics(backdated);
    const later = await collect(client.statisticsAfter(lastId));
    expect(ids(later)).toEqual(ids(backdated));
  });

  it('re-syncs a date range with the ID cursor, offsets honoured', async () => {
    const from = '2024-01-20T00:00:00+03:00';
    const to = '2024-01-22T23:59:59+03:00';
    const rows = await collect(client.statisticsAfter(0, { from, to }));
    const expected = fake.state.statistics.filter((row) => {
      const time = Date.parse(String(row.CALL_START_DATE));
      return time >= Date.parse(from) && time <= Date.parse(to);
    });
    expect(expected.length).toBeGreaterThan(100);
    expect(ids(rows)).toEqual(ids(expected));
  });
});
