/**
 * Memory of the service under a long load: 64 connections for ten minutes on the 1,000,000-call data set, mostly
 * pages of calls (so audio links are signed for many calls), some searches and the analytics endpoints. Prints the
 * service's RSS and V8 heap every 30 s; they must level off.
 *   npm run bench:soak
 * Options (env): BENCH_SOAK_MIN (10), BENCH_CONNECTIONS (64), BENCH_SAMPLE_SEC (30), BENCH_DATABASE_URL,
 * BENCH_SERVICE_FLAGS (the service's node flags; unset: those `npm run start:prod` uses, empty: V8's defaults).
 * The service runs as in production (ROLE=api, request logging on) in a child process, with a preloaded probe that
 * sends its memory once a second; nothing is stubbed.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../src/database/embedded-database';
import { openBenchDatabase, percentile } from './support/bench-database';
import type { MemorySample } from './support/memory-probe';
import { RARE_TERM } from './support/seed';
import { productionNodeOptions, startServiceProcess, stopServiceProcess } from './support/service-process';

const MINUTES = Number(process.env.BENCH_SOAK_MIN ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SAMPLE_SEC = Number(process.env.BENCH_SAMPLE_SEC ?? 30);
const EMPLOYEES = 200;
const PERIODS = ['week', 'month', 'quarter'];
const MB = 1024 * 1024;

/** The service's node flags: BENCH_SERVICE_FLAGS when given (empty: V8's defaults), else those of production. */
function serviceNodeOptions(): string[] {
  const asked = process.env.BENCH_SERVICE_FLAGS;
  return asked === undefined ? productionNodeOptions() : asked.split(' ').filter(Boolean);
}

async function startService(databaseUrl: string, port: number, onSample: (sample: MemorySample) => void): Promise<ChildProcess> {
  const options = [...serviceNodeOptions(), '--require', join(__dirname, 'support', 'memory-probe.js')];
  console.log(`service: node ${options.join(' ')} main.js`);
  const child = await startServiceProcess(port, { DATABASE_URL: databaseUrl, ROLE: 'api', LOG_LEVEL: 'info' }, options, true);
  child.on('message', (sample: MemorySample) => onSample(sample));
  return child;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

const ANALYTICS = ['/api/analytics/employees?period=month', '/api/analytics/trends?period=month', '/api/analytics/summary?period=month'];

/**
 * What a team's dashboards ask for: mostly pages of an employee's calls (the 250 latest of each of 200 employees,
 * so audio links are signed for 50,000 calls), a tenth searches, one in twenty the month's analytics (each costs
 * PostgreSQL about twenty times a page of calls).
 */
function nextPath(): string {
  const roll = Math.random();
  if (roll < 0.05) return pick(ANALYTICS);
  if (roll < 0.15) return `/api/calls?q=${encodeURIComponent(RARE_TERM)}&page=${between(1, 3)}&pageSize=50`;
  return `/api/calls?period=${pick(PERIODS)}&employeeId=${between(1, EMPLOYEES)}&page=${between(1, 5)}&pageSize=50`;
}

interface Row {
  minute: number;
  sample: MemorySample;
  requests: number;
  failures: number;
}

function printRow({ minute, sample, requests, failures }: Row): void {
  const mb = (bytes: number) => (bytes / MB).toFixed(0).padStart(6);
  console.log(
    `${minute.toFixed(1).padStart(5)} min  RSS ${mb(sample.rss)} MB  heap used ${mb(sample.heapUsed)} MB  heap total ${mb(sample.heapTotal)} MB`
    + `  external ${mb(sample.external)} MB  ${(requests / SAMPLE_SEC).toFixed(0).padStart(5)} req/s  ${failures} failed`,
  );
}

/** RSS of the last half against the first half: a level line grows by little once warm. */
function printVerdict(rows: Row[]): void {
  const rss = rows.map((row) => row.sample.rss / MB);
  const half = Math.floor(rss.length / 2);
  const firstHalfPeak = Math.max(...rss.slice(0, half));
  const secondHalfPeak = Math.max(...rss.slice(half));
  console.log(`\nRSS: first sample ${rss[0].toFixed(0)} MB, peak of the first half ${firstHalfPeak.toFixed(0)} MB, of the second half ${secondHalfPeak.toFixed(0)} MB`
    + ` (${(((secondHalfPeak - firstHalfPeak) / firstHalfPeak) * 100).toFixed(1)}%), median ${percentile(rss, 50).toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const database = await openBenchDatabase();
  const port = await freePort();
  let latest: MemorySample | undefined;
  const service = await startService(database.url, port, (sample) => (latest = sample));
  const rows: Row[] = [];
  let requests = 0;
  let failures = 0;
  try {
    console.log(`${CONNECTIONS} connections for ${MINUTES} min on the calls list and analytics; a line every ${SAMPLE_SEC} s`);
    const started = Date.now();
    const sampler = setInterval(() => {
      if (!latest) return;
      rows.push({ minute: (Date.now() - started) / 60_000, sample: latest, requests, failures });
      printRow(rows.at(-1)!);
      requests = failures = 0;
    }, SAMPLE_SEC * 1000);
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const run = autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        duration: MINUTES * 60,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
      }, (error, done) => (error ? reject(error) : resolve(done)));
      run.on('response', (_client: autocannon.Client, statusCode: number) => {
        requests++;
        if (statusCode >= 300) failures++;
      });
    });
    clearInterval(sampler);
    console.log(`\n${result.requests.total.toLocaleString('en')} requests, ${result.non2xx} non-2xx, ${result.errors} errors, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    printVerdict(rows);
  } finally {
    await stopServiceProcess(service);
    await database.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
