import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegBinary, ffprobeBinary } from '../../common/packaged-binaries';
import { StageError } from '../pipeline-errors';

const run = promisify(execFile);

export interface AudioInfo {
  durationSec: number;
  channels: number;
}

export interface PreparedAudio extends AudioInfo {
  /** A 16 kHz 16-bit WAV; stereo stays stereo so each speaker keeps a channel. */
  path: string;
  remove(): Promise<void>;
}

/** Reads and normalises recordings for the recogniser. */
export abstract class AudioPreparer {
  abstract probe(path: string): Promise<AudioInfo>;
  abstract prepare(path: string, channels: number): Promise<PreparedAudio>;
}

/** ffprobe and ffmpeg from the npm packages that ship them, or from the system. */
export class FfmpegAudioPreparer extends AudioPreparer {
  private readonly ffmpeg = ffmpegBinary();
  private readonly ffprobe = ffprobeBinary();

  constructor(private readonly workDir: string, private readonly timeoutMs = 10 * 60_000) {
    super();
  }

  async probe(path: string): Promise<AudioInfo> {
    const args = ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=channels,duration:format=duration', '-of', 'json', path];
    const output = await this.exec(this.ffprobe, args, 'read');
    const parsed = JSON.parse(output) as { streams?: { channels?: number; duration?: string }[]; format?: { duration?: string } };
    const stream = parsed.streams?.[0];
    if (!stream?.channels) throw new StageError('The recording has no audio stream', false);
    const durationSec = Number(stream.duration ?? parsed.format?.duration);
    return { channels: stream.channels, durationSec: Number.isFinite(durationSec) ? Math.round(durationSec * 100) / 100 : 0 };
  }

  async prepare(path: string, channels: number): Promise<PreparedAudio> {
    await mkdir(this.workDir, { recursive: true });
    const target = join(this.workDir, `${Date.now()}-${Math.random().toString(36).slice(2)}.wav`);
    const outputChannels = channels === 2 ? 2 : 1;
    await this.exec(this.ffmpeg, ['-nostdin', '-v', 'error', '-y', '-i', path, '-vn', '-ac', String(outputChannels), '-ar', '16000', '-c:a', 'pcm_s16le', target], 'convert');
    const info = await this.probe(target);
    return { ...info, path: target, remove: () => rm(target, { force: true }) };
  }

  private async exec(command: string, args: string[], verb: string): Promise<string> {
    try {
      const { stdout } = await run(command, args, { timeout: this.timeoutMs, maxBuffer: 1024 * 1024 });
      return stdout;
    } catch (error) {
      const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').pop()?.slice(0, 300);
      throw new StageError(`ffmpeg could not ${verb} the recording: ${detail}`, false);
    }
  }
}
