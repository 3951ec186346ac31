import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SettingsVersion } from './settings-version.entity';
import { defaultSettings } from './settings.defaults';
import { Settings } from './settings.types';

const SEED_LOCK_KEY = 727_002;
/** Other instances see a change within this time. */
const CACHE_MS = 2_000;

export type SettingsPatch = { [K in keyof Settings]?: Settings[K] extends object ? Partial<Settings[K]> : Settings[K] };

/** The one way every module reads and changes settings. Defaults live in code; PostgreSQL holds changes. */
@Injectable()
export class SettingsService implements OnModuleInit {
  private readonly logger = new Logger(SettingsService.name);
  private cached?: { settings: Settings; version: number; at: number };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seedFromEnvironment();
  }

  async get(): Promise<Settings> {
    return (await this.current()).settings;
  }

  async current(): Promise<{ settings: Settings; version: number }> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached;
    const latest = await this.dataSource.getRepository(SettingsVersion).find({ order: { id: 'DESC' }, take: 1 });
    const settings = withDefaults(latest[0]?.values);
    this.cached = { settings, version: latest[0]?.id ?? 0, at: Date.now() };
    return this.cached;
  }

  /** Stores a new version with the patch applied; returns the settings now in force. */
  async update(patch: SettingsPatch, actor: string): Promise<Settings> {
    const saved = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      const latest = await manager.getRepository(SettingsVersion).find({ order: { id: 'DESC' }, take: 1 });
      const values = applyPatch(withDefaults(latest[0]?.values), patch);
      const changedKeys = Object.keys(patch);
      return manager.getRepository(SettingsVersion).save({ values, changedKeys, actor });
    });
    this.cached = undefined;
    this.logger.log(`Settings version ${saved.id} stored by ${actor}: ${saved.changedKeys.join(', ')}`);
    return saved.values;
  }

  async history(limit = 50): Promise<SettingsVersion[]> {
    return this.dataSource.getRepository(SettingsVersion).find({ order: { id: 'DESC' }, take: limit });
  }

  /** First start: the environment seeds version 1. Afterwards the stored value wins. */
  private async seedFromEnvironment(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      if ((await manager.getRepository(SettingsVersion).count()) > 0) return;
      const values = applyPatch(defaultSettings(), environmentSeed(this.config));
      await manager.getRepository(SettingsVersion).save({ values, changedKeys: [], actor: 'environment' });
    });
  }
}

function environmentSeed(config: AppConfig): SettingsPatch {
  const patch: SettingsPatch = { analysis: { model: config.openai.model } };
  if (config.timeZone) patch.timeZone = config.timeZone;
  if (config.bitrix.syncIntervalMinutes) patch.sync = { intervalMinutes: config.bitrix.syncIntervalMinutes };
  return patch;
}

/** Stored settings over the defaults, so keys added in code get their default. */
export function withDefaults(stored?: Partial<Settings>): Settings {
  return applyPatch(defaultSettings(), (stored ?? {}) as SettingsPatch);
}

export function applyPatch(base: Settings, patch: SettingsPatch): Settings {
  const result = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = result[key];
    const isGroup = current !== null && typeof current === 'object' && !Array.isArray(current);
    result[key] = isGroup ? { ...(current as object), ...(value as object) } : value;
  }
  return result as unknown as Settings;
}
