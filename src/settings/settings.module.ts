import { Global, Module } from '@nestjs/common';
import { SettingsController } from './settings.controller';
import { SettingsService } from './settings.service';
import { SettingsView } from './settings-view';

@Global()
@Module({ controllers: [SettingsController], providers: [SettingsService, SettingsView], exports: [SettingsService] })
export class SettingsModule {}
