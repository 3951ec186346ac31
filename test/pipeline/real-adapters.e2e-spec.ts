import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Call } from '../../src/calls/entities/call.entity';
import { Transcript } from '../../src/calls/entities/transcript.entity';
import { createFakeChat, FakeChat } from '../fakes/openai-chat';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { FakeTranscriptions, fakeTranscriptions } from '../fakes/openai-transcriptions';
import { startTestApp, TestApp } from '../support/app';
import { addCall } from '../support/fixtures';
import { writeToneWav } from '../transcription/wav';
import { RecordingHost, startRecordingHost, waitForCall } from './pipeline-support';

const PHRASES = {
  440: 'Здравствуйте, компания Ромашка, меня зовут Анна. Чем могу помочь?',
  550: 'Добрый день, хочу заказать доставку на завтра.',
  660: 'Оформим на завтра, я пришлю счёт сегодня.',
};

describe('end to end with the real adapters: Whisper over HTTP through python/ and the OpenAI analyser', () => {
  let openai: FakeOpenAI;
  let chat: FakeChat;
  let transcriptions: FakeTranscriptions;
  let host: RecordingHost;
  let t: TestApp;

  beforeAll(async () => {
    chat = createFakeChat();
    transcriptions = fakeTranscriptions({ phrases: PHRASES, apiKey: 'sk-e2e' });
    openai = await startFakeOpenAI({ ...transcriptions.routes, 'POST /v1/chat/completions': chat.handler });
    const dir = mkdtempSync(join(tmpdir(), 'e2e-wav-'));
    const stereo = writeToneWav(join(dir, 'call.wav'), 24, [[[0.5, 4, 440], [12, 16, 660]], [[5, 10, 550]]], 44100);
    host = await startRecordingHost({ '/rec.wav': { body: readFileSync(stereo) } });
    t = await startTestApp({
      OPENAI_API_KEY: 'sk-e2e', OPENAI_BASE_URL: openai.baseURL, TRANSCRIBE_BACKEND: 'openai-api',
      DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1', PIPELINE_RETRY_DELAY_SEC: '1',
    });
  });

  afterAll(async () => {
    await t.close();
    await openai.close();
    await host.close();
  });

  it('takes a stereo outgoing call to analyzed with speakers, checklist and metrics, in exactly one chat completion', async () => {
    const call = await addCall(t.dataSource, { source: 'webhook', direction: 'outgoing', recordSourceUrl: `${host.url}/rec.wav`, durationSec: 24, managerName: 'Анна' });

    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    const done = await waitForCall(t.dataSource, call.id, undefined, 60_000);

    expect(done).toMatchObject({ status: 'analyzed', error: null });
    const transcript = await t.dataSource.getRepository(Transcript).findOneByOrFail({ callId: call.id });
    expect(transcript).toMatchObject({ engine: 'openai-api', model: 'whisper-1' });
    expect(transcript.segments.map((segment) => [segment.speaker, segment.text])).toEqual([
      ['manager', PHRASES[440]], ['client', PHRASES[550]], ['manager', PHRASES[660]],
    ]);
    expect(transcriptions.received).toHaveLength(2);
    expect(transcriptions.received[0].file?.contentType).toBe('audio/wav');
    expect(chat.received).toHaveLength(1);
    const analysis = await t.dataSource.getRepository(Analysis).findOneByOrFail({ callId: call.id });
    expect(analysis.promptTokens).toBeGreaterThan(0);
    expect(done.scoreOverall).toBe(analysis.scoreOverall);

    const details = (await request(t.server).get(`/api/calls/${call.id}`).expect(200)).body;
    expect(details.analysis.checklist.length).toBeGreaterThan(0);
    expect(details.analysis.checklist[0]).toEqual(expect.objectContaining({ id: expect.any(String), passed: expect.anything() }));
    expect(details.metrics).toMatchObject({ talkRatio: { manager: expect.any(Number), client: expect.any(Number) }, managerQuestions: 1 });
    expect(details.metrics.talkRatio.manager).toBeGreaterThan(details.metrics.talkRatio.client);
    const search = await request(t.server).get('/api/calls').query({ q: 'доставку' }).expect(200);
    expect(search.body.items.map((item: { id: number }) => item.id)).toContain(call.id);
  });

  describe('when the recording has the roles the other way round', () => {
    // The company is introduced on the right channel, which the default mapping of uploads gives the client.
    const reversed = writeToneWav(join(mkdtempSync(join(tmpdir(), 'e2e-wav-')), 'reversed.wav'), 24, [[[5, 10, 550]], [[0.5, 4, 440], [12, 16, 660]]]);

    async function uploaded(): Promise<{ id: number; metrics: Record<string, any>; transcript: { segments: { speaker: string; text: string }[] } }> {
      const reply = await request(t.server).post('/api/calls/upload').field('managerName', 'Анна').attach('file', reversed).expect(202);
      await waitForCall(t.dataSource, reply.body.id, undefined, 60_000);
      return (await request(t.server).get(`/api/calls/${reply.body.id}`).expect(200)).body;
    }

    it('flags the call in its metrics and leaves the labels as mapped', async () => {
      const details = await uploaded();

      expect(details.metrics.roleCheck).toBe('contradicted');
      expect(details.transcript.segments.map((segment) => segment.speaker)).toEqual(['client', 'manager', 'client']);
      expect(details.metrics.talkRatio.manager).toBeLessThan(details.metrics.talkRatio.client);
    });

    it('exchanges the speakers when the setting allows, and keeps the exchanged transcript', async () => {
      await request(t.server).patch('/api/settings').send({ transcription: { autoSwapRoles: true } }).expect(200);
      const details = await uploaded();

      expect(details.metrics.roleCheck).toBe('swapped');
      expect(details.transcript.segments.map((segment) => [segment.speaker, segment.text])).toEqual([
        ['manager', PHRASES[440]], ['client', PHRASES[550]], ['manager', PHRASES[660]],
      ]);
      expect(details.metrics.talkRatio.manager).toBeGreaterThan(details.metrics.talkRatio.client);
      expect(details.metrics.managerQuestions).toBe(1);

      // As after a crash between storing the analysis and showing it on the call: run again, nothing is paid twice.
      const chats = chat.received.length;
      await t.dataSource.getRepository(Call).update(details.id, { status: 'transcribed' });
      await request(t.server).post(`/api/calls/${details.id}/process`).send({}).expect(202);
      await waitForCall(t.dataSource, details.id);
      expect(chat.received.length).toBe(chats);
      expect(await t.dataSource.getRepository(Analysis).countBy({ callId: details.id })).toBe(1);
    });
  });
});
