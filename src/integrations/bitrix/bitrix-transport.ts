import { Logger } from '@nestjs/common';
import { Agent, request } from 'undici';
import { IntegrationError, IntegrationFailure } from '../../common/errors';
import type { BatchOutcome, BitrixResponse, BitrixSubError, BitrixTime } from './bitrix.types';
import { LeakyBucket, sleep } from './rate-limiter';
import { redactSecret, webhookSecret } from './redact';

export interface BitrixClientOptions {
  /** `https://{portal}/rest/{userId}/{secret}`; the secret never leaves this module in logs or errors. */
  webhookUrl: string;
  /** Sustained rate of the portal's leaky bucket: 2 on ordinary plans, 5 on Enterprise. */
  requestsPerSecond?: number;
  /** Bucket size: 50 on ordinary plans, 250 on Enterprise. */
  burst?: number;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  /**
   * Least wait after 429 OPERATION_TIME_LIMIT. The wait lasts until the method's `operating_reset_at` from its last
   * successful answer when that is later: the portal counts operating time in one-minute baskets over ten minutes.
   */
  operatingLimitWaitMs?: number;
}

/** A Drive file's download link (it carries the webhook secret), the headers to send and the portal's current host. */
export interface DriveDownload {
  url: string;
  headers: Record<string, string>;
  portalHost: string;
}

export interface CallOptions {
  /** Writes are retried only when the portal refused them before running them (rate limits). */
  idempotent?: boolean;
}

const AUTH_CODES = new Set([
  'NO_AUTH_FOUND', 'INVALID_CREDENTIALS', 'expired_token', 'invalid_token', 'authorization_error', 'WRONG_AUTH_TYPE',
  'METHOD_CONFIRM_WAITING', 'METHOD_CONFIRM_DENIED', 'PORTAL_DELETED',
]);
const SCOPE_CODES = new Set(['insufficient_scope', 'ACCESS_DENIED']);
const REFUSED_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OVERLOAD_LIMIT', 'OPERATION_TIME_LIMIT']);
const NOT_FOUND_CODES = new Set(['ERROR_METHOD_NOT_FOUND', 'NOT_FOUND', 'OWNER_NOT_FOUND', 'INVALID_SESSION_ID']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** The portal sums a method's operating time over ten minutes: no reset is further away. */
const OPERATING_WINDOW_MS = 600_000;
/** A renamed portal redirects once; a chain longer than this is a misconfiguration, not a move. */
const MAX_REDIRECTS = 3;

/** What every Bitrix24 use answers while BITRIX_WEBHOOK_URL is not set. */
export function bitrixNotConfigured(): IntegrationError {
  return new IntegrationError('bitrix', 'not_configured', 'Bitrix24 is not configured: set BITRIX_WEBHOOK_URL to the portal\'s incoming webhook');
}

/** JSON over HTTP to one Bitrix24 webhook: rate limiting, retries, error classification, request counting. */
export class BitrixTransport {
  private readonly logger = new Logger('Bitrix24');
  private readonly bucket: LeakyBucket;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  private baseUrl: string;
  private readonly secret: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly operatingLimitWaitMs: number;
  /** Per method, when its operating time resets, as the last successful answer said (epoch ms). */
  private readonly operatingResets = new Map<string, number>();
  private used = 0;

  constructor(options: BitrixClientOptions) {
    this.baseUrl = options.webhookUrl.replace(/\/+$/, '');
    this.secret = webhookSecret(this.baseUrl);
    // One slot of headroom absorbs the jitter between our clock and the portal's.
    this.bucket = new LeakyBucket(options.requestsPerSecond ?? 2, Math.max(1, (options.burst ?? 50) - 1));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.operatingLimitWaitMs = options.operatingLimitWaitMs ?? 10_000;
  }

  /** HTTP requests sent so far, retries and refused ones included. */
  get requestsUsed(): number {
    return this.used;
  }

  /** False for a client built without BITRIX_WEBHOOK_URL: every request then fails with `not_configured`. */
  get configured(): boolean {
    return this.baseUrl !== '';
  }

  async call<T>(method: string, params: object = {}, options: CallOptions = {}): Promise<BitrixResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt<T>(method, params);
      } catch (error) {
        const failure = this.asIntegrationError(method, error);
        if (!this.shouldRetry(failure, attempt, options)) throw failure;
        const delay = this.backoff(failure, attempt);
        this.logger.warn(`${method}: ${failure.message}; retry ${attempt + 1}/${this.maxRetries} in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  async batch(commands: Record<string, string>, halt: boolean): Promise<BatchOutcome> {
    const response = await this.call<RawBatchResult>('batch', { halt: halt ? 1 : 0, cmd: commands });
    const raw = response.result ?? ({} as RawBatchResult);
    for (const [key, time] of Object.entries(asMap(raw.result_time))) {
      this.noteOperatingReset(methodOf(commands[key]), time as BitrixTime);
    }
    return {
      result: asMap(raw.result),
      errors: asMap(raw.result_error) as Record<string, BitrixSubError>,
      total: asMap(raw.result_total) as Record<string, number>,
      next: asMap(raw.result_next) as Record<string, number>,
    };
  }

  /**
   * Hands a self-authorising download link (disk DOWNLOAD_URL) to `open`, the caller's guarded HTTP client, with the
   * headers the portal expects; the request counts against the leaky bucket like any other.
   */
  async download<T>(url: string, open: (download: DriveDownload) => Promise<T>): Promise<T> {
    this.assertConfigured();
    await this.bucket.take();
    this.used++;
    const portal = new URL(this.baseUrl);
    const headers = { 'user-agent': 'ai-crm-analytics/1.0', accept: '*/*', 'accept-language': 'ru,en', referer: `${portal.origin}/` };
    return open({ url, headers, portalHost: portal.host });
  }

  redact(text: string): string {
    return redactSecret(text, this.secret);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private assertConfigured(): void {
    if (!this.configured) throw bitrixNotConfigured();
  }

  private async attempt<T>(method: string, params: object): Promise<BitrixResponse<T>> {
    this.assertConfigured();
    let response = await this.post(method, params);
    for (let hops = 0; REDIRECT_STATUSES.has(response.statusCode); hops++) {
      await response.body.dump();
      if (hops === MAX_REDIRECTS) throw new IntegrationError('bitrix', 'bad_response', `Bitrix24 ${method}: more than ${MAX_REDIRECTS} redirects`);
      this.moveTo(method, response.headers.location);
      response = await this.post(method, params);
    }
    const text = await response.body.text();
    return this.readEnvelope<T>(method, response.statusCode, text);
  }

  /** POST even after a redirect: an HTTP client that follows a 302 itself would turn the call into a GET. */
  private async post(method: string, params: object) {
    await this.bucket.take();
    this.used++;
    return request(`${this.baseUrl}/${method}`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'ai-crm-analytics/1.0' },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  /**
   * A renamed portal answers the old address with a redirect to the same webhook on its new one. Later calls go
   * straight there; a redirect anywhere else (another webhook, a login page) is refused, so the secret goes nowhere new.
   */
  private moveTo(method: string, location: string | string[] | undefined): void {
    const target = new URL(String(location ?? ''), `${this.baseUrl}/${method}`);
    const webhookPath = new URL(this.baseUrl).pathname.replace(/^.*(\/rest\/)/, '$1');
    const suffix = `${webhookPath}/${method}`;
    if (!/^https?:$/.test(target.protocol) || !target.pathname.endsWith(suffix)) {
      throw new IntegrationError('bitrix', 'bad_response', `Bitrix24 ${method}: redirected to ${target.origin}, which is not this webhook's new address`);
    }
    this.baseUrl = target.origin + target.pathname.slice(0, -`/${method}`.length);
    this.logger.warn(`The Bitrix24 portal moved to ${target.origin}: update BITRIX_WEBHOOK_URL`);
  }

  private readEnvelope<T>(method: string, status: number, text: string): BitrixResponse<T> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const failure = status >= 500 || status === 429 ? 'unavailable' : 'bad_response';
      throw new IntegrationError('bitrix', failure, `Bitrix24 ${method}: HTTP ${status} with a body that is not JSON`);
    }
    if (isErrorEnvelope(body)) throw this.errorFromEnvelope(method, status, body);
    if (status >= 300 || typeof body !== 'object' || body === null || !('result' in body)) {
      throw new IntegrationError('bitrix', status >= 500 ? 'unavailable' : 'bad_response',
        `Bitrix24 ${method}: HTTP ${status} without a result`);
    }
    this.noteOperatingReset(method, (body as BitrixResponse<T>).time);
    return body as BitrixResponse<T>;
  }

  /** A failed `batch` sub-call, classified like a whole request (sub-calls carry no HTTP status). */
  subCallError(method: string, body: BitrixSubError): IntegrationError {
    return this.errorFromEnvelope(method, 200, body);
  }

  backoffFor(error: IntegrationError, attempt: number): number {
    return this.backoff(error, attempt);
  }

  get retryLimit(): number {
    return this.maxRetries;
  }

  private errorFromEnvelope(method: string, status: number, body: BitrixSubError): IntegrationError {
    const code = String(body.error);
    const description = this.redact(String(body.error_description ?? ''));
    const failure = classify(code, status);
    const hint = HINTS[failure] ?? '';
    const retryAfter = code === 'OPERATION_TIME_LIMIT' || status === 429 ? this.operatingWait(method) : undefined;
    return new IntegrationError('bitrix', failure,
      `Bitrix24 ${method} failed: ${code || `HTTP ${status}`}${description ? ` (${description})` : ''}${hint}`, retryAfter);
  }

  private noteOperatingReset(method: string, time: BitrixTime | undefined): void {
    if (typeof time?.operating_reset_at === 'number') this.operatingResets.set(method, time.operating_reset_at * 1000);
  }

  /** Until the method's operating time resets (as far as the portal said), and never less than the least wait. */
  private operatingWait(method: string): number {
    const untilReset = (this.operatingResets.get(method) ?? 0) - Date.now();
    return Math.max(this.operatingLimitWaitMs, Math.min(untilReset, OPERATING_WINDOW_MS));
  }

  private asIntegrationError(method: string, error: unknown): IntegrationError {
    if (error instanceof IntegrationError) return error;
    const err = error as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return new IntegrationError('bitrix', 'timeout', `Bitrix24 ${method}: no answer within ${this.timeoutMs} ms`);
    }
    const code = (err as { code?: string }).code;
    return new IntegrationError('bitrix', 'unavailable',
      `Bitrix24 ${method}: network error ${code ?? ''} ${this.redact(err.message ?? String(error))}`.trim());
  }

  private shouldRetry(error: IntegrationError, attempt: number, options: CallOptions): boolean {
    if (attempt >= this.maxRetries || !error.retryable) return false;
    return options.idempotent !== false || error.failure === 'rate_limited';
  }

  private backoff(error: IntegrationError, attempt: number): number {
    const exponential = this.retryBaseMs * 2 ** attempt;
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
  }
}

const HINTS: Partial<Record<IntegrationFailure, string>> = {
  auth: '; check BITRIX_WEBHOOK_URL (user id and secret) and that the webhook is active',
  scope: '; grant the webhook the scope this method needs',
  not_found: '',
};

function classify(code: string, status: number): IntegrationFailure {
  if (REFUSED_CODES.has(code)) return 'rate_limited';
  if (AUTH_CODES.has(code)) return 'auth';
  if (SCOPE_CODES.has(code)) return 'scope';
  if (NOT_FOUND_CODES.has(code)) return 'not_found';
  if (status === 401) return 'auth';
  if (status === 403) return 'scope';
  if (status === 429 || status === 503) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

function isErrorEnvelope(body: unknown): body is BitrixSubError {
  return typeof body === 'object' && body !== null && 'error' in body && !('result' in body);
}

interface RawBatchResult {
  result: unknown;
  result_error: unknown;
  result_total: unknown;
  result_next: unknown;
  result_time?: unknown;
}

/** The method a batch command calls: `crm.activity.get?id=1` → `crm.activity.get`. */
const methodOf = (command: string | undefined) => (command ?? '').split('?')[0];

/** PHP sends empty maps as `[]` and maps keyed 0..n-1 as arrays. */
function asMap(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, index) => [String(index), item]));
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
