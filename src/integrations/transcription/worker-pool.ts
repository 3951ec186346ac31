import { Logger } from '@nestjs/common';
import { IntegrationError } from '../../common/errors';
import { PythonWorker, RequestTimeouts, WorkerCrashedError } from './python-worker';

/**
 * Up to `size` long-lived workers, started on first use; requests beyond that wait in line.
 * A file whose worker dies is tried once more on a fresh worker; a hung worker is killed by its timeout.
 */
export class WorkerPool {
  private readonly logger = new Logger(WorkerPool.name);
  private readonly idle: PythonWorker[] = [];
  private readonly all = new Set<PythonWorker>();
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly startWorker: () => PythonWorker,
  ) {}

  get workerCount(): number {
    return this.all.size;
  }

  async run(payload: Record<string, unknown>, timeouts: RequestTimeouts): Promise<unknown> {
    await this.takeTurn();
    try {
      return await this.runWithOneRetry(payload, timeouts);
    } finally {
      this.endTurn();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopping = [...this.all].map((worker) => worker.stop());
    this.idle.length = 0;
    this.all.clear();
    this.waiting.splice(0).forEach((wake) => wake());
    await Promise.all(stopping);
  }

  private async runWithOneRetry(payload: Record<string, unknown>, timeouts: RequestTimeouts): Promise<unknown> {
    try {
      return await this.runOnWorker(payload, timeouts);
    } catch (error) {
      if (!(error instanceof WorkerCrashedError) || this.closed) throw this.asIntegrationError(error);
      this.logger.warn(`${error.message}; retrying ${String(payload.audioPath)} on a fresh worker`);
      try {
        return await this.runOnWorker(payload, timeouts);
      } catch (retryError) {
        throw this.asIntegrationError(retryError);
      }
    }
  }

  private async runOnWorker(payload: Record<string, unknown>, timeouts: RequestTimeouts): Promise<unknown> {
    const worker = this.idle.pop() ?? this.spawn();
    try {
      return await worker.transcribe(payload, timeouts);
    } finally {
      if (worker.usable && !this.closed) this.idle.push(worker);
      else this.discard(worker);
    }
  }

  private spawn(): PythonWorker {
    const worker = this.startWorker();
    this.all.add(worker);
    return worker;
  }

  private discard(worker: PythonWorker): void {
    this.all.delete(worker);
    void worker.stop();
  }

  private async takeTurn(): Promise<void> {
    if (this.closed) throw closedError();
    if (this.busy < this.size) {
      this.busy++;
      return;
    }
    await new Promise<void>((wake) => this.waiting.push(wake));
    if (this.closed) throw closedError();
  }

  /** The turn passes straight to the next waiting request, so a newcomer cannot slip in between. */
  private endTurn(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }

  private asIntegrationError(error: unknown): Error {
    if (error instanceof IntegrationError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new IntegrationError('transcription', 'unavailable', message);
  }
}

function closedError(): IntegrationError {
  return new IntegrationError('transcription', 'unavailable', 'transcription is shutting down');
}
