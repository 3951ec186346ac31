import type { Analysis } from './entities/analysis.entity';
import type { CallStage } from './entities/call-stage.entity';
import type { Transcript } from './entities/transcript.entity';
import { AnalysisVersionDto, CallDetailsDto, CallDto, CallStageDto } from './dto/call.dto';
import type { Call } from './entities/call.entity';

const iso = (value: Date | null) => value?.toISOString() ?? null;

/** A recording to play: stored, or still to fetch from Bitrix24 or its source, and not removed by retention. */
export function hasRecording(call: Call): boolean {
  if (call.recordingDeletedAt) return false;
  return Boolean(call.recordingPath || call.recordFileId || call.recordSourceUrl);
}

/** A row of the calls list: the item's JSON (built by PostgreSQL) without the recording fields. */
export interface CallListRow {
  id: number;
  hasRecording: boolean;
  json: string;
}

/** The list item as JSON text: the row's JSON with the recording flag and its signed link added. */
export function callListItemJson(row: CallListRow, recordUrl: (id: number) => string): string {
  const link = row.hasRecording ? JSON.stringify(recordUrl(row.id)) : 'null';
  return `${row.json.slice(0, -1)},"hasRecording":${row.hasRecording},"recordUrl":${link}}`;
}

export function toCallDto(call: Call, recordUrl: (id: number) => string): CallDto {
  const recording = hasRecording(call);
  return {
    id: call.id,
    source: call.source,
    bitrixCallId: call.bitrixCallId,
    bitrixActivityId: call.bitrixActivityId,
    externalId: call.externalId,
    direction: call.direction,
    startedAt: iso(call.startedAt)!,
    durationSec: call.durationSec,
    employeeId: call.employeeId,
    bitrixUserId: call.bitrixUserId,
    managerName: call.managerName,
    clientPhone: call.clientPhone,
    crmEntityType: call.crmEntityType,
    crmEntityId: call.crmEntityId,
    status: call.status,
    statusReason: call.statusReason,
    error: call.error,
    errorStage: call.errorStage,
    missed: call.missed,
    scoreOverall: call.scoreOverall,
    riskLevel: call.riskLevel,
    hasRecording: recording,
    recordUrl: recording ? recordUrl(call.id) : null,
    summary: call.summary,
    tags: call.tags ?? [],
    products: call.products ?? [],
    refusalReasons: call.refusalReasons ?? [],
    analyzedAt: iso(call.analyzedAt),
    createdAt: iso(call.createdAt)!,
    updatedAt: iso(call.updatedAt)!,
  };
}

export interface CallDetailsParts {
  call: Call;
  transcript: Transcript | null;
  analyses: Analysis[];
  stages: CallStage[];
}

export function toCallDetailsDto(parts: CallDetailsParts, recordUrl: (id: number) => string): CallDetailsDto {
  const { call, transcript, analyses, stages } = parts;
  const latest = analyses.find((analysis) => analysis.id === call.latestAnalysisId) ?? null;
  return {
    ...toCallDto(call, recordUrl),
    transcriptText: transcript?.text ?? null,
    transcript: transcript
      ? {
          segments: transcript.segments,
          language: transcript.language,
          engine: transcript.engine,
          model: transcript.model,
          durationSec: transcript.durationSec,
          droppedSegments: transcript.droppedSegments,
          channelLayout: transcript.channelLayout,
          sentAudioSec: transcript.sentAudioSec,
        }
      : null,
    analysis: latest?.result ?? null,
    metrics: call.metrics ?? latest?.metrics ?? null,
    analysisHistory: analyses.map(toAnalysisVersionDto),
    stages: stages.map(toStageDto),
    audioDurationSec: call.audioDurationSec,
    audioChannels: call.audioChannels,
    employeeChannel: call.employeeChannel,
  };
}

/** One entry of an analysis history, for calls and chats alike. */
export function toAnalysisVersionDto(analysis: Analysis): AnalysisVersionDto {
  return {
    id: analysis.id,
    version: analysis.version,
    createdAt: iso(analysis.createdAt)!,
    scoreOverall: analysis.scoreOverall,
    riskLevel: analysis.riskLevel,
    model: analysis.model,
    promptVersion: analysis.promptVersion,
    criteriaVersion: analysis.criteriaVersion,
    costUsd: analysis.costUsd,
  };
}

function toStageDto(stage: CallStage): CallStageDto {
  return {
    stage: stage.stage,
    outcome: stage.outcome,
    attempt: stage.attempt,
    startedAt: iso(stage.startedAt)!,
    finishedAt: iso(stage.finishedAt),
    error: stage.error,
  };
}
