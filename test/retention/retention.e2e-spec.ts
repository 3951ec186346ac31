import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { Call } from '../../src/calls/entities/call.entity';
import { Chat } from '../../src/chats/entities/chat.entity';
import { LOCK_KEYS } from '../../src/database/advisory-locks';
import { RecordingsDiskUsage } from '../../src/retention/recordings-disk-usage';
import { RetentionService } from '../../src/retention/retention.service';
import { SettingsService } from '../../src/settings/settings.service';
import { addAnalysedChat, addRecordedCall, countRows, DAY_MS } from './retention-fixtures';

const NOW = new Date('2026-06-01T03:30:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

describe('Retention', () => {
  let t: TestApp;
  let retention: RetentionService;

  beforeEach(async () => {
    t = await startTestApp();
    retention = t.app.get(RetentionService);
  });

  afterEach(() => t.close());

  const setRetention = (recordingsDays: number, transcriptsDays: number) =>
    t.app.get(SettingsService).update({ retention: { recordingsDays, transcriptsDays } }, 'test');
  const reload = (call: Call) => t.dataSource.getRepository(Call).findOneByOrFail({ id: call.id });
  const fileExists = (call: Call) => existsSync(join(t.config.dataDir, call.recordingPath!));

  it('deletes old recordings and transcripts and keeps the scores', async () => {
    await setRetention(30, 90);
    const old = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(100) });
    const middle = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(60) });
    const recent = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(10) });
    const processing = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(100), status: 'in_progress' });

    const outcome = await retention.run(NOW);

    expect(outcome).toEqual({ ran: true, recordingsDeleted: 2, transcriptsDeleted: 1, chatMessagesDeleted: 0 });
    for (const call of [old, middle]) {
      expect(fileExists(call)).toBe(false);
      expect(await reload(call)).toMatchObject({ recordingPath: null, recordingDeletedAt: NOW });
    }
    expect(await countRows(t.dataSource, 'transcripts', 'call_id', old.id)).toBe(0);
    expect(await countRows(t.dataSource, 'transcripts', 'call_id', middle.id)).toBe(1);
    for (const call of [recent, processing]) {
      expect(fileExists(call)).toBe(true);
      expect(await reload(call)).toMatchObject({ recordingPath: call.recordingPath, recordingDeletedAt: null });
      expect(await countRows(t.dataSource, 'transcripts', 'call_id', call.id)).toBe(1);
    }
    expect(await reload(old)).toMatchObject({
      status: 'analyzed', scoreOverall: 72, riskLevel: 'medium', summary: 'Клиент попросил скидку', tags: ['скидка'], metrics: { silenceSec: 3 },
    });
    expect(await countRows(t.dataSource, 'analyses', 'call_id', old.id)).toBe(1);
  });

  it('shows what is left of an old call through the API', async () => {
    await setRetention(30, 30);
    const old = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: new Date(Date.now() - 40 * DAY_MS) });
    await retention.run();
    const { body } = await request(t.server).get(`/api/calls/${old.id}`).expect(200);
    expect(body).toMatchObject({ scoreOverall: 72, riskLevel: 'medium', summary: 'Клиент попросил скидку' });
    const audio = await request(t.server).get(`/api/calls/${old.id}/audio`).expect(404);
    expect(audio.body.message).toMatch(/retention/);
  });

  it('deletes the messages of old chats and keeps the chat, its score and analysis', async () => {
    await setRetention(0, 90);
    const old = await addAnalysedChat(t.dataSource, { startedAt: daysAgo(120) });
    const recent = await addAnalysedChat(t.dataSource, { startedAt: daysAgo(5) });

    expect(await retention.run(NOW)).toMatchObject({ chatMessagesDeleted: 2 });

    expect(await countRows(t.dataSource, 'chat_messages', 'chat_id', old.id)).toBe(0);
    expect(await countRows(t.dataSource, 'chat_messages', 'chat_id', recent.id)).toBe(2);
    expect(await countRows(t.dataSource, 'analyses', 'chat_id', old.id)).toBe(1);
    expect(await t.dataSource.getRepository(Chat).findOneByOrFail({ id: old.id })).toMatchObject({ scoreOverall: 64, riskLevel: 'low', summary: 'Уточнили доставку' });
  });

  it('keeps everything forever when the retention days are 0', async () => {
    const old = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(3000) });
    const chat = await addAnalysedChat(t.dataSource, { startedAt: daysAgo(3000) });
    expect(await retention.run(NOW)).toEqual({ ran: true, recordingsDeleted: 0, transcriptsDeleted: 0, chatMessagesDeleted: 0 });
    expect(fileExists(old)).toBe(true);
    expect(await countRows(t.dataSource, 'transcripts', 'call_id', old.id)).toBe(1);
    expect(await countRows(t.dataSource, 'chat_messages', 'chat_id', chat.id)).toBe(2);
  });

  it('does nothing twice: a second run finds nothing left to delete', async () => {
    await setRetention(30, 30);
    await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(100) });
    await retention.run(NOW);
    expect(await retention.run(NOW)).toEqual({ ran: true, recordingsDeleted: 0, transcriptsDeleted: 0, chatMessagesDeleted: 0 });
  });

  it('leaves the work to the instance that holds the lock', async () => {
    await setRetention(30, 30);
    const old = await addRecordedCall(t.dataSource, t.config.dataDir, { startedAt: daysAgo(100) });
    const other = new Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [LOCK_KEYS.retention]);
      expect(await retention.run(NOW)).toMatchObject({ ran: false });
      expect(fileExists(old)).toBe(true);
    } finally {
      await other.end();
    }
    expect(await retention.run(NOW)).toMatchObject({ ran: true, recordingsDeleted: 1 });
  });

  it('reports the disk used by recordings in /api/health, measured again after a deletion', async () => {
    const empty = await request(t.server).get('/api/health').expect(200);
    expect(empty.body.recordings).toMatchObject({ bytes: 0, files: 0 });

    const call = await addRecordedCall(t.dataSource, t.config.dataDir, {}, 1500);
    mkdirSync(join(t.config.dataDir, 'recordings', 'uploads', 'deep'), { recursive: true });
    writeFileSync(join(t.config.dataDir, 'recordings', 'uploads', 'deep', 'a.wav'), Buffer.alloc(500));
    writeFileSync(join(t.config.dataDir, 'not-a-recording.txt'), Buffer.alloc(10_000));

    t.app.get(RecordingsDiskUsage).invalidate(); // a measurement is reused for up to a minute
    const { body } = await request(t.server).get('/api/health').expect(200);
    expect(body.status).toBe('ok');
    expect(body.recordings).toMatchObject({ bytes: 2000, files: 2, measuredAt: expect.any(String) });

    await request(t.server).delete(`/api/calls/${call.id}`).expect(204);
    const after = await request(t.server).get('/api/health').expect(200);
    expect(after.body.recordings).toMatchObject({ bytes: 500, files: 1 });
  });
});
