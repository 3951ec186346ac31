import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AnalyticsModule } from './analytics/analytics.module';
import { CallsModule } from './calls/calls.module';
import { ChatsModule } from './chats/chats.module';
import { ApiTokenGuard } from './common/auth.guard';
import { CrmModule } from './crm/crm.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { loggerParams } from './common/logging';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { EmployeesModule } from './employees/employees.module';
import { HealthModule } from './health/health.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionModule } from './retention/retention.module';
import { SettingsModule } from './settings/settings.module';
import { SyncModule } from './sync/sync.module';
import { TelegramBotModule } from './telegram-bot/telegram-bot.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** The application on a database that is already running and migrated. */
  static register(config: AppConfig): DynamicModule {
    if (!config.database.url) throw new Error('The database URL must be resolved before the application starts');
    return {
      module: AppModule,
      imports: [
        AppConfigModule.register(config),
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        TypeOrmModule.forRoot(dataSourceOptions(config.database.url, config.database.poolSize)),
        ScheduleModule.forRoot(),
        SettingsModule,
        IntegrationsModule,
        PipelineModule,
        EmployeesModule,
        CallsModule,
        SyncModule,
        AnalyticsModule,
        ReportsModule,
        ChatsModule,
        WebhooksModule,
        CrmModule,
        RetentionModule,
        HealthModule,
        TelegramBotModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
