import { Body, Controller, Headers, HttpCode, Inject, Logger, NotFoundException, OnApplicationBootstrap, OnApplicationShutdown, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth.guard';
import { BackgroundWork } from '../common/background-work';
import { safeEqual } from '../common/safe-equal';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TelegramBotApi, type TelegramUpdate } from '../integrations/telegram/telegram-bot-api.port';
import { TelegramBotService } from './telegram-bot.service';

export class TelegramWebhookReplyDto {
  /** @example true */
  ok: boolean;
}

export const WEBHOOK_PATH = 'telegram/webhook';

/**
 * Webhook mode: Telegram POSTs each update here with the secret set at start in a header. The answer goes out
 * at once; the command is handled after it (Telegram would repeat an update it waited too long for).
 */
@ApiTags('telegram')
@Controller('telegram')
export class TelegramWebhookController implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TelegramWebhookController.name);
  private readonly background = new BackgroundWork();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly api: TelegramBotApi,
    private readonly bot: TelegramBotService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.active || this.config.role === 'worker') return;
    const url = `${this.config.publicBaseUrl}/api/${WEBHOOK_PATH}`;
    try {
      await this.api.setWebhook(url, this.config.telegram.bot.webhookSecret!);
      await this.bot.registerCommands();
      this.logger.log(`Telegram sends bot commands to ${url}`);
    } catch (error) {
      this.logger.error(`Could not set the Telegram webhook to ${url}: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.background.settled();
  }

  @Public()
  @Post('webhook')
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a bot update from Telegram (webhook mode)' })
  @ApiHeader({ name: 'X-Telegram-Bot-Api-Secret-Token', required: true, description: 'TELEGRAM_WEBHOOK_SECRET, as set with setWebhook' })
  @ApiBody({ schema: { type: 'object', description: 'A Telegram Update', additionalProperties: true } })
  @ApiOkResponse({ type: TelegramWebhookReplyDto })
  @ApiResponse({ status: 404, description: 'Webhook mode is off, or the secret does not match (no detail)' })
  receive(@Headers('x-telegram-bot-api-secret-token') secret: string | undefined, @Body() update: TelegramUpdate): TelegramWebhookReplyDto {
    if (!this.active || !secret || !safeEqual(secret, this.config.telegram.bot.webhookSecret!)) throw new NotFoundException();
    void this.background.add(this.bot.handle(update));
    return { ok: true };
  }

  private get active(): boolean {
    return this.config.telegram.bot.mode === 'webhook' && this.api.isConfigured();
  }
}
