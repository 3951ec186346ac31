import { Module } from '@nestjs/common';
import { AlertsScheduler } from './alerts.scheduler';
import { CallAlertsService } from './call-alerts.service';
import { IntegrationAlertsService } from './integration-alerts.service';
import { NotificationOutbox } from './notification-outbox';

@Module({
  providers: [NotificationOutbox, CallAlertsService, IntegrationAlertsService, AlertsScheduler],
  exports: [NotificationOutbox],
})
export class AlertsModule {}
