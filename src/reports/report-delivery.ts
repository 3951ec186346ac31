import { Injectable, Logger } from '@nestjs/common';
import { IntegrationError } from '../common/errors';
import { formatReportMessage } from '../integrations/telegram/messages';
import { telegramNotConfigured } from '../integrations/telegram/telegram-errors';
import { TelegramNotifier } from '../integrations/telegram/telegram-notifier.port';
import { chartPhotoOf, chartPhotoPng } from './render/chart-photo';
import type { RenderableReport } from './render/report.types';

export interface DeliveryOutcome {
  status: 'sent' | 'failed';
  error: string | null;
  messageIds: number[];
}

/** A report in Telegram: its first chart as a photo, then the HTML text (split when long). Never throws. */
@Injectable()
export class ReportDelivery {
  private readonly logger = new Logger(ReportDelivery.name);

  constructor(private readonly telegram: TelegramNotifier) {}

  messageOf(report: RenderableReport, linksHtml?: string): string {
    return [formatReportMessage(report, { maxRowsPerTable: 20 }), linksHtml].filter(Boolean).join('\n\n');
  }

  async send(report: RenderableReport, linksHtml?: string): Promise<DeliveryOutcome> {
    const messageIds: number[] = [];
    try {
      if (!this.telegram.isConfigured()) throw telegramNotConfigured();
      const photo = chartPhotoOf(report);
      if (photo) messageIds.push(await this.telegram.sendPhoto(chartPhotoPng(photo), photo.captionHtml));
      messageIds.push(...(await this.telegram.sendHtml(this.messageOf(report, linksHtml))));
      return { status: 'sent', error: null, messageIds };
    } catch (error) {
      const reason = error instanceof IntegrationError ? error.message : 'Telegram delivery failed';
      this.logger.warn(`Report "${report.title}" not delivered: ${reason}`);
      return { status: 'failed', error: reason, messageIds };
    }
  }
}
