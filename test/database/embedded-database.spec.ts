import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RunningDatabase, startEmbeddedDatabase } from '../../src/database/embedded-database';

const ROOT = join(__dirname, '..', '..');
const asRoot = process.getuid!() === 0;

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function postmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

function isRunning(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const modeOf = (path: string) => statSync(path).mode & 0o777;
const systemId = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
const keptSettings = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string };
const withPassword = (url: string, password: string) => Object.assign(new URL(url), { password }).toString();

/** Another process of ours on the same data directory (`embedded-database-holder.ts`). */
interface Holder {
  child: ChildProcess;
  url: string;
  leave(): Promise<void>;
}

async function startHolder(dataDir: string): Promise<Holder> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'ts-process.js'), join(__dirname, 'embedded-database-holder.ts'), dataDir]);
  holders.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\S+)/.exec(output);
      if (ready) resolve(ready[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}: ${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, url, leave: async () => void (child.kill('SIGTERM'), await exited) };
}

const holders: ChildProcess[] = [];

describe('embedded PostgreSQL', () => {
  let dataDir: string;
  let database: RunningDatabase | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'crm-embedded-'));
  });
  afterAll(async () => {
    for (const child of holders) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database?.stop();
    const server = postmaster(dataDir);
    if (server && isRunning(server.pid)) process.kill(server.pid, 'SIGQUIT');
  });

  it('starts a UTF-8 server that handles Russian text', async () => {
    database = await startEmbeddedDatabase(dataDir);
    await query(database.url, `CREATE TABLE notes (text text)`);
    await query(database.url, `INSERT INTO notes VALUES ('Привет, Мир')`);
    expect(await query(database.url, `SELECT upper(text) AS up, text ILIKE '%мир%' AS found FROM notes`)).toEqual([{ up: 'ПРИВЕТ, МИР', found: true }]);
  });

  it('listens on 127.0.0.1 only and takes the data directory\'s own password, not postgres/postgres', async () => {
    const { password, port } = keptSettings(dataDir);
    expect(password).toMatch(/^[\w-]{32}$/);
    expect(new URL(database!.url)).toMatchObject({ hostname: '127.0.0.1', port: String(port), password });
    expect(await query(database!.url, 'SHOW listen_addresses')).toEqual([{ listen_addresses: '127.0.0.1' }]);
    await expect(query(withPassword(database!.url, 'postgres'), 'SELECT 1')).rejects.toThrow('password authentication failed');
  });

  it('keeps the data directory, the cluster, the settings and the log readable by their owner only', () => {
    expect(modeOf(dataDir)).toBe(asRoot ? 0o710 : 0o700);
    expect(modeOf(join(dataDir, 'postgres'))).toBe(0o700);
    expect(modeOf(join(dataDir, 'postgres.json'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'postgres.log'))).toBe(0o600);
    if (asRoot) {
      // The server runs as `postgres`: it owns its cluster and may only pass through the data directory.
      expect(statSync(dataDir).gid).toBe(systemId('-g'));
      expect(statSync(join(dataDir, 'postgres')).uid).toBe(systemId('-u'));
    }
  });

  it('keeps the data and the port across a restart', async () => {
    const before = database!.url;
    await database!.stop();
    expect(postmaster(dataDir)).toBeUndefined();
    database = await startEmbeddedDatabase(dataDir);
    expect(database.url).toBe(before);
    expect(await query(database.url, 'SELECT text FROM notes')).toEqual([{ text: 'Привет, Мир' }]);
  });

  it('starts the server again on the same port when it is killed under a process using it', async () => {
    const killed = postmaster(dataDir)!;
    process.kill(killed.pid, 'SIGKILL');
    expect(await eventually(() => query(database!.url, 'SELECT text FROM notes'))).toEqual([{ text: 'Привет, Мир' }]);
    const restarted = postmaster(dataDir)!;
    expect(restarted.pid).not.toBe(killed.pid);
    expect(restarted.port).toBe(killed.port);
  });

  it('uses the server a process killed with SIGKILL left running instead of stopping it', async () => {
    await database!.stop();
    const holder = await startHolder(dataDir);
    const server = postmaster(dataDir)!;
    holder.child.kill('SIGKILL');
    await new Promise((resolve) => holder.child.once('exit', resolve));
    expect(isRunning(server.pid)).toBe(true);

    database = await startEmbeddedDatabase(dataDir);
    expect(database.url).toBe(holder.url);
    expect(postmaster(dataDir)).toEqual(server);
    expect(await query(database.url, 'SELECT text FROM notes')).toEqual([{ text: 'Привет, Мир' }]);
  });

  it('keeps the server running while another process uses it; the last one to leave stops it', async () => {
    const holder = await startHolder(dataDir);
    expect(holder.url).toBe(database!.url);
    const server = postmaster(dataDir)!;
    await database!.stop();
    database = undefined;
    expect(isRunning(server.pid)).toBe(true);
    expect(await query(holder.url, 'SELECT count(*)::int AS n FROM notes')).toEqual([{ n: 1 }]);

    await holder.leave();
    expect(isRunning(server.pid)).toBe(false);
    expect(postmaster(dataDir)).toBeUndefined();
  });

  it('gives a cluster made with the fixed password its own password, and tightens what earlier versions left open', async () => {
    database = await startEmbeddedDatabase(dataDir);
    await query(database.url, "ALTER ROLE postgres PASSWORD 'postgres'");
    await database.stop();
    rmSync(join(dataDir, 'postgres.json'));
    writeFileSync(join(dataDir, 'postgres.owner.json'), JSON.stringify({ pid: 1, port: 1 }));
    mkdirSync(join(dataDir, 'recordings'), { mode: 0o755 });
    chmodSync(join(dataDir, 'recordings'), 0o755);
    chmodSync(dataDir, 0o755);

    database = await startEmbeddedDatabase(dataDir);
    const { password } = keptSettings(dataDir);
    expect(password).not.toBe('postgres');
    expect(await query(database.url, 'SELECT text FROM notes')).toEqual([{ text: 'Привет, Мир' }]);
    await expect(query(withPassword(database.url, 'postgres'), 'SELECT 1')).rejects.toThrow('password authentication failed');
    expect(existsSync(join(dataDir, 'postgres.owner.json'))).toBe(false);
    expect(modeOf(join(dataDir, 'recordings'))).toBe(0o700);
    expect(modeOf(dataDir)).toBe(asRoot ? 0o710 : 0o700);
    expect(readFileSync(join(dataDir, 'postgres.log'), 'utf8')).not.toContain(password);
  });

  it('starts one server for two processes starting together on a new data directory', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'crm-embedded-race-'));
    const [first, second] = await Promise.all([startHolder(fresh), startHolder(fresh)]);
    const server = postmaster(fresh)!;
    try {
      expect(second.url).toBe(first.url);
      expect(new URL(first.url).port).toBe(String(server.port));
      expect(await query(first.url, 'SELECT current_database() AS db')).toEqual([{ db: 'crm' }]);
    } finally {
      await first.leave();
      expect(isRunning(server.pid)).toBe(true);
      await second.leave();
    }
    expect(isRunning(server.pid)).toBe(false);
  });
});
