import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * One fake Bitrix24 portal for the whole suite, speaking REST over incoming webhooks as the reference
 * (docs/bitrix24-rest.md §11) describes: webhook auth, PHP-bracket params, envelopes, `start=-1`, `batch`
 * with `$result[...]` references, the leaky bucket, scopes, injectable faults and a request log.
 * Other methods plug in with `addMethod`.
 */

export interface FakeBitrix24Options {
  userId?: number;
  secret?: string;
  /** The portal's leaky bucket; `false` turns it off. Default: burst 50, 2 per second. */
  rateLimit?: { requestsPerSecond: number; burst: number } | false;
  /** Added to every HTTP request before it is answered. */
  latencyMs?: number;
  /** Scopes granted to the webhook; default: all. */
  scopes?: string[];
  scopeErrorStatus?: 401 | 403;
  /** Offset of the portal's time zone in `time.date_start` and generated dates. */
  portalOffset?: string;
  /** The span over which a method's operating time is summed; `operating_reset_at` is its end. Default: 600 s. */
  operatingWindowSec?: number;
}

export type Fault =
  | { kind: 'status'; status: 500 | 502 | 503 | 429 }
  | { kind: 'malformedJson' }
  | { kind: 'html'; status: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' };

export interface LoggedRequest {
  n: number;
  httpMethod: string;
  /** REST method, lower-cased (`batch`, `download`, …); empty when the URL did not name one. */
  method: string;
  status: number;
  params: Record<string, unknown>;
}

export interface FakeRow {
  [key: string]: unknown;
}

export interface DiskFileEntry {
  id: number;
  name: string;
  contentType: string;
  content: Buffer;
}

export interface FakeBitrix24State {
  users: FakeRow[];
  departments: FakeRow[];
  /** `voximplant.statistic.get` rows, kept in ID order by `addStatistics`. */
  statistics: FakeRow[];
  diskFiles: Map<number, DiskFileEntry>;
  activities: FakeRow[];
  sessionHistories: Map<number, FakeRow>;
  timelineComments: { id: number; fields: Record<string, unknown> }[];
}

export interface FakeBitrix24 {
  /** `http://127.0.0.1:{port}/rest/{userId}/{secret}`, as BITRIX_WEBHOOK_URL would be. */
  webhookUrl: string;
  url: string;
  secret: string;
  state: FakeBitrix24State;
  requests: LoggedRequest[];
  readonly requestCount: number;
  addStatistics(rows: FakeRow[]): void;
  /** Fault for request number `onRequest` (1-based, counting every HTTP request), or for the next `times` requests. */
  injectFault(fault: Fault, at?: { onRequest?: number; times?: number }): void;
  /** Makes calls of `method` (direct or inside `batch`) fail after `afterCalls` successful ones, `times` times. */
  failMethod(method: string, error: RestError, at?: { afterCalls?: number; times?: number }): void;
  addMethod(name: string, scope: string, handler: MethodHandler): void;
  resetRateLimit(): void;
  /** The portal changes its address: the old one answers 302 with `Location` under `pathPrefix` (e.g. `/moved`). */
  movePortal(pathPrefix: string): void;
  /** `disk.file.get` hands out `DOWNLOAD_URL`s on `origin` instead of the portal's own; no argument restores it. */
  linkDownloadsTo(origin?: string): void;
  /** Drive downloads answer 302 to `location`; no argument serves the file again. */
  redirectDownloadsTo(location?: string): void;
  close(): Promise<void>;
}

export interface MethodContext {
  /** Top-level keys upper-cased, except for methods that read them case-sensitively. */
  params: Record<string, unknown>;
  /** Only the lower-case `start` paginates. */
  start: number | undefined;
  state: FakeBitrix24State;
  fake: { url: string; userId: number; secret: string; portalOffset: string; downloadOrigin: string };
}

export interface MethodResult {
  result: unknown;
  total?: number;
  next?: number;
}

export type MethodHandler = (context: MethodContext) => MethodResult;

export class RestError extends Error {
  constructor(readonly status: number, readonly code: string, readonly description: string) {
    super(description);
  }
}

const PAGE = 50;

interface MethodEntry {
  scope: string;
  handler: MethodHandler;
  /** `crm.timeline.comment.add` wants lower-case `fields`; the portal does not upper-case its keys. */
  caseSensitive?: boolean;
}

export async function startFakeBitrix24(options: FakeBitrix24Options = {}): Promise<FakeBitrix24> {
  const userId = options.userId ?? 1;
  const secret = options.secret ?? randomBytes(8).toString('hex');
  const portalOffset = options.portalOffset ?? '+03:00';
  const state: FakeBitrix24State = {
    users: [], departments: [], statistics: [], diskFiles: new Map(), activities: [], sessionHistories: new Map(), timelineComments: [],
  };
  const methods = new Map<string, MethodEntry>(Object.entries(builtInMethods()));
  const bucket = options.rateLimit === false ? null : new ServerBucket(options.rateLimit ?? { requestsPerSecond: 2, burst: 50 });
  const granted = options.scopes ? new Set(options.scopes) : null;
  const faults: { fault: Fault; onRequest?: number; remaining: number }[] = [];
  const requests: LoggedRequest[] = [];
  const methodFaults: { method: string; skip: number; remaining: number; error: RestError }[] = [];
  const sockets = new Set<Socket>();
  const operatingWindowMs = (options.operatingWindowSec ?? 600) * 1000;
  const operatingSince = new Map<string, number>();
  /** When the method's oldest operating-time basket expires: a window opens with its first call. */
  const operatingResetAt = (method: string, now: number): number => {
    const since = operatingSince.get(method);
    if (since === undefined || now >= since + operatingWindowMs) operatingSince.set(method, now);
    return Math.floor((operatingSince.get(method)! + operatingWindowMs) / 1000);
  };
  let url = '';
  let movedTo = '';
  let downloadOrigin = '';
  let downloadRedirect = '';

  const context = () => ({ url: url + movedTo, userId, secret, portalOffset, downloadOrigin: downloadOrigin || url + movedTo });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const entry: LoggedRequest = { n: requests.length + 1, httpMethod: req.method ?? 'GET', method: '', status: 0, params: {} };
    requests.push(entry);
    const reply = (status: number, payload: string, contentType = 'application/json; charset=utf-8') => {
      entry.status = status;
      res.writeHead(status, { 'content-type': contentType, 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' });
      res.end(payload);
    };
    const fail = (error: RestError) => reply(error.status, phpJson({ error: error.code, error_description: error.description }));

    const fault = takeFault(faults, entry.n);
    if (options.latencyMs) await delay(options.latencyMs);
    if (fault?.kind === 'slow') await delay(fault.delayMs);
    if (fault?.kind === 'drop') { entry.status = -1; req.socket.destroy(); return; }
    if (fault?.kind === 'status') return fail(faultError(fault.status));
    if (fault?.kind === 'html') return reply(fault.status, '<html><body><h1>502 Bad Gateway</h1>nginx</body></html>', 'text/html');

    const target = new URL(req.url ?? '/', 'http://fake');
    if (movedTo && !target.pathname.startsWith(`${movedTo}/`)) {
      entry.status = 302;
      res.writeHead(302, { location: `${url}${movedTo}${target.pathname}${target.search}`, 'content-type': 'text/html' });
      return void res.end('<html><body><h1>302 Found</h1></body></html>');
    }
    const route = parseRoute(target.pathname.slice(movedTo.length));
    entry.method = route.method;
    if (!route.secret) return fail(new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'));
    if (route.userId === undefined) return fail(new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'));
    if (route.userId !== userId || route.secret !== secret) return fail(new RestError(401, 'INVALID_CREDENTIALS', 'Invalid request credentials'));
    if (bucket && !bucket.tryTake()) return fail(new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'));
    if (fault?.kind === 'malformedJson') return reply(200, '{"result":[{"ID":"1","CALL_ID":');
    if (route.method === 'download' && downloadRedirect) {
      entry.status = 302;
      return void res.writeHead(302, { location: downloadRedirect, 'content-type': 'text/html' }).end('<html><body>302 Found</body></html>');
    }
    if (route.method === 'download') return serveDownload(state, target, reply, res, entry);

    const params = requestParams(target, req, body);
    entry.params = params;
    const started = Date.now();
    try {
      const outcome = route.method === 'batch'
        ? runBatch(upperCaseKeys(params), (method, subParams) => runMethod(method, subParams, true), operatingResetAt)
        : runMethod(route.method, params, false);
      reply(200, phpJson({ ...outcome, time: timeEnvelope(started, portalOffset, operatingResetAt(route.method, started)) }));
    } catch (error) {
      if (error instanceof RestError) return fail(error);
      reply(500, phpJson({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }));
    }
  };

  const runMethod = (name: string, params: Record<string, unknown>, inBatch: boolean): MethodResult => {
    const entry = methods.get(name);
    if (!entry) throw new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    if (granted && !granted.has(entry.scope)) {
      const description = inBatch ? '' : 'The request requires higher privileges than provided by the webhook token';
      throw new RestError(options.scopeErrorStatus ?? 401, 'insufficient_scope', description);
    }
    const methodFault = methodFaults.find((item) => item.method === name && item.remaining > 0);
    if (methodFault && methodFault.skip-- <= 0) {
      methodFault.remaining -= 1;
      throw methodFault.error;
    }
    const start = params.start === undefined ? undefined : Number(params.start);
    const shaped = entry.caseSensitive ? params : upperCaseKeys(params);
    return entry.handler({ params: shaped, start: Number.isNaN(start) ? 0 : start, state, fake: context() });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    webhookUrl: `${url}/rest/${userId}/${secret}`,
    url,
    secret,
    state,
    requests,
    get requestCount() { return requests.length; },
    addStatistics(rows) {
      state.statistics.push(...rows);
      state.statistics.sort((a, b) => Number(a.ID) - Number(b.ID));
    },
    injectFault(fault, at = {}) {
      faults.push({ fault, onRequest: at.onRequest, remaining: at.times ?? 1 });
    },
    failMethod(method, error, at = {}) {
      methodFaults.push({ method: method.toLowerCase(), skip: at.afterCalls ?? 0, remaining: at.times ?? 1, error });
    },
    addMethod(name, scope, handler) {
      methods.set(name.toLowerCase(), { scope, handler });
    },
    resetRateLimit() { bucket?.reset(); },
    movePortal(pathPrefix) { movedTo = pathPrefix; },
    linkDownloadsTo(origin) { downloadOrigin = origin ?? ''; },
    redirectDownloadsTo(location) { downloadRedirect = location ?? ''; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

// ---------------------------------------------------------------- protocol

interface Route {
  userId?: number;
  secret?: string;
  method: string;
}

/** `/rest/{userId}/{secret}/{method}[.json][/]`; without the user segment the secret is read as the method. */
function parseRoute(pathname: string): Route {
  const segments = pathname.replace(/^\/rest\/?/, '').split('/').filter(Boolean);
  const method = (segments[segments.length - 1] ?? '').toLowerCase().replace(/\.json$/, '');
  if (segments.length >= 3 && /^\d+$/.test(segments[0])) return { userId: Number(segments[0]), secret: segments[1], method };
  if (segments.length === 2) return { secret: segments[0], method };
  return { method };
}

/** Query ∪ body, body winning; a JSON body that does not parse is an empty body, as on the real portal. */
function requestParams(target: URL, req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const query = parseStr(target.search.slice(1));
  const type = String(req.headers['content-type'] ?? '');
  let fromBody: Record<string, unknown> = {};
  if (body.length > 0 && type.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      fromBody = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      fromBody = {};
    }
  } else if (body.length > 0) {
    fromBody = parseStr(body.toString('utf8'));
  }
  return { ...query, ...fromBody };
}

/** PHP parse_str: `a[b][]=1` → `{a:{b:["1"]}}`; `+` is a space. */
export function parseStr(query: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!match) continue;
    const path = [match[1], ...[...match[2].matchAll(/\[([^\]]*)\]/g)].map((part) => part[1])];
    if (path.some((part) => part === '__proto__' || part === 'constructor' || part === 'prototype')) continue;
    let node: Record<string, unknown> = root;
    path.forEach((part, index) => {
      const key = part === '' ? String(Object.keys(node).length) : part;
      if (index === path.length - 1) { node[key] = value; return; }
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = path[index + 1] === '' ? [] : {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return root;
}

function upperCaseKeys(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key.toUpperCase(), value]));
}

/** Bitrix24's JSON: slashes and HTML-special characters escaped, as `Json::encode` does. */
function phpJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, '\\/')
    .replace(/</g, '\\u003C').replace(/>/g, '\\u003E').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
}

/** PHP arrays: empty → `[]`; keys 0..n-1 → a list; anything else → an object. */
function phpMap(map: Record<string, unknown>): unknown {
  const keys = Object.keys(map);
  if (keys.length === 0) return [];
  return keys.every((key, index) => key === String(index)) ? keys.map((key) => map[key]) : map;
}

function timeEnvelope(startedMs: number, offset: string, operatingResetAt: number) {
  const finish = Date.now();
  return {
    start: startedMs / 1000,
    finish: finish / 1000,
    duration: (finish - startedMs) / 1000,
    processing: (finish - startedMs) / 1000,
    date_start: portalDate(new Date(startedMs), offset),
    date_finish: portalDate(new Date(finish), offset),
    operating_reset_at: operatingResetAt,
    operating: 0,
  };
}

/** `date('c')` in the portal's zone: `2024-01-15T10:30:00+03:00`. */
export function portalDate(date: Date, offset = '+03:00'): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number);
  const shifted = new Date(date.getTime() + sign * (hours * 60 + minutes) * 60_000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, offset);
}

function navigate<T>(rows: T[], start: number | undefined): MethodResult {
  if (start !== undefined && start < 0) return { result: rows.slice(0, PAGE), total: 0 };
  const offset = start ?? 0;
  const page = rows.slice(offset, offset + PAGE);
  return { result: page, total: rows.length, ...(offset + page.length < rows.length ? { next: offset + page.length } : {}) };
}

function faultError(status: number): RestError {
  if (status === 503) return new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
  if (status === 429) return new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
  return new RestError(status, 'INTERNAL_SERVER_ERROR', 'Internal server error');
}

function takeFault(faults: { fault: Fault; onRequest?: number; remaining: number }[], n: number): Fault | undefined {
  const index = faults.findIndex((item) => (item.onRequest === undefined ? item.remaining > 0 : item.onRequest === n));
  if (index < 0) return undefined;
  const item = faults[index];
  item.remaining -= 1;
  if (item.onRequest !== undefined || item.remaining <= 0) faults.splice(index, 1);
  return item.fault;
}

/** Each request adds 1; the level drains at `requestsPerSecond`; a refused request does not count. */
class ServerBucket {
  private level = 0;
  private lastLeak = Date.now();

  constructor(private readonly limit: { requestsPerSecond: number; burst: number }) {}

  tryTake(): boolean {
    const now = Date.now();
    this.level = Math.max(0, this.level - ((now - this.lastLeak) / 1000) * this.limit.requestsPerSecond);
    this.lastLeak = now;
    if (this.level + 1 > this.limit.burst) return false;
    this.level += 1;
    return true;
  }

  reset(): void {
    this.level = 0;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- batch

type SubCall = (method: string, params: Record<string, unknown>) => MethodResult;

function runBatch(params: Record<string, unknown>, call: SubCall, operatingResetAt: (method: string, now: number) => number): MethodResult {
  const commands = Object.entries((params.CMD ?? {}) as Record<string, unknown>);
  const halt = ['1', 'true', 'Y'].includes(String(params.HALT ?? '0'));
  const batch = { result: {} as Record<string, unknown>, error: {} as Record<string, unknown>, total: {} as Record<string, unknown>, next: {} as Record<string, unknown>, time: {} as Record<string, unknown> };
  for (const [index, [key, command]] of commands.entries()) {
    if (index >= 50) {
      batch.error[key] = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
      continue;
    }
    const started = Date.now();
    try {
      const outcome = runCommand(String(command), batch, call);
      batch.result[key] = outcome.result;
      if (outcome.total !== undefined) batch.total[key] = outcome.total;
      if (outcome.next !== undefined) batch.next[key] = outcome.next;
      batch.time[key] = timeEnvelope(started, '+03:00', operatingResetAt(String(command).split('?')[0], started));
    } catch (error) {
      const rest = error instanceof RestError ? error : new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      batch.error[key] = { error: rest.code, error_description: rest.description };
      if (halt) break;
    }
  }
  return {
    result: {
      result: phpMap(batch.result), result_error: phpMap(batch.error), result_total: phpMap(batch.total),
      result_next: phpMap(batch.next), result_time: phpMap(batch.time),
    },
  };
}

function runCommand(command: string, batch: Record<string, Record<string, unknown>>, call: SubCall): MethodResult {
  const [path, query = ''] = command.split(/\?(.*)/s, 2);
  const method = path.toLowerCase().replace(/\.json$/, '');
  if (['batch', 'download', 'upload'].includes(method)) {
    throw new RestError(400, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
  }
  return call(method, substitute(parseStr(query), batch) as Record<string, unknown>);
}

const REFERENCE = /\$(result|next|total|time|error)((?:\[[^\]]*\])*)/gi;

/** `$result[cmd][49][ID]`: a missing step stops the walk at the last level found, as the portal does. */
function substitute(value: unknown, batch: Record<string, Record<string, unknown>>): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, batch));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, batch)]));
  }
  if (typeof value !== 'string') return value;
  const whole = new RegExp(`^${REFERENCE.source}$`, 'i').exec(value);
  if (whole) return resolveReference(whole[1], whole[2], batch);
  return value.replace(REFERENCE, (text, kind: string, path: string) => {
    const resolved = resolveReference(kind, path, batch);
    return typeof resolved === 'string' ? resolved : text;
  });
}

function resolveReference(kind: string, path: string, batch: Record<string, Record<string, unknown>>): unknown {
  let node: unknown = batch[kind.toLowerCase()];
  for (const [, step] of path.matchAll(/\[([^\]]*)\]/g)) {
    if (typeof node !== 'object' || node === null || !(step in node)) break;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

// ---------------------------------------------------------------- filters

type FieldKind = 'number' | 'date' | 'string';

interface Condition {
  op: string;
  field: string;
  value: unknown;
}

const OPERATOR = /^(!><|><|>=|<=|!=|!%|=%|%=|!@|@|!|=|<|>|\?|%)?(.+)$/;

/** Filter keys with an unknown field are dropped silently, as the portal does. */
function parseFilter(filter: unknown, fields: Record<string, FieldKind>): Condition[] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return [];
  return Object.entries(filter).flatMap(([key, value]) => {
    const match = OPERATOR.exec(key);
    const field = match?.[2].toUpperCase() ?? '';
    return match && field in fields ? [{ op: match[1] ?? '', field, value }] : [];
  });
}

function matches(row: FakeRow, conditions: Condition[], fields: Record<string, FieldKind>): boolean {
  return conditions.every((condition) => test(row[condition.field], condition, fields[condition.field]));
}

function test(actual: unknown, { op, value }: Condition, kind: FieldKind): boolean {
  if (Array.isArray(value) && (op === '' || op === '=' || op === '@')) return value.some((item) => compare(actual, item, kind) === 0);
  if (Array.isArray(value) && (op === '!' || op === '!=' || op === '!@')) return value.every((item) => compare(actual, item, kind) !== 0);
  if (op === '><' || op === '!><') {
    const [low, high] = Array.isArray(value) ? value : [];
    const inside = compare(actual, low, kind) >= 0 && compare(actual, high, kind) <= 0;
    return op === '><' ? inside : !inside;
  }
  if (op === '%' || op === '?' || op === '!%') {
    const found = String(actual ?? '').toLowerCase().includes(String(value).toLowerCase());
    return op === '!%' ? !found : found;
  }
  const order = compare(actual, value, kind);
  if (Number.isNaN(order)) return false;
  switch (op) {
    case '>': return order > 0;
    case '>=': return order >= 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '!': case '!=': return order !== 0;
    default: return order === 0;
  }
}

/** A non-scalar in a comparison is cast the PHP way ((int) of an array is 0 or 1): garbage, as on the portal. */
function compare(actual: unknown, expected: unknown, kind: FieldKind): number {
  const wanted = typeof expected === 'object' && expected !== null ? (Object.keys(expected).length > 0 ? 1 : 0) : expected;
  if (kind === 'number') return Number(actual ?? NaN) - Number(wanted);
  if (kind === 'date') return Date.parse(String(actual)) - Date.parse(String(wanted));
  if (actual === null || actual === undefined) return wanted === '' || wanted === null ? 0 : NaN;
  const left = String(actual);
  const right = String(wanted);
  return left === right ? 0 : left < right ? -1 : 1;
}

/**
 * Rows in ID order answer an ID-ascending query by seeking to the `>ID` bound and stopping after one page,
 * as an index would; anything else filters and sorts the whole table.
 */
function query(
  rows: FakeRow[], conditions: Condition[], fields: Record<string, FieldKind>,
  sort: { field: string; desc: boolean } | null, start: number | undefined,
): MethodResult {
  if (start !== undefined && start < 0 && (!sort || (sort.field === 'ID' && !sort.desc))) {
    const page: FakeRow[] = [];
    for (let index = lowerBound(rows, conditions); index < rows.length && page.length < PAGE; index++) {
      if (matches(rows[index], conditions, fields)) page.push(rows[index]);
    }
    return { result: page, total: 0 };
  }
  const found = rows.filter((row) => matches(row, conditions, fields));
  if (sort) {
    const direction = sort.desc ? -1 : 1;
    found.sort((a, b) => direction * (compare(a[sort.field], b[sort.field], fields[sort.field]) || 0));
  }
  return navigate(found, start);
}

function lowerBound(rows: FakeRow[], conditions: Condition[]): number {
  const bound = conditions.find((c) => c.field === 'ID' && (c.op === '>' || c.op === '>=') && typeof c.value !== 'object');
  if (!bound) return 0;
  const limit = Number(bound.value);
  if (Number.isNaN(limit)) return rows.length;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (Number(rows[middle].ID) < limit) low = middle + 1; else high = middle;
  }
  return low;
}

// ---------------------------------------------------------------- methods

const STATISTIC_FIELDS: Record<string, FieldKind> = Object.fromEntries([
  ...['ID', 'PORTAL_USER_ID', 'CALL_DURATION', 'CALL_TYPE', 'CRM_ENTITY_ID', 'CRM_ACTIVITY_ID', 'COST', 'CALL_VOTE', 'REST_APP_ID', 'TRANSCRIPT_ID', 'SESSION_ID', 'REDIAL_ATTEMPT', 'RECORD_DURATION'].map((f) => [f, 'number']),
  ['CALL_START_DATE', 'date'],
  ...['PORTAL_NUMBER', 'PHONE_NUMBER', 'CALL_ID', 'EXTERNAL_CALL_ID', 'CALL_CATEGORY', 'CALL_RECORD_URL', 'COST_CURRENCY', 'CALL_FAILED_CODE', 'CALL_FAILED_REASON', 'CRM_ENTITY_TYPE', 'TRANSCRIPT_PENDING', 'COMMENT'].map((f) => [f, 'string']),
]) as Record<string, FieldKind>;

const USER_FIELDS: Record<string, FieldKind> = {
  ID: 'number', ACTIVE: 'string', NAME: 'string', LAST_NAME: 'string', EMAIL: 'string', WORK_POSITION: 'string',
  USER_TYPE: 'string', UF_PHONE_INNER: 'string',
};

const DEPARTMENT_FIELDS: Record<string, FieldKind> = { ID: 'number', NAME: 'string', SORT: 'number', PARENT: 'number', UF_HEAD: 'number' };

const ACTIVITY_FIELDS: Record<string, FieldKind> = {
  ID: 'number', OWNER_ID: 'number', OWNER_TYPE_ID: 'number', TYPE_ID: 'number', PROVIDER_ID: 'string', PROVIDER_TYPE_ID: 'string',
  ASSOCIATED_ENTITY_ID: 'number', ORIGIN_ID: 'string', RESPONSIBLE_ID: 'number', START_TIME: 'date', END_TIME: 'date',
  COMPLETED: 'string', DIRECTION: 'number', SUBJECT: 'string',
};

function builtInMethods(): Record<string, MethodEntry> {
  return {
    'voximplant.statistic.get': { scope: 'telephony', handler: statisticGet },
    'user.get': { scope: 'user', handler: userGet },
    'department.get': { scope: 'department', handler: departmentGet, caseSensitive: true },
    'disk.file.get': { scope: 'disk', handler: diskFileGet },
    'crm.activity.list': { scope: 'crm', handler: activityList },
    'crm.activity.get': { scope: 'crm', handler: activityGet },
    'crm.timeline.comment.list': { scope: 'crm', handler: timelineCommentList },
    'imopenlines.session.history.get': { scope: 'imopenlines', handler: sessionHistoryGet },
    'crm.timeline.comment.add': { scope: 'crm', handler: timelineCommentAdd, caseSensitive: true },
  };
}

/** SORT and ORDER are strings; ORDER counts only with a valid SORT; CALL_TYPE is not sortable. */
function statisticGet({ params, start, state }: MethodContext): MethodResult {
  const conditions = parseFilter(params.FILTER, STATISTIC_FIELDS);
  const sortField = typeof params.SORT === 'string' ? params.SORT : '';
  const sort = sortField in STATISTIC_FIELDS && sortField !== 'CALL_TYPE' ? { field: sortField, desc: params.ORDER === 'DESC' } : null;
  return query(state.statistics, conditions, STATISTIC_FIELDS, sort, start);
}

const USER_PARAMS = new Set(['SORT', 'ORDER', 'FILTER', 'SELECT', 'ADMIN_MODE', 'IMAGE_RESIZE', 'START']);

/** Without FILTER the top-level params are the filter; null fields are left out; no `total` when empty. */
function userGet({ params, start, state }: MethodContext): MethodResult {
  const filter = params.FILTER ?? Object.fromEntries(Object.entries(params).filter(([key]) => !USER_PARAMS.has(key)));
  const conditions = parseFilter(filter, USER_FIELDS).map((c) => (c.field === 'ACTIVE' ? { ...c, value: c.value === true || c.value === 'true' || c.value === 'Y' ? 'true' : 'false' } : c));
  const found = state.users.filter((user) => matches({ ...user, ACTIVE: String(user.ACTIVE) }, conditions, USER_FIELDS)
    && (!('UF_DEPARTMENT' in (filter as object)) || departmentMatch(user, (filter as Record<string, unknown>).UF_DEPARTMENT)));
  const sortField = typeof params.SORT === 'string' && params.SORT in USER_FIELDS ? params.SORT : 'ID';
  const direction = params.ORDER === 'DESC' ? -1 : 1;
  found.sort((a, b) => direction * (compare(a[sortField], b[sortField], USER_FIELDS[sortField]) || 0));
  const outcome = navigate(found.map(withoutNulls), start);
  return found.length === 0 ? { result: [] } : outcome;
}

function departmentMatch(user: FakeRow, wanted: unknown): boolean {
  const ids = (user.UF_DEPARTMENT as number[] | undefined) ?? [];
  const wantedIds = (Array.isArray(wanted) ? wanted : [wanted]).map(Number);
  return ids.some((id) => wantedIds.includes(id));
}

/** Lower-case `sort`/`order` sort; the upper-case top-level keys (`ID`, `PARENT`, even `SORT`) filter. */
function departmentGet({ params, start, state }: MethodContext): MethodResult {
  const filter = Object.fromEntries(Object.entries(params).filter(([key]) => key in DEPARTMENT_FIELDS));
  const found = state.departments.filter((row) => matches(row, parseFilter(filter, DEPARTMENT_FIELDS), DEPARTMENT_FIELDS));
  const sortField = typeof params.sort === 'string' && params.sort.toUpperCase() in DEPARTMENT_FIELDS ? params.sort.toUpperCase() : 'ID';
  const direction = String(params.order).toUpperCase() === 'DESC' ? -1 : 1;
  found.sort((a, b) => direction * (compare(a[sortField], b[sortField], DEPARTMENT_FIELDS[sortField]) || 0));
  return navigate(found.map(withoutNulls), start);
}

function diskFileGet({ params, state, fake }: MethodContext): MethodResult {
  const file = state.diskFiles.get(Number(params.ID));
  if (!file) throw new RestError(404, 'ERROR_NOT_FOUND', 'Could not find entity with id');
  const token = encodeURIComponent(`disk|${Buffer.from(`f=${file.id}`).toString('base64')}|${file.id.toString(16)}sig`);
  return {
    result: {
      ID: String(file.id), NAME: file.name, CODE: null, STORAGE_ID: '1', TYPE: 'file', PARENT_ID: '3', DELETED_TYPE: '0',
      GLOBAL_CONTENT_VERSION: '1', FILE_ID: String(file.id), SIZE: String(file.content.length),
      CREATE_TIME: portalDate(new Date(), fake.portalOffset), UPDATE_TIME: portalDate(new Date(), fake.portalOffset),
      DELETE_TIME: null, CREATED_BY: String(fake.userId), UPDATED_BY: String(fake.userId), DELETED_BY: '0',
      DOWNLOAD_URL: `${fake.downloadOrigin}/rest/${fake.userId}/${fake.secret}/download/?token=${token}`,
      DETAIL_URL: `${fake.url}/docs/file/${encodeURIComponent(file.name)}`,
    },
  };
}

function serveDownload(
  state: FakeBitrix24State, target: URL, reply: (status: number, body: string) => void, res: ServerResponse, entry: LoggedRequest,
): void {
  const match = /^disk\|([^|]+)\|/.exec(target.searchParams.get('token') ?? '');
  const id = match ? Number(/f=(\d+)/.exec(Buffer.from(match[1], 'base64').toString())?.[1]) : NaN;
  const file = state.diskFiles.get(id);
  if (!file) return reply(404, '<html><body>404 Not Found</body></html>');
  entry.status = 200;
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': String(file.content.length),
    'content-disposition': `attachment; filename="${encodeURIComponent(file.name)}"`,
  });
  res.end(file.content);
}

function activityList({ params, start, state }: MethodContext): MethodResult {
  const conditions = parseFilter(params.FILTER, ACTIVITY_FIELDS);
  const order = (params.ORDER ?? { START_TIME: 'ASC' }) as Record<string, string>;
  const [field, direction] = Object.entries(order)[0] ?? ['START_TIME', 'ASC'];
  const sort = field.toUpperCase() in ACTIVITY_FIELDS ? { field: field.toUpperCase(), desc: String(direction).toUpperCase() === 'DESC' } : null;
  const outcome = query(state.activities, conditions, ACTIVITY_FIELDS, sort, start);
  const select = Array.isArray(params.SELECT) ? (params.SELECT as string[]).map((f) => f.toUpperCase()) : ['*'];
  return { ...outcome, result: (outcome.result as FakeRow[]).map((row) => selectFields(row, select)) };
}

/** `*` leaves out COMMUNICATIONS and FILES, which come only when asked for by name. */
function selectFields(row: FakeRow, select: string[]): FakeRow {
  const all = select.includes('*');
  return Object.fromEntries(Object.entries(row).filter(([key]) =>
    select.includes(key) || (all && key !== 'COMMUNICATIONS' && key !== 'FILES')));
}

function sessionHistoryGet({ params, state }: MethodContext): MethodResult {
  if (params.SESSION_ID === undefined && params.CHAT_ID === undefined) {
    throw new RestError(400, 'MISSING_REQUIRED_PARAM', 'Session ID or Chat ID is required');
  }
  const history = params.SESSION_ID !== undefined
    ? state.sessionHistories.get(Number(params.SESSION_ID))
    : [...state.sessionHistories.values()].filter((h) => Number(h.chatId) === Number(params.CHAT_ID)).pop();
  if (!history) throw new RestError(400, 'INVALID_SESSION_ID', 'Session not found');
  return { result: history };
}

function timelineCommentAdd({ params, state }: MethodContext): MethodResult {
  const fields = params.fields as Record<string, unknown> | undefined;
  if (!fields || fields.ENTITY_ID === undefined || !fields.ENTITY_TYPE) {
    throw new RestError(400, '100', 'Required fields: ENTITY_ID, ENTITY_TYPE, COMMENT');
  }
  if (!String(fields.COMMENT ?? '').trim()) throw new RestError(400, 'INVALID_ARG_VALUE', 'Empty comment');
  const id = 1000 + state.timelineComments.length + 1;
  state.timelineComments.push({ id, fields });
  return { result: id };
}

/** `{id}`; an unknown id is the CRM's 400 with an empty error code. */
function activityGet({ params, state }: MethodContext): MethodResult {
  const activity = state.activities.find((row) => Number(row.ID) === Number(params.ID));
  if (!activity) throw new RestError(400, '', 'Not found');
  return { result: activity };
}

/** `filter` by ENTITY_ID and ENTITY_TYPE; newest first when `order` asks for `ID: DESC`. */
function timelineCommentList({ params, start, state }: MethodContext): MethodResult {
  const filter = (params.FILTER ?? {}) as Record<string, unknown>;
  const order = (params.ORDER ?? {}) as Record<string, string>;
  const rows = state.timelineComments
    .filter((comment) => String(comment.fields.ENTITY_ID) === String(filter.ENTITY_ID)
      && String(comment.fields.ENTITY_TYPE).toLowerCase() === String(filter.ENTITY_TYPE ?? '').toLowerCase())
    .map((comment) => ({ ID: String(comment.id), ENTITY_ID: String(comment.fields.ENTITY_ID), ENTITY_TYPE: String(comment.fields.ENTITY_TYPE), COMMENT: String(comment.fields.COMMENT) }));
  if (String(order.ID ?? '').toUpperCase() === 'DESC') rows.reverse();
  return navigate(rows, start);
}

function withoutNulls(row: FakeRow): FakeRow {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined));
}

// ---------------------------------------------------------------- data

const FIRST_NAMES = ['Александр', 'Мария', 'Дмитрий', 'Анна', 'Сергей', 'Елена', 'Андрей', 'Ольга', 'Алексей', 'Наталья', 'Иван', 'Татьяна', 'Михаил', 'Екатерина', 'Никита', 'Юлия'];
const LAST_NAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров'];
const POSITIONS = ['Менеджер по продажам', 'Старший менеджер', 'Руководитель отдела продаж', 'Специалист call-центра'];
const DEPARTMENTS = ['Отдел продаж', 'Call-центр', 'Отдел по работе с ключевыми клиентами', 'Отдел сопровождения', 'Региональные продажи'];
const FAILURES: [string, string][] = [['304', 'Call canceled'], ['603', 'Decline self'], ['486', 'Busy'], ['603-S', 'Call canceled'], ['480', 'Temporarily unavailable']];

/** Deterministic pseudo-random numbers, so generated portals are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 0x100000000;
  };
}

/** Russian feminine surnames add -а: Иванов → Иванова. */
function surname(base: string, female: boolean): string {
  return female ? `${base}а` : base;
}

export function generateDepartments(count: number): FakeRow[] {
  const rows: FakeRow[] = [{ ID: '1', NAME: 'ООО «Ромашка»', SORT: 500, UF_HEAD: '1' }];
  for (let index = 0; index < count; index++) {
    rows.push({ ID: String(index + 2), NAME: `${DEPARTMENTS[index % DEPARTMENTS.length]}${index >= DEPARTMENTS.length ? ` ${Math.floor(index / DEPARTMENTS.length) + 1}` : ''}`, SORT: 500, PARENT: '1' });
  }
  return rows;
}

/** `count` employees spread over the departments (IDs from 2); every tenth one is deactivated. */
export function generateUsers(count: number, departmentIds: number[], seed = 7): FakeRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const first = FIRST_NAMES[index % FIRST_NAMES.length];
    const female = FIRST_NAMES.indexOf(first) % 2 === 1;
    return {
      ID: String(index + 1),
      XML_ID: null,
      ACTIVE: index % 10 !== 9,
      NAME: first,
      LAST_NAME: surname(LAST_NAMES[Math.floor(random() * LAST_NAMES.length)], female),
      SECOND_NAME: null,
      EMAIL: `user${index + 1}@example.ru`,
      WORK_POSITION: POSITIONS[index % POSITIONS.length],
      UF_DEPARTMENT: [departmentIds[index % departmentIds.length]],
      UF_PHONE_INNER: String(100 + index),
      USER_TYPE: 'employee',
    };
  });
}

export interface CallRowsSpec {
  count: number;
  userIds: number[];
  firstId?: number;
  /** First call's start; later calls follow every few minutes. */
  since?: Date;
  /** Share of rows without a recording (RECORD_FILE_ID null, CALL_RECORD_URL ""). */
  withoutRecording?: number;
  /** Share of missed calls (failed code ≠ 200, duration 0). */
  missed?: number;
  /** Share of IDs skipped, as deleted rows leave holes. */
  idGaps?: number;
  portalOffset?: string;
  seed?: number;
}

/** Realistic `voximplant.statistic.get` rows, strings as on the wire, dates with the portal offset. */
export function generateCallRows(spec: CallRowsSpec): FakeRow[] {
  const random = seededRandom(spec.seed ?? 42);
  const offset = spec.portalOffset ?? '+03:00';
  let id = (spec.firstId ?? 1) - 1;
  let time = (spec.since ?? new Date('2024-01-15T06:00:00Z')).getTime();
  return Array.from({ length: spec.count }, () => {
    id += 1 + (random() < (spec.idGaps ?? 0.03) ? 1 + Math.floor(random() * 3) : 0);
    time += Math.floor(random() * 300_000);
    const missed = random() < (spec.missed ?? 0.2);
    const recorded = !missed && random() >= (spec.withoutRecording ?? 0.1);
    return callRow(id, new Date(time), spec.userIds[Math.floor(random() * spec.userIds.length)], missed, recorded, random, offset);
  });
}

function callRow(id: number, start: Date, userId: number, missed: boolean, recorded: boolean, random: () => number, offset: string): FakeRow {
  const callType = 1 + Math.floor(random() * 5);
  const duration = missed ? 0 : 15 + Math.floor(random() * 900);
  const [failedCode, failedReason] = missed ? FAILURES[Math.floor(random() * FAILURES.length)] : ['200', 'Success call'];
  const unix = Math.floor(start.getTime() / 1000);
  const callId = `11018129443EB80D.${unix}.${10_000_000 + id}`;
  const crmType = ['CONTACT', 'COMPANY', 'LEAD', null][Math.floor(random() * 4)];
  const record = `https://storage-gw-ru-02.voximplant.com/voximplant-records/${start.toISOString().slice(0, 10).replace(/-/g, '/')}/${id.toString(16)}.mp3?record_id=${id}`;
  return {
    ID: String(id),
    PORTAL_USER_ID: String(userId),
    PORTAL_NUMBER: `reg${133_700 + (id % 5)}`,
    PHONE_NUMBER: `+79${String(100_000_000 + Math.floor(random() * 899_999_999)).slice(0, 9)}`,
    CALL_ID: callId,
    EXTERNAL_CALL_ID: null,
    CALL_CATEGORY: 'external',
    CALL_LOG: null,
    CALL_DURATION: String(duration),
    CALL_START_DATE: portalDate(start, offset),
    CALL_RECORD_URL: recorded ? record : '',
    CALL_VOTE: null,
    COST: missed ? '0.0000' : (duration * 0.012).toFixed(4),
    COST_CURRENCY: 'RUR',
    CALL_FAILED_CODE: failedCode,
    CALL_FAILED_REASON: failedReason,
    CRM_ENTITY_TYPE: crmType,
    CRM_ENTITY_ID: crmType ? String(100 + Math.floor(random() * 5000)) : null,
    CRM_ACTIVITY_ID: String(5000 + id),
    REST_APP_ID: null,
    REST_APP_NAME: null,
    TRANSCRIPT_ID: null,
    TRANSCRIPT_PENDING: 'N',
    SESSION_ID: String(3_841_000_000 + id),
    REDIAL_ATTEMPT: null,
    COMMENT: null,
    RECORD_DURATION: recorded ? String(Math.max(1, duration - 3)) : null,
    RECORD_FILE_ID: recorded ? 9000 + id : null,
    CALL_TYPE: String(callType),
  };
}

let cachedAudio: Buffer | undefined;

/** A quarter-second 8 kHz mono WAV tone: small, but real audio for the download path. */
export function sampleAudio(): Buffer {
  if (cachedAudio) return cachedAudio;
  const samples = 2000;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + samples * 2, 4); wav.write('WAVE', 8);
  wav.write('fmt ', 12); wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24); wav.writeUInt32LE(16000, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34);
  wav.write('data', 36); wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  cachedAudio = wav;
  return wav;
}

export interface SeedSpec extends Omit<CallRowsSpec, 'count' | 'userIds'> {
  calls: number;
  users: number;
  departments?: number;
  /** Register a disk file for every recording (off for very large portals). */
  files?: boolean;
}

/** Fills the fake with departments, `users` employees and `calls` statistics rows (and their recordings). */
export function seedPortal(fake: FakeBitrix24, spec: SeedSpec): void {
  const departments = generateDepartments(spec.departments ?? 5);
  fake.state.departments.push(...departments);
  const users = generateUsers(spec.users, departments.slice(1).map((d) => Number(d.ID)), spec.seed);
  fake.state.users.push(...users);
  const rows = generateCallRows({ ...spec, count: spec.calls, userIds: users.map((u) => Number(u.ID)) });
  fake.addStatistics(rows);
  if (spec.files === false) return;
  for (const row of rows) {
    if (row.RECORD_FILE_ID !== null) {
      const id = Number(row.RECORD_FILE_ID);
      fake.state.diskFiles.set(id, { id, name: `${row.CALL_ID}.wav`, contentType: 'audio/wav', content: sampleAudio() });
    }
  }
}

/** An Open Lines session: its CRM activity (PROVIDER_ID IMOPENLINES_SESSION) and its message history. */
export interface OpenLinesSessionSpec {
  activityId: number;
  sessionId: number;
  chatId: number;
  operatorId: number;
  connector?: string;
  start: Date;
  /** `atSec`: seconds after `start` (default: 30 s apart); `system`: a message of the portal itself (sender 0). */
  messages: { fromClient: boolean; text: string; atSec?: number; system?: boolean }[];
  /** An open session: COMPLETED N, no END_TIME yet (close it with `closeOpenLinesSession`). */
  open?: boolean;
  operatorName?: string;
  clientName?: string;
  /** The CRM binding: OWNER_TYPE_ID (3 contact by default) and OWNER_ID (200 + sessionId by default). */
  ownerTypeId?: number;
  ownerId?: number;
}

export function addOpenLinesSession(state: FakeBitrix24State, session: OpenLinesSessionSpec): void {
  const connector = session.connector ?? 'telegrambot';
  const userCode = `${connector}|3|${session.chatId + 500}|${session.sessionId + 900}`;
  const clientId = 90_000 + session.sessionId;
  const ownerId = String(session.ownerId ?? 200 + session.sessionId);
  state.activities.push({
    ID: String(session.activityId), OWNER_ID: ownerId, OWNER_TYPE_ID: String(session.ownerTypeId ?? 3), TYPE_ID: '6',
    PROVIDER_ID: 'IMOPENLINES_SESSION', PROVIDER_TYPE_ID: '3', PROVIDER_GROUP_ID: null, PROVIDER_PARAMS: { USER_CODE: userCode },
    ASSOCIATED_ENTITY_ID: String(session.sessionId), ORIGIN_ID: `IMOL_${session.sessionId}`,
    SUBJECT: `Telegram: диалог #${session.sessionId}`, START_TIME: portalDate(session.start),
    END_TIME: session.open ? null : portalDate(new Date(session.start.getTime() + 600_000)), COMPLETED: session.open ? 'N' : 'Y', DIRECTION: '1',
    RESPONSIBLE_ID: String(session.operatorId), RESULT_SOURCE_ID: connector, RESULT_STATUS: '2', SETTINGS: [],
    COMMUNICATIONS: [{ ID: '1', TYPE: 'IM', VALUE: `imol|${userCode}`, ENTITY_ID: ownerId, ENTITY_TYPE_ID: String(session.ownerTypeId ?? 3) }],
  });
  state.activities.sort((a, b) => Number(a.ID) - Number(b.ID));
  const message: Record<string, unknown> = {};
  const order: string[] = [];
  state.sessionHistories.set(session.sessionId, {
    chatId: session.chatId, sessionId: session.sessionId, canJoin: 'N', canVoteHead: 'N', sessionVoteHead: '0', sessionCommentHead: '',
    userId: `chat${session.chatId}`, message, usersMessage: { [`chat${session.chatId}`]: order },
    users: {
      [String(clientId)]: { id: clientId, name: session.clientName ?? 'Клиент Telegram', firstName: 'Клиент', lastName: 'Telegram', connector: true, bot: false },
      [String(session.operatorId)]: { id: session.operatorId, name: session.operatorName ?? 'Оператор', connector: false, bot: false },
    },
  });
  addSessionMessages(state, session.sessionId, session.messages, session.start, session.operatorId);
}

/** Appends messages to a session's history, numbered after the ones it has. */
export function addSessionMessages(
  state: FakeBitrix24State, sessionId: number, messages: OpenLinesSessionSpec['messages'], start: Date, operatorId: number,
): void {
  const history = state.sessionHistories.get(sessionId)!;
  const message = history.message as Record<string, unknown>;
  const chatId = Number(history.chatId);
  const order = (history.usersMessage as Record<string, string[]>)[`chat${chatId}`];
  messages.forEach((item) => {
    const index = order.length;
    const id = String(sessionId * 100 + index + 1);
    const senderId = item.system ? 0 : item.fromClient ? 90_000 + sessionId : operatorId;
    order.push(id);
    message[id] = {
      id, chatid: String(chatId), senderid: String(senderId), recipientid: `chat${chatId}`,
      date: portalDate(new Date(start.getTime() + (item.atSec ?? index * 30) * 1000)), text: item.text, textlegacy: item.text, params: [],
    };
  });
}

/** Closes an open session: COMPLETED Y and END_TIME, optionally after more messages. */
export function closeOpenLinesSession(state: FakeBitrix24State, activityId: number, end: Date, messages: OpenLinesSessionSpec['messages'] = []): void {
  const activity = state.activities.find((row) => Number(row.ID) === activityId)!;
  const start = new Date(String(activity.START_TIME));
  addSessionMessages(state, Number(activity.ASSOCIATED_ENTITY_ID), messages, start, Number(activity.RESPONSIBLE_ID));
  activity.COMPLETED = 'Y';
  activity.END_TIME = portalDate(end);
}

/** A Bitrix24 outbound event as the portal posts it: form-encoded, PHP brackets, every value a string (reference §9). */
export function eventForm(event: string, data: Record<string, unknown>, applicationToken = 'jvh9y1ulvt2m6k5or90v9mg8nn32ozas'): string {
  const pairs: [string, string][] = [['event', event], ['event_handler_id', '17']];
  const walk = (prefix: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(`${prefix}[${key}]`, item);
    else pairs.push([prefix, typeof value === 'boolean' ? (value ? '1' : '0') : String(value)]);
  };
  walk('data', data);
  pairs.push(['ts', String(Math.floor(Date.now() / 1000))]);
  walk('auth', {
    domain: 'example.bitrix24.ru', client_endpoint: 'https://example.bitrix24.ru/rest/', server_endpoint: 'https://oauth.bitrix.info/rest/',
    member_id: 'a223c6b3710f85df22e9377d6c4f7553', application_token: applicationToken,
  });
  return new URLSearchParams(pairs).toString();
}
