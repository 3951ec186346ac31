import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IntegrationName } from '../common/errors';
import { Locale, localeOf } from '../i18n/locale';
import { formatIntegrationAlert } from '../integrations/telegram/messages';
import { SettingsService } from '../settings/settings.service';
import { NotificationOutbox } from './notification-outbox';

const WATCHED: IntegrationName[] = ['bitrix', 'openai', 'transcription'];
/** Errors that will not heal by themselves (a revoked webhook, a wrong key): alert at once. */
const AUTH_FAILURE = /\b(401|403)\b|unauthori[sz]ed|forbidden|revoked|expired|invalid[_ ](token|api[_ ]key|webhook|grant)|access[_ ]denied|insufficient[_ ]scope/i;

interface FailingIntegration {
  name: IntegrationName;
  failingSince: Date;
  lastError: string | null;
}

/** One alert per failure episode of Bitrix24, the LLM or the recogniser: after an hour of failures, or at once for an auth failure. */
@Injectable()
export class IntegrationAlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly outbox: NotificationOutbox,
  ) {}

  async check(): Promise<number> {
    const failing: FailingIntegration[] = await this.dataSource.query(
      `SELECT name, failing_since AS "failingSince", last_error AS "lastError" FROM integration_status
        WHERE failing_since IS NOT NULL AND name = ANY($1)`,
      [WATCHED],
    );
    const { timeZone, analysis } = await this.settings.get();
    const locale = localeOf(analysis.language);
    let sent = 0;
    for (const integration of failing.filter((candidate) => isAlarming(candidate, Date.now()))) {
      const alert = { integration: integration.name, problem: problemOf(integration, locale), since: integration.failingSince, timeZone };
      const html = formatIntegrationAlert(alert, locale);
      const dedupeKey = `integration-alert:${integration.name}:${integration.failingSince.getTime()}`;
      const row = await this.outbox.add({ kind: 'integration-alert', dedupeKey, html });
      if (row && (await this.outbox.deliver(row))) sent++;
    }
    return sent;
  }
}

function isAlarming(integration: FailingIntegration, now: number): boolean {
  return now - integration.failingSince.getTime() >= 3_600_000 || AUTH_FAILURE.test(integration.lastError ?? '');
}

function problemOf(integration: FailingIntegration, { text }: Locale): string {
  const error = integration.lastError ?? text.alerts.everyAttemptFails;
  return `${error}. ${AUTH_FAILURE.test(error) ? text.alerts.accessRefused : text.alerts.failingForAnHour}`;
}
