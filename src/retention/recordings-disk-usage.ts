import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HealthContributors } from '../health/health-contributors';
import { diskUsage, DiskUsage, RECORDINGS_DIR } from './recording-files';

/** A walk over many files is not free: health checks reuse a recent measurement. */
const FRESH_MS = 60_000;

/** Disk used by stored recordings, shown as the `recordings` section of `/api/health`. */
@Injectable()
export class RecordingsDiskUsage implements OnModuleInit {
  private measured?: { usage: DiskUsage; at: number };
  private measuring?: Promise<DiskUsage>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthContributors,
  ) {}

  onModuleInit(): void {
    this.health.register('recordings', () => this.section());
  }

  /** Forget the last measurement after files were removed. */
  invalidate(): void {
    this.measured = undefined;
    this.measuring = undefined;
  }

  async current(): Promise<DiskUsage & { measuredAt: string }> {
    if (!this.measured || Date.now() - this.measured.at >= FRESH_MS) await this.measure();
    return { ...this.measured!.usage, measuredAt: new Date(this.measured!.at).toISOString() };
  }

  private async section(): Promise<Record<string, unknown>> {
    return { ...(await this.current()), directory: RECORDINGS_DIR };
  }

  private async measure(): Promise<void> {
    this.measuring ??= diskUsage(join(this.config.dataDir, RECORDINGS_DIR)).finally(() => (this.measuring = undefined));
    const at = Date.now();
    const usage = await this.measuring;
    this.measured = { usage, at };
  }
}
