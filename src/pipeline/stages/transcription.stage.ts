import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { Call } from '../../calls/entities/call.entity';
import { Transcript } from '../../calls/entities/transcript.entity';
import { computeConversationMetrics } from '../../integrations/analysis/conversation-metrics';
import { Transcriber, TranscriptResult } from '../../integrations/transcription/transcriber.port';
import type { ChannelMapping, Settings } from '../../settings/settings.types';
import { AudioPreparer } from '../audio/audio-preparer';
import { CallFields, CallStateStore } from '../call-state.store';
import { PipelineLimits } from '../pipeline-limits';
import { recordStage, StageContext } from './stage-context';

/** How a call's recording is recognised: a speaker per channel, with the manager on one of them, or one mix. */
export type ChannelRoles = { mono: false; managerChannel: 0 | 1 } | { mono: true };

/**
 * The call's own employee channel, else the setting for its source. `caller_left`: the party that placed the call
 * is on the left, as Bitrix24 telephony records it: the manager on outgoing calls and callbacks (the portal rings
 * the manager first), the client on incoming ones.
 */
export function channelRoles(call: Pick<Call, 'source' | 'direction' | 'employeeChannel'>, settings: Settings): ChannelRoles {
  const mapping: ChannelMapping = call.employeeChannel ?? settings.transcription.employeeChannel[call.source];
  if (mapping === 'mono') return { mono: true };
  if (mapping === 'caller_left') return { mono: false, managerChannel: call.direction === 'incoming' ? 1 : 0 };
  return { mono: false, managerChannel: mapping === 'right' ? 1 : 0 };
}

export function vocabularyHints(settings: Settings): string[] {
  const { vocabularyHints: hints, products, competitors } = settings.dictionaries;
  return [...new Set([...hints, ...products, ...competitors].map((term) => term.trim()).filter(Boolean))];
}

/** Normalised audio → the recogniser → the transcript and conversation metrics. False: nothing was said. */
@Injectable()
export class TranscriptionStage {
  constructor(
    private readonly state: CallStateStore,
    private readonly transcriber: Transcriber,
    private readonly audio: AudioPreparer,
    private readonly limits: PipelineLimits,
  ) {}

  async run(context: StageContext): Promise<boolean> {
    const { call } = context;
    if ((call.audioDurationSec ?? Infinity) < context.settings.analysis.minCallDurationSec) {
      await this.state.skip(call.id, 'too_short', 'transcription');
      return false;
    }
    const shown = { status: 'audio_downloaded' as const, reason: 'transcribing' };
    const result = await this.limits.transcription.use(() => recordStage(this.state, context, 'transcription', shown, () => this.transcribe(call, context.settings)));
    await this.store(call, result);
    if (result.segments.length > 0) return true;
    await this.state.skip(call.id, 'no_speech', 'transcription');
    return false;
  }

  private async transcribe(call: Call, settings: Settings): Promise<TranscriptResult> {
    const roles = channelRoles(call, settings);
    const prepared = await this.audio.prepare(join(this.limits.dataDir, call.recordingPath!), roles.mono ? 1 : call.audioChannels ?? 1);
    try {
      return await this.transcriber.transcribe({
        audioPath: prepared.path,
        channels: prepared.channels,
        durationSec: prepared.durationSec,
        managerChannel: roles.mono ? 0 : roles.managerChannel,
        language: settings.analysis.language,
        vocabularyHints: vocabularyHints(settings),
      });
    } finally {
      await prepared.remove();
    }
  }

  /**
   * The paid transcript commits durably on its own; the call then shows it with a progress write, so the call's row
   * (and the daily rollup its metrics feed) is not held locked while the commit waits for the disk. After a crash in
   * between, the pipeline finds the transcript and carries on with the analysis.
   */
  private async store(call: Call, result: TranscriptResult): Promise<void> {
    const metrics = computeConversationMetrics(result.segments, result.durationSec || call.audioDurationSec || call.durationSec);
    await this.state.durable((manager) => manager.getRepository(Transcript).upsert({
      callId: call.id,
      text: result.text,
      segments: result.segments,
      language: result.language,
      engine: result.engine,
      model: result.model,
      durationSec: result.durationSec,
      droppedSegments: result.dropped,
      channelLayout: result.channelLayout,
      sentAudioSec: result.sentSec,
    }, ['callId']));
    await this.state.setStatus(call.id, 'transcribed', null, { metrics: metrics as unknown as CallFields['metrics'] });
  }
}
