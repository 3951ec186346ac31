import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegBinary } from '../../src/common/packaged-binaries';
import { wavHeader } from '../transcription/wav';

/**
 * Phone calls made, not downloaded: espeak-ng speaks Russian turns (the manager in a male voice, the client in a
 * female one), sox resamples them and makes the hold tone, the turns are laid on each party's channel at their
 * times, and sox mixes the result into a stereo, mono or dual-mono recording (ffmpeg encodes mp3).
 */
export type Party = 'manager' | 'client';
export type Layout = 'stereo' | 'mono' | 'dual_mono';

export interface Turn { speaker: Party; text: string; at: number }
/** A hold tone (425 Hz) heard on one party's channel. */
export interface Hold { on: Party; at: number; sec: number }
export interface CallScript { durationSec: number; turns: Turn[]; holds?: Hold[] }

export interface RecordOptions {
  layout?: Layout;
  /** The channel of a stereo recording that carries the manager. */
  managerOn?: 'left' | 'right';
  format?: 'wav' | 'mp3';
}

/** A turn as recorded: where its sound starts and ends in the call. */
export interface SpokenTurn { speaker: Party; text: string; start: number; end: number }
export interface Recording { path: string; durationSec: number; turns: SpokenTurn[] }

export const RATE = 16000;
const VOICES: Record<Party, string[]> = { manager: ['-v', 'ru', '-s', '165'], client: ['-v', 'ru+f3', '-s', '150'] };
const SOUND_LEVEL = 500;

interface Voice { samples: Int16Array; soundFrom: number; soundTo: number }

export class SpeechStudio {
  private readonly voices = new Map<string, Voice>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** How long the spoken text lasts, silence around it included. */
  lengthSec(speaker: Party, text: string): number {
    return this.voice(speaker, text).samples.length / RATE;
  }

  /** Turns one after the other, each starting `pause` seconds (or what `pause(index)` says) after the previous. */
  script(lines: [Party, string][], pause: number | ((index: number) => number), startAt = 0.5): Turn[] {
    let at = startAt;
    return lines.map(([speaker, text], index) => {
      const turn = { speaker, text, at };
      at += this.lengthSec(speaker, text) + (typeof pause === 'number' ? pause : pause(index));
      return turn;
    });
  }

  record(name: string, script: CallScript, options: RecordOptions = {}): Recording {
    const frames = Math.round(script.durationSec * RATE);
    const channels: Record<Party, Int16Array> = { manager: new Int16Array(frames), client: new Int16Array(frames) };
    const turns = script.turns.map((turn) => this.lay(channels[turn.speaker], turn));
    for (const hold of script.holds ?? []) mix(channels[hold.on], this.holdTone(hold.sec), Math.round(hold.at * RATE));
    const [left, right] = options.managerOn === 'right' ? [channels.client, channels.manager] : [channels.manager, channels.client];
    const stereo = join(this.dir, `${name}.stereo.wav`);
    writeWav(stereo, [left, right]);
    const path = join(this.dir, `${name}.${options.format ?? 'wav'}`);
    const mixed = options.format === 'mp3' ? join(this.dir, `${name}.mixed.wav`) : path;
    arrange(stereo, mixed, options.layout ?? 'stereo');
    if (options.format === 'mp3') run(ffmpegBinary(), ['-v', 'error', '-y', '-i', mixed, '-c:a', 'libmp3lame', '-b:a', '64k', path]);
    return { path, durationSec: script.durationSec, turns };
  }

  private lay(channel: Int16Array, turn: Turn): SpokenTurn {
    const voice = this.voice(turn.speaker, turn.text);
    const offset = Math.round(turn.at * RATE);
    mix(channel, voice.samples, offset);
    return { speaker: turn.speaker, text: turn.text, start: (offset + voice.soundFrom) / RATE, end: (offset + voice.soundTo) / RATE };
  }

  private voice(speaker: Party, text: string): Voice {
    const key = `${speaker}:${text}`;
    let voice = this.voices.get(key);
    if (!voice) {
      const spoken = join(this.dir, `voice-${this.voices.size}.raw.wav`);
      const resampled = join(this.dir, `voice-${this.voices.size}.wav`);
      run('espeak-ng', [...VOICES[speaker], '-w', spoken, text]);
      run('sox', [spoken, '-r', String(RATE), '-b', '16', '-c', '1', resampled]);
      const samples = readWavSamples(resampled);
      const loud = (value: number) => Math.abs(value) > SOUND_LEVEL;
      voice = { samples, soundFrom: samples.findIndex(loud), soundTo: samples.findLastIndex(loud) + 1 };
      this.voices.set(key, voice);
    }
    return voice;
  }

  private holdTone(sec: number): Int16Array {
    const path = join(this.dir, `hold-${sec}.wav`);
    if (!existsSync(path)) run('sox', ['-n', '-r', String(RATE), '-b', '16', '-c', '1', path, 'synth', String(sec), 'sine', '425', 'vol', '0.3']);
    return readWavSamples(path);
  }
}

/** The stereo recording as the telephony writes it: as is, its two channels mixed into one, or that mix on both. */
function arrange(stereo: string, target: string, layout: Layout): void {
  if (layout === 'stereo') return writeFileSync(target, readFileSync(stereo));
  run('sox', [stereo, target, 'remix', ...(layout === 'mono' ? ['1,2'] : ['1,2', '1,2'])]);
}

function mix(channel: Int16Array, samples: Int16Array, offset: number): void {
  for (let index = 0; index < samples.length && offset + index < channel.length; index++) {
    channel[offset + index] = Math.max(-32768, Math.min(32767, channel[offset + index] + samples[index]));
  }
}

function writeWav(path: string, channels: Int16Array[]): void {
  const frames = channels[0].length;
  const interleaved = new Int16Array(frames * channels.length);
  channels.forEach((samples, channel) => samples.forEach((value, index) => { interleaved[index * channels.length + channel] = value; }));
  writeFileSync(path, Buffer.concat([wavHeader(interleaved.byteLength, channels.length, RATE), Buffer.from(interleaved.buffer)]));
}

function readWavSamples(path: string): Int16Array {
  const wav = readFileSync(path);
  const data = wav.indexOf('data', 12);
  const bytes = wav.subarray(data + 8, data + 8 + wav.readUInt32LE(data + 4));
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length - (bytes.length % 2)));
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
