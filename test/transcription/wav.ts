import { writeFileSync } from 'node:fs';

/** Stretches of pure tone on silence, one list per channel: what the fake recognisers "hear". */
export type Tone = [startSec: number, endSec: number, hertz: number];

export function writeToneWav(path: string, durationSec: number, channels: Tone[][], rate = 16000): string {
  const frames = Math.round(durationSec * rate);
  const samples = new Int16Array(frames * channels.length);
  channels.forEach((tones, channel) => {
    for (const [start, end, hertz] of tones) {
      for (let index = Math.round(start * rate); index < Math.min(Math.round(end * rate), frames); index++) {
        samples[index * channels.length + channel] = Math.round(8000 * Math.sin((2 * Math.PI * hertz * index) / rate));
      }
    }
  });
  writeFileSync(path, Buffer.concat([wavHeader(samples.byteLength, channels.length, rate), Buffer.from(samples.buffer)]));
  return path;
}

export function wavHeader(dataBytes: number, channels: number, rate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
