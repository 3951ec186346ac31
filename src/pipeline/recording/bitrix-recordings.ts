import { IntegrationError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { BitrixClient, type DriveDownload } from '../../integrations/bitrix/bitrix.client';

export type { DriveDownload } from '../../integrations/bitrix/bitrix.client';

/** Recordings kept on the Bitrix24 Drive (`RECORD_FILE_ID`). */
export abstract class BitrixRecordings {
  abstract get configured(): boolean;
  /** Hands the file's download link to `download`, the guarded fetcher; the secret-bearing link goes nowhere else. */
  abstract open<T>(fileId: number, download: (link: DriveDownload) => Promise<T>): Promise<T>;
}

/** `disk.file.get` → `DOWNLOAD_URL` through our Bitrix24 client. */
export class BitrixClientRecordings extends BitrixRecordings {
  private client?: BitrixClient;

  constructor(private readonly bitrix: AppConfig['bitrix'], private readonly timeoutMs: number) {
    super();
  }

  get configured(): boolean {
    return Boolean(this.bitrix.webhookUrl);
  }

  open<T>(fileId: number, download: (link: DriveDownload) => Promise<T>): Promise<T> {
    return this.bitrixClient().downloadFile(fileId, download);
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  private bitrixClient(): BitrixClient {
    if (!this.bitrix.webhookUrl) throw new IntegrationError('bitrix', 'not_configured', 'Bitrix24 is not configured (BITRIX_WEBHOOK_URL)');
    this.client ??= new BitrixClient({
      webhookUrl: this.bitrix.webhookUrl,
      requestsPerSecond: this.bitrix.requestsPerSecond,
      burst: this.bitrix.burst,
      timeoutMs: this.timeoutMs,
      maxRetries: 2,
    });
    return this.client;
  }
}
