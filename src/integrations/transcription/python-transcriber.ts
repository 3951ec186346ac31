import { OnModuleDestroy } from '@nestjs/common';
import { ffmpegBinary } from '../../common/packaged-binaries';
import { PythonWorker, RequestTimeouts } from './python-worker';
import { TranscribeRequest, Transcriber, TranscriptResult } from './transcriber.port';
import { validateTranscript } from './transcript-validation';
import { WorkerPool } from './worker-pool';

export type TranscriptionBackend = 'faster-whisper' | 'openai-whisper' | 'openai-api';
export type UploadFormat = 'ogg' | 'mp3' | 'wav';

export interface PythonTranscriberOptions {
  /** `python3` or a virtualenv's interpreter (PYTHON_PATH). */
  pythonPath: string;
  /** Path to python/transcribe.py. */
  scriptPath: string;
  /** Long-lived workers, each holding its own model in memory (TRANSCRIBE_WORKERS). */
  poolSize: number;
  backend: TranscriptionBackend;
  /** WHISPER_MODEL; the engine's default when absent (small, or whisper-1 for openai-api). */
  model?: string;
  /** Used when a request leaves the language empty. */
  language?: string;
  device?: string;
  computeType?: string;
  beamSize?: number;
  /** openai-api: base URL of the OpenAI-compatible server, `…/v1`. */
  baseUrl?: string;
  /** openai-api: the key, handed to the worker in its environment, never on its command line. */
  apiKey?: string;
  /** openai-api: retries of 429 and 5xx answers inside the worker. */
  apiRetries?: number;
  /** openai-api: how audio is sent: Opus in Ogg (the default), mp3 or PCM WAV. */
  uploadFormat?: UploadFormat;
  /** openai-api: the server's request size limit in MiB (25 at OpenAI); longer audio is sent in chunks. */
  maxUploadMb?: number;
  /** The ffmpeg that compresses what is sent; the packaged one by default. */
  ffmpegPath?: string;
  extraEnv?: Record<string, string>;
  /**
   * Time allowed per request to the engine: baseTimeoutMs + timeoutPerAudioSecondMs × its seconds of audio. A file is
   * sent in chunks, each with its own limit; the same formula over the whole file covers the time before the first.
   */
  baseTimeoutMs: number;
  timeoutPerAudioSecondMs: number;
  /** Time allowed for a worker to load its model; first runs may download it. */
  startupTimeoutMs?: number;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 10 * 60_000;
/** The longest wait the worker makes between retries of a rate-limited or failing request (MAX_RETRY_WAIT_SEC). */
const MAX_RETRY_WAIT_MS = 30_000;
/** The worker times its own HTTP requests out first, so it can answer with the reason before it is killed. */
const GRACE_MS = 10_000;

/** Whisper through a pool of `python/transcribe.py --worker` processes. */
export class PythonTranscriber extends Transcriber implements OnModuleDestroy {
  private readonly pool: WorkerPool;

  constructor(private readonly options: PythonTranscriberOptions) {
    super();
    this.pool = new WorkerPool(Math.max(1, options.poolSize), () => new PythonWorker({
      pythonPath: options.pythonPath,
      args: workerArgs(options),
      env: workerEnv(options),
      startupTimeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
    }));
  }

  async transcribe(request: TranscribeRequest): Promise<TranscriptResult> {
    const raw = await this.pool.run({
      audioPath: request.audioPath,
      channels: request.channels,
      managerChannel: request.managerChannel,
      language: request.language || this.options.language,
      vocabularyHints: request.vocabularyHints,
    }, this.timeouts(request.durationSec));
    return validateTranscript(raw);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  private timeouts(durationSec: number): RequestTimeouts {
    const attempts = this.options.backend === 'openai-api' ? 1 + (this.options.apiRetries ?? 2) : 1;
    const attemptMs = (audioSec: number) => this.options.baseTimeoutMs + this.options.timeoutPerAudioSecondMs * Math.max(0, audioSec || 0);
    return {
      firstMs: Math.round(attemptMs(durationSec)),
      chunkMs: (audioSec) => Math.round(attempts * attemptMs(audioSec) + (attempts - 1) * MAX_RETRY_WAIT_MS + (attempts > 1 ? GRACE_MS : 0)),
    };
  }
}

function workerArgs(options: PythonTranscriberOptions): string[] {
  const flags: [string, string | number | undefined][] = [
    ['--backend', options.backend],
    ['--model', options.model],
    ['--language', options.language],
    ['--device', options.device],
    ['--compute-type', options.computeType],
    ['--beam-size', options.beamSize],
    ['--base-url', options.baseUrl],
    ['--api-retries', options.apiRetries],
    ['--api-timeout', options.baseTimeoutMs / 1000],
    ['--api-timeout-per-audio-sec', options.timeoutPerAudioSecondMs / 1000],
    ['--upload-format', options.uploadFormat],
    ['--max-upload-mb', options.maxUploadMb],
    ['--ffmpeg', options.ffmpegPath ?? ffmpegBinary()],
  ];
  return [options.scriptPath, '--worker', ...flags.flatMap(([flag, value]) => (value === undefined ? [] : [flag, String(value)]))];
}

function workerEnv(options: PythonTranscriberOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...options.extraEnv,
    ...(options.apiKey ? { TRANSCRIBE_API_KEY: options.apiKey } : {}),
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
  };
}
