/*
 * Per-file overhead of the long-lived transcription worker pool against one Python process per file, both
 * through the openai-api engine against the fake OpenAI server. Overhead = wall time minus the server's own time.
 *
 * Run from the repository root (test/ is outside the Nest build, so the bench is compiled on its own):
 *   export PATH=/opt/node24/bin:$PATH
 *   npx tsc --ignoreConfig bench/transcription-pool.ts --outDir /tmp/crm-bench --rootDir . --module nodenext \
 *     --moduleResolution nodenext --target es2023 --types node --skipLibCheck --esModuleInterop \
 *     && NODE_PATH=node_modules node /tmp/crm-bench/bench/transcription-pool.js
 * Options (env): BENCH_FILES (200), BENCH_ENGINE_MS (20, the fake's answer time).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@nestjs/common';
import { PythonTranscriber } from '../src/integrations/transcription/python-transcriber';
import { startFakeOpenAI } from '../test/fakes/openai-server';
import { FakeTranscriptions, fakeTranscriptions } from '../test/fakes/openai-transcriptions';
import { writeToneWav } from '../test/transcription/wav';

const FILES = Number(process.env.BENCH_FILES ?? 200);
const ENGINE_MS = Number(process.env.BENCH_ENGINE_MS ?? 20);
const SCRIPT = resolve('python/transcribe.py');
const API_KEY = 'sk-bench';
const run = promisify(execFile);

interface Measurement { wallMs: number; engineMs: number }

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const dir = mkdtempSync(join(tmpdir(), 'transcription-bench-'));
  const files = Array.from({ length: FILES }, (_, index) => writeToneWav(join(dir, `call-${index}.wav`), 0.5, [[[0.1, 0.4, 440]]]));
  const transcriptions = fakeTranscriptions({ latencyMs: ENGINE_MS, apiKey: API_KEY });
  const fake = await startFakeOpenAI(transcriptions.routes);
  try {
    const pool = await measurePool(files, fake.baseURL, transcriptions);
    const spawned = await measure(files, transcriptions, (file) => spawnOnce(file, fake.baseURL));
    report(pool, spawned);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measurePool(files: string[], baseUrl: string, transcriptions: FakeTranscriptions): Promise<Measurement> {
  const transcriber = new PythonTranscriber({
    pythonPath: process.env.PYTHON_PATH ?? 'python3', scriptPath: SCRIPT, poolSize: 1, backend: 'openai-api',
    baseUrl, apiKey: API_KEY, baseTimeoutMs: 30_000, timeoutPerAudioSecondMs: 1_000,
  });
  const request = (audioPath: string) => ({ audioPath, channels: 1, durationSec: 0.5, managerChannel: 0 as const, language: 'ru', vocabularyHints: [] });
  try {
    await transcriber.transcribe(request(files[0]));
    return await measure(files, transcriptions, (file) => transcriber.transcribe(request(file)));
  } finally {
    await transcriber.close();
  }
}

async function spawnOnce(file: string, baseUrl: string): Promise<void> {
  await run(process.env.PYTHON_PATH ?? 'python3', [SCRIPT, file, '--backend', 'openai-api', '--base-url', baseUrl], {
    env: { ...process.env, TRANSCRIBE_API_KEY: API_KEY },
  });
}

async function measure(files: string[], transcriptions: FakeTranscriptions, transcribe: (file: string) => Promise<unknown>): Promise<Measurement> {
  const firstCall = transcriptions.received.length;
  const started = performance.now();
  for (const file of files) await transcribe(file);
  const wallMs = performance.now() - started;
  const engineMs = transcriptions.received.slice(firstCall).reduce((sum, call) => sum + call.handledMs, 0);
  return { wallMs, engineMs };
}

function report(pool: Measurement, spawned: Measurement): void {
  const perFile = (m: Measurement) => (m.wallMs - m.engineMs) / FILES;
  const row = (name: string, m: Measurement) =>
    `${name.padEnd(22)} wall ${(m.wallMs / FILES).toFixed(2)} ms/file, engine ${(m.engineMs / FILES).toFixed(2)} ms/file, overhead ${perFile(m).toFixed(2)} ms/file`;
  console.log(`${FILES} files, fake engine time ${ENGINE_MS} ms`);
  console.log(row('pool (1 worker)', pool));
  console.log(row('process per file', spawned));
  const ratio = perFile(pool) / perFile(spawned);
  console.log(`pool overhead = ${(ratio * 100).toFixed(1)}% of process-per-file overhead (target <= 10%): ${ratio <= 0.1 ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
