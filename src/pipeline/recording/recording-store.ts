import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StageError } from '../pipeline-errors';
import { describeNonAudio, detectAudioType, SIGNATURE_BYTES } from './audio-signature';

export interface StoredRecording {
  /** Relative to DATA_DIR, as `calls.recording_path` keeps it. */
  relativePath: string;
  bytes: number;
  mime: string;
}

export interface StoreLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Recordings under `DATA_DIR/recordings`, written through a temporary file so a half-written one is never seen. */
export class RecordingStore {
  constructor(private readonly dataDir: string) {}

  get directory(): string {
    return join(this.dataDir, 'recordings');
  }

  /** Streams `body` to disk with a size and time limit; only audio (by its first bytes) is kept. */
  async save(callId: number, body: NodeJS.ReadableStream, limits: StoreLimits, contentType?: string): Promise<StoredRecording> {
    const partial = await this.partialPath();
    const inspector = new AudioInspector(limits.maxBytes, contentType);
    const file = createWriteStream(partial);
    try {
      await pipeline(body as Readable, (source: AsyncIterable<Buffer>) => inspector.pass(source), file, {
        signal: AbortSignal.timeout(limits.timeoutMs),
      }).catch((error: Error) => {
        if (error instanceof StageError) throw error;
        if (error.name === 'AbortError' || error.name === 'TimeoutError') {
          throw new StageError(`The recording did not finish downloading within ${Math.round(limits.timeoutMs / 1000)} s`, true);
        }
        throw new StageError(`The recording download broke off: ${error.message}`, true);
      });
      const type = inspector.finish();
      return { ...(await this.keep(partial, callId, type.extension)), bytes: inspector.bytes, mime: type.mime };
    } catch (error) {
      // A stream torn down while still opening creates its file afterwards: remove it only once closed.
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      await rm(partial, { force: true });
      throw error;
    }
  }

  /** Moves an already validated file (an upload) into place. */
  async adopt(path: string, callId: number, extension: string): Promise<string> {
    return (await this.keep(path, callId, extension)).relativePath;
  }

  async partialPath(): Promise<string> {
    const dir = join(this.directory, '.partial');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(dir, randomUUID());
  }

  private async keep(path: string, callId: number, extension: string): Promise<{ relativePath: string }> {
    const now = new Date();
    const dir = join(this.directory, String(now.getUTCFullYear()), String(now.getUTCMonth() + 1).padStart(2, '0'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = join(dir, `call-${callId}-${randomUUID().slice(0, 8)}.${extension}`);
    await rename(path, target);
    return { relativePath: relative(this.dataDir, target) };
  }
}

/** Counts bytes against the limit and checks the first bytes as they stream past. */
class AudioInspector {
  bytes = 0;
  private head = Buffer.alloc(0);
  private type: ReturnType<typeof detectAudioType> = null;

  constructor(private readonly maxBytes: number, private readonly contentType?: string) {}

  async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) throw tooLarge(this.maxBytes);
      if (!this.type && this.head.length < SIGNATURE_BYTES) this.inspect(chunk);
      yield chunk;
    }
  }

  finish(): NonNullable<ReturnType<typeof detectAudioType>> {
    if (!this.type) this.type = detectAudioType(this.head);
    if (!this.type) throw notAudio(this.head, this.contentType);
    return this.type;
  }

  private inspect(chunk: Buffer): void {
    this.head = Buffer.concat([this.head, chunk]).subarray(0, 64);
    if (this.head.length < SIGNATURE_BYTES) return;
    this.type = detectAudioType(this.head);
    if (!this.type) throw notAudio(this.head, this.contentType);
  }
}

export function tooLarge(maxBytes: number): StageError {
  return new StageError(`The recording is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit (MAX_RECORDING_MB)`, false);
}

export function notAudio(head: Buffer, contentType?: string): StageError {
  return new StageError(`The recording source returned ${describeNonAudio(head, contentType)}, not audio`, false);
}
