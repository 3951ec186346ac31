/*
 * Bitrix24 backfill benchmark: a full fetch of call statistics through the fast iterator, against a naive
 * baseline, on the fake portal (default leaky bucket: burst 50, 2/s; 30 ms per HTTP request; 100,000 calls by
 * 200 employees). test/ is outside the Nest build, so compile the needed files with tsc and run the output:
 *
 *   export PATH=/opt/node24/bin:$PATH && cd /work/main && rm -rf /tmp/bitrix-bench && \
 *   npx tsc --ignoreConfig --outDir /tmp/bitrix-bench --rootDir . --module nodenext --moduleResolution nodenext --target ES2023 \
 *     --esModuleInterop --skipLibCheck --types node bench/bitrix-backfill.ts && \
 *   NODE_PATH=$PWD/node_modules node /tmp/bitrix-bench/bench/bitrix-backfill.js [--calls 100000] [--baseline-rows 5000] [--baseline-seconds 40]
 *
 * The fake portal runs in a child process, so the peak RSS reported is the client's own.
 * The baseline (`voximplant.statistic.get`, 50 rows per request, counted, `start=0,50,…`) is capped; its
 * calls/second over the whole set is extrapolated from the portal's sustained 2 requests/second.
 */
import { fork } from 'node:child_process';
import { BitrixClient } from '../src/integrations/bitrix/bitrix.client';
import { seedPortal, startFakeBitrix24 } from '../test/fakes/bitrix24';

interface FakeInfo { webhookUrl: string; ids: number[] }
type Reply = { type: 'info'; info: FakeInfo } | { type: 'count'; total: number; refused: number };

const args = new Map(process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])));
const CALLS = Number(args.get('calls') ?? 100_000);
const BASELINE_ROWS = Number(args.get('baseline-rows') ?? 5_000);
const BASELINE_SECONDS = Number(args.get('baseline-seconds') ?? 40);
const PORTAL_RATE = 2;
const PORTAL_BURST = 50;

async function servePortal(): Promise<void> {
  const fake = await startFakeBitrix24({ latencyMs: 30, rateLimit: { requestsPerSecond: PORTAL_RATE, burst: PORTAL_BURST } });
  seedPortal(fake, { calls: CALLS, users: 200, departments: 10, files: false, since: new Date('2025-01-01T06:00:00Z') });
  process.send?.({ type: 'info', info: { webhookUrl: fake.webhookUrl, ids: fake.state.statistics.map((row) => Number(row.ID)) } });
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
  const { webhookUrl, ids } = await portal.info();
  const before = await portal.count();
  const fast = await fastFetch(webhookUrl, ids);
  const afterFast = await portal.count();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  portal.reset();
  const naive = await naiveFetch(webhookUrl);
  const afterNaive = await portal.count();
  portal.stop();

  const fastRequests = afterFast.total - before.total;
  const fastRate = fast.rows / fast.seconds;
  const naiveMeasuredRate = naive.rows / naive.seconds;
  const naiveSeconds = extrapolate(naive, ids.length);
  const naiveRate = ids.length / naiveSeconds;
  const checks = {
    'requests per 2,000 calls ≤ 1': fastRequests <= ids.length / 2000,
    'speed ≥ 20× the baseline (extrapolated)': fastRate >= 20 * naiveRate,
    'peak RSS < 300 MB': peakRssMb < 300,
    'no duplicates, no gaps': fast.mismatches === 0 && fast.missing === 0 && fast.rows === ids.length,
  };
  console.log(JSON.stringify({
    portal: { calls: ids.length, employees: 200, latencyMsPerRequest: 30, bucket: `${PORTAL_BURST} burst, ${PORTAL_RATE}/s` },
    fast: {
      rows: fast.rows, wallSeconds: round(fast.seconds), requestsUsed: fastRequests, refused503: afterFast.refused - before.refused,
      callsPerRequest: round(fast.rows / fastRequests), callsPerSecond: Math.round(fastRate), peakRssMb: round(peakRssMb),
      outOfOrderOrDuplicate: fast.mismatches, missing: fast.missing,
    },
    baseline: {
      note: `capped at ${BASELINE_ROWS} rows or ${BASELINE_SECONDS} s; whole-set figures extrapolated at ${PORTAL_RATE} requests/s after the measured part`,
      rows: naive.rows, requestsUsed: afterNaive.total - afterFast.total, refused503: afterNaive.refused - afterFast.refused,
      wallSeconds: round(naive.seconds), measuredCallsPerSecond: Math.round(naiveMeasuredRate),
      extrapolatedWholeSetSeconds: Math.round(naiveSeconds), extrapolatedCallsPerSecond: round(naiveRate),
    },
    speedup: { vsExtrapolated: Math.round(fastRate / naiveRate), vsMeasuredCappedRun: round(fastRate / naiveMeasuredRate) },
    checks,
  }, null, 2));
  process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (args.has('serve-portal')) {
  void servePortal();
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
