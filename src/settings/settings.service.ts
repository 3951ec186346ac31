import { BadRequestException, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LOCK_KEYS } from '../database/advisory-locks';
import { findPage } from '../database/find-page';
import { SettingsVersion } from './settings-version.entity';
import { defaultSettings } from './settings.defaults';
import { Settings } from './settings.types';

/** Other instances see a change within this time. */
const CACHE_MS = 2_000;

interface CurrentSettings {
  settings: Settings;
  version: number;
  at: number;
}

type PatchOf<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? PatchOf<T[K]> : T[K] };
/** Only the keys given change; nested groups merge, lists are replaced whole. */
export type SettingsPatch = PatchOf<Settings>;

/** The one way every module reads and changes settings. Defaults live in code; PostgreSQL holds changes. */
@Injectable()
export class SettingsService implements OnModuleInit {
  private readonly logger = new Logger(SettingsService.name);
  private cached?: CurrentSettings;
  /** The read in flight: callers that find the cache stale together share one query. */
  private loading?: Promise<CurrentSettings>;
  /** Bumped by every update, so a read that started before it cannot cache what it replaced. */
  private generation = 0;

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
    if (!this.loading) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  private async load(): Promise<CurrentSettings> {
    const generation = this.generation;
    const latest = await this.dataSource.getRepository(SettingsVersion).find({ order: { id: 'DESC' }, take: 1 });
    const loaded = { settings: withDefaults(latest[0]?.values), version: latest[0]?.id ?? 0, at: Date.now() };
    if (generation === this.generation) this.cached = loaded;
    return loaded;
  }

  /**
   * Stores a new version with the patch applied; returns the settings now in force. A patch that changes
   * nothing stores nothing; one that leaves the settings inconsistent is refused with a 400.
   */
  async update(patch: SettingsPatch, actor: string): Promise<Settings> {
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.settings]);
      const latest = await manager.getRepository(SettingsVersion).find({ order: { id: 'DESC' }, take: 1 });
      const before = withDefaults(latest[0]?.values);
      const values = applyPatch(before, patch);
      assertConsistent(values);
      const changedKeys = changedPaths(before, values);
      if (changedKeys.length === 0) return { values };
      return { values, saved: await manager.getRepository(SettingsVersion).save({ values, changedKeys, actor }) };
    });
    this.generation++;
    this.cached = undefined;
    this.loading = undefined;
    if (result.saved) this.logger.log(`Settings version ${result.saved.id} stored by ${actor}: ${result.saved.changedKeys.join(', ')}`);
    return result.values;
  }

  /** Stored versions, newest first. */
  async history(page = 1, pageSize = 50): Promise<{ items: SettingsVersion[]; total: number }> {
    return findPage(this.dataSource.getRepository(SettingsVersion), { order: { id: 'DESC' } }, page, pageSize);
  }

  /** When the version in force was stored. */
  async versionDate(version: number): Promise<Date | null> {
    const row = await this.dataSource.getRepository(SettingsVersion).findOne({ where: { id: version }, select: { id: true, createdAt: true } });
    return row?.createdAt ?? null;
  }

  /** First start: the environment seeds version 1. Afterwards the stored value wins. */
  private async seedFromEnvironment(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.settings]);
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
  return mergeGroups(structuredClone(base), patch) as Settings;
}

/** Dotted paths of the leaves that differ, e.g. `analysis.riskThresholds.highBelowScore`; lists count as leaves. */
export function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (isGroup(before) && isGroup(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changedPaths(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  return isDeepStrictEqual(before, after) ? [] : [prefix];
}

/** Rules that span several keys, checked on the merged result of a partial update. */
export function consistencyErrors(settings: Settings): string[] {
  const { highBelowScore, mediumBelowScore } = settings.analysis.riskThresholds;
  if (highBelowScore > mediumBelowScore) {
    return [`analysis.riskThresholds.highBelowScore: must not be greater than mediumBelowScore (${mediumBelowScore})`];
  }
  return [];
}

function assertConsistent(settings: Settings): void {
  const errors = consistencyErrors(settings);
  if (errors.length > 0) throw new BadRequestException(errors.join('; '));
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeGroups(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isGroup(base) || !isGroup(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) result[key] = mergeGroups(base[key], value);
  return result;
}
