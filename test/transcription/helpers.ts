import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PythonTranscriberOptions } from '../../src/integrations/transcription/python-transcriber';
import { TranscribeRequest } from '../../src/integrations/transcription/transcriber.port';

export const ROOT = resolve(__dirname, '../..');
export const SCRIPT = join(ROOT, 'python/transcribe.py');
export const STANDIN_ENGINE_DIR = join(ROOT, 'python/tests/standin');

export function tempDir(): { path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'transcription-'));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function baseOptions(overrides: Partial<PythonTranscriberOptions> = {}): PythonTranscriberOptions {
  return {
    pythonPath: 'python3',
    scriptPath: SCRIPT,
    poolSize: 1,
    backend: 'faster-whisper',
    baseTimeoutMs: 20_000,
    timeoutPerAudioSecondMs: 1_000,
    startupTimeoutMs: 20_000,
    ...overrides,
  };
}

export function request(audioPath: string, overrides: Partial<TranscribeRequest> = {}): TranscribeRequest {
  return { audioPath, channels: 1, durationSec: 2, managerChannel: 0, language: 'ru', vocabularyHints: [], ...overrides };
}

export interface StandinEntry { event: 'load' | 'transcribe'; pid: number; audio?: string; started?: number; finished?: number }

export function readStandinLog(path: string): StandinEntry[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as StandinEntry);
}
