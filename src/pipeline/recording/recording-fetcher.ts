import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import type { Call } from '../../calls/entities/call.entity';
import { IntegrationError } from '../../common/errors';
import { StageError } from '../pipeline-errors';
import { BitrixRecordings, DriveDownload } from './bitrix-recordings';
import { Download, GuardedDownloads } from './guarded-downloads';
import { RecordingStore, StoredRecording, tooLarge } from './recording-store';
import { refused, UnsafeUrlError, UrlGuard } from './ssrf-guard';

export type RecordingSource = Pick<Call, 'id' | 'source' | 'recordFileId' | 'recordSourceUrl'>;

/** Brings a call's recording into `DATA_DIR/recordings`. */
export abstract class RecordingFetcher {
  abstract hasSource(call: RecordingSource): boolean;
  abstract fetch(call: RecordingSource): Promise<StoredRecording>;
}

/** Bitrix24 Drive first (`RECORD_FILE_ID`), else the recording URL; both through the guarded downloads, streamed, limited, checked. */
export class HttpRecordingFetcher extends RecordingFetcher {
  private readonly logger = new Logger('Recordings');
  private readonly guard: UrlGuard;
  private readonly downloads: GuardedDownloads;

  constructor(
    private readonly recordings: AppConfig['recordings'],
    private readonly store: RecordingStore,
    private readonly bitrix: BitrixRecordings,
  ) {
    super();
    this.guard = new UrlGuard(recordings.allowedHosts);
    this.downloads = new GuardedDownloads(this.guard, recordings.downloadTimeoutMs);
  }

  hasSource(call: RecordingSource): boolean {
    return Boolean((call.recordFileId && this.bitrix.configured) || call.recordSourceUrl);
  }

  async fetch(call: RecordingSource): Promise<StoredRecording> {
    try {
      if (call.recordFileId && this.bitrix.configured) return await this.fromBitrixDrive(call);
      if (call.recordSourceUrl) return await this.fromUrl(call.id, call.recordSourceUrl);
    } catch (error) {
      // The call keeps the fixed reason; the operator learns the host here, to allow-list it if it is trusted.
      if (error instanceof UnsafeUrlError && error.host) this.logger.warn(`Refused to download the recording of call ${call.id} from ${error.host}`);
      throw error;
    }
    throw new StageError('The call has no recording to download', false);
  }

  private async fromBitrixDrive(call: RecordingSource): Promise<StoredRecording> {
    try {
      return await this.bitrix.open(call.recordFileId!, (link) => this.fromDriveLink(call.id, link));
    } catch (error) {
      const missing = error instanceof IntegrationError && error.failure === 'not_found';
      if (missing && call.recordSourceUrl) return this.fromUrl(call.id, call.recordSourceUrl);
      if (missing) throw new StageError('The recording file is not on the Bitrix24 Drive (disk.file.get: not found)', false);
      throw error;
    }
  }

  /** A Drive link is the portal's own: one that leads to another host is followed only when that host is allow-listed. */
  private async fromDriveLink(callId: number, link: DriveDownload): Promise<StoredRecording> {
    const url = this.guard.check(link.url);
    if (url.host !== link.portalHost && !this.guard.isAllowListed(url)) throw refused(url.hostname);
    const download = await this.downloads.get(url.href, link.headers);
    if (download.statusCode === 404) {
      await download.body.dump();
      throw new IntegrationError('bitrix', 'not_found', 'The Bitrix24 Drive download answered HTTP 404');
    }
    return this.keep(callId, download);
  }

  private async fromUrl(callId: number, raw: string): Promise<StoredRecording> {
    return this.keep(callId, await this.downloads.get(raw));
  }

  private async keep(callId: number, download: Download): Promise<StoredRecording> {
    await assertUsable(download, this.recordings.maxBytes);
    const limits = { maxBytes: this.recordings.maxBytes, timeoutMs: this.recordings.downloadTimeoutMs };
    return this.store.save(callId, download.body, limits, String(download.headers['content-type'] ?? ''));
  }
}

async function assertUsable(download: Download, maxBytes: number): Promise<void> {
  const status = download.statusCode;
  if (status !== 200) {
    await download.body.dump();
    const retryable = status === 408 || status === 429 || status >= 500;
    throw new StageError(`The recording URL at ${download.url.host} answered HTTP ${status}${status === 404 ? ' (not found)' : ''}`, retryable);
  }
  const length = Number(download.headers['content-length']);
  if (Number.isFinite(length) && length > maxBytes) {
    await download.body.dump().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
}
