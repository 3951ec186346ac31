import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { CallStage } from '../../src/calls/entities/call-stage.entity';
import { Transcript } from '../../src/calls/entities/transcript.entity';
import { AnalysisEvents, AnalysedEvent } from '../../src/pipeline/analysis-events';
import { PgBossCallQueue } from '../../src/pipeline/pg-boss-call-queue';
import { PipelineLimits } from '../../src/pipeline/pipeline-limits';
import { SettingsService } from '../../src/settings/settings.service';
import { FakeBitrix24, startFakeBitrix24 } from '../fakes/bitrix24';
import { addCall } from '../support/fixtures';
import { PipelineTestApp, sampleWav, startPipelineApp, unavailable, waitForCall, waitForPublishedAnalysis, waitForQueue } from './pipeline-support';

describe('call pipeline: from a Bitrix24 recording to an analysed call', () => {
  let bitrix: FakeBitrix24;
  let t: PipelineTestApp;
  let events: AnalysedEvent[];

  beforeAll(async () => {
    bitrix = await startFakeBitrix24({ rateLimit: false });
    bitrix.state.diskFiles.set(501, { id: 501, name: 'call.wav', contentType: 'audio/wav', content: sampleWav(25, 2) });
    t = await startPipelineApp({ BITRIX_WEBHOOK_URL: bitrix.webhookUrl });
    events = [];
    t.app.get(AnalysisEvents).onAnalysed('test', async (event) => void events.push(event));
  });

  afterAll(async () => {
    await t.close();
    await bitrix.close();
  });

  beforeEach(() => {
    events.length = 0;
  });

  it('downloads through disk.file.get, transcribes the stereo WAV per speaker and stores a published analysis', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25, direction: 'outgoing' });

    const accepted = await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    expect(accepted.body).toMatchObject({ id: call.id, queued: true, status: 'in_progress', statusReason: 'queued' });

    const done = await waitForCall(t.dataSource, call.id);
    expect(done).toMatchObject({ status: 'analyzed', statusReason: null, scoreOverall: 72, riskLevel: 'low', audioChannels: 2, recordingMime: 'audio/wav' });
    expect(existsSync(join(t.config.dataDir, done.recordingPath!))).toBe(true);
    expect(done.recordingPath!.startsWith('recordings/')).toBe(true);
    expect(t.transcriber.requests.at(-1)).toMatchObject({ channels: 2, managerChannel: 0, language: 'ru' });
    expect(await t.dataSource.getRepository(Transcript).countBy({ callId: call.id })).toBe(1);
    expect(done.metrics).toMatchObject({ talkRatio: expect.any(Object), managerQuestions: 1 });
    const analysis = await waitForPublishedAnalysis(t.dataSource, call.id);
    expect(analysis).toMatchObject({ version: 1, costUsd: 0.01 });
    expect(events).toEqual([{ kind: 'call', subjectId: call.id, analysisId: analysis.id, version: 1 }]);
    expect(bitrix.requests.map((entry) => entry.method)).toEqual(expect.arrayContaining(['disk.file.get', 'download']));

    const details = await request(t.server).get(`/api/calls/${call.id}`).expect(200);
    expect(details.body.stages.map((stage: { stage: string; outcome: string }) => `${stage.stage}:${stage.outcome}`))
      .toEqual(['download:succeeded', 'transcription:succeeded', 'analysis:succeeded']);
    expect(JSON.stringify(details.body)).not.toContain(bitrix.secret);
  });

  it('retries a failing analysis and resumes there: the recording is not downloaded nor transcribed again', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    const transcriptionsBefore = t.transcriber.requests.length;
    t.analyzer.failNext(unavailable(), unavailable());

    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    const done = await waitForCall(t.dataSource, call.id);

    expect(done.status).toBe('analyzed');
    expect(t.transcriber.requests.length - transcriptionsBefore).toBe(1);
    const stages = await t.dataSource.getRepository(CallStage).find({ where: { callId: call.id }, order: { id: 'ASC' } });
    expect(stages.map((stage) => `${stage.stage}:${stage.outcome}`)).toEqual([
      'download:succeeded', 'transcription:succeeded', 'analysis:failed', 'analysis:failed', 'analysis:succeeded',
    ]);
    expect(stages[2].error).toContain('unavailable');
    expect(stages.map((stage) => stage.attempt)).toEqual([1, 1, 1, 2, 3]);
  });

  it('ends in error with the reason, the failing stage and the attempts once retries run out', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    t.transcriber.failNext(unavailable('transcription'), unavailable('transcription'), unavailable('transcription'));

    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    const done = await waitForCall(t.dataSource, call.id);

    expect(done).toMatchObject({ status: 'error', errorStage: 'transcription', attempts: 3, error: 'transcription is unavailable (HTTP 503)' });
    expect(await t.dataSource.getRepository(Analysis).countBy({ callId: call.id })).toBe(0);
  });

  it('retries an error call from the failed stage when asked to include errors', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    t.analyzer.failNext(unavailable(), unavailable(), unavailable());
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    expect(await waitForCall(t.dataSource, call.id)).toMatchObject({ status: 'error', errorStage: 'analysis' });

    const pending = await request(t.server).post('/api/calls/process-pending').send({ includeErrors: true }).expect(202);

    expect(pending.body.queued).toBeGreaterThanOrEqual(1);
    expect(await waitForCall(t.dataSource, call.id)).toMatchObject({ status: 'analyzed', error: null, errorStage: null });
    expect(await t.dataSource.getRepository(CallStage).countBy({ callId: call.id, stage: 'transcription' })).toBe(1);
    expect(await t.dataSource.getRepository(CallStage).countBy({ callId: call.id, stage: 'download' })).toBe(1);
  });

  it('a forced re-run keeps the earlier analysis as history and publishes the new version once', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    await waitForCall(t.dataSource, call.id);
    await waitForPublishedAnalysis(t.dataSource, call.id);
    t.analyzer.score = 40;

    const unforced = await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    expect(unforced.body).toMatchObject({ queued: false, status: 'analyzed' });
    const forced = await request(t.server).post(`/api/calls/${call.id}/process`).send({ force: true }).expect(202);
    expect(forced.body).toMatchObject({ queued: true, status: 'analyzed', statusReason: 'queued' });
    const done = await waitForCall(t.dataSource, call.id, (c) => c.status === 'analyzed' && c.statusReason === null && c.scoreOverall === 40);
    await waitForPublishedAnalysis(t.dataSource, call.id);
    t.analyzer.score = 72;

    const versions = await t.dataSource.getRepository(Analysis).find({ where: { callId: call.id }, order: { version: 'ASC' } });
    expect(versions.map((version) => [version.version, version.scoreOverall])).toEqual([[1, 72], [2, 40]]);
    expect(done.latestAnalysisId).toBe(versions[1].id);
    expect(events.filter((event) => event.subjectId === call.id).map((event) => event.version)).toEqual([1, 2]);
    const details = await request(t.server).get(`/api/calls/${call.id}`).expect(200);
    expect(details.body.analysisHistory).toHaveLength(2);
  });

  it('queues concurrent process requests for one call once, and runs it once', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    const analysesBefore = t.analyzer.requests.length;
    t.transcriber.delayMs = 300;

    const replies = await Promise.all(Array.from({ length: 8 }, () => request(t.server).post(`/api/calls/${call.id}/process`).send({})));
    await waitForCall(t.dataSource, call.id);
    t.transcriber.delayMs = 0;

    expect(replies.map((reply) => reply.status)).toEqual(Array(8).fill(202));
    expect(replies.filter((reply) => reply.body.queued)).toHaveLength(1);
    expect(t.analyzer.requests.length - analysesBefore).toBe(1);
    expect(await t.dataSource.getRepository(CallStage).countBy({ callId: call.id, stage: 'download' })).toBe(1);
  });

  it('does not pay twice for the same input: re-scoring unchanged calls reuses the stored analysis, a changed checklist adds a version', async () => {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    await waitForCall(t.dataSource, call.id);
    const paid = t.analyzer.requests.length;

    await request(t.server).post('/api/calls/reanalyze').send({ status: 'analyzed' }).expect(202);
    await waitForCall(t.dataSource, call.id, (c) => c.status === 'analyzed' && c.statusReason === null);
    expect(t.analyzer.requests.length).toBe(paid);

    const settings = t.app.get(SettingsService);
    const { analysis } = await settings.get();
    await settings.update({ analysis: { checklist: analysis.checklist.slice(0, 3) } }, 'test');
    const reply = await request(t.server).post('/api/calls/reanalyze').send({ status: 'analyzed' }).expect(202);
    expect(reply.body.queued).toBeGreaterThanOrEqual(1);
    await waitForCall(t.dataSource, call.id, (c) => c.status === 'analyzed' && c.statusReason === null);
    const waitVersion = async () => {
      for (let i = 0; i < 100; i++) {
        if ((await t.dataSource.getRepository(Analysis).countBy({ callId: call.id })) === 2) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitVersion();
    expect(await t.dataSource.getRepository(Analysis).countBy({ callId: call.id })).toBe(2);
    await settings.update({ analysis: { checklist: analysis.checklist } }, 'test');
  });

  it('holds as many calls at once as its slots allow, once its job fetchers have all started', async () => {
    const slots = PipelineLimits.jobSlots(t.config);
    const queue = t.app.get(PgBossCallQueue);
    let release!: () => void;
    t.transcriber.gate = new Promise((resolve) => (release = resolve));
    const calls = await Promise.all(Array.from({ length: slots + 2 }, () => addCall(t.dataSource, { recordFileId: 501, durationSec: 25 })));

    await queue.enqueue(calls.map((call) => call.id));
    const held = await waitForQueue(queue, (counts) => counts.active === slots);
    release();
    t.transcriber.gate = undefined;
    await Promise.all(calls.map((call) => waitForCall(t.dataSource, call.id)));

    expect(slots).toBeGreaterThan(4);
    expect(held).toEqual({ active: slots, queued: 2, retrying: 0 });
  });

  it('reports counts per status and the queue in /api/health', async () => {
    const health = await request(t.server).get('/api/health').expect(200);

    expect(health.body.pipeline).toMatchObject({ role: 'all', working: true, statuses: { analyzed: expect.any(Number), new: expect.any(Number) }, queue: { queued: expect.any(Number), active: expect.any(Number) } });
    expect(health.body.pipeline.statuses.analyzed).toBeGreaterThan(0);
  });
});
