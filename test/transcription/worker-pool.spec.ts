import { join } from 'node:path';
import { IntegrationError } from '../../src/common/errors';
import { PythonTranscriber } from '../../src/integrations/transcription/python-transcriber';
import { baseOptions, readStandinLog, request, STANDIN_ENGINE_DIR, tempDir } from './helpers';
import { writeToneWav } from './wav';

describe('PythonTranscriber worker pool', () => {
  let dir: ReturnType<typeof tempDir>;
  let transcriber: PythonTranscriber | undefined;

  beforeEach(() => { dir = tempDir(); });
  afterEach(async () => { await transcriber?.close(); transcriber = undefined; dir.remove(); });

  function withStandin(overrides: Parameters<typeof baseOptions>[0] = {}): PythonTranscriber {
    transcriber = new PythonTranscriber(baseOptions({
      extraEnv: { PYTHONPATH: STANDIN_ENGINE_DIR, STANDIN_LOG: dir.path('standin.log') },
      ...overrides,
    }));
    return transcriber;
  }

  const loads = () => readStandinLog(dir.path('standin.log')).filter((entry) => entry.event === 'load');

  it('retries a file on a fresh worker when its worker dies mid-file', async () => {
    const audio = writeToneWav(dir.path('crash-once.wav'), 2, [[[0.2, 1.0, 440]]]);

    const result = await withStandin().transcribe(request(audio));

    expect(result.segments).toEqual([{ start: 0.2, end: 1, speaker: 'unknown', text: 'Здравствуйте, компания Ромашка, меня зовут Анна.' }]);
    expect(new Set(loads().map((entry) => entry.pid)).size).toBe(2);
  });

  it('gives up after one retry when the fresh worker dies too', async () => {
    const audio = writeToneWav(dir.path('crash-always.wav'), 1, [[[0.2, 0.8, 440]]]);

    const failure = withStandin().transcribe(request(audio));

    await expect(failure).rejects.toMatchObject({ integration: 'transcription', failure: 'unavailable', message: expect.stringContaining('exited (code 3)') });
    expect(loads()).toHaveLength(2);
  });

  it('kills a worker hung on a chunk at that chunk\'s timeout and serves the next file on a new one', async () => {
    const transcriber = withStandin({ baseTimeoutMs: 500, timeoutPerAudioSecondMs: 250 });
    const hung = writeToneWav(dir.path('hang.wav'), 20, [[[0.2, 1.0, 440]]]);
    const fine = writeToneWav(dir.path('fine.wav'), 2, [[[0.2, 1.0, 550]]]);

    const started = Date.now();
    await expect(transcriber.transcribe(request(hung, { durationSec: 20 }))).rejects.toMatchObject({
      failure: 'timeout', message: 'a chunk of 1.2 s of audio took longer than 800 ms',
    });
    expect(Date.now() - started).toBeLessThan(5_000);

    const result = await transcriber.transcribe(request(fine));
    expect(result.segments[0].text).toBe('Добрый день, мне нужна доставка.');
    const [firstPid, secondPid] = loads().map((entry) => entry.pid);
    expect(() => process.kill(firstPid, 0)).toThrow();
    expect(secondPid).not.toBe(firstPid);
  });

  it('reports a worker that writes something other than JSON', async () => {
    transcriber = new PythonTranscriber(baseOptions({ scriptPath: join(__dirname, 'bad-json-worker.py') }));
    const audio = writeToneWav(dir.path('call.wav'), 1, [[]]);

    const failure = transcriber.transcribe(request(audio));

    await expect(failure).rejects.toBeInstanceOf(IntegrationError);
    await expect(failure).rejects.toMatchObject({ failure: 'bad_response', message: expect.stringContaining('not a JSON object: Downloading model.bin') });
  });

  it('queues requests beyond the pool size and runs at most that many at once', async () => {
    const transcriber = withStandin({ poolSize: 2 });
    const files = [0, 1, 2, 3, 4].map((index) => writeToneWav(dir.path(`slow-${index}.wav`), 1, [[[0.1, 0.6, 660]]]));

    const results = await Promise.all(files.map((file) => transcriber.transcribe(request(file))));

    expect(results.map((result) => result.segments[0].text)).toEqual(Array(5).fill('Да, конечно, оформим заказ.'));
    expect(loads()).toHaveLength(2);
    const calls = readStandinLog(dir.path('standin.log')).filter((entry) => entry.event === 'transcribe');
    expect(maxOverlap(calls.map((call) => [call.started!, call.finished!]))).toBe(2);
  });

  it('starts workers only when the first file arrives', async () => {
    const transcriber = withStandin({ poolSize: 3 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(() => loads()).toThrow(/ENOENT/);

    await transcriber.transcribe(request(writeToneWav(dir.path('call.wav'), 1, [[[0.1, 0.6, 440]]])));
    expect(loads()).toHaveLength(1);
  });

  it('passes a Python error through with its code mapped to the integration failure', async () => {
    const failure = withStandin().transcribe(request(dir.path('absent.wav')));
    await expect(failure).rejects.toMatchObject({ failure: 'not_found', message: expect.stringContaining('file_not_found') });
  });

  it('says how to install a missing engine', async () => {
    transcriber = new PythonTranscriber(baseOptions({ extraEnv: { PYTHONPATH: dir.path('nothing') } }));
    const failure = transcriber.transcribe(request(writeToneWav(dir.path('call.wav'), 1, [[]])));
    await expect(failure).rejects.toMatchObject({ failure: 'not_configured', message: expect.stringContaining('pip install faster-whisper') });
  });

  it('reports an interpreter that does not exist', async () => {
    transcriber = new PythonTranscriber(baseOptions({ pythonPath: dir.path('no-python') }));
    await expect(transcriber.transcribe(request(dir.path('call.wav')))).rejects.toMatchObject({ failure: 'not_configured', message: expect.stringContaining('ENOENT') });
  });

  it('ends its workers on close', async () => {
    const transcriber = withStandin({ poolSize: 2 });
    const files = [0, 1].map((index) => writeToneWav(dir.path(`slow-${index}.wav`), 1, [[[0.1, 0.6, 440]]]));
    await Promise.all(files.map((file) => transcriber.transcribe(request(file))));

    await transcriber.onModuleDestroy();

    for (const { pid } of loads()) expect(() => process.kill(pid, 0)).toThrow();
    await expect(transcriber.transcribe(request(files[0]))).rejects.toMatchObject({ message: 'transcription is shutting down' });
  });
});

function maxOverlap(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let max = 0;
  for (const [, change] of edges) max = Math.max(max, (running += change));
  return max;
}
