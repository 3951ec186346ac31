import { CallProcessingQueue, EnqueueOptions } from '../../src/pipeline/call-processing-queue';

/** Remembers which calls were handed to processing instead of queueing them. */
export class RecordingQueue extends CallProcessingQueue {
  readonly ids: number[] = [];
  failures = 0;

  async enqueue(callIds: number[], _options?: EnqueueOptions): Promise<number> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('queue unavailable');
    }
    this.ids.push(...callIds);
    return callIds.length;
  }
}

/** Polls until `check` returns a truthy value (work done after the reply), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
