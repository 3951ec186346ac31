import { IncomingMessage, ServerResponse } from 'node:http';
import { FakeOpenAIHandler, sendJson } from './openai-server';

/**
 * `POST /v1/audio/transcriptions` of an OpenAI-compatible server. It "recognises" the pure tones that tests write
 * into WAV files: every stretch of sound becomes one verbose_json segment whose text is looked up by frequency.
 */
export interface ReceivedTranscription {
  fields: Record<string, string>;
  file?: { filename: string; contentType: string; data: Buffer };
  authorization?: string;
  /** How long this fake took to answer, i.e. the engine time seen by the client. */
  handledMs: number;
}

export type TranscriptionFailure =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfterSec: number }
  | { slowMs: number }
  | { malformedJson: true };

export interface FakeTranscriptionsOptions {
  /** Text per tone frequency in hertz (rounded to 10 Hz); other tones read `tone <hz>`. */
  phrases?: Record<number, string>;
  /** Added to every answer, standing for the recogniser's own work. */
  latencyMs?: number;
  /** Answers 401 unless the request carries `Bearer <apiKey>`. */
  apiKey?: string;
}

export interface FakeTranscriptions {
  routes: Record<string, FakeOpenAIHandler>;
  received: ReceivedTranscription[];
  /** The next requests fail in this order, one failure each. */
  failNext(...failures: TranscriptionFailure[]): void;
}

interface VoicedRegion { start: number; end: number; hertz: number }

export function fakeTranscriptions(options: FakeTranscriptionsOptions = {}): FakeTranscriptions {
  const received: ReceivedTranscription[] = [];
  const failures: TranscriptionFailure[] = [];
  const handler: FakeOpenAIHandler = async (req, res, body) => {
    const started = performance.now();
    const form = parseMultipart(req, body);
    const call: ReceivedTranscription = { ...form, authorization: req.headers.authorization, handledMs: 0 };
    received.push(call);
    await answer(res, form, failures.shift(), options);
    call.handledMs = performance.now() - started;
  };
  return { routes: { 'POST /v1/audio/transcriptions': handler }, received, failNext: (...next) => failures.push(...next) };
}

async function answer(
  res: ServerResponse,
  form: Pick<ReceivedTranscription, 'fields' | 'file'>,
  failure: TranscriptionFailure | undefined,
  options: FakeTranscriptionsOptions,
): Promise<void> {
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
  if (form.fields.response_format !== 'verbose_json') {
    return sendJson(res, 400, { error: { message: 'this fake answers verbose_json only', type: 'invalid_request_error' } });
  }
  sendJson(res, 200, verboseJson(form.file.data, form.fields.language, options.phrases ?? {}));
}

function sendFailure(res: ServerResponse, failure: { status: number; retryAfterSec?: number }): void {
  const headers: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
  const message = failure.status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request';
  sendJson(res, failure.status, { error: { message, type: failure.status === 429 ? 'requests' : 'server_error' } }, headers);
}

function verboseJson(wav: Buffer, language: string | undefined, phrases: Record<number, string>) {
  const audio = readMonoWav(wav);
  const segments = voicedRegions(audio.samples, audio.rate).map((region, id) => ({
    id, seek: 0, start: region.start, end: region.end, text: ` ${phrases[region.hertz] ?? `tone ${region.hertz}`}`,
    tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1.1, no_speech_prob: 0.01,
  }));
  return {
    task: 'transcribe',
    language: language === 'en' ? 'english' : 'russian',
    duration: audio.samples.length / audio.rate,
    text: segments.map((segment) => segment.text.trim()).join(' '),
    segments,
  };
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

function readMonoWav(wav: Buffer): { rate: number; samples: Int16Array } {
  let offset = 12;
  let rate = 16000;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(offset + 12);
    if (id === 'data') {
      const data = wav.subarray(offset + 8, offset + 8 + size);
      return { rate, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length - (data.length % 2))) };
    }
    offset += 8 + size + (size % 2);
  }
  return { rate, samples: new Int16Array(0) };
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
