import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Call } from '../../src/calls/entities/call.entity';
import { PipelineSweeper } from '../../src/pipeline/pipeline-sweeper';
import { SettingsService } from '../../src/settings/settings.service';
import { addCall, addEmployee } from '../support/fixtures';
import { PipelineTestApp, RecordingHost, sampleWav, startPipelineApp, startRecordingHost, waitForCall } from './pipeline-support';

describe('analysis control: budget, missing LLM, uploads and costs', () => {
  let host: RecordingHost;
  let t: PipelineTestApp;

  beforeAll(async () => {
    host = await startRecordingHost({ '/call.wav': { body: sampleWav(25, 1) } });
    t = await startPipelineApp({ MAX_RECORDING_MB: '1' });
  });

  afterAll(async () => {
    await t.close();
    await host.close();
  });

  const newCall = () => addCall(t.dataSource, { source: 'webhook', recordSourceUrl: `${host.url}/call.wav`, durationSec: 60 });
  const settings = () => t.app.get(SettingsService);

  async function processed(call: Call, done?: (call: Call) => boolean): Promise<Call> {
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    return waitForCall(t.dataSource, call.id, done);
  }

  describe('monthly budget', () => {
    afterAll(() => settings().update({ analysis: { monthlyBudgetUsd: null } }, 'test'));

    it('parks calls at transcribed/budget_paused once the month spend reaches the budget, and resumes them when it is raised', async () => {
      const spentBefore = (await request(t.server).get('/api/analytics/costs').expect(200)).body.spentUsd as number;
      await settings().update({ analysis: { monthlyBudgetUsd: spentBefore + 0.015 } }, 'test');

      expect((await processed(await newCall())).status).toBe('analyzed');
      expect((await processed(await newCall())).status).toBe('analyzed');
      const paidCalls = t.analyzer.requests.length;
      const parked = await processed(await newCall(), (c) => c.statusReason === 'budget_paused');
      expect(parked.status).toBe('transcribed');
      expect(t.analyzer.requests.length).toBe(paidCalls);

      const costs = (await request(t.server).get('/api/analytics/costs').expect(200)).body;
      expect(costs).toMatchObject({ paused: true, pausedCalls: 1, budgetUsd: spentBefore + 0.015, remainingUsd: 0 });
      expect(costs.spentUsd).toBeCloseTo(spentBefore + 0.02, 6);

      await t.app.get(PipelineSweeper).sweep();
      expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: parked.id })).toMatchObject({ statusReason: 'budget_paused' });

      await settings().update({ analysis: { monthlyBudgetUsd: 100 } }, 'test');
      const result = await t.app.get(PipelineSweeper).sweep();
      expect(result?.resumed).toBe(1);
      expect(await waitForCall(t.dataSource, parked.id)).toMatchObject({ status: 'analyzed' });
    });
  });

  it('reports the month spend, calls analysed and cost per analysed minute', async () => {
    const costs = (await request(t.server).get('/api/analytics/costs').expect(200)).body;

    expect(costs).toMatchObject({ month: expect.stringMatching(/^\d{4}-\d{2}$/), timeZone: 'Europe/Moscow', callsAnalyzed: expect.any(Number) });
    expect(costs.callsAnalyzed).toBeGreaterThanOrEqual(3);
    expect(costs.costPerAnalyzedMinuteUsd).toBeCloseTo(costs.callsSpentUsd / costs.analyzedMinutes, 5);
    const past = (await request(t.server).get('/api/analytics/costs?month=2020-01').expect(200)).body;
    expect(past).toMatchObject({ month: '2020-01', spentUsd: 0, callsAnalyzed: 0, costPerAnalyzedMinuteUsd: null });
    await request(t.server).get('/api/analytics/costs?month=2020-13').expect(400);
  });

  describe('uploads', () => {
    it('creates an upload call linked to the employee by name, and processes it like the rest', async () => {
      const employee = await addEmployee(t.dataSource, 'Анна Смирнова');
      const reply = await request(t.server).post('/api/calls/upload')
        .field('managerName', 'анна смирнова').field('clientPhone', '+7 900 000-00-00').field('direction', 'outgoing').field('startedAt', '2025-03-01T10:00:00Z')
        .attach('file', sampleWav(25, 2), { filename: 'call.bin', contentType: 'application/octet-stream' })
        .expect(202);

      expect(reply.body).toMatchObject({ source: 'upload', employeeId: employee.id, recordingMime: 'audio/wav', status: 'audio_downloaded', statusReason: 'queued' });
      const done = await waitForCall(t.dataSource, reply.body.id);
      expect(done).toMatchObject({ status: 'analyzed', source: 'upload', direction: 'outgoing', managerName: 'анна смирнова', durationSec: 25, audioChannels: 2 });
      expect(t.transcriber.requests.at(-1)).toMatchObject({ channels: 2, managerChannel: 0 });
    });

    it.each([
      ['a file that is not audio', () => Buffer.from('<html><body>hi</body></html>'), 415, 'got an HTML page'],
      ['an empty file', () => Buffer.alloc(0), 400, 'file: the uploaded file is empty'],
      ['a file over the size limit', () => Buffer.concat([sampleWav(1, 1), Buffer.alloc(1024 * 1024)]), 413, ''],
      ['audio bytes that do not decode', () => Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(100, 7)]), 422, 'cannot be decoded'],
    ])('refuses %s with a 4xx and stores nothing', async (_what, body, status, message) => {
      const calls = await t.dataSource.getRepository(Call).count();
      const reply = await request(t.server).post('/api/calls/upload').field('managerName', 'Анна')
        .attach('file', body(), { filename: 'call.wav', contentType: 'audio/wav' })
        .expect(status);

      expect(reply.body.message).toContain(message);
      expect(await t.dataSource.getRepository(Call).count()).toBe(calls);
      expect(storedFiles()).toEqual([]);
    });

    it('refuses bad metadata and a missing file with a 400 naming the field', async () => {
      const calls = await t.dataSource.getRepository(Call).count();
      const noName = await request(t.server).post('/api/calls/upload').attach('file', sampleWav(25, 1), 'call.wav').expect(400);
      expect(noName.body.message).toContain('managerName');
      const badDirection = await request(t.server).post('/api/calls/upload').field('managerName', 'Анна').field('direction', 'sideways')
        .attach('file', sampleWav(25, 1), 'call.wav').expect(400);
      expect(badDirection.body.message).toContain('direction');
      const noFile = await request(t.server).post('/api/calls/upload').field('managerName', 'Анна').expect(400);
      expect(noFile.body.message).toContain('file');
      expect(await t.dataSource.getRepository(Call).count()).toBe(calls);
      expect(storedFiles()).toEqual([]);
    });
  });

  it('answers 404 for an unknown call and 400 for a bad body', async () => {
    await request(t.server).post('/api/calls/999999/process').send({}).expect(404);
    await request(t.server).post('/api/calls/1/process').send({ force: 'yes' }).expect(400);
    await request(t.server).post('/api/calls/reanalyze').send({ from: '2025-13-01' }).expect(400);
  });

  function storedFiles(): string[] {
    try {
      return readdirSync(join(t.config.dataDir, 'recordings', '.partial'));
    } catch {
      return [];
    }
  }
});

describe('without an LLM', () => {
  it('stops at transcribed/llm_not_configured with the metrics computed', async () => {
    const host = await startRecordingHost({ '/call.wav': { body: sampleWav(25, 1) } });
    const t = await startPipelineApp({ OPENAI_API_KEY: '' });
    try {
      const call = await addCall(t.dataSource, { source: 'webhook', recordSourceUrl: `${host.url}/call.wav`, durationSec: 60 });
      await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
      const done = await waitForCall(t.dataSource, call.id, (c) => c.status === 'transcribed' && c.statusReason !== 'queued');

      expect(done).toMatchObject({ status: 'transcribed', statusReason: 'llm_not_configured', metrics: expect.objectContaining({ talkRatio: expect.any(Object) }) });
      expect(t.analyzer.requests).toHaveLength(0);
      const pending = await request(t.server).post('/api/calls/process-pending').send({}).expect(202);
      expect(pending.body.queued).toBe(1);
    } finally {
      await t.close();
      await host.close();
    }
  });
});
