import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import pinoHttp, { Options } from 'pino-http';
import request from 'supertest';
import { loggerParams } from '../../src/common/logging';

const TOKEN = 'webhook-token-0123456789abcdef';

describe('request log', () => {
  let lines: string[];
  let server: Server;

  beforeAll(async () => {
    lines = [];
    const [options, destination] = loggerParams('info', { write: (line: string) => void lines.push(line) }).pinoHttp as [Options, never];
    const logger = pinoHttp(options, destination);
    server = createServer((req, res) => {
      logger(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const logged = () => lines.map((line) => JSON.parse(line) as { req: { url: string } });

  it.each([
    '/api/webhooks/incoming/',
    '/API/WEBHOOKS/INCOMING/',
    '/Api/Webhooks/Incoming/',
  ])('never writes the token of %s, however the path is cased', async (path) => {
    lines.length = 0;
    const port = (server.address() as AddressInfo).port;

    await request(`http://127.0.0.1:${port}`).post(`${path}${TOKEN}?x=1`).send({});

    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(logged()[0].req.url).toBe(`${path}***?x=1`);
  });

  it('masks signed-link tokens and Bitrix24 webhook secrets in any case', async () => {
    lines.length = 0;
    const port = (server.address() as AddressInfo).port;

    await request(`http://127.0.0.1:${port}`).get('/api/calls/1/audio?TOKEN=signed-secret&Auth=other-secret');
    await request(`http://127.0.0.1:${port}`).get('/REST/1/portal-secret/profile');

    expect(lines.join('\n')).not.toMatch(/signed-secret|other-secret|portal-secret/);
    expect(logged().map((line) => line.req.url)).toEqual(['/api/calls/1/audio?TOKEN=***&Auth=***', '/REST/1/***/profile']);
  });
});
