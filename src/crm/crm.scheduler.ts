import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { CrmWriteBack } from './crm-write-back.service';

/** Every minute: CRM comments that failed are sent again after their back-off. */
@Injectable()
export class CrmScheduler {
  private readonly logger = new Logger('CrmWriteBack');
  private running = false;

  constructor(private readonly writeBack: CrmWriteBack) {}

  @Cron(CronExpression.EVERY_MINUTE, { name: 'crm-write-back' })
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const sent = await this.writeBack.retryDue();
      if (sent) this.logger.log(`${sent} CRM comment(s) sent on retry`);
    } catch (error) {
      this.logger.error(`CRM write-back sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
