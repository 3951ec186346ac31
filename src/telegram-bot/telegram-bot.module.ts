import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ReportsModule } from '../reports/reports.module';
import { BOT_POLLING_TIMES, BotPolling, DEFAULT_BOT_POLLING_TIMES } from './bot-polling';
import { BotQuery } from './bot.query';
import { TelegramBotService } from './telegram-bot.service';
import { TelegramWebhookController } from './telegram-webhook.controller';

/** The Telegram bot: commands answered by long polling (one instance at a time) or through the webhook. */
@Module({
  imports: [AnalyticsModule, ReportsModule],
  controllers: [TelegramWebhookController],
  providers: [BotQuery, TelegramBotService, BotPolling, { provide: BOT_POLLING_TIMES, useValue: DEFAULT_BOT_POLLING_TIMES }],
})
export class TelegramBotModule {}
