import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '../../src/database/embedded-database';
import { createFakeChat } from '../fakes/openai-chat';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { fakeTranscriptions } from '../fakes/openai-transcriptions';
import { sleep } from '../pipeline/pipeline-support';
import { writeToneWav } from '../transcription/wav';

const ROOT = join(__dirname, '..', '..');

interface Service {
  child: ChildProcess;
  output: () => string;
}

/**
 * `npm start` (HTTP only) and `npm run worker` on one DATA_DIR with the embedded PostgreSQL, each in a process of
 * its own, as the README sets them up; recognition and analysis through the fake OpenAI-compatible server.
 */
describe('two processes on one data directory', () => {
  let openai: FakeOpenAI;
  let dataDir: string;
  let api: Service;
  let worker: Service;
  let apiUrl: string;
  let env: NodeJS.ProcessEnv;
  let recording: Buffer;
  const started: ChildProcess[] = [];
  const outputs: (() => string)[] = [];

  beforeAll(async () => {
    const phrases = { 440: 'Здравствуйте, компания Ромашка, чем могу помочь?', 550: 'Хочу заказать доставку на завтра.' };
    openai = await startFakeOpenAI({ ...fakeTranscriptions({ phrases, apiKey: 'sk-e2e' }).routes, 'POST /v1/chat/completions': createFakeChat().handler });
    dataDir = mkdtempSync(join(tmpdir(), 'crm-shared-'));
    recording = readFileSync(writeToneWav(join(mkdtempSync(join(tmpdir(), 'crm-shared-wav-')), 'call.wav'), 24, [[[0.5, 4, 440], [5, 10, 550]]], 8000));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = {
      ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', API_TOKEN: '',
      OPENAI_API_KEY: 'sk-e2e', OPENAI_BASE_URL: openai.baseURL, TRANSCRIBE_BACKEND: 'openai-api', PIPELINE_RETRY_DELAY_SEC: '1',
    };
  });

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const server = postmaster();
    if (isRunning(server)) process.kill(server!, 'SIGQUIT');
    await openai.close();
  });

  function postmasterLines(): string[] {
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    return existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n') : [];
  }
  const postmaster = () => (postmasterLines().length ? Number(postmasterLines()[0]) : undefined);
  const postmasterPort = () => Number(postmasterLines()[3]);

  function isRunning(pid: number | undefined): boolean {
    try {
      return pid !== undefined && process.kill(pid, 0);
    } catch {
      return false;
    }
  }

  async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  async function start(entry: 'main.ts' | 'worker.ts', ready: string, role: string): Promise<Service> {
    const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'ts-process.js'), join(ROOT, 'src', entry)], { cwd: dataDir, env: { ...env, ROLE: role } });
    started.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (!output.includes(ready)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${entry} did not start:\n${output}`);
      await sleep(200);
    }
    outputs.push(() => output);
    return { child, output: () => output };
  }

  const startApi = () => start('main.ts', 'Listening on', 'api');
  const startWorker = () => start('worker.ts', 'Processing calls', 'worker');

  async function kill(service: Service, signal: NodeJS.Signals): Promise<void> {
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill(signal);
    await exited;
  }

  /** The API answers from the database, and the worker takes an uploaded call to analysed. */
  async function expectBothWorking(): Promise<void> {
    await request(apiUrl).get('/api/health').expect(200);
    await request(apiUrl).get('/api/calls').expect(200);
    const upload = await request(apiUrl).post('/api/calls/upload')
      .field('managerName', 'Анна').field('direction', 'outgoing').field('startedAt', new Date().toISOString())
      .attach('file', recording, { filename: 'call.wav', contentType: 'audio/wav' })
      .expect(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const call = await request(apiUrl).get(`/api/calls/${upload.body.id}`).expect(200);
      if (call.body.status === 'analyzed') return;
      if (Date.now() > deadline) throw new Error(`call ${upload.body.id} is still ${call.body.status}/${call.body.statusReason}\n${worker.output().slice(-3000)}`);
      await sleep(250);
    }
  }

  it('keeps both answering when either is killed and started again, in any order', async () => {
    api = await startApi();
    worker = await startWorker();
    await expectBothWorking();

    await kill(api, 'SIGKILL');
    api = await startApi();
    await expectBothWorking();

    await kill(worker, 'SIGKILL');
    worker = await startWorker();
    await expectBothWorking();

    await kill(api, 'SIGKILL');
    await kill(worker, 'SIGKILL');
    worker = await startWorker();
    api = await startApi();
    await expectBothWorking();
  }, 300_000);

  it('starts the server again on the same port when the server itself is killed', async () => {
    const killed = postmaster()!;
    const port = postmasterPort();
    process.kill(killed, 'SIGKILL');
    await eventually(() => postmaster() !== killed && isRunning(postmaster()), 'a new postmaster');
    expect(postmasterPort()).toBe(port);
    await eventually(async () => (await request(apiUrl).get('/api/health')).status === 200, 'the API to reconnect');
    // Pools reconnect on their own; a process counts itself in again (and so keeps the server) once it says so.
    await eventually(() => [api, worker].every((service) => service.output().includes('is back on port')), 'both processes to count in again');
    await expectBothWorking();
  }, 120_000);

  it('keeps the server while one process stops, and stops it with the last one', async () => {
    const server = postmaster();
    await kill(api, 'SIGTERM');
    expect(postmaster()).toBe(server);
    expect(isRunning(server)).toBe(true);
    api = await startApi();
    await expectBothWorking();

    await kill(worker, 'SIGTERM');
    await kill(api, 'SIGTERM');
    expect(postmaster()).toBeUndefined();
    expect(isRunning(server)).toBe(false);
  }, 120_000);

  it('left the data directory readable by its owner only, and the password in no log', () => {
    const asRoot = process.getuid!() === 0;
    const top = statSync(dataDir);
    expect(top.mode & 0o777).toBe(asRoot ? 0o710 : 0o700);
    if (asRoot) expect(top.gid).toBe(Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
    const cluster = statSync(join(dataDir, 'postgres'));
    expect(cluster.mode & 0o777).toBe(0o700);
    if (asRoot) expect(cluster.uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));

    const everything = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((path) => !path.startsWith('postgres/'));
    expect(everything).toEqual(expect.arrayContaining(['postgres.json', 'postgres.log', 'recordings']));
    expect(everything.filter((path) => statSync(join(dataDir, path)).mode & 0o077)).toEqual([]);

    const { password } = JSON.parse(readFileSync(join(dataDir, 'postgres.json'), 'utf8'));
    expect(password).toMatch(/^[\w-]{32}$/);
    for (const log of [...outputs.map((output) => output()), readFileSync(join(dataDir, 'postgres.log'), 'utf8')]) expect(log).not.toContain(password);
  });
});
