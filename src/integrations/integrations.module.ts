import { Global, Module } from '@nestjs/common';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallAnalyzer } from './analysis/call-analyzer.port';
import { OpenAICallAnalyzer } from './analysis/openai-call-analyzer';
import { IntegrationStatusService } from './integration-status.service';
import { TelegrafBotApi } from './telegram/telegraf-bot-api';
import { TelegrafNotifier } from './telegram/telegraf-notifier';
import { TelegramBotApi } from './telegram/telegram-bot-api.port';
import { TelegramNotifier } from './telegram/telegram-notifier.port';
import { PythonTranscriber } from './transcription/python-transcriber';
import { Transcriber } from './transcription/transcriber.port';

/** Every external system behind its port; the adapters are configured from the environment once. */
@Global()
@Module({
  providers: [
    IntegrationStatusService,
    {
      provide: Transcriber,
      inject: [APP_CONFIG],
      useFactory: ({ transcription }: AppConfig) =>
        new PythonTranscriber({
          pythonPath: transcription.pythonPath,
          scriptPath: join(projectRoot(), 'python', 'transcribe.py'),
          poolSize: transcription.workers,
          backend: transcription.backend,
          model: transcription.model,
          baseUrl: transcription.baseUrl,
          apiKey: transcription.apiKey,
          uploadFormat: transcription.uploadFormat,
          maxUploadMb: transcription.maxUploadMb,
          baseTimeoutMs: 60_000,
          timeoutPerAudioSecondMs: 2_000,
        }),
    },
    {
      provide: CallAnalyzer,
      inject: [APP_CONFIG],
      useFactory: ({ openai }: AppConfig) =>
        new OpenAICallAnalyzer({ apiKey: openai.apiKey, baseURL: openai.baseURL, model: openai.model, timeoutMs: 120_000, maxRetries: 3 }),
    },
    {
      provide: TelegramNotifier,
      inject: [APP_CONFIG],
      useFactory: ({ telegram }: AppConfig) =>
        new TelegrafNotifier({ botToken: telegram.botToken, chatId: telegram.chatId, apiRoot: telegram.apiRoot, maxRetries: 3, retryBaseMs: 1_000 }),
    },
    {
      provide: TelegramBotApi,
      inject: [APP_CONFIG],
      useFactory: ({ telegram }: AppConfig) => new TelegrafBotApi({ botToken: telegram.botToken, apiRoot: telegram.apiRoot, maxRetries: 3, retryBaseMs: 1_000 }),
    },
  ],
  exports: [IntegrationStatusService, Transcriber, CallAnalyzer, TelegramNotifier, TelegramBotApi],
})
export class IntegrationsModule {}
