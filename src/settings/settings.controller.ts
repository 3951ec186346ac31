import { Body, Controller, Get, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestActor } from '../common/auth.guard';
import { SettingsHistoryDto, SettingsHistoryQuery } from './dto/settings-history.dto';
import { SettingsDto, UpdateSettingsDto } from './dto/settings.dto';
import { SettingsService } from './settings.service';
import { SettingsView } from './settings-view';

@ApiTags('settings')
@Controller('settings')
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    private readonly view: SettingsView,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Settings in force, integration status and the incoming webhook URL' })
  @ApiOkResponse({ type: SettingsDto })
  read(): Promise<SettingsDto> {
    return this.view.render();
  }

  @Post()
  @ApiOperation({ summary: 'Change some settings', description: 'Only the keys sent change; nested groups merge; lists are replaced whole. Applied without restart.' })
  @ApiOkResponse({ type: SettingsDto, description: 'The settings now in force' })
  @ApiResponse({ status: 400, description: 'A field is unknown, read-only or invalid; the message names it and nothing is saved' })
  create(@Body() patch: UpdateSettingsDto, @Req() request: Request): Promise<SettingsDto> {
    return this.change(patch, request);
  }

  @Patch()
  @ApiOperation({ summary: 'Change some settings (same as POST)' })
  @ApiOkResponse({ type: SettingsDto, description: 'The settings now in force' })
  @ApiResponse({ status: 400, description: 'A field is unknown, read-only or invalid; the message names it and nothing is saved' })
  update(@Body() patch: UpdateSettingsDto, @Req() request: Request): Promise<SettingsDto> {
    return this.change(patch, request);
  }

  @Get('history')
  @ApiOperation({ summary: 'Earlier versions of the settings, newest first, with who changed what' })
  @ApiOkResponse({ type: SettingsHistoryDto })
  async history(@Query() query: SettingsHistoryQuery): Promise<SettingsHistoryDto> {
    const { items, total } = await this.settings.history(query.page, query.pageSize);
    return {
      items: items.map((row) => ({ version: row.id, createdAt: row.createdAt.toISOString(), actor: row.actor, changedKeys: row.changedKeys, values: { ...row.values } })),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  }

  private async change(patch: UpdateSettingsDto, request: Request): Promise<SettingsDto> {
    await this.settings.update(patch, requestActor(request));
    return this.view.render();
  }
}
