export type Speaker = 'manager' | 'client' | 'unknown';

export interface TranscriptSegment {
  start: number;
  end: number;
  speaker: Speaker;
  text: string;
}

export interface TranscribeRequest {
  /** A prepared WAV file (16 kHz; stereo keeps one channel per speaker). */
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

export interface TranscriptResult {
  text: string;
  language: string;
  durationSec: number;
  segments: TranscriptSegment[];
  engine: string;
  model: string;
  /** Segments dropped as silence or recogniser hallucinations. */
  dropped: number;
}

/** Speech recognition. The real adapter drives Python Whisper workers. */
export abstract class Transcriber {
  abstract transcribe(request: TranscribeRequest): Promise<TranscriptResult>;
}
