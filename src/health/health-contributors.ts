import { Injectable } from '@nestjs/common';

export type HealthContributor = () => Promise<Record<string, unknown>>;

/** Modules add their own section to `/api/health` (queue counts, last sync run, disk use…). */
@Injectable()
export class HealthContributors {
  private readonly contributors = new Map<string, HealthContributor>();

  register(name: string, contributor: HealthContributor): void {
    this.contributors.set(name, contributor);
  }

  /** Each section, or `{error}` for one that failed: a broken section never fails the health check. */
  async collect(): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      [...this.contributors].map(async ([name, contributor]) => [name, await contributor().catch((error: Error) => ({ error: error.message }))] as const),
    );
    return Object.fromEntries(entries);
  }
}
