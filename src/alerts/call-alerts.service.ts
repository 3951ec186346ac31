import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LOCK_KEYS } from '../database/advisory-locks';
import { Locale, localeOf } from '../i18n/locale';
import { escapeHtml } from '../integrations/telegram/html';
import { CallAlert, formatCallAlert } from '../integrations/telegram/messages';
import { AnalysedEvent, AnalysisEvents } from '../pipeline/analysis-events';
import { SettingsService } from '../settings/settings.service';
import type { RiskLevel, Settings } from '../settings/settings.types';
import { NotificationOutbox } from './notification-outbox';

export const RISK_ORDER: Record<RiskLevel, number> = { low: 1, medium: 2, high: 3 };
const MAX_REASONS = 5;

interface AnalysedCall {
  kind: 'call' | 'chat';
  callId: number;
  startedAt: Date;
  managerName: string | null;
  clientPhone: string | null;
  score: number | null;
  riskLevel: RiskLevel | null;
  conflictReasons: string[] | null;
  failedChecks: string[] | null;
  summary: string | null;
  clientName: string | null;
  channel: string | null;
}

/** A Telegram alert for each newly analysed call or chat at or above the alert risk level, at most `maxPerHour` an hour. */
@Injectable()
export class CallAlertsService implements OnModuleInit {
  private readonly logger = new Logger(CallAlertsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: AnalysisEvents,
    private readonly settings: SettingsService,
    private readonly outbox: NotificationOutbox,
  ) {}

  onModuleInit(): void {
    this.events.onAnalysed('call-alerts', (event) => this.onAnalysed(event));
  }

  /** Idempotent: the dedupe key per analysis makes a republished event send nothing twice. */
  async onAnalysed(event: AnalysedEvent): Promise<void> {
    const settings = await this.settings.get();
    if (!settings.alerts.enabled) return;
    const call = await this.loadSubject(event);
    if (!call?.riskLevel || RISK_ORDER[call.riskLevel] < RISK_ORDER[settings.alerts.minRiskLevel]) return;
    const locale = localeOf(settings.analysis.language);
    const html = formatCallAlert(this.alertOf(call, settings, locale), locale);
    const row = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.alertCap]);
      const [{ sent }] = await manager.query(
        `SELECT count(*)::int AS sent FROM notifications
          WHERE kind = 'call-alert' AND status <> 'suppressed' AND created_at >= date_trunc('hour', now())`,
      );
      const status = sent >= settings.alerts.maxPerHour ? 'suppressed' : 'pending';
      const payload = { [`${event.kind}Id`]: call.callId };
      return this.outbox.add({ kind: 'call-alert', dedupeKey: `call-alert:${event.analysisId}`, html, status, payload }, manager);
    });
    if (row?.attempts) await this.outbox.deliver(row);
  }

  /** One "N more alerts suppressed" message for each finished hour that had suppressed alerts. */
  async sendSuppressedSummaries(): Promise<void> {
    const hours: { hour: Date; count: number }[] = await this.dataSource.query(
      `SELECT date_trunc('hour', created_at) AS hour, count(*)::int AS count FROM notifications
        WHERE kind = 'call-alert' AND status = 'suppressed'
          AND created_at >= now() - interval '1 day' AND created_at < date_trunc('hour', now())
        GROUP BY 1 ORDER BY 1`,
    );
    const { timeZone, alerts, analysis } = await this.settings.get();
    const locale = localeOf(analysis.language);
    for (const { hour, count } of hours) {
      const html = suppressedSummary(count, alerts.maxPerHour, locale.format.dateTime(hour, timeZone), locale);
      const row = await this.outbox.add({ kind: 'alert-summary', dedupeKey: `alert-summary:${hour.toISOString()}`, html });
      if (row) await this.outbox.deliver(row);
    }
  }

  private async loadSubject(event: AnalysedEvent): Promise<AnalysedCall | undefined> {
    const chat = event.kind === 'chat';
    const rows: AnalysedCall[] = await this.dataSource.query(
      `SELECT $2::text AS kind, c.id AS "callId", c.started_at AS "startedAt", coalesce(e.name, c.manager_name) AS "managerName",
              ${chat ? 'NULL' : 'c.client_phone'} AS "clientPhone", ${chat ? 'c.client_name' : 'NULL'} AS "clientName",
              ${chat ? 'c.channel' : 'NULL'} AS channel, a.score_overall AS score, a.risk_level AS "riskLevel",
              CASE WHEN jsonb_typeof(a.result #> '{conflict,reasons}') = 'array'
                   THEN ARRAY(SELECT jsonb_array_elements_text(a.result #> '{conflict,reasons}')) END AS "conflictReasons",
              CASE WHEN jsonb_typeof(a.result -> 'checklist') = 'array'
                   THEN ARRAY(SELECT v ->> 'title' FROM jsonb_array_elements(a.result -> 'checklist') v
                               WHERE v -> 'passed' = 'false'::jsonb AND coalesce(v -> 'counted', 'true'::jsonb) = 'true'::jsonb) END AS "failedChecks",
              a.result ->> 'summary' AS summary
         FROM analyses a JOIN ${chat ? 'chats c ON c.id = a.chat_id' : 'calls c ON c.id = a.call_id'}
              LEFT JOIN employees e ON e.id = c.employee_id
        WHERE a.id = $1`,
      [event.analysisId, event.kind],
    );
    return rows[0];
  }

  private alertOf(call: AnalysedCall, settings: Settings, locale: Locale): CallAlert {
    const failed = (call.failedChecks ?? []).map((title) => locale.text.notDone(title));
    return {
      kind: call.kind,
      callId: call.callId,
      callUrl: `${this.config.frontendUrl}/${call.kind}s/${call.callId}`,
      score: call.score,
      riskLevel: call.riskLevel!,
      managerName: call.managerName,
      clientPhone: call.clientPhone,
      reasons: [...(call.conflictReasons ?? []), ...failed].slice(0, MAX_REASONS),
      summary: call.summary,
      startedAt: new Date(call.startedAt),
      timeZone: settings.timeZone,
      clientName: call.clientName,
      channel: call.channel,
    };
  }
}

function suppressedSummary(count: number, cap: number, hour: string, locale: Locale): string {
  return locale.text.alerts.suppressed(locale.format, count, cap, escapeHtml(hour));
}
