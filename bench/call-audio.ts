/*
 * What the transcription engine is sent per call: seconds of audio per minute of call, requests, bytes, and calls
 * that fail, on generated two-party calls with realistic talk and silence.
 *
 * The path is the one users take after the download: the recording (stereo mp3, manager left) is prepared by ffmpeg
 * (FfmpegAudioPreparer) and transcribed by the Python worker pool (PythonTranscriber, openai-api engine, default
 * settings). Stubbed: the recogniser, a fake OpenAI server on 127.0.0.1 that answers at once with segments timed to
 * the sound it finds and enforces OpenAI's 25 MiB request limit. Figures are read from what that server received.
 *
 * Calls are spoken by espeak-ng (Russian; sox resamples and mixes): turns alternate with gaps of 0.2–0.9 s, a speaker
 * sometimes goes on after a pause, some pauses are long (3–6 s), and some calls put the client on hold (a 425 Hz tone)
 * for 20–60 s. The same seed gives the same calls.
 *   npm run bench:call-audio      Options (env): BENCH_CALL_MINUTES (1,2,3,5,8,12,18,25), BENCH_SEED (20)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { PythonTranscriber } from '../src/integrations/transcription/python-transcriber';
import { FfmpegAudioPreparer } from '../src/pipeline/audio/audio-preparer';
import { startFakeOpenAI } from '../test/fakes/openai-server';
import { FakeTranscriptions, fakeTranscriptions } from '../test/fakes/openai-transcriptions';
import { Hold, Party, Recording, SpeechStudio, Turn } from '../test/support/speech-audio';

const CALL_MINUTES = (process.env.BENCH_CALL_MINUTES ?? '1,2,3,5,8,12,18,25').split(',').map(Number);
const SEED = Number(process.env.BENCH_SEED ?? 20);
const API_KEY = 'sk-bench';

const MANAGER_LINES = [
  'Здравствуйте, компания Ромашка, меня зовут Анна. Чем могу помочь?',
  'Подскажите, пожалуйста, на какую дату вам нужна доставка?',
  'Букет из двадцати пяти роз стоит четыре тысячи пятьсот рублей.',
  'Доставка по городу бесплатная при заказе от трёх тысяч.',
  'Могу предложить композицию в корзине, она дольше стоит.',
  'Оплатить можно картой курьеру или по ссылке заранее.',
  'Давайте я пришлю вам фотографии вариантов в мессенджер.',
  'Курьер позвонит за час до приезда.',
  'Записала адрес: улица Ленина, дом пять, квартира двенадцать.',
  'Есть ли у вас пожелания к открытке?',
  'Отлично, заказ оформлен, номер заказа придёт в сообщении.',
  'Спасибо за звонок, хорошего дня!',
];
const CLIENT_LINES = [
  'Добрый день. Я хочу заказать цветы на завтра.',
  'А сколько стоит доставка на другой конец города?',
  'Мне нужно что-нибудь не очень дорогое, до пяти тысяч.',
  'Хорошо, а можно добавить небольшую открытку?',
  'Подождите, я уточню адрес у мужа.',
  'Нет, лучше утром, часов в десять.',
  'А если получателя не будет дома?',
  'Понятно, спасибо, тогда оформляйте.',
];
const SHORT_ANSWERS = ['Да.', 'Угу.', 'Хорошо.', 'Нет.', 'Понятно.'];

interface Measured {
  minutes: number;
  speechShare: number;
  requests: number;
  refused: number;
  sentSec: number;
  bytes: number;
  wallSec: number;
  failure?: string;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const dir = mkdtempSync(join(tmpdir(), 'call-audio-bench-'));
  const transcriptions = fakeTranscriptions({ apiKey: API_KEY });
  const fake = await startFakeOpenAI(transcriptions.routes);
  const transcriber = new PythonTranscriber({
    pythonPath: process.env.PYTHON_PATH ?? 'python3', scriptPath: resolve('python/transcribe.py'), poolSize: 1,
    backend: 'openai-api', baseUrl: fake.baseURL, apiKey: API_KEY, baseTimeoutMs: 60_000, timeoutPerAudioSecondMs: 2_000,
  });
  const preparer = new FfmpegAudioPreparer(join(dir, 'work'));
  const studio = new SpeechStudio(join(dir, 'studio'));
  const random = seeded(SEED);
  try {
    const results: Measured[] = [];
    for (const minutes of CALL_MINUTES) {
      const recording = generateCall(studio, random, minutes);
      results.push(await measure(recording, minutes, preparer, transcriber, transcriptions));
      process.stderr.write(`${minutes} min done\n`);
    }
    report(results);
  } finally {
    await transcriber.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function generateCall(studio: SpeechStudio, random: () => number, minutes: number): Recording {
  const durationSec = minutes * 60;
  const turns: Turn[] = [];
  const holds: Hold[] = [];
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const holdAt = minutes >= 3 && random() < 0.6 ? durationSec * (0.3 + 0.4 * random()) : Infinity;
  let at = 0.5 + random();
  let speaker: Party = 'manager';
  while (at < durationSec - 8) {
    if (at >= holdAt && holds.length === 0) {
      const sec = 20 + Math.round(40 * random());
      holds.push({ on: 'client', at, sec });
      at += sec + 0.5;
      speaker = 'manager';
    }
    const text = speaker === 'manager' ? pick(MANAGER_LINES) : random() < 0.3 ? pick(SHORT_ANSWERS) : pick(CLIENT_LINES);
    turns.push({ speaker, text, at });
    at += studio.lengthSec(speaker, text) + pause(random);
    if (random() > 0.1) speaker = speaker === 'manager' ? 'client' : 'manager';
  }
  return studio.record(`call-${minutes}`, { durationSec, turns, holds }, { format: 'mp3' });
}

function pause(random: () => number): number {
  return random() < 0.04 ? 3 + 3 * random() : 0.2 + 0.7 * random();
}

async function measure(
  recording: Recording, minutes: number, preparer: FfmpegAudioPreparer, transcriber: PythonTranscriber, transcriptions: FakeTranscriptions,
): Promise<Measured> {
  const first = transcriptions.received.length;
  const started = performance.now();
  let failure: string | undefined;
  const probed = await preparer.probe(recording.path);
  const prepared = await preparer.prepare(recording.path, probed.channels);
  try {
    await transcriber.transcribe({ audioPath: prepared.path, channels: prepared.channels, durationSec: prepared.durationSec, managerChannel: 0, language: 'ru', vocabularyHints: [] });
  } catch (error) {
    failure = (error as Error).message.slice(0, 120);
  } finally {
    await prepared.remove();
  }
  const received = transcriptions.received.slice(first);
  const spoken = recording.turns.reduce((sum, turn) => sum + turn.end - turn.start, 0);
  return {
    minutes,
    speechShare: spoken / (2 * recording.durationSec),
    requests: received.length,
    refused: received.filter((request) => request.audioSec === 0).length,
    sentSec: received.reduce((sum, request) => sum + request.audioSec, 0),
    bytes: received.reduce((sum, request) => sum + (request.file?.data.length ?? 0), 0),
    wallSec: (performance.now() - started) / 1000,
    failure,
  };
}

function report(results: Measured[]): void {
  console.log('call min | speech per channel | requests | refused | audio sent, s per call min | MB sent | wall s | outcome');
  for (const r of results) {
    console.log([
      String(r.minutes).padStart(8), `${(100 * r.speechShare).toFixed(0)}%`.padStart(18), String(r.requests).padStart(8),
      String(r.refused).padStart(7), (r.sentSec / r.minutes).toFixed(1).padStart(26), (r.bytes / 1e6).toFixed(2).padStart(7),
      r.wallSec.toFixed(1).padStart(6), r.failure ? `failed: ${r.failure}` : 'transcribed',
    ].join(' | '));
  }
  const minutes = results.reduce((sum, r) => sum + r.minutes, 0);
  const done = results.filter((r) => !r.failure);
  console.log(`all ${results.length} calls, ${minutes} min: ${(results.reduce((sum, r) => sum + r.sentSec, 0) / minutes).toFixed(1)} s of audio sent per call minute, `
    + `${(results.reduce((sum, r) => sum + r.requests, 0) / results.length).toFixed(2)} requests per call, ${results.length - done.length} failed`);
  const doneMinutes = done.reduce((sum, r) => sum + r.minutes, 0);
  if (done.length) {
    console.log(`transcribed calls (${done.length}, ${doneMinutes} min): ${(done.reduce((sum, r) => sum + r.sentSec, 0) / doneMinutes).toFixed(1)} s sent per call minute, `
      + `${(done.reduce((sum, r) => sum + r.requests, 0) / done.length).toFixed(2)} requests per call`);
  }
}

/** mulberry32: the same calls for the same seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
