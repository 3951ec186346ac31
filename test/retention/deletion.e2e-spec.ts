import { Logger } from '@nestjs/common';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysedChat, addRecordedCall, countRows } from './retention-fixtures';

describe('Deletion on request', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t.close());

  it('DELETE /api/calls/:id removes the call, its recording file, transcript, analyses and stages', async () => {
    const call = await addRecordedCall(t.dataSource, t.config.dataDir);
    const other = await addRecordedCall(t.dataSource, t.config.dataDir);
    const log = jest.spyOn(Logger.prototype, 'log');

    await request(t.server).delete(`/api/calls/${call.id}`).expect(204);

    expect(existsSync(join(t.config.dataDir, call.recordingPath!))).toBe(false);
    for (const [table, column] of [['calls', 'id'], ['transcripts', 'call_id'], ['analyses', 'call_id'], ['call_stages', 'call_id']]) {
      expect(await countRows(t.dataSource, table, column, call.id)).toBe(0);
    }
    await request(t.server).get(`/api/calls/${call.id}`).expect(404);
    expect(existsSync(join(t.config.dataDir, other.recordingPath!))).toBe(true);
    expect(await countRows(t.dataSource, 'transcripts', 'call_id', other.id)).toBe(1);

    const lines = log.mock.calls.map(([message]) => String(message)).filter((message) => message.includes(`Call ${call.id}`));
    log.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\+7916|Анна|скидк/);
  });

  it('answers 404 for an unknown call and 400 for an id that is not a number', async () => {
    const res = await request(t.server).delete('/api/calls/999999').expect(404);
    expect(res.body.message).toBe('Call 999999 not found');
    await request(t.server).delete('/api/calls/abc').expect(400);
  });

  it('deletes a call that never had a recording', async () => {
    const call = await addRecordedCall(t.dataSource, t.config.dataDir);
    await t.dataSource.query('UPDATE calls SET recording_path = NULL WHERE id = $1', [call.id]);
    await request(t.server).delete(`/api/calls/${call.id}`).expect(204);
    expect(await countRows(t.dataSource, 'calls', 'id', call.id)).toBe(0);
  });

  it('never removes a file outside DATA_DIR named by a recording path', async () => {
    const call = await addRecordedCall(t.dataSource, t.config.dataDir);
    const outside = join(t.config.dataDir, '..', 'outside.mp3');
    await t.dataSource.query('UPDATE calls SET recording_path = $2 WHERE id = $1', [call.id, '../outside.mp3']);
    writeFileSync(outside, 'x');
    await request(t.server).delete(`/api/calls/${call.id}`).expect(204);
    expect(existsSync(outside)).toBe(true);
    rmSync(outside);
  });

  it('DELETE /api/chats/:id removes the chat with its messages and analyses', async () => {
    const chat = await addAnalysedChat(t.dataSource);
    const other = await addAnalysedChat(t.dataSource);
    await request(t.server).delete(`/api/chats/${chat.id}`).expect(204);
    for (const [table, column] of [['chats', 'id'], ['chat_messages', 'chat_id'], ['analyses', 'chat_id']]) {
      expect(await countRows(t.dataSource, table, column, chat.id)).toBe(0);
    }
    expect(await countRows(t.dataSource, 'chat_messages', 'chat_id', other.id)).toBe(2);
    await request(t.server).delete(`/api/chats/${chat.id}`).expect(404);
  });
});
