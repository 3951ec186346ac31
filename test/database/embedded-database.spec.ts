import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RunningDatabase, startEmbeddedDatabase } from '../../src/database/embedded-database';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

const deadPid = () => spawnSync('true').pid!;

describe('embedded PostgreSQL', () => {
  let dataDir: string;
  let database: RunningDatabase | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'crm-embedded-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(async () => {
    await database?.stop();
  });

  it('starts a UTF-8 server that handles Russian text', async () => {
    database = await startEmbeddedDatabase(dataDir);
    await query(database.url, `CREATE TABLE notes (text text)`);
    await query(database.url, `INSERT INTO notes VALUES ('Привет, Мир')`);
    expect(await query(database.url, `SELECT upper(text) AS up, text ILIKE '%мир%' AS found FROM notes`)).toEqual([{ up: 'ПРИВЕТ, МИР', found: true }]);
  });

  it('keeps the data across a restart', async () => {
    await database!.stop();
    database = await startEmbeddedDatabase(dataDir);
    expect(await query(database.url, 'SELECT text FROM notes')).toEqual([{ text: 'Привет, Мир' }]);
  });

  it('starts again after the database process was killed', async () => {
    process.kill(postmasterPid(dataDir), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    database = await startEmbeddedDatabase(dataDir);
    expect(await query(database.url, 'SELECT text FROM notes')).toEqual([{ text: 'Привет, Мир' }]);
  });

  it('stops a server left behind by a process that died, then starts its own', async () => {
    const leftover = postmasterPid(dataDir);
    writeFileSync(join(dataDir, 'postgres.owner.json'), JSON.stringify({ pid: deadPid(), port: 1 }));
    database = await startEmbeddedDatabase(dataDir);
    expect(postmasterPid(dataDir)).not.toBe(leftover);
    expect(await query(database.url, 'SELECT count(*)::int AS n FROM notes')).toEqual([{ n: 1 }]);
  });

  it('shares the server of another live process on the same directory instead of starting a second', async () => {
    const owner = spawn('sleep', ['30']);
    const port = new URL(database!.url).port;
    writeFileSync(join(dataDir, 'postgres.owner.json'), JSON.stringify({ pid: owner.pid, port: Number(port) }));
    try {
      const shared = await startEmbeddedDatabase(dataDir);
      expect(shared.url).toBe(database!.url);
      await shared.stop();
      expect(await query(database!.url, 'SELECT count(*)::int AS n FROM notes')).toEqual([{ n: 1 }]);
    } finally {
      owner.kill();
    }
  });
});
