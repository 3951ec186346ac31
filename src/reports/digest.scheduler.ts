import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DigestService } from './digest.service';

/** Every minute: is a digest due and not yet sent? */
@Injectable()
export class DigestScheduler {
  private readonly logger = new Logger(DigestScheduler.name);

  constructor(private readonly digests: DigestService) {}

  @Cron(CronExpression.EVERY_MINUTE, { name: 'digests' })
  async tick(): Promise<void> {
    await this.digests.runDue().catch((error: Error) => this.logger.error(`Digest check failed: ${error.message}`));
  }
}
