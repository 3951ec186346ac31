import { Injectable } from '@nestjs/common';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Call } from '../../calls/entities/call.entity';
import { AudioPreparer } from '../audio/audio-preparer';
import { CallStateStore } from '../call-state.store';
import { PipelineLimits } from '../pipeline-limits';
import { RecordingFetcher } from '../recording/recording-fetcher';
import { StoredRecording } from '../recording/recording-store';
import { recordStage, StageContext } from './stage-context';

/** Recordings and external telephony attach late: a call without one is looked at again for this long. */
export const AWAIT_RECORDING_MS = 24 * 3600_000;

/** Skip rules, then the recording into DATA_DIR with its duration and channels. False: the call rests here. */
@Injectable()
export class DownloadStage {
  constructor(
    private readonly state: CallStateStore,
    private readonly fetcher: RecordingFetcher,
    private readonly audio: AudioPreparer,
    private readonly limits: PipelineLimits,
  ) {}

  async run(context: StageContext): Promise<boolean> {
    const { call, settings } = context;
    if (call.missed) return this.skipped(call, 'missed');
    const tooShort = call.source !== 'upload' && call.durationSec > 0 && call.durationSec < settings.analysis.minCallDurationSec;
    if (tooShort) return this.skipped(call, 'too_short');
    if (!this.fetcher.hasSource(call)) return this.awaitRecording(call);
    const shown = { status: 'in_progress' as const, reason: 'downloading' };
    const recording = await this.limits.download.use(() => recordStage(this.state, context, 'download', shown, () => this.fetchAndProbe(call)));
    const durationSec = call.durationSec > 0 ? call.durationSec : Math.round(recording.durationSec);
    const fields = { recordingPath: recording.relativePath, recordingBytes: recording.bytes, recordingMime: recording.mime, audioDurationSec: recording.durationSec, audioChannels: recording.channels, durationSec, recordingDeletedAt: null, awaitingRecordingSince: null };
    await this.state.setStatus(call.id, 'audio_downloaded', null, fields);
    return true;
  }

  private async fetchAndProbe(call: Call): Promise<StoredRecording & { durationSec: number; channels: number }> {
    const stored = await this.fetcher.fetch(call);
    const absolute = join(this.limits.dataDir, stored.relativePath);
    try {
      return { ...stored, ...(await this.audio.probe(absolute)) };
    } catch (error) {
      await rm(absolute, { force: true });
      throw error;
    }
  }

  private async skipped(call: Call, reason: string): Promise<boolean> {
    await this.state.skip(call.id, reason, 'download');
    return false;
  }

  private async awaitRecording(call: Call): Promise<boolean> {
    const since = call.awaitingRecordingSince ?? new Date();
    if (Date.now() - since.getTime() >= AWAIT_RECORDING_MS) return this.skipped(call, 'no_recording');
    await this.state.setStatus(call.id, 'new', 'awaiting_recording', { awaitingRecordingSince: since });
    return false;
  }
}
