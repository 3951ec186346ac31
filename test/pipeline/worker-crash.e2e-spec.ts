import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Call } from '../../src/calls/entities/call.entity';
import { Transcript } from '../../src/calls/entities/transcript.entity';
import { startTestApp, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { addCall } from '../support/fixtures';
import { PIPELINE_ENV, RecordingHost, sampleWav, sleep, startRecordingHost } from './pipeline-support';

const CALLS = 6;

describe('a worker process killed with SIGKILL mid-stage', () => {
  let database: TestDatabase;
  let host: RecordingHost;
  let api: TestApp;
  const workers: ChildProcess[] = [];
  const env = () => ({
    ...process.env, ...PIPELINE_ENV, DATABASE_URL: database.url, DATA_DIR: api.config.dataDir,
    PIPELINE_HEARTBEAT_SEC: '10', PIPELINE_TRANSCRIBE_CONCURRENCY: '3', PIPELINE_RETRY_LIMIT: '3',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    host = await startRecordingHost({ '/call.wav': { body: sampleWav(25, 1) } });
    api = await startTestApp({ ...PIPELINE_ENV, ROLE: 'api', DATA_DIR: mkdtempSync(join(tmpdir(), 'crash-data-')) }, database);
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await api.close();
    await host.close();
    await database.drop();
  });

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(__dirname, 'worker-process.js')], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    workers.push(child);
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve(child));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${errors}`)));
    });
  }

  async function calls(): Promise<Call[]> {
    return api.dataSource.getRepository(Call).find({ order: { id: 'ASC' } });
  }

  async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await calls()).map((c) => [c.id, c.status, c.statusReason]))}`);
      await sleep(100);
    }
  }

  it('leaves no call lost, stuck or processed twice once a new worker starts', async () => {
    for (let index = 0; index < CALLS; index++) await addCall(api.dataSource, { source: 'webhook', recordSourceUrl: `${host.url}/call.wav`, durationSec: 60 });
    const queued = await request(api.server).post('/api/calls/process-pending').send({}).expect(202);
    expect(queued.body.queued).toBe(CALLS);
    await sleep(1500);
    expect((await calls()).every((call) => call.status === 'in_progress' && call.statusReason === 'queued')).toBe(true);

    const first = await startWorker();
    await waitUntil(async () => (await calls()).filter((call) => call.statusReason === 'transcribing').length >= 2, 30_000, 'transcriptions to start');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const interrupted = (await calls()).filter((call) => call.statusReason === 'transcribing').map((call) => call.id);
    expect(interrupted.length).toBeGreaterThanOrEqual(2);

    const second = await startWorker();
    await waitUntil(async () => (await calls()).every((call) => call.status === 'analyzed'), 90_000, 'every call to be analysed');
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    for (const call of await calls()) {
      expect(await api.dataSource.getRepository(Analysis).countBy({ callId: call.id })).toBe(1);
      expect(await api.dataSource.getRepository(Transcript).countBy({ callId: call.id })).toBe(1);
      expect(call.latestAnalysisId).not.toBeNull();
    }
    const unpublished = await api.dataSource.query('SELECT count(*)::int AS n FROM analyses WHERE published_at IS NULL');
    expect(unpublished[0].n).toBe(0);
    const stages: { call_id: number; n: number }[] = await api.dataSource.query(
      "SELECT call_id, count(*)::int AS n FROM call_stages WHERE stage = 'transcription' AND outcome = 'succeeded' GROUP BY call_id");
    expect(stages.every((row) => row.n === 1)).toBe(true);
    const health = await request(api.server).get('/api/health').expect(200);
    expect(health.body.pipeline).toMatchObject({ role: 'api', working: false, statuses: { analyzed: CALLS, in_progress: 0 }, queue: { queued: 0, active: 0 } });
  }, 150_000);
});
