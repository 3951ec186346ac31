import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import supertest from 'supertest';
import { Chat } from '../../src/chats/entities/chat.entity';
import { CallProcessingQueue } from '../../src/pipeline/call-processing-queue';
import { SyncRunsRepository } from '../../src/sync/sync-runs.repository';
import { sampleWav } from '../pipeline/pipeline-support';
import { startTestApp, TestApp } from '../support/app';
import { addCall, addDepartment, addEmployee, addTranscript } from '../support/fixtures';
import { RecordingQueue } from '../webhooks/webhook-support';
import { ApiOperation, ApiParameter, apiOperations, BodyEncoding } from './api-surface';
import {
  asJson, asPairs, asPathSegment, asText, deepJson, Hostile, HOSTILE_EXAMPLES, hostileText, hostileValue, JsonNode, labelled, percentEncode, RawJson, shortText,
  toJsonText,
} from './hostile-values';

/**
 * Throws hostile values at every parameter of every operation of the served OpenAPI document, a fixed set first and
 * generated ones after, and fails on any 5xx, printing the request. Fixed seed and run counts: the same requests on
 * every run.
 */
const SEED = 20_261_201;
const RUNS_PER_PARAMETER = 6;
const RUNS_PER_OPERATION = 20;

const API_TOKEN = 'hostile-input-api-token-0123456789';
const WEBHOOK_TOKEN = 'hostile-input-webhook-token-0123456789';

/**
 * These routes exist to call Bitrix24 or Telegram, which this test leaves unconfigured: they answer 503 by design
 * (and 502 when the remote side refuses). Every other 5xx, on any route, fails the test.
 */
const INTEGRATION_CALLS = new Set([
  'SyncController_syncFromCursor', 'SyncController_forceSync', 'SyncController_syncRange', 'ChatsController_sync', 'ReportsController_testTelegram',
]);

/** What the document describes in words only: the Bitrix24 event's form fields and the Range header of recordings. */
const UNDOCUMENTED: Record<string, ApiParameter[]> = {
  WebhooksController_incoming: [['event'], ['data', 'CALL_ID'], ['data', 'FIELDS', 'ID'], ['auth', 'application_token'], ['auth', 'domain']]
    .map((path) => ({ place: 'body', path })),
  CallsController_audio: [{ place: 'header', path: ['range'] }],
};

type JsonObject = { [key: string]: JsonNode };

/** A valid request per operation, which one hostile value at a time then spoils; bodies in the variants the route takes. */
interface Baseline {
  query?: Record<string, string>;
  bodies?: JsonObject[];
  file?: Buffer;
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const BITRIX_AUTH = { application_token: 'app-token', domain: 'portal.bitrix24.ru' };

const BASELINES: Record<string, Baseline> = {
  ReportsController_download: { query: { format: 'pdf' } },
  ReportsController_generate: { bodies: [{ send: false }] },
  SyncController_syncRange: { bodies: [{ from: daysAgo(2), to: daysAgo(1) }] },
  PipelineController_upload: { bodies: [{ managerName: 'Анна Смирнова', startedAt: '2026-01-15T10:00:00Z' }], file: sampleWav(1, 1) },
  WebhooksController_incoming: {
    bodies: [
      { type: 'call', clientPhone: '+79161234567', managerName: 'Анна Смирнова', recordUrl: 'https://pbx.example.com/rec/1.mp3', externalId: 'pbx-1' },
      { event: 'ONVOXIMPLANTCALLEND', data: { CALL_ID: 'externalCall.1' }, auth: BITRIX_AUTH },
      { event: 'ONCRMACTIVITYADD', data: { FIELDS: { ID: '5' } }, auth: BITRIX_AUTH },
    ],
  },
};

/** Node refuses a request whose head exceeds 16 KiB before the application sees it; URLs stay below. */
const MAX_TARGET_LENGTH = 12_000;

const PATH_DEFAULTS: Record<string, string> = { id: '1', token: WEBHOOK_TOKEN, type: 'employees' };

interface PlannedRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

interface Answer {
  status: number;
  text: string;
}

/** One spoiled parameter (or none) with the way the body is sent. */
interface Spoil {
  parameter?: ApiParameter;
  value?: Hostile;
  encoding?: BodyEncoding;
}

describe('hostile input on every route of the API document', () => {
  let t: TestApp;
  let port: number;
  let operations: ApiOperation[];

  beforeAll(async () => {
    t = await startTestApp({ API_TOKEN, WEBHOOK_TOKEN }, undefined, [{ provide: CallProcessingQueue, useValue: new RecordingQueue() }]);
    await seed(t);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const document = (await supertest(t.server).get('/api/docs-json').expect(200)).body;
    operations = apiOperations(document, t.app, UNDOCUMENTED);
  });

  afterAll(() => t.close());

  const send = (planned: PlannedRequest): Promise<Answer> =>
    new Promise((resolve, reject) => {
      // Node sends a GET's body without a length unless told: the server would read it as the next request.
      const headers = planned.body ? { ...planned.headers, 'content-length': String(planned.body.length) } : planned.headers;
      const options = { host: '127.0.0.1', port, method: planned.method, path: planned.target, headers, timeout: 20_000, agent: false };
      const outgoing = httpRequest(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 20 s')));
      outgoing.on('error', (error) => reject(new Error(`${error.message} from ${describeRequest(planned)}`)));
      outgoing.end(planned.body);
    });

  async function expectNoServerError(operation: ApiOperation, planned: PlannedRequest): Promise<void> {
    const answer = await send(planned);
    const allowed = answer.status < 500 || (INTEGRATION_CALLS.has(operation.id) && (answer.status === 502 || answer.status === 503));
    if (!allowed) throw new Error(`${answer.status} from ${describeRequest(planned)}\nanswer: ${answer.text}`);
  }

  it('finds every documented operation and the parameters of its DTOs', () => {
    const calls = operations.find((operation) => operation.id === 'CallsController_list')!;
    const names = calls.parameters.map((parameter) => parameter.path.join('.'));
    expect(names).toEqual(expect.arrayContaining([
      'period', 'from', 'to', 'managerName', 'employeeId', 'department', 'status', 'riskLevel', 'direction', 'source', 'clientPhone', 'crmEntityId',
      'tag', 'product', 'minScore', 'maxScore', 'q', 'sort', 'page', 'pageSize',
    ]));
    const settings = operations.find((operation) => operation.id === 'SettingsController_update')!;
    expect(settings.parameters.map((parameter) => parameter.path.join('.'))).toEqual(expect.arrayContaining(['timeZone', 'analysis.checklist.0.title', 'dictionaries.products']));
    const webhook = operations.find((operation) => operation.id === 'WebhooksController_incoming')!;
    expect(webhook.parameters.map((parameter) => parameter.path.join('.'))).toEqual(expect.arrayContaining(['token', 'startedAt', 'recordUrl', 'data.CALL_ID']));
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it('answers no 5xx to a hostile value in any one parameter', async () => {
    for (const operation of operations) {
      for (const parameter of operation.parameters) {
        const encodings = parameter.place === 'body' ? operation.encodings : [operation.encodings[0]];
        const examples = encodings.flatMap((encoding) => HOSTILE_EXAMPLES.map((value): [Hostile, BodyEncoding | undefined] => [value, encoding]));
        await fc.assert(
          fc.asyncProperty(hostileValue, fc.constantFrom(...encodings), async (value, encoding) => {
            await expectNoServerError(operation, plan(operation, { parameter, value, encoding }));
          }),
          { seed: SEED, numRuns: examples.length + RUNS_PER_PARAMETER, examples },
        );
      }
    }
  }, 240_000);

  it('answers no 5xx to hostile bodies, content types, paths and query strings', async () => {
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(wholeRequestHostility(operation), async (spoiler) => {
          await expectNoServerError(operation, spoiler.spoil(plan(operation, {})));
        }),
        { seed: SEED, numRuns: RUNS_PER_OPERATION },
      );
    }
  }, 240_000);
});

/** Rows for the ids of the paths (1 of each) and a file for the recording route, so hostile values reach past the lookups. */
async function seed(t: TestApp): Promise<void> {
  const department = await addDepartment(t.dataSource, 'Отдел продаж');
  const employee = await addEmployee(t.dataSource, 'Анна Смирнова', [department]);
  mkdirSync(join(t.config.dataDir, 'recordings'), { recursive: true });
  writeFileSync(join(t.config.dataDir, 'recordings', '1.wav'), sampleWav(1, 1));
  const call = await addCall(t.dataSource, { employeeId: employee.id, managerName: employee.name, recordingPath: 'recordings/1.wav', recordingMime: 'audio/wav', tags: ['доставка'] });
  await addTranscript(t.dataSource, call, 'Здравствуйте, доставка на завтра');
  await t.dataSource.getRepository(Chat).save({ channel: 'telegram', startedAt: new Date(), employeeId: employee.id });
  await supertest(t.server).post('/api/reports/generate/employees').set('Authorization', `Bearer ${API_TOKEN}`).send({ send: false }).expect(200);
  await supertest(t.server).patch('/api/settings').set('Authorization', `Bearer ${API_TOKEN}`).send({ alerts: { maxPerHour: 5 } }).expect(200);
  await t.app.get(SyncRunsRepository).create({ trigger: 'manual', startedAt: new Date() });
}

/** The operation's baseline request with at most one parameter spoiled. */
function plan(operation: ApiOperation, spoil: Spoil): PlannedRequest {
  const { parameter, value } = spoil;
  const baseline = BASELINES[operation.id] ?? {};
  const target = `${pathOf(operation, spoil)}${queryOf(baseline, spoil)}`.slice(0, MAX_TARGET_LENGTH);
  const headers: Record<string, string> = {};
  // The recording route takes a signed token instead of the bearer; without the bearer that token is what is checked.
  if (!(operation.id === 'CallsController_audio' && parameter?.path[0] === 'token')) headers.authorization = `Bearer ${API_TOKEN}`;
  if (parameter?.place === 'header' && value) headers[String(parameter.path[0])] = (asText(value)[0] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 4_000);
  const encoding = spoil.encoding ?? operation.encodings[0];
  if (!encoding) return { method: operation.method, target, headers };
  const body = bodyOf(encoding, baseline, spoil);
  return { method: operation.method, target, headers: { ...headers, ...body.headers }, body: body.body };
}

/** The baseline body in the encoding, with the spoiled field's value in its place. */
function bodyOf(encoding: BodyEncoding, baseline: Baseline, { parameter, value }: Spoil): Pick<PlannedRequest, 'headers' | 'body'> {
  const body = bodyVariant(baseline, parameter);
  const spoiled = parameter?.place === 'body' && value ? { name: bracketName(parameter.path), path: parameter.path, value } : undefined;
  if (encoding === 'json') {
    const json = spoiled ? withValue(body, spoiled.path, asJson(spoiled.value)) : body;
    return { headers: { 'content-type': 'application/json' }, body: Buffer.from(toJsonText(json)) };
  }
  const pairs = formPairs(body).filter(([name]) => name !== spoiled?.name);
  if (encoding === 'form') {
    const spoiledPairs = spoiled ? asPairs(spoiled.name, spoiled.value) : [];
    const text = [...pairs.map(([name, item]) => `${percentEncode(name)}=${percentEncode(item)}`), ...spoiledPairs.map((pair) => pair.join('='))].join('&');
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(text) };
  }
  const fields = [...pairs, ...(spoiled ? asText(spoiled.value).map((item): [string, string] => [spoiled.name, item]) : [])];
  return multipart(fields, baseline.file);
}

function pathOf(operation: ApiOperation, { parameter, value }: Spoil): string {
  return operation.template.replace(/\{(\w+)\}/g, (_, name: string) =>
    (parameter?.place === 'path' && parameter.path[0] === name && value ? asPathSegment(value) : PATH_DEFAULTS[name] ?? '1'));
}

function queryOf(baseline: Baseline, { parameter, value }: Spoil): string {
  const spoiled = parameter?.place === 'query' && value ? String(parameter.path[0]) : undefined;
  const pairs = Object.entries(baseline.query ?? {}).filter(([name]) => name !== spoiled).map(([name, item]) => `${name}=${percentEncode(item)}`);
  if (spoiled) pairs.push(...asPairs(spoiled, value!).map((pair) => pair.join('=')));
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/** The body variant that has the parameter (a Bitrix24 field goes in a Bitrix24 event), else its first key, else the first. */
function bodyVariant(baseline: Baseline, parameter?: ApiParameter): JsonObject {
  const variants = baseline.bodies ?? [{}];
  const path = parameter?.place === 'body' ? parameter.path : [];
  const holds = (variant: JsonObject, keys: (string | number)[]) => {
    let node: JsonNode = variant;
    for (const key of keys) {
      if (typeof node !== 'object' || node === null || !(key in node)) return false;
      node = (node as JsonObject)[key];
    }
    return true;
  };
  return structuredClone(variants.find((variant) => holds(variant, path)) ?? variants.find((variant) => holds(variant, path.slice(0, 1))) ?? variants[0]);
}

function withValue(body: JsonObject, path: (string | number)[], value: JsonNode): JsonObject {
  let node: JsonNode[] | JsonObject = body;
  path.forEach((key, index) => {
    const last = index === path.length - 1;
    const container = node as Record<string | number, JsonNode>;
    if (last) container[key] = value;
    else {
      if (typeof container[key] !== 'object' || container[key] === null || container[key] instanceof RawJson) container[key] = typeof path[index + 1] === 'number' ? [] : {};
      node = container[key] as JsonObject;
    }
  });
  return body;
}

function bracketName(path: (string | number)[]): string {
  return `${path[0]}${path.slice(1).map((key) => `[${key}]`).join('')}`;
}

function formPairs(node: JsonNode, prefix = ''): [string, string][] {
  if (node === null || typeof node !== 'object' || node instanceof RawJson) return prefix ? [[prefix, node instanceof RawJson ? node.text : String(node)]] : [];
  return Object.entries(node).flatMap(([key, item]) => formPairs(item, prefix ? `${prefix}[${key}]` : key));
}

function multipart(fields: [string, string][], file?: Buffer): Pick<PlannedRequest, 'headers' | 'body'> {
  const boundary = 'hostile-input-boundary-7d1f';
  const parts: Buffer[] = fields.map(([name, item]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '_')}"\r\n\r\n${item}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="call.wav"\r\nContent-Type: audio/wav\r\n\r\n`), file, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(parts) };
}

interface RequestSpoiler {
  spoil(planned: PlannedRequest): PlannedRequest;
}

/** Hostility to a whole request: its body, its content type, its path and its query string. */
function wholeRequestHostility(operation: ApiOperation): fc.Arbitrary<RequestSpoiler> {
  const withBody = (contentType: string, body: string | Buffer) => labelled({
    spoil: (planned: PlannedRequest) => ({ ...planned, headers: { ...planned.headers, 'content-type': contentType }, body: Buffer.from(body) }),
  }, `${contentType} body ${shortText(body.toString())}`);
  const pathNames = [...operation.template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  return fc.oneof(
    fc.record({ depth: fc.integer({ min: 33, max: 50_000 }), array: fc.boolean() })
      .map(({ depth, array }) => withBody('application/json', deepJson(depth, array).text)),
    fc.integer({ min: 33, max: 3_000 }).map((depth) => withBody('application/x-www-form-urlencoded', `a${'[b]'.repeat(depth)}=1`)),
    fc.constantFrom('{', '{"a":', '[1,', 'nul', '"\\ud800"', '{"a":"\\u0000"}', '{"\\u0000":1}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}',
      'null', '1', '"x"', '[]', '[{}]', 'true', '1e400', '', '\u0000', '\uFEFF{}').map((text) => withBody('application/json', text)),
    fc.record({
      contentType: fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', 'application/json; charset=koi8-r',
        'multipart/form-data', 'multipart/form-data; boundary=zzz', 'application/x-www-form-urlencoded; charset=utf-7', 'application/vnd.api+json', '*/*', 'x/y; a="'),
      body: fc.oneof(hostileText, fc.constant('{}'), fc.constant('--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zzz')),
    }).map(({ contentType, body }) => withBody(contentType, body)),
    fc.constantFrom('%ZZ=%ZZ', 'a[=1', '[]=1', 'a[b]=1&a=2', `x=1${'&y'.repeat(2_000)}`, 'event=%00', 'data[CALL_ID]=%ED%A0%80&event=ONVOXIMPLANTCALLEND')
      .map((text) => withBody('application/x-www-form-urlencoded', text)),
    fc.constant(withBody('application/json', JSON.stringify({ text: 'x'.repeat(1_100_000) }))),
    fc.constantFrom('?%ZZ', '?a=%E0%A4', '?&&&=&=', `?${'page=1&'.repeat(1_500)}`, '?page', '?page[]=1', '?page=1&page=2', '?__proto__[x]=1', '?%00=%00')
      .map((query) => labelled({ spoil: (planned: PlannedRequest) => ({ ...planned, target: `${planned.target.split('?')[0]}${query}` }) }, `query ${shortText(query)}`)),
    fc.tuple(fc.constantFrom(...(pathNames.length ? pathNames : ['none'])), fc.constantFrom('%ZZ', '%', '%00', '..', '%2e%2e', '%2F', '', '9'.repeat(400)))
      .map(([name, raw]) => labelled({
        spoil: (planned: PlannedRequest) => {
          const query = planned.target.includes('?') ? planned.target.slice(planned.target.indexOf('?')) : '';
          return { ...planned, target: `${pathOf(operation, { parameter: { place: 'path', path: [name] }, value: { kind: 'garbage', raw } })}${query}` };
        },
      }, `path {${name}} = ${shortText(raw)}`)),
  );
}

function describeRequest(planned: PlannedRequest): string {
  const body = planned.body ? `\nbody: ${JSON.stringify(planned.body.toString('utf8').slice(0, 400))}${planned.body.length > 400 ? ` … (${planned.body.length} bytes)` : ''}` : '';
  return `${planned.method} ${planned.target.slice(0, 400)}\nheaders: ${JSON.stringify(planned.headers)}${body}`;
}
