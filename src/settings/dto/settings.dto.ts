import { applyDecorators } from '@nestjs/common';
import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CHANNEL_MAPPINGS, type ChannelMapping, type RiskLevel } from '../settings.types';
import { IsClockTime, IsIanaTimeZone, Optional, ReadOnly } from './settings-validators';

export const RISK_LEVELS: RiskLevel[] = ['low', 'medium', 'high'];
export const MAX_CHECKLIST_CRITERIA = 30;

/** A nested group of a partial update: an object whose own keys are validated too. */
const Group = (type: () => new () => object) => applyDecorators(Optional(), IsObject(), ValidateNested(), Type(type));

/** A dictionary: a list of short, non-empty phrases. */
const Phrases = (maxItems: number, maxLength: number) =>
  applyDecorators(
    Optional(),
    IsArray(),
    ArrayMaxSize(maxItems),
    IsString({ each: true }),
    MinLength(1, { each: true }),
    MaxLength(maxLength, { each: true }),
  );

export class ChecklistCriterionDto {
  /** Stable key stored with every verdict. @example "greeting" */
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{1,40}$/, { message: '$property must be 2–41 characters: a lower-case letter, then lower-case letters, digits or _' })
  id: string;

  /** @example "Приветствие" */
  @IsString() @MinLength(1) @MaxLength(100)
  title: string;

  /** What the model looks for; part of the prompt. @example "The manager greets the client and names themself and the company." */
  @IsString() @MaxLength(1000)
  description: string;

  /** Share of the criterion in the checklist percentage; greater than 0. @example 2 */
  @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(100)
  weight: number;
}

export class RiskThresholdsDto {
  /** A call scoring below this is `high` risk; not above mediumBelowScore. @example 40 */
  @Optional() @IsInt() @Min(0) @Max(100)
  highBelowScore?: number;

  /** A call scoring below this is at least `medium` risk. @example 60 */
  @Optional() @IsInt() @Min(0) @Max(100)
  mediumBelowScore?: number;

  /** This many failed checklist criteria make a call at least `medium` risk. @example 2 */
  @Optional() @IsInt() @Min(1) @Max(MAX_CHECKLIST_CRITERIA)
  mediumFailedCriteria?: number;
}

export class AnalysisSettingsDto {
  /** LLM model name. @example "gpt-4o" */
  @Optional() @IsString() @MinLength(1) @MaxLength(64)
  model?: string;

  /** ISO 639-1 language of the analysis texts; reports, digests, alerts and the bot are written in English for `en`, in Russian otherwise. @example "ru" */
  @Optional() @IsString() @Matches(/^[a-z]{2}$/, { message: '$property must be a two-letter language code such as ru or en' })
  language?: string;

  /** Checklist criteria (1–30, unique ids); replaces the whole list. */
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHECKLIST_CRITERIA)
  @ArrayUnique((criterion: ChecklistCriterionDto) => criterion?.id, { message: '$property ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => ChecklistCriterionDto)
  checklist?: ChecklistCriterionDto[];

  /** Shorter calls are skipped. @example 20 */
  @Optional() @IsInt() @Min(0) @Max(3600)
  minCallDurationSec?: number;

  @Group(() => RiskThresholdsDto)
  riskThresholds?: RiskThresholdsDto;

  /** Process new calls as soon as they arrive. @example true */
  @Optional() @IsBoolean()
  autoProcess?: boolean;

  /** Mask phone numbers, e-mails and cards before the text reaches the model. @example false */
  @Optional() @IsBoolean()
  piiRedaction?: boolean;

  /** Monthly LLM spend in USD past which analysis pauses; null for no limit. @example 100 */
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  monthlyBudgetUsd?: number | null;
}

export class SyncSettingsDto {
  /** @example true */
  @Optional() @IsBoolean()
  enabled?: boolean;

  /** Minutes between scheduled syncs. @example 10 */
  @Optional() @IsInt() @Min(1) @Max(1440)
  intervalMinutes?: number;

  /** Days fetched by the first sync. @example 30 */
  @Optional() @IsInt() @Min(0) @Max(365)
  backfillDays?: number;

  @ReadOnly() @ApiHideProperty()
  lastSyncAt?: never;
}

export class DictionariesDto {
  /** Products and services to find in conversations. @example ["CRM Pro"] */
  @Phrases(500, 100)
  products?: string[];

  /** @example ["AmoCRM"] */
  @Phrases(200, 100)
  competitors?: string[];

  /** Phrases a manager must not say. @example ["это не ко мне"] */
  @Phrases(200, 200)
  stopPhrases?: string[];

  /** Words that help the recogniser (names, brands). @example ["Битрикс24"] */
  @Phrases(200, 100)
  vocabularyHints?: string[];
}

export class AlertSettingsDto {
  /** @example true */
  @Optional() @IsBoolean()
  enabled?: boolean;

  /** Calls of this risk or higher raise an alert. @example "high" */
  @Optional() @IsIn(RISK_LEVELS)
  minRiskLevel?: RiskLevel;

  /** @example 10 */
  @Optional() @IsInt() @Min(1) @Max(1000)
  maxPerHour?: number;
}

export class ReportSettingsDto {
  /** @example true */
  @Optional() @IsBoolean()
  dailyDigestEnabled?: boolean;

  /** Local time in `timeZone`. @example "19:00" */
  @Optional() @IsClockTime()
  dailyDigestTime?: string;

  /** @example true */
  @Optional() @IsBoolean()
  weeklyDigestEnabled?: boolean;

  /** ISO weekday, 1 = Monday … 7 = Sunday. @example 1 */
  @Optional() @IsInt() @Min(1) @Max(7)
  weeklyDigestDay?: number;

  /** @example "09:00" */
  @Optional() @IsClockTime()
  weeklyDigestTime?: string;
}

export class RetentionSettingsDto {
  /** Days to keep recordings; 0 keeps them forever. @example 90 */
  @Optional() @IsInt() @Min(0) @Max(36500)
  recordingsDays?: number;

  /** Days to keep transcripts and chat messages; 0 keeps them forever. Scores are always kept. @example 365 */
  @Optional() @IsInt() @Min(0) @Max(36500)
  transcriptsDays?: number;
}

export class CrmSettingsDto {
  /** Add a timeline comment to the CRM entity of each analysed call or chat. @example false */
  @Optional() @IsBoolean()
  writeBack?: boolean;
}

export class EmployeeChannelSettingsDto {
  /** Calls synced from Bitrix24 telephony. @example "caller_left" */
  @Optional() @IsIn(CHANNEL_MAPPINGS)
  bitrix?: ChannelMapping;

  /** Calls uploaded through `POST /calls/upload`. @example "left" */
  @Optional() @IsIn(CHANNEL_MAPPINGS)
  upload?: ChannelMapping;

  /** Calls from the generic incoming webhook. @example "left" */
  @Optional() @IsIn(CHANNEL_MAPPINGS)
  webhook?: ChannelMapping;
}

export class TranscriptionSettingsDto {
  /**
   * Which channel of a stereo recording carries the employee, per source of the call (a call's own
   * `employeeChannel` wins): `left`, `right`, `caller_left` (the party that placed the call is on the left, as
   * Bitrix24 records) or `mono` (the channels are mixed and the analysis tells the speakers apart).
   */
  @Group(() => EmployeeChannelSettingsDto)
  employeeChannel?: EmployeeChannelSettingsDto;

  /** Exchange the speakers when the analysis reads the roles the other way round; otherwise the call is only flagged. @example false */
  @Optional() @IsBoolean()
  autoSwapRoles?: boolean;
}

/** A partial update: only the keys sent change; nested groups merge. */
export class UpdateSettingsDto {
  /** IANA time zone of periods and digests. @example "Europe/Moscow" */
  @Optional() @IsIanaTimeZone()
  timeZone?: string;

  @Group(() => AnalysisSettingsDto)
  analysis?: AnalysisSettingsDto;

  @Group(() => SyncSettingsDto)
  sync?: SyncSettingsDto;

  @Group(() => DictionariesDto)
  dictionaries?: DictionariesDto;

  @Group(() => AlertSettingsDto)
  alerts?: AlertSettingsDto;

  @Group(() => ReportSettingsDto)
  reports?: ReportSettingsDto;

  @Group(() => RetentionSettingsDto)
  retention?: RetentionSettingsDto;

  @Group(() => CrmSettingsDto)
  crm?: CrmSettingsDto;

  @Group(() => TranscriptionSettingsDto)
  transcription?: TranscriptionSettingsDto;

  @ReadOnly() @ApiHideProperty()
  integrations?: never;

  @ReadOnly() @ApiHideProperty()
  incomingWebhookUrl?: never;

  @ReadOnly() @ApiHideProperty()
  incomingWebhookHint?: never;

  @ReadOnly() @ApiHideProperty()
  version?: never;

  @ReadOnly() @ApiHideProperty()
  updatedAt?: never;
}

export class IntegrationStateDto {
  /** Set up in the environment. @example true */
  configured: boolean;
  /** True after a success, false while failing, null when never used. @example true */
  reachable: boolean | null;
  /** @example "model gpt-4o" */
  detail?: string;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  /** Reason of the last failure, without secrets. */
  lastError: string | null;
  failingSince: string | null;
}

export class IntegrationsDto {
  bitrix: IntegrationStateDto;
  openai: IntegrationStateDto;
  telegram: IntegrationStateDto;
  transcription: IntegrationStateDto;
  incomingWebhook: IntegrationStateDto;
}

export class SyncSettingsViewDto {
  /** @example true */
  enabled: boolean;
  /** @example 10 */
  intervalMinutes: number;
  /** @example 30 */
  backfillDays: number;
  /** End of the latest finished call sync, read-only. @example "2026-11-20T09:15:00.000Z" */
  lastSyncAt: string | null;
  /** Outcome of that sync. @example "succeeded" */
  lastSyncStatus: string | null;
}

export class SettingsDto {
  /** Settings version in force. @example 3 */
  version: number;
  /** When that version was stored. @example "2026-11-20T09:15:00.000Z" */
  updatedAt: string | null;
  /** @example "Europe/Moscow" */
  timeZone: string;
  analysis: AnalysisSettingsDto;
  sync: SyncSettingsViewDto;
  dictionaries: DictionariesDto;
  alerts: AlertSettingsDto;
  reports: ReportSettingsDto;
  retention: RetentionSettingsDto;
  crm: CrmSettingsDto;
  transcription: TranscriptionSettingsDto;
  /** Read-only status of each integration; never a secret. */
  integrations: IntegrationsDto;
  // Stated in a decorator rather than a comment, so the mark is on the document whatever builds it.
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Carries a credential: the URL holds WEBHOOK_TOKEN, and whoever has it can post call events. Paste it into '
      + 'the telephony or the Bitrix24 outbound webhook; null until WEBHOOK_TOKEN is set. Once the API has roles, only '
      + 'administrators see it.',
    example: 'https://crm.example.com/api/webhooks/incoming/3f9c1e0b7a2d4c58a1b6',
  })
  incomingWebhookUrl: string | null;
  /** What to configure when there is no URL. */
  incomingWebhookHint: string | null;
}
