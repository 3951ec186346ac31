import { Client } from 'pg';
import { runMigrations, schemaDrift } from '../../src/database/data-source';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(() => database.drop());

  it('build the whole schema from an empty database', async () => {
    const applied = await runMigrations(database.url);
    expect(applied.length).toBeGreaterThan(0);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    await client.end();
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['calls', 'transcripts', 'analyses', 'employees', 'departments', 'chats', 'chat_messages', 'reports', 'settings_versions', 'sync_runs', 'sync_cursors', 'webhook_events', 'notifications']),
    );
  });

  it('apply once even when several instances start together', async () => {
    const results = await Promise.all([runMigrations(database.url), runMigrations(database.url)]);
    expect(results).toEqual([[], []]);
  });

  it('agree with the entities (drift check)', async () => {
    expect(await schemaDrift(database.url)).toEqual([]);
  });
});
