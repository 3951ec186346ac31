import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RetentionService } from './retention.service';

@Injectable()
export class RetentionScheduler {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Nightly; API-only processes leave jobs to the workers. */
  @Cron('0 30 3 * * *', { name: 'retention' })
  async nightly(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.retention.run().catch((error: Error) => this.logger.error(`Retention run failed: ${error.message}`));
  }
}
