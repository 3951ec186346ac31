import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { WebhookEventProcessor } from './webhook-event.processor';

/** Every minute: events whose work failed (after their back-off) or whose process died are tried again. */
@Injectable()
export class WebhooksScheduler {
  private readonly logger = new Logger('IncomingWebhook');
  private running = false;

  constructor(
    private readonly processor: WebhookEventProcessor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_MINUTE, { name: 'webhook-events' })
  async tick(): Promise<void> {
    if (this.running || this.config.role === 'worker') return;
    this.running = true;
    try {
      const done = await this.processor.sweep();
      if (done) this.logger.log(`Pending-event sweep: ${done} event(s) tried again`);
    } catch (error) {
      this.logger.error(`Pending-event sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
