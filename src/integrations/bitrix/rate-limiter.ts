/**
 * Client-side mirror of the portal's leaky bucket: `burst` requests at once, then `perSecond`.
 * Waiting here is cheaper than being refused with 503 QUERY_LIMIT_EXCEEDED, which also counts.
 */
export class LeakyBucket {
  private level = 0;
  private lastLeak = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Resolves when one more request fits into the bucket; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom());
    this.queue = turn;
    return turn;
  }

  private async waitForRoom(): Promise<void> {
    this.leak();
    const overflow = this.level + 1 - this.burst;
    if (overflow > 0) {
      await sleep(Math.ceil((overflow / this.perSecond) * 1000));
      this.leak();
    }
    this.level += 1;
  }

  private leak(): void {
    const now = Date.now();
    this.level = Math.max(0, this.level - ((now - this.lastLeak) / 1000) * this.perSecond);
    this.lastLeak = now;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
