import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Call } from '../../src/calls/entities/call.entity';
import { FakeBitrix24, startFakeBitrix24 } from '../fakes/bitrix24';
import { addCall } from '../support/fixtures';
import { PipelineTestApp, sampleWav, startPipelineApp, waitForCall } from './pipeline-support';

const REFUSED = 'Refusing to download the recording: the address is private, loopback or link-local, '
  + 'or a Bitrix24 Drive link leads away from the portal (trusted hosts go in DOWNLOAD_ALLOWED_HOSTS)';

/** A service on every loopback address that would answer anyone: it must never be reached. */
interface InternalService {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

async function startInternalService(): Promise<InternalService> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.socket.localAddress} ${req.url}`);
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"internal"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('Bitrix24 Drive downloads: the address guard of every download', () => {
  let bitrix: FakeBitrix24;
  let internal: InternalService;
  let t: PipelineTestApp;
  let portalPort: string;

  beforeAll(async () => {
    bitrix = await startFakeBitrix24({ rateLimit: false });
    bitrix.state.diskFiles.set(501, { id: 501, name: 'call.wav', contentType: 'audio/wav', content: sampleWav(25, 1) });
    internal = await startInternalService();
    portalPort = new URL(bitrix.url).port;
    // The portal by a name that resolves to loopback; only its numeric address, on its port, is allow-listed.
    t = await startPipelineApp({
      BITRIX_WEBHOOK_URL: bitrix.webhookUrl.replace('127.0.0.1', 'localhost'),
      DOWNLOAD_ALLOWED_HOSTS: `127.0.0.1:${portalPort}`,
    });
    await t.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await t.close();
    await bitrix.close();
    await internal.close();
  });

  afterEach(() => {
    bitrix.linkDownloadsTo();
    bitrix.redirectDownloadsTo();
  });

  async function processedDriveCall(): Promise<Call> {
    const call = await addCall(t.dataSource, { recordFileId: 501, durationSec: 25 });
    await request(t.server).post(`/api/calls/${call.id}/process`).send({}).expect(202);
    return waitForCall(t.dataSource, call.id);
  }

  const driveDownloads = () => bitrix.requests.filter((entry) => entry.method === 'download').length;
  const servicePort = () => (t.app.getHttpServer().address() as AddressInfo).port;
  const databasePort = () => new URL(t.database.url).port;

  it('downloads from an allow-listed host', async () => {
    bitrix.linkDownloadsTo(`http://127.0.0.1:${portalPort}`);

    expect(await processedDriveCall()).toMatchObject({ status: 'analyzed', recordingMime: 'audio/wav' });
  });

  it.each([
    ['another loopback address', () => `http://127.0.0.2:${internal.port}`],
    ['the IPv6 loopback', () => `http://[::1]:${internal.port}`],
    ['localhost', () => `http://localhost:${internal.port}`],
    ["the service's own port", () => `http://127.0.0.1:${servicePort()}`],
    ["PostgreSQL's port", () => `http://127.0.0.1:${databasePort()}`],
  ])('refuses a DOWNLOAD_URL on %s without connecting, with the same reason whatever is there', async (_where, origin) => {
    bitrix.linkDownloadsTo(origin());

    const done = await processedDriveCall();

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', attempts: 1, error: REFUSED });
    expect(internal.hits).toEqual([]);
  });

  it('refuses a redirect from an allowed host into a private address', async () => {
    bitrix.linkDownloadsTo(`http://127.0.0.1:${portalPort}`);
    bitrix.redirectDownloadsTo(`http://127.0.0.2:${internal.port}/rec.wav`);
    const before = driveDownloads();

    const done = await processedDriveCall();

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', error: REFUSED });
    expect(driveDownloads() - before).toBe(1);
    expect(internal.hits).toEqual([]);
  });

  it("checks a name's address when connecting: a link on the portal's own name, which resolves to loopback, is refused", async () => {
    bitrix.linkDownloadsTo(`http://localhost:${portalPort}`);
    const before = driveDownloads();

    const done = await processedDriveCall();

    expect(done).toMatchObject({ status: 'error', errorStage: 'download', error: REFUSED });
    expect(driveDownloads()).toBe(before);
    expect(bitrix.requests.some((entry) => entry.method === 'disk.file.get')).toBe(true);
  });
});
