import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Call } from '../../src/calls/entities/call.entity';
import { CallStage } from '../../src/calls/entities/call-stage.entity';
import { PipelineSweeper } from '../../src/pipeline/pipeline-sweeper';
import { addCall } from '../support/fixtures';
import { PipelineTestApp, RecordingHost, sampleWav, startPipelineApp, startRecordingHost, waitForCall } from './pipeline-support';

const REFUSED = 'Refusing to download the recording: the address is private, loopback or link-local, '
  + 'or a Bitrix24 Drive link leads away from the portal (trusted hosts go in DOWNLOAD_ALLOWED_HOSTS)';

describe('recordings from URLs, skip rules and resting states', () => {
  let host: RecordingHost;
  let t: PipelineTestApp;
  const big = Buffer.concat([sampleWav(1, 1), Buffer.alloc(1024 * 1024 + 10)]);

  beforeAll(async () => {
    host = await startRecordingHost({
      '/good.wav': { body: sampleWav(25, 1) },
      '/short.wav': { body: sampleWav(5, 1) },
      '/error-page': { status: 200, type: 'text/html', body: '<!DOCTYPE html><html><body>Session expired</body></html>' },
      '/json': { status: 200, type: 'application/json', body: '{"error":"expired"}' },
      '/big.wav': { body: big },
      '/moved': { status: 302, type: 'text/plain', body: '' },
      '/to-private': { status: 302, location: 'http://10.1.2.3/rec.mp3', body: '' },
      '/to-nowhere': { status: 302, location: 'http://[not-an-address/rec.mp3', body: '' },
    });
    t = await startPipelineApp({ MAX_RECORDING_MB: '1' });
  });

  afterAll(async () => {
    await t.close();
    await host.close();
  });

  const webhookCall = (url: string, fields: Partial<Call> = {}) =>
    addCall(t.dataSource, { source: 'webhook', recordSourceUrl: url, durationSec: 0, ...fields });

  async function processed(call: Call): Promise<Call> {
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    return waitForCall(t.dataSource, call.id);
  }

  it('streams a recording URL to DATA_DIR and takes the duration from the audio when the call had none', async () => {
    const done = await processed(await webhookCall(`${host.url}/good.wav`));

    expect(done).toMatchObject({ status: 'analyzed', durationSec: 25, audioChannels: 1, recordingMime: 'audio/wav' });
    expect(t.transcriber.requests.at(-1)).toMatchObject({ channels: 1 });
  });

  it.each([
    ['an HTML error page', '/error-page', 'The recording source returned an HTML page, not audio'],
    ['a JSON document', '/json', 'The recording source returned a JSON document, not audio'],
    ['a 404', '/missing.wav', `answered HTTP 404 (not found)`],
  ])('ends in error with a clear reason when the URL answers %s, without retrying', async (_what, path, reason) => {
    const before = host.hits.length;
    const done = await processed(await webhookCall(`${host.url}${path}`));

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', attempts: 1 });
    expect(done.error).toContain(reason);
    expect(host.hits.length - before).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a recording larger than the limit and keeps nothing of it', async () => {
    const done = await processed(await webhookCall(`${host.url}/big.wav`));

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', error: 'The recording is larger than the 1 MB limit (MAX_RECORDING_MB)' });
    expect(leftovers()).toEqual([]);
  });

  it.each([
    ['a private address', 'http://10.1.2.3/rec.mp3', REFUSED],
    ['a link-local address', 'http://169.254.169.254/latest/meta-data', REFUSED],
    ['a name that resolves to loopback', 'http://localhost:9/rec.mp3', REFUSED],
    ['an IPv4-mapped IPv6 loopback address', 'http://[::ffff:127.0.0.1]:9/rec.mp3', REFUSED],
    ['a non-http scheme', 'file:///etc/passwd', 'The recording URL must be http(s), not file'],
  ])('refuses %s (server-side request forgery)', async (_what, url, reason) => {
    const done = await processed(await webhookCall(url));

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', attempts: 1, error: reason });
  });

  it('refuses a redirect from an allow-listed host into a private address', async () => {
    const done = await processed(await webhookCall(`${host.url}/to-private`));

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', error: REFUSED });
  });

  it('ends in error at once when a redirect names no valid URL', async () => {
    const done = await processed(await webhookCall(`${host.url}/to-nowhere`));

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', attempts: 1, error: 'The recording URL is not a valid URL' });
  });

  it('skips missed calls and calls shorter than the minimum before downloading anything', async () => {
    const before = host.hits.length;
    const missed = await processed(await webhookCall(`${host.url}/good.wav`, { missed: true }));
    const short = await processed(await webhookCall(`${host.url}/good.wav`, { durationSec: 7 }));

    expect(missed).toMatchObject({ status: 'skipped', statusReason: 'missed' });
    expect(short).toMatchObject({ status: 'skipped', statusReason: 'too_short' });
    expect(host.hits.length).toBe(before);
  });

  it('skips a recording shorter than the minimum once its real duration is known', async () => {
    const done = await processed(await webhookCall(`${host.url}/short.wav`));

    expect(done).toMatchObject({ status: 'skipped', statusReason: 'too_short', audioDurationSec: 5 });
  });

  it('keeps a call without a recording waiting, then gives up after 24 hours', async () => {
    const call = await addCall(t.dataSource, { source: 'bitrix', durationSec: 60 });
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    const waiting = await waitForCall(t.dataSource, call.id, (c) => c.statusReason === 'awaiting_recording');
    expect(waiting).toMatchObject({ status: 'new', awaitingRecordingSince: expect.any(Date) });

    const pending = await request(t.server).post('/api/calls/process-pending').send({}).expect(202);
    expect(pending.body.queued).toBe(0);

    await t.dataSource.getRepository(Call).update(call.id, { awaitingRecordingSince: new Date(Date.now() - 25 * 3600_000) });
    await t.app.get(PipelineSweeper).sweep();
    expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: call.id })).toMatchObject({ status: 'skipped', statusReason: 'no_recording' });
  });

  it('records every attempt in call_stages', async () => {
    const call = await webhookCall(`${host.url}/missing.wav`);
    await processed(call);

    const stages = await t.dataSource.getRepository(CallStage).findBy({ callId: call.id });
    expect(stages).toEqual([expect.objectContaining({ stage: 'download', outcome: 'failed', finishedAt: expect.any(Date), error: expect.stringContaining('HTTP 404') })]);
  });

  function leftovers(): string[] {
    try {
      return readdirSync(join(t.config.dataDir, 'recordings', '.partial'));
    } catch {
      return [];
    }
  }
});
