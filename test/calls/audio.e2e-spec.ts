import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { RecordingLinks } from '../../src/calls/recording-links';
import { addCall } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/app';

const API_TOKEN = 'audio-api-token-0123456789';

describe('GET /api/calls/:id/audio', () => {
  let t: TestApp;
  let callId: number;
  let pendingId: number;
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

  beforeAll(async () => {
    t = await startTestApp({ API_TOKEN });
    mkdirSync(join(t.config.dataDir, 'recordings'), { recursive: true });
    writeFileSync(join(t.config.dataDir, 'recordings', 'call.mp3'), bytes);
    callId = (await addCall(t.dataSource, { recordingPath: 'recordings/call.mp3', recordingMime: 'audio/mpeg' })).id;
    pendingId = (await addCall(t.dataSource, { recordFileId: 77 })).id;
  });
  afterAll(() => t.close());

  const audio = (id: number) => request(t.server).get(`/api/calls/${id}/audio`).set('Authorization', `Bearer ${API_TOKEN}`);
  const bodyOf = (res: request.Response) => Buffer.from(res.body as Buffer);

  it('streams the whole recording with its type and Accept-Ranges', async () => {
    const res = await audio(callId).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(bodyOf(res).equals(bytes)).toBe(true);
  });

  it('serves the first bytes of a range', async () => {
    const res = await audio(callId).set('Range', 'bytes=0-99').buffer(true).expect(206);
    expect(res.headers['content-range']).toBe('bytes 0-99/1000');
    expect(bodyOf(res).equals(bytes.subarray(0, 100))).toBe(true);
  });

  it('serves a suffix range and an open-ended range', async () => {
    const suffix = await audio(callId).set('Range', 'bytes=-10').buffer(true).expect(206);
    expect(suffix.headers['content-range']).toBe('bytes 990-999/1000');
    expect(bodyOf(suffix).equals(bytes.subarray(990))).toBe(true);
    const open = await audio(callId).set('Range', 'bytes=995-').buffer(true).expect(206);
    expect(bodyOf(open).equals(bytes.subarray(995))).toBe(true);
  });

  it('answers 416 with the size for a range outside the file', async () => {
    const res = await audio(callId).set('Range', 'bytes=5000-6000').expect(416);
    expect(res.headers['content-range']).toBe('bytes */1000');
  });

  it('accepts the signed link of recordUrl instead of the Bearer token', async () => {
    const details = await request(t.server).get(`/api/calls/${callId}`).set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    const url = new URL(details.body.recordUrl);
    const res = await request(t.server).get(`${url.pathname}${url.search}`).buffer(true).expect(200);
    expect(bodyOf(res).equals(bytes)).toBe(true);
  });

  it('refuses no token, a forged token, an expired token and a token of another call', async () => {
    const links = t.app.get(RecordingLinks);
    const expired = new URL(links.urlFor(callId, Date.now() - 7 * 3600_000));
    const otherCall = new URL(links.urlFor(pendingId));
    await request(t.server).get(`/api/calls/${callId}/audio`).expect(401);
    await request(t.server).get(`/api/calls/${callId}/audio?token=123.${'a'.repeat(43)}`).expect(401);
    await request(t.server).get(`/api/calls/${callId}/audio${expired.search}`).expect(401);
    await request(t.server).get(`/api/calls/${callId}/audio${otherCall.search}`).expect(401);
  });

  it('says clearly that a recording is not downloaded yet', async () => {
    const res = await audio(pendingId).expect(404);
    expect(res.body.message).toContain('not been downloaded yet');
  });
});
