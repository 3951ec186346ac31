/*
 * Bitrix24 backfill benchmark on the fake portal (default leaky bucket: burst 50, 2/s; 30 ms per HTTP request;
 * 100,000 calls by 200 employees), three parts in one run:
 *   1. fetch: every statistics row through the client's fast iterator (client only);
 *   2. store: the full backfill through the calls sync service into a fresh embedded PostgreSQL (employees,
 *      calls, cursor, run record), then duplicates and gaps counted in the database;
 *   3. baseline: the naive way, 50 rows per request with counting.
 *
 *   npm run bench:bitrix-backfill -- [--calls 100000] [--baseline-rows 5000] [--baseline-seconds 40] [--store-heap-mb 160]
 *
 * The fake portal runs in a child process, and the store part in another, so each peak RSS reported is that of
 * the process doing the work (fetch: this one; store: the sync service with its database pool).
 * The baseline (`voximplant.statistic.get`, 50 rows per request, counted, `start=0,50,…`) is capped; its
 * calls/second over the whole set is extrapolated from the portal's sustained 2 requests/second.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../src/config/app-config';
import { dataSourceOptions, runMigrations } from '../src/database/data-source';
import { startEmbeddedDatabase } from '../src/database/embedded-database';
import { BitrixClient } from '../src/integrations/bitrix/bitrix.client';
import { IntegrationStatusService } from '../src/integrations/integration-status.service';
import { CallProcessingQueue } from '../src/pipeline/call-processing-queue';
import { SettingsService } from '../src/settings/settings.service';
import { CallRowsStore } from '../src/sync/call-rows.store';
import { CallSyncService } from '../src/sync/call-sync.service';
import { EmployeeDirectory } from '../src/sync/employee-directory';
import { SyncClock } from '../src/sync/sync-clock';
import { SyncOptions } from '../src/sync/sync-options';
import { SyncRunsRepository } from '../src/sync/sync-runs.repository';
import { seedPortal, startFakeBitrix24 } from '../test/fakes/bitrix24';

interface FakeInfo { webhookUrl: string; ids: number[]; lastCallAt: string }
type Reply = { type: 'info'; info: FakeInfo } | { type: 'count'; total: number; refused: number };

const args = new Map(process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])));
const CALLS = Number(args.get('calls') ?? 100_000);
const BASELINE_ROWS = Number(args.get('baseline-rows') ?? 5_000);
const BASELINE_SECONDS = Number(args.get('baseline-seconds') ?? 40);
/** V8 old-space cap of the store process (0: V8's default). Its live heap stays near 110 MB; uncapped, V8 lets
 * garbage pile up to about 350 MB RSS before collecting. */
const STORE_HEAP_MB = Number(args.get('store-heap-mb') ?? 160);
const PORTAL_RATE = 2;
const PORTAL_BURST = 50;

async function servePortal(): Promise<void> {
  const fake = await startFakeBitrix24({ latencyMs: 30, rateLimit: { requestsPerSecond: PORTAL_RATE, burst: PORTAL_BURST } });
  seedPortal(fake, { calls: CALLS, users: 200, departments: 10, files: false, since: new Date('2025-01-01T06:00:00Z') });
  const lastCallAt = String(fake.state.statistics[fake.state.statistics.length - 1].CALL_START_DATE);
  process.send?.({ type: 'info', info: { webhookUrl: fake.webhookUrl, ids: fake.state.statistics.map((row) => Number(row.ID)), lastCallAt } });
  process.on('message', (message: string) => {
    if (message === 'count') {
      process.send?.({ type: 'count', total: fake.requestCount, refused: fake.requests.filter((r) => r.status === 503).length });
    } else if (message === 'reset') {
      fake.resetRateLimit();
    } else if (message === 'stop') {
      void fake.close().then(() => process.exit(0));
    }
  });
}

function portalProcess() {
  const child = fork(__filename, ['--serve-portal', '1', ...process.argv.slice(2)], { stdio: 'inherit' });
  const waiting: ((reply: Reply) => void)[] = [];
  child.on('message', (reply: Reply) => waiting.shift()?.(reply));
  const next = () => new Promise<Reply>((resolve) => waiting.push(resolve));
  return {
    info: async () => ((await next()) as Extract<Reply, { type: 'info' }>).info,
    count: async () => { const reply = next(); child.send('count'); return (await reply) as Extract<Reply, { type: 'count' }>; },
    reset: () => child.send('reset'),
    stop: () => child.send('stop'),
  };
}

async function fastFetch(webhookUrl: string, expected: number[]) {
  const client = new BitrixClient({ webhookUrl });
  let position = 0;
  let mismatches = 0;
  const started = performance.now();
  for await (const page of client.statisticsAfter(0)) {
    for (const row of page.rows) {
      if (Number(row.ID) !== expected[position]) mismatches++;
      position++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return { rows: position, mismatches, missing: expected.length - position, seconds, clientRequests: client.requestsUsed };
}

/** Processing is not measured here: the queue only counts what the sync hands over. */
class CountingQueue extends CallProcessingQueue {
  queued = 0;

  async enqueue(callIds: number[]): Promise<number> {
    this.queued += callIds.length;
    return callIds.length;
  }
}

class FixedClock extends SyncClock {
  constructor(private readonly at: Date) {
    super();
  }

  now(): Date {
    return new Date(this.at);
  }
}

/** The first sync of an empty database: the whole history through CallSyncService into PostgreSQL. */
async function storeBackfill(webhookUrl: string, expected: number[], lastCallAt: Date) {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-backfill-'));
  const database = await startEmbeddedDatabase(dir);
  try {
    await runMigrations(database.url);
    const dataSource = await new DataSource(dataSourceOptions(database.url, 4)).initialize();
    const client = new BitrixClient({ webhookUrl });
    const settings = new SettingsService(dataSource, {} as AppConfig);
    await settings.update({ sync: { backfillDays: 365 } }, 'bench');
    const queue = new CountingQueue();
    const sync = new CallSyncService(
      dataSource, client, new CallRowsStore(dataSource), new EmployeeDirectory(dataSource, client), new SyncRunsRepository(dataSource),
      settings, queue, new IntegrationStatusService(dataSource), new FixedClock(new Date(lastCallAt.getTime() + 3_600_000)), new SyncOptions(),
    );
    const started = performance.now();
    const outcome = await (await sync.start({ trigger: 'manual' })).done;
    const seconds = (performance.now() - started) / 1000;
    const integrity = await checkIntegrity(dataSource, expected);
    await dataSource.destroy();
    await client.close();
    return { ...outcome, seconds, queued: queue.queued, ...integrity };
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type StoreResult = Awaited<ReturnType<typeof storeBackfill>> & { peakRssMb: number };

/** Runs one part of the bench in a fresh process, so its peak RSS is its own. */
function inChildProcess<T>(part: string, input: unknown, execArgv: string[]): Promise<T> {
  const child = fork(__filename, [`--${part}`, '1'], { stdio: 'inherit', execArgv });
  return new Promise<T>((resolve, reject) => {
    child.once('message', (result: T) => resolve(result));
    child.once('exit', (code) => reject(new Error(`${part} exited with ${code}`)));
    child.send(input as object);
  });
}

function serveStorePart(): void {
  process.once('message', (input: FakeInfo) => {
    storeBackfill(input.webhookUrl, input.ids, new Date(input.lastCallAt))
      .then((result) => process.send?.({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 }, () => process.exit(0)))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
}

async function checkIntegrity(dataSource: DataSource, expected: number[]) {
  const [counts] = await dataSource.query(
    `SELECT count(*)::int AS calls, count(DISTINCT bitrix_stat_id)::int AS "distinctRows", count(DISTINCT bitrix_call_id)::int AS "distinctCallIds",
            (SELECT count(*)::int FROM employees) AS employees, (SELECT value FROM sync_cursors WHERE name = 'calls') AS cursor FROM calls`,
  );
  const stored = new Set<number>((await dataSource.query('SELECT bitrix_stat_id::int AS id FROM calls')).map((row: { id: number }) => row.id));
  const gaps = expected.filter((id) => !stored.has(id)).length;
  return { ...counts, duplicates: counts.calls - counts.distinctRows, gaps, unexpected: stored.size - (expected.length - gaps) };
}

async function naiveFetch(webhookUrl: string) {
  const client = new BitrixClient({ webhookUrl });
  const started = performance.now();
  let rows = 0;
  let requests = 0;
  let afterBurst: { at: number; rows: number } | null = null;
  for (let start = 0; rows < BASELINE_ROWS && performance.now() - started < BASELINE_SECONDS * 1000; start += 50) {
    const page = await client.call<unknown[]>('voximplant.statistic.get', { SORT: 'ID', ORDER: 'ASC', start });
    rows += page.result.length;
    requests++;
    if (requests === PORTAL_BURST) afterBurst = { at: performance.now(), rows };
    if (page.next === undefined) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return { rows, requests, seconds, afterBurst: afterBurst ? { seconds: (afterBurst.at - started) / 1000, rows: afterBurst.rows } : null };
}

/** Whole-set time for the naive way: the measured start, then the rest at the portal's sustained rate. */
function extrapolate(naive: Awaited<ReturnType<typeof naiveFetch>>, total: number): number {
  const remainingRequests = Math.ceil((total - naive.rows) / 50);
  return naive.seconds + remainingRequests / PORTAL_RATE;
}

async function main(): Promise<void> {
  const portal = portalProcess();
  const { webhookUrl, ids, lastCallAt } = await portal.info();
  const before = await portal.count();
  const fast = await fastFetch(webhookUrl, ids);
  const afterFast = await portal.count();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  portal.reset();
  const stored = await inChildProcess<StoreResult>('store-part', { webhookUrl, ids, lastCallAt }, STORE_HEAP_MB ? [`--max-old-space-size=${STORE_HEAP_MB}`] : []);
  const afterStore = await portal.count();
  const storePeakRssMb = stored.peakRssMb;

  portal.reset();
  const naive = await naiveFetch(webhookUrl);
  const afterNaive = await portal.count();
  portal.stop();

  const fastRequests = afterFast.total - before.total;
  const fastRate = fast.rows / fast.seconds;
  const naiveMeasuredRate = naive.rows / naive.seconds;
  const naiveSeconds = extrapolate(naive, ids.length);
  const naiveRate = ids.length / naiveSeconds;
  const storeRequests = afterStore.total - afterFast.total;
  const storeRate = stored.calls / stored.seconds;
  const checks = {
    'fetch: requests per 2,000 calls ≤ 1': fastRequests <= ids.length / 2000,
    'fetch: speed ≥ 20× the baseline (extrapolated)': fastRate >= 20 * naiveRate,
    'fetch: peak RSS < 300 MB': peakRssMb < 300,
    'fetch: no duplicates, no gaps': fast.mismatches === 0 && fast.missing === 0 && fast.rows === ids.length,
    'store: requests per 2,000 calls ≤ 1': storeRequests <= ids.length / 2000,
    'store: speed ≥ 20× the baseline (extrapolated)': storeRate >= 20 * naiveRate,
    'store: peak RSS < 300 MB': storePeakRssMb < 300,
    'store: no duplicates, no gaps in the database': stored.duplicates === 0 && stored.gaps === 0 && stored.unexpected === 0 && stored.calls === ids.length,
  };
  console.log(JSON.stringify({
    portal: { calls: ids.length, employees: 200, latencyMsPerRequest: 30, bucket: `${PORTAL_BURST} burst, ${PORTAL_RATE}/s` },
    fast: {
      rows: fast.rows, wallSeconds: round(fast.seconds), requestsUsed: fastRequests, refused503: afterFast.refused - before.refused,
      callsPerRequest: round(fast.rows / fastRequests), callsPerSecond: Math.round(fastRate), peakRssMb: round(peakRssMb),
      outOfOrderOrDuplicate: fast.mismatches, missing: fast.missing,
    },
    store: {
      v8OldSpaceCapMb: STORE_HEAP_MB || 'default', calls: stored.calls, wallSeconds: round(stored.seconds), requestsUsed: storeRequests, refused503: afterStore.refused - afterFast.refused,
      callsPerRequest: round(stored.calls / storeRequests), callsPerSecond: Math.round(storeRate), peakRssMb: round(storePeakRssMb),
      employees: stored.employees, cursor: stored.cursor, queuedForProcessing: stored.queued,
      duplicates: stored.duplicates, gaps: stored.gaps, unexpected: stored.unexpected, distinctCallIds: stored.distinctCallIds,
    },
    baseline: {
      note: `capped at ${BASELINE_ROWS} rows or ${BASELINE_SECONDS} s; whole-set figures extrapolated at ${PORTAL_RATE} requests/s after the measured part`,
      rows: naive.rows, requestsUsed: afterNaive.total - afterFast.total, refused503: afterNaive.refused - afterFast.refused,
      wallSeconds: round(naive.seconds), measuredCallsPerSecond: Math.round(naiveMeasuredRate),
      extrapolatedWholeSetSeconds: Math.round(naiveSeconds), extrapolatedCallsPerSecond: round(naiveRate),
    },
    speedup: {
      fetchVsExtrapolated: Math.round(fastRate / naiveRate), fetchVsMeasuredCappedRun: round(fastRate / naiveMeasuredRate),
      storeVsExtrapolated: Math.round(storeRate / naiveRate), storeVsMeasuredCappedRun: round(storeRate / naiveMeasuredRate),
    },
    checks,
  }, null, 2));
  process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (args.has('serve-portal')) {
  void servePortal();
} else if (args.has('store-part')) {
  serveStorePart();
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
