import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { carriesApiToken, Public } from '../common/auth.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { IntegrationStatusService } from '../integrations/integration-status.service';
import { HealthContributors } from './health-contributors';

export interface IntegrationState {
  configured: boolean;
  detail?: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly contributors: HealthContributors,
    private readonly integrationStatus: IntegrationStatusService,
  ) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Service status; the details (database, queue, last sync, disk use, integrations) with the API token',
    description: 'Without the token only `{status}` is answered, which is what a load balancer needs. '
      + 'When API_TOKEN is not set the whole API is open, and so are the details.',
  })
  @ApiResponse({ status: 200, description: 'The service works; with the token, integrations and sections are reported in the body' })
  @ApiResponse({ status: 503, description: 'The database is unreachable' })
  async check(@Req() request: Request, @Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const result = await this.health
      .check([() => this.database.pingCheck('database', { timeout: 3000 })])
      .catch((error: { response?: Record<string, unknown> }) => {
        res.status(503);
        return error.response ?? { status: 'error' };
      });
    if (!this.showsDetails(request)) return { status: result.status };
    const [sections, statuses] = await Promise.all([this.contributors.collect(), this.integrationStatus.all().catch(() => ({}))]);
    const integrations = Object.fromEntries(
      Object.entries(this.integrations()).map(([name, state]) => [name, { ...state, ...(statuses as Record<string, object>)[name] }]),
    );
    return { ...result, integrations, ...sections };
  }

  /** Host, counts, last sync and disk use are for token holders; in the open local mode everyone is one. */
  private showsDetails(request: Request): boolean {
    return !this.config.apiToken || carriesApiToken(request, this.config.apiToken);
  }

  private integrations(): Record<string, IntegrationState> {
    const { bitrix, openai, telegram, transcription } = this.config;
    return {
      bitrix: { configured: Boolean(bitrix.webhookUrl) },
      openai: { configured: Boolean(openai.apiKey || openai.baseURL), detail: openai.apiKey || openai.baseURL ? `model ${openai.model}` : 'OPENAI_API_KEY is not set: calls stop at transcribed' },
      telegram: { configured: Boolean(telegram.botToken && telegram.chatId) },
      transcription: { configured: true, detail: `${transcription.backend} (${transcription.model})` },
      incomingWebhook: { configured: Boolean(this.config.webhookToken) },
    };
  }
}
