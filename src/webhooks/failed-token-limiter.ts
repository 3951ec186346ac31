/**
 * Counts wrong webhook tokens per remote address over a sliding minute, in memory. Only misses are counted:
 * Bitrix24 sends from shared, changing addresses and never re-sends, so a valid token is never limited.
 */
export class FailedTokenLimiter {
  private readonly misses = new Map<string, number[]>();

  constructor(
    private readonly maxMisses = 10,
    private readonly windowMs = 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** True when the address has used up its misses for the current window. */
  isLimited(address: string, now = Date.now()): boolean {
    return this.recent(address, now).length >= this.maxMisses;
  }

  recordMiss(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.misses.set(address, recent);
    if (this.misses.size > this.maxAddresses) this.forgetStale(now);
  }

  /** Seconds until the oldest miss leaves the window. */
  retryAfterSec(address: string, now = Date.now()): number {
    const oldest = this.recent(address, now)[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  private recent(address: string, now: number): number[] {
    return (this.misses.get(address) ?? []).filter((at) => now - at < this.windowMs);
  }

  private forgetStale(now: number): void {
    for (const [address, times] of this.misses) {
      if (times.every((at) => now - at >= this.windowMs)) this.misses.delete(address);
    }
  }
}
