import { Injectable, Logger } from '@nestjs/common';
import { NotificationOutbox } from '../alerts/notification-outbox';
import { TelegramNotifier } from '../integrations/telegram/telegram-notifier.port';
import { SettingsService } from '../settings/settings.service';
import { DueDigest, dueDigests } from './digest-schedule';
import type { GenerateReportDto } from './dto/report.dto';
import { chartPhotoOf } from './render/chart-photo';
import { ReportDelivery } from './report-delivery';
import { renderableOf, ReportsService } from './reports.service';

/** Sends each due digest once, however many instances ask: the `digest:<kind>:<day>` notification is the claim. */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    private readonly settings: SettingsService,
    private readonly reports: ReportsService,
    private readonly delivery: ReportDelivery,
    private readonly outbox: NotificationOutbox,
    private readonly telegram: TelegramNotifier,
  ) {}

  /** Returns the digests this call sent (or tried to send). */
  async runDue(now = new Date()): Promise<DueDigest[]> {
    if (!this.telegram.isConfigured()) return [];
    const { reports, timeZone } = await this.settings.get();
    const handled: DueDigest[] = [];
    for (const digest of dueDigests(now, reports, timeZone)) {
      const claim = await this.outbox.add({ kind: 'digest', dedupeKey: `digest:${digest.kind}:${digest.day}`, payload: { ...digest } });
      if (!claim) continue;
      await this.send(claim.id, digest, now);
      handled.push(digest);
    }
    return handled;
  }

  private async send(notificationId: number, digest: DueDigest, now: Date): Promise<void> {
    try {
      const params = { from: digest.from, to: digest.to, send: true } as GenerateReportDto;
      const report = await this.reports.generate('digest', params, now);
      const stored = (report.data as { linksHtml?: string }).linksHtml;
      const renderable = renderableOf(report);
      const html = this.delivery.messageOf(renderable, stored);
      const retry = { html, reportId: report.id, photo: chartPhotoOf(renderable) ?? null };
      await this.outbox.complete(notificationId, report.delivery.status === 'sent' ? 'sent' : 'failed', report.delivery.error, retry);
    } catch (error) {
      this.logger.error(`The ${digest.kind} digest of ${digest.day} failed: ${(error as Error).message}`);
      await this.outbox.record(notificationId, 'failed', (error as Error).message).catch(() => undefined);
    }
  }
}
