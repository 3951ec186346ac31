import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openAsBlob, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { ffmpegBinary } from '../../src/common/packaged-binaries';
import { createFakeChat, FakeChat } from '../fakes/openai-chat';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { FakeTranscriptions, fakeTranscriptions, OPENAI_MAX_BODY_BYTES } from '../fakes/openai-transcriptions';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/database';
import { Party, SpeechStudio, SpokenTurn, Turn } from '../support/speech-audio';

const ROOT = resolve(__dirname, '../..');
const BLOCK_SEC = 300;
const CALL_SEC = 90 * 60;
const PEAK_RSS_LIMIT_MB = 400;
/** The Python worker reads the recording a few seconds at a time: its memory does not grow with the call. */
const WORKER_RSS_LIMIT_MB = 100;
const LINES: [Party, string][] = [
  ['manager', 'Здравствуйте, компания Ромашка, меня зовут Анна. Чем могу помочь?'],
  ['client', 'Добрый день. Я хочу обсудить поставку оборудования на следующий квартал.'],
  ['manager', 'Конечно. Сколько единиц вам потребуется и на какой адрес?'],
  ['client', 'Около сорока штук, склад на улице Ленина, дом пять.'],
  ['manager', 'Хорошо. Я подготовлю расчёт со скидкой за объём.'],
  ['client', 'Да.'],
  ['manager', 'Пришлю предложение сегодня до вечера на вашу почту.'],
  ['client', 'Отлично, договорились. Спасибо.'],
];

/**
 * A 90-minute stereo call as telephony writes it (8 kHz A-law WAV) through the running service: upload, speech
 * found and sent in chunks within the fake's 25 MiB limit, analysis. The service runs in its own process, so its
 * peak memory is its own; the Python worker it starts is measured on its own.
 */
describe('a 90-minute call through the service', () => {
  let database: TestDatabase;
  let db: DataSource;
  let openai: FakeOpenAI;
  let chat: FakeChat;
  let transcriptions: FakeTranscriptions;
  let service: Service;
  let dir: string;
  let turns: SpokenTurn[];
  let recording: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'long-call-'));
    database = await createTestDatabase();
    db = await openDataSource(database.url);
    chat = createFakeChat();
    transcriptions = fakeTranscriptions({ apiKey: 'sk-long' });
    openai = await startFakeOpenAI({ ...transcriptions.routes, 'POST /v1/chat/completions': chat.handler });
    ({ recording, turns } = longCall(dir));
    service = await startService({
      HOST: '127.0.0.1', DATABASE_URL: database.url, DB_MIGRATE_ON_START: 'false', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn',
      OPENAI_API_KEY: 'sk-long', OPENAI_BASE_URL: openai.baseURL, TRANSCRIBE_BACKEND: 'openai-api', PIPELINE_RETRY_DELAY_SEC: '1',
    });
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    await openai?.close();
    await db?.destroy();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function statusOf(id: number): Promise<string> {
    const rows: { status: string }[] = await db.query('SELECT status FROM calls WHERE id = $1', [id]);
    return rows[0].status;
  }

  it('is transcribed in chunks within the limits, joined back in time, and analysed, the service staying under 400 MB', async () => {
    const idleMb = peakRssMb(service.pid).service;
    const form = new FormData();
    form.append('managerName', 'Анна');
    form.append('direction', 'outgoing');
    form.append('file', await openAsBlob(recording), 'long.wav');
    const upload = await fetch(`${service.url}/calls/upload`, { method: 'POST', body: form });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: number };

    // The status is read from the database, so that polling adds nothing to the service's memory.
    await until(() => statusOf(id), (status) => ['analyzed', 'error'].includes(status), 600_000);
    const peak = peakRssMb(service.pid);
    const call = await service.get<CallDetails>(`/calls/${id}`);

    expect(call).toMatchObject({ status: 'analyzed', error: null, audioDurationSec: CALL_SEC });
    expect(transcriptions.received.length).toBeGreaterThan(2);
    expect(transcriptions.received.every((request) => request.audioSec > 0 && request.file!.data.length < OPENAI_MAX_BODY_BYTES)).toBe(true);
    expect(call.transcript.sentAudioSec).toBeLessThan(CALL_SEC);
    expect(chat.received).toHaveLength(1);
    const spoken = Array.from({ length: CALL_SEC / BLOCK_SEC }, (_, copy) => turns.map((turn) => ({ ...turn, start: turn.start + copy * BLOCK_SEC, end: turn.end + copy * BLOCK_SEC }))).flat();
    const segments = call.transcript.segments;
    const unheard = spoken.filter((turn) => !segments.some((segment) => segment.speaker === turn.speaker && Math.abs(segment.start - turn.start) <= 0.15));
    const misplaced = segments.filter((segment) => !spoken.some((turn) => segment.speaker === turn.speaker && segment.start >= turn.start - 0.15 && segment.end <= turn.end + 0.15));
    expect({ unheard, misplaced }).toEqual({ unheard: [], misplaced: [] });
    process.stdout.write(`90-minute call: ${transcriptions.received.length} requests, ${Math.round(call.transcript.sentAudioSec)} s of audio sent; `
      + `peak RSS ${peak.service} MB service (${idleMb} MB idle) + ${peak.workers} MB Python worker\n`);
    expect(peak.service).toBeLessThan(PEAK_RSS_LIMIT_MB);
    expect(peak.workers).toBeLessThan(WORKER_RSS_LIMIT_MB);
  }, 600_000);

  /** 90 minutes of one five-minute conversation, with the turns of the first five minutes. */
  function longCall(into: string): { recording: string; turns: SpokenTurn[] } {
    const studio = new SpeechStudio(join(into, 'studio'));
    const script: Turn[] = [];
    let at = 0.5;
    while (at < BLOCK_SEC - 10) {
      const [speaker, text] = LINES[script.length % LINES.length];
      script.push({ speaker, text, at });
      at += studio.lengthSec(speaker, text) + (script.length % 7 === 0 ? 4 : 0.8);
    }
    const five = studio.record('block', { durationSec: BLOCK_SEC, turns: script });
    const path = join(into, 'long.wav');
    execFileSync(ffmpegBinary(), ['-v', 'error', '-y', '-stream_loop', String(CALL_SEC / BLOCK_SEC), '-i', five.path, '-t', String(CALL_SEC), '-ar', '8000', '-c:a', 'pcm_alaw', path]);
    return { recording: path, turns: five.turns };
  }
});

interface CallDetails {
  status: string;
  error: string | null;
  audioDurationSec: number;
  transcript: { segments: { start: number; end: number; speaker: string }[]; sentAudioSec: number };
}

interface Service {
  url: string;
  pid: number;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The service built by the TypeScript compiler (as `npm run build` does, less the Swagger plugin's document metadata)
 * into a directory of its own, run as `npm run start:prod` runs it, on a free port. Compiling as it loads would count
 * the compiler in the service's memory.
 */
async function startService(env: Record<string, string>): Promise<Service> {
  const build = mkdtempSync(join(tmpdir(), 'long-call-service-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', build], { cwd: ROOT });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api`;
  const child = spawn(process.execPath, [join(build, 'src/main.js')], {
    cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), NODE_PATH: join(ROOT, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const health = () => fetch(`${url}/health`).then((res) => res.status).catch(() => 0);
  const ready = await Promise.race([until(health, (status) => status === 200, 90_000), exited.then(() => 0)]);
  if (ready !== 200) throw new Error(`the service did not start: ${output.slice(-2000)}`);
  return {
    url,
    pid: child.pid!,
    get: async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(build, { recursive: true, force: true });
    },
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The high-water mark of resident memory of the service and of the worker processes it started, in MB. */
function peakRssMb(pid: number): { service: number; workers: number } {
  return { service: highWaterMb(pid), workers: childrenOf(pid).reduce((sum, child) => sum + highWaterMb(child), 0) };
}

function highWaterMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
