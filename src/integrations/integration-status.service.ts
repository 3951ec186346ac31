import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IntegrationName } from '../common/errors';
import { IntegrationStatus } from './integration-status.entity';

export interface IntegrationHealth {
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  failingSince: string | null;
}

/** Last success and failure of each integration, shared by every instance through PostgreSQL. */
@Injectable()
export class IntegrationStatusService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async recordSuccess(name: IntegrationName): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO integration_status (name, last_success_at, failing_since) VALUES ($1, now(), NULL)
       ON CONFLICT (name) DO UPDATE SET last_success_at = now(), failing_since = NULL, updated_at = now()`,
      [name],
    );
  }

  /** `message` must already be free of secrets (IntegrationError messages are). */
  async recordFailure(name: IntegrationName, message: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO integration_status (name, last_error_at, last_error, failing_since) VALUES ($1, now(), $2, now())
       ON CONFLICT (name) DO UPDATE SET last_error_at = now(), last_error = $2,
         failing_since = coalesce(integration_status.failing_since, now()), updated_at = now()`,
      [name, message.slice(0, 2000)],
    );
  }

  async all(): Promise<Record<string, IntegrationHealth>> {
    const rows = await this.dataSource.getRepository(IntegrationStatus).find();
    const iso = (value: Date | null) => (value ? value.toISOString() : null);
    return Object.fromEntries(
      rows.map((row) => [
        row.name,
        { lastSuccessAt: iso(row.lastSuccessAt), lastErrorAt: iso(row.lastErrorAt), lastError: row.lastError, failingSince: iso(row.failingSince) },
      ]),
    );
  }
}
