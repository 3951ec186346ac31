import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DemoLine, timedSegments } from './demo-data';

/** Where speech comes from: espeak-ng when it is installed, tones shaped like syllables otherwise. */
export interface VoiceOptions {
  /** The espeak-ng program; a missing one falls back to tones. */
  espeak?: string;
  /** The ffmpeg program that encodes MP3; without one the recording stays WAV. */
  ffmpeg?: string;
}

export interface DemoRecording {
  bytes: Buffer;
  mime: string;
  extension: string;
  /** Seconds each line takes, in order, so the transcript can follow the audio. */
  durations: number[];
  durationSec: number;
  voice: 'espeak-ng' | 'tones';
}

const RATE = 22_050;
const TAIL_SEC = 0.5;
const SYLLABLES_PER_SEC = 4.5;
const VOICES = { manager: { espeak: 'ru', pitchHz: 130 }, client: { espeak: 'ru+f3', pitchHz: 210 } };

/** A stereo recording of the lines, the manager on the left channel and the client on the right. */
export async function synthesiseConversation(lines: DemoLine[], options: VoiceOptions = {}): Promise<DemoRecording> {
  const espeak = options.espeak ?? 'espeak-ng';
  const useEspeak = await runs(espeak, ['--version']);
  const voices = await Promise.all(lines.map((line) => (useEspeak ? spoken(espeak, line) : Promise.resolve(toned(line)))));
  const durations = voices.map((samples) => samples.length / RATE);
  const segments = timedSegments(lines, durations);
  const wav = wavFile(mixStereo(lines, voices, segments.map((segment) => segment.start)));
  const mp3 = await encodeMp3(wav, options.ffmpeg ?? shippedFfmpeg());
  return {
    bytes: mp3 ?? wav,
    mime: mp3 ? 'audio/mpeg' : 'audio/wav',
    extension: mp3 ? 'mp3' : 'wav',
    durations,
    durationSec: segments[segments.length - 1].end + TAIL_SEC,
    voice: useEspeak ? 'espeak-ng' : 'tones',
  };
}

async function spoken(espeak: string, line: DemoLine): Promise<Int16Array> {
  const wav = await output(espeak, ['-v', VOICES[line.speaker].espeak, '-s', '165', '--stdout', line.text]);
  return pcmOf(wav);
}

/**
 * A voice-like buzz for as long as reading the line takes: a pitch with two harmonics, pulsing at syllable rate.
 * One period of each is computed once and repeated.
 */
function toned(line: DemoLine): Int16Array {
  const samples = new Int16Array(Math.round((0.4 + line.text.length / 15) * RATE));
  const wave = period(RATE / VOICES[line.speaker].pitchHz, (phase) => Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  const syllable = period(RATE / SYLLABLES_PER_SEC, (phase) => 0.5 - 0.5 * Math.cos(phase));
  for (let index = 0; index < samples.length; index++) samples[index] = 5000 * syllable[index % syllable.length] * wave[index % wave.length];
  return samples;
}

function period(length: number, shape: (phase: number) => number): Float64Array {
  return Float64Array.from({ length: Math.round(length) }, (_, index) => shape((2 * Math.PI * index) / Math.round(length)));
}

/** Each line where its segment starts, the manager on the left channel and the client on the right. */
function mixStereo(lines: DemoLine[], voices: Int16Array[], starts: number[]): Int16Array {
  const frames = Math.ceil((starts[starts.length - 1] + voices[voices.length - 1].length / RATE + TAIL_SEC) * RATE);
  const stereo = new Int16Array(frames * 2);
  voices.forEach((samples, index) => {
    const channel = lines[index].speaker === 'manager' ? 0 : 1;
    const first = Math.round(starts[index] * RATE);
    samples.forEach((sample, offset) => (stereo[(first + offset) * 2 + channel] = sample));
  });
  return stereo;
}

/** The samples of a 16-bit mono WAV as espeak-ng writes it (a streamed one gives no data length). */
function pcmOf(wav: Buffer): Int16Array {
  const data = wav.indexOf('data', 12, 'ascii');
  if (data < 0 || wav.readUInt16LE(22) !== 1 || wav.readUInt32LE(24) !== RATE) throw new Error('espeak-ng wrote an unexpected WAV');
  const bytes = wav.subarray(data + 8, data + 8 + Math.floor((wav.length - data - 8) / 2) * 2);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function wavFile(stereo: Int16Array): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + stereo.byteLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(stereo.byteLength, 40);
  return Buffer.concat([header, Buffer.from(stereo.buffer, stereo.byteOffset, stereo.byteLength)]);
}

async function encodeMp3(wav: Buffer, ffmpeg: string): Promise<Buffer | undefined> {
  const args = ['-nostdin', '-v', 'error', '-f', 'wav', '-i', 'pipe:0', '-codec:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', 'pipe:1'];
  return output(ffmpeg, args, wav).catch(() => undefined);
}

/** The ffmpeg inside the npm package the pipeline uses, else the system's. */
function shippedFfmpeg(): string {
  try {
    const path = join(dirname(require.resolve('@ffmpeg-installer/linux-x64/package.json')), 'ffmpeg');
    return existsSync(path) ? path : 'ffmpeg';
  } catch {
    return 'ffmpeg';
  }
}

function runs(program: string, args: string[]): Promise<boolean> {
  return output(program, args).then(() => true, () => false);
}

function output(program: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
