import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { IntegrationError } from '../../common/errors';
import { failureOfWorkerCode, WorkerErrorBody } from './worker-errors';

export interface WorkerCommand {
  pythonPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
}

/** The process died or never started: the file may succeed on a fresh worker. */
export class WorkerCrashedError extends Error {}

/**
 * How long one request may take: until the worker starts its first chunk, then each chunk by its own seconds of
 * audio, so a long call is timed chunk by chunk rather than by one limit for the whole file.
 */
export interface RequestTimeouts {
  firstMs: number;
  chunkMs(audioSec: number): number;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timeouts: RequestTimeouts;
  timer: NodeJS.Timeout;
}

const STDERR_LINES_KEPT = 8;
const STOP_GRACE_MS = 3000;

/** One `transcribe.py --worker` process: JSON lines in, one JSON line out per request. */
export class PythonWorker {
  private readonly logger = new Logger(PythonWorker.name);
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<string, Pending>();
  private readonly stderrTail: string[] = [];
  private readonly exited: Promise<void>;
  private readonly startupTimer: NodeJS.Timeout;
  private nextId = 1;
  private failure?: Error;
  private markReady!: () => void;
  private markNotReady!: (error: Error) => void;
  readonly ready: Promise<void>;

  constructor(private readonly command: WorkerCommand) {
    this.ready = new Promise((resolve, reject) => { this.markReady = resolve; this.markNotReady = reject; });
    this.ready.catch(() => undefined);
    this.child = spawn(command.pythonPath, command.args, { env: command.env, stdio: 'pipe' });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.startupTimer = setTimeout(() => this.startupTimedOut(), command.startupTimeoutMs);
    this.listen();
  }

  get usable(): boolean {
    return !this.failure && this.child.exitCode === null && this.child.signalCode === null;
  }

  async transcribe(payload: Record<string, unknown>, timeouts: RequestTimeouts): Promise<unknown> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = this.timer(id, timeouts.firstMs, 'transcription');
      this.pending.set(id, { resolve, reject, timeouts, timer });
      this.child.stdin.write(`${JSON.stringify({ ...payload, id })}\n`);
    });
  }

  async stop(): Promise<void> {
    this.fail(new WorkerCrashedError('transcription worker stopped'));
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killer);
  }

  private listen(): void {
    const lines = createInterface({ input: this.child.stdout });
    lines.once('line', (line) => {
      const startupError = this.readyLineError(line);
      if (startupError) return this.kill(startupError);
      clearTimeout(this.startupTimer);
      this.markReady();
      lines.on('line', (next) => this.onReply(next));
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.keepStderr(line));
    this.child.stdin.on('error', () => undefined);
    this.child.once('error', (error) => {
      this.fail(new IntegrationError('transcription', 'not_configured', `cannot start ${this.command.pythonPath}: ${error.message}`));
    });
    this.child.once('close', (code, signal) => {
      this.fail(new WorkerCrashedError(`transcription worker exited (${signal ?? `code ${code}`})${this.stderrSummary()}`));
    });
  }

  private startupTimedOut(): void {
    this.kill(new IntegrationError('transcription', 'timeout', `transcription worker not ready after ${this.command.startupTimeoutMs} ms`));
  }

  private readyLineError(line: string): Error | undefined {
    const message = parseLine(line);
    if (message instanceof Error) return message;
    if (message.ready === true) {
      this.logger.log(`transcription worker ${this.child.pid} ready: ${String(message.engine)} ${String(message.model)}`);
      return undefined;
    }
    const error = message.error as WorkerErrorBody | undefined;
    if (error) return workerError(error, 'transcription worker failed to start');
    return new IntegrationError('transcription', 'bad_response', `transcription worker started without a ready line: ${line.slice(0, 200)}`);
  }

  private onReply(line: string): void {
    const message = parseLine(line);
    if (message instanceof Error) return this.kill(message);
    const id = String(message.id);
    const pending = this.pending.get(id);
    if (!pending) {
      return this.kill(new IntegrationError('transcription', 'bad_response', `transcription worker answered an unknown request: ${line.slice(0, 200)}`));
    }
    clearTimeout(pending.timer);
    if (message.progress) return this.onChunkStarted(id, pending, message.progress);
    this.pending.delete(id);
    if (message.error) pending.reject(workerError(message.error as WorkerErrorBody, 'transcription failed'));
    else pending.resolve(message.result);
  }

  private onChunkStarted(id: string, pending: Pending, progress: unknown): void {
    const audioSec = (progress as { audioSec?: unknown }).audioSec;
    if (typeof audioSec !== 'number' || !Number.isFinite(audioSec) || audioSec < 0) {
      return this.kill(new IntegrationError('transcription', 'bad_response', `transcription worker reported progress without audioSec: ${JSON.stringify(progress)}`));
    }
    pending.timer = this.timer(id, pending.timeouts.chunkMs(audioSec), `a chunk of ${audioSec} s of audio`);
  }

  private timer(id: string, timeoutMs: number, what: string): NodeJS.Timeout {
    return setTimeout(() => this.timeOut(id, timeoutMs, what), timeoutMs);
  }

  private timeOut(id: string, timeoutMs: number, what: string): void {
    if (!this.pending.has(id)) return;
    this.logger.warn(`transcription worker ${this.child.pid} gave no answer within ${timeoutMs} ms; killing it`);
    this.kill(new IntegrationError('transcription', 'timeout', `${what} took longer than ${timeoutMs} ms`));
  }

  private kill(error: Error): void {
    this.fail(error);
    this.child.kill('SIGKILL');
  }

  private fail(error: Error): void {
    this.failure ??= error;
    clearTimeout(this.startupTimer);
    this.markNotReady(this.failure);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.failure);
      this.pending.delete(id);
    }
  }

  private keepStderr(line: string): void {
    this.logger.debug(`worker ${this.child.pid}: ${line}`);
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
  }

  private stderrSummary(): string {
    return this.stderrTail.length ? `; last output: ${this.stderrTail.slice(-3).join(' | ').slice(0, 500)}` : '';
  }
}

function parseLine(line: string): Record<string, unknown> | IntegrationError {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below with the offending line
  }
  return new IntegrationError('transcription', 'bad_response', `transcription worker wrote a line that is not a JSON object: ${line.slice(0, 200)}`);
}

function workerError(error: WorkerErrorBody, context: string): IntegrationError {
  const retryAfterMs = typeof error.retryAfterSec === 'number' ? error.retryAfterSec * 1000 : undefined;
  return new IntegrationError('transcription', failureOfWorkerCode(error.code), `${context}: ${error.code}: ${error.message}`, retryAfterMs);
}
