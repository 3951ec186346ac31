import { FfmpegAudioPreparer, PreparedAudio } from '../../src/pipeline/audio/audio-preparer';
import { PythonTranscriber, PythonTranscriberOptions } from '../../src/integrations/transcription/python-transcriber';
import { TranscriptResult, TranscriptSegment } from '../../src/integrations/transcription/transcriber.port';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { FakeTranscriptions, FakeTranscriptionsOptions, fakeTranscriptions } from '../fakes/openai-transcriptions';
import { Party, Recording, RecordOptions, SpeechStudio, Turn } from '../support/speech-audio';
import { baseOptions, tempDir } from './helpers';

const API_KEY = 'sk-test-telephony';
const CONVERSATION: [Party, string][] = [
  ['manager', 'Здравствуйте, компания Ромашка, меня зовут Анна. Чем могу помочь?'],
  ['client', 'Добрый день. Я хочу заказать доставку цветов на завтра.'],
  ['manager', 'Конечно. Куда доставить букет?'],
  ['client', 'На улицу Ленина, дом пять.'],
  ['manager', 'Отлично, стоимость доставки триста рублей. Оформляем?'],
  ['client', 'Да, оформляйте, пожалуйста.'],
];

/** Recordings as telephony writes them, through ffmpeg preparation and the openai-api engine to the fake server. */
describe('telephony recordings through the openai-api engine', () => {
  let dir: ReturnType<typeof tempDir>;
  let studio: SpeechStudio;
  let fake: FakeOpenAI | undefined;
  let transcriptions: FakeTranscriptions;
  let transcriber: PythonTranscriber | undefined;
  let preparer: FfmpegAudioPreparer;

  beforeAll(() => {
    dir = tempDir();
    studio = new SpeechStudio(dir.path('studio'));
    preparer = new FfmpegAudioPreparer(dir.path('work'));
  });

  afterAll(() => dir.remove());

  afterEach(async () => {
    await transcriber?.close();
    await fake?.close();
    transcriber = fake = undefined;
  });

  async function engine(options: Partial<PythonTranscriberOptions> = {}, server: FakeTranscriptionsOptions = {}): Promise<PythonTranscriber> {
    transcriptions = fakeTranscriptions({ apiKey: API_KEY, ...server });
    fake = await startFakeOpenAI(transcriptions.routes);
    transcriber = new PythonTranscriber(baseOptions({ backend: 'openai-api', baseUrl: fake.baseURL, apiKey: API_KEY, apiRetries: 0, ...options }));
    return transcriber;
  }

  async function transcribe(recording: Recording, managerChannel: 0 | 1 = 0): Promise<TranscriptResult> {
    const probed = await preparer.probe(recording.path);
    const prepared: PreparedAudio = await preparer.prepare(recording.path, probed.channels);
    try {
      return await transcriber!.transcribe({
        audioPath: prepared.path, channels: prepared.channels, durationSec: prepared.durationSec, managerChannel, language: 'ru', vocabularyHints: [],
      });
    } finally {
      await prepared.remove();
    }
  }

  function call(name: string, turns: Turn[], durationSec: number, options: RecordOptions = {}, holds = [] as { on: Party; at: number; sec: number }[]): Recording {
    return studio.record(name, { durationSec, turns, holds }, { format: 'mp3', ...options });
  }

  /** The segments that a spoken turn became: those starting within it. */
  function segmentsOf(result: TranscriptResult, turn: { start: number; end: number }): TranscriptSegment[] {
    return result.segments.filter((segment) => segment.start >= turn.start - 0.3 && segment.start < turn.end);
  }

  it('times every turn of a stereo call to its speech, with the speaker of its channel', async () => {
    await engine();
    const recording = call('stereo', studio.script(CONVERSATION, 0.8), 40);

    const result = await transcribe(recording);

    expect(result).toMatchObject({ channelLayout: 'stereo', requests: 2 });
    for (const turn of recording.turns) {
      const found = segmentsOf(result, turn);
      expect(found.length).toBeGreaterThan(0);
      expectNear(found[0].start, turn.start, 0.15);
      expectNear(found.at(-1)!.end, turn.end, 0.25);
      expect(new Set(found.map((segment) => segment.speaker))).toEqual(new Set([turn.speaker]));
    }
  });

  it('sends each channel\'s speech alone, compressed with a speech codec', async () => {
    await engine();
    const recording = call('silences', studio.script([...CONVERSATION, ...CONVERSATION], 4), 110);

    const result = await transcribe(recording);

    const spoken = recording.turns.reduce((sum, turn) => sum + turn.end - turn.start, 0);
    expect(transcriptions.received.map((request) => request.file?.contentType)).toEqual(['audio/ogg', 'audio/ogg']);
    const sentSec = transcriptions.received.reduce((sum, request) => sum + request.audioSec, 0);
    expect(sentSec).toBeCloseTo(result.sentSec, 0);
    expect(sentSec).toBeLessThan(spoken + recording.turns.length * 1.0);
    expect(sentSec).toBeLessThan(0.5 * 2 * recording.durationSec);
    const bytes = transcriptions.received.reduce((sum, request) => sum + request.file!.data.length, 0);
    expect(bytes).toBeLessThan(sentSec * 4000);
  });

  it('recognises a recording with the same mix on both channels once, without speakers', async () => {
    await engine();
    const recording = call('dual-mono', studio.script(CONVERSATION, 0.8), 40, { layout: 'dual_mono' });

    const result = await transcribe(recording);

    expect(result).toMatchObject({ channelLayout: 'dual_mono', requests: 1 });
    expect(new Set(result.segments.map((segment) => segment.speaker))).toEqual(new Set(['unknown']));
    for (const turn of recording.turns) expect(segmentsOf(result, turn).length).toBeGreaterThan(0);
    result.segments.slice(1).forEach((segment, index) => expect(segment.start).toBeGreaterThanOrEqual(result.segments[index].end));
  });

  it('keeps the same short answer to each of five questions', async () => {
    await engine();
    const questions = ['Вам удобно говорить?', 'Заказ на завтра?', 'Адрес прежний?', 'Оплата картой?', 'Счёт прислать на почту?'];
    const recording = call('five-yes', studio.script(questions.flatMap((question): [Party, string][] => [['manager', question], ['client', 'Да.']]), 0.6), 40);

    const result = await transcribe(recording);

    const answers = result.segments.filter((segment) => segment.speaker === 'client');
    expect(answers.map((segment) => segment.text)).toEqual(Array(5).fill(answers[0].text));
    expect(result.dropped).toBe(0);
  });

  it('keeps them too when the server gives no no-speech probability', async () => {
    await engine({}, { withoutNoSpeechProb: true });
    const lines = [1, 2, 3, 4, 5].flatMap((index): [Party, string][] => [['manager', `Вопрос номер ${index}, всё верно?`], ['client', 'Да.']]);

    const result = await transcribe(call('five-yes-plain', studio.script(lines, 0.6), 45));

    expect(result.segments.filter((segment) => segment.speaker === 'client')).toHaveLength(5);
  });

  it('drops what the engine invents on a hold tone', async () => {
    await engine({}, { phrases: { 425: { text: 'Продолжение следует...', noSpeechProb: 0.3, avgLogprob: -0.6 } } });
    const turns = studio.script(CONVERSATION.slice(0, 2), 0.8);
    const recording = call('hold', [...turns, { speaker: 'manager', text: 'Спасибо за ожидание.', at: 26 }], 30, {}, [{ on: 'client', at: 12, sec: 10 }]);

    const result = await transcribe(recording);

    expect(result.segments.map((segment) => segment.text)).not.toContain('Продолжение следует...');
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.segments.some((segment) => segment.start > 25)).toBe(true);
  });

  it('splits a long channel into chunks that fit the server\'s limit, at its silences, and joins them back in order', async () => {
    await engine({ uploadFormat: 'wav', maxUploadMb: 1 });
    const lines = Array.from({ length: 24 }, (_, index) => CONVERSATION[index % CONVERSATION.length]);
    const recording = call('long', studio.script(lines, 1.5), 160);

    const result = await transcribe(recording);

    expect(result.requests).toBeGreaterThan(2);
    expect(transcriptions.received.every((request) => request.file!.data.length < 1024 * 1024)).toBe(true);
    expect(transcriptions.received.every((request) => request.audioSec <= 31)).toBe(true);
    for (const turn of recording.turns) {
      const found = segmentsOf(result, turn);
      expect(found.length).toBeGreaterThan(0);
      expectNear(found[0].start, turn.start, 0.15);
      expect(found[0].speaker).toBe(turn.speaker);
    }
  });

  it('sends a chunk the server refuses as too large again in halves', async () => {
    await engine({ uploadFormat: 'wav', maxUploadMb: 2 }, { maxBodyBytes: 900 * 1024 });
    const lines = Array.from({ length: 24 }, (_, index) => CONVERSATION[index % CONVERSATION.length]);
    const recording = call('refused', studio.script(lines, 1.5), 160);

    const result = await transcribe(recording);

    expect(transcriptions.received.filter((request) => request.audioSec === 0).length).toBeGreaterThan(0);
    for (const turn of recording.turns) expect(segmentsOf(result, turn).length).toBeGreaterThan(0);
    expect(result.requests).toBe(transcriptions.received.length);
  });

  it('gives a chunk time in proportion to its audio', async () => {
    await engine({ baseTimeoutMs: 300, timeoutPerAudioSecondMs: 400 }, { latencyMs: 1500 });

    const result = await transcribe(call('slow-engine', studio.script(CONVERSATION.slice(0, 2), 0.8), 12));

    expect(result.segments.length).toBeGreaterThan(0);
  });
});

function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
}
