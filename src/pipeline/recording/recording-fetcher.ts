import { Agent, request } from 'undici';
import type { AppConfig } from '../../config/app-config';
import type { Call } from '../../calls/entities/call.entity';
import { IntegrationError } from '../../common/errors';
import { StageError } from '../pipeline-errors';
import { BitrixRecordings } from './bitrix-recordings';
import { RecordingStore, StoredRecording, tooLarge } from './recording-store';
import { UnsafeUrlError, UrlGuard } from './ssrf-guard';

export type RecordingSource = Pick<Call, 'id' | 'source' | 'recordFileId' | 'recordSourceUrl'>;

/** Brings a call's recording into `DATA_DIR/recordings`. */
export abstract class RecordingFetcher {
  abstract hasSource(call: RecordingSource): boolean;
  abstract fetch(call: RecordingSource): Promise<StoredRecording>;
}

const MAX_REDIRECTS = 5;

/** Bitrix24 Drive first (`RECORD_FILE_ID`), else the recording URL; streamed, limited, checked. */
export class HttpRecordingFetcher extends RecordingFetcher {
  private readonly guard: UrlGuard;

  constructor(
    private readonly recordings: AppConfig['recordings'],
    private readonly store: RecordingStore,
    private readonly bitrix: BitrixRecordings,
  ) {
    super();
    const portal = bitrix.portalHost();
    this.guard = new UrlGuard([...recordings.allowedHosts, ...(portal ? [portal] : [])]);
  }

  hasSource(call: RecordingSource): boolean {
    return Boolean((call.recordFileId && this.bitrix.configured) || call.recordSourceUrl);
  }

  async fetch(call: RecordingSource): Promise<StoredRecording> {
    if (call.recordFileId && this.bitrix.configured) return this.fromBitrixDrive(call);
    if (call.recordSourceUrl) return this.fromUrl(call.id, call.recordSourceUrl);
    throw new StageError('The call has no recording to download', false);
  }

  private async fromBitrixDrive(call: RecordingSource): Promise<StoredRecording> {
    try {
      const file = await this.bitrix.open(call.recordFileId!);
      return await this.store.save(call.id, file.body, this.limits(), file.contentType);
    } catch (error) {
      const missing = error instanceof IntegrationError && error.failure === 'not_found';
      if (missing && call.recordSourceUrl) return this.fromUrl(call.id, call.recordSourceUrl);
      if (missing) throw new StageError('The recording file is not on the Bitrix24 Drive (disk.file.get: not found)', false);
      throw error;
    }
  }

  private async fromUrl(callId: number, raw: string): Promise<StoredRecording> {
    let url = this.guard.check(raw);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const agent = new Agent({ connect: { lookup: this.guard.lookupFor(url) } });
      try {
        const response = await this.get(url, agent);
        const location = response.headers.location;
        if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
          await response.body.dump();
          url = this.guard.check(new URL(location, url).toString());
          continue;
        }
        await assertUsable(response, this.recordings.maxBytes, url);
        return await this.store.save(callId, response.body, this.limits(), String(response.headers['content-type'] ?? ''));
      } finally {
        void agent.close();
      }
    }
    throw new StageError(`The recording URL at ${url.host} redirected more than ${MAX_REDIRECTS} times`, false);
  }

  private async get(url: URL, agent: Agent) {
    try {
      return await request(url, {
        dispatcher: agent,
        headers: { 'user-agent': 'ai-crm-analytics/1.0', accept: 'audio/*, */*;q=0.5' },
        headersTimeout: Math.min(60_000, this.recordings.downloadTimeoutMs),
        bodyTimeout: Math.min(60_000, this.recordings.downloadTimeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof UnsafeUrlError) throw cause;
      if (error instanceof UnsafeUrlError) throw error;
      const code = (error as { code?: string }).code ?? (error as Error).name;
      throw new StageError(`The recording host ${url.host} could not be reached (${code})`, true);
    }
  }

  private limits() {
    return { maxBytes: this.recordings.maxBytes, timeoutMs: this.recordings.downloadTimeoutMs };
  }
}

type Response = Awaited<ReturnType<typeof request>>;

async function assertUsable(response: Response, maxBytes: number, url: URL): Promise<void> {
  const status = response.statusCode;
  if (status !== 200) {
    await response.body.dump();
    const retryable = status === 408 || status === 429 || status >= 500;
    throw new StageError(`The recording URL at ${url.host} answered HTTP ${status}${status === 404 ? ' (not found)' : ''}`, retryable);
  }
  const length = Number(response.headers['content-length']);
  if (Number.isFinite(length) && length > maxBytes) {
    await response.body.dump().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
}
