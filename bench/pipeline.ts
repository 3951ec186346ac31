/*
 * The call pipeline under load: 500 calls queued before the worker starts, through the real queue (pg-boss on
 * PostgreSQL) and the real pipeline code, with fake stages of fixed latency (download 50 ms, transcription 400 ms,
 * analysis 800 ms).
 * Reports calls/minute against the ideal bound min over stages (concurrency ÷ latency), the per-job overhead
 * (time a job spends in our code and the queue outside the stages' own work and outside waiting for a stage
 * slot) as p50/p99, lost or duplicated calls, and a baseline that processes calls one by one in a plain loop.
 *
 *   npm run bench:pipeline
 * Options (env): BENCH_CALLS (500), BENCH_BASELINE_CALLS (20; the loop's rate is constant, so a sample gives it),
 * PIPELINE_DOWNLOAD_CONCURRENCY (2), PIPELINE_TRANSCRIBE_CONCURRENCY (10), PIPELINE_ANALYSIS_CONCURRENCY (16),
 * DB_POOL_SIZE (10, the service's default), BENCH_DATABASE_URL (else an embedded PostgreSQL in a temporary directory).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigModule } from '../src/config/config.module';
import { dataSourceOptions } from '../src/database/data-source';
import { HealthModule } from '../src/health/health.module';
import { IntegrationsModule } from '../src/integrations/integrations.module';
import { PipelineModule } from '../src/pipeline/pipeline.module';
import { SettingsModule } from '../src/settings/settings.module';
import { AppConfig, loadAppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/data-source';
import { RunningDatabase, startEmbeddedDatabase } from '../src/database/embedded-database';
import { AnalysisOutcome, AnalysisRequest, CallAnalyzer } from '../src/integrations/analysis/call-analyzer.port';
import { computeConversationMetrics } from '../src/integrations/analysis/conversation-metrics';
import { TranscribeRequest, Transcriber, TranscriptResult } from '../src/integrations/transcription/transcriber.port';
import { AudioInfo, AudioPreparer, PreparedAudio } from '../src/pipeline/audio/audio-preparer';
import { CallPipeline } from '../src/pipeline/call-pipeline';
import { CallStateStore } from '../src/pipeline/call-state.store';
import { LlmBudget } from '../src/pipeline/llm-budget';
import { AnalysisEvents } from '../src/pipeline/analysis-events';
import { SettingsService } from '../src/settings/settings.service';
import { PgBossCallQueue } from '../src/pipeline/pg-boss-call-queue';
import { PipelineLimits } from '../src/pipeline/pipeline-limits';
import { RecordingFetcher, RecordingSource } from '../src/pipeline/recording/recording-fetcher';
import { StoredRecording } from '../src/pipeline/recording/recording-store';
import { Semaphore } from '../src/pipeline/semaphore';
import { percentile } from './support/bench-database';

const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const BASELINE_CALLS = Number(process.env.BENCH_BASELINE_CALLS ?? 20);
const LATENCY = { download: 50, transcription: 400, analysis: 800 };
const CONCURRENCY = {
  download: Number(process.env.PIPELINE_DOWNLOAD_CONCURRENCY ?? 2),
  transcription: Number(process.env.PIPELINE_TRANSCRIBE_CONCURRENCY ?? 10),
  analysis: Number(process.env.PIPELINE_ANALYSIS_CONCURRENCY ?? 16),
};
type Stage = keyof typeof LATENCY;

/** Per call: the stages' own work and the time spent waiting for a stage slot, in milliseconds. */
const ledger = new Map<number, { work: number; wait: number; handler: number; runs: Record<Stage, number> }>();
/** When the running stage asked for its slot and when it got it. */
const slotRequest = new AsyncLocalStorage<{ requested: number; acquired: number }>();

function entry(callId: number) {
  let row = ledger.get(callId);
  if (!row) ledger.set(callId, (row = { work: 0, wait: 0, handler: 0, runs: { download: 0, transcription: 0, analysis: 0 } }));
  return row;
}

/** Fixed latency, booked to the call; the time the stage waited for its slot is booked as waiting. */
async function stageWork(stage: Stage, callId: number): Promise<void> {
  const started = performance.now();
  const slot = slotRequest.getStore();
  const row = entry(callId);
  if (slot) row.wait += slot.acquired - slot.requested;
  await new Promise((resolve) => setTimeout(resolve, LATENCY[stage]));
  row.work += performance.now() - started;
  row.runs[stage]++;
}

const callOf = (text: string) => Number(/(?:bench-|call-)(\d+)/.exec(text)![1]);

class FixedFetcher extends RecordingFetcher {
  hasSource(): boolean {
    return true;
  }

  async fetch(call: RecordingSource): Promise<StoredRecording> {
    await stageWork('download', call.id);
    return { relativePath: `recordings/bench-${call.id}.wav`, bytes: 1_000_000, mime: 'audio/wav' };
  }
}

class InstantAudio extends AudioPreparer {
  async probe(): Promise<AudioInfo> {
    return { durationSec: 60, channels: 2 };
  }

  async prepare(path: string): Promise<PreparedAudio> {
    return { path, durationSec: 60, channels: 2, remove: async () => undefined };
  }
}

const SEGMENTS = [
  { start: 0, end: 20, speaker: 'manager' as const, text: 'Здравствуйте, чем могу помочь?' },
  { start: 21, end: 40, speaker: 'client' as const, text: 'Хочу заказать доставку.' },
];

class FixedTranscriber extends Transcriber {
  async transcribe(request: TranscribeRequest): Promise<TranscriptResult> {
    await stageWork('transcription', callOf(request.audioPath));
    return { text: 'Здравствуйте… доставку.', language: 'ru', durationSec: 60, segments: SEGMENTS, engine: 'bench', model: 'bench', dropped: 0, channelLayout: 'stereo', sentSec: 40, requests: 2 };
  }
}

class FixedAnalyzer extends CallAnalyzer {
  async analyze(request: AnalysisRequest): Promise<AnalysisOutcome> {
    await stageWork('analysis', callOf(request.managerName!));
    const analysis = { scores: { overall: 70 }, summary: 'ok', sentiment: { client: 'neutral' }, tags: [], products: [], refusalReasons: [] };
    return {
      analysis: analysis as unknown as AnalysisOutcome['analysis'], metrics: computeConversationMetrics(request.segments, 60),
      scoreOverall: 70, riskLevel: 'low', segments: request.segments, promptVersion: 'bench', criteriaVersion: 'bench',
      usage: { model: 'bench', promptTokens: 1000, cachedPromptTokens: 0, completionTokens: 100, costUsd: 0.001 },
    };
  }
}

/** Semaphores that note when a slot was asked for, so waiting for a busy stage is not counted as overhead. */
class TimedLimits extends PipelineLimits {
  constructor(limits: PipelineLimits) {
    super({ dataDir: limits.dataDir, pipeline: { downloadConcurrency: CONCURRENCY.download, transcribeConcurrency: CONCURRENCY.transcription, analysisConcurrency: CONCURRENCY.analysis } } as never);
    for (const key of ['download', 'transcription', 'analysis'] as const) {
      const inner = this[key];
      const use = (work: () => Promise<unknown>) => {
        const requested = performance.now();
        return inner.use(() => slotRequest.run({ requested, acquired: performance.now() }, work));
      };
      (this as unknown as Record<string, Semaphore>)[key] = { use } as Semaphore;
    }
  }
}

/** The pipeline with what it needs, without the HTTP-facing modules (they play no part in processing). */
function pipelineOnly(config: AppConfig) {
  @Module({
    imports: [
      AppConfigModule.register(config),
      TypeOrmModule.forRoot(dataSourceOptions(config.database.url!, config.database.poolSize)),
      ScheduleModule.forRoot(),
      SettingsModule,
      IntegrationsModule,
      HealthModule,
      PipelineModule,
    ],
  })
  class PipelineBenchModule {}
  return PipelineBenchModule;
}

async function openDatabase(): Promise<{ database: RunningDatabase; cleanup: () => void }> {
  if (process.env.BENCH_DATABASE_URL) return { database: { url: process.env.BENCH_DATABASE_URL, stop: async () => undefined }, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-pipeline-'));
  return { database: await startEmbeddedDatabase(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const { database, cleanup } = await openDatabase();
  await runMigrations(database.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-pipeline-data-'));
  const config = loadAppConfig({
    DATABASE_URL: database.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROLE: 'all', OPENAI_API_KEY: 'sk-bench', DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '10',
    PIPELINE_DOWNLOAD_CONCURRENCY: String(CONCURRENCY.download), PIPELINE_TRANSCRIBE_CONCURRENCY: String(CONCURRENCY.transcription),
    PIPELINE_ANALYSIS_CONCURRENCY: String(CONCURRENCY.analysis), DB_MIGRATE_ON_START: 'false',
  });
  const moduleRef = await Test.createTestingModule({ imports: [pipelineOnly(config)] })
    .overrideProvider(RecordingFetcher).useValue(new FixedFetcher())
    .overrideProvider(AudioPreparer).useValue(new InstantAudio())
    .overrideProvider(Transcriber).useValue(new FixedTranscriber())
    .overrideProvider(CallAnalyzer).useValue(new FixedAnalyzer())
    .overrideProvider(PipelineLimits).useFactory({ factory: () => new TimedLimits(new PipelineLimits(config)) })
    .compile();
  const dataSource = moduleRef.get(DataSource);
  await dataSource.query('TRUNCATE calls RESTART IDENTITY CASCADE');
  const ids = await seedCalls(dataSource, CALLS);
  const pipeline = moduleRef.get(CallPipeline);
  const processJob = pipeline.process.bind(pipeline);
  pipeline.process = async (job) => {
    const started = performance.now();
    try {
      await processJob(job);
    } finally {
      entry(job.data.callId).handler = performance.now() - started;
    }
  };
  const timings = new Map<string, number[]>();
  const instrument = (target: object, name: string) => {
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
      const original = (target as Record<string, unknown>)[key];
      if (key === 'constructor' || typeof original !== 'function') continue;
      (target as Record<string, unknown>)[key] = async (...args: unknown[]) => {
        const t0 = performance.now();
        try { return await (original as (...a: unknown[]) => Promise<unknown>).apply(target, args); } finally {
          const list = timings.get(`${name}.${key}`) ?? []; list.push(performance.now() - t0); timings.set(`${name}.${key}`, list);
        }
      };
    }
  };
  if (process.env.BENCH_PROFILE) {
    instrument(moduleRef.get(CallStateStore), 'state');
    instrument(moduleRef.get(SettingsService), 'settings');
    instrument(moduleRef.get(LlmBudget), 'budget');
    instrument(moduleRef.get(AnalysisEvents), 'events');
  }
  await queueBacklog(config, ids);
  const started = Date.now();
  await moduleRef.init();
  try {
    await waitForAll(dataSource, CALLS);
    const elapsedMs = Date.now() - started;
    const overhead = await overheadPerJob(dataSource);
    const inHandler = ids.map((id) => entry(id).handler - entry(id).work - entry(id).wait);
    if (process.env.BENCH_PROFILE) console.log('mean work', ids.reduce((a, id) => a + entry(id).work, 0) / ids.length, 'mean wait', ids.reduce((a, id) => a + entry(id).wait, 0) / ids.length, 'mean handler', ids.reduce((a, id) => a + entry(id).handler, 0) / ids.length, 'limits', moduleRef.get(PipelineLimits).constructor.name);
    console.log(`in the handler (our code and database writes): p50 ${percentile(inHandler, 50).toFixed(1)} ms, p99 ${percentile(inHandler, 99).toFixed(1)} ms`);
    const integrity = await checkIntegrity(dataSource, ids);
    const baseline = await runBaseline(BASELINE_CALLS);
    report(elapsedMs, overhead, integrity, baseline);
    for (const [key, list] of timings) console.log(`${key}: n ${list.length} p50 ${percentile(list, 50).toFixed(1)} p99 ${percentile(list, 99).toFixed(1)}`);
  } finally {
    await moduleRef.close();
    await database.stop();
    cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function seedCalls(dataSource: DataSource, count: number): Promise<number[]> {
  const rows: { id: number }[] = await dataSource.query(`
    INSERT INTO calls (source, direction, started_at, duration_sec, status, record_source_url, manager_name)
    SELECT 'webhook', 'outgoing', now(), 60, 'new', 'http://telephony.example/rec.mp3', 'call-' || n
    FROM generate_series(1, $1) AS n RETURNING id`, [count]);
  await dataSource.query(`UPDATE calls SET manager_name = 'call-' || id`);
  return rows.map((row) => row.id);
}

/** The backlog is queued before the worker starts, as the API process queues it for the workers. */
async function queueBacklog(config: AppConfig, ids: number[]): Promise<void> {
  const producer = new PgBossCallQueue(config);
  try {
    await producer.enqueue(ids);
  } finally {
    await producer.onModuleDestroy();
  }
}

async function waitForAll(dataSource: DataSource, count: number): Promise<void> {
  for (;;) {
    const [{ done }] = await dataSource.query("SELECT count(*)::int AS done FROM calls WHERE status IN ('analyzed', 'error', 'skipped')");
    if (done >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** From the queue's own claim and completion times, minus the stage work and the wait for a stage slot. */
async function overheadPerJob(dataSource: DataSource): Promise<number[]> {
  const jobs: { callId: number; ms: number }[] = await dataSource.query(`
    SELECT (data->>'callId')::int AS "callId", extract(epoch FROM completed_on - started_on) * 1000 AS ms
    FROM pgboss.job WHERE name = 'call-processing' AND state = 'completed'`);
  return jobs.map((job) => {
    const row = entry(job.callId);
    return Number(job.ms) - row.work - row.wait;
  });
}

async function checkIntegrity(dataSource: DataSource, ids: number[]) {
  const [{ analyzed }] = await dataSource.query("SELECT count(*)::int AS analyzed FROM calls WHERE status = 'analyzed'");
  const [{ versions }] = await dataSource.query('SELECT count(*)::int AS versions FROM analyses');
  const [{ jobs }] = await dataSource.query("SELECT count(*)::int AS jobs FROM pgboss.job WHERE name = 'call-processing'");
  const duplicated = ids.filter((id) => Object.values(entry(id).runs).some((runs) => runs > 1)).length;
  return { analyzed, lost: ids.length - analyzed, duplicated: duplicated + Math.max(0, versions - ids.length), jobs };
}

/** The simplest thing that works: each call's stages one after another, one call at a time, no queue. */
async function runBaseline(count: number): Promise<{ calls: number; ms: number }> {
  const started = Date.now();
  for (let index = 0; index < count; index++) {
    const id = 1_000_000 + index;
    await stageWork('download', id);
    await stageWork('transcription', id);
    await stageWork('analysis', id);
  }
  return { calls: count, ms: Date.now() - started };
}

function report(elapsedMs: number, overhead: number[], integrity: Awaited<ReturnType<typeof checkIntegrity>>, baseline: { calls: number; ms: number }): void {
  const perMinute = (calls: number, ms: number) => (calls / ms) * 60_000;
  const bound = Math.min(...(Object.keys(LATENCY) as Stage[]).map((stage) => (CONCURRENCY[stage] / LATENCY[stage]) * 60_000));
  const rate = perMinute(CALLS, elapsedMs);
  const lines = [
    `calls: ${CALLS}; stage latency ms ${JSON.stringify(LATENCY)}; concurrency ${JSON.stringify(CONCURRENCY)}`,
    `pipeline: ${(elapsedMs / 1000).toFixed(1)} s → ${rate.toFixed(0)} calls/min; ideal bound ${bound.toFixed(0)} calls/min → ${((rate / bound) * 100).toFixed(1)}% of the bound (target ≥ 90%)`,
    `overhead per job (queue claim + completion + database writes, outside stage work and slot waits): p50 ${percentile(overhead, 50).toFixed(1)} ms, p99 ${percentile(overhead, 99).toFixed(1)} ms, max ${Math.max(...overhead).toFixed(1)} ms (target p99 < 50 ms)`,
    `integrity: analyzed ${integrity.analyzed}/${CALLS}, lost ${integrity.lost}, duplicated ${integrity.duplicated}, jobs ${integrity.jobs}`,
    `baseline loop (one call at a time, same fake stages, sample of ${baseline.calls}): ${perMinute(baseline.calls, baseline.ms).toFixed(1)} calls/min → pipeline ×${(rate / perMinute(baseline.calls, baseline.ms)).toFixed(1)}`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
