import type { RiskLevel } from '../../settings/settings.types';
import type { ChannelLayout, TranscriptSegment } from '../../integrations/transcription/transcriber.port';
import { ApiProperty } from '@nestjs/swagger';
import { type CallDirection, type CallSource, type CallStatus, EMPLOYEE_CHANNELS, type EmployeeChannel } from '../entities/call.entity';

export class CallDto {
  /** @example 1042 */
  id: number;
  source: CallSource;
  /** @example "externalCall.1b2f5c6a" */
  bitrixCallId: string | null;
  bitrixActivityId: number | null;
  externalId: string | null;
  direction: CallDirection;
  /** Start of the call, ISO 8601 UTC. @example "2026-11-20T09:15:00.000Z" */
  startedAt: string;
  /** @example 184 */
  durationSec: number;
  employeeId: number | null;
  bitrixUserId: number | null;
  /** @example "Анна Смирнова" */
  managerName: string | null;
  /** @example "+79161234567" */
  clientPhone: string | null;
  crmEntityType: string | null;
  crmEntityId: number | null;
  status: CallStatus;
  /** Finer state, e.g. `queued`, `awaiting_recording`, `llm_not_configured`. */
  statusReason: string | null;
  error: string | null;
  errorStage: string | null;
  missed: boolean;
  /** 0–100. @example 72 */
  scoreOverall: number | null;
  riskLevel: RiskLevel | null;
  hasRecording: boolean;
  /** Our own audio URL with a signed, expiring token; never a Bitrix24 link. */
  recordUrl: string | null;
  summary: string | null;
  tags: string[];
  products: string[];
  refusalReasons: string[];
  analyzedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export class CallListDto {
  items: CallDto[];
  /** @example 1 */
  page: number;
  /** @example 20 */
  pageSize: number;
  /** @example 1240 */
  total: number;
}

export class TranscriptDto {
  segments: TranscriptSegment[];
  language: string | null;
  engine: string | null;
  model: string | null;
  durationSec: number | null;
  droppedSegments: number;
  /** `stereo` (a speaker per channel), `mono`, or `dual_mono` (the same mix on both channels, recognised once). */
  @ApiProperty({ enum: ['stereo', 'mono', 'dual_mono'], nullable: true })
  channelLayout: ChannelLayout | null;
  /** Seconds of audio sent to the recogniser: the speech of each channel. */
  sentAudioSec: number | null;
}

export class AnalysisVersionDto {
  id: number;
  version: number;
  createdAt: string;
  scoreOverall: number | null;
  riskLevel: RiskLevel | null;
  model: string;
  promptVersion: string;
  criteriaVersion: string;
  costUsd: number;
}

export class CallStageDto {
  stage: string;
  outcome: string;
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export class CallDetailsDto extends CallDto {
  transcriptText: string | null;
  transcript: TranscriptDto | null;
  /** The latest analysis, parsed (scores, sections, sentiment, conflict, checklist, …). */
  analysis: Record<string, unknown> | null;
  /** Conversation metrics computed from the transcript. */
  metrics: Record<string, unknown> | null;
  analysisHistory: AnalysisVersionDto[];
  /** Pipeline stages in the order they ran. */
  stages: CallStageDto[];
  audioDurationSec: number | null;
  audioChannels: number | null;
  /** The stereo channel the telephony said carries the employee; null: the setting of the call's source. */
  @ApiProperty({ enum: EMPLOYEE_CHANNELS, nullable: true })
  employeeChannel: EmployeeChannel | null;
}
