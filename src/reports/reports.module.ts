import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { DigestScheduler } from './digest.scheduler';
import { DigestService } from './digest.service';
import { ReportBuilder } from './report-builder';
import { ReportDelivery } from './report-delivery';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Reports, their Telegram delivery and the scheduled digests; brings the call and integration alerts along. */
@Module({
  imports: [AnalyticsModule, AlertsModule],
  controllers: [ReportsController],
  providers: [ReportBuilder, ReportDelivery, ReportsService, DigestService, DigestScheduler],
  exports: [ReportsService],
})
export class ReportsModule {}
