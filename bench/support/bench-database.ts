import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/data-source';
import { RunningDatabase, startEmbeddedDatabase } from '../../src/database/embedded-database';
import { BenchDataOptions, DEFAULT_BENCH_DATA, seedBenchDatabase } from './seed';

/**
 * The benchmark database: BENCH_DATABASE_URL when given, else an embedded server kept in
 * `$TMPDIR/crm-bench-data` so the million-call data set is seeded once and reused by later runs.
 */
export async function openBenchDatabase(options: Partial<BenchDataOptions> = {}): Promise<RunningDatabase> {
  let database: RunningDatabase;
  if (process.env.BENCH_DATABASE_URL) {
    database = { url: process.env.BENCH_DATABASE_URL, stop: async () => undefined };
  } else {
    database = await startEmbeddedDatabase(join(tmpdir(), 'crm-bench-data'));
  }
  await runMigrations(database.url);
  const wanted = { ...DEFAULT_BENCH_DATA, ...options };
  const present = await countCalls(database.url);
  if (present.calls !== wanted.calls || present.recorded === 0) {
    await truncate(database.url);
    const started = Date.now();
    console.log(`seeding ${wanted.calls.toLocaleString('en')} calls…`);
    await seedBenchDatabase(database.url, wanted);
    console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return database;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The calls present, and those with a recording (data sets seeded before recordings were added have none). */
const countCalls = (url: string) =>
  withClient(url, async (client) => (await client.query('SELECT count(*)::int AS calls, count(record_file_id)::int AS recorded FROM calls')).rows[0] as { calls: number; recorded: number });

const truncate = (url: string) =>
  withClient(url, (client) => client.query('TRUNCATE calls, employees, departments, transcripts, analyses RESTART IDENTITY CASCADE'));

/** Latency percentile of sorted-or-not samples in milliseconds. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
