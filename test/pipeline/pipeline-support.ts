import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Call } from '../../src/calls/entities/call.entity';
import type { PgBossCallQueue } from '../../src/pipeline/pg-boss-call-queue';
import { IntegrationError } from '../../src/common/errors';
import { AnalysisOutcome, AnalysisRequest, CallAnalyzer } from '../../src/integrations/analysis/call-analyzer.port';
import { computeConversationMetrics } from '../../src/integrations/analysis/conversation-metrics';
import { TranscribeRequest, Transcriber, TranscriptResult } from '../../src/integrations/transcription/transcriber.port';
import { ProviderOverride, startTestApp, TestApp } from '../support/app';
import { TestDatabase } from '../support/database';
import { writeToneWav } from '../transcription/wav';

export const SEGMENTS = [
  { start: 0.2, end: 3, speaker: 'manager' as const, text: 'Здравствуйте, компания Ромашка, чем могу помочь?' },
  { start: 3.5, end: 6, speaker: 'client' as const, text: 'Хочу заказать доставку на завтра.' },
];

/** Seconds of two-channel tone, a real WAV any decoder reads. */
export function sampleWav(seconds = 30, channels = 2): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-wav-'));
  const tones = Array.from({ length: channels }, (_, index) => [[0.2 + index, 1.5 + index, 440 + index * 110]] as [number, number, number][]);
  return readFileSync(writeToneWav(join(dir, 'call.wav'), seconds, tones, 8000));
}

type Failure = Error | (() => Error);

/** A recogniser behind our port: answers with fixed segments, can be slowed down or made to fail. */
export class FakeTranscriber extends Transcriber {
  readonly requests: TranscribeRequest[] = [];
  delayMs = 0;
  /** While set, recognition waits for it: holds calls in the middle of the pipeline. */
  gate?: Promise<void>;
  segments = SEGMENTS;
  private readonly failures: Failure[] = [];

  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  async transcribe(request: TranscribeRequest): Promise<TranscriptResult> {
    this.requests.push(request);
    if (this.delayMs) await sleep(this.delayMs);
    await this.gate;
    const failure = this.failures.shift();
    if (failure) throw typeof failure === 'function' ? failure() : failure;
    return { text: this.segments.map((s) => s.text).join(' '), language: 'ru', durationSec: request.durationSec, segments: this.segments, engine: 'fake', model: 'fake-1', dropped: 0, channelLayout: request.channels === 2 ? 'stereo' : 'mono', sentSec: request.durationSec, requests: request.channels };
  }
}

/** An analyser behind our port: a fixed, valid outcome with a known cost. */
export class FakeAnalyzer extends CallAnalyzer {
  readonly requests: AnalysisRequest[] = [];
  delayMs = 0;
  costUsd = 0.01;
  score = 72;
  private readonly failures: Failure[] = [];

  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  async analyze(request: AnalysisRequest): Promise<AnalysisOutcome> {
    this.requests.push(request);
    if (this.delayMs) await sleep(this.delayMs);
    const failure = this.failures.shift();
    if (failure) throw typeof failure === 'function' ? failure() : failure;
    return fakeOutcome(request, this.score, this.costUsd);
  }
}

function fakeOutcome(request: AnalysisRequest, score: number, costUsd: number): AnalysisOutcome {
  const metrics = computeConversationMetrics(request.segments, request.durationSec);
  const analysis = {
    scores: { greeting: 4, needs: 4, presentation: 3, objections: 3, closing: 4, tone: 5, overall: score },
    summary: 'Клиент заказал доставку.',
    sentiment: { client: 'positive', manager: 'positive', overall: 0.5 },
    tags: ['доставка'], products: ['Доставка'], refusalReasons: [],
    checklist: [], meta: { model: 'fake-llm', costUsd },
  };
  return {
    analysis: analysis as unknown as AnalysisOutcome['analysis'],
    metrics, scoreOverall: score, riskLevel: 'low', segments: request.segments,
    usage: { model: 'fake-llm', promptTokens: 1000, cachedPromptTokens: 0, completionTokens: 200, costUsd },
    promptVersion: 'p-test', criteriaVersion: 'c-test',
  };
}

export const unavailable = (what = 'openai') => new IntegrationError(what as 'openai', 'unavailable', `${what} is unavailable (HTTP 503)`);

export const PIPELINE_ENV = {
  OPENAI_API_KEY: 'sk-test',
  PIPELINE_RETRY_LIMIT: '2',
  PIPELINE_RETRY_DELAY_SEC: '1',
  PIPELINE_TRANSCRIBE_CONCURRENCY: '2',
  DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
};

export interface PipelineTestApp extends TestApp {
  transcriber: FakeTranscriber;
  analyzer: FakeAnalyzer;
}

export async function startPipelineApp(env: Record<string, string> = {}, database?: TestDatabase, extra: ProviderOverride[] = []): Promise<PipelineTestApp> {
  const transcriber = new FakeTranscriber();
  const analyzer = new FakeAnalyzer();
  const app = await startTestApp({ ...PIPELINE_ENV, ...env }, database, [
    { provide: Transcriber, useValue: transcriber },
    { provide: CallAnalyzer, useValue: analyzer },
    ...extra,
  ]);
  return Object.assign(app, { transcriber, analyzer });
}

const RESTING = new Set(['analyzed', 'error', 'skipped']);

/** Polls until the call is at rest (or matches `done`); the pipeline runs on its own workers. */
export async function waitForCall(dataSource: DataSource, id: number, done: (call: Call) => boolean = (call) => RESTING.has(call.status), timeoutMs = 30_000): Promise<Call> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await dataSource.getRepository(Call).findOneByOrFail({ id });
    if (done(call)) return call;
    if (Date.now() > deadline) throw new Error(`Call ${id} is still ${call.status}/${call.statusReason} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The call's analysis once the "analysed" event has gone out (the status changes just before). */
export async function waitForPublishedAnalysis(dataSource: DataSource, callId: number, timeoutMs = 10_000): Promise<Analysis> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const analysis = await dataSource.getRepository(Analysis).findOne({ where: { callId }, order: { version: 'DESC' } });
    if (analysis?.publishedAt) return analysis;
    if (Date.now() > deadline) throw new Error(`The analysis of call ${callId} was not published after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export type QueueCounts = Awaited<ReturnType<PgBossCallQueue['counts']>>;

/** Polls the queue's counts until `done` holds or the time is up; returns the last counts either way. */
export async function waitForQueue(queue: PgBossCallQueue, done: (counts: QueueCounts) => boolean, timeoutMs = 10_000): Promise<QueueCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.counts();
    if (done(counts) || Date.now() > deadline) return counts;
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RecordingHost {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

/** Some telephony's recording server: paths map to a status, a content type and a body. */
export async function startRecordingHost(routes: Record<string, { status?: number; type?: string; location?: string; body: Buffer | string; delayMs?: number }>): Promise<RecordingHost> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not found</body></html>');
    const headers = { 'content-type': route.type ?? 'audio/wav', ...(route.location ? { location: route.location } : {}) };
    const send = () => res.writeHead(route.status ?? 200, headers).end(route.body);
    if (route.delayMs) setTimeout(send, route.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
