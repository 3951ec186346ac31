import request from 'supertest';
import { seedDemo } from '../../src/seed/seed-demo';
import { SettingsService } from '../../src/settings/settings.service';
import { DEFAULT_CHECKLIST } from '../../src/settings/settings.defaults';
import { addCall } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/app';

const NOW = new Date('2026-03-31T15:00:00Z');
const PRICE = { id: 'price', title: 'Цена названа', description: 'The manager names the price.', weight: 1 };

describe('demo seed', () => {
  let t: TestApp;
  let ownCallId: number;
  let spoken: Awaited<ReturnType<typeof seedDemo>>;

  // Speech is synthesised and encoded at seed time: allow for a busy machine.
  beforeAll(async () => {
    t = await startTestApp();
    ownCallId = (await addCall(t.dataSource, { managerName: 'Реальный менеджер' })).id;
    await t.app.get(SettingsService).update({ analysis: { checklist: [...DEFAULT_CHECKLIST, PRICE] } }, 'test');
    spoken = await seedDemo(t.dataSource, { now: NOW, dataDir: t.config.dataDir });
  }, 180_000);
  afterAll(() => t.close());

  const sql = <T>(text: string) => t.dataSource.query(text) as Promise<T[]>;

  it('has calls of several kinds and outcomes, every risk level and scores across the range', async () => {
    const risks = await sql<{ risk: string; calls: number }>(`SELECT risk_level AS risk, count(*)::int AS calls FROM calls WHERE risk_level IS NOT NULL GROUP BY 1 ORDER BY 1`);
    expect(risks.map((row) => row.risk)).toEqual(['high', 'low', 'medium']);
    expect(Math.min(...risks.map((row) => row.calls))).toBeGreaterThan(10);
    const buckets = await sql<{ bucket: number }>(`SELECT DISTINCT width_bucket(score_overall, 0, 101, 5) AS bucket FROM calls WHERE score_overall IS NOT NULL`);
    expect(buckets).toHaveLength(5);
    const statuses = await sql<{ status: string }>(`SELECT DISTINCT status FROM calls ORDER BY 1`);
    expect(statuses.map((row) => row.status)).toEqual(['analyzed', 'error', 'new', 'skipped']);
    const directions = await sql<{ direction: string }>(`SELECT DISTINCT direction FROM calls ORDER BY 1`);
    expect(directions.map((row) => row.direction)).toEqual(['callback', 'incoming', 'outgoing']);
    const [variety] = await sql<{ summaries: number; tags: number; refusals: number; managers: number }>(`
      SELECT count(DISTINCT summary)::int AS summaries, count(DISTINCT tag)::int AS tags,
             (SELECT count(DISTINCT reason)::int FROM calls, unnest(refusal_reasons) reason) AS refusals, count(DISTINCT employee_id)::int AS managers
        FROM calls, unnest(tags) tag WHERE summary IS NOT NULL`);
    expect(variety.summaries).toBeGreaterThan(100);
    expect(variety.tags).toBeGreaterThan(10);
    expect(variety.refusals).toBeGreaterThanOrEqual(3);
    expect(variety.managers).toBe(6);
  });

  it('gives every configured criterion passed and failed verdicts, with quotes found in the transcript', async () => {
    const verdicts = await sql<{ id: string; passed: boolean | null; quote: string; transcript: string }>(`
      SELECT v ->> 'id' AS id, (v ->> 'passed')::boolean AS passed, v ->> 'quote' AS quote, t.text AS transcript
        FROM analyses a JOIN transcripts t ON t.call_id = a.call_id, jsonb_array_elements(a.result -> 'checklist') v`);
    for (const id of [...DEFAULT_CHECKLIST.map((criterion) => criterion.id), PRICE.id]) {
      const given = new Set(verdicts.filter((verdict) => verdict.id === id).map((verdict) => verdict.passed));
      expect([id, given.has(true), given.has(false)]).toEqual([id, true, true]);
    }
    const quoted = verdicts.filter((verdict) => verdict.quote);
    expect(quoted.length).toBeGreaterThan(500);
    expect(quoted.every((verdict) => verdict.transcript.includes(verdict.quote))).toBe(true);
  });

  it('gives analysed calls a transcript, an analysis and metrics the frontend can show', async () => {
    const list = await request(t.server).get('/api/calls').query({ tag: 'demo', status: 'analyzed', pageSize: 1 }).expect(200);
    const details = await request(t.server).get(`/api/calls/${list.body.items[0].id}`).expect(200);
    expect(details.body.transcript.segments.length).toBeGreaterThan(3);
    expect(details.body.analysis.scores).toEqual(expect.objectContaining({ greeting: expect.any(Number), overall: details.body.scoreOverall }));
    expect(details.body.metrics.talkRatio.manager).toBeGreaterThan(0);
    const search = await request(t.server).get('/api/calls').query({ q: 'предложение', tag: 'demo' }).expect(200);
    expect(search.body.total).toBeGreaterThan(0);
  });

  it('adds analysed Open Lines chats in several channels', async () => {
    const chats = await request(t.server).get('/api/chats').query({ pageSize: 100 }).expect(200);
    expect(chats.body.total).toBe(36);
    expect(new Set(chats.body.items.map((chat: { channel: string }) => chat.channel)).size).toBeGreaterThanOrEqual(3);
    const chat = await request(t.server).get(`/api/chats/${chats.body.items[0].id}`).expect(200);
    expect(chat.body.messages.length).toBeGreaterThan(3);
    expect(chat.body.analysis.summary).toEqual(expect.any(String));
  });

  it('records a few calls as speech, matching their transcripts, and leaves two to process', async () => {
    expect(spoken).toMatchObject({ recordings: 6, voice: 'espeak-ng' });
    const recorded = await sql<{ id: number; status: string; reason: string | null; mime: string; duration: number; transcriptEnd: number | null }>(`
      SELECT c.id, c.status, c.status_reason AS reason, c.recording_mime AS mime, c.audio_duration_sec AS duration,
             (t.segments -> -1 ->> 'end')::float8 AS "transcriptEnd"
        FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id WHERE c.recording_path IS NOT NULL ORDER BY c.id`);
    expect(recorded).toHaveLength(6);
    expect(recorded.filter((call) => call.status === 'new' && call.reason === null)).toHaveLength(2);
    for (const call of recorded.filter((row) => row.status === 'analyzed')) expect(call.transcriptEnd).toBeLessThan(call.duration);
    const audio = await request(t.server).get(`/api/calls/${recorded[0].id}/audio`).buffer(true).expect(200);
    expect(audio.headers['content-type']).toBe(recorded[0].mime);
    expect(Number(audio.headers['content-length'])).toBeGreaterThan(20_000);
  });

  it('runs again without espeak-ng, recording tones, and replaces only its own rows', async () => {
    const result = await seedDemo(t.dataSource, { now: NOW, dataDir: t.config.dataDir, voice: { espeak: '/nonexistent/espeak-ng' } });

    expect(result).toMatchObject({ recordings: 6, voice: 'tones' });
    const [{ calls }] = await sql<{ calls: number }>(`SELECT count(*)::int AS calls FROM calls WHERE recording_path IS NOT NULL AND recording_bytes > 10000`);
    expect(calls).toBe(6);
    const demo = await request(t.server).get('/api/calls').query({ tag: 'demo', pageSize: 1 }).expect(200);
    expect(demo.body.total).toBe(260);
    await request(t.server).get(`/api/calls/${ownCallId}`).expect(200);
    const employees = await request(t.server).get('/api/employees').expect(200);
    expect(employees.body.every((employee: { name: string }) => employee.name.endsWith('(демо)'))).toBe(true);
    expect(employees.body).toHaveLength(6);
    expect((await request(t.server).get('/api/chats').query({ pageSize: 1 }).expect(200)).body.total).toBe(36);
  }, 120_000);
});
