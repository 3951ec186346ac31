import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { CallAlertsService } from './call-alerts.service';
import { IntegrationAlertsService } from './integration-alerts.service';
import { NotificationOutbox } from './notification-outbox';

/** Every minute: retry undelivered messages, summarise suppressed alerts, watch failing integrations. */
@Injectable()
export class AlertsScheduler {
  private readonly logger = new Logger(AlertsScheduler.name);
  private running = false;

  constructor(
    private readonly outbox: NotificationOutbox,
    private readonly callAlerts: CallAlertsService,
    private readonly integrationAlerts: IntegrationAlertsService,
  ) {}

  @Cron(CronExpression.EVERY_MINUTE, { name: 'alerts' })
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.outbox.retryDue();
      await this.callAlerts.sendSuppressedSummaries();
      await this.integrationAlerts.check();
    } catch (error) {
      this.logger.error(`Alert housekeeping failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
