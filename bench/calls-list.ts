/**
 * GET /api/calls under load against the same SQL run directly through a pg pool.
 *   npm run bench:calls-list        (BENCH_DURATION_SEC, BENCH_WARMUP_SEC, BENCH_CONNECTIONS, BENCH_DATABASE_URL optional)
 * The service runs in a child process (ROLE=api, request logging on), so the load tool does not share
 * its event loop.
 */
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { buildCallListSql } from '../src/calls/calls.query';
import { fetchCallPage } from '../src/calls/calls.service';
import { ListCallsQuery } from '../src/calls/dto/list-calls.query';
import { freePort } from '../src/database/embedded-database';
import { openBenchDatabase, percentile } from './support/bench-database';
import { RARE_TERM } from './support/seed';
import { startServiceProcess, stopServiceProcess } from './support/service-process';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Both sides get the same load first, unmeasured: JIT compilation, pool connections and caches warm up. */
const WARMUP_SEC = Number(process.env.BENCH_WARMUP_SEC ?? 5);
const POOL_SIZE = 10;
const TIME_ZONE = 'Europe/Moscow';

interface Scenario {
  name: string;
  query: Record<string, string>;
}

interface Figures {
  p50: number;
  p99: number;
  rps: number;
}

/** One load of the endpoint for `seconds`: the latency of every 2xx answer at full precision (autocannon's own histogram keeps whole milliseconds). */
async function loadApi(url: string, seconds: number): Promise<{ latencies: number[]; result: autocannon.Result }> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ url, connections: CONNECTIONS, duration: seconds }, (error, done) => (error ? reject(error) : resolve(done)));
    run.on('response', (_client: autocannon.Client, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode < 300) latencies.push(responseTime);
    });
  });
  return { latencies, result };
}

async function measureApi(port: number, scenario: Scenario): Promise<Figures> {
  const url = `http://127.0.0.1:${port}/api/calls?${new URLSearchParams(scenario.query)}`;
  await loadApi(url, WARMUP_SEC);
  const { latencies, result } = await loadApi(url, DURATION_SEC);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${scenario.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: result.requests.average };
}

/** The SQL behind the endpoint (the page with its total, prepared, run as the service runs it) at the same concurrency. */
async function measureBaseline(pool: Pool, scenario: Scenario): Promise<Figures> {
  const query = Object.assign(new ListCallsQuery(), scenario.query, { pageSize: Number(scenario.query.pageSize), employeeId: scenario.query.employeeId ? Number(scenario.query.employeeId) : undefined });
  const sql = buildCallListSql(query, TIME_ZONE);
  const load = async (seconds: number) => {
    const latencies: number[] = [];
    const deadline = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        await fetchCallPage(pool, sql, query.page);
        latencies.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    return latencies;
  };
  await load(WARMUP_SEC);
  const latencies = await load(DURATION_SEC);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: latencies.length / DURATION_SEC };
}

function print(name: string, api: Figures, baseline: Figures): void {
  const f = (value: number) => value.toFixed(1).padStart(8);
  console.log(`\n${name}`);
  console.log(`  API       p50 ${f(api.p50)} ms   p99 ${f(api.p99)} ms   ${f(api.rps)} req/s`);
  console.log(`  baseline  p50 ${f(baseline.p50)} ms   p99 ${f(baseline.p99)} ms   ${f(baseline.rps)} req/s`);
  console.log(`  ratio API/baseline (p50): ${(api.p50 / baseline.p50).toFixed(2)}   target ≤ 1.5, API p99 < 100 ms`);
}

async function main(): Promise<void> {
  const database = await openBenchDatabase();
  const port = await freePort();
  const service = await startServiceProcess(port, { DATABASE_URL: database.url, ROLE: 'api', LOG_LEVEL: 'info', DB_POOL_SIZE: String(POOL_SIZE), TIME_ZONE });
  const pool = new Pool({ connectionString: database.url, max: POOL_SIZE });
  const scenarios: Scenario[] = [
    { name: `page of 50, period=month + employeeId`, query: { period: 'month', employeeId: '17', pageSize: '50' } },
    { name: `page of 50, full-text q=${RARE_TERM}`, query: { q: RARE_TERM, pageSize: '50' } },
  ];
  try {
    console.log(`${CONNECTIONS} connections, ${DURATION_SEC} s per measurement after ${WARMUP_SEC} s of warm-up, pool of ${POOL_SIZE}`);
    for (const scenario of scenarios) {
      const api = await measureApi(port, scenario);
      const baseline = await measureBaseline(pool, scenario);
      print(scenario.name, api, baseline);
    }
  } finally {
    await pool.end();
    await stopServiceProcess(service);
    await database.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
