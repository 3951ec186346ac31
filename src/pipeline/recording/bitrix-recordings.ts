import { IntegrationError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { BitrixClient } from '../../integrations/bitrix/bitrix.client';

export interface RecordingStream {
  contentType: string;
  body: NodeJS.ReadableStream;
}

/** Recordings kept on the Bitrix24 Drive (`RECORD_FILE_ID`). The secret-bearing download link never leaves the adapter. */
export abstract class BitrixRecordings {
  abstract get configured(): boolean;
  /** The portal's host: its own `CALL_RECORD_URL` links are trusted like the webhook. */
  abstract portalHost(): string | null;
  abstract open(fileId: number): Promise<RecordingStream>;
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

  portalHost(): string | null {
    return this.bitrix.webhookUrl ? new URL(this.bitrix.webhookUrl).host.toLowerCase() : null;
  }

  async open(fileId: number): Promise<RecordingStream> {
    const file = await this.bitrixClient().downloadFile(fileId);
    return { contentType: file.contentType, body: file.body };
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
