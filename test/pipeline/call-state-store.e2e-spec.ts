import { DataSource } from 'typeorm';
import { Call } from '../../src/calls/entities/call.entity';
import { CallStateStore } from '../../src/pipeline/call-state.store';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/database';
import { addCall, addEmployee } from '../support/fixtures';

describe('CallStateStore', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: CallStateStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDataSource(database.url);
    store = new CallStateStore(dataSource);
  });

  afterAll(async () => {
    await store.onModuleDestroy();
    await dataSource.destroy();
    await database.drop();
  });

  async function richCall(): Promise<Call> {
    const employee = await addEmployee(dataSource, 'Анна');
    return addCall(dataSource, {
      employeeId: employee.id, bitrixUserId: 7, bitrixStatId: 12_345_678_901, recordingBytes: 48_213, recordFileId: 901, crmEntityId: 4412, analyzedAt: new Date('2026-11-20T10:00:00Z'),
      audioDurationSec: 61.5, audioChannels: 2, tags: ['доставка', 'цена'], products: ['CRM'], metrics: { talkRatio: 0.4, questions: 3 } as never,
      recordingPath: 'recordings/1.mp3', attempts: 2, status: 'transcribed',
    });
  }

  it('loads a call with the same values and types as TypeORM reads it', async () => {
    const call = await richCall();
    const expected = await dataSource.getRepository(Call).findOneByOrFail({ id: call.id });
    const loaded = await store.load(call.id);
    expect(loaded).toBeInstanceOf(Call);
    expect(loaded).toEqual(expected);
    expect(typeof loaded!.bitrixStatId).toBe('number');
    expect(loaded!.startedAt).toBeInstanceOf(Date);
  });

  it('claims a call: the attempt is counted and the call comes back with it', async () => {
    const call = await richCall();
    const claimed = await store.claim(call.id);
    const stored = await dataSource.getRepository(Call).findOneByOrFail({ id: call.id });
    expect(claimed!.attempts).toBe(3);
    expect(stored.attempts).toBe(3);
    expect(claimed).toEqual(stored);
  });

  it('opens its progress connections ahead of the first job, changing no call', async () => {
    const call = await richCall();
    const before = await dataSource.getRepository(Call).findOneByOrFail({ id: call.id });

    await store.warmUp();

    const [{ open }] = await dataSource.query(
      `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ai-crm-analytics:progress'`,
    );
    expect(open).toBe(6);
    expect(await dataSource.getRepository(Call).findOneByOrFail({ id: call.id })).toEqual(before);
  });

  it('gives null for a call that is gone', async () => {
    expect(await store.load(999_999)).toBeNull();
    expect(await store.claim(999_999)).toBeNull();
  });
});
