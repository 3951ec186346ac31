import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource, DeepPartial } from 'typeorm';
import { Call } from '../../src/calls/entities/call.entity';
import { CallStage } from '../../src/calls/entities/call-stage.entity';
import { Analysis } from '../../src/calls/entities/analysis.entity';
import { Chat } from '../../src/chats/entities/chat.entity';
import { ChatMessage } from '../../src/chats/entities/chat-message.entity';
import { addAnalysis, addCall, addTranscript } from '../support/fixtures';

export const DAY_MS = 86_400_000;

/** An analysed call with a recording file of `bytes` bytes under DATA_DIR/recordings. */
export async function addRecordedCall(dataSource: DataSource, dataDir: string, fields: DeepPartial<Call> = {}, bytes = 1000): Promise<Call> {
  const call = await addCall(dataSource, {
    clientPhone: '+79161234567',
    managerName: 'Анна Смирнова',
    scoreOverall: 72,
    riskLevel: 'medium',
    summary: 'Клиент попросил скидку',
    tags: ['скидка'],
    metrics: { silenceSec: 3 },
    ...fields,
  });
  const recordingPath = `recordings/2026/${call.id}.mp3`;
  mkdirSync(dirname(join(dataDir, recordingPath)), { recursive: true });
  writeFileSync(join(dataDir, recordingPath), Buffer.alloc(bytes, 1));
  await dataSource.getRepository(Call).update(call.id, { recordingPath, recordingBytes: bytes, recordingMime: 'audio/mpeg' });
  await addTranscript(dataSource, call, 'Здравствуйте, можно скидку?');
  await addAnalysis(dataSource, call, { summary: 'Клиент попросил скидку' });
  await dataSource.getRepository(Call).update(call.id, { status: fields.status ?? 'analyzed' });
  await dataSource.getRepository(CallStage).save({ callId: call.id, stage: 'download', outcome: 'succeeded' });
  return dataSource.getRepository(Call).findOneByOrFail({ id: call.id });
}

/** A closed, analysed chat with two messages. */
export async function addAnalysedChat(dataSource: DataSource, fields: DeepPartial<Chat> = {}): Promise<Chat> {
  const chat = await dataSource.getRepository(Chat).save({
    channel: 'whatsapp',
    startedAt: new Date(),
    closed: true,
    status: 'analyzed',
    scoreOverall: 64,
    riskLevel: 'low',
    summary: 'Уточнили доставку',
    clientName: 'Иван',
    messageCount: 2,
    ...fields,
  } as DeepPartial<Chat>);
  await dataSource.getRepository(ChatMessage).save([
    { chatId: chat.id, bitrixMessageId: chat.id * 10 + 1, authorRole: 'client', text: 'Когда доставка?', sentAt: chat.startedAt },
    { chatId: chat.id, bitrixMessageId: chat.id * 10 + 2, authorRole: 'manager', text: 'Завтра', sentAt: chat.startedAt },
  ]);
  await dataSource.getRepository(Analysis).save({
    chatId: chat.id, version: 1, result: {}, scoreOverall: 64, riskLevel: 'low', model: 'gpt-4o', promptVersion: 'p1', criteriaVersion: 'c1', inputHash: `chat-${chat.id}`,
  });
  return chat;
}

export async function countRows(dataSource: DataSource, table: string, column: string, id: number): Promise<number> {
  const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM ${table} WHERE ${column} = $1`, [id]);
  return count;
}
