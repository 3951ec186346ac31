import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { IntegrationHealth, IntegrationStatusService } from '../integrations/integration-status.service';
import { IntegrationsDto, IntegrationStateDto, SettingsDto, SyncSettingsViewDto } from './dto/settings.dto';
import { SettingsService } from './settings.service';

const WEBHOOK_HINT = 'Set WEBHOOK_TOKEN (at least 16 characters) and PUBLIC_BASE_URL in the environment to receive call events';

type Integration = keyof IntegrationsDto;
const NEVER_USED: IntegrationHealth = { lastSuccessAt: null, lastErrorAt: null, lastError: null, failingSince: null };

/** The settings as the frontend shows them: stored values plus read-only status, never a secret. */
@Injectable()
export class SettingsView {
  constructor(
    private readonly settings: SettingsService,
    private readonly integrationStatus: IntegrationStatusService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async render(): Promise<SettingsDto> {
    const [{ settings, version }, statuses, lastSync] = await Promise.all([
      this.settings.current(),
      this.integrationStatus.all(),
      this.lastCallSync(),
    ]);
    const updatedAt = await this.settings.versionDate(version);
    const sync: SyncSettingsViewDto = { ...settings.sync, ...lastSync };
    return {
      version,
      updatedAt: updatedAt?.toISOString() ?? null,
      ...settings,
      sync,
      integrations: this.integrations(statuses),
      incomingWebhookUrl: this.incomingWebhookUrl(),
      incomingWebhookHint: this.config.webhookToken ? null : WEBHOOK_HINT,
    };
  }

  private incomingWebhookUrl(): string | null {
    const { webhookToken, publicBaseUrl } = this.config;
    return webhookToken ? `${publicBaseUrl}/api/webhooks/incoming/${webhookToken}` : null;
  }

  private async lastCallSync(): Promise<Pick<SyncSettingsViewDto, 'lastSyncAt' | 'lastSyncStatus'>> {
    const rows = await this.dataSource.query<{ finished_at: Date; status: string }[]>(
      `SELECT finished_at, status FROM sync_runs WHERE kind = 'calls' AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`,
    );
    return { lastSyncAt: rows[0]?.finished_at.toISOString() ?? null, lastSyncStatus: rows[0]?.status ?? null };
  }

  private integrations(statuses: Record<string, IntegrationHealth>): IntegrationsDto {
    const { bitrix, openai, telegram, transcription, webhookToken } = this.config;
    const llmConfigured = Boolean(openai.apiKey || openai.baseURL);
    const state = (name: Integration, configured: boolean, detail?: string) => this.state(statuses[name] ?? NEVER_USED, configured, detail);
    return {
      bitrix: state('bitrix', Boolean(bitrix.webhookUrl), bitrix.webhookUrl ? undefined : 'BITRIX_WEBHOOK_URL is not set'),
      openai: state('openai', llmConfigured, llmConfigured ? `model ${openai.model}` : 'OPENAI_API_KEY is not set: calls stop at transcribed'),
      telegram: state('telegram', Boolean(telegram.botToken && telegram.chatId), telegram.botToken && telegram.chatId ? undefined : 'TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are not set'),
      transcription: state('transcription', true, `${transcription.backend} (${transcription.model})`),
      incomingWebhook: state('incomingWebhook', Boolean(webhookToken), webhookToken ? undefined : 'WEBHOOK_TOKEN is not set'),
    };
  }

  private state(health: IntegrationHealth, configured: boolean, detail?: string): IntegrationStateDto {
    const reachable = health.failingSince ? false : health.lastSuccessAt ? true : null;
    return { configured, reachable, ...(detail ? { detail } : {}), ...health, lastError: this.withoutSecrets(health.lastError) };
  }

  /** Status messages are written without secrets; this is the second line of defence. */
  private withoutSecrets(text: string | null): string | null {
    if (!text) return text;
    const secrets = [
      this.config.bitrix.webhookUrl,
      this.config.bitrix.appToken,
      this.config.openai.apiKey,
      this.config.telegram.botToken,
      this.config.transcription.apiKey,
      this.config.apiToken,
      this.config.webhookToken,
    ].filter((secret): secret is string => Boolean(secret && secret.length >= 8));
    return secrets.reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), text);
  }
}
