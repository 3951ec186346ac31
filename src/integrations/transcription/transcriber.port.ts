export type Speaker = 'manager' | 'client' | 'unknown';

export interface TranscriptSegment {
  start: number;
  end: number;
  speaker: Speaker;
  text: string;
}

export interface TranscribeRequest {
  /** A prepared WAV file (16 kHz; stereo keeps one channel per speaker; 16-bit PCM). */
  audioPath: string;
  channels: number;
  durationSec: number;
  /** In stereo audio, the channel (0 = left) that carries the manager. */
  managerChannel: 0 | 1;
  /** `ru`, `en`, … or `auto`. */
  language: string;
  /** Product names, competitors and terms passed to the recogniser as its initial prompt. */
  vocabularyHints: string[];
}

/** stereo: a speaker per channel; mono; dual_mono: two channels carrying the same mix, recognised as mono. */
export type ChannelLayout = 'stereo' | 'mono' | 'dual_mono';

export interface TranscriptResult {
  text: string;
  language: string;
  durationSec: number;
  segments: TranscriptSegment[];
  engine: string;
  model: string;
  /** Segments dropped as silence or recogniser hallucinations. */
  dropped: number;
  channelLayout: ChannelLayout;
  /** Seconds of audio sent to the engine: the speech of each channel, not its silence. */
  sentSec: number;
  /** Requests to the engine, one per chunk. */
  requests: number;
}

/** Speech recognition. The real adapter drives Python Whisper workers. */
export abstract class Transcriber {
  abstract transcribe(request: TranscribeRequest): Promise<TranscriptResult>;
}
