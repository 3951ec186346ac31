import { spawn } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { ffmpegBinary } from '../../src/common/packaged-binaries';
import { FakeOpenAIHandler, sendJson } from './openai-server';

/**
 * `POST /v1/audio/transcriptions` of an OpenAI-compatible server. It cannot recognise words; it finds where there is
 * sound in what it receives (WAV, or anything ffmpeg decodes: ogg, mp3…) and answers with one verbose_json segment
 * per stretch of sound, timed to it. A pure tone reads as the phrase configured for its frequency (tests write tones
 * to script the text); any other sound, such as speech, reads as the first words of a fixed sentence, one word per
 * 0.4 s, so the same utterance reads the same every time. Like OpenAI it refuses a request body over 25 MiB with 413
 * and a file whose name has an unsupported extension with 400.
 */
export interface ReceivedTranscription {
  fields: Record<string, string>;
  file?: { filename: string; contentType: string; data: Buffer };
  authorization?: string;
  /** Seconds of audio in the file, as decoded; 0 when it was refused before decoding. */
  audioSec: number;
  /** How long this fake took to answer, i.e. the engine time seen by the client. */
  handledMs: number;
}

export type TranscriptionFailure =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfterSec: number }
  | { slowMs: number }
  | { malformedJson: true };

/** What a tone of some frequency reads as, with the recogniser's confidence in it. */
export interface FakePhrase {
  text: string;
  noSpeechProb?: number;
  avgLogprob?: number;
}

export interface FakeTranscriptionsOptions {
  /** Text per tone frequency in hertz (within 15 Hz). */
  phrases?: Record<number, string | FakePhrase>;
  /** Added to every answer, standing for the recogniser's own work. */
  latencyMs?: number;
  /** Answers 401 unless the request carries `Bearer <apiKey>`. */
  apiKey?: string;
  /** Larger request bodies get 413; OpenAI's limit, 25 MiB, by default. */
  maxBodyBytes?: number;
  /** Segments without no_speech_prob, as some local Whisper servers answer. */
  withoutNoSpeechProb?: boolean;
}

export interface FakeTranscriptions {
  routes: Record<string, FakeOpenAIHandler>;
  received: ReceivedTranscription[];
  /** The next requests fail in this order, one failure each. */
  failNext(...failures: TranscriptionFailure[]): void;
}

interface VoicedRegion { start: number; end: number; hertz: number }

export const OPENAI_MAX_BODY_BYTES = 25 * 1024 * 1024;
const SUPPORTED_EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
const RATE = 16000;
const WORDS = 'да конечно мы можем оформить доставку завтра утром по адресу который вы укажете в заявке и сразу пришлём счёт на почту'.split(' ');
const SEC_PER_WORD = 0.4;
const PHRASE_TOLERANCE_HZ = 15;

export function fakeTranscriptions(options: FakeTranscriptionsOptions = {}): FakeTranscriptions {
  const received: ReceivedTranscription[] = [];
  const failures: TranscriptionFailure[] = [];
  const handler: FakeOpenAIHandler = async (req, res, body) => {
    const started = performance.now();
    const form = body.length > (options.maxBodyBytes ?? OPENAI_MAX_BODY_BYTES) ? { fields: {} } : parseMultipart(req, body);
    const call: ReceivedTranscription = { ...form, authorization: req.headers.authorization, audioSec: 0, handledMs: 0 };
    received.push(call);
    await answer(res, body.length, form, failures.shift(), options, call);
    call.handledMs = performance.now() - started;
  };
  return { routes: { 'POST /v1/audio/transcriptions': handler }, received, failNext: (...next) => failures.push(...next) };
}

async function answer(
  res: ServerResponse,
  bodyBytes: number,
  form: Pick<ReceivedTranscription, 'fields' | 'file'>,
  failure: TranscriptionFailure | undefined,
  options: FakeTranscriptionsOptions,
  call: ReceivedTranscription,
): Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? OPENAI_MAX_BODY_BYTES;
  if (bodyBytes > maxBodyBytes) {
    return sendJson(res, 413, { error: { message: `Maximum content size limit (${maxBodyBytes}) exceeded (${bodyBytes} bytes read)`, type: 'server_error', param: null, code: null } });
  }
  if (options.latencyMs) await pause(res, options.latencyMs);
  if (failure && 'slowMs' in failure) await pause(res, failure.slowMs);
  if (failure && 'status' in failure) return sendFailure(res, failure);
  if (failure && 'malformedJson' in failure) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end('{"text": "Здравствуйте", "segments": [');
  }
  if (options.apiKey && res.req.headers.authorization !== `Bearer ${options.apiKey}`) {
    return sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
  }
  if (!form.file) return sendJson(res, 400, { error: { message: 'file is required', type: 'invalid_request_error' } });
  if (!SUPPORTED_EXTENSIONS.includes(form.file.filename.split('.').pop()?.toLowerCase() ?? '')) {
    return sendJson(res, 400, { error: { message: `Invalid file format. Supported formats: ${JSON.stringify(SUPPORTED_EXTENSIONS)}`, type: 'invalid_request_error', param: null, code: null } });
  }
  if (form.fields.response_format !== 'verbose_json') {
    return sendJson(res, 400, { error: { message: 'this fake answers verbose_json only', type: 'invalid_request_error' } });
  }
  const samples = await decode(form.file.data);
  if (!samples) return sendJson(res, 400, { error: { message: 'Audio file might be corrupted or unsupported', type: 'invalid_request_error', param: 'file', code: 'invalid_value' } });
  call.audioSec = samples.length / RATE;
  sendJson(res, 200, verboseJson(samples, form.fields.language, options));
}

function sendFailure(res: ServerResponse, failure: { status: number; retryAfterSec?: number }): void {
  const headers: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
  const message = failure.status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request';
  sendJson(res, failure.status, { error: { message, type: failure.status === 429 ? 'requests' : 'server_error' } }, headers);
}

function verboseJson(samples: Int16Array, language: string | undefined, options: FakeTranscriptionsOptions) {
  const segments = voicedRegions(samples, RATE).map((region, id) => {
    const phrase = phraseOf(region, options.phrases ?? {});
    return {
      id, seek: 0, start: region.start, end: region.end, text: ` ${phrase.text}`, tokens: [], temperature: 0,
      avg_logprob: phrase.avgLogprob ?? -0.2, compression_ratio: 1.1,
      ...(options.withoutNoSpeechProb ? {} : { no_speech_prob: phrase.noSpeechProb ?? 0.01 }),
    };
  });
  return {
    task: 'transcribe',
    language: language === 'en' ? 'english' : 'russian',
    duration: samples.length / RATE,
    text: segments.map((segment) => segment.text.trim()).join(' '),
    segments,
  };
}

function phraseOf(region: VoicedRegion, phrases: Record<number, string | FakePhrase>): FakePhrase {
  const hertz = Object.keys(phrases).map(Number).find((tone) => Math.abs(tone - region.hertz) <= PHRASE_TOLERANCE_HZ);
  if (hertz !== undefined) {
    const phrase = phrases[hertz];
    return typeof phrase === 'string' ? { text: phrase } : phrase;
  }
  const words = WORDS.slice(0, Math.max(1, Math.min(WORDS.length, Math.round((region.end - region.start) / SEC_PER_WORD))));
  return { text: `${words.join(' ')}.`.replace(/^./, (first) => first.toUpperCase()) };
}

/** 16 kHz mono samples of a WAV read directly, or of anything else through ffmpeg; undefined when it does not decode. */
async function decode(data: Buffer): Promise<Int16Array | undefined> {
  if (data.toString('ascii', 0, 4) === 'RIFF') {
    const wav = readWav(data);
    if (wav.rate === RATE && wav.channels === 1) return wav.samples;
  }
  return new Promise((resolve) => {
    const ffmpeg = spawn(ffmpegBinary(), ['-v', 'error', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', String(RATE), 'pipe:1']);
    const chunks: Buffer[] = [];
    ffmpeg.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    ffmpeg.stdin.on('error', () => undefined);
    ffmpeg.on('close', (code) => {
      const pcm = Buffer.concat(chunks);
      resolve(code === 0 ? new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2)) : undefined);
    });
    ffmpeg.stdin.end(data);
  });
}

export function parseMultipart(req: IncomingMessage, body: Buffer): Pick<ReceivedTranscription, 'fields' | 'file'> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
  const fields: Record<string, string> = {};
  if (!boundary) return { fields };
  let file: ReceivedTranscription['file'];
  for (const part of splitParts(body, `--${boundary[1] ?? boundary[2]}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const data = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (filename === undefined) fields[name] = data.toString('utf8');
    else file = { filename, contentType: /content-type:\s*(\S+)/i.exec(headers)?.[1] ?? '', data };
  }
  return { fields, file };
}

function splitParts(body: Buffer, delimiter: string): Buffer[] {
  const parts: Buffer[] = [];
  let from = body.indexOf(delimiter);
  while (from !== -1) {
    const start = from + delimiter.length + 2;
    const next = body.indexOf(`\r\n${delimiter}`, start);
    if (next === -1) break;
    parts.push(body.subarray(start, next));
    from = next + 2;
  }
  return parts;
}

function readWav(wav: Buffer): { rate: number; channels: number; samples: Int16Array } {
  let offset = 12;
  let rate = 16000;
  let channels = 1;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(offset + 10);
      rate = wav.readUInt32LE(offset + 12);
    }
    if (id === 'data') {
      const data = wav.subarray(offset + 8, offset + 8 + size);
      return { rate, channels, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length - (data.length % 2))) };
    }
    offset += 8 + size + (size % 2);
  }
  return { rate, channels, samples: new Int16Array(0) };
}

function voicedRegions(samples: Int16Array, rate: number): VoicedRegion[] {
  const frame = Math.round(rate * 0.02);
  const regions: { start: number; end: number }[] = [];
  for (let offset = 0; offset < samples.length; offset += frame) {
    const chunk = samples.subarray(offset, offset + frame);
    const rms = Math.sqrt(chunk.reduce((sum, value) => sum + value * value, 0) / chunk.length);
    if (rms < 300) continue;
    const start = offset / rate;
    const end = (offset + chunk.length) / rate;
    const last = regions.at(-1);
    if (last && start - last.end <= 0.2) last.end = end;
    else regions.push({ start, end });
  }
  return regions.map((region) => ({ ...region, hertz: toneOf(samples, rate, region) }));
}

function toneOf(samples: Int16Array, rate: number, region: { start: number; end: number }): number {
  const part = samples.subarray(Math.floor(region.start * rate), Math.floor(region.end * rate));
  let crossings = 0;
  for (let index = 1; index < part.length; index++) if (part[index - 1] < 0 !== part[index] < 0) crossings++;
  return Math.round(crossings / 2 / (region.end - region.start) / 10) * 10;
}

/** Ends early when the client hangs up, so a test never waits on a timer of an abandoned request. */
function pause(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => { clearTimeout(timer); resolve(); });
  });
}
