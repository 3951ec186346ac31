import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { BitrixClient } from './bitrix.client';

/**
 * The one Bitrix24 client of the process, built from BITRIX_WEBHOOK_URL. Without it the client still exists,
 * `configured` is false, and every call fails with a `not_configured` IntegrationError (503 over HTTP).
 */
@Global()
@Module({
  providers: [
    {
      provide: BitrixClient,
      inject: [APP_CONFIG],
      useFactory: ({ bitrix }: AppConfig) =>
        new BitrixClient({ webhookUrl: bitrix.webhookUrl ?? '', requestsPerSecond: bitrix.requestsPerSecond, burst: bitrix.burst }),
    },
  ],
  exports: [BitrixClient],
})
export class BitrixModule implements OnApplicationShutdown {
  constructor(@Inject(BitrixClient) private readonly client: BitrixClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
