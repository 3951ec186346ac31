import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { FakeTranscriptions, fakeTranscriptions } from '../fakes/openai-transcriptions';
import { PythonTranscriber, PythonTranscriberOptions } from '../../src/integrations/transcription/python-transcriber';
import { baseOptions, request, tempDir } from './helpers';
import { writeToneWav } from './wav';

const PHRASES = {
  440: 'Здравствуйте, компания Ромашка, меня зовут Анна.',
  550: 'Добрый день, хочу заказать доставку.',
  660: 'Оформим на завтра.',
};

describe('openai-api engine through the Python worker', () => {
  let dir: ReturnType<typeof tempDir>;
  let fake: FakeOpenAI;
  let transcriptions: FakeTranscriptions;
  let transcriber: PythonTranscriber;
  let stereo: string;

  beforeEach(async () => {
    dir = tempDir();
    transcriptions = fakeTranscriptions({ phrases: PHRASES, apiKey: 'sk-test-transcribe' });
    fake = await startFakeOpenAI(transcriptions.routes);
    stereo = writeToneWav(dir.path('call.wav'), 4, [[[0.2, 1.0, 440], [2.0, 2.6, 660]], [[1.1, 1.9, 550]]]);
  });

  afterEach(async () => {
    await transcriber.close();
    await fake.close();
    dir.remove();
  });

  function openaiApi(overrides: Partial<PythonTranscriberOptions> = {}): PythonTranscriber {
    transcriber = new PythonTranscriber(baseOptions({
      backend: 'openai-api', baseUrl: fake.baseURL, apiKey: 'sk-test-transcribe', apiRetries: 1, ...overrides,
    }));
    return transcriber;
  }

  it('transcribes each channel and merges them into one timeline with speakers', async () => {
    const result = await openaiApi().transcribe(request(stereo, { channels: 2, durationSec: 4, managerChannel: 1 }));

    expect(result.segments).toEqual([
      { start: expect.closeTo(0.2, 1), end: expect.closeTo(1, 1), speaker: 'client', text: PHRASES[440] },
      { start: expect.closeTo(1.1, 1), end: expect.closeTo(1.9, 1), speaker: 'manager', text: PHRASES[550] },
      { start: expect.closeTo(2, 1), end: expect.closeTo(2.6, 1), speaker: 'client', text: PHRASES[660] },
    ]);
    expect(result).toMatchObject({ engine: 'openai-api', model: 'whisper-1', language: 'ru', durationSec: 4, dropped: 0, channelLayout: 'stereo', requests: 2 });
    expect(transcriptions.received).toHaveLength(2);
  });

  it('sends the vocabulary hints as the prompt with the language, model and verbose_json', async () => {
    await openaiApi({ model: 'whisper-large-v3' }).transcribe(request(stereo, { channels: 2, vocabularyHints: ['Ромашка', 'СДЭК'] }));

    for (const call of transcriptions.received) {
      expect(call.fields).toEqual({
        model: 'whisper-large-v3', response_format: 'verbose_json', 'timestamp_granularities[]': 'segment',
        language: 'ru', prompt: 'Ромашка, СДЭК',
      });
      expect(call.authorization).toBe('Bearer sk-test-transcribe');
      expect(call.file).toMatchObject({ contentType: 'audio/wav', filename: expect.stringMatching(/\.wav$/) });
    }
  });

  it('leaves the language to the server when asked for auto, and reports the detected one', async () => {
    const result = await openaiApi().transcribe(request(stereo, { channels: 2, language: 'auto' }));

    expect(transcriptions.received.map((call) => call.fields.language)).toEqual([undefined, undefined]);
    expect(result.language).toBe('ru');
  });

  it('retries a server error inside the worker', async () => {
    transcriptions.failNext({ status: 500 });
    const result = await openaiApi().transcribe(request(stereo, { channels: 2 }));

    expect(result.segments).toHaveLength(3);
    expect(transcriptions.received).toHaveLength(3);
  });

  it('waits as long as Retry-After says on 429', async () => {
    transcriptions.failNext({ status: 429, retryAfterSec: 1 });
    const started = Date.now();

    await openaiApi().transcribe(request(stereo, { channels: 2 }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(transcriptions.received).toHaveLength(3);
  });

  it('reports rate limiting with the wait when retries run out', async () => {
    transcriptions.failNext({ status: 429, retryAfterSec: 7 });
    const failure = openaiApi({ apiRetries: 0 }).transcribe(request(stereo, { channels: 2 }));

    await expect(failure).rejects.toMatchObject({ failure: 'rate_limited', retryAfterMs: 7000, retryable: true });
  });

  it('reports malformed JSON from the server as a bad response', async () => {
    transcriptions.failNext({ malformedJson: true });
    const failure = openaiApi().transcribe(request(stereo, { channels: 2 }));

    await expect(failure).rejects.toMatchObject({ failure: 'bad_response', message: expect.stringContaining('malformed JSON') });
  });

  it('reports a refused key as an auth failure', async () => {
    const failure = openaiApi({ apiKey: 'sk-wrong' }).transcribe(request(stereo, { channels: 2 }));

    await expect(failure).rejects.toMatchObject({ failure: 'auth', message: expect.stringContaining('Incorrect API key') });
    expect(JSON.stringify(await failure.catch((error: Error) => error.message))).not.toContain('sk-wrong');
  });

  it('times out a server that answers too slowly', async () => {
    transcriptions.failNext({ slowMs: 5000 });
    const failure = openaiApi({ baseTimeoutMs: 800, timeoutPerAudioSecondMs: 0 }).transcribe(request(stereo, { channels: 2 }));

    await expect(failure).rejects.toMatchObject({ failure: 'timeout' });
  });
});
