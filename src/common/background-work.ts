/**
 * Work that goes on after the caller has its answer (a sync run, a delivery, an event's processing). Shutdown
 * waits for all of it; a failure is the work's own to report and never becomes an unhandled rejection.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  /** Tracks the work and returns it unchanged. */
  add<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(() => undefined, () => undefined);
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return work;
  }

  /** Resolves once everything tracked so far has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
